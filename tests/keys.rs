use std::os::unix::fs::PermissionsExt;

use crate::harness::*;

/// A file beside the home that only its owner can read (0600).
fn private_file(site: &Site, name: &str, text: &str) -> std::path::PathBuf {
    let path = site.path(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

#[test]
fn generate_list_and_export_public() {
    let site = Site::new("site-a");
    let out = site
        .cmd(&[
            "authority",
            "keys",
            "generate",
            "--name",
            "fed",
            "--algorithm",
            "ES256",
            "--purpose",
            "federation",
        ])
        .ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "generated ES256 key `fed` for federation");
    assert!(
        lines[1].starts_with("key id: sha256:") && lines[1].len() == "key id: sha256:".len() + 64,
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "public key: stella authority keys export fed --public"
    );
    let key_id = lines[1].trim_start_matches("key id: ").to_owned();

    let private = site.home().join("keys/fed.key.pem");
    assert_eq!(
        std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let private_text = std::fs::read_to_string(&private).unwrap();

    let pem = site
        .cmd(&["authority", "keys", "export", "fed", "--public"])
        .ok()
        .stdout;
    assert!(
        pem.starts_with("-----BEGIN PUBLIC KEY-----\n")
            && pem.ends_with("-----END PUBLIC KEY-----\n"),
        "{pem}"
    );

    let list = site
        .cmd(&["authority", "keys", "list", "--json"])
        .ok()
        .json();
    assert_eq!(list[0]["name"], "fed");
    assert_eq!(list[0]["key_id"], key_id.as_str());
    assert_eq!(list[0]["algorithm"], "ES256");
    // The private key is never printed by any of these.
    for out in [&out.stdout, &pem] {
        assert!(!out.contains("PRIVATE KEY"));
        assert!(!out.contains(private_text.lines().nth(1).unwrap()));
    }
}

#[test]
fn private_export_is_refused() {
    let site = Site::new("site-a");
    site.with_key();
    site.cmd(&["authority", "keys", "export", "fed"])
        .code(2)
        .stderr_is("error: private keys are never exported: pass --public for the public key\n");
}

#[test]
fn other_algorithms_are_a_clear_error() {
    let site = Site::new("site-a");
    let out = site
        .cmd(&[
            "authority",
            "keys",
            "generate",
            "--name",
            "k",
            "--algorithm",
            "RS256",
        ])
        .code(11);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("RS256") && out.stderr.contains("ES256"),
        "{}",
        out.stderr
    );
    assert!(!site.home().join("keys/k.key.pem").exists());
}

#[test]
fn encrypted_key_needs_its_passphrase_to_sign() {
    let site = Site::new("site-a");
    let pass = private_file(&site, "pass.txt", "correct horse\n");
    let pass = pass.to_str().unwrap();
    site.cmd(&[
        "authority",
        "keys",
        "generate",
        "--name",
        "fed",
        "--passphrase-file",
        pass,
    ])
    .ok();
    let pem = std::fs::read_to_string(site.home().join("keys/fed.key.pem")).unwrap();
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );
    site.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();

    let wrong = private_file(&site, "wrong.txt", "wrong\n");
    let out = site
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            "b.tar.zst",
            "--passphrase-file",
            wrong.to_str().unwrap(),
        ])
        .code(11);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(!site.path("b.tar.zst").exists());

    site.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-o",
        "b.tar.zst",
        "--passphrase-file",
        pass,
    ])
    .ok();
    assert!(site.path("b.tar.zst").is_file());
}

/// Issue #28: an empty passphrase was accepted and the key reported as
/// "encrypted"; a passphrase file others can read, or one of any size, was
/// read silently. Each is now refused (exit 11) and no key is written.
#[test]
fn empty_open_and_oversized_passphrase_files_are_refused() {
    let site = Site::new("site-a");
    let generate = |pass: &std::path::Path| {
        site.cmd(&[
            "authority",
            "keys",
            "generate",
            "--name",
            "fed",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ])
    };
    let empty = private_file(&site, "empty.txt", "\n");
    generate(&empty).code(11).stderr_is(&format!(
        "error: the passphrase file `{}` is empty: write the passphrase on its first line (an empty passphrase would not protect the key)\n",
        empty.display()
    ));
    let open = private_file(&site, "open.txt", "correct horse\n");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    generate(&open).code(11).stderr_is(&format!(
        "error: the passphrase file `{0}` can be read by other users (mode 0644): run `chmod 600 {0}`\n",
        open.display()
    ));
    let huge = private_file(&site, "huge.txt", &"x".repeat(5000));
    generate(&huge).code(11).stderr_is(&format!(
        "error: the passphrase file `{}` is over 4096 bytes: it must hold only the passphrase, on one line\n",
        huge.display()
    ));
    assert!(!site.home().join("keys/fed.key.pem").exists());
    site.cmd(&["authority", "keys", "list", "--json"])
        .ok()
        .stdout_is("[]\n");
}
