//! `Federation.Enabled` as the document writes it (issue #22 item 1).

use crate::harness::*;

/// "Configure federation in `concelier.yaml`: Federation: Enabled: …".
/// With `Enabled: false` the bundle commands and the HTTP API refuse,
/// naming the key; ingest and the local views still work.
#[test]
fn federation_enabled_false_stops_the_bundle_commands() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("bundle.zst", &[]);
    let bundle = bundle.to_str().unwrap();
    for site in [&a, &b] {
        let path = site.home().join("concelier.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("  Enabled: true\n"), "{text}");
        std::fs::write(
            &path,
            text.replace("  Enabled: true\n", "  Enabled: false\n"),
        )
        .unwrap();
    }
    let refusal = |site: &Site| {
        format!(
            "error: federation is disabled: Federation.Enabled is false in `{}`; set it to true to export, import or validate bundles and to serve the HTTP API\n",
            site.home().join("concelier.yaml").display()
        )
    };
    let lines: [(&Site, &[&str]); 5] = [
        (
            &a,
            &["feedser", "bundle", "export", "-o", "./full-sync.zst"],
        ),
        (&b, &["feedser", "bundle", "import", bundle]),
        (&b, &["feedser", "bundle", "import", bundle, "--dry-run"]),
        (&b, &["feedser", "bundle", "validate", bundle]),
        (&b, &["feedser", "serve", "--listen", "127.0.0.1:0"]),
    ];
    for (site, args) in lines {
        site.cmd(args).code(3).stderr_is(&refusal(site));
    }
    assert!(!a.path("full-sync.zst").exists());
    assert!(b.canonicals().is_empty());
    // What does not federate still works.
    b.cmd(&["feedser", "sites", "list"]).ok();
    a.cmd(&["feedser", "canonical", "list"]).ok();
}
