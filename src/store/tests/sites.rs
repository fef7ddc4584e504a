//! Sites, their policy and their keys.

use super::harness::store_suite;
use super::{Harness, new_site};
use crate::store::{NewKey, PolicyChange, Site, StoreError};

store_suite!(
    sites_are_added_listed_and_unique,
    policy_changes_set_clear_and_keep_fields,
    keys_are_added_revoked_and_checked,
);

fn key(id: &str) -> NewKey {
    NewKey {
        key_id: id.to_owned(),
        public_pem: format!("-----BEGIN PUBLIC KEY-----\n{id}\n-----END PUBLIC KEY-----\n"),
        added_at: "2025-01-02T00:00:00.000Z".to_owned(),
    }
}

fn sites_are_added_listed_and_unique(h: &mut Harness) {
    let store = &mut *h.store;
    store.add_site(&new_site("zeta")).unwrap();
    store.add_site(&new_site("alpha")).unwrap();
    let err = store.add_site(&new_site("alpha")).unwrap_err();
    assert_eq!(err.to_string(), "site `alpha` is already registered");
    let ids: Vec<_> = store
        .sites()
        .unwrap()
        .into_iter()
        .map(|s| s.site_id)
        .collect();
    assert_eq!(ids, ["alpha", "zeta"]);
    let want = Site {
        site_id: "zeta".to_owned(),
        display_name: "Site zeta".to_owned(),
        enabled: true,
        max_bundle_size: None,
        allowed_sources: None,
        on_conflict: None,
        created_at: "2025-01-01T00:00:00.000Z".to_owned(),
        last_cursor: None,
        last_sync_at: None,
        bundles_imported: 0,
        items_imported: 0,
    };
    assert_eq!(store.site("zeta").unwrap(), Some(want));
    assert_eq!(store.site("nope").unwrap(), None);
}

fn policy_changes_set_clear_and_keep_fields(h: &mut Harness) {
    let store = &mut *h.store;
    store.add_site(&new_site("a")).unwrap();
    let set = PolicyChange {
        enabled: Some(false),
        max_bundle_size: Some(Some(1 << 20)),
        allowed_sources: Some(Some(vec!["ghsa".to_owned(), "nvd".to_owned()])),
        on_conflict: Some(Some("newest".to_owned())),
    };
    store.update_policy("a", &set).unwrap();
    let s = store.site("a").unwrap().unwrap();
    assert_eq!((s.enabled, s.max_bundle_size), (false, Some(1 << 20)));
    assert_eq!(s.on_conflict.as_deref(), Some("newest"));
    assert_eq!(
        s.allowed_sources,
        Some(vec!["ghsa".to_owned(), "nvd".to_owned()])
    );
    // Untouched fields stay; `Some(None)` clears.
    let clear = PolicyChange {
        max_bundle_size: Some(None),
        ..Default::default()
    };
    store.update_policy("a", &clear).unwrap();
    let s = store.site("a").unwrap().unwrap();
    assert_eq!((s.enabled, s.max_bundle_size), (false, None));
    assert_eq!(
        s.allowed_sources,
        Some(vec!["ghsa".to_owned(), "nvd".to_owned()])
    );
    let clear = PolicyChange {
        allowed_sources: Some(None),
        enabled: Some(true),
        ..Default::default()
    };
    store.update_policy("a", &clear).unwrap();
    let s = store.site("a").unwrap().unwrap();
    assert_eq!((s.enabled, s.allowed_sources), (true, None));
    let err = store
        .update_policy("b", &PolicyChange::default())
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "b"));
}

fn keys_are_added_revoked_and_checked(h: &mut Harness) {
    let store = &mut *h.store;
    store.add_site(&new_site("a")).unwrap();
    let err = store.add_key("x", &key("k1")).unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "x"));
    store.add_key("a", &key("k2")).unwrap();
    store.add_key("a", &key("k1")).unwrap();
    let err = store.add_key("a", &key("k1")).unwrap_err();
    assert_eq!(err.to_string(), "key `k1` is already trusted for site `a`");
    store
        .revoke_key("a", "k2", "2025-03-01T00:00:00.000Z")
        .unwrap();
    // A second revocation keeps the first time.
    store
        .revoke_key("a", "k2", "2025-04-01T00:00:00.000Z")
        .unwrap();
    let err = store
        .revoke_key("a", "k9", "2025-03-01T00:00:00.000Z")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "key `k9` is not a key of site `a`: `stella feedser sites policy a` lists its keys"
    );
    let keys = store.keys("a").unwrap();
    let summary: Vec<_> = keys
        .iter()
        .map(|k| (k.key_id.as_str(), k.revoked_at.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [("k2", Some("2025-03-01T00:00:00.000Z")), ("k1", None)]
    );
    assert_eq!(keys[1].public_pem, key("k1").public_pem);
    assert!(matches!(store.keys("x"), Err(StoreError::UnknownSite(_))));
}
