//! The ecosystem table of the code against the one of
//! `man/stella-merge-hash.7`, and the golden vectors of its keys.

use super::ecosystems::{ECOSYSTEM_TABLE, ECOSYSTEMS, Form};
use super::from_ecosystem;
use crate::model::merge_hash::compute;

const PAGE: &str = include_str!("../../../man/stella-merge-hash.7");

/// The lines of the page between `.\" <what> begin` and `.\" <what> end`.
fn block(what: &str) -> Vec<&'static str> {
    let begin = format!(".\\\" {what} begin");
    let end = format!(".\\\" {what} end");
    PAGE.lines()
        .skip_while(|l| *l != begin)
        .skip(1)
        .take_while(|l| *l != end)
        .collect()
}

fn template(ty: &str, form: Form) -> String {
    match form {
        Form::Name => format!("pkg:{ty}/<name>"),
        Form::Path => format!("pkg:{ty}/<namespace>/<name>"),
        Form::GroupArtifact => format!("pkg:{ty}/<group>/<artifact>"),
        Form::OwnerRepo => format!("pkg:{ty}/<owner>/<repo>"),
        Form::Distro(ns) => format!("pkg:{ty}/{ns}/<name>?distro=<release>"),
        Form::Generic => "pkg:generic/<name>?ecosystem=<ecosystem>".to_owned(),
    }
}

#[test]
fn the_man_page_lists_the_table_of_the_code() {
    let code: Vec<String> = ECOSYSTEMS
        .iter()
        .map(|e| format!("{} | {} | {}", e.name, template(e.ty, e.form), e.since))
        .collect();
    assert_eq!(block("ecosystem table"), code);
    assert!(PAGE.contains(&format!("version \\fB{ECOSYSTEM_TABLE}\\fR")));
    let newest = ECOSYSTEMS.iter().map(|e| e.since).max().unwrap();
    assert!(ECOSYSTEM_TABLE.ends_with(&format!("/{newest}")));
}

#[test]
fn the_table_has_one_row_per_name_and_purl() {
    for (i, a) in ECOSYSTEMS.iter().enumerate() {
        for b in ECOSYSTEMS.get(i + 1..).unwrap_or_default() {
            assert!(!a.name.eq_ignore_ascii_case(b.name), "{}", a.name);
            let same_purl = a.ty == b.ty && a.form == b.form && a.form != Form::Generic;
            assert!(!same_purl, "{} and {} key alike", a.name, b.name);
        }
    }
}

#[test]
fn keys_and_hashes_match_the_golden_vectors() {
    let vectors = block("ecosystem vectors");
    for line in &vectors {
        let cols: Vec<&str> = line.split(" | ").collect();
        let [ecosystem, name, key, hash] = cols.as_slice() else {
            panic!("malformed vector line `{line}`");
        };
        assert_eq!(
            from_ecosystem(ecosystem, name).as_deref(),
            Some(*key),
            "{line}"
        );
        assert_eq!(
            compute("CVE-2024-0001", key, &[], &[], &[]),
            *hash,
            "{line}"
        );
    }
    for row in ECOSYSTEMS.iter().filter(|e| e.since == 1) {
        let pinned = vectors
            .iter()
            .any(|l| l.starts_with(&format!("{} | ", row.name)));
        assert!(pinned, "no golden vector for {}", row.name);
    }
}
