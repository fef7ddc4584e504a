//! One condition, one code (#22): a bundle over a size limit, a revoked
//! key, a truncated copy of an imported bundle, staging space and leftovers,
//! and the words the HTTP API uses, each with its exact exit code and text.

use std::path::{Path, PathBuf};

use crate::harness::*;

/// B trusting A (which has data and a key), and A's full bundle.
fn setup(store: Backend) -> (Site, Site, PathBuf) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    (a, b, bundle)
}

/// Sets B's `FederationImport.MaxBundleSizeBytes`.
fn config_cap(b: &Site, bytes: u64) {
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let capped = text.replace(
        "MaxBundleSizeBytes: 104857600",
        &format!("MaxBundleSizeBytes: {bytes}"),
    );
    assert_ne!(capped, text);
    std::fs::write(&config, capped).unwrap();
}

/// The names in a directory of the home (none when it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `bundle import` and `bundle validate`, of the file and of stdin.
fn four_paths(b: &Site, bundle: &Path) -> [Outcome; 4] {
    let file = bundle.to_str().unwrap();
    let bytes = std::fs::read(bundle).unwrap();
    let stdin = |verb: &str| {
        b.run(&["feedser", "bundle", verb, "-"])
            .stdin(bytes.clone())
            .go()
    };
    [
        b.cmd(&["feedser", "bundle", "import", file]),
        stdin("import"),
        b.cmd(&["feedser", "bundle", "validate", file]),
        stdin("validate"),
    ]
}

const CONFIG_LIMIT: &str = "over the 5000-byte limit of this site's config (FederationImport.MaxBundleSizeBytes); raise FederationImport.MaxBundleSizeBytes in the config, or ask the sending site for smaller bundles (`bundle export --max-items N`)";

const SITE_LIMIT: &str = "over the 100-byte limit of site `site-a` (sites policy --max-bundle-size); raise it with `stella feedser sites policy site-a --max-bundle-size SIZE`, or ask the sending site for smaller bundles (`bundle export --max-items N`)";

/// Over the config's cap: exit 6 and the one message on every path; a
/// stream is cut at the cap, so it says "more than". A bundle that is
/// only too large is not corrupt: nothing is quarantined.
fn over_the_config_cap_is_one_refusal_on_every_path(store: Backend) {
    let (_a, b, bundle) = setup(store);
    config_cap(&b, 5000);
    let size = std::fs::metadata(&bundle).unwrap().len();
    let file = format!("Bundle too large: the bundle is {size} bytes, {CONFIG_LIMIT}\n");
    let stream = format!("Bundle too large: the bundle is more than 5000 bytes, {CONFIG_LIMIT}\n");
    let [import, import_stdin, validate, validate_stdin] = four_paths(&b, &bundle);
    import.code(6).stderr_is(&format!("error: {file}"));
    import_stdin.code(6).stderr_is(&format!("error: {stream}"));
    validate
        .code(6)
        .stderr_is(&format!("error: bundle would not import: {file}"));
    validate_stdin
        .code(6)
        .stderr_is(&format!("error: bundle would not import: {stream}"));
    // Cut at the cap, the stream's format was not checked, not found invalid.
    let report = b
        .run(&["feedser", "bundle", "validate", "-", "--json"])
        .stdin(std::fs::read(&bundle).unwrap())
        .go()
        .code(6)
        .json();
    assert_eq!(report["format"]["status"], "not_checked", "{report}");
    assert_eq!(report["format"]["detail"], stream.trim_end(), "{report}");
    assert_eq!(entries(&b.home().join("quarantine")), Vec::<String>::new());
    assert_eq!(entries(&b.home().join("staging")), Vec::<String>::new());
    assert!(b.canonicals().is_empty());
}

/// Over the site's own cap: the same on every path, stdin included (read
/// to its end within the config's cap, so its size is exact).
fn over_the_site_cap_is_one_refusal_on_every_path(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let policy = ["feedser", "sites", "policy", "site-a"];
    b.cmd(&[&policy[..], &["--max-bundle-size", "100"]].concat())
        .ok();
    let size = std::fs::metadata(&bundle).unwrap().len();
    let message = format!("Bundle too large: the bundle is {size} bytes, {SITE_LIMIT}\n");
    let [import, import_stdin, validate, validate_stdin] = four_paths(&b, &bundle);
    import.code(6).stderr_is(&format!("error: {message}"));
    import_stdin.code(6).stderr_is(&format!("error: {message}"));
    for out in [validate, validate_stdin] {
        out.code(6)
            .stderr_is(&format!("error: bundle would not import: {message}"));
    }
    assert_eq!(entries(&b.home().join("quarantine")), Vec::<String>::new());
    assert!(b.canonicals().is_empty());
}

/// The key a site's policy lists first: (key id, revoked at).
fn first_key(b: &Site) -> (String, Option<String>) {
    let policy = b.json(&["feedser", "sites", "policy", "site-a", "--json"]);
    let key = &policy["keys"][0];
    let revoked = key["revoked_at"].as_str().map(str::to_owned);
    (key["key_id"].as_str().unwrap().to_owned(), revoked)
}

