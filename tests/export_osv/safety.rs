//! What `export osv` never does: write outside its directory, or let a
//! reader see half a file.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{entries, export, ingest, tree};
use crate::harness::{Backend, Site, fixture, shared_osv};

fn record(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","aliases":["CVE-2024-0001"],"modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"victim"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}}]}}]}}]}}"#
    )
}

/// Advisory ids a peer could send that are no plain file name are left out
/// with a warning, and nothing lands outside the export directory.
pub fn hostile_ids_stay_inside_the_directory(store: Backend) {
    let a = Site::on(store, "site-a");
    let input = [record("../evil"), record(".hidden"), record("PYSEC-2024-9")].join("\n");
    a.run(&["feedser", "ingest", "osv", "-"]).stdin(input).go();
    let dir = a.path("osv");
    let out = a
        .cmd(&["feedser", "export", "osv", dir.to_str().unwrap()])
        .ok();
    assert_eq!(
        out.stderr,
        "stella: warning: advisory `../evil` left out of the OSV export: its id is no safe file name\n\
         stella: warning: advisory `.hidden` left out of the OSV export: its id is no safe file name\n"
    );
    let names: Vec<String> = entries(&dir.join("all.zip"))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, ["PYSEC-2024-9.json"]);
    assert!(!a.path("evil.json").exists());
    let files: Vec<String> = tree(&dir).into_keys().collect();
    assert_eq!(
        files,
        [
            "PyPI/all.zip",
            "PyPI/modified_id.csv",
            "all.zip",
            "modified_id.csv"
        ]
    );
}

/// A reader polling the database while exports rewrite it only ever opens
/// a whole zip, the old one or the new one; no temporary file is left.
pub fn a_reader_never_sees_a_partial_zip(store: Backend) {
    let a = Site::on(store, "site-a");
    let (old, new) = match shared_osv("PyPI-2024-01-01.zip").zip(shared_osv("PyPI-2024-10-10.zip"))
    {
        Some(pair) => pair,
        None => (
            fixture("osv/pypi-2024-01-01"),
            fixture("osv/pypi-2024-10-10"),
        ),
    };
    ingest(&a, &old);
    let dir = a.path("osv");
    let before = export(&a, &dir, &[])["counts"]["records"].as_u64().unwrap() as usize;
    ingest(&a, &new);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (done, zip) = (done.clone(), dir.join("PyPI/all.zip"));
        std::thread::spawn(move || poll(&zip, &done))
    };
    for _ in 0..3 {
        export(&a, &dir, &[]);
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.join().unwrap();
    let after = entries(&dir.join("PyPI/all.zip")).len();
    assert!(seen.len() > 1, "the reader ran during the exports");
    assert!(
        seen.iter().all(|n| *n == before || *n == after),
        "{seen:?} not in {before}, {after}"
    );
    assert!(tree(&dir).keys().all(|name| !name.contains(".stella-")));
}

/// Entry counts of every read of `zip` until `done`; panics on a zip that
/// does not open whole.
fn poll(zip: &Path, done: &AtomicBool) -> Vec<usize> {
    let mut seen = Vec::new();
    while !done.load(Ordering::SeqCst) {
        let bytes = std::fs::read(zip).unwrap();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a whole zip");
        seen.push(archive.len());
    }
    seen
}

/// An export that fails half way renames nothing and leaves no temporary
/// file: here `PyPI` is a plain file, so its directory cannot be made.
pub fn a_failed_export_leaves_nothing(store: Backend) {
    let a = Site::on(store, "site-a");
    ingest(&a, &fixture("osv/pypi-2024-10-10"));
    let dir = a.path("osv");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("PyPI"), b"in the way").unwrap();
    let out = a
        .cmd(&["feedser", "export", "osv", dir.to_str().unwrap()])
        .code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: cannot write `{}`: File exists (os error 17); check that the directory is writable and has space\n",
            dir.join("PyPI").display()
        )
    );
    assert_eq!(tree(&dir).into_keys().collect::<Vec<_>>(), ["PyPI"]);
}

/// A stored canonical that no longer reads (a damaged store) stops the
/// export with its change named, exit 10 (store), and nothing written; here it is in
/// the middle of 1,500 canonicals, so batches before and after it are in
/// flight on the reading threads when it is met.
#[test]
fn a_damaged_stored_canonical_stops_the_export() {
    let a = Site::on(Backend::Sqlite, "site-a");
    a.cmd(&[
        "dev",
        "gen-data",
        "--count",
        "1500",
        "--seed",
        "3",
        "--deletions",
        "0",
    ])
    .code(0);
    let db = rusqlite::Connection::open(a.home().join("stella.db")).unwrap();
    let seq: i64 = db
        .query_row(
            "SELECT seq FROM export_lines ORDER BY seq LIMIT 1 OFFSET 700",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let cut = "UPDATE export_lines SET line = substr(line, 1, 40) || char(10) WHERE seq = ?1";
    assert_eq!(db.execute(cut, [seq]).unwrap(), 1);
    drop(db);
    let dir = a.path("osv");
    let out = a
        .cmd(&["feedser", "export", "osv", dir.to_str().unwrap()])
        .code(10);
    let named = format!("Z#{seq:04} cannot be read (");
    assert!(
        out.stderr
            .starts_with("error: the stored canonical of change 20")
            && out.stderr.contains(&named),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .ends_with("; the store is damaged: restore it from a backup\n")
    );
    assert_eq!(tree(&dir).len(), 0, "nothing written");
}
