//! Documents that events cite (certificates of analysis, lab reports), kept by the SHA-256
//! of their bytes and named by `urn:lotrace:document:sha256:<hex>`.

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rows::{self, Columns};
use crate::{Result, StoreError};

/// The largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// The longest media type and file name kept, in bytes.
pub const MAX_DOCUMENT_NAME_BYTES: usize = 255;
/// The URI prefix of a stored document; the hex SHA-256 follows.
pub const DOCUMENT_URI_PREFIX: &str = "urn:lotrace:document:sha256:";

/// What is known of a stored document, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentRef {
    pub uri: String,
    pub sha256: String,
    pub media_type: String,
    pub file_name: String,
    pub size_bytes: u64,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub meta: DocumentRef,
    pub body: Vec<u8>,
}

impl Document {
    /// A new document from its bytes, checked against the limits.
    pub fn new(body: Vec<u8>, media_type: &str, file_name: &str) -> Result<Document> {
        if body.is_empty() || body.len() > MAX_DOCUMENT_BYTES {
            return Err(StoreError::InvalidDocument(format!(
                "a document has 1 to {MAX_DOCUMENT_BYTES} bytes, this one {}",
                body.len()
            )));
        }
        for (what, text) in [("media type", media_type), ("file name", file_name)] {
            if text.is_empty()
                || text.len() > MAX_DOCUMENT_NAME_BYTES
                || text.chars().any(char::is_control)
            {
                return Err(StoreError::InvalidDocument(format!(
                    "the {what} must be 1 to {MAX_DOCUMENT_NAME_BYTES} bytes without control characters"
                )));
            }
        }
        let sha256 = hex::encode(Sha256::digest(&body));
        Ok(Document {
            meta: DocumentRef {
                uri: format!("{DOCUMENT_URI_PREFIX}{sha256}"),
                sha256,
                media_type: media_type.to_owned(),
                file_name: file_name.to_owned(),
                size_bytes: body.len() as u64,
                created_at: Timestamp::now(),
            },
            body,
        })
    }
}

/// The hex SHA-256 named by a document URI (or given bare), if it has that shape.
pub fn document_sha256(uri_or_hash: &str) -> Option<&str> {
    let hex = uri_or_hash
        .strip_prefix(DOCUMENT_URI_PREFIX)
        .unwrap_or(uri_or_hash);
    (hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(hex)
}

pub(crate) const INSERT: &str = "INSERT INTO document \
     (sha256, media_type, file_name, size_bytes, body, created_at_us) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING";
pub(crate) const BY_HASH: &str = "SELECT sha256, media_type, file_name, size_bytes, body, \
     created_at_us FROM document WHERE sha256 = $1";
pub(crate) const AFTER: &str = "SELECT sha256, media_type, file_name, size_bytes, body, \
     created_at_us FROM document WHERE sha256 > $1 ORDER BY sha256 LIMIT $2";

/// Decodes a row of `BY_HASH` or `AFTER` (either backend).
pub(crate) fn from_row(row: &impl Columns) -> Result<Document> {
    let text =
        |column: &str| -> Result<String> { Ok(row.text(column)?.unwrap_or_default().to_owned()) };
    let sha256 = text("sha256")?;
    Ok(Document {
        meta: DocumentRef {
            uri: format!("{DOCUMENT_URI_PREFIX}{sha256}"),
            sha256,
            media_type: text("media_type")?,
            file_name: text("file_name")?,
            size_bytes: rows::int(row, "size_bytes")? as u64,
            created_at: crate::from_us(rows::int(row, "created_at_us")?),
        },
        body: row.bytes("body")?.to_vec(),
    })
}
