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
        out.stdout.contains("\n\nReady for import.\n"),
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

/// A named pipe (or a device such as `/dev/null`) given to `-o` is written
/// into, not replaced by a file renamed over it. (The test uses a FIFO: a
/// regression must not be able to replace the machine's `/dev/null`.)
fn export_into_a_fifo_writes_through_it(store: Backend) {
    use std::os::unix::fs::FileTypeExt;
    let a = site_with_data(store);
    let fifo = a.path("bundle.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || tx.send(std::fs::read(path).unwrap()));
    let out = a
        .cmd(&["feedser", "bundle", "export", "-o", fifo.to_str().unwrap()])
        .ok();
    assert!(out.stdout.starts_with("Wrote "), "{}", out.stdout);
    let through = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the bundle came through the pipe");
    let kind = std::fs::metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe is still a pipe");
    let file = a.export("same.tar.zst", &[]);
    assert_eq!(through, std::fs::read(file).unwrap());
}

crate::on_both_stores!(
    export_to_stdout_imports_from_stdin,
    export_into_a_fifo_writes_through_it,
    validate_reads_stdin,
    empty_stdin_is_a_bundle_error,
    closed_stdout_pipe_is_not_a_failure,
);
