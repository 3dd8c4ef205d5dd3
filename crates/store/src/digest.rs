//! A digest of the event log, to tell that two stores (a copy, a backup) hold the same
//! events at the same positions, whatever backend each uses.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store};

/// SHA-256 over every event in log order: its position, capture ID and JSON body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogDigest {
    pub events: u64,
    /// The last position included (0 for an empty log).
    pub max_seq: i64,
    /// Lowercase hex.
    pub digest: String,
}

pub(crate) async fn log_digest(store: &Store, up_to_seq: Option<i64>) -> Result<LogDigest> {
    let mut hasher = Sha256::new();
    let mut events = 0u64;
    let mut max_seq = 0i64;
    let limit = up_to_seq.unwrap_or(i64::MAX);
    store
        .for_each_event(|stored| {
            if stored.seq > limit {
                return Ok(());
            }
            let body =
                serde_json::to_vec(&stored.event).map_err(|e| crate::StoreError::Corrupt {
                    seq: stored.seq,
                    reason: e.to_string(),
                })?;
            hasher.update(stored.seq.to_le_bytes());
            hasher.update((stored.capture_id.len() as u64).to_le_bytes());
            hasher.update(stored.capture_id.as_bytes());
            hasher.update((body.len() as u64).to_le_bytes());
            hasher.update(&body);
            events += 1;
            max_seq = stored.seq;
            Ok(())
        })
        .await?;
    Ok(LogDigest {
        events,
        max_seq,
        digest: hex::encode(hasher.finalize()),
    })
}
