//! Write → read round trips, determinism and the reader's caps.

use proptest::prelude::*;

use super::*;

#[test]
fn sample_round_trips_with_exact_metadata() {
    let (records, deletions) = sample();
    let (bytes, written) = build_with(
        &records,
        &deletions,
        Some(&test_signer()),
        &WriteOptions::default(),
    );
    let (got_records, got_deletions, spooled) = read_all(&bytes, &[test_trusted()]).unwrap();
    assert_eq!((got_records, got_deletions), (records, deletions));
    assert_eq!(written.bundle_hash, sha256_tagged(&bytes));
    assert_eq!(spooled.bundle_hash(), written.bundle_hash);
    assert_eq!(
        (written.bytes, spooled.compressed_size()),
        (bytes.len() as u64, bytes.len() as u64)
    );
    assert_eq!(spooled.manifest(), &written.manifest);
    assert_eq!(
        spooled.manifest_sha256(),
        sha256_tagged(&written.manifest.to_bytes().unwrap())
    );
    assert_eq!(
        spooled.signer_key_id(),
        Some(test_trusted().key_id.as_str())
    );
    let m = &written.manifest;
    assert_eq!(
        m.counts,
        Counts {
            canonicals: 3,
            edges: 4,
            deletions: 1,
            total: 8
        }
    );
    assert_eq!(
        m.files.iter().map(|f| f.lines).collect::<Vec<_>>(),
        [3, 4, 1]
    );
}

#[test]
fn same_input_gives_the_same_bytes_for_any_thread_count() {
    let (records, deletions) = sample();
    let signer = test_signer();
    let one = build_with(
        &records,
        &deletions,
        Some(&signer),
        &WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level: 3,
            threads: 1,
        },
    )
    .0;
    let again = build_with(
        &records,
        &deletions,
        Some(&signer),
        &WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level: 3,
            threads: 1,
        },
    )
    .0;
    let two = build_with(
        &records,
        &deletions,
        Some(&signer),
        &WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level: 3,
            threads: 2,
        },
    )
    .0;
    let zero = build_with(
        &records,
        &deletions,
        Some(&signer),
        &WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level: 3,
            threads: 0,
        },
    )
    .0;
    assert!(one == again && one == two && one == zero);
    let level_19 = build_with(
        &records,
        &deletions,
        Some(&signer),
        &WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level: 19,
            threads: 2,
        },
    )
    .0;
    assert!(level_19 != one, "the level is part of the encoding");
    let (rows_19, _, spooled) = read_all(&level_19, &[test_trusted()]).unwrap();
    assert_eq!((rows_19, spooled.manifest().zstd_level), (records, 19));
}

#[test]
fn unsigned_bundle_reads_only_through_an_explicit_skip() {
    let (records, deletions) = sample();
    let (bytes, _) = build_with(&records, &deletions, None, &WriteOptions::default());
    let bundle = open(Box::new(&bytes[..]), &Limits::default()).unwrap();
    assert!(!bundle.is_signed() && bundle.signer_key_ids().is_empty());
    assert_eq!(
        bundle.check_signature(&[test_trusted()]),
        Err(SignatureError::Unsigned)
    );
    let verified = bundle.skip_signature(skip());
    assert_eq!(verified.signer_key_id(), None);
    let dir = tempfile::tempdir().unwrap();
    let spooled = verified.spool(dir.path()).unwrap();
    assert_eq!(
        spooled
            .records()
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
        records
    );
    assert_eq!(spooled.signer_key_id(), None);
}

#[test]
fn checking_keeps_no_rows_but_names_the_bundle_and_its_signer() {
    let bytes = sample_bundle();
    let checked = validate(&bytes, &[test_trusted()]).unwrap();
    assert_eq!(checked.bundle_hash(), sha256_tagged(&bytes));
    assert_eq!(checked.compressed_size(), bytes.len() as u64);
    assert_eq!(
        checked.signer_key_id(),
        Some(test_trusted().key_id.as_str())
    );
}

