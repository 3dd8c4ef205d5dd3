//! Capture, written once for both backends: stamp the events, find the new ones, number
//! them, write them and their identifiers, all in one write transaction.
//!
//! Idempotence is by (eventID, declaration): the store asks which keys of a batch are
//! committed before writing it, on another connection while the previous batch is written.
//! That is safe because every writer holds the backend's write lock (SQLite `BEGIN
//! IMMEDIATE`, a PostgreSQL advisory lock) for its whole transaction, so nothing else
//! commits meanwhile, and the capture remembers the keys it took itself. It lets the
//! store number events itself, in document order and commit order, so that
//! a follower's cursor (`events_after`) never skips an event committed late.

use std::borrow::Cow;
use std::collections::HashSet;

use jiff::Timestamp;
use lotrace_epcis::{Event, Time};

use crate::chain;
use crate::master::{self, CounterStep};
use crate::rows::EventRow;
use crate::writer::Writer;
use crate::{CaptureJob, CaptureReceipt, Result, StoreError, from_us, to_us};

/// Events prepared between two chances for the concurrent write to make progress.
const PREPARE_SLICE_EVENTS: usize = 200;

/// Stores `events` as one capture job through `writer`, which holds the write lock.
pub(crate) async fn capture(
    mut writer: Writer,
    mut events: Vec<Event>,
    source: &str,
    counter_steps: &[CounterStep],
) -> Result<CaptureReceipt> {
    master::advance(&mut writer, counter_steps).await?;
    // Stored times have microsecond precision; use the stored value everywhere.
    let now = from_us(to_us(Timestamp::now()));
    let generated = stamp(&mut events, now);
    let mut job = CaptureJob {
        id: uuid::Uuid::now_v7().to_string(),
        created_at: now,
        finished_at: Some(now),
        running: false,
        success: true,
        capture_error_behaviour: "rollback".into(),
        source: source.into(),
        events_read: events.len() as u64,
        events_stored: 0,
        events_already_present: 0,
        errors: Vec::new(),
    };
    writer.insert_jobs(std::slice::from_ref(&job)).await?;

    // The link the first new event chains to; the write lock keeps it the head until commit.
    let (mut next_seq, mut chain) = writer.log_head().await?;
    let mut is_new = vec![false; events.len()];
    // Keys already taken by this capture: a repeat later in the document is skipped here,
    // since the batch before it may not be written yet when its batch is checked.
    let mut seen: HashSet<(&str, bool)> = HashSet::with_capacity(events.len());
    let batch = writer.batch_events();
    // Lookups run on connections of their own, beside the write of the previous batch.
    let mut committed = writer.committed().await?;
    let mut sink = writer.event_sink();
    let streamed = async {
        // Rows of the previous batch, written while this batch is prepared: the database
        // works (on SQLite's worker thread, in PostgreSQL's server process) while this
        // thread serialises bodies and canonicalises identifiers.
        let mut ready: Vec<EventRow<'_>> = Vec::new();
        for (index, ((chunk, flags), generated)) in events
            .chunks(batch)
            .zip(is_new.chunks_mut(batch))
            .zip(generated.chunks(batch))
            .enumerate()
        {
            let ids: Vec<&str> = chunk.iter().map(event_id).collect();
            let prepare = async {
                // Keys written earlier in this capture are in `seen`, not yet committed.
                let present = committed.existing(&ids).await?;
                let mut rows = Vec::with_capacity(chunk.len());
                for (part, ((events, flags), generated)) in chunk
                    .chunks(PREPARE_SLICE_EVENTS)
                    .zip(flags.chunks_mut(PREPARE_SLICE_EVENTS))
                    .zip(generated.chunks(PREPARE_SLICE_EVENTS))
                    .enumerate()
                {
                    rows.extend(new_rows(
                        events,
                        index * batch + part * PREPARE_SLICE_EVENTS,
                        &present,
                        &mut seen,
                        &mut next_seq,
                        &mut chain,
                        (&job.id, source),
                        to_us(now),
                        generated,
                        flags,
                    )?);
                    // Lets the write beside it send its next buffer (PostgreSQL's COPY data).
                    tokio::task::yield_now().await;
                }
                Ok::<_, StoreError>(rows)
            };
            let (written, rows) = tokio::join!(sink.send(std::mem::take(&mut ready)), prepare);
            written?;
            ready = rows?;
        }
        sink.send(ready).await
    }
    .await;
    sink.close(streamed).await?;

    job.events_stored = is_new.iter().filter(|&&n| n).count() as u64;
    job.events_already_present = job.events_read - job.events_stored;
    writer.finish_job(&job).await?;
    writer.commit(job.events_stored).await?;

    let stored = events
        .into_iter()
        .zip(is_new)
        .filter_map(|(event, new)| new.then_some(event))
        .collect();
    Ok(CaptureReceipt { job, stored })
}