/// A revoked key is named as revoked, can be trusted again, and revoking a
/// key the site does not have is "not found" (12), changing nothing.
fn a_revoked_key_is_named_and_can_be_trusted_again(store: Backend) {
    let (a, b, bundle) = setup(store);
    let (key_id, _) = first_key(&b);
    let policy = ["feedser", "sites", "policy", "site-a"];
    b.cmd(&[&policy[..], &["--revoke-key", &key_id]].concat())
        .ok();
    let (_, revoked_at) = first_key(&b);
    let revoked_at = revoked_at.expect("revoked");
    let file = bundle.to_str().unwrap();
    b.cmd(&["feedser", "bundle", "import", file]).code(5).stderr_is(&format!(
        "error: Signature verification failed for site `site-a`: key `{key_id}` was revoked for this site at {revoked_at}; ask site `site-a` to sign with a key this site trusts, or trust the key again with `stella feedser sites policy site-a --add-key PUB.pem`\n"
    ));
    b.cmd(&[&policy[..], &["--enabled", "false", "--revoke-key", "sha256:0000"]].concat())
        .code(12)
        .stderr_is("error: key `sha256:0000` is not a key of site `site-a`: `stella feedser sites policy site-a` lists its keys\n");
    let site = b.json(&["feedser", "sites", "policy", "site-a", "--json"]);
    assert_eq!(site["enabled"], true, "nothing changed: {site}");
    let pem = a.path("site-a.pub.pem");
    let out = b.cmd(&[&policy[..], &["--add-key", pem.to_str().unwrap()]].concat());
    assert!(
        out.ok()
            .stdout
            .ends_with(&format!("Keys:\n  {key_id} (trusted)\n"))
    );
    assert_eq!(first_key(&b), (key_id, None));
    b.cmd(&["feedser", "bundle", "import", file]).ok();
    assert!(!b.canonicals().is_empty());
}

/// Only the same bytes are "already imported": a truncated copy of an
/// imported bundle is refused as truncated.
fn a_truncated_copy_of_an_imported_bundle_is_not_already_imported(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let file = bundle.to_str().unwrap();
    b.cmd(&["feedser", "bundle", "import", file]).ok();
    let bytes = std::fs::read(&bundle).unwrap();
    let cut = b.path("cut.tar.zst");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let out = b
        .cmd(&["feedser", "bundle", "validate", cut.to_str().unwrap()])
        .code(4)
        .stderr_is("error: bundle would not import: truncated bundle: the input ended early; fetch the bundle again\n");
    assert!(!out.stdout.contains("lready imported"), "{}", out.stdout);
    let same = b.cmd(&["feedser", "bundle", "validate", file]).ok();
    assert!(
        same.stdout.contains("Already imported at "),
        "{}",
        same.stdout
    );
}

/// The sizes a bundle's manifest declares for its members.
fn member_bytes(bundle: &Path) -> u64 {
    let tar = zstd::decode_all(std::fs::File::open(bundle).unwrap()).unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let mut manifest = archive
        .entries()
        .unwrap()
        .flatten()
        .find(|e| e.path().unwrap().to_str() == Some("MANIFEST.json"))
        .expect("a manifest");
    let json: serde_json::Value = serde_json::from_reader(&mut manifest).unwrap();
    let files = json["files"].as_array().unwrap();
    files.iter().map(|f| f["size"].as_u64().unwrap()).sum()
}

/// Too little free space in `staging/` is refused before a byte is staged,
/// with both numbers; nothing is left behind, nothing quarantined.
fn too_little_staging_space_is_refused_up_front(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let needs = member_bytes(&bundle);
    let staging = b.home().join("staging");
    let out = b
        .run(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .env("STELLA_TEST_FREE_BYTES", "1000")
        .go();
    out.code(1).stderr_is(&format!(
        "error: not enough free space to stage the bundle: needs {} KB in `{}`, 1000 bytes free; free some space there and import again\n",
        needs.div_ceil(1024),
        staging.display()
    ));
    assert_eq!(entries(&staging), Vec::<String>::new());
    assert_eq!(entries(&b.home().join("quarantine")), Vec::<String>::new());
    let journal = b.json(&["feedser", "journal", "status", "--json"]);
    assert_eq!(journal[0]["state"], "refused", "{journal}");
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
}

/// A bundle refused by verification (a changed byte) or by the store
/// leaves nothing in `staging/`.
fn a_failed_import_leaves_no_staging_files(store: Backend) {
    let (a, b, bundle) = setup(store);
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes.len() - 200;
    bytes[at] ^= 0x55;
    let changed = b.path("changed.tar.zst");
    std::fs::write(&changed, &bytes).unwrap();
    let out = b.cmd(&["feedser", "bundle", "import", changed.to_str().unwrap()]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert_eq!(entries(&b.home().join("staging")), Vec::<String>::new());
    crate::store_refused::refuse_one_cve(&b);
    crate::store_refused::record(&a.path("osv-x"), "PYSEC-2099-1", "CVE-2099-0001");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        a.path("osv-x").to_str().unwrap(),
    ])
    .ok();
    let next = a.export("next.tar.zst", &[]);
    let out = b.cmd(&["feedser", "bundle", "import", next.to_str().unwrap()]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("error: the store refused"),
        "{}",
        out.stderr
    );
    assert_eq!(entries(&b.home().join("staging")), Vec::<String>::new());
}

crate::on_both_stores!(
    over_the_config_cap_is_one_refusal_on_every_path,
    over_the_site_cap_is_one_refusal_on_every_path,
    a_revoked_key_is_named_and_can_be_trusted_again,
    a_truncated_copy_of_an_imported_bundle_is_not_already_imported,
    too_little_staging_space_is_refused_up_front,
    a_failed_import_leaves_no_staging_files,
);

#[cfg(feature = "serve")]
mod http;
