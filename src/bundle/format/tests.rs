//! The manifest's and the envelope's own rules.

mod envelope {
    use super::super::envelope::*;
    use crate::bundle::error::SignatureError;

    #[test]
    fn pae_matches_the_dsse_definition() {
        assert_eq!(pae("t/x", b"hello"), b"DSSEv1 3 t/x 5 hello".to_vec());
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn unsigned_envelope_is_exact_and_parses_back() {
        let env = Envelope::new(b"{}", "sha256:00", None);
        assert_eq!(
            String::from_utf8(env.to_bytes()).unwrap(),
            r#"{"payloadType":"application/vnd.stella.feedser-manifest+json;version=1.0","payloadDigest":"sha256:00","signatures":[]}"#
        );
        assert_eq!(Envelope::parse(&env.to_bytes(), "sha256:00").unwrap(), env);
        assert_eq!(
            Envelope::parse(&env.to_bytes(), "sha256:11").unwrap_err(),
            SignatureError::PayloadDigest {
                found: "sha256:00".into(),
                expected: "sha256:11".into()
            }
        );
        assert_eq!(
            env.check(b"{}", "s", &[]).unwrap_err(),
            SignatureError::Unsigned
        );
    }
}

mod manifest {
    use super::super::manifest::*;
    use super::super::members::Member;
    use super::super::path::ArchivePath;
    use super::super::tag::EMPTY_SHA256;
    use crate::bundle::error::BundleError;

    fn sample() -> Manifest {
        let entry = |m: Member, lines| FileEntry {
            path: ArchivePath::new(m.path()).unwrap(),
            sha256: format!("sha256:{}", "ab".repeat(32)),
            size: lines * 10,
            lines,
            compressed_sha256: format!("sha256:{}", "cd".repeat(32)),
            compressed_size: lines * 5,
        };
        Manifest {
            version: super::super::members::FORMAT_VERSION.into(),
            site_id: "site-a".into(),
            since_cursor: None,
            export_cursor: "2025-01-15T10:30:00.000Z#0042".parse().unwrap(),
            exported_at: "2025-01-15T10:30:00.000Z".into(),
            counts: Counts {
                canonicals: 2,
                edges: 3,
                deletions: 1,
                total: 6,
            },
            files: vec![
                entry(Member::Canonicals, 2),
                entry(Member::Edges, 3),
                entry(Member::Deletions, 1),
            ],
            zstd_level: 3,
        }
    }

    fn detail(bytes: &[u8]) -> String {
        match Manifest::parse(bytes) {
            Err(BundleError::MalformedManifest { detail }) => detail,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn round_trips_in_field_order() {
        let bytes = sample().to_bytes().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(r#"{"version":"feedser-bundle/1.1","site_id":"site-a","since_cursor":null,"export_cursor":"2025-01-15T10:30:00.000Z#0042","exported_at":"#));
        assert_eq!(Manifest::parse(&bytes).unwrap(), sample());
    }

    #[test]
    fn refuses_non_canonical_and_inconsistent_manifests() {
        let mut spaced = sample().to_bytes().unwrap();
        spaced.push(b'\n');
        assert!(detail(&spaced).starts_with("not in canonical form"));
        let mut m = sample();
        m.counts.total = 7;
        assert_eq!(
            detail(&m.to_bytes().unwrap()),
            "`counts` disagree with the line counts of `files`"
        );
        let mut m = sample();
        m.files.swap(0, 1);
        assert!(detail(&m.to_bytes().unwrap()).starts_with("`files` must list"));
        let mut m = sample();
        m.exported_at = "2025-01-15T10:30:00Z".into();
        assert!(detail(&m.to_bytes().unwrap()).starts_with("`exported_at`"));
        let mut m = sample();
        m.zstd_level = 20;
        assert_eq!(
            detail(&m.to_bytes().unwrap()),
            "`zstd_level` 20 is outside 1..=19"
        );
        let mut m = sample();
        m.files[2].compressed_size = 0;
        assert!(
            detail(&m.to_bytes().unwrap())
                .starts_with("`deletions.ndjson`: an empty member has no frame")
        );
        let mut m = sample();
        m.files[2].size = 0;
        m.files[2].lines = 0;
        m.counts.deletions = 0;
        m.counts.total = 5;
        assert!(detail(&m.to_bytes().unwrap()).starts_with("`deletions.ndjson`: an empty member"));
        m.files[2].compressed_size = 0;
        m.files[2].compressed_sha256 = EMPTY_SHA256.into();
        assert_eq!(Manifest::parse(&m.to_bytes().unwrap()).unwrap(), m);
        let mut m = sample();
        m.files[1].compressed_sha256 = "sha256:AB".into();
        assert_eq!(
            detail(&m.to_bytes().unwrap()),
            "`compressed_sha256` of `edges.ndjson` is not `sha256:<64 hex>`"
        );
        let mut m = sample();
        m.version = "feedser-bundle/2.0".into();
        assert!(
            matches!(Manifest::parse(&m.to_bytes().unwrap()), Err(BundleError::UnsupportedVersion { found }) if found == "feedser-bundle/2.0")
        );
        let text = String::from_utf8(sample().to_bytes().unwrap())
            .unwrap()
            .replacen('{', r#"{"extra":1,"#, 1);
        assert!(detail(text.as_bytes()).starts_with("unknown field `extra`"));
    }
}
