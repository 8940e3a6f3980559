//! The contract every [`CacheStore`] meets, as one check the stores' tests run: lookups, misses
//! and replacement, bit-exact outputs, expiry, `invalidate`'s scopes, the LRU order and both
//! bounds, and the counts `stats` gives.

use std::sync::Arc;

use crate::{CacheEntry, CacheKey, CacheScope, CacheStore};
use atomiton_core::json;
use atomiton_core::value::{Bytes, BytesKind, Ext, Value};

/// The bounds [`check_cache_store`] expects the store it is given to have.
pub const CHECKED_LIMITS: atomiton_core::cache::CacheLimits =
    atomiton_core::cache::CacheLimits { max_entries: 3, max_bytes: 1000 };

/// An entry of `bytes` counted bytes made by node `path` of flow `flow`, holding `output`.
pub fn cache_entry(flow: &str, path: &str, output: Value, bytes: u64) -> CacheEntry {
    CacheEntry {
        output: Some(Arc::new(output)),
        created_ms: 10.0,
        expires_ms: None,
        flow_id: Arc::from(flow),
        node_path: Arc::from(path),
        bytes,
    }
}

/// Checks `store`, empty and bounded by [`CHECKED_LIMITS`], against the contract. Run it on the
/// executor the store's futures need; `settle` is awaited after each `put` for stores that apply
/// writes in the background and whose reads do not wait for them (a no-op for the others).
pub async fn check_cache_store<S>(store: &dyn CacheStore, settle: impl Fn() -> S)
where
    S: std::future::Future<Output = ()>,
{
    let stats = |store: &dyn CacheStore| store.stats();
    assert!(store.get(CacheKey(1), 0.0).await.is_none(), "an empty store has nothing");

    // A stored output comes back as it went in, bit for bit.
    let exact = json!({
        "zero": -0.0,
        "missing": Value::Undefined,
        "nan": f64::NAN,
        "text": "é \u{0} 😀",
        "bytes": Value::Ext(Box::new(Ext::Bytes(Bytes::new(BytesKind::Uint8Array, vec![0, 255])))),
        "list": [1, Value::Null, [true]],
    });
    store.put(CacheKey(1), cache_entry("flow", "group/a", exact.clone(), 100));
    settle().await;
    let hit = store.get(CacheKey(1), 20.0).await.expect("a stored entry is found");
    assert_eq!(
        hit.output.as_deref().map(atomiton_core::value::codec::to_json).and_then(Result::ok),
        atomiton_core::value::codec::to_json(&exact).ok(),
        "the output is bit-exact"
    );
    assert_eq!((hit.created_ms, hit.expires_ms, hit.bytes), (10.0, None, 100));
    assert_eq!((&*hit.flow_id, &*hit.node_path), ("flow", "group/a"));

    // `undefined` is an output too; a second put replaces the first.
    store.put(CacheKey(2), CacheEntry { output: None, ..cache_entry("flow", "b", json!(0), 10) });
    store.put(CacheKey(1), cache_entry("flow", "group/a", json!("second"), 100));
    settle().await;
    assert!(store.get(CacheKey(2), 20.0).await.is_some_and(|e| e.output.is_none()));
    let replaced = store.get(CacheKey(1), 20.0).await.and_then(|e| e.output);
    assert_eq!(replaced.as_deref(), Some(&json!("second")));
    let counted = stats(store).await.expect("stats");
    assert_eq!((counted.entries, counted.bytes), (2, 110));
    assert_eq!((counted.hits, counted.misses), (3, 1));

    // An entry is served until it expires, then it is a miss and gone.
    let expiring = CacheEntry { expires_ms: Some(100.0), ..cache_entry("other", "c", json!(3), 5) };
    store.put(CacheKey(3), expiring);
    settle().await;
    assert!(store.get(CacheKey(3), 99.0).await.is_some());
    assert!(store.get(CacheKey(3), 100.0).await.is_none(), "expired at its time");
    assert_eq!(stats(store).await.expect("stats").entries, 2);

    // `invalidate`: a node by its path or its own id, a flow, everything.
    let node = |id: &str| CacheScope { flow_id: None, node_id: Some(id.into()) };
    let flow = |id: &str| CacheScope { flow_id: Some(id.into()), node_id: None };
    store.put(CacheKey(4), cache_entry("other", "group/a", json!(4), 1));
    settle().await;
    assert_eq!(store.invalidate(flow("nope")).await.expect("invalidate"), 0);
    let both = CacheScope { flow_id: Some("flow".into()), node_id: Some("a".into()) };
    assert_eq!(store.invalidate(both).await.expect("invalidate"), 1, "flow and node both match");
    assert!(store.get(CacheKey(4), 20.0).await.is_some(), "another flow's node is kept");
    assert_eq!(store.invalidate(node("group/a")).await.expect("invalidate"), 1);
    assert_eq!(store.invalidate(flow("flow")).await.expect("invalidate"), 1);
    assert_eq!(store.invalidate(CacheScope::default()).await.expect("invalidate"), 0);
    assert_eq!(stats(store).await.expect("stats").entries, 0);

    // The least recently used goes first, by entries and by bytes; an output larger than the
    // byte bound is not kept and evicts nothing.
    let evictions = stats(store).await.expect("stats").evictions;
    for n in 10..13 {
        store.put(CacheKey(n), cache_entry("lru", &format!("n{n}"), json!(n), 100));
    }
    settle().await;
    assert!(store.get(CacheKey(10), 20.0).await.is_some());
    store.put(CacheKey(13), cache_entry("lru", "n13", json!(13), 100));
    settle().await;
    assert!(store.get(CacheKey(11), 20.0).await.is_none(), "11 was used least recently");
    for n in [10, 12, 13] {
        assert!(store.get(CacheKey(n), 20.0).await.is_some(), "{n} is kept");
    }
    store.put(CacheKey(14), cache_entry("lru", "n14", json!(14), 2000));
    settle().await;
    assert!(store.get(CacheKey(14), 20.0).await.is_none(), "too large to keep");
    store.put(CacheKey(15), cache_entry("lru", "n15", json!(15), 850));
    settle().await;
    assert!(store.get(CacheKey(15), 20.0).await.is_some());
    let counted = stats(store).await.expect("stats");
    assert!(counted.bytes <= 1000 && counted.entries <= 3, "within the bounds: {counted:?}");
    assert_eq!(counted.evictions - evictions, 3, "11 for room, then two for 850 bytes");
    assert_eq!(store.invalidate(CacheScope::default()).await.expect("clear"), counted.entries);
}
