//! Signature outcomes: each way a bundle can fail trust has its own error.

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;

use super::*;
use crate::keys::key_id;

fn other_signer() -> Signer {
    Signer::new(SigningKey::generate())
}

fn trusted_of(signer: &Signer) -> TrustedPublicKey {
    TrustedPublicKey {
        key_id: signer.key_id.clone(),
        key: signer.verifying_key(),
    }
}

fn check(bytes: &[u8], trusted: &[TrustedPublicKey]) -> Result<String, SignatureError> {
    open(Box::new(bytes), &Limits::default())
        .unwrap()
        .check_signature(trusted)
}

#[test]
fn the_test_key_verifies_and_the_proof_names_it() {
    let bytes = sample_bundle();
    let bundle = open(Box::new(&bytes[..]), &Limits::default()).unwrap();
    assert_eq!(bundle.signer_key_ids(), vec![test_trusted().key_id]);
    let keys = [trusted_of(&other_signer()), test_trusted()];
    let key_id = bundle.check_signature(&keys).unwrap();
    assert_eq!(key_id, test_trusted().key_id);
    assert_eq!(
        bundle.verify(&keys).unwrap().signer_key_id(),
        Some(test_trusted().key_id.as_str())
    );
}

#[test]
fn key_not_trusted_for_the_site_is_no_trusted_key() {
    let bytes = sample_bundle();
    let expected = SignatureError::NoTrustedKey {
        key_ids: test_trusted().key_id,
        site_id: "site-a".into(),
    };
    // Another site's key, and a revoked key the caller leaves out: the same outcome.
    assert_eq!(
        check(&bytes, &[trusted_of(&other_signer())]),
        Err(expected.clone())
    );
    assert_eq!(check(&bytes, &[]), Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        format!(
            "no trusted key `{}` for site `site-a`: trust the sender's public key for this site first",
            test_trusted().key_id
        )
    );
}

#[test]
fn signature_by_another_key_under_a_trusted_key_id_does_not_verify() {
    let (records, deletions) = sample();
    let mut forger = other_signer();
    forger.key_id = test_trusted().key_id;
    let (bytes, _) = build_with(
        &records,
        &deletions,
        Some(&forger),
        &WriteOptions::default(),
    );
    assert_eq!(
        check(&bytes, &[test_trusted()]),
        Err(SignatureError::BadSignature {
            key_id: test_trusted().key_id
        })
    );
}

#[test]
fn trusted_key_whose_id_does_not_match_its_key_is_refused() {
    let other = other_signer();
    let mislabelled = TrustedPublicKey {
        key_id: test_trusted().key_id,
        key: other.verifying_key(),
    };
    assert_eq!(
        check(&sample_bundle(), &[mislabelled]),
        Err(SignatureError::KeyIdMismatch {
            claimed: test_trusted().key_id,
            actual: key_id(&other.verifying_key())
        })
    );
}

#[test]
fn unsigned_bundle_is_unsigned() {
    let (records, deletions) = sample();
    let (bytes, _) = build_with(&records, &deletions, None, &WriteOptions::default());
    assert_eq!(
        check(&bytes, &[test_trusted()]),
        Err(SignatureError::Unsigned)
    );
    assert_eq!(
        BundleError::from(SignatureError::Unsigned).reason_code(),
        "unsigned"
    );
}

/// The sample with `SIGNATURE.json` rewritten by `edit`.
fn with_envelope(edit: impl Fn(&str) -> String) -> Vec<u8> {
    let members = members_of(&decompress(&sample_bundle()));
    let parts: Vec<_> = members
        .into_iter()
        .map(|(name, data)| {
            let data = match name.as_str() {
                SIGNATURE_PATH => edit(std::str::from_utf8(&data).unwrap()).into_bytes(),
                _ => data,
            };
            (name.into_bytes(), tar::EntryType::Regular, data)
        })
        .collect();
    assemble(&parts)
}

fn open_err(bytes: &[u8]) -> BundleError {
    open(Box::new(bytes), &Limits::default()).unwrap_err()
}

#[test]
fn envelope_changes_are_specific_errors() {
    assert_eq!(
        with_envelope(|s| s.to_owned()),
        sample_bundle(),
        "unchanged envelope rebuilds the same bundle"
    );
    let bad_type = with_envelope(|s| s.replace("version=1.0", "version=2.0"));
    assert!(
        matches!(open_err(&bad_type), BundleError::Envelope(SignatureError::PayloadType { found }) if found.ends_with("version=2.0"))
    );
    let bad_digest = with_envelope(|s| {
        s.replacen(
            "\"payloadDigest\":\"sha256:",
            "\"payloadDigest\":\"sha256:0",
            1,
        )
    });
    assert!(matches!(
        open_err(&bad_digest),
        BundleError::Envelope(SignatureError::PayloadDigest { .. })
    ));
    let spaced = with_envelope(|s| s.replace(",", ", "));
    assert!(matches!(
        open_err(&spaced),
        BundleError::Envelope(SignatureError::Malformed { .. })
    ));
    let extra = with_envelope(|s| s.replacen('{', "{\"payload\":\"\",", 1));
    assert_eq!(open_err(&extra).reason_code(), "malformed_envelope");
    let bad_sig = with_envelope(|s| s.replace("\"sig\":\"", "\"sig\":\"AA"));
    assert!(matches!(
        open_err(&bad_sig),
        BundleError::Envelope(SignatureError::Malformed { .. })
    ));
}

#[test]
fn verifying_binds_the_key_to_the_bundle_it_verified() {
    let (records, deletions) = sample();
    let signer = other_signer();
    let (other, _) = build_with(
        &records[..1],
        &deletions,
        Some(&signer),
        &WriteOptions::default(),
    );
    // The other bundle verifies under its own key only: what verified one
    // bundle says nothing of another, and a refusal leaves nothing to read.
    assert_eq!(
        check(&other, &[trusted_of(&signer)]),
        Ok(trusted_of(&signer).key_id)
    );
    let bytes = sample_bundle();
    let bundle = open(Box::new(&bytes[..]), &Limits::default()).unwrap();
    let refused = bundle.verify(&[trusted_of(&signer)]).unwrap_err();
    assert_eq!(refused.reason_code(), "no_trusted_key");
    let bundle = open(Box::new(&bytes[..]), &Limits::default()).unwrap();
    let manifest_sha256 = bundle.manifest_sha256().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let spooled = bundle
        .verify(&[test_trusted()])
        .unwrap()
        .spool(dir.path())
        .unwrap();
    assert_eq!(spooled.manifest_sha256(), manifest_sha256);
    assert_eq!(
        spooled.signer_key_id(),
        Some(test_trusted().key_id.as_str())
    );
}
