//! `query_events` (the indexed part of an EPCIS query, keyset-paged) and the named query,
//! subscription and capture report tables, on both backends.

mod common;

use common::{TestStore, document, object_event};
use lotrace_epcis::Role;
use lotrace_store::{CaptureReport, EventQuery, IdentifierCondition, SortKey, Subscription};
use serde_json::json;

fn canonical(id: &str) -> String {
    lotrace_gs1::canonicalize(id).unwrap().canonical
}

async fn seed(t: &TestStore) {
    let events: Vec<_> = (0..6)
        .map(|i| {
            object_event(
                &format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
                &format!("urn:epc:class:lgtin:4012345.012345.L{}", i % 2),
                &format!("2026-01-02T10:00:0{i}Z"),
            )
        })
        .collect();
    t.store
        .capture(document(json!(events)), "test")
        .await
        .unwrap();
}

async fn pages_through_the_index_in_both_directions(t: TestStore) {
    seed(&t).await;
    let mut query = EventQuery {
        event_types: Some(vec!["ObjectEvent".into()]),
        biz_steps: Some(vec!["shipping".into()]),
        limit: 4,
        ..EventQuery::default()
    };
    let first = t.store.query_events(&query).await.unwrap();
    assert_eq!(first.len(), 4);
    let last = first.last().unwrap();
    query.after = Some((last.key, last.stored.seq));
    let rest = t.store.query_events(&query).await.unwrap();
    assert_eq!(rest.len(), 2);
    let mut seqs: Vec<i64> = first.iter().chain(&rest).map(|r| r.stored.seq).collect();
    let ascending = seqs.clone();
    seqs.sort();
    assert_eq!(seqs, ascending, "eventTime order is log order here");

    let desc = EventQuery {
        descending: true,
        order: SortKey::RecordTime,
        limit: 10,
        ..EventQuery::default()
    };
    let all = t.store.query_events(&desc).await.unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.windows(2).all(|w| w[0].stored.seq > w[1].stored.seq));

    let none = EventQuery {
        event_types: Some(vec!["AggregationEvent".into()]),
        limit: 10,
        ..EventQuery::default()
    };
    assert!(t.store.query_events(&none).await.unwrap().is_empty());
}

async fn identifiers_by_role_exact_and_by_prefix(t: TestStore) {
    seed(&t).await;
    let lot0 = canonical("urn:epc:class:lgtin:4012345.012345.L0");
    let by_class = EventQuery {
        identifiers: vec![IdentifierCondition {
            roles: vec![Role::EpcClass],
            exact: vec![lot0.clone()],
            prefixes: vec![],
        }],
        limit: 10,
        ..EventQuery::default()
    };
    let found = t.store.query_events(&by_class).await.unwrap();
    assert_eq!(found.len(), 3);
    // The wrong role finds nothing on SQLite, whose index holds roles; PostgreSQL's keys
    // name identifiers in any role, and leave the role to the caller's filter.
    let wrong_role = EventQuery {
        identifiers: vec![IdentifierCondition {
            roles: vec![Role::Epc],
            exact: vec![lot0.clone()],
            prefixes: vec![],
        }],
        limit: 10,
        ..EventQuery::default()
    };
    let wrong = t.store.query_events(&wrong_role).await.unwrap();
    if t.is_postgres() {
        assert_eq!(
            wrong.iter().map(|r| r.stored.seq).collect::<Vec<_>>(),
            found.iter().map(|r| r.stored.seq).collect::<Vec<_>>()
        );
    } else {
        assert!(wrong.is_empty());
    }
    // A prefix (the GTIN) is a superset on SQLite and left to the caller on PostgreSQL:
    // both return at least every lot of the GTIN.
    let gtin = lot0.rsplit_once("/10/").unwrap().0.to_owned();
    let by_prefix = EventQuery {
        identifiers: vec![IdentifierCondition {
            roles: vec![Role::EpcClass],
            exact: vec![],
            prefixes: vec![gtin],
        }],
        limit: 10,
        ..EventQuery::default()
    };
    assert_eq!(t.store.query_events(&by_prefix).await.unwrap().len(), 6);
    // Times bound the answer, [from, until).
    let first = found[0].stored.event.event_time.instant.as_microsecond();
    let timed = EventQuery {
        event_time: (Some(first + 1), None),
        limit: 10,
        ..EventQuery::default()
    };
    assert_eq!(t.store.query_events(&timed).await.unwrap().len(), 5);
}

async fn named_queries_subscriptions_and_reports_persist(t: TestStore) {
    let store = &t.store;
    let q = json!({"EQ_bizStep": ["shipping"]});
    let created = store
        .create_named_query("ships", &q)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.query, q);
    assert!(
        store
            .create_named_query("ships", &q)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.named_queries().await.unwrap().len(), 1);
    let sub = Subscription {
        id: "s1".into(),
        query_name: "ships".into(),
        dest: "http://127.0.0.1:9/hook".into(),
        signature_token: Some("secret".into()),
        report_if_empty: false,
        created_at: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
        after_seq: 0,
        delivered: 0,
        last_error: None,
    };
    store.create_subscription(&sub).await.unwrap();
    store
        .record_delivery("s1", 42, 3, Some("refused"))
        .await
        .unwrap();
    let back = store.subscription("s1").await.unwrap().unwrap();
    assert_eq!(
        (back.after_seq, back.delivered, back.last_error.as_deref()),
        (42, 3, Some("refused"))
    );
    assert_eq!(back.signature_token.as_deref(), Some("secret"));
    assert_eq!(store.subscriptions(Some("ships")).await.unwrap().len(), 1);
    assert_eq!(store.subscriptions(None).await.unwrap().len(), 1);
    assert!(store.subscriptions(Some("other")).await.unwrap().is_empty());
    assert!(store.delete_named_query("ships").await.unwrap());
    assert!(
        store.subscription("s1").await.unwrap().is_none(),
        "deleted with its query"
    );
    assert!(!store.delete_named_query("ships").await.unwrap());

    let report = CaptureReport {
        capture_id: "job".into(),
        error_behaviour: "proceed".into(),
        events_rejected: 2,
        errors: vec![json!({"eventIndex": 1})],
    };
    store.put_capture_report(&report).await.unwrap();
    assert_eq!(store.capture_report("job").await.unwrap(), Some(report));
    assert!(store.capture_report("nope").await.unwrap().is_none());
}

on_both_backends!(
    pages_through_the_index_in_both_directions,
    identifiers_by_role_exact_and_by_prefix,
    named_queries_subscriptions_and_reports_persist,
);
