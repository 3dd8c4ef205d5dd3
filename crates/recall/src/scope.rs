//! What a recall starts from, and how it resolves to the origin lots.

use std::collections::{BTreeSet, HashSet};

use jiff::Timestamp;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{Flow, LotState};
use serde::{Deserialize, Serialize};

use crate::{MAX_ORIGINS, RecallError, Views, canonical};

/// A lot named by its identifier (any spelling) or by product and lot codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LotRef {
    Codes { product: String, lot: String },
    Id(String),
}

impl LotRef {
    /// `PRODUCT:LOT` (our codes) or any identifier of the lot (EPC URN, Digital Link).
    pub fn parse(text: &str) -> LotRef {
        let text = text.trim();
        match text.split_once(':') {
            Some((product, lot)) if !text.contains("://") && !text.starts_with("urn:") => {
                LotRef::Codes {
                    product: product.to_owned(),
                    lot: lot.to_owned(),
                }
            }
            _ => LotRef::Id(text.to_owned()),
        }
    }
}

/// Where a recall starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    /// One or more of our lots.
    Lots { lots: Vec<LotRef> },
    /// A supplier's lot code: the lots received with it (as our lot number or as the
    /// supplier lot recorded at receipt), optionally of one supplier or product.
    SupplierLot {
        supplier_lot: String,
        #[serde(default)]
        supplier: Option<String>,
        #[serde(default)]
        product: Option<String>,
    },
    /// Everything made at a location (a line, or a site and everything in it) in a time
    /// window, `from` inclusive, `to` exclusive; optionally of one product.
    Production {
        location: String,
        from: Timestamp,
        to: Timestamp,
        #[serde(default)]
        product: Option<String>,
    },
    /// A container (SSCC): every lot it ever held.
    Container { sscc: String },
}

impl Scope {
    /// One line for lists and reports.
    pub fn describe(&self) -> String {
        match self {
            Scope::Lots { lots } => {
                let names: Vec<String> = lots
                    .iter()
                    .map(|l| match l {
                        LotRef::Codes { product, lot } => format!("{product} lot {lot}"),
                        LotRef::Id(id) => id.clone(),
                    })
                    .collect();
                format!("lots {}", names.join(", "))
            }
            Scope::SupplierLot {
                supplier_lot,
                supplier,
                product,
            } => {
                let mut text = format!("supplier lot {supplier_lot}");
                if let Some(s) = supplier {
                    text += &format!(" of supplier {s}");
                }
                if let Some(p) = product {
                    text += &format!(" of product {p}");
                }
                text
            }
            Scope::Production {
                location,
                from,
                to,
                product,
            } => {
                let what = product.as_deref().unwrap_or("everything");
                format!("{what} made at {location} from {from} to {to}")
            }
            Scope::Container { sscc } => format!("container {sscc}"),
        }
    }
}

/// The last path segment of a lot URI (`.../10/LOT` or `urn:lotrace:lot:...:LOT`), decoded.
fn lot_code(id: &str) -> Option<String> {
    let (_, code) = id.rsplit_once(['/', ':'])?;
    Some(
        percent_encoding::percent_decode_str(code)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

fn attribute<'a>(lot: &'a LotState, key: &str) -> Option<&'a str> {
    lot.attributes.get(key).and_then(|v| v.as_str())
}

/// Resolves a scope to the origin ids (canonical, sorted, at most [`MAX_ORIGINS`]).
/// Nothing found is an error naming the field: a recall of nothing is a mistake.
pub fn resolve(scope: &Scope, views: &Views) -> Result<Vec<String>, RecallError> {
    let origins: BTreeSet<String> = match scope {
        Scope::Lots { lots } => resolve_lots(lots, views)?,
        Scope::SupplierLot {
            supplier_lot,
            supplier,
            product,
        } => resolve_supplier_lot(supplier_lot, supplier.as_deref(), product.as_deref(), views)?,
        Scope::Production {
            location,
            from,
            to,
            product,
        } => resolve_production(location, *from, *to, product.as_deref(), views)?,
        Scope::Container { sscc } => {
            let id = canonical(sscc);
            if !views.trace.contains(&id) {
                return Err(RecallError::field(
                    "scope.sscc",
                    format!("no container {sscc:?} appears in any event"),
                ));
            }
            BTreeSet::from([id])
        }
    };
    if origins.len() > MAX_ORIGINS {
        return Err(RecallError::field(
            "scope",
            format!(
                "names {} lots; one recall starts from at most {MAX_ORIGINS}: narrow it",
                origins.len()
            ),
        ));
    }
    Ok(origins.into_iter().collect())
}

