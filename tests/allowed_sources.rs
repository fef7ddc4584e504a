//! A site's allowed sources: edges from other sources are dropped on import,
//! a canonical left with none is dropped, and what is kept is the merge base
//! the next import compares against.

use crate::harness::*;

/// A holds CVE-2021-3532 from pypa and ghsa (one canonical, two edges) and
/// PYSEC-2023-1 from ghsa only; B takes only pypa from A.
fn setup(store: Backend) -> (Site, Site) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--allowed-sources",
        "pypa",
    ])
    .ok();
    let dir = a.path("osv");
    std::fs::create_dir(&dir).unwrap();
    let copy = |from: &str, id: &str| {
        let text = std::fs::read_to_string(fixture(&format!("osv/pypi-2024-10-10/{from}.json")))
            .unwrap()
            .replace(&format!("\"id\": \"{from}\""), &format!("\"id\": \"{id}\""));
        assert!(text.contains(id), "{from}: id not replaced");
        std::fs::write(dir.join(format!("{id}.json")), text).unwrap();
    };
    copy("PYSEC-2021-125", "PYSEC-2021-125");
    copy("PYSEC-2021-125", "GHSA-aaaa-bbbb-cccc");
    copy("PYSEC-2023-1", "GHSA-dddd-eeee-ffff");
    a.cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
        .ok();
    assert_eq!(a.canonicals().len(), 2);
    (a, b)
}

fn import(b: &Site, bundle: &std::path::Path) -> serde_json::Value {
    let path = bundle.to_str().unwrap();
    let args = [
        "feedser",
        "bundle",
        "import",
        path,
        "--on-conflict",
        "fail",
        "--json",
    ];
    b.cmd(&args).ok().json()
}

/// The (source, advisory id) of every edge B holds.
fn edges(b: &Site) -> Vec<(String, String)> {
    b.canonicals()
        .iter()
        .flat_map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let text = |k: &str| e[k].as_str().unwrap().to_owned();
                    (text("source"), text("source_advisory_id"))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn other_sources_are_dropped_and_what_is_kept_is_the_merge_base(store: Backend) {
    let (a, b) = setup(store);
    let out = import(&b, &a.export("full.tar.zst", &[]));
    let counts = &out["counts"];
    assert_eq!(
        [
            &counts["canonical_created"],
            &counts["canonical_filtered"],
            &counts["edges_filtered"]
        ],
        [1, 1, 2]
    );
    assert_eq!(edges(&b), [("pypa".into(), "PYSEC-2021-125".into())]);

    // A changes the advisory; B never held the ghsa edge, and its copy is
    // unchanged since it took it, so the change is an update, not a conflict.
    let path = a.path("osv/PYSEC-2021-125.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        "A flaw was found in Ansible",
        "A flaw (edited at A) was found in Ansible",
    );
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    a.cmd(&["feedser", "ingest", "osv", path.to_str().unwrap()])
        .ok();
    let cursor = out["imported_cursor"].as_str().unwrap();
    let out = import(&b, &a.export("delta.tar.zst", &["-c", cursor]));
    let counts = &out["counts"];
    assert_eq!(
        [
            &counts["canonical_updated"],
            &counts["conflicts"],
            &counts["edges_filtered"]
        ],
        [1, 0, 1]
    );
    assert_eq!(edges(&b), [("pypa".into(), "PYSEC-2021-125".into())]);
    let held = b.canonicals();
    assert!(
        held[0].contains("A flaw (edited at A) was found"),
        "{held:?}"
    );
}

crate::on_both_stores!(other_sources_are_dropped_and_what_is_kept_is_the_merge_base);
