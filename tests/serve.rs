//! `feedser serve` over real sockets: the real binary on a free loopback
//! port, spoken to with hand-written HTTP/1.1 (no client crate).

mod api;
mod limits;
mod load;
mod protocol;
mod startup;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::*;

/// The keys of an import's JSON answer (`bundle import --json`, HTTP).
pub const IMPORT_KEYS: [&str; 13] = [
    "already_imported",
    "bundle_hash",
    "conflicts",
    "counts",
    "dry_run",
    "duration_ms",
    "forced",
    "imported_cursor",
    "signature_skipped",
    "signer_key_id",
    "since_cursor",
    "site_id",
    "success",
];

/// The keys of a JSON object, sorted.
pub fn sorted_keys(value: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// Starts `stella feedser serve` for `site` on a free loopback port with
/// `extra` flags; its address is read off the first stdout line, which
/// starts with `scheme` (`http://` or `https://`). Stderr goes to a file.
pub fn spawn(site: &Site, extra: &[&str], scheme: &str) -> (Child, SocketAddr, std::path::PathBuf) {
    let stderr = site.path(&format!("serve-{}.err", nanos()));
    let mut child = Command::new(BIN)
        .arg("--home")
        .arg(site.home())
        .args(["feedser", "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("STELLA_HOME")
        .env_remove("STELLA_API_TOKEN_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("spawn stella feedser serve");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix(scheme)
        .unwrap_or_else(|| panic!("first stdout line: {line:?}"))
        .parse()
        .unwrap();
    (child, addr, stderr)
}

/// A running `stella feedser serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    stderr: std::path::PathBuf,
}

impl Server {
    pub fn start(site: &Site, extra: &[&str]) -> Server {
        let (child, addr, stderr) = spawn(site, extra, "http://");
        Server {
            child,
            addr,
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB (`VmRSS` of /proc/PID/status).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Sends SIGTERM to this server and returns its exit code and stderr.
    pub fn terminate(mut self) -> (i32, String) {
        let pid = self.pid().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        let stderr = std::fs::read_to_string(&self.stderr).unwrap();
        (status.code().unwrap_or(-1), stderr)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n"));
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: t\r\n{}Connection: close\r\n\r\n",
            auth.unwrap_or_default()
        );
        self.raw(head.as_bytes())
    }

    /// POSTs a bundle to the import endpoint with `query`.
    pub fn import(&self, query: &str, body: &[u8], token: Option<&str>) -> Reply {
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n"));
        let head = format!(
            "POST /api/v1/federation/import{query} HTTP/1.1\r\nHost: t\r\n{}Content-Type: application/zstd\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            auth.unwrap_or_default(),
            body.len()
        );
        self.raw(&[head.as_bytes(), body].concat())
    }

    /// Sends `bytes` on a new connection and reads one reply.
    pub fn raw(&self, bytes: &[u8]) -> Reply {
        let mut stream = self.connect();
        stream.write_all(bytes).unwrap();
        read_reply(&mut BufReader::new(stream))
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads exactly one response (Content-Length or chunked).
pub fn read_reply(reader: &mut BufReader<TcpStream>) -> Reply {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .unwrap_or_else(|| panic!("status line: {line:?}"))
        .parse()
        .unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if reply.header("transfer-encoding") == Some("chunked") {
        reply.body = read_chunked(reader);
    } else {
        let len: usize = reply
            .header("content-length")
            .unwrap_or("0")
            .parse()
            .unwrap();
        reply.body = vec![0; len];
        reader.read_exact(&mut reply.body).unwrap();
    }
    reply
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// A token file with mode 0600 beside `site`'s home.
pub fn token_file(site: &Site, token: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = site.path("api.token");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}
