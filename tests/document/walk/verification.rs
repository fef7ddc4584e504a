//! "CLI Import", "Validate Bundle Without Import", "Preview Import Impact"
//! and "Verify Sync State".

use super::super::lines::*;
use super::Walk;
use crate::harness::*;

/// A new delta as `./bundle.zst`: validated, previewed, imported, replayed
/// from a pipe, and offered again without its signature.
pub fn validate_preview_and_import(walk: &Walk) {
    let (a, b) = (&walk.a, &walk.b);
    let since = walk.noted_cursor();
    walk.ingest_at_a(&["osv/ecosystems/GHSA-aaaa-bbbb-0028.json"]);
    a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-c",
        &since,
        "-o",
        "./bundle.zst",
    ])
    .ok();
    walk.carry("bundle.zst");
    let key = a.json(&["authority", "keys", "list", "--json"])[0]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = walk.line(b, VALIDATE).ok();
    let expected = format!(
        "Bundle: bundle.zst\nVersion: feedser-bundle/1.1\nSite: site-us-east-1\nCursor: {}\nCounts:\n  Canonicals: 1\n  Edges: 1\n  Deletions: 0\n  Total: 2\nVerification:\n  Hash: ✓ Valid\n  Signature: ✓ Valid (key: {key})\n  Format: ✓ Valid\n\nReady for import.\n",
        bundle_cursor(b)
    );
    assert!(
        out.stdout.starts_with(&expected),
        "{}\n---\n{expected}",
        out.stdout
    );

    let before = b.canonicals();
    let out = walk.line(b, IMPORT_DRY_RUN).ok();
    assert!(
        out.stdout.starts_with(
            "Bundle ./bundle.zst from site site-us-east-1: dry run: nothing committed\n"
        ),
        "{}",
        out.stdout
    );
    let out = walk.line(b, PREVIEW_JSON).ok();
    let json = out.json();
    for field in [
        "success",
        "bundle_hash",
        "imported_cursor",
        "counts",
        "conflicts",
        "duration_ms",
    ] {
        assert!(json.get(field).is_some(), "no `{field}`: {json}");
    }
    assert_eq!(json["success"], true);
    assert_eq!(json["conflicts"], serde_json::json!([]));
    let counts = &json["counts"];
    assert_eq!(
        [
            &counts["canonical_created"],
            &counts["canonical_updated"],
            &counts["canonical_skipped"],
            &counts["edges_added"],
            &counts["deletions_processed"],
        ],
        [1, 0, 0, 1, 0]
    );
    assert_eq!(b.canonicals(), before, "a dry run commits nothing");

    let out = walk.line(b, IMPORT).ok();
    assert!(
        redact(&out.stdout).contains("  Canonicals: 1 created, 0 updated, 0 skipped\n"),
        "{}",
        out.stdout
    );
    assert_eq!(b.canonicals().len(), before.len() + 1);
    // The same bundle again, from a pipe: a replay, a success with nothing to do.
    let out = walk.line(b, IMPORT_STDIN).ok();
    assert!(
        out.stdout
            .starts_with("Bundle - from site site-us-east-1: already imported: nothing to do\n"),
        "{}",
        out.stdout
    );
    // "(testing only)": the document's config requires signatures and does
    // not skip them for trusted sites, so the flag is refused, naming both keys.
    walk.line(b, IMPORT_SKIP_SIGNATURE).code(5).stderr_is(
        "error: --skip-signature is not allowed here: Federation.RequireSignature is on and FederationImport.SkipSignatureOnTrustedSites is off\n",
    );
    assert_eq!(b.canonicals().len(), before.len() + 1);
}

/// "Verify Sync State": status, history, one canonical.
pub fn verify_sync_state(walk: &Walk) {
    let b = &walk.b;
    let out = walk.line(b, SITES_STATUS).ok();
    assert!(
        out.stdout
            .starts_with("Site: site-us-east-1\nStatus: disabled\n"),
        "{}",
        out.stdout
    );
    let rows = |out: &Outcome| out.stdout.lines().count() - 1;
    let ten = walk.line(b, HISTORY_10).ok();
    let five = walk.line(b, HISTORY_5).ok();
    assert!(ten.stdout.starts_with("IMPORTED AT "), "{}", ten.stdout);
    assert_eq!((rows(&ten), rows(&five)), (6, 5), "{}", ten.stdout);
    // The document's placeholder as written is not a merge hash: a usage
    // error naming the form; filled in with a real one, the canonical.
    let out = walk.line(b, CANONICAL_GET).code(2);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    let row: serde_json::Value = serde_json::from_str(&b.canonicals()[0]).unwrap();
    let hash = row["canonical"]["merge_hash"].as_str().unwrap().to_owned();
    let out = walk
        .filled(b, CANONICAL_GET, &[("sha256:mergehash...", &hash)])
        .ok();
    assert!(
        out.stdout.starts_with(&format!("Merge hash: {hash}\n")),
        "{}",
        out.stdout
    );
}

/// The export cursor of `./bundle.zst` at `site`, from `validate --json`.
fn bundle_cursor(site: &Site) -> String {
    let json = site.json(&["feedser", "bundle", "validate", "./bundle.zst", "--json"]);
    json["export_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{json}"))
        .to_owned()
}