/// Fills in what the store adds: an eventID where there is none, and the recordTime.
/// Returns which events got their eventID here: it is their event hash ID.
fn stamp(events: &mut [Event], now: Timestamp) -> Vec<bool> {
    let record_time = Time::from_instant(now);
    let mut generated = vec![false; events.len()];
    for (event, generated) in events.iter_mut().zip(&mut generated) {
        if event.event_id.is_none() {
            event.event_id = Some(content_event_id(event));
            *generated = true;
        }
        event.record_time = Some(record_time.clone());
    }
    generated
}

fn event_id(event: &Event) -> &str {
    event.event_id.as_deref().unwrap_or_default()
}

/// The rows for the events of `chunk` whose key is neither stored (`present`) nor taken
/// earlier in the capture (`seen`), numbered from `next_seq` and linked to the hash chain
/// after `chain` in document order; marks them in `is_new`. `first_index` is the chunk's
/// offset in the capture, for error messages; `generated` tells the events whose eventID is
/// their event hash ID already.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn new_rows<'a>(
    chunk: &'a [Event],
    first_index: usize,
    present: &Present,
    seen: &mut HashSet<(&'a str, bool)>,
    next_seq: &mut i64,
    chain: &mut [u8; 32],
    (capture_id, source): (&'a str, &str),
    record_time_us: i64,
    generated: &[bool],
    is_new: &mut [bool],
) -> Result<Vec<EventRow<'a>>> {
    let mut rows = Vec::with_capacity(chunk.len());
    for (offset, event) in chunk.iter().enumerate() {
        let id = event_id(event);
        let declaration = event.error_declaration.is_some();
        if present.contains(id, declaration) || !seen.insert((id, declaration)) {
            continue;
        }
        is_new[offset] = true;
        let seq = *next_seq;
        *next_seq += 1;
        // Canonicalising is the costly part of preparing an event: once per identifier.
        let identifiers = event.identifiers();
        let body = serde_json::to_string(event).map_err(|e| StoreError::InvalidEvent {
            index: first_index + offset,
            reason: e.to_string(),
        })?;
        let computed;
        let hash_id = if generated[offset] {
            id
        } else {
            computed = lotrace_epcis::event_hash_id(event);
            &computed
        };
        *chain = chain::link(
            chain,
            &chain::Link {
                seq,
                record_time_us,
                event_id: id,
                declaration,
                hash_id,
                capture_id,
                source: Some(source),
            },
        );
        rows.push(EventRow {
            seq,
            event_id: Cow::Borrowed(id),
            declaration,
            event_type: Cow::Borrowed(event.event_type.as_str()),
            event_time_us: to_us(event.event_time.instant),
            tz_offset_min: i32::from(event.event_time_zone_offset.minutes),
            record_time_us,
            action: event.action.map(|a| Cow::Borrowed(a.as_str())),
            // The bare CBV word, whichever spelling was captured, so that one query finds all.
            biz_step: event
                .biz_step
                .as_deref()
                .map(|s| Cow::Borrowed(lotrace_epcis::cbv::BUSINESS_STEPS.bare(s).unwrap_or(s))),
            capture_id: Cow::Borrowed(capture_id),
            body,
            identifiers,
            chain_hash: *chain,
        });
    }
    Ok(rows)
}

/// The keys of a batch that are already stored, probed by `&str` without allocating.
#[derive(Debug, Default)]
pub(crate) struct Present {
    events: HashSet<String>,
    declarations: HashSet<String>,
}

impl Present {
    pub fn insert(&mut self, event_id: String, declaration: bool) {
        if declaration {
            self.declarations.insert(event_id);
        } else {
            self.events.insert(event_id);
        }
    }

    pub fn contains(&self, event_id: &str, declaration: bool) -> bool {
        if declaration {
            self.declarations.contains(event_id)
        } else {
            self.events.contains(event_id)
        }
    }
}

/// A deterministic eventID for an event captured without one: its CBV 2.0 event hash ID
/// (`ni:///sha-256;…?ver=CBV2.0`), which does not depend on how the event was written (JSON-LD
/// or XML, key order, identifier spelling), so that capturing the same event again finds it.
fn content_event_id(event: &Event) -> String {
    lotrace_epcis::event_hash_id(event)
}
