use super::convert;
use super::distro::{DISTRO_ADVISORY_PREFIXES, is_distro_advisory};

#[test]
fn the_man_page_lists_the_prefixes_of_the_code() {
    let page = include_str!("../../man/stella-merge-hash.7");
    let listed: Vec<&str> = page
        .lines()
        .skip_while(|l| *l != ".\\\" distribution advisory prefixes begin")
        .skip(1)
        .take_while(|l| *l != ".\\\" distribution advisory prefixes end")
        .collect();
    assert_eq!(listed, DISTRO_ADVISORY_PREFIXES);
}

#[test]
fn distribution_advisory_ids_by_prefix() {
    for id in [
        "ALSA-2024:0001",
        "alsa-2024:1",
        "DSA-5000-1",
        "openSUSE-SU-2024:1-1",
        "USN-1-1",
    ] {
        assert!(is_distro_advisory(id), "{id}");
    }
    for id in [
        "DSAX-1",
        "GHSA-a-b-c",
        "USN",
        "CVE-2024-1",
        "SUSE-2024",
        "BIT-x-2024-1",
    ] {
        assert!(!is_distro_advisory(id), "{id}");
    }
}

#[test]
fn only_a_distribution_advisory_is_keyed_by_upstream_and_related() {
    let keys = |id: &str| -> Vec<String> {
        let raw = format!(
            r#"{{"id":"{id}","aliases":["CVE-2024-1001"],"upstream":["cve-2024-1002"],"related":["CVE-2024-1003","x"],
                "affected":[{{"package":{{"ecosystem":"Debian:12","name":"curl"}}}}]}}"#
        );
        let records = convert(raw.as_bytes()).unwrap();
        let mut keys: Vec<String> = records.iter().map(|r| r.canonical.cve.clone()).collect();
        keys.sort();
        for r in &records {
            assert_eq!(r.edges[0].source_advisory_id, id);
        }
        keys
    };
    assert_eq!(
        keys("DLA-3000-1"),
        ["CVE-2024-1001", "CVE-2024-1002", "CVE-2024-1003"]
    );
    assert_eq!(keys("OSV-2024-1"), ["CVE-2024-1001"]);
}