#[test]
fn caps_are_enforced_with_specific_errors() {
    let bytes = sample_bundle();
    let try_with = |limits: Limits| {
        open(Box::new(&bytes[..]), &limits).and_then(|b| b.skip_signature(skip()).check_bytes())
    };
    let spool_with = |limits: Limits| try_with(limits).unwrap_err();
    let len = bytes.len() as u64;
    assert!(
        matches!(spool_with(Limits { max_bundle_bytes: len - 1, ..Limits::default() }), BundleError::TooLarge { limit } if limit == len - 1)
    );
    assert!(
        try_with(Limits {
            max_bundle_bytes: len,
            ..Limits::default()
        })
        .is_ok()
    );
    assert!(matches!(
        spool_with(Limits {
            max_manifest_bytes: 10,
            ..Limits::default()
        }),
        BundleError::MemberTooLarge {
            path: "MANIFEST.json",
            limit: 10,
            ..
        }
    ));
    assert!(matches!(
        spool_with(Limits {
            max_signature_bytes: 10,
            ..Limits::default()
        }),
        BundleError::MemberTooLarge {
            path: "SIGNATURE.json",
            limit: 10,
            ..
        }
    ));
    assert!(matches!(
        spool_with(Limits {
            max_line_bytes: 100,
            ..Limits::default()
        }),
        BundleError::LineTooLong {
            path: "canonicals.ndjson",
            line: 1,
            limit: 100
        }
    ));
    assert!(matches!(
        spool_with(Limits {
            max_window_log: 21,
            ..Limits::default()
        }),
        BundleError::WindowLimit {
            window_log: 22,
            limit: 21
        }
    ));
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ._-]{1,20}",
        any::<String>().prop_map(|s| s.chars().take(30).collect())
    ]
}

fn arb_record() -> impl Strategy<Value = CanonicalRecord> {
    let key = prop_oneof!["CVE-20[0-9]{2}-[0-9]{4,6}", "PYSEC-[0-9]{4}-[0-9]{1,4}"];
    (
        key,
        "[a-z]{1,10}",
        arb_text(),
        proptest::collection::vec(("[a-z]{2,6}", "[A-Z0-9-]{1,12}"), 0..4),
    )
        .prop_map(|(cve, package, title, sources)| {
            let c = canonical(&cve, &package, &title);
            let edges = sources.iter().map(|(s, a)| edge(&c, s, a)).collect();
            CanonicalRecord {
                canonical: c,
                edges,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn random_rows_round_trip(
        records in proptest::collection::vec(arb_record(), 0..6).prop_map(|mut rs| {
            // One record per canonical, as an export has.
            let mut seen = std::collections::HashSet::new();
            rs.retain(|r| seen.insert(r.canonical.id));
            rs
        }),
        deletions in proptest::collection::vec(("CVE-2020-[0-9]{4}", "[a-z]{1,8}"), 0..4),
        signed in any::<bool>(),
    ) {
        let deletions: Vec<Deletion> = deletions.iter().map(|(c, p)| deletion(c, p)).collect();
        let signer = test_signer();
        let (bytes, _) = build_with(&records, &deletions, signed.then_some(&signer), &WriteOptions::default());
        let dir = tempfile::tempdir().unwrap();
        let bundle = open(Box::new(&bytes[..]), &Limits::default()).unwrap();
        prop_assert_eq!(bundle.is_signed(), signed);
        let verified = match bundle.check_signature(&[test_trusted()]) {
            Ok(_) => bundle.verify(&[test_trusted()]).unwrap(),
            Err(SignatureError::Unsigned) if !signed => bundle.skip_signature(skip()),
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let spooled = verified.spool(dir.path()).unwrap();
        prop_assert_eq!(&spooled.records().unwrap().collect::<Result<Vec<_>, _>>().unwrap(), &records);
        // The digest taken from the rows' bytes is the record's own.
        let digested = spooled.digested_records().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        let expected: Vec<_> = records.iter().map(|r| (r.clone(), r.digest())).collect();
        prop_assert_eq!(digested, expected);
        prop_assert_eq!(spooled.deletions().unwrap().collect::<Result<Vec<_>, _>>().unwrap(), deletions);
    }
}
