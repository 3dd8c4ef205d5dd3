//! Following the log: a second server tails the event log by position.

mod common;

use std::time::Duration;

use common::{TestStore, numbered_events};

/// Long enough never to pass on a working store; the tests assert what the wait returns.
const PATIENCE: Duration = Duration::from_secs(60);

async fn a_follower_in_this_process_wakes_for_a_capture(t: TestStore) {
    let store = t.store.clone();
    store
        .capture(numbered_events(0, 2, "F"), "before")
        .await
        .unwrap();
    let from = store.max_seq().await.unwrap();
    let follower = {
        let store = store.clone();
        tokio::spawn(async move { store.wait_for_new_events(from, PATIENCE).await })
    };
    tokio::task::yield_now().await;
    store
        .capture(numbered_events(2, 3, "F"), "after")
        .await
        .unwrap();
    let last = follower.await.unwrap().unwrap();
    assert_eq!(last, store.max_seq().await.unwrap());
    let new = store.events_after(from, 100).await.unwrap();
    assert_eq!(new.len(), 3);
}

async fn a_follower_in_another_process_sees_captures(t: TestStore) {
    // Another `Store` on the same database stands for another process (own pool, own
    // connections; on PostgreSQL its own LISTEN).
    let follower = t.open_again().await;
    let from = follower.max_seq().await.unwrap();
    let waiting =
        tokio::spawn(async move { (follower.wait_for_new_events(from, PATIENCE).await, follower) });
    tokio::task::yield_now().await;
    t.store
        .capture(numbered_events(0, 4, "G"), "writer")
        .await
        .unwrap();
    let (last, follower) = waiting.await.unwrap();
    let last = last.unwrap();
    assert!(last > from);
    let tail = follower.events_after(from, 100).await.unwrap();
    assert_eq!(tail.len(), 4);
    assert_eq!(tail.last().unwrap().seq, last);
    follower.close().await;
}

async fn waiting_with_events_already_there_returns_at_once(t: TestStore) {
    t.store
        .capture(numbered_events(0, 1, "H"), "t")
        .await
        .unwrap();
    // A cursor behind the log needs no wait, whatever the timeout.
    assert_eq!(
        t.store.wait_for_new_events(0, PATIENCE).await.unwrap(),
        t.store.max_seq().await.unwrap()
    );
    // A capture that stores nothing new does not move the log.
    let last = t.store.max_seq().await.unwrap();
    t.store
        .capture(numbered_events(0, 1, "H"), "again")
        .await
        .unwrap();
    assert_eq!(
        t.store
            .wait_for_new_events(last, Duration::from_millis(1))
            .await
            .unwrap(),
        last
    );
}

on_both_backends!(
    a_follower_in_this_process_wakes_for_a_capture,
    a_follower_in_another_process_sees_captures,
    waiting_with_events_already_there_returns_at_once,
);
