//! `lotrace migrate-store` and `lotrace backup`: whole-store copies, each verified before
//! it is reported done.

use std::path::Path;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use lotrace_store::{Location, Store};
use serde_json::json;

async fn open(location: &Location) -> Result<Store> {
    Store::open(location)
        .await
        .with_context(|| format!("cannot open the database {location}"))
}

/// Copies the whole store at `from` into the empty store at `to`, then checks that both
/// hold the same log: the same counts, and the same digest of every event in log order.
pub async fn migrate_store(from: &Location, to: &Location, as_json: bool) -> Result<()> {
    if from.to_string() == to.to_string() {
        bail!("--from and --to name the same database ({from})");
    }
    let source = open(from).await?;
    let target = open(to).await?;
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} copying [{bar:30}] {pos}/{len} events {msg}")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    let report = source
        .copy_to(&target, |p| {
            progress.set_length(p.total.events);
            progress.set_position(p.copied.events);
        })
        .await
        .with_context(|| format!("copying {from} to {to}; nothing was copied"))?;
    progress.set_message("verifying");
    let source_digest = source.log_digest(None).await?;
    let target_digest = target.log_digest(None).await?;
    progress.finish_and_clear();
    if source_digest != target_digest {
        bail!(
            "the copy in {to} holds other events than {from} (log digest {} against {}); \
             do not use it",
            target_digest.digest,
            source_digest.digest
        );
    }
    source.close().await;
    target.close().await;
    if as_json {
        println!(
            "{}",
            json!({ "from": from.to_string(), "to": to.to_string(), "source": report.source,
                    "target": report.target, "logDigest": target_digest })
        );
    } else {
        println!(
            "copied {} events and {} capture jobs from {from} to {to}; verified: equal counts \
             and log digest {}",
            report.target.events, report.target.capture_jobs, target_digest.digest
        );
    }
    Ok(())
}

/// An online, consistent backup of a SQLite store into the new file `dest`.
pub async fn backup(location: &Location, dest: &Path, as_json: bool) -> Result<()> {
    let store = open(location).await?;
    let report = store
        .backup_sqlite(dest)
        .await
        .with_context(|| format!("backing up {location} to {}", dest.display()))?;
    let copy = open(&Location::parse(&dest.display().to_string())?).await?;
    // Captures may go on during the backup: the copy must equal the log up to its last event.
    let copied = copy.log_digest(None).await?;
    let original = store.log_digest(Some(copied.max_seq)).await?;
    copy.close().await;
    store.close().await;
    if original != copied {
        bail!(
            "the backup {} does not match the start of the log; do not use it",
            dest.display()
        );
    }
    if as_json {
        println!("{}", json!({ "backup": report, "logDigest": copied }));
    } else {
        println!(
            "backed up {} events ({} bytes) to {}; verified (log digest {})",
            report.counts.events,
            report.bytes,
            dest.display(),
            copied.digest
        );
    }
    Ok(())
}
