//! The EPCIS query interface's state beside the log: named queries, their webhook
//! subscriptions (with the log position each has handled), and what a capture with
//! `GS1-Capture-Error-Behaviour: proceed` left out. These rows change (a query is deleted, a
//! subscription moves on); the event log never does. `copy_to` carries them over.

use jiff::Timestamp;
use serde::Serialize;

use crate::rows::{self, Columns};
use crate::writer::Writer;
use crate::{Backend, Result, Store, StoreError, from_us, to_us, write_tx};

/// The most named queries (and subscriptions) a store keeps.
pub const MAX_NAMED_QUERIES: u32 = 1_000;
/// The largest query definition kept, in bytes of JSON.
pub const MAX_QUERY_JSON_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedQuery {
    pub name: String,
    /// The query's parameters, as the client gave them (`{"EQ_bizStep": ["shipping"]}`).
    pub query: serde_json::Value,
    #[serde(rename = "createdAt")]
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(rename = "subscriptionID")]
    pub id: String,
    pub query_name: String,
    pub dest: String,
    /// The HMAC key of the signature header; never shown back.
    #[serde(skip)]
    pub signature_token: Option<String>,
    pub report_if_empty: bool,
    pub created_at: Timestamp,
    /// The last log position handled: events after it are still to deliver.
    pub after_seq: i64,
    /// Documents delivered so far.
    pub delivered: u64,
    /// Why the last delivery failed, if it did.
    pub last_error: Option<String>,
}

/// What a capture with error behaviour `proceed` rejected.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaptureReport {
    pub capture_id: String,
    pub error_behaviour: String,
    pub events_rejected: u64,
    pub errors: Vec<serde_json::Value>,
}

/// Runs one statement on the writer (SQLite's one connection, PostgreSQL's pool); the rows
/// it changed.
macro_rules! write_one {
    ($store:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.writer_pool()).await?.rows_affected(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.pool()).await?.rows_affected(),
        }
    };
}

/// Fetches all rows of a query and decodes each with `$decode`.
macro_rules! read_all {
    ($store:expr, $decode:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.reader_pool()).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.pool()).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
        }
    };
}

fn named_query(row: &impl Columns) -> Result<NamedQuery> {
    let name = text(row, "name")?;
    Ok(NamedQuery {
        query: serde_json::from_str(&text(row, "query_json")?).map_err(|e| {
            StoreError::Corrupt {
                seq: 0,
                reason: format!("named query {name:?}: {e}"),
            }
        })?,
        name,
        created_at: from_us(rows::int(row, "created_at_us")?),
    })
}

fn subscription(row: &impl Columns) -> Result<Subscription> {
    Ok(Subscription {
        id: text(row, "id")?,
        query_name: text(row, "query_name")?,
        dest: text(row, "dest")?,
        signature_token: row.text("signature_token")?.map(str::to_owned),
        report_if_empty: row.flag("report_if_empty")?,
        created_at: from_us(rows::int(row, "created_at_us")?),
        after_seq: rows::int(row, "after_seq")?,
        delivered: rows::int(row, "delivered")? as u64,
        last_error: row.text("last_error")?.map(str::to_owned),
    })
}

fn report(row: &impl Columns) -> Result<CaptureReport> {
    Ok(CaptureReport {
        capture_id: text(row, "capture_id")?,
        error_behaviour: text(row, "error_behaviour")?,
        events_rejected: rows::int(row, "events_rejected")? as u64,
        errors: serde_json::from_str(&text(row, "errors_json")?).unwrap_or_default(),
    })
}

fn text(row: &impl Columns, column: &str) -> Result<String> {
    row.text(column)?.map(str::to_owned).ok_or_else(|| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: "unexpected NULL".into(),
        })
    })
}

const SUBSCRIPTION_COLUMNS: &str = "id, query_name, dest, signature_token, report_if_empty, \
     created_at_us, after_seq, delivered, last_error";

impl Store {
    /// Keeps a named query. None: the name is taken (nothing changed).
    pub async fn create_named_query(
        &self,
        name: &str,
        query: &serde_json::Value,
    ) -> Result<Option<NamedQuery>> {
        let json = query.to_string();
        if json.len() > MAX_QUERY_JSON_BYTES {
            return Err(StoreError::InvalidNamedQuery(format!(
                "a query definition is at most {MAX_QUERY_JSON_BYTES} bytes of JSON"
            )));
        }
        let count = self.named_queries().await?.len() as u32;
        if count >= MAX_NAMED_QUERIES {
            return Err(StoreError::InvalidNamedQuery(format!(
                "the store keeps at most {MAX_NAMED_QUERIES} named queries"
            )));
        }
        let now = from_us(to_us(Timestamp::now()));
        let changed = write_one!(
            self,
            "INSERT INTO named_query (name, query_json, created_at_us) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
            name,
            json.as_str(),
            to_us(now)
        );
        Ok((changed == 1).then(|| NamedQuery {
            name: name.to_owned(),
            query: query.clone(),
            created_at: now,
        }))
    }

    /// Every named query, by name.
    pub async fn named_queries(&self) -> Result<Vec<NamedQuery>> {
        read_all!(
            self,
            named_query,
            "SELECT name, query_json, created_at_us FROM named_query ORDER BY name LIMIT $1",
            i64::from(MAX_NAMED_QUERIES)
        )
    }

    pub async fn named_query(&self, name: &str) -> Result<Option<NamedQuery>> {
        Ok(read_all!(
            self,
            named_query,
            "SELECT name, query_json, created_at_us FROM named_query WHERE name = $1",
            name
        )?
        .pop())
    }

