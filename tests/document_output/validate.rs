//! `bundle validate` prints the document's "Validate Bundle Without
//! Import" block: ✓ for a check passed, ✗ and the reason for one failed,
//! – for one skipped by policy; `--json` carries each check's status.

use super::{T0, at};
use crate::harness::*;

/// A with 1,234 generated canonicals (and 12 tombstones) at T0, and B
/// trusting A; A's full export lies in B's directory as `bundle.zst`.
fn generated_pair(store: Backend) -> (Site, Site, serde_json::Value) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let generate = ["dev", "gen-data", "--count", "1234", "--deletions", "12"];
    at(&a, T0, &generate).ok();
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    let out = b.path("bundle.zst");
    let args = [
        "feedser",
        "bundle",
        "export",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ];
    let report = a.cmd(&args).ok().json();
    (a, b, report["bundles"][0].clone())
}

/// "Validate Bundle Without Import": `stella feedser bundle validate
/// ./bundle.zst` prints the document's block, line for line.
fn validate_prints_the_documents_block(store: Backend) {
    let (_a, b, bundle) = generated_pair(store);
    let out = b
        .cmd(&["feedser", "bundle", "validate", "./bundle.zst"])
        .ok();
    let counts = &bundle["counts"];
    assert_eq!(counts["canonicals"], 1234);
    assert_eq!(counts["deletions"], 12);
    let edges = counts["edges"].as_u64().unwrap();
    let total = counts["total"].as_u64().unwrap();
    assert!(edges > 1000 && total == 1234 + 12 + edges, "{counts}");
    out.stdout_is(&format!(
        "Bundle: bundle.zst\n\
         Version: feedser-bundle/1.1\n\
         Site: site-a\n\
         Cursor: {cursor}\n\
         Counts:\n  \
           Canonicals: 1,234\n  \
           Edges: {edges}\n  \
           Deletions: 12\n  \
           Total: {total}\n\
         Verification:\n  \
           Hash: ✓ Valid\n  \
           Signature: ✓ Valid (key: {key})\n  \
           Format: ✓ Valid\n\
         \n\
         Ready for import.\n\
         Bundle hash: {hash}\n\
         Since: full export\n",
        cursor = bundle["export_cursor"].as_str().unwrap(),
        edges = thousands(edges),
        total = thousands(total),
        key = bundle["signer_key_id"].as_str().unwrap(),
        hash = bundle["bundle_hash"].as_str().unwrap(),
    ));
    let json = b.json(&["feedser", "bundle", "validate", "./bundle.zst", "--json"]);
    assert_eq!(json["path"], "./bundle.zst");
    assert_eq!(json["hash"]["status"], "valid");
    assert_eq!(json["format"]["status"], "valid");
    assert_eq!(json["signature"]["status"], "valid");
    let key = bundle["signer_key_id"].as_str().unwrap();
    assert_eq!(json["signature"]["detail"], format!("key: {key}"));
    assert_eq!(json["counts"], bundle["counts"]);
    assert_eq!(json["success"], true);
}

/// `1234567` → `1,234,567`, as the document writes `Total: 4,702`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A signature by a key B does not trust: `Signature: ✗ <reason>` on the
/// failing line, the reason again under "Not ready", and exit 5 as before.
fn validate_marks_a_failed_signature(store: Backend) {
    let a = site_with_data(store);
    let b = Site::on(store, "site-b");
    let other = Site::on(store, "site-a");
    b.trust(&a, &other.with_key());
    let bundle = a.export("bundle.zst", &[]);
    let out = b
        .cmd(&["feedser", "bundle", "validate", bundle.to_str().unwrap()])
        .code(5);
    let text = redact(&out.stdout);
    // The reason's own wording belongs to the troubleshooting table; here,
    // where it goes: on the failing line, and again under "Not ready".
    let line = text
        .lines()
        .find(|l| l.starts_with("  Signature: "))
        .unwrap();
    let reason = line
        .strip_prefix("  Signature: ✗ ")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        reason.starts_with("Signature verification failed"),
        "{text}"
    );
    let expected_tail = format!(
        "Verification:\n  Hash: ✓ Valid\n  Signature: ✗ {reason}\n  Format: ✓ Valid\n\nNot ready for import:\n  - {reason}\nBundle hash: sha256:<hash>\nSince: full export\n"
    );
    assert!(text.ends_with(&expected_tail), "{text}");
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "one error line: {}",
        out.stderr
    );
    let args = [
        "feedser",
        "bundle",
        "validate",
        bundle.to_str().unwrap(),
        "--json",
    ];
    let json = b.cmd(&args).code(5).json();
    assert_eq!(json["signature"]["status"], "invalid");
    assert_eq!(json["success"], false);
}

/// An unsigned bundle where signatures are optional: the signature line
/// says it was skipped by policy, and the bundle is ready.
fn validate_says_when_the_signature_was_skipped(store: Backend) {
    let (a, b) = federated_pair(store);
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("RequireSignature: true"), "{text}");
    std::fs::write(
        &config,
        text.replace("RequireSignature: true", "RequireSignature: false"),
    )
    .unwrap();
    let bundle = a.export("bundle.zst", &["--unsigned"]);
    let bundle = bundle.to_str().unwrap();
    let out = b.cmd(&["feedser", "bundle", "validate", bundle]).ok();
    assert!(
        out.stdout.contains(
            "  Signature: – Skipped (unsigned; this site does not require signatures)\n  Format: ✓ Valid\n\nReady for import.\n"
        ),
        "{}",
        out.stdout
    );
    let json = b.json(&["feedser", "bundle", "validate", bundle, "--json"]);
    assert_eq!(json["signature"]["status"], "skipped");
}

crate::on_both_stores!(
    validate_prints_the_documents_block,
    validate_marks_a_failed_signature,
    validate_says_when_the_signature_was_skipped,
);
