//! Hostile bundles through the real binary. Each bundle is hand-made
//! (`craft`) and differs from a valid bundle signed by a trusted key only by
//! the one attack it makes; each must be refused by `feedser bundle import`
//! with its own exit code and exact message, leaving the store untouched:
//! no canonicals, no ledger row, nothing left in `staging/`.

mod archive;
mod compression;
mod craft;
mod json;
mod rows;
mod signature;

use crate::harness::*;
use craft::Craft;

/// A site that trusts the test key for `site-a`.
pub fn receiver() -> Site {
    let b = Site::new("site-b");
    b.trust(
        &Site::uninitialized("site-a"),
        &fixture("keys/test-federation.pub.pem"),
    );
    b
}

/// Imports `bundle` at `b`; returns the outcome.
pub fn import(b: &Site, bundle: &[u8]) -> Outcome {
    let path = b.path("hostile.tar.zst");
    std::fs::write(&path, bundle).expect("write bundle");
    b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
}

/// Asserts the import fails with `code` and exactly `error: {message}`, and
/// that nothing was written.
#[track_caller]
pub fn refused(b: &Site, bundle: &[u8], code: i32, message: &str) {
    import(b, bundle)
        .code(code)
        .stderr_is(&format!("error: {message}\n"));
    assert_untouched(b);
    // validate refuses it too, with the same code, and says why.
    let path = b.path("hostile.tar.zst");
    let report = b
        .cmd(&["feedser", "bundle", "validate", path.to_str().unwrap()])
        .code(code);
    assert!(
        report.stdout.contains("Not ready for import:\n"),
        "{}",
        report.stdout
    );
    assert_untouched(b);
}

#[track_caller]
pub fn assert_untouched(b: &Site) {
    assert_eq!(b.canonicals(), Vec::<String>::new(), "canonical list");
    b.cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout_is("IMPORTED AT  CURSOR  ITEMS  CREATED/UPDATED/SKIPPED  DELETED  STALE/ECHO  CONFLICTS  BUNDLE HASH  FLAGS  REASON\n");
    let staged: Vec<_> = std::fs::read_dir(b.home().join("staging"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "left in staging: {staged:?}");
}

#[test]
fn craft_rebuilds_the_test_vector() {
    let mut c = Craft::vector();
    c.since_cursor = Some("2025-01-14T00:00:00.000Z#0007".into());
    let vector = std::fs::read(fixture("bundles/vector-1.tar.zst")).unwrap();
    assert!(c.bundle() == vector, "the hand-made vector differs");
    assert_eq!(
        craft::key_id(&craft::test_key()),
        "sha256:c4bdfaf3ec0e74e4284130768d0c985408506bfd47e6b32b5525686a74e619f3"
    );
}

#[test]
fn the_unattacked_crafted_bundle_imports() {
    let b = receiver();
    import(&b, &Craft::vector().bundle()).ok();
    assert_eq!(b.canonicals().len(), 3);
    let history = b.cmd(&["feedser", "sites", "history", "site-a"]).ok();
    assert_eq!(history.stdout.lines().count(), 2, "{}", history.stdout);
}
