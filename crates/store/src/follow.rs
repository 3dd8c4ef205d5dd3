//! Following the log from another task or process: wait for events after a position.

use std::time::Duration;

use tokio::time::Instant;

use crate::{Backend, Result, Store};

/// How often a follower re-reads the last log position when no wake-up came: the delay for
/// captures by other processes on SQLite, and a backstop for lost notifications on PostgreSQL.
pub const FOLLOW_POLL_INTERVAL_MS: u64 = 250;

pub(crate) async fn wait_for_new_events(store: &Store, seq: i64, timeout: Duration) -> Result<i64> {
    let deadline = Instant::now() + timeout;
    loop {
        let committed = match &store.backend {
            Backend::Sqlite(b) => b.committed(),
            Backend::Postgres(b) => b.committed().await?,
        };
        // Registered before reading the position, so a commit in between still wakes us.
        let woken = committed.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let last = store.max_seq().await?;
        let now = Instant::now();
        if last > seq || now >= deadline {
            return Ok(last);
        }
        let nap = (deadline - now).min(Duration::from_millis(FOLLOW_POLL_INTERVAL_MS));
        let _ = tokio::time::timeout(nap, woken).await;
    }
}
