//! A site's token imports that site's bundles only: its own with the
//! seed's answer, another site's refused 403 `site_mismatch` with nothing
//! applied; the admin token imports any registered site's.

use super::*;

/// What the hub holds: canonicals, each site's ledger and staged entries.
fn state(hub: &Site) -> (usize, Vec<(String, u64)>, Vec<String>) {
    let listed = hub.json(&["feedser", "sites", "list", "--json"]);
    let counts = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["site_id"].as_str().unwrap().to_owned();
            (id, s["bundles_imported"].as_u64().unwrap())
        })
        .collect();
    let mut staged: Vec<String> = std::fs::read_dir(hub.home().join("staging"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    staged.sort();
    (hub.canonicals().len(), counts, staged)
}

fn a_site_imports_its_own_bundle_and_not_another_sites(store: Backend) {
    let (a, bundle_a) = peer("site-a");
    let (c, bundle_c) = peer("site-c");
    let hub = hub(store, &[(&a, TOKEN_A), (&c, TOKEN_C)]);
    let server = serve(&hub);

    let before = state(&hub);
    let refused = server.import("", &bundle_c, Some(TOKEN_A));
    assert_eq!(refused.status, 403, "{}", refused.text());
    let json = refused.json();
    assert_eq!(json["success"], false);
    assert_eq!(json["reason"], "site_mismatch");
    assert_eq!(
        json["error"],
        "site mismatch: the bundle comes from site `site-c` but the sender is site `site-a`, which may import only its own bundles: send it with site `site-c`'s credentials or the admin token"
    );
    assert_eq!(state(&hub), before, "nothing applied, nothing staged");
    let audit = std::fs::read_to_string(hub.home().join("audit.log")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["outcome"], &last["reason_code"], &last["site_id"]),
        (
            &serde_json::json!("rejected"),
            &serde_json::json!("site_mismatch"),
            &serde_json::json!("site-c")
        )
    );

    let own = server.import("", &bundle_a, Some(TOKEN_A));
    assert_eq!(own.status, 200, "{}", own.text());
    let own = own.json();
    assert_eq!(crate::serve::sorted_keys(&own), crate::serve::IMPORT_KEYS);
    assert_eq!(
        (own["site_id"].as_str(), own["already_imported"].as_bool()),
        (Some("site-a"), Some(false))
    );
    let (canonicals, counts, staged) = state(&hub);
    assert!(canonicals > 0);
    assert_eq!(counts, [("site-a".to_owned(), 1), ("site-c".to_owned(), 0)]);
    assert_eq!(staged, Vec::<String>::new());

    // The admin token imports any registered site's bundle.
    let admin = server.import("", &bundle_c, Some(ADMIN));
    assert_eq!(admin.status, 200, "{}", admin.text());
    assert_eq!(admin.json()["site_id"], "site-c");
}

on_both_stores!(a_site_imports_its_own_bundle_and_not_another_sites);
