//! TLS for the server: the rustls configuration built once at startup from
//! PEM files, and what stella reads from a certificate (its validity, and
//! the site id a client certificate is bound to).
//!
//! Invariants: only TLS 1.2 and 1.3 are offered, on the `ring` provider; a
//! server certificate that is expired (or not yet valid) is refused before
//! the server listens; with a client CA, every client must present a
//! certificate that chains to it, and the certificate's subject Common Name
//! is the site id the connection speaks for (a certificate without one is
//! refused at the handshake, see `tls_stream`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pki_types::pem::PemObject;
use pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use x509_cert::der::Decode;

/// The PEM files `feedser serve` was given.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// With it, clients must present a certificate issued by this CA.
    pub client_ca: Option<PathBuf>,
}

/// The server's TLS setup: what each connection's handshake uses.
#[derive(Clone, Debug)]
pub struct Tls {
    pub(super) config: Arc<ServerConfig>,
    /// Whether clients present certificates bound to a site id.
    pub mutual: bool,
    /// The server certificate's end of validity.
    pub not_after: jiff::Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` holds no PEM {what}: give a PEM file (`-----BEGIN {what}-----`)")]
    NoPem { path: PathBuf, what: &'static str },
    #[error("`{path}` is not valid PEM: {detail}")]
    BadPem { path: PathBuf, detail: String },
    #[error("`{path}` is not a readable X.509 certificate: {detail}")]
    BadCertificate { path: PathBuf, detail: String },
    #[error("the certificate in `{path}` expired at {not_after}: renew it")]
    Expired {
        path: PathBuf,
        not_after: jiff::Timestamp,
    },
    #[error("the certificate in `{path}` is not valid before {not_before}: check the clock")]
    NotYetValid {
        path: PathBuf,
        not_before: jiff::Timestamp,
    },
    #[error(
        "the certificate and key do not make a TLS setup ({detail}): check that `{key}` is the key of `{cert}`"
    )]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        detail: String,
    },
    #[error("the client CA in `{path}` cannot verify client certificates: {detail}")]
    ClientCa { path: PathBuf, detail: String },
}

/// What stella reads from one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    pub not_before: jiff::Timestamp,
    pub not_after: jiff::Timestamp,
    /// The subject's Common Name: a client certificate's site id.
    pub common_name: Option<String>,
}

impl CertificateInfo {
    /// Reads a DER certificate.
    pub fn parse(der: &[u8]) -> Result<CertificateInfo, String> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
        let tbs = cert.tbs_certificate();
        let at = |t: x509_cert::time::Time| {
            let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
            jiff::Timestamp::from_second(secs).map_err(|e| e.to_string())
        };
        let common_name = tbs.subject().common_name().map_err(|e| e.to_string())?;
        Ok(CertificateInfo {
            not_before: at(tbs.validity().not_before)?,
            not_after: at(tbs.validity().not_after)?,
            common_name: common_name.map(String::from),
        })
    }
}

/// The first certificate of a PEM file (the server's own, before its chain).
pub fn read_certificate(path: &Path) -> Result<CertificateInfo, TlsError> {
    let chain = certificates(path)?;
    CertificateInfo::parse(&chain[0]).map_err(|detail| TlsError::BadCertificate {
        path: path.to_owned(),
        detail,
    })
}

impl Tls {
    /// Reads the files and builds the configuration; refuses a server
    /// certificate that is not valid at `now`.
    pub fn load(files: &TlsFiles, now: jiff::Timestamp) -> Result<Tls, TlsError> {
        let info = read_certificate(&files.cert)?;
        check_validity(&files.cert, &info, now)?;
        let chain = certificates(&files.cert)?;
        let key = private_key(&files.key)?;
        let provider = Arc::new(provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| mismatch(files, e))?;
        let builder = match &files.client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => builder.with_client_cert_verifier(client_verifier(ca, provider)?),
        };
        let mut config = builder
            .with_single_cert(chain, key)
            .map_err(|e| mismatch(files, e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            config: Arc::new(config),
            mutual: files.client_ca.is_some(),
            not_after: info.not_after,
        })
    }
}

/// rustls' *ring* provider. Deprecated in rustls 0.23.48 only because it
/// has no post-quantum key exchange; the aws-lc-rs provider, which has
/// one, needs cmake to build, which stella's build hosts lack.
#[allow(deprecated)]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn check_validity(
    path: &Path,
    info: &CertificateInfo,
    now: jiff::Timestamp,
) -> Result<(), TlsError> {
    if info.not_after <= now {
        return Err(TlsError::Expired {
            path: path.to_owned(),
            not_after: info.not_after,
        });
    }
    if info.not_before > now {
        return Err(TlsError::NotYetValid {
            path: path.to_owned(),
            not_before: info.not_before,
        });
    }
    Ok(())
}

fn mismatch(files: &TlsFiles, e: rustls::Error) -> TlsError {
    TlsError::Mismatch {
        cert: files.cert.clone(),
        key: files.key.clone(),
        detail: e.to_string(),
    }
}

fn client_verifier(
    path: &Path,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in certificates(path)? {
        roots.add(cert).map_err(|e| TlsError::ClientCa {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
    }
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| TlsError::ClientCa {
            path: path.to_owned(),
            detail: e.to_string(),
        })
}

/// Every certificate of a PEM file; at least one.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_pem(path, e))?;
    if chain.is_empty() {
        return Err(TlsError::NoPem {
            path: path.to_owned(),
            what: "CERTIFICATE",
        });
    }
    Ok(chain)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        pki_types::pem::Error::NoItemsFound => TlsError::NoPem {
            path: path.to_owned(),
            what: "PRIVATE KEY",
        },
        e => bad_pem(path, e),
    })
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn bad_pem(path: &Path, e: pki_types::pem::Error) -> TlsError {
    TlsError::BadPem {
        path: path.to_owned(),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests;