fn resolve_lots(lots: &[LotRef], views: &Views) -> Result<BTreeSet<String>, RecallError> {
    if lots.is_empty() {
        return Err(RecallError::field("scope.lots", "name at least one lot"));
    }
    let mut out = BTreeSet::new();
    for (i, lot) in lots.iter().enumerate() {
        let field = format!("scope.lots[{i}]");
        let id = match lot {
            LotRef::Codes { product, lot } => views
                .catalog
                .products
                .get(product)
                .map(|p| canonical(&p.lot_uri(lot)))
                .ok_or_else(|| {
                    RecallError::field(&field, format!("no product with code {product:?}"))
                })?,
            LotRef::Id(id) => canonical(id),
        };
        if views.inventory.lot(&id).is_none() && !views.trace.contains(&id) {
            return Err(RecallError::field(
                &field,
                format!("no lot {id} appears in any event"),
            ));
        }
        out.insert(id);
    }
    Ok(out)
}

fn product_matches(catalog: &Catalog, lot: &str, product: Option<&str>) -> bool {
    match product {
        None => true,
        Some(code) => catalog.product_of_lot(lot).is_some_and(|p| p.code == code),
    }
}

fn resolve_supplier_lot(
    code: &str,
    supplier: Option<&str>,
    product: Option<&str>,
    views: &Views,
) -> Result<BTreeSet<String>, RecallError> {
    if code.trim().is_empty() {
        return Err(RecallError::field(
            "scope.supplier_lot",
            "give the supplier's lot code",
        ));
    }
    let supplier_uris: Option<HashSet<String>> = match supplier {
        None => None,
        Some(s) => {
            let party = views.catalog.parties.get(s).ok_or_else(|| {
                RecallError::field("scope.supplier", format!("no party with code {s:?}"))
            })?;
            Some(HashSet::from([
                canonical(&party.uri()),
                canonical(&party.location_uri()),
            ]))
        }
    };
    if let Some(p) = product
        && !views.catalog.products.contains_key(p)
    {
        return Err(RecallError::field(
            "scope.product",
            format!("no product with code {p:?}"),
        ));
    }
    let out: BTreeSet<String> = views
        .inventory
        .lots()
        .filter(|lot| {
            attribute(lot, "lotrace:supplierLot") == Some(code)
                || (lot.received.is_positive() && lot_code(&lot.id).as_deref() == Some(code))
        })
        .filter(|lot| product_matches(views.catalog, &lot.id, product))
        .filter(|lot| match (&supplier_uris, supplier) {
            (None, _) => true,
            (Some(uris), Some(code)) => {
                attribute(lot, "lotrace:supplier") == Some(code)
                    || lot.ledger.iter().any(|e| {
                        e.flow == Flow::Received
                            && e.party.as_ref().is_some_and(|p| uris.contains(p))
                    })
            }
            (Some(_), None) => false,
        })
        .map(|lot| lot.id.clone())
        .collect();
    if out.is_empty() {
        return Err(RecallError::field(
            "scope.supplier_lot",
            format!("no lot was received with supplier lot code {code:?}"),
        ));
    }
    Ok(out)
}

fn resolve_production(
    location: &str,
    from: Timestamp,
    to: Timestamp,
    product: Option<&str>,
    views: &Views,
) -> Result<BTreeSet<String>, RecallError> {
    if from >= to {
        return Err(RecallError::field(
            "scope.to",
            format!("the window must end after it starts ({from} .. {to})"),
        ));
    }
    if !views.catalog.locations.contains_key(location) {
        return Err(RecallError::field(
            "scope.location",
            format!("no location with code {location:?}"),
        ));
    }
    if let Some(p) = product
        && !views.catalog.products.contains_key(p)
    {
        return Err(RecallError::field(
            "scope.product",
            format!("no product with code {p:?}"),
        ));
    }
    let places = location_and_descendants(views.catalog, location);
    let out: BTreeSet<String> = views
        .inventory
        .lots()
        .filter(|lot| product_matches(views.catalog, &lot.id, product))
        .filter(|lot| made_in(lot, &places, from, to))
        .map(|lot| lot.id.clone())
        .collect();
    if out.is_empty() {
        return Err(RecallError::field(
            "scope",
            format!("nothing was made at {location} between {from} and {to}"),
        ));
    }
    Ok(out)
}

fn made_in(lot: &LotState, places: &HashSet<String>, from: Timestamp, to: Timestamp) -> bool {
    lot.ledger.iter().any(|e| {
        e.flow == Flow::Produced
            && e.time >= from
            && e.time < to
            && e.location.as_ref().is_some_and(|l| places.contains(l))
    })
}

/// The URIs of a location and of every location inside it, canonical.
fn location_and_descendants(catalog: &Catalog, code: &str) -> HashSet<String> {
    let mut codes = vec![code.to_owned()];
    let mut seen: HashSet<String> = HashSet::new();
    // Bounded by the number of locations: each is visited once.
    while let Some(c) = codes.pop() {
        if !seen.insert(c.clone()) {
            continue;
        }
        codes.extend(
            catalog
                .locations
                .values()
                .filter(|l| l.parent.as_deref() == Some(c.as_str()))
                .map(|l| l.code.clone()),
        );
    }
    seen.iter()
        .filter_map(|c| catalog.locations.get(c))
        .map(|l| canonical(&l.uri()))
        .collect()
}
