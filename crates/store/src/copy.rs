//! Copying a whole store into another, of either backend (`lotrace migrate-store`).
//!
//! Rows are copied as stored: log positions, capture IDs and bodies, every version of every
//! master record, counters, named queries, subscriptions (with their delivery positions)
//! and capture reports stay exactly what they were, so a follower's cursor and every capture job's link stay valid in the copy.
//! So do users, API tokens, web sessions, the audit trail (with its positions), BOM
//! versions and production orders (`copy_rows.rs`). The
//! identifier index is rebuilt from the bodies, as a capture builds it (each backend keeps
//! it in its own shape), so it is in the current canonical forms.

use serde::Serialize;

use crate::rows;
use crate::{Result, Store, StoreCounts, StoreError, dispatch};

/// Rows read from the source per round trip.
const COPY_BATCH_ROWS: u32 = 5_000;
/// Documents read per round trip: each may be up to `MAX_DOCUMENT_BYTES`.
const COPY_DOCUMENT_ROWS: u32 = 8;

/// Where a copy stands, reported after every batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyProgress {
    /// Rows written so far; `max_seq` is the last log position copied; `identifiers` counts
    /// the index entries rebuilt.
    pub copied: StoreCounts,
    /// The source's counts when the copy began.
    pub total: StoreCounts,
}

/// The counts on both sides once the copy has committed. Events, capture jobs and
/// `max_seq` are equal, or `copy_to` fails; `identifiers` may differ where the source was
/// indexed under older canonical forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyReport {
    pub source: StoreCounts,
    pub target: StoreCounts,
}

pub(crate) async fn copy_to(
    source: &Store,
    target: &Store,
    mut progress: impl FnMut(CopyProgress),
) -> Result<CopyReport> {
    let existing = target.counts().await?;
    if existing != StoreCounts::default() {
        return Err(StoreError::TargetNotEmpty {
            counts: Box::new(existing),
        });
    }
    let total = source.counts().await?;
    let mut copied = StoreCounts::default();
    let mut writer = target.begin_write().await?;

    // Jobs first: events refer to them.
    let mut after_job = String::new();
    loop {
        let jobs = dispatch!(source, b => b.jobs_after(&after_job, COPY_BATCH_ROWS).await)?;
        let Some(last) = jobs.last() else { break };
        after_job = last.id.clone();
        writer.insert_jobs(&jobs).await?;
        copied.capture_jobs += jobs.len() as u64;
        progress(CopyProgress { copied, total });
    }

    // Every version of every master record, in order, so the current ones come out last.
    let mut after_master = (String::new(), String::new(), 0u64);
    loop {
        let versions = dispatch!(source, b => b.master_history_after(
            (&after_master.0, &after_master.1, after_master.2),
            COPY_BATCH_ROWS,
        ).await)?;
        let Some(last) = versions.last() else { break };
        after_master = (last.kind.clone(), last.code.clone(), last.version);
        for record in &versions {
            writer.write_master(record).await?;
            // Every record starts at version 1.
            copied.master_records += u64::from(record.version == 1);
        }
        copied.master_versions += versions.len() as u64;
        progress(CopyProgress { copied, total });
    }
    let mut after_document = String::new();
    loop {
        let documents =
            dispatch!(source, b => b.documents_after(&after_document, COPY_DOCUMENT_ROWS).await)?;
        let Some(last) = documents.last() else { break };
        after_document = last.meta.sha256.clone();
        for document in &documents {
            writer.put_document(document).await?;
        }
        copied.documents += documents.len() as u64;
        progress(CopyProgress { copied, total });
    }
    for kind in [crate::JournalKind::Recall, crate::JournalKind::Drill] {
        let like = format!("{}-%", kind.prefix());
        let mut after = (String::new(), 0u32);
        loop {
            let entries = dispatch!(source, b => b.recall_entries_after(
                (&after.0, after.1), &like, COPY_BATCH_ROWS,
            ).await)?;
            let Some(last) = entries.last() else { break };
            after = (last.recall_id.clone(), last.seq);
            for entry in &entries {
                writer
                    .insert_recall_entry(entry, &entry.body.to_string())
                    .await?;
            }
            copied.recall_entries += entries.len() as u64;
            progress(CopyProgress { copied, total });
        }
    }
    // The query interface's rows: named queries, their subscriptions (with the log position
    // each has delivered up to, which the copy keeps), what proceed captures rejected.
    let mut after = String::new();
    loop {
        let rows = source.named_queries_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.name.clone();
        for q in &rows {
            writer.insert_named_query(q).await?;
        }
        copied.named_queries += rows.len() as u64;
        progress(CopyProgress { copied, total });
    }
    let mut after = String::new();
    loop {
        let rows = source.subscriptions_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        for s in &rows {
            writer.insert_subscription(s).await?;
        }
        copied.subscriptions += rows.len() as u64;
        progress(CopyProgress { copied, total });
    }
    let mut after = String::new();
    loop {
        let rows = source
            .capture_reports_after(&after, COPY_BATCH_ROWS)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.capture_id.clone();
        for r in &rows {
            writer.insert_capture_report(r).await?;
        }
        copied.capture_reports += rows.len() as u64;
        progress(CopyProgress { copied, total });
    }
    copy_access_and_bom(source, &mut writer, &mut copied, total, &mut progress).await?;
    for (name, value) in dispatch!(source, b => b.counters().await)? {
        writer.set_counter(&name, value).await?;
        copied.counters += 1;
    }

    // Events with their chain hashes as stored, each link checked on the way: a copy of a
    // store whose chain does not verify is refused.
    let mut chain = crate::chain::Walker::new();
    let mut sink = writer.event_sink();
    let written = async {
        let mut after_seq = 0;
        loop {
            let batch =
                dispatch!(source, b => b.chain_rows_after(after_seq, COPY_BATCH_ROWS).await)?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after_seq = last.row.seq;
            let mut rows = Vec::with_capacity(batch.len());
            for mut row in batch {
                let event = rows::index_from_body(&mut row.row)?;
                row.row.chain_hash = chain
                    .check(&row, Ok(&event))
                    .map_err(StoreError::ChainBroken)?;
                copied.identifiers += row.row.identifiers.len() as u64;
                rows.push(row.row);
            }
            copied.events += rows.len() as u64;
            copied.max_seq = after_seq;
            sink.send(rows).await?;
            progress(CopyProgress { copied, total });
        }
    }
    .await;
    sink.close(written).await?;

    // Compare before committing: a source that changed under the copy leaves no copy behind.
    let copy_counts = writer.counts().await?;
    let source_counts = source.counts().await?;
    // The index is rebuilt, so its size may differ where canonical forms have changed since
    // the source was indexed; events, jobs and positions must match exactly.
    let differs = |a: &StoreCounts, b: &StoreCounts| {
        let exact = |c: &StoreCounts| {
            (
                c.events,
                c.capture_jobs,
                c.max_seq,
                c.master_records,
                c.master_versions,
                c.counters,
                c.documents,
                c.recall_entries,
                (c.named_queries, c.subscriptions, c.capture_reports),
                (c.users, c.api_tokens, c.sessions, c.audit_entries),
                (c.bom_versions, c.production_orders),
            )
        };
        exact(a) != exact(b)
    };
    if differs(&copy_counts, &source_counts) {
        return Err(StoreError::CopyMismatch {
            source_counts: Box::new(source_counts),
            copy_counts: Box::new(copy_counts),
        });
    }
    // The copy's chain is the source's: the same head, as the copy itself stores it.
    let (_, head) = writer.log_head().await?;
    let expected = chain.report(None);
    if copy_counts.events > 0 && hex::encode(head) != expected.head {
        return Err(StoreError::CopyMismatch {
            source_counts: Box::new(source_counts),
            copy_counts: Box::new(copy_counts),
        });
    }
    writer.commit(copy_counts.events).await?;
    Ok(CopyReport {
        source: source_counts,
        target: target.counts().await?,
    })
}

