//! Every byte counts: any single changed byte of a real signed bundle is
//! refused, through the real binary, and nothing is written.

use crate::harness::*;

fn setup(store: Backend) -> (Site, Site, Vec<u8>) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    for id in ["PYSEC-2023-1", "PYSEC-2021-871"] {
        let file = fixture(&format!("osv/pypi-2024-10-10/{id}.json"));
        a.cmd(&["feedser", "ingest", "osv", file.to_str().unwrap()])
            .ok();
    }
    let bundle = std::fs::read(a.export("a.tar.zst", &[])).unwrap();
    (a, b, bundle)
}

/// The store plays no part here, so this runs on the embedded one only.
#[test]
fn every_flipped_byte_fails_validation() {
    let (_a, b, bundle) = setup(Backend::Sqlite);
    let path = b.path("t.tar.zst");
    let mut accepted = Vec::new();
    for offset in 0..bundle.len() {
        let mut copy = bundle.clone();
        copy[offset] ^= 0x01;
        std::fs::write(&path, &copy).unwrap();
        let out = b.cmd(&["feedser", "bundle", "validate", path.to_str().unwrap()]);
        if out.code == 0 || !(out.code == 4 || out.code == 5) {
            accepted.push((offset, out.code));
        }
    }
    assert!(
        accepted.is_empty(),
        "accepted or odd exit codes at {accepted:?}"
    );
}

fn tampered_bundle_import_writes_nothing(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let path = b.path("t.tar.zst");
    let before = (
        b.canonicals(),
        b.cmd(&["feedser", "sites", "list"]).ok().stdout,
    );
    let step = (bundle.len() / 40).max(1);
    for offset in (0..bundle.len()).step_by(step) {
        let mut copy = bundle.clone();
        copy[offset] ^= 0xff;
        std::fs::write(&path, &copy).unwrap();
        let out = b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()]);
        assert!(out.code == 4 || out.code == 5, "offset {offset}: {out:?}");
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
        assert_eq!(
            (
                b.canonicals(),
                b.cmd(&["feedser", "sites", "list"]).ok().stdout
            ),
            before,
            "offset {offset}"
        );
    }
    // Truncated and extended bundles are refused too.
    for copy in [
        bundle[..bundle.len() - 1].to_vec(),
        [bundle.as_slice(), b"x"].concat(),
    ] {
        std::fs::write(&path, &copy).unwrap();
        b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
            .code(4);
    }
    // The untouched bundle still imports: the refusals were about the bytes.
    std::fs::write(&path, &bundle).unwrap();
    b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
        .ok();
    assert_eq!(b.canonicals().len(), 2);
}

crate::on_both_stores!(tampered_bundle_import_writes_nothing,);
