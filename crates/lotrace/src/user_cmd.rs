//! `lotrace user add|list|disable|enable`, `lotrace token create|list|revoke`,
//! `lotrace audit`, and the first-run admin of `lotrace serve` (`LOTRACE_ADMIN_PASSWORD`).

use std::io::{BufRead, Write};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use lotrace_store::{AuditFilter, Location, Store};
use serde_json::json;

/// Where `user add` reads the password when stdin is not used.
pub const PASSWORD_ENV: &str = "LOTRACE_PASSWORD";
/// `lotrace serve` with no users creates `admin` with this password.
pub const ADMIN_PASSWORD_ENV: &str = "LOTRACE_ADMIN_PASSWORD";

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user. The password comes from LOTRACE_PASSWORD, else the first line of stdin.
    Add {
        name: String,
        /// viewer, operator, quality or admin.
        #[arg(long)]
        role: String,
    },
    /// Every user with role and status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a user (ends the user's sessions; the name stays in the audit trail).
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make an API token and print its secret, once.
    Create {
        #[arg(long)]
        name: String,
        /// read, capture or admin.
        #[arg(long)]
        scope: String,
        /// A party code: the token then sees only events that name that party's
        /// identifiers (source/destination, business location, read point).
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every token (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id (tok_…) or name.
    Revoke { id_or_name: String },
}

#[derive(clap::Args)]
pub struct AuditArgs {
    /// At or after this time (RFC 3339, or a date: midnight UTC).
    #[arg(long)]
    from: Option<String>,
    /// Before this time.
    #[arg(long)]
    to: Option<String>,
    /// Only this user or token.
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    json: bool,
    /// CSV (RFC 4180) instead of text.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

async fn open(location: &Location) -> Result<Store> {
    Store::open(location)
        .await
        .with_context(|| format!("cannot open the database {location}"))
}

/// The password for `user add`: LOTRACE_PASSWORD, else the first line of stdin.
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password: set {PASSWORD_ENV} or give it as the first line of stdin");
    }
    Ok(password)
}

pub async fn user(location: &Location, command: UserCommand) -> Result<()> {
    let store = open(location).await?;
    let result = match command {
        UserCommand::Add { name, role } => {
            let password = read_password()?;
            let user = lotrace_server::auth::add_user(&store, &name, &role, &password).await?;
            println!("added user {} ({})", user.name, user.role);
            Ok(())
        }
        UserCommand::List { json } => {
            let users = store.users().await?;
            if json {
                println!("{}", serde_json::to_string(&users)?);
            } else if users.is_empty() {
                println!("no users: the server runs open on loopback addresses only");
            } else {
                for u in users {
                    println!(
                        "{:<24} {:<9} {}",
                        u.name,
                        u.role,
                        if u.disabled { "disabled" } else { "active" }
                    );
                }
            }
            Ok(())
        }
        UserCommand::Disable { name } => set_disabled(&store, &name, true).await,
        UserCommand::Enable { name } => set_disabled(&store, &name, false).await,
    };
    store.close().await;
    result
}

async fn set_disabled(store: &Store, name: &str, disabled: bool) -> Result<()> {
    if !store.set_user_disabled(name, disabled).await? {
        bail!("no user {name:?}");
    }
    println!(
        "user {name} {}",
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}

pub async fn token(location: &Location, command: TokenCommand) -> Result<()> {
    let store = open(location).await?;
    let result = match command {
        TokenCommand::Create {
            name,
            scope,
            partner,
            json,
        } => {
            let (token, secret) = lotrace_server::auth::create_token(
                &store,
                &name,
                &scope,
                partner.as_deref(),
                "cli",
            )
            .await?;
            if json {
                println!("{}", json!({ "token": token, "secret": secret }));
            } else {
                println!(
                    "token {} ({}), scope {}{}",
                    token.name,
                    token.id,
                    token.scope,
                    token
                        .partner
                        .as_deref()
                        .map(|p| format!(", partner {p}"))
                        .unwrap_or_default()
                );
                println!("{secret}");
                eprintln!(
                    "This secret is shown once; send it as `Authorization: Bearer <secret>`."
                );
            }
            Ok(())
        }
        TokenCommand::List { json } => {
            let tokens = store.tokens().await?;
            if json {
                println!("{}", serde_json::to_string(&tokens)?);
            } else {
                for t in tokens {
                    println!(
                        "{:<18} {:<24} {:<8} {:<12} {}",
                        t.id,
                        t.name,
                        t.scope,
                        t.partner.as_deref().unwrap_or("-"),
                        t.revoked_at
                            .map_or_else(|| "active".to_owned(), |at| format!("revoked {at}"))
                    );
                }
            }
            Ok(())
        }
        TokenCommand::Revoke { id_or_name } => match store.revoke_token(&id_or_name).await? {
            Some(t) => {
                println!("token {} ({}) revoked", t.name, t.id);
                Ok(())
            }
            None => Err(anyhow::anyhow!("no token {id_or_name:?}")),
        },
    };
    store.close().await;
    result
}

fn instant(field: &str, text: &str) -> Result<jiff::Timestamp> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date = text.parse().with_context(|| {
        format!("--{field}: {text:?} is not an RFC 3339 time or a date (YYYY-MM-DD)")
    })?;
    Ok(date.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

pub async fn audit(location: &Location, args: AuditArgs) -> Result<()> {
    let store = open(location).await?;
    let mut filter = AuditFilter {
        from: args
            .from
            .as_deref()
            .map(|t| instant("from", t))
            .transpose()?,
        to: args.to.as_deref().map(|t| instant("to", t)).transpose()?,
        actor: args.user.clone(),
        ..AuditFilter::default()
    };
    let mut entries = Vec::new();
    loop {
        let page = store.audit_entries(&filter).await?;
        let Some(last) = page.last() else { break };
        filter.after_seq = last.seq;
        entries.extend(page);
    }
    store.close().await;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json!({ "entries": entries }))?;
    } else if args.csv {
        out.write_all(&lotrace_server::auth::audit_csv(&entries)?)?;
    } else {
        for e in &entries {
            writeln!(
                out,
                "{} {:<16} {:<8} {:<6} {} {} {}",
                e.at, e.actor, e.role, e.method, e.path, e.status, e.summary
            )?;
        }
    }
    Ok(())
}

/// `lotrace serve`'s first run: with no users and LOTRACE_ADMIN_PASSWORD set, creates the
/// user `admin` (role admin) with that password.
pub async fn first_run(store: &Store) -> Result<()> {
    let Ok(password) = std::env::var(ADMIN_PASSWORD_ENV) else {
        return Ok(());
    };
    if store.user_count().await? > 0 {
        tracing::info!("{ADMIN_PASSWORD_ENV} is set but users exist already: ignored");
        return Ok(());
    }
    lotrace_server::auth::add_user(store, "admin", "admin", &password)
        .await
        .with_context(|| format!("{ADMIN_PASSWORD_ENV}: cannot create the user admin"))?;
    eprintln!(
        "created the user admin (role admin) from {ADMIN_PASSWORD_ENV}: authentication is on"
    );
    Ok(())
}
