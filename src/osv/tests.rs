//! Tests of reading and converting OSV records, on inline samples and on the
//! real PyPA snapshots in `../shared/fixtures/osv/`.

use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::model::{RangeEvent, Severity, Status, VersionRange, canonical_id, sha256_tagged};

const FULL: &str = r#"{
  "id": "GHSA-abcd-efgh-ijkl", "modified": "2024-03-05T06:07:08.123456Z",
  "published": "2023-01-24T00:00:00Z", "aliases": ["cve-2023-0002", "CVE-2023-0001", "PYSEC-9"],
  "details": "First line of the details\nmore", "unknown": {"x": 1},
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [
    {"package": {"ecosystem": "PyPI", "name": "Demo_Pkg", "purl": "pkg:pypi/Demo_Pkg@1"},
     "ranges": [{"type": "GIT", "repo": "https://github.com/o/r.git", "events": [{"fixed": "ABCDEF1"}, {"introduced": "0"}]}]},
    {"package": {"ecosystem": "npm", "name": "left-pad"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}, {"weird": "x"}]}]},
    {"package": {"ecosystem": "Debian:12", "name": "curl"}},
    {"package": {"ecosystem": "npm", "name": "left-pad"},
     "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.3.0"}, {"introduced": "0"}]}]}
  ],
  "references": [{"type": "FIX", "url": "https://github.com/o/r/commit/0123456789abcdef0123456789ABCDEF01234567"},
                 {"type": "ADVISORY", "url": "https://x/commit/fedcba9"},
                 {"type": "WEB", "url": "https://x/commit/12345"}],
  "database_specific": {"severity": "LOW", "cwe_ids": ["CWE-79", "cwe-20"]}
}"#;

fn shared_zip(date: &str) -> Option<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/osv");
    let path = PathBuf::from(format!("{dir}/PyPI-{date}.zip"));
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is missing", path.display());
        None
    }
}

#[test]
fn every_record_of_the_real_snapshots_converts() {
    for (date, want_records, want_canonicals) in [
        ("2023-01-01", 2214, 2214),
        ("2024-01-01", 2541, 2541),
        ("2024-10-10", 2661, 2661),
    ] {
        let Some(zip) = shared_zip(date) else { return };
        let (mut records, mut canonicals, mut failures) = (0, 0, Vec::new());
        for item in read_inputs(&[zip], &mut std::io::empty()) {
            records += 1;
            match item
                .map_err(|e| e.to_string())
                .and_then(|r| convert(&r.bytes).map_err(|e| format!("{}: {e}", r.origin)))
            {
                Ok(c) => canonicals += c.len(),
                Err(e) => failures.push(e),
            }
        }
        eprintln!("{date}: {records} records {canonicals} canonicals");
        assert_eq!(failures, Vec::<String>::new());
        assert_eq!(
            (records, canonicals),
            (want_records, want_canonicals),
            "{date}"
        );
    }
}

