//! Starting and stopping: refusals at startup, and a clean SIGTERM.

use super::*;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn refuses_to_listen_off_loopback_without_a_token() {
    let b = Site::new("site-b");
    b.cmd(&["feedser", "serve", "--listen", "0.0.0.0:0"])
        .code(2)
        .stderr_is("error: refusing to listen on `0.0.0.0:0` without a token: the API would be open to the network; pass --token-file FILE, or listen on 127.0.0.1\n");
}

#[test]
fn refuses_a_token_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let b = Site::new("site-b");
    let path = token_file(&b, TOKEN);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = b
        .cmd(&["feedser", "serve", "--token-file", path.to_str().unwrap()])
        .code(3);
    assert_eq!(
        out.stderr,
        format!(
            "error: the token file `{0}` can be read by other users (mode 0644): run `chmod 600 {0}`\n",
            path.display()
        )
    );
    assert!(!out.stderr.contains(TOKEN));
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let addr = server.addr;
    assert_eq!(server.get("/healthz", None).status, 200);
    let (code, stderr) = server.terminate();
    assert_eq!(code, 0);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(
        lines[0],
        format!("stella: info: listening on http://{addr}")
    );
    assert!(lines[1].starts_with("stella: info: GET /healthz 200 peer=127.0.0.1:"));
    assert_eq!(lines[2], "stella: warn: stopped by SIGTERM");
}
