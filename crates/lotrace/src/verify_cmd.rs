//! `lotrace verify [--json]`: walks the hash chain of the event log and names the first
//! event that does not match, then the chain of the audit trail and names the first audit
//! row that does not match. Exit code 1 when either is broken.

use anyhow::{Context, Result, bail};
use lotrace_store::{Location, Store};
use serde_json::json;

pub async fn run(location: &Location, as_json: bool) -> Result<()> {
    let store = Store::open(location)
        .await
        .with_context(|| format!("cannot open the database {location}"))?;
    let report = store.verify_chain().await;
    let audit = store.verify_audit_chain().await;
    store.close().await;
    let report = report.with_context(|| format!("cannot read the event log of {location}"))?;
    let audit = audit.with_context(|| format!("cannot read the audit trail of {location}"))?;
    if as_json {
        println!(
            "{}",
            json!({ "ok": report.ok() && audit.ok(), "chain": report, "audit": audit })
        );
    } else if let Some(broken) = &report.broken {
        println!(
            "FAILED: the hash chain of {location} breaks at log position {} (eventID {})\n  \
             {}\n  expected chain hash {}\n  stored chain hash   {}\n  \
             the {} event(s) before it verify; head before the break: {} at position {}",
            broken.seq,
            broken.event_id,
            broken.reason,
            broken.expected.as_deref().unwrap_or("(cannot be computed)"),
            broken.stored.as_deref().unwrap_or("(none)"),
            report.events,
            if report.head.is_empty() {
                "(none)"
            } else {
                &report.head
            },
            report.head_seq,
        );
    } else if report.events == 0 {
        println!("OK: the event log of {location} is empty");
    } else {
        println!(
            "OK: {} events verify; chain head {} at log position {}",
            report.events, report.head, report.head_seq
        );
    }
    if !as_json {
        print_audit(location, &audit);
    }
    if let Some(broken) = &report.broken {
        bail!(
            "the event log does not verify: the first event that does not match is at log \
             position {} (eventID {})",
            broken.seq,
            broken.event_id
        );
    }
    if let Some(broken) = &audit.broken {
        bail!(
            "the audit trail does not verify: the first row that does not match is audit \
             entry {} ({} {})",
            broken.seq,
            broken.actor,
            broken.path
        );
    }
    Ok(())
}

fn print_audit(location: &Location, audit: &lotrace_store::AuditChainReport) {
    if let Some(broken) = &audit.broken {
        println!(
            "FAILED: the audit trail of {location} breaks at audit entry {} (actor {}, path {})\n  \
             {}\n  expected chain hash {}\n  stored chain hash   {}\n  \
             the {} audit entries before it verify",
            broken.seq,
            broken.actor,
            broken.path,
            broken.reason,
            broken.expected,
            broken.stored.as_deref().unwrap_or("(none)"),
            audit.entries,
        );
    } else if audit.entries == 0 {
        println!("OK: the audit trail is empty");
    } else {
        println!(
            "OK: {} audit entries verify; audit chain head {} at entry {}",
            audit.entries, audit.head, audit.head_seq
        );
    }
}
