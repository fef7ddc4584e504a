use crate::harness::*;

fn export_to_stdout_imports_from_stdin(store: Backend) {
    let (a, b) = federated_pair(store);
    let export = a.cmd(&["feedser", "bundle", "export", "-o", "-"]).ok();
    assert!(export.stderr.starts_with("Wrote -\n"), "{}", export.stderr);
    let bytes = export.stdout_bytes;
    assert_eq!(&bytes[..4], &[0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
    let out = b
        .run(&["feedser", "bundle", "import", "-"])
        .stdin(bytes.clone())
        .go()
        .ok();
    assert!(
        out.stdout
            .starts_with("Bundle - from site site-a: imported\n"),
        "{}",
        out.stdout
    );
    assert_same(&b.canonicals(), &a.canonicals(), "B against A");
    // The same bytes as a file give the same bundle hash as the pipe did.
    let file = a.export("same.tar.zst", &[]);
    assert_eq!(std::fs::read(file).unwrap(), bytes);
}

fn validate_reads_stdin(store: Backend) {
    let (a, b) = federated_pair(store);
    let bytes = a
        .cmd(&["feedser", "bundle", "export", "-o", "-"])
        .ok()
        .stdout_bytes;
    let out = b
        .run(&["feedser", "bundle", "validate", "-"])
        .stdin(bytes)
        .go()
        .ok();
    assert!(
        out.stdout.ends_with("Ready for import.\n"),
        "{}",
        out.stdout
    );
}

fn empty_stdin_is_a_bundle_error(store: Backend) {
    let (_a, b) = federated_pair(store);
    let out = b
        .run(&["feedser", "bundle", "import", "-"])
        .stdin(Vec::new())
        .go()
        .code(4);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(b.canonicals().is_empty());
}

fn closed_stdout_pipe_is_not_a_failure(store: Backend) {
    let (a, _b) = federated_pair(store);
    let mut child = std::process::Command::new(BIN)
        .args([
            "--home",
            a.home().to_str().unwrap(),
            "feedser",
            "canonical",
            "list",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

crate::on_both_stores!(
    export_to_stdout_imports_from_stdin,
    validate_reads_stdin,
    empty_stdin_is_a_bundle_error,
    closed_stdout_pipe_is_not_a_failure,
);