#[test]
fn converts_each_cve_and_package_into_one_canonical() {
    let records = convert(FULL.as_bytes()).unwrap();
    let mut keys: Vec<_> = records
        .iter()
        .map(|r| (r.canonical.cve.as_str(), r.canonical.affects_key.as_str()))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            ("CVE-2023-0001", "pkg:deb/debian/curl?distro=12"),
            ("CVE-2023-0001", "pkg:npm/left-pad"),
            ("CVE-2023-0001", "pkg:pypi/demo-pkg"),
            ("CVE-2023-0002", "pkg:deb/debian/curl?distro=12"),
            ("CVE-2023-0002", "pkg:npm/left-pad"),
            ("CVE-2023-0002", "pkg:pypi/demo-pkg"),
        ]
    );
    let pypi = records
        .iter()
        .find(|r| r.canonical.cve == "CVE-2023-0001" && r.canonical.affects_key.contains("pypi"))
        .unwrap();
    let c = &pypi.canonical;
    assert_eq!(c.id, canonical_id(&c.merge_hash));
    assert_eq!((c.severity, c.status), (Severity::Critical, Status::Active));
    assert_eq!(
        c.cvss_vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert_eq!(
        (c.title.as_str(), c.summary.as_str()),
        (
            "First line of the details",
            "First line of the details\nmore"
        )
    );
    assert_eq!(c.weaknesses, ["CWE-20", "CWE-79"]);
    assert_eq!(
        c.patch_lineage,
        ["0123456789abcdef0123456789abcdef01234567", "abcdef1"]
    );
    assert_eq!(
        c.version_range,
        [VersionRange {
            range_type: "GIT".into(),
            repo: Some("https://github.com/o/r".into()),
            events: vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("abcdef1".into())
            ],
        }]
    );
    assert_eq!(c.published.as_deref(), Some("2023-01-24T00:00:00.000Z"));
    assert_eq!(c.modified.as_deref(), Some("2024-03-05T06:07:08.123Z"));
    let edge = &pypi.edges[..];
    assert_eq!(edge.len(), 1);
    assert_eq!(
        (edge[0].source.as_str(), edge[0].source_advisory_id.as_str()),
        ("ghsa", "GHSA-abcd-efgh-ijkl")
    );
    assert_eq!(
        (edge[0].vendor_status.as_str(), edge[0].canonical_id),
        ("affected", c.id)
    );
    assert_eq!(edge[0].source_sha256, sha256_tagged(FULL.as_bytes()));
    let npm = records
        .iter()
        .find(|r| r.canonical.affects_key == "pkg:npm/left-pad")
        .unwrap();
    assert_eq!(
        npm.canonical.patch_lineage,
        ["0123456789abcdef0123456789abcdef01234567"]
    );
}

#[test]
fn falls_back_for_title_severity_and_key() {
    let raw = br#"{"id":"PYSEC-2024-7","withdrawn":"2024-05-01T00:00:00Z","summary":" Short ",
        "database_specific":{"severity":"MODERATE"},
        "affected":[{"package":{"ecosystem":"PyPI","name":"x","purl":"not a purl"}}]}"#;
    let records = convert(raw).unwrap();
    let c = &records[0].canonical;
    assert_eq!(
        (c.cve.as_str(), c.affects_key.as_str(), c.title.as_str()),
        ("PYSEC-2024-7", "pkg:pypi/x", "Short")
    );
    assert_eq!(
        (c.severity, c.status, c.published.as_deref()),
        (Severity::Medium, Status::Withdrawn, None)
    );
    assert_eq!(
        (
            records[0].edges[0].source.as_str(),
            records[0].edges[0].vendor_status.as_str()
        ),
        ("pypa", "withdrawn")
    );
    let long = format!(
        r#"{{"id":"X-1","details":"{}é","affected":[{{"package":{{"purl":"pkg:cargo/y"}}}}]}}"#,
        "a".repeat(119)
    );
    let c = &convert(long.as_bytes()).unwrap()[0].canonical;
    assert_eq!(
        (c.title.clone(), c.severity),
        (format!("{}é", "a".repeat(119)), Severity::Unknown)
    );
    let bare = br#"{"id":"CVE-2020-0005","affected":[{"package":{"purl":"pkg:gem/z"}}]}"#;
    let rec = &convert(bare).unwrap()[0];
    assert_eq!(
        (
            rec.canonical.cve.as_str(),
            rec.canonical.title.as_str(),
            rec.edges[0].source.as_str()
        ),
        ("CVE-2020-0005", "CVE-2020-0005", "nvd")
    );
}

