//! Where the store lives: `--db` / `LOTRACE_DB` parsed into a backend and its address.

use std::fmt;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::{Result, StoreError};

/// Where the store lives, parsed from `--db` / `LOTRACE_DB`.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    SqliteFile(std::path::PathBuf),
    /// A `postgres://` or `postgresql://` URL, as libpq and sqlx understand it
    /// (e.g. `postgres://user:password@host:5432/db?options[search_path]=lotrace`).
    Postgres(String),
}

impl Location {
    /// `postgres://...` or `postgresql://...`; else `sqlite:PATH`, `sqlite://PATH` or a plain
    /// file path.
    pub fn parse(text: &str) -> Result<Location> {
        let bad = |reason: &str| StoreError::BadLocation {
            location: redact(text),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(bad("empty"));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            // Parse now so that a malformed URL is reported before anything connects.
            PgConnectOptions::from_str(text)
                .map_err(|e| bad(&format!("not a valid PostgreSQL URL: {e}")))?;
            return Ok(Location::Postgres(text.to_owned()));
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        if path.is_empty() {
            return Err(bad("no file path after sqlite:"));
        }
        Ok(Location::SqliteFile(path.into()))
    }
}

/// The URL without its password: what logs and messages may show.
fn redact(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if user.len() < userinfo.len() {
                ":***"
            } else {
                ""
            };
            // The query may carry a password too (`?password=`); show the path only.
            let path = tail.split_once('?').map_or(tail, |(p, _)| p);
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => {
            let path = tail.split_once('?').map_or(tail, |(p, _)| p);
            format!("{scheme}://{authority}{path}")
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::SqliteFile(p) => write!(f, "sqlite:{}", p.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// Debug shows what Display shows: a password must not reach a log by `{:?}` either.
impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::SqliteFile(p) => f.debug_tuple("SqliteFile").field(p).finish(),
            Location::Postgres(_) => f.debug_tuple("Postgres").field(&self.to_string()).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let loc = Location::parse("postgres://app:s3cret@db.example:5432/lotrace?sslmode=require")
            .unwrap();
        assert_eq!(
            loc.to_string(),
            "postgres://app:***@db.example:5432/lotrace"
        );
        assert!(!format!("{loc:?}").contains("s3cret"));
        let loc = Location::parse("postgresql://app@db/lotrace?password=s3cret").unwrap();
        assert_eq!(loc.to_string(), "postgresql://app@db/lotrace");
        let loc = Location::parse("postgres://localhost/x").unwrap();
        assert_eq!(loc.to_string(), "postgres://localhost/x");
    }
}
