//! Every ecosystem of the OSV schema ingests: one small record per ecosystem
//! (`fixtures/osv/ecosystems/`, each in the ecosystem's real naming) gives a
//! canonical with the purl listed here.

use std::collections::BTreeMap;

use crate::harness::*;

/// Record id → the `affects_key` of its one canonical.
const EXPECTED: &[(&str, &str)] = &[
    ("ALSA-2024-0001", "pkg:rpm/almalinux/firefox?distro=9"),
    (
        "ALPAQUITA-2024-0001",
        "pkg:apk/alpaquita/openssl?distro=stream",
    ),
    ("ALPINE-CVE-2024-0003", "pkg:apk/alpine/curl?distro=v3.20"),
    (
        "ASB-A-2024-0004",
        "pkg:generic/platform%2Fframeworks%2Fbase?ecosystem=Android",
    ),
    ("AZL-2024-0005", "pkg:rpm/azure-linux/openssl?distro=3"),
    (
        "BELL-2024-0006",
        "pkg:generic/zlib?ecosystem=BellSoft%20Hardened%20Containers",
    ),
    ("BIOC-2024-0007", "pkg:bioconductor/BiocParallel"),
    ("BIT-nginx-2024-0008", "pkg:bitnami/nginx"),
    ("CGA-aaaa-bbbb-0009", "pkg:apk/chainguard/glibc"),
    (
        "CLEANSTART-2024-0010",
        "pkg:generic/busybox?ecosystem=CleanStart",
    ),
    ("CONAN-2024-0011", "pkg:conan/openssl"),
    ("RSEC-2024-0012", "pkg:cran/commonmark"),
    ("RUSTSEC-2024-0013", "pkg:cargo/smallvec"),
    ("DSA-0014-1", "pkg:deb/debian/curl?distro=12"),
    (
        "DHI-2024-0015",
        "pkg:generic/nginx?ecosystem=Docker%20Hardened%20Images",
    ),
    ("ECHO-2024-0016", "pkg:generic/python3?ecosystem=Echo"),
    ("FBSD-2024-0017", "pkg:generic/openssh?ecosystem=FreeBSD"),
    ("HSEC-2024-0018", "pkg:generic/ghc?ecosystem=GHC"),
    (
        "OSV-2024-0019",
        "pkg:generic/https:%2F%2Fgithub.com%2Fmadler%2Fzlib?ecosystem=GIT",
    ),
    ("GHSA-aaaa-bbbb-0020", "pkg:github/tj-actions/changed-files"),
    ("GO-2024-0021", "pkg:golang/github.com/Masterminds/goutils"),
    ("HSEC-2024-0022", "pkg:hackage/aeson"),
    ("GHSA-aaaa-bbbb-0023", "pkg:hex/plug"),
    ("JLSEC-2024-0024", "pkg:generic/HTTP?ecosystem=Julia"),
    ("KUBE-2024-0025", "pkg:generic/kubelet?ecosystem=Kubernetes"),
    ("CVE-2024-0026", "pkg:generic/Kernel?ecosystem=Linux"),
    ("MGASA-2024-0027", "pkg:rpm/mageia/nginx?distro=9"),
    (
        "GHSA-aaaa-bbbb-0028",
        "pkg:maven/org.apache.logging.log4j/log4j-core",
    ),
    ("MINI-aaaa-bbbb-0029", "pkg:apk/minimos/curl"),
    ("GHSA-aaaa-bbbb-0030", "pkg:npm/%40babel/traverse"),
    ("GHSA-aaaa-bbbb-0031", "pkg:nuget/Newtonsoft.Json"),
    ("OPAM-2024-0032", "pkg:generic/cohttp?ecosystem=opam"),
    (
        "OESA-2024-0033",
        "pkg:rpm/openeuler/kernel?distro=22.03-LTS-SP3",
    ),
    (
        "openSUSE-SU-2024:0034-1",
        "pkg:rpm/opensuse/curl?distro=Leap%2015.5",
    ),
    ("OSV-2024-0035", "pkg:generic/libxml2?ecosystem=OSS-Fuzz"),
    ("GHSA-aaaa-bbbb-0036", "pkg:composer/symfony/http-kernel"),
    ("PHSA-2024-0037", "pkg:rpm/photon/openssl?distro=5.0"),
    ("GHSA-aaaa-bbbb-0038", "pkg:pub/http"),
    ("PYSEC-2024-0039", "pkg:pypi/jinja2"),
    (
        "RHSA-2024:0040",
        "pkg:rpm/redhat/firefox?distro=enterprise_linux:9::appstream",
    ),
    ("RLSA-2024:0041", "pkg:rpm/rocky-linux/firefox?distro=9"),
    (
        "ROOT-2024-0042",
        "pkg:generic/openssl?ecosystem=Root:Alpine:3.18",
    ),
    ("GHSA-aaaa-bbbb-0043", "pkg:gem/rails"),
    (
        "SUSE-SU-2024:0044-1",
        "pkg:rpm/suse/curl?distro=SUSE%20Linux%20Enterprise%20Server%2015%20SP5",
    ),
    (
        "GHSA-aaaa-bbbb-0045",
        "pkg:swift/github.com/apple/swift-nio",
    ),
    ("USN-0046-1", "pkg:deb/ubuntu/curl?distro=22.04:LTS"),
    (
        "VSCODE-2024-0047",
        "pkg:generic/ms-python.python?ecosystem=VSCode",
    ),
    ("CGA-aaaa-bbbb-0048", "pkg:apk/wolfi/openssl"),
];

