//! Attacks on trust: the DSSE payload type, signatures over other bytes,
//! key ids that do not belong to the signing key, and a missing envelope.

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;

use super::craft::{self, Craft, PAYLOAD_TYPE, envelope, key_id, sha256, sign, test_key};
use super::{receiver, refused};

/// The vector's entries with an envelope made by `make(manifest)`.
fn with_envelope(make: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let c = Craft::vector();
    let manifest = c.manifest();
    let env = make(&manifest);
    craft::pack(&c.with_envelope(manifest, env))
}

fn bad_signature() -> String {
    format!(
        "Signature verification failed for site `site-a`: signature does not verify with key `{}`",
        key_id(&test_key())
    )
}

#[test]
fn a_dsse_payload_type_mismatch_is_refused() {
    let b = receiver();
    let other = "application/vnd.in-toto+json";
    let key = test_key();
    // Consistently signed under another payload type.
    let bundle =
        with_envelope(|m| envelope(other, &sha256(m), &key_id(&key), &sign(&key, other, m)));
    let message = format!("payload type mismatch: found `{other}`, expected `{PAYLOAD_TYPE}`");
    refused(&b, &bundle, 4, &message);
    // The right type in the envelope, but the signature covers another.
    let bundle = with_envelope(|m| {
        envelope(
            PAYLOAD_TYPE,
            &sha256(m),
            &key_id(&key),
            &sign(&key, other, m),
        )
    });
    refused(&b, &bundle, 5, &bad_signature());
}

#[test]
fn a_signature_over_other_manifest_bytes_is_refused() {
    let b = receiver();
    let key = test_key();
    let bundle = with_envelope(|m| {
        let other = String::from_utf8(m.to_vec()).unwrap().replace(
            "\"exported_at\":\"2025-01-15T10:30:00.000Z\"",
            "\"exported_at\":\"2025-01-15T10:30:00.001Z\"",
        );
        assert_ne!(other.as_bytes(), m);
        envelope(
            PAYLOAD_TYPE,
            &sha256(m),
            &key_id(&key),
            &sign(&key, PAYLOAD_TYPE, other.as_bytes()),
        )
    });
    refused(&b, &bundle, 5, &bad_signature());
    // Over the manifest itself, but without the DSSE pre-authentication encoding.
    let bundle = with_envelope(|m| {
        let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&key, m);
        envelope(
            PAYLOAD_TYPE,
            &sha256(m),
            &key_id(&key),
            sig.to_der().as_bytes(),
        )
    });
    refused(&b, &bundle, 5, &bad_signature());
}

#[test]
fn a_key_id_that_does_not_match_the_signing_key_is_refused() {
    let b = receiver();
    let (trusted, stranger) = (test_key(), SigningKey::generate());
    // Signed by a stranger, claiming the trusted key's id.
    let bundle = with_envelope(|m| {
        envelope(
            PAYLOAD_TYPE,
            &sha256(m),
            &key_id(&trusted),
            &sign(&stranger, PAYLOAD_TYPE, m),
        )
    });
    refused(&b, &bundle, 5, &bad_signature());
    // Signed by the trusted key, claiming the stranger's id.
    let bundle = with_envelope(|m| {
        envelope(
            PAYLOAD_TYPE,
            &sha256(m),
            &key_id(&stranger),
            &sign(&trusted, PAYLOAD_TYPE, m),
        )
    });
    let message = format!(
        "Signature verification failed for site `site-a`: no trusted key `{}` for site `site-a`: trust the sender's public key for this site first",
        key_id(&stranger)
    );
    refused(&b, &bundle, 5, &message);
}

#[test]
fn a_missing_or_empty_signature_is_refused() {
    let b = receiver();
    let mut entries = Craft::vector().entries();
    entries.remove(1);
    let message = "unexpected member `canonicals.ndjson` where `SIGNATURE.json` was expected";
    refused(&b, &craft::pack(&entries), 4, message);
    let unsigned = with_envelope(|m| {
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payloadDigest":"{}","signatures":[]}}"#,
            sha256(m)
        )
        .into_bytes()
    });
    let message = "bundle from site `site-a` is unsigned and this site requires signatures (Federation.RequireSignature)";
    refused(&b, &unsigned, 5, message);
}