/// Users, API tokens, web sessions, the audit trail, BOM versions and production orders,
/// each in key order, a page at a time.
async fn copy_access_and_bom(
    source: &Store,
    writer: &mut crate::writer::Writer,
    copied: &mut StoreCounts,
    total: StoreCounts,
    progress: &mut impl FnMut(CopyProgress),
) -> Result<()> {
    let mut after = String::new();
    loop {
        let rows = source.users_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.name.clone();
        for u in &rows {
            writer.insert_user(u).await?;
        }
        copied.users += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    let mut after = String::new();
    loop {
        let rows = source.tokens_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.token.id.clone();
        for t in &rows {
            writer.insert_token(t).await?;
        }
        copied.api_tokens += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    let mut after = String::new();
    loop {
        let rows = source.sessions_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.id_sha256.clone();
        for s in &rows {
            writer.insert_session(s).await?;
        }
        copied.sessions += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    let mut after_seq = 0;
    loop {
        let rows = source.audit_after(after_seq, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after_seq = last.entry.seq;
        for a in &rows {
            writer.insert_audit(a).await?;
        }
        copied.audit_entries += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    writer.finish_audit_copy(after_seq).await?;
    let mut after = (String::new(), 0u64);
    loop {
        let rows = source
            .bom_versions_after((&after.0, after.1), COPY_BATCH_ROWS)
            .await?;
        let Some(last) = rows.last() else { break };
        after = (last.code.clone(), last.version);
        for b in &rows {
            writer.insert_bom_version(b).await?;
        }
        copied.bom_versions += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    let mut after = String::new();
    loop {
        let rows = source.orders_after(&after, COPY_BATCH_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        for o in &rows {
            writer.insert_order(o).await?;
        }
        copied.production_orders += rows.len() as u64;
        progress(CopyProgress {
            copied: *copied,
            total,
        });
    }
    Ok(())
}
