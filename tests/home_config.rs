use crate::harness::*;

#[test]
fn init_creates_a_home_with_config_store_and_private_keys_dir() {
    let site = Site::uninitialized("site-a");
    let out = site.cmd(&["init", "--site-id", "site-a"]).ok();
    assert_eq!(out.stdout, "");
    let home = site.home();
    assert_eq!(
        out.stderr,
        format!(
            "initialized stella home `{}` for site `site-a` (config `{}/concelier.yaml`)\n",
            home.display(),
            home.display()
        )
    );
    let config = std::fs::read_to_string(home.join("concelier.yaml")).unwrap();
    assert!(config.contains("SiteId: site-a"), "{config}");
    assert!(home.join("stella.db").is_file());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(home.join("keys"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn init_twice_is_refused_and_keeps_the_config() {
    let site = Site::new("site-a");
    let before = std::fs::read(site.home().join("concelier.yaml")).unwrap();
    let out = site.cmd(&["init", "--site-id", "site-b"]).code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: stella home `{0}` is already initialized (it has `{0}/concelier.yaml`); use another --home\n",
            site.home().display()
        )
    );
    assert_eq!(
        std::fs::read(site.home().join("concelier.yaml")).unwrap(),
        before
    );
}

#[test]
fn invalid_site_id_is_a_usage_error() {
    let site = Site::uninitialized("x");
    site.cmd(&["init", "--site-id", "../evil"]).code(2).stderr_is(
        "error: `../evil` is not a valid site id: 1 to 64 characters: letters, digits, `.`, `_` and `-`, starting with a letter or digit\n",
    );
    assert!(!site.home().exists());
}

#[test]
fn commands_need_an_initialized_home() {
    let site = Site::uninitialized("x");
    site.cmd(&["feedser", "sites", "list"]).code(3).stderr_is(&format!(
        "error: stella home `{}` is not initialized: run `stella init --site-id ID` or pass --home\n",
        site.home().display()
    ));
}

#[test]
fn stella_home_env_selects_the_home() {
    let site = Site::new("site-a");
    let out = std::process::Command::new(BIN)
        .args(["feedser", "sites", "list"])
        .env("STELLA_HOME", site.home())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "SITE ID  STATUS  LAST SYNC  CURSOR\n───────  ──────  ─────────  ──────\n"
    );
}

#[test]
fn seed_config_is_accepted_through_config_flag() {
    let site = Site::new("site-us-west-1");
    let config = site.path("seed.yaml");
    std::fs::write(
        &config,
        "Federation: { Enabled: true, SiteId: \"site-us-west-1\", DefaultCompressionLevel: 3,\n              DefaultMaxItems: 10000, RequireSignature: true }\nFederationImport: { AllowedSites: [\"site-us-east-1\"], MaxBundleSizeBytes: 104857600,\n                    SkipSignatureOnTrustedSites: false }\nLogging: { LogLevel: { StellaOps.Concelier.Federation: Debug } }\n",
    )
    .unwrap();
    let out = site
        .cmd(&[
            "--config",
            config.to_str().unwrap(),
            "feedser",
            "sites",
            "list",
        ])
        .ok();
    assert_eq!(
        out.stdout,
        "SITE ID  STATUS  LAST SYNC  CURSOR\n───────  ──────  ─────────  ──────\n"
    );
    // Debug logging from the config reaches stderr.
    assert!(
        out.stderr.contains("stella: debug: home `"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_config_key_names_file_line_and_column() {
    let site = Site::new("site-a");
    let config = site.home().join("concelier.yaml");
    std::fs::write(
        &config,
        "Federation:\n  SiteId: site-a\n  RequireSignatures: true\n",
    )
    .unwrap();
    site.cmd(&["feedser", "sites", "list"]).code(3).stderr_is(&format!(
        "error: invalid config file `{}`: line 3 column 3: unknown field `RequireSignatures`, expected one of Enabled, SiteId, DefaultCompressionLevel, DefaultMaxItems, RequireSignature, DatabaseSchema\n",
        config.display()
    ));
}

#[test]
fn unknown_subcommand_is_usage_exit_2() {
    let site = Site::new("site-a");
    let out = site.cmd(&["feedser", "frobnicate"]).code(2);
    assert!(
        out.stderr
            .starts_with("error: unrecognized subcommand 'frobnicate'"),
        "{}",
        out.stderr
    );
}

/// Issue #28: `RequireSignature: "no"` used to read as `false` and turn
/// signature checks off; a string where a boolean belongs is now an error.
#[test]
fn a_quoted_boolean_in_the_config_is_refused() {
    let site = Site::new("site-a");
    let config = site.home().join("concelier.yaml");
    std::fs::write(
        &config,
        "Federation:\n  SiteId: site-a\n  RequireSignature: \"no\"\n",
    )
    .unwrap();
    site.cmd(&["feedser", "sites", "list"]).code(3).stderr_is(&format!(
        "error: invalid config file `{}`: line 3 column 3: invalid type: string \"no\", expected `true` or `false`\n",
        config.display()
    ));
}
