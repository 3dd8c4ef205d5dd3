//! Users, API tokens, web sessions and the audit trail on both backends.

mod common;

use common::TestStore;
use lotrace_store::{AuditFilter, NewAuditEntry, NewToken, StoreError};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

async fn users_are_kept_and_disabled(t: TestStore) {
    let store = &t.store;
    assert_eq!(store.user_count().await.unwrap(), 0);
    let alice = store.create_user("alice", "quality", HASH).await.unwrap();
    assert_eq!(alice.role, "quality");
    store.create_user("bob", "viewer", HASH).await.unwrap();
    assert!(matches!(
        store.create_user("alice", "admin", HASH).await,
        Err(StoreError::AuthExists { kind: "user", .. })
    ));
    let e = store
        .create_user("al ice", "admin", HASH)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("user name"), "{e}");
    let e = store.create_user("", "admin", HASH).await.unwrap_err();
    assert!(e.to_string().contains("1 to 64"), "{e}");
    assert_eq!(store.user_count().await.unwrap(), 2);
    let names: Vec<_> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.name, u.role, u.disabled))
        .collect();
    assert_eq!(
        names,
        [
            ("alice".to_owned(), "quality".to_owned(), false),
            ("bob".to_owned(), "viewer".to_owned(), false)
        ]
    );
    assert_eq!(
        store.user("alice").await.unwrap().unwrap().password_hash,
        HASH
    );

    // A session lives until it expires or its user is disabled.
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    store.create_session(&sha(1), "alice", later).await.unwrap();
    let s = store.session(&sha(1)).await.unwrap().unwrap();
    assert_eq!(s.user.name, "alice");
    assert_eq!(s.expires_at.as_microsecond(), later.as_microsecond());
    store.touch_session(&sha(1)).await.unwrap();
    assert!(store.session(&sha(2)).await.unwrap().is_none());
    assert!(store.set_user_disabled("alice", true).await.unwrap());
    assert!(store.session(&sha(1)).await.unwrap().is_none());
    assert!(store.user("alice").await.unwrap().unwrap().disabled);
    assert!(!store.set_user_disabled("nobody", true).await.unwrap());
    assert!(store.set_user_disabled("alice", false).await.unwrap());
    // Disabling ended the session for good; enabling does not bring it back.
    assert!(store.session(&sha(1)).await.unwrap().is_none());

    // An expired session is not answered; a new password ends the sessions.
    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
    store.create_session(&sha(3), "bob", past).await.unwrap();
    assert!(store.session(&sha(3)).await.unwrap().is_none());
    store.create_session(&sha(4), "bob", later).await.unwrap();
    assert!(
        store
            .update_user("bob", Some("operator"), None)
            .await
            .unwrap()
    );
    let bob = store.session(&sha(4)).await.unwrap().unwrap().user;
    assert_eq!(bob.role, "operator");
    assert!(
        store
            .update_user("bob", None, Some("$argon2id$other"))
            .await
            .unwrap()
    );
    assert!(store.session(&sha(4)).await.unwrap().is_none());
    assert!(store.delete_session(&sha(4)).await.is_ok());
}

async fn tokens_are_found_by_hash_and_revoked(t: TestStore) {
    let store = &t.store;
    let new = NewToken {
        id: "tok_0001",
        name: "erp",
        scope: "capture",
        partner: None,
        secret_sha256: &sha(7),
        created_by: "admin",
    };
    let created = store.create_token(&new).await.unwrap();
    assert_eq!(created.revoked_at, None);
    store
        .create_token(&NewToken {
            id: "tok_0002",
            name: "farm",
            scope: "read",
            partner: Some("FARM"),
            secret_sha256: &sha(8),
            created_by: "admin",
        })
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_token(&NewToken {
                id: "tok_0003",
                ..new.clone()
            })
            .await,
        Err(StoreError::AuthExists { kind: "token", .. })
    ));
    let e = store
        .create_token(&NewToken {
            id: "tok_0004",
            name: "short",
            secret_sha256: "abc",
            ..new.clone()
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("64 hex digits"), "{e}");

    let found = store
        .token_by_secret_sha256(&sha(8))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.name.as_str(), found.partner.as_deref()),
        ("farm", Some("FARM"))
    );
    assert!(
        store
            .token_by_secret_sha256(&sha(9))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.tokens().await.unwrap().len(), 2);

    let revoked = store.revoke_token("erp").await.unwrap().unwrap();
    let at = revoked.revoked_at.expect("revoked");
    let again = store.revoke_token("tok_0001").await.unwrap().unwrap();
    assert_eq!(
        again.revoked_at,
        Some(at),
        "the first revocation time stays"
    );
    assert!(store.revoke_token("nothing").await.unwrap().is_none());
    let found = store
        .token_by_secret_sha256(&sha(7))
        .await
        .unwrap()
        .unwrap();
    assert!(found.revoked_at.is_some());
}

async fn audit_entries_are_appended_and_filtered(t: TestStore) {
    let store = &t.store;
    let entry = |actor: &'static str, path: &'static str| NewAuditEntry {
        actor,
        actor_kind: "user",
        role: "operator",
        method: "POST",
        path,
        status: 201,
        summary: "captureID=abc",
        address: Some("127.0.0.1"),
    };
    let first = store
        .append_audit(&entry("alice", "/api/v1/ops/receive"))
        .await
        .unwrap();
    let long = "x".repeat(2_000);
    let second = store
        .append_audit(&NewAuditEntry {
            summary: &long,
            ..entry("bob", "/epcis/capture")
        })
        .await
        .unwrap();
    assert!(second.seq > first.seq);
    assert_eq!(
        second.summary.chars().count(),
        lotrace_store::MAX_AUDIT_TEXT_CHARS
    );
    assert!(second.summary.ends_with('…'));
    let all = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], first);
    assert_eq!(all[0].status, 201);
    assert_eq!(all[0].address.as_deref(), Some("127.0.0.1"));
    let bob = store
        .audit_entries(&AuditFilter {
            actor: Some("bob".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0].path, "/epcis/capture");
    let none = store
        .audit_entries(&AuditFilter {
            to: Some(first.at),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty(), "to is exclusive");
    let from_second = store
        .audit_entries(&AuditFilter {
            from: Some(second.at),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(from_second.last().unwrap().seq, second.seq);
    let paged = store
        .audit_entries(&AuditFilter {
            after_seq: first.seq,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(paged, std::slice::from_ref(&second));
    let e = store
        .append_audit(&NewAuditEntry {
            actor: "",
            ..entry("x", "/")
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("audit actor"), "{e}");
}

on_both_backends!(
    users_are_kept_and_disabled,
    tokens_are_found_by_hash_and_revoked,
    audit_entries_are_appended_and_filtered,
);
