//! Master data: products, locations and parties, validated by core and kept by the store.
//! Records are never deleted (events name them): they are deactivated.

use lotrace_core::DomainError;
use lotrace_core::catalog::Catalog;
use lotrace_core::master::{Location, Party, Product};
use lotrace_store::{MasterRecord, Store, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{App, AppError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MasterKind {
    Product,
    Location,
    Party,
}

impl MasterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MasterKind::Product => "product",
            MasterKind::Location => "location",
            MasterKind::Party => "party",
        }
    }

    pub fn parse(text: &str) -> Option<MasterKind> {
        match text {
            "product" | "products" => Some(MasterKind::Product),
            "location" | "locations" => Some(MasterKind::Location),
            "party" | "parties" => Some(MasterKind::Party),
            _ => None,
        }
    }
}

fn decode<T: DeserializeOwned>(body: Value) -> Result<T> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "(body)".to_owned()
        } else {
            path
        };
        AppError::Domain(DomainError::field(&field, e.inner().to_string()))
    })
}

/// Validates a record of `kind` and returns its code and normalised JSON.
pub(crate) fn validate(
    kind: MasterKind,
    body: Value,
    catalog: &Catalog,
) -> Result<(String, Value)> {
    fn normalised<T: Serialize>(code: &str, record: &T) -> Result<(String, Value)> {
        let json = serde_json::to_value(record)
            .map_err(|e| DomainError::field("(body)", e.to_string()))?;
        Ok((code.to_owned(), json))
    }
    match kind {
        MasterKind::Product => {
            let mut p: Product = decode(body)?;
            p.validate()?;
            normalised(&p.code, &p)
        }
        MasterKind::Location => {
            let l: Location = decode(body)?;
            l.validate()?;
            if let Some(parent) = &l.parent
                && !catalog.locations.contains_key(parent)
            {
                return Err(DomainError::field(
                    "parent",
                    format!("no location with code {parent:?}"),
                )
                .into());
            }
            normalised(&l.code, &l)
        }
        MasterKind::Party => {
            let p: Party = decode(body)?;
            p.validate()?;
            normalised(&p.code, &p)
        }
    }
}

pub(crate) fn insert(catalog: &mut Catalog, kind: MasterKind, body: &Value) -> Result<()> {
    match kind {
        MasterKind::Product => {
            let p: Product = decode(body.clone())?;
            catalog.products.insert(p.code.clone(), p);
        }
        MasterKind::Location => {
            let l: Location = decode(body.clone())?;
            catalog.locations.insert(l.code.clone(), l);
        }
        MasterKind::Party => {
            let p: Party = decode(body.clone())?;
            catalog.parties.insert(p.code.clone(), p);
        }
    }
    Ok(())
}

pub(crate) async fn load_catalog(store: &Store) -> Result<Catalog> {
    let mut catalog = Catalog::default();
    for kind in [MasterKind::Location, MasterKind::Party, MasterKind::Product] {
        for record in store.master_records(kind.as_str()).await? {
            insert(&mut catalog, kind, &record.body)?;
        }
    }
    Ok(catalog)
}

impl App {
    /// Creates a record; an existing code is an error (use `update`).
    pub async fn create(&self, kind: MasterKind, body: Value) -> Result<Value> {
        let mut views = self.views.lock().await;
        let (code, json) = validate(kind, body, &views.catalog)?;
        self.store
            .put_master(kind.as_str(), &code, &json, None)
            .await
            .map_err(|e| master_error(kind, &code, e))?;
        insert(&mut views.catalog, kind, &json)?;
        Ok(json)
    }

    /// Replaces a record; its code cannot change.
    pub async fn update(&self, kind: MasterKind, code: &str, body: Value) -> Result<Value> {
        let mut views = self.views.lock().await;
        let (new_code, json) = validate(kind, body, &views.catalog)?;
        if new_code != code {
            return Err(DomainError::field(
                "code",
                format!("a code cannot change ({code:?} to {new_code:?})"),
            )
            .into());
        }
        let current = self.record(kind, code).await?;
        self.store
            .put_master(kind.as_str(), code, &json, Some(current.version))
            .await
            .map_err(|e| master_error(kind, code, e))?;
        insert(&mut views.catalog, kind, &json)?;
        Ok(json)
    }

    /// Deactivates (or reactivates) a record: never deleted, since events name it.
    pub async fn set_active(&self, kind: MasterKind, code: &str, active: bool) -> Result<Value> {
        let current = self.record(kind, code).await?;
        let mut body = current.body;
        body["active"] = Value::Bool(active);
        self.update(kind, code, body).await
    }

    pub async fn list(&self, kind: MasterKind) -> Result<Vec<Value>> {
        Ok(self
            .store
            .master_records(kind.as_str())
            .await?
            .into_iter()
            .map(|r| r.body)
            .collect())
    }

    pub async fn get(&self, kind: MasterKind, code: &str) -> Result<Value> {
        Ok(self.record(kind, code).await?.body)
    }

    async fn record(&self, kind: MasterKind, code: &str) -> Result<MasterRecord> {
        self.store
            .master_record(kind.as_str(), code)
            .await?
            .ok_or_else(|| DomainError::not_found(kind.as_str(), code).into())
    }
}

fn master_error(kind: MasterKind, code: &str, e: StoreError) -> AppError {
    match e {
        StoreError::MasterExists { .. } => DomainError::Exists {
            entity: kind.as_str().to_owned(),
            code: code.to_owned(),
        }
        .into(),
        StoreError::MasterConflict { .. } => DomainError::refused(
            "concurrent_edit",
            format!(
                "{} {code:?} was changed meanwhile; reload and retry",
                kind.as_str()
            ),
        )
        .into(),
        other => other.into(),
    }
}
