//! "Setup" and "Air-Gap Operations": keys, the peer's registration and
//! policy, the initial full sync, a delta from the document's dated cursor,
//! and a delta from the cursor noted in `sites list`.

use super::super::lines::*;
use super::Walk;
use crate::harness::*;

/// Keys at A, the peer and its policy at B.
pub fn setup(walk: &Walk) {
    let (a, b) = (&walk.a, &walk.b);
    let out = walk.line(a, KEYS_GENERATE).ok();
    assert_eq!(
        redact(&out.stdout),
        "generated ES256 key `federation-signer` for federation\nkey id: sha256:<hash>\npublic key: stella authority keys export federation-signer --public\ndefault: yes, it signs exports from now on\n"
    );
    let pem = walk.line(a, KEYS_EXPORT).ok().stdout;
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    std::fs::write(b.path("site-us-east-1.pem"), &pem).unwrap();

    walk.line(b, SITES_ADD)
        .ok()
        .stdout_is("registered site `site-us-east-1` (enabled) with 0 trusted keys\n");
    let out = walk.line(b, SITES_POLICY).ok();
    assert!(
        out.stdout.starts_with(
            "Site: site-us-east-1 (US East Production)\nStatus: enabled\nMax bundle size: 100 MB (104857600 bytes)\nAllowed sources: debian,ghsa,nvd\n"
        ),
        "{}",
        out.stdout
    );
    // Trusting the key the document exported "for distribution".
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-us-east-1",
        "--add-key",
        "site-us-east-1.pem",
    ])
    .ok();
    // A's own feed: Debian, Ubuntu, AlmaLinux, Red Hat and GHSA records; the
    // policy lets B take the Debian and GHSA ones.
    walk.ingest_at_a(&["osv/distro"]);
}

/// "Full Sync Workflow" and "Export for Transfer".
pub fn full_and_delta_syncs(walk: &Walk) {
    let (a, b) = (&walk.a, &walk.b);
    let out = walk.line(a, EXPORT_FULL).ok();
    assert!(
        redact(&out.stdout).starts_with(
            "Wrote ./full-sync.zst\n  Since: full export\n  Cursor: <time>#0010\n  Counts: 10 canonicals, 10 edges, 0 deletions (20 items)\n"
        ),
        "{}",
        out.stdout
    );
    walk.carry("full-sync.zst");
    let out = walk.line(b, IMPORT_FULL).ok();
    assert_eq!(
        redact(&out.stdout).lines().take(8).collect::<Vec<_>>(),
        [
            "Bundle ./full-sync.zst from site site-us-east-1: imported",
            "  Bundle hash: sha256:<hash>",
            "  Imported cursor: <time>#0010",
            "  Canonicals: 3 created, 0 updated, 0 skipped",
            "  Edges added: 3",
            "  Deletions processed: 0",
            "  Conflicts: 0",
            "  Filtered by allowed sources: 7 canonicals, 7 edges",
        ]
    );
    assert_eq!(b.canonicals().len(), 3);
    let first = walk.noted_cursor();
    assert!(first.ends_with("#0010"), "{first}");

    // "On connected site": the document's dated cursor lies before A's
    // whole feed, so the bundle carries everything after it.
    walk.ingest_at_a(&[
        "osv/ecosystems/DSA-0014-1.json",
        "osv/ecosystems/GHSA-aaaa-bbbb-0020.json",
    ]);
    let out = walk.line(a, EXPORT_DELTA).ok();
    assert!(
        redact(&out.stdout).starts_with(
            "Wrote ./delta-2025-01-15.zst\n  Since: full export\n  Cursor: <time>#0012\n"
        ),
        "{}",
        out.stdout
    );
    walk.carry("delta-2025-01-15.zst");
    let out = walk.line(b, IMPORT_DELTA).ok();
    assert!(
        redact(&out.stdout).contains(
            "  Imported cursor: <time>#0012\n  Canonicals: 2 created, 0 updated, 3 skipped\n"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(b.canonicals().len(), 5);

    // "Get current cursor from air-gap site … Note the cursor".
    let noted = walk.noted_cursor();
    assert!(noted.ends_with("#0012"), "{noted}");
    walk.ingest_at_a(&["osv/ecosystems/GHSA-aaaa-bbbb-0023.json"]);
    let out = walk
        .filled(a, EXPORT_SINCE_NOTED, &[("{cursor}", &noted)])
        .ok();
    assert!(
        out.stdout
            .starts_with(&format!("Wrote ./delta.zst\n  Since: {noted}\n")),
        "{}",
        out.stdout
    );
    walk.carry("delta.zst");
    b.cmd(&["feedser", "bundle", "import", "./delta.zst"]).ok();
    assert_eq!(b.canonicals().len(), 6);
}
