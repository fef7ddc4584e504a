//! A full import into an empty store takes the bulk-load path (no lookups,
//! indexes built at the end); into a store that holds anything it takes the
//! normal path. Both must leave the same rows, events, ledger and schema.

use std::path::Path;

use crate::harness::*;

/// A with generated data (canonicals, edges and a few tombstones), its full
/// bundle, and two sites trusting A: `empty`, and `busy` holding one
/// unrelated canonical of its own.
fn setup(store: Backend) -> (Site, Site, Site, std::path::PathBuf) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    a.cmd(&["dev", "gen-data", "--count", "300", "--seed", "7"])
        .ok();
    let bundle = a.export("full.tar.zst", &[]);
    let (empty, busy) = (Site::on(store, "site-b"), Site::on(store, "site-c"));
    for site in [&empty, &busy] {
        site.trust(&a, &key);
    }
    let osv = fixture("osv/pypi-2024-01-01");
    busy.cmd(&["feedser", "ingest", "osv", osv.to_str().unwrap()])
        .ok();
    (a, empty, busy, bundle)
}

fn import(site: &Site, bundle: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    site.json(&args)
}

/// The events an import of site A's bundle made, without their positions
/// (ids and feed cursors count what the store held before).
fn imported_events(site: &Site) -> Vec<serde_json::Value> {
    let out = site.cmd(&["feedser", "events", "--json"]).ok().stdout;
    out.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("event JSON"))
        .filter(|e| e.to_string().contains("\"site-a\""))
        .map(|mut e| {
            strip(&mut e, &["event_id", "local_cursor", "imported_at"]);
            e
        })
        .collect()
}

fn strip(value: &mut serde_json::Value, keys: &[&str]) {
    match value {
        serde_json::Value::Object(map) => {
            for key in keys {
                map.remove(*key);
            }
            map.values_mut().for_each(|v| strip(v, keys));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip(v, keys)),
        _ => {}
    }
}

/// The ledger row's counts and items.
fn ledger(site: &Site) -> serde_json::Value {
    let mut rows = site.json(&["feedser", "sites", "history", "site-a", "--json"]);
    strip(&mut rows, &["imported_at", "last_sync_at"]);
    rows
}

/// Index and constraint definitions of the store's schema.
fn schema(site: &Site) -> Vec<String> {
    match &site.database {
        None => {
            let conn = rusqlite::Connection::open(site.home().join("stella.db")).expect("open");
            let mut stmt = conn
                .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name")
                .expect("prepare");
            stmt.query_map([], |r| {
                Ok(format!(
                    "{}: {:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
        }
        Some(db) => {
            let mut client =
                ::postgres::Client::connect(&db.url(), ::postgres::NoTls).expect("connect");
            let sql = "SELECT indexname || ': ' || indexdef FROM pg_indexes \
                       WHERE schemaname = 'vuln' UNION ALL \
                       SELECT conname || ': ' || pg_get_constraintdef(c.oid) FROM pg_constraint c \
                       JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'vuln' \
                       ORDER BY 1";
            client
                .query(sql, &[])
                .expect("schema query")
                .iter()
                .map(|r| r.get(0))
                .collect()
        }
    }
}

fn empty_and_busy_stores_end_alike(store: Backend) {
    let (a, empty, busy, bundle) = setup(store);
    let own = busy.canonicals();
    let schema_before = schema(&empty);
    let (fast, slow) = (import(&empty, &bundle, &[]), import(&busy, &bundle, &[]));
    assert_eq!(fast["counts"], slow["counts"]);
    assert!(
        fast["counts"]["deletions_processed"].as_u64().unwrap() > 0,
        "{fast}"
    );
    assert_same(
        &empty.canonicals(),
        &a.canonicals(),
        "empty store against A",
    );
    let mut expected = a.canonicals();
    expected.extend(own);
    expected.sort();
    let mut got = busy.canonicals();
    got.sort();
    assert_same(&got, &expected, "busy store against A plus its own");
    let events = imported_events(&empty);
    assert!(!events.is_empty());
    assert_eq!(events, imported_events(&busy));
    assert_eq!(ledger(&empty), ledger(&busy));
    assert_eq!(
        schema(&empty),
        schema_before,
        "indexes and constraints are back"
    );
    assert_eq!(schema(&empty), schema(&busy));

    // The loaded store works as any other: a replay is a no-op.
    let again = import(&empty, &bundle, &[]);
    assert_eq!(again["already_imported"], true);
}

fn dry_run_into_an_empty_store_leaves_it_as_it_was(store: Backend) {
    let (_a, empty, _busy, bundle) = setup(store);
    let before = schema(&empty);
    let out = import(&empty, &bundle, &["--dry-run"]);
    assert_eq!(out["dry_run"], true);
    assert!(out["counts"]["canonical_created"].as_u64().unwrap() > 0);
    assert!(empty.canonicals().is_empty());
    assert_eq!(schema(&empty), before);
    let real = import(&empty, &bundle, &[]);
    assert_eq!(real["counts"], out["counts"]);
}

on_both_stores!(
    empty_and_busy_stores_end_alike,
    dry_run_into_an_empty_store_leaves_it_as_it_was
);
