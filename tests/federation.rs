//! The whole path on real data: PyPA's 2023 → 2024-01 → 2024-10 history,
//! ingested at site A and federated to site B by signed bundles.

use crate::harness::*;

fn last_cursor(b: &Site, peer: &str) -> String {
    let sites = b.json(&["feedser", "sites", "list", "--json"]);
    let site = sites
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site_id"] == peer)
        .unwrap();
    site["last_cursor"].as_str().unwrap().to_owned()
}

fn pypi_history_federates(a_store: Backend, b_store: Backend) {
    let (Some(s2023), Some(s2024a), Some(s2024b)) = (
        shared_osv("PyPI-2023-01-01.zip"),
        shared_osv("PyPI-2024-01-01.zip"),
        shared_osv("PyPI-2024-10-10.zip"),
    ) else {
        return;
    };
    let (a, b) = (Site::on(a_store, "site-a"), Site::on(b_store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);

    let mut since: Option<String> = None;
    for (i, snapshot) in [s2023, s2024a, s2024b].iter().enumerate() {
        a.cmd(&[
            "feedser",
            "ingest",
            "osv",
            "--prune",
            snapshot.to_str().unwrap(),
        ])
        .ok();
        let name = format!("step{i}.tar.zst");
        let mut args = vec!["--json"];
        if let Some(cursor) = &since {
            args.extend(["-c", cursor.as_str()]);
        }
        let export = a
            .cmd(&[&["feedser", "bundle", "export", "-o", &name][..], &args].concat())
            .ok()
            .json();
        assert_eq!(export["bundles"].as_array().unwrap().len(), 1, "{export}");
        let bundle = a.path(&name);
        let imported = b
            .cmd(&[
                "feedser",
                "bundle",
                "import",
                bundle.to_str().unwrap(),
                "--json",
            ])
            .ok()
            .json();
        assert_eq!(imported["success"], true);
        assert_eq!(imported["imported_cursor"], export["export_cursor"]);
        assert_eq!(imported["counts"]["conflicts"], 0, "{imported}");
        assert_same(&b.canonicals(), &a.canonicals(), "B against A");
        since = Some(last_cursor(&b, "site-a"));
        assert_eq!(
            Some(export["export_cursor"].as_str().unwrap().to_owned()),
            since
        );
    }
    // Withdrawn advisories arrived as withdrawn.
    let canonicals = b.canonicals();
    let withdrawn = canonicals
        .iter()
        .filter(|c| c.contains("\"status\":\"withdrawn\""))
        .count();
    assert!(withdrawn >= 10, "{withdrawn}");
    // Nothing new at A: the delta is empty, and says so.
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-c",
            since.as_deref().unwrap(),
            "-o",
            "empty.tar.zst",
        ])
        .ok();
    assert_eq!(
        out.stdout,
        format!("no changes since {}: no bundle written\n", since.unwrap())
    );
    assert!(!a.path("empty.tar.zst").exists());
}

#[test]
fn pypi_history_sqlite_to_sqlite() {
    pypi_history_federates(Backend::Sqlite, Backend::Sqlite);
}

#[test]
fn pypi_history_postgres_to_postgres() {
    if let Some(pg) = Backend::postgres("federation::pypi_history_postgres_to_postgres") {
        pypi_history_federates(pg, pg);
    }
}

#[test]
fn pypi_history_sqlite_to_postgres() {
    if let Some(pg) = Backend::postgres("federation::pypi_history_sqlite_to_postgres") {
        pypi_history_federates(Backend::Sqlite, pg);
    }
}

#[test]
fn pypi_history_postgres_to_sqlite() {
    if let Some(pg) = Backend::postgres("federation::pypi_history_postgres_to_sqlite") {
        pypi_history_federates(pg, Backend::Sqlite);
    }
}
