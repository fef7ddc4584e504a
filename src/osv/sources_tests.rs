use super::sources::{
    GUESSED, SOURCES, is_source_name, known_source, renamed_guess, source_named, source_names,
    source_of,
};

#[test]
fn sources_are_named_after_their_database() {
    for (id, want) in [
        ("BIT-airflow-2023-1234", "bitnami"),
        ("ALSA-2024:0101", "almalinux"),
        ("DSA-5587-1", "debian"),
        ("DLA-3000-1", "debian"),
        ("USN-6600-1", "ubuntu"),
        ("GHSA-aaaa-bbbb-cccc", "ghsa"),
        ("CVE-2024-1234", "nvd"),
        ("PYSEC-2024-1", "pypa"),
        ("GO-2024-1", "go"),
        ("RUSTSEC-2024-1", "rustsec"),
        ("SUSE-SU-2024:0044-1", "suse"),
        ("openSUSE-SU-2024:0034-1", "opensuse"),
        ("RHSA-2024:0040", "redhat"),
        ("XYZ-2024-1", "xyz"),
    ] {
        assert_eq!(source_of(id), want, "{id}");
    }
}

#[test]
fn a_given_source_names_only_what_the_table_does_not_know() {
    assert_eq!(source_named("XYZ-2024-1", Some("acme")), "acme");
    assert_eq!(source_named("BIT-x-2024-1", Some("acme")), "bitnami");
    assert_eq!(source_named("SUSE-2024-1", Some("acme")), "acme");
}

#[test]
fn every_name_of_the_table_is_a_valid_source_name() {
    for (prefix, name) in SOURCES {
        assert!(is_source_name(name), "{prefix} → {name}");
    }
    assert!(source_names().windows(2).all(|w| w[0] < w[1]));
    for bad in ["", "Debian", "a b", "a,b", &"x".repeat(65)] {
        assert!(!is_source_name(bad), "{bad:?}");
    }
}

#[test]
fn the_readme_lists_the_table() {
    let readme = include_str!("../../README.md");
    for name in source_names() {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README lacks `{name}`"
        );
    }
}

/// Before the table, a source was the lowercased id prefix, except these.
const GUESSED_RIGHT: &[&str] = &["PYSEC", "GHSA", "GO", "RUSTSEC", "CVE"];

#[test]
fn every_older_guess_the_table_names_otherwise_is_renamed() {
    for (prefix, name) in SOURCES {
        let old = prefix.to_ascii_lowercase();
        if prefix.contains('-') || GUESSED_RIGHT.contains(prefix) || old == *name {
            continue;
        }
        assert!(GUESSED.contains(&(old.as_str(), *name)), "{prefix}");
    }
    for (old, name) in GUESSED {
        let id = format!("{}-2024-1", old.to_ascii_uppercase());
        assert_eq!(known_source(&id), Some(*name), "{old}");
        assert_eq!(renamed_guess(old, &id), Some(*name), "{old}");
    }
}

#[test]
fn only_a_guess_from_its_own_prefix_is_renamed() {
    assert_eq!(renamed_guess("bit", "BIT-airflow-2020-1"), Some("bitnami"));
    assert_eq!(renamed_guess("dsa", "dsa-5587-1"), Some("debian"));
    assert_eq!(renamed_guess("bit", "XYZ-1"), None, "a --source name");
    assert_eq!(renamed_guess("bitnami", "BIT-airflow-2020-1"), None);
    assert_eq!(renamed_guess("acme", "ACME-1"), None);
    assert_eq!(renamed_guess("bit", "BIT"), None);
}