    /// Deletes a named query and its subscriptions; false if there was none.
    pub async fn delete_named_query(&self, name: &str) -> Result<bool> {
        write_one!(self, "DELETE FROM subscription WHERE query_name = $1", name);
        Ok(write_one!(self, "DELETE FROM named_query WHERE name = $1", name) == 1)
    }

    pub async fn create_subscription(&self, s: &Subscription) -> Result<()> {
        write_one!(
            self,
            "INSERT INTO subscription (id, query_name, dest, signature_token, report_if_empty, \
             created_at_us, after_seq, delivered, last_error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            s.id.as_str(),
            s.query_name.as_str(),
            s.dest.as_str(),
            s.signature_token.as_deref(),
            s.report_if_empty,
            to_us(s.created_at),
            s.after_seq,
            s.delivered as i64,
            s.last_error.as_deref()
        );
        Ok(())
    }

    /// The subscriptions of one named query, or of all (None), oldest first.
    pub async fn subscriptions(&self, query_name: Option<&str>) -> Result<Vec<Subscription>> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription \
             WHERE ($1 IS NULL OR query_name = $1) ORDER BY created_at_us, id LIMIT $2"
        );
        read_all!(
            self,
            subscription,
            sqlx::AssertSqlSafe(sql),
            query_name,
            i64::from(MAX_NAMED_QUERIES)
        )
    }

    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscription WHERE id = $1");
        Ok(read_all!(self, subscription, sqlx::AssertSqlSafe(sql), id)?.pop())
    }

    /// False if there was no such subscription.
    pub async fn delete_subscription(&self, id: &str) -> Result<bool> {
        Ok(write_one!(self, "DELETE FROM subscription WHERE id = $1", id) == 1)
    }

    /// Records a subscription's progress: the last log position handled, how many
    /// documents were delivered in all, and the last failure (None after a success).
    pub async fn record_delivery(
        &self,
        id: &str,
        after_seq: i64,
        delivered: u64,
        last_error: Option<&str>,
    ) -> Result<()> {
        write_one!(
            self,
            "UPDATE subscription SET after_seq = $1, delivered = $2, last_error = $3 WHERE id = $4",
            after_seq,
            delivered as i64,
            last_error,
            id
        );
        Ok(())
    }

    /// Keeps what a `proceed` capture rejected, keyed by its job.
    pub async fn put_capture_report(&self, r: &CaptureReport) -> Result<()> {
        let errors = serde_json::Value::Array(r.errors.clone()).to_string();
        write_one!(
            self,
            "INSERT INTO capture_report (capture_id, error_behaviour, events_rejected, errors_json) \
             VALUES ($1, $2, $3, $4)",
            r.capture_id.as_str(),
            r.error_behaviour.as_str(),
            r.events_rejected as i64,
            errors.as_str()
        );
        Ok(())
    }

    pub async fn capture_report(&self, capture_id: &str) -> Result<Option<CaptureReport>> {
        Ok(read_all!(
            self,
            report,
            "SELECT capture_id, error_behaviour, events_rejected, errors_json \
             FROM capture_report WHERE capture_id = $1",
            capture_id
        )?
        .pop())
    }
}

/// Rows after a key, in key order, for `copy_to`.
impl Store {
    pub(crate) async fn named_queries_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<NamedQuery>> {
        read_all!(
            self,
            named_query,
            "SELECT name, query_json, created_at_us FROM named_query WHERE name > $1 \
             ORDER BY name LIMIT $2",
            after,
            i64::from(limit)
        )
    }

    pub(crate) async fn subscriptions_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Subscription>> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscription WHERE id > $1 ORDER BY id LIMIT $2"
        );
        read_all!(
            self,
            subscription,
            sqlx::AssertSqlSafe(sql),
            after,
            i64::from(limit)
        )
    }

    pub(crate) async fn capture_reports_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<CaptureReport>> {
        read_all!(
            self,
            report,
            "SELECT capture_id, error_behaviour, events_rejected, errors_json \
             FROM capture_report WHERE capture_id > $1 ORDER BY capture_id LIMIT $2",
            after,
            i64::from(limit)
        )
    }
}

/// Writes rows as read from another store (`copy_to`), in the copy's transaction.
impl Writer {
    pub(crate) async fn insert_named_query(&mut self, q: &NamedQuery) -> Result<()> {
        let json = q.query.to_string();
        write_tx!(
            self,
            "INSERT INTO named_query (name, query_json, created_at_us) VALUES ($1, $2, $3)",
            q.name.as_str(),
            json.as_str(),
            to_us(q.created_at)
        );
        Ok(())
    }

    pub(crate) async fn insert_subscription(&mut self, s: &Subscription) -> Result<()> {
        write_tx!(
            self,
            "INSERT INTO subscription (id, query_name, dest, signature_token, report_if_empty, \
             created_at_us, after_seq, delivered, last_error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            s.id.as_str(),
            s.query_name.as_str(),
            s.dest.as_str(),
            s.signature_token.as_deref(),
            s.report_if_empty,
            to_us(s.created_at),
            s.after_seq,
            s.delivered as i64,
            s.last_error.as_deref()
        );
        Ok(())
    }

    pub(crate) async fn insert_capture_report(&mut self, r: &CaptureReport) -> Result<()> {
        let errors = serde_json::Value::Array(r.errors.clone()).to_string();
        write_tx!(
            self,
            "INSERT INTO capture_report (capture_id, error_behaviour, events_rejected, errors_json) \
             VALUES ($1, $2, $3, $4)",
            r.capture_id.as_str(),
            r.error_behaviour.as_str(),
            r.events_rejected as i64,
            errors.as_str()
        );
        Ok(())
    }
}
