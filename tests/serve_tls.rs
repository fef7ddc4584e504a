//! `feedser serve` over TLS (issue #26): a test CA and certificates made
//! here with rcgen (some expired, one from another CA), the real binary on
//! a free loopback port, and `curl` as the client.

mod api;
mod doctor;
mod mutual;
mod startup;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType, date_time_ymd,
};

use crate::harness::*;

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A certificate authority that writes PEM files into `dir`.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub cert: PathBuf,
    dir: PathBuf,
}

/// A certificate's two PEM files.
pub struct Pair {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Ca {
    pub fn new(dir: &Path, name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2090, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, cert.pem()).unwrap();
        Ca {
            issuer: Issuer::new(params, key),
            cert: path,
            dir: dir.to_owned(),
        }
    }

    /// A server certificate for `localhost` and 127.0.0.1, valid between the years.
    pub fn server(&self, name: &str, from: i32, until: i32) -> Pair {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        self.issue(name, params, from, until)
    }

    /// A client certificate whose subject CN is `site`.
    pub fn client(&self, name: &str, site: &str, from: i32, until: i32) -> Pair {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, site);
        self.issue(name, params, from, until)
    }

    fn issue(&self, name: &str, mut params: CertificateParams, from: i32, until: i32) -> Pair {
        params.not_before = date_time_ymd(from, 1, 1);
        params.not_after = date_time_ymd(until, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let pair = Pair {
            cert: self.dir.join(format!("{name}.crt")),
            key: self.dir.join(format!("{name}.key")),
        };
        std::fs::write(&pair.cert, cert.pem()).unwrap();
        std::fs::write(&pair.key, key.serialize_pem()).unwrap();
        pair
    }
}

/// A running `stella feedser serve` over TLS; killed when dropped.
pub struct TlsServer {
    child: Child,
    pub addr: SocketAddr,
    stderr: PathBuf,
    ca: PathBuf,
}

impl TlsServer {
    /// Serves `site` with `pair` (and `extra` flags); curl trusts `ca`.
    pub fn start(site: &Site, ca: &Ca, pair: &Pair, extra: &[&str]) -> TlsServer {
        let (cert, key) = (pair.cert.to_str().unwrap(), pair.key.to_str().unwrap());
        let mut args = vec!["--tls-cert", cert, "--tls-key", key];
        args.extend_from_slice(extra);
        let (child, addr, stderr) = crate::serve::spawn(site, &args, "https://");
        TlsServer {
            child,
            addr,
            stderr,
            ca: ca.cert.clone(),
        }
    }

    /// `curl` against `https://localhost:PORT{path}` trusting the test CA.
    pub fn curl(&self, path: &str, args: &[&str]) -> Curl {
        let url = format!("https://localhost:{}{path}", self.addr.port());
        let resolve = format!("localhost:{}:127.0.0.1", self.addr.port());
        let mut command = Command::new("curl");
        command
            .args(["-sS", "--max-time", "30", "--resolve", &resolve, "--cacert"])
            .arg(&self.ca)
            .args(["-w", "\n%{http_code}"])
            .args(args)
            .arg(url);
        Curl::run(command)
    }

    /// The server's stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What curl did: its exit code, the status (0: none), the body.
#[derive(Debug)]
pub struct Curl {
    pub code: i32,
    pub status: u16,
    pub body: String,
}

impl Curl {
    fn run(mut command: Command) -> Curl {
        let out = command.output().expect("run curl");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, status) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
        Curl {
            code: out.status.code().unwrap_or(-1),
            status: status.trim().parse().unwrap_or(0),
            body: body.to_owned(),
        }
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} not JSON ({e}): {}", self.status, self.body))
    }
}

/// Waits (bounded) until the server's stderr has `want` lines.
pub fn log_lines(server: &TlsServer, want: usize) -> Vec<String> {
    for _ in 0..100 {
        let lines: Vec<String> = server.stderr().lines().map(str::to_owned).collect();
        if lines.len() >= want {
            return lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("fewer than {want} log lines:\n{}", server.stderr());
}
