//! Loading the TLS files: validity at a given time, the Common Name, and
//! the errors that name the file.

use super::*;
use crate::exit::Exit;
use crate::serve::ServeError;
use rcgen::{CertificateParams, DnType, KeyPair, date_time_ymd};

/// A self-signed certificate for `cn` valid from `from` to `until` (years).
fn files(dir: &Path, cn: &str, from: i32, until: i32) -> TlsFiles {
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = date_time_ymd(from, 1, 1);
    params.not_after = date_time_ymd(until, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let files = TlsFiles {
        cert: dir.join(format!("{cn}.crt")),
        key: dir.join(format!("{cn}.key")),
        client_ca: None,
    };
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    files
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

#[test]
fn a_server_certificate_must_be_valid_now() {
    let dir = tempfile::tempdir().unwrap();
    let files = files(dir.path(), "hq", 2020, 2021);
    let tls = Tls::load(&files, at("2020-06-01T00:00:00Z")).unwrap();
    assert_eq!(tls.not_after, at("2021-01-01T00:00:00Z"));
    assert!(!tls.mutual);
    let expired = Tls::load(&files, at("2021-01-01T00:00:00Z")).unwrap_err();
    assert!(matches!(expired, TlsError::Expired { .. }), "{expired:?}");
    let early = Tls::load(&files, at("2019-12-31T23:59:59Z")).unwrap_err();
    assert_eq!(
        early.to_string(),
        format!(
            "the certificate in `{}` is not valid before 2020-01-01T00:00:00Z: check the clock",
            files.cert.display()
        )
    );
    assert_eq!(ServeError::from(expired).exit(), Exit::Config);
}

#[test]
fn the_common_name_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let files = files(dir.path(), "site-a", 2020, 2090);
    let info = read_certificate(&files.cert).unwrap();
    assert_eq!(info.common_name.as_deref(), Some("site-a"));
    assert_eq!(info.not_before, at("2020-01-01T00:00:00Z"));
}

#[test]
fn a_file_without_the_pem_it_needs_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = files(dir.path(), "hq", 2020, 2090);
    files.key = files.cert.clone();
    let now = at("2030-01-01T00:00:00Z");
    assert_eq!(
        Tls::load(&files, now).unwrap_err().to_string(),
        format!(
            "`{}` holds no PEM PRIVATE KEY: give a PEM file (`-----BEGIN PRIVATE KEY-----`)",
            files.cert.display()
        )
    );
    files.client_ca = Some(dir.path().join("missing.pem"));
    files.key = dir.path().join("hq.key");
    let err = Tls::load(&files, now).unwrap_err();
    assert!(matches!(err, TlsError::Read { ref path, .. } if path.ends_with("missing.pem")));
    let refusal = ServeError::NeedsTls {
        addr: "0.0.0.0:1".parse().unwrap(),
    };
    assert_eq!(refusal.exit(), Exit::Usage);
}