/// Record id → affects keys of the canonicals whose edge names it.
fn keys_by_record(site: &Site) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in site.canonicals() {
        let row: serde_json::Value = serde_json::from_str(&line).unwrap();
        let key = row["canonical"]["affects_key"].as_str().unwrap().to_owned();
        for edge in row["edges"].as_array().unwrap() {
            let id = edge["source_advisory_id"].as_str().unwrap().to_owned();
            out.entry(id).or_default().push(key.clone());
        }
    }
    out
}

#[test]
fn every_osv_ecosystem_gives_its_purl() {
    let dir = fixture("osv/ecosystems");
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, EXPECTED.len(), "one fixture per expected purl");
    let a = Site::new("site-a");
    a.cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
        .ok()
        .stdout_is(
            "Read 48 records: 48 ingested, 0 unchanged, 0 refused\nCanonicals: 48 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        );
    let got = keys_by_record(&a);
    let want: BTreeMap<String, Vec<String>> = EXPECTED
        .iter()
        .map(|(id, key)| (id.to_string(), vec![key.to_string()]))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_listed_purl_finds_its_distro_canonical() {
    let a = Site::new("site-a");
    let dir = fixture("osv/ecosystems");
    a.cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
        .ok();
    let listed = a
        .cmd(&[
            "feedser",
            "canonical",
            "list",
            "--purl",
            "PKG:deb/Ubuntu/curl@7.81.0?arch=source&distro=22.04%3ALTS",
            "--json",
        ])
        .ok()
        .stdout;
    let keys: Vec<String> = listed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|r| r["canonical"]["affects_key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, vec!["pkg:deb/ubuntu/curl?distro=22.04:LTS"]);
}

/// `(cve, affects_key, source, source_advisory_id)` of every edge.
fn edges(site: &Site) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for line in site.canonicals() {
        let row: serde_json::Value = serde_json::from_str(&line).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
        for edge in row["edges"].as_array().unwrap() {
            out.push((
                text(&row["canonical"]["cve"]),
                text(&row["canonical"]["affects_key"]),
                text(&edge["source"]),
                text(&edge["source_advisory_id"]),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn distribution_advisories_are_keyed_by_the_cves_they_fix() {
    let a = Site::new("site-a");
    let dir = fixture("osv/distro");
    a.cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
        .ok()
        .stdout_is(
            "Read 5 records: 5 ingested, 0 unchanged, 0 refused\nCanonicals: 10 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        );
    let row = |cve: &str, key: &str, source: &str, id: &str| {
        (
            cve.to_owned(),
            key.to_owned(),
            source.to_owned(),
            id.to_owned(),
        )
    };
    let alma = "pkg:rpm/almalinux";
    assert_eq!(
        edges(&a),
        vec![
            row(
                "CVE-2023-46218",
                "pkg:deb/debian/curl?distro=12",
                "debian",
                "DSA-5587-1"
            ),
            row(
                "CVE-2023-46218",
                "pkg:deb/ubuntu/curl?distro=20.04:LTS",
                "ubuntu",
                "USN-6600-1"
            ),
            row(
                "CVE-2023-46218",
                "pkg:deb/ubuntu/curl?distro=22.04:LTS",
                "ubuntu",
                "USN-6600-1"
            ),
            row(
                "CVE-2023-46219",
                "pkg:deb/debian/curl?distro=12",
                "debian",
                "DSA-5587-1"
            ),
            row(
                "CVE-2024-0741",
                &format!("{alma}/firefox?distro=9"),
                "almalinux",
                "ALSA-2024:0101"
            ),
            row(
                "CVE-2024-0741",
                &format!("{alma}/thunderbird?distro=9"),
                "almalinux",
                "ALSA-2024:0101"
            ),
            row(
                "CVE-2024-0742",
                &format!("{alma}/firefox?distro=9"),
                "almalinux",
                "ALSA-2024:0101"
            ),
            row(
                "CVE-2024-0742",
                &format!("{alma}/thunderbird?distro=9"),
                "almalinux",
                "ALSA-2024:0101"
            ),
            row(
                "GHSA-qqqq-rrrr-ssss",
                "pkg:pypi/demo",
                "ghsa",
                "GHSA-qqqq-rrrr-ssss"
            ),
            row(
                "RHBA-2024:0200",
                "pkg:rpm/redhat/tzdata?distro=enterprise_linux:9",
                "redhat",
                "RHBA-2024:0200"
            ),
        ]
    );
}
