//! `feedser serve`: the federation HTTP API (see `crate::serve` for the
//! server itself and README "HTTP API" for the endpoints).
//!
//! Startup order: the admin's token file (refused when others can read
//! it; each site's own token is set with `sites policy ID --token-file`
//! and read at each request, see `app`), TLS files (refused when
//! unreadable, or the certificate is expired), listen address (refused off
//! loopback without a token, and with a token but without TLS unless
//! `--insecure-http`), bind, then the bound address as the first line of
//! stdout (`http://127.0.0.1:PORT`, or `https://…` with TLS, so
//! `--listen 127.0.0.1:0` can be used by scripts and tests), then serve
//! until SIGINT or SIGTERM. A signal cancels an import in flight (it rolls
//! back, answered 503), lets other requests finish, and the command exits
//! 0; a second signal ends the process at once.

mod app;
mod import;
mod read;
mod senders;
mod spool;

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::serve::{Limits, ServeError, Tls, TlsFiles, Token};
use crate::site::{Signals, now_millis};

#[derive(Debug, Args)]
pub struct Serve {
    /// Address to listen on; port 0 picks a free port (printed on stdout)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
    /// File holding the admin's bearer token (mode 0600); required off loopback
    #[arg(long, env = "STELLA_API_TOKEN_FILE", value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// TLS certificate (PEM; the server's first, then its chain); serves HTTPS
    #[arg(
        long,
        env = "STELLA_TLS_CERT_FILE",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// Private key of --tls-cert (PEM)
    #[arg(
        long,
        env = "STELLA_TLS_KEY_FILE",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// CA (PEM) that issues client certificates: each client must present one, and its subject CN is its site id
    #[arg(
        long,
        env = "STELLA_TLS_CLIENT_CA_FILE",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_client_ca: Option<PathBuf>,
    /// Allow a token over plain HTTP off loopback (only on a network you trust)
    #[arg(long, conflicts_with = "tls_cert")]
    insecure_http: bool,
    /// Requests run at once (a connection still sending its request head takes none)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,
    /// Connections open at once; beyond it a new connection is answered 503
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u16).range(1..=8192))]
    max_connections: u16,
    /// Connections open at once from one client address; beyond it, 503
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=8192))]
    max_connections_per_peer: u16,
    /// Seconds a client may take to send a request head, or between two reads of a body
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    read_timeout: u64,
    /// Key that signs exported bundles [default: the only federation key]
    #[arg(long, value_name = "NAME")]
    key: Option<String>,
    /// Passphrase file of an encrypted key
    #[arg(long, env = "STELLA_KEY_PASSPHRASE_FILE", value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

impl Serve {
    pub fn run(self, ctx: &Context) -> Result<()> {
        ctx.require_federation()?;
        let token = self.token_file.as_deref().map(Token::load).transpose()?;
        let tls = self.tls()?;
        let addr = resolve(&self.listen)?;
        if !addr.ip().is_loopback() {
            if token.is_none() {
                return Err(ServeError::NeedsToken { addr }.into());
            }
            if tls.is_none() && !self.insecure_http {
                return Err(ServeError::NeedsTls { addr }.into());
            }
        }
        let listener = TcpListener::bind(addr).map_err(|source| ServeError::Bind {
            addr: self.listen.clone(),
            source,
        })?;
        let bound = listener.local_addr().map_err(ServeError::Io)?;
        let signals = Signals::install()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        ctx.out.text(&format!("{scheme}://{bound}\n"))?;
        log::info!("listening on {scheme}://{bound}");
        let cancel = signals.cancel();
        let app = app::App::new(
            &ctx.site,
            token,
            cancel.clone(),
            self.key,
            self.passphrase_file,
        );
        let limits = Limits {
            workers: usize::from(self.workers),
            max_connections: usize::from(self.max_connections),
            max_per_peer: usize::from(self.max_connections_per_peer),
            read_timeout: Duration::from_secs(self.read_timeout),
            ..Limits::default()
        };
        let stop = || cancel.requested();
        crate::serve::serve(&listener, &app, &limits, tls.as_ref(), &stop)?;
        if let Some(stopped) = signals.interrupted() {
            let signal = match stopped {
                crate::error::Error::Interrupted { signal } => signal,
                _ => "a signal",
            };
            log::warn!("stopped by {signal}");
        }
        Ok(())
    }

    /// The TLS setup, when `--tls-cert` (and so `--tls-key`) is given.
    fn tls(&self) -> Result<Option<Tls>, ServeError> {
        let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) else {
            return Ok(None);
        };
        let files = TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
            client_ca: self.tls_client_ca.clone(),
        };
        let now = jiff::Timestamp::from_millisecond(now_millis())
            .unwrap_or_else(|_| jiff::Timestamp::now());
        let tls = Tls::load(&files, now)?;
        log::debug!("TLS certificate valid until {}", tls.not_after);
        Ok(Some(tls))
    }
}

fn resolve(listen: &str) -> Result<SocketAddr, ServeError> {
    let err = |detail: String| ServeError::Address {
        addr: listen.to_owned(),
        detail,
    };
    let mut addrs = listen.to_socket_addrs().map_err(|e| err(e.to_string()))?;
    addrs
        .next()
        .ok_or_else(|| err("it resolves to no address".to_owned()))
}