#[test]
fn rejects_records_without_id_or_package() {
    let err = |raw: &str| convert(raw.as_bytes()).unwrap_err().to_string();
    assert_eq!(
        err(r#"{"affected":[]}"#),
        "record has no `id`: every OSV record needs one"
    );
    assert_eq!(
        err(r#"{"id":"A-1"}"#),
        "record `A-1` lists no affected package: nothing to ingest"
    );
    assert_eq!(
        err(
            r#"{"id":"A-1","affected":[{"package":{"ecosystem":" ","name":"x"}},{"package":{"ecosystem":"npm"}}]}"#
        ),
        "record `A-1` has no package with a usable purl or an ecosystem and a name: give its affected packages a `purl`, or an `ecosystem` and a `name`"
    );
    let bad = convert(br#"{"id":"A-2","aliases":7}"#).unwrap_err();
    assert_eq!(bad.id(), Some("A-2"));
    assert!(
        bad.to_string()
            .starts_with("record is not valid OSV JSON (id `A-2`): invalid type"),
        "{bad}"
    );
    assert_eq!(convert(b"nope").unwrap_err().id(), None);
}

fn stream(text: &str) -> Vec<Result<String, String>> {
    let mut reader = text.as_bytes();
    read_stream(&mut reader, "<stdin>")
        .map(|item| {
            item.map(|r| format!("{} {}", r.origin, String::from_utf8_lossy(&r.bytes)))
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[test]
fn splits_objects_ndjson_and_arrays_keeping_exact_bytes() {
    assert_eq!(
        stream(" {\n \"a\": \"}{\\\"\"\n}\n"),
        [Ok("<stdin>#1 {\n \"a\": \"}{\\\"\"\n}".to_owned())]
    );
    assert_eq!(
        stream("{\"a\":1}\n7\n{\"b\":[2]}\n"),
        [
            Ok("<stdin>#1 {\"a\":1}".to_owned()),
            Err("`<stdin>#2` is not a JSON object: found `7`".to_owned()),
            Ok("<stdin>#3 {\"b\":[2]}".to_owned()),
        ]
    );
    assert_eq!(
        stream("[ {\"a\":1} , \"s\", {\"b\":2} ]"),
        [
            Ok("<stdin>#1 {\"a\":1}".to_owned()),
            Err("`<stdin>#2` is not a JSON object: found `\"s\"`".to_owned()),
            Ok("<stdin>#3 {\"b\":2}".to_owned()),
        ]
    );
    assert_eq!(
        stream("[{\"a\":1}"),
        [
            Ok("<stdin>#1 {\"a\":1}".to_owned()),
            Err(
                "`<stdin>#2` is not a JSON object: the input ends before the array's closing `]`"
                    .to_owned()
            ),
        ]
    );
    assert_eq!(
        stream("{\"a\":"),
        [Err(
            "`<stdin>#1` is not a JSON object: the input ends inside this value".to_owned()
        )]
    );
    assert_eq!(stream(" \n"), []);
}

#[test]
fn reads_directories_zips_and_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("b.json"), "{\"id\":\"B\"}").unwrap();
    std::fs::write(d.join("a.json"), "{\"id\":\"A\"}").unwrap();
    std::fs::write(d.join("notes.txt"), "skip").unwrap();
    let zip_path = d.join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("Z.json", "{\"id\":\"Z\"}"),
        ("README", "x"),
        ("Y.json", "{}"),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let mut stdin: &[u8] = b"{\"id\":\"S\"}";
    let paths = [
        d.to_owned(),
        zip_path.clone(),
        d.join("a.json"),
        "-".into(),
        d.join("missing.json"),
    ];
    let got: Vec<String> = read_inputs(&paths, &mut stdin)
        .map(|item| match item {
            Ok(r) => format!(
                "{} {}",
                r.origin.replace(&d.display().to_string(), "D"),
                String::from_utf8_lossy(&r.bytes)
            ),
            Err(e) => e.to_string().replace(&d.display().to_string(), "D"),
        })
        .collect();
    assert_eq!(
        got,
        [
            "D/a.json {\"id\":\"A\"}",
            "D/b.json {\"id\":\"B\"}",
            "D/all.zip!Z.json {\"id\":\"Z\"}",
            "D/all.zip!Y.json {}",
            "D/a.json {\"id\":\"A\"}",
            "<stdin>#1 {\"id\":\"S\"}",
            "cannot read `D/missing.json`: No such file or directory (os error 2)",
        ]
    );
}
