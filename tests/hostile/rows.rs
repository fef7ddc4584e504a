//! Rows that parse but break a rule of the rows themselves (issue #28),
//! inside a validly signed bundle: a merge hash that is not the hash of its
//! row's identity, a NUL that PostgreSQL cannot store, control characters
//! in identifiers, a key too long for a store's index. Each is refused by
//! `validate` and `import` alike, on either store, before anything is
//! written, and the refused bundle is quarantined.

use super::craft::{self, Craft};
use super::json::replace_first;
use super::{assert_untouched, import, refused};
use crate::harness::*;

/// The vector's rows with the first `from` of member `i` replaced.
fn row_edit(i: usize, from: &str, to: &[u8]) -> Craft {
    let mut c = Craft::vector();
    c.rows[i] = replace_first(&c.rows[i], from.as_bytes(), to);
    c
}

/// A site on `store` that trusts the test key for `site-a`.
fn receiver_on(store: Backend) -> Site {
    let b = Site::on(store, "site-b");
    b.trust(
        &Site::uninitialized("site-a"),
        &fixture("keys/test-federation.pub.pem"),
    );
    b
}

/// The reason code of the one quarantined bundle.
fn quarantined(b: &Site) -> String {
    let list = b.json(&["feedser", "quarantine", "list", "--json"]);
    let entries = list.as_array().expect("a list");
    assert_eq!(entries.len(), 1, "{list}");
    entries[0]["reason"].as_str().unwrap().to_owned()
}

/// `c` as the delta that follows the vector (its cursor, then later).
fn delta_after_vector(mut c: Craft) -> Vec<u8> {
    c.since_cursor = Some("2025-01-15T10:30:00.000Z#0042".into());
    let manifest = replace_first(
        &c.manifest(),
        br#""export_cursor":"2025-01-15T10:30:00.000Z#0042","exported_at":"2025-01-15T10:30:00.000Z""#,
        br#""export_cursor":"2025-01-15T11:00:00.000Z#0050","exported_at":"2025-01-15T11:00:00.000Z""#,
    );
    craft::pack(&c.signed(manifest))
}

const GENUINE: &str = "sha256:18c280fb7ac4af7543a7d9a00f6ae615e73c04e3c3bc6f569d9077ab92766f13";

/// Issue #28 item 6: a trusted peer ships another identity (the issue's
/// CVE-2099-9999/trac) under the merge hash of CVE-2024-0001/requests.
/// Before, `validate` said ready and the import rewrote the receiver's
/// canonical under the same hash.
#[test]
fn a_merge_hash_that_is_not_the_rows_identity_is_refused() {
    let forged = row_edit(
        0,
        r#""cve":"CVE-2024-0001","affects_key":"pkg:pypi/requests""#,
        br#""cve":"CVE-2099-9999","affects_key":"pkg:pypi/trac""#,
    );
    let message = format!(
        "line 1 of `canonicals.ndjson`: merge hash `{GENUINE}` is not \
         `sha256:fa4158844b2d5043d1c1db43cfee8a5278cad547d69f58f032a1b9ceb1828409`, the hash of the \
         row's cve, affects_key, version_range, weaknesses and patch_lineage (see stella-merge-hash(7)); \
         the row was altered after its hash was made: do not import this bundle, and tell the sending site"
    );
    let b = super::receiver();
    refused(&b, &forged.bundle(), 4, &message);

    // A receiver that holds the genuine canonical keeps it as it is.
    import(&b, &Craft::vector().bundle()).ok();
    let before = b.canonicals();
    import(&b, &delta_after_vector(forged))
        .code(4)
        .stderr_is(&format!("error: {message}\n"));
    assert_eq!(b.canonicals(), before);
    let kept = b.json(&["feedser", "canonical", "get", GENUINE, "--json"]);
    assert_eq!(kept["canonical"]["cve"], "CVE-2024-0001");
    assert_eq!(kept["canonical"]["affects_key"], "pkg:pypi/requests");
}

/// Issue #28 item 2: a NUL imported on SQLite, and on PostgreSQL
/// `validate` said ready while every import failed with a store error,
/// nothing quarantined. Now both stores refuse it as a row, the bundle is
/// quarantined, and the next bundle from the site imports.
fn a_nul_in_a_row_string_is_refused_on_every_store(store: Backend) {
    let b = receiver_on(store);
    let nul = row_edit(
        0,
        r#""title":"Header injection""#,
        br#""title":"Header\u0000injection""#,
    );
    let message = "line 1 of `canonicals.ndjson`: field `title` holds a NUL character (U+0000), \
                   which no store can keep; ask the sending site to fix the record and export again";
    refused(&b, &nul.bundle(), 4, message);
    assert_eq!(quarantined(&b), "string_has_nul");
    import(&b, &Craft::vector().bundle()).ok();
    assert_eq!(b.canonicals().len(), 3);
}

/// Issue #28 item 7: identifiers are printed in tables and messages; a
/// control character in one is refused (free text is escaped on display).
#[test]
fn control_characters_in_identifiers_are_refused() {
    let b = super::receiver();
    let esc = row_edit(
        1,
        r#""source_advisory_id":"GHSA-aaaa-bbbb-cccc""#,
        br#""source_advisory_id":"GHSA-\u001b]0;pwned\u0007""#,
    );
    let message = "line 1 of `edges.ndjson`: field `source_advisory_id` holds the control character \
                   U+001B (`GHSA-\\u{1b}]0;pwned\\u{7}`), which no identifier may hold; ask the sending \
                   site to fix the record and export again";
    refused(&b, &esc.bundle(), 4, message);
    // C1 controls and DEL are not escaped in JSON: raw in the row.
    let csi = row_edit(
        0,
        r#""cvss_vector":"CVSS"#,
        "\"cvss_vector\":\"\u{9b}2JCVSS".as_bytes(),
    );
    let message = "line 1 of `canonicals.ndjson`: field `cvss_vector` holds the control character \
                   U+009B (`\\u{9b}2JCVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`), which no identifier \
                   may hold; ask the sending site to fix the record and export again";
    refused(&b, &csi.bundle(), 4, message);
}

/// A key longer than a PostgreSQL index entry can hold failed that store's
/// import (a store error, every retry); it is refused on both.
fn a_key_too_long_for_a_store_index_is_refused(store: Backend) {
    let b = receiver_on(store);
    // Incompressible, as PostgreSQL would otherwise compress the entry.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let source: String = (0..3000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let long = row_edit(
        1,
        r#""source":"ghsa""#,
        format!("\"source\":\"{source}\"").as_bytes(),
    );
    let message = "line 1 of `edges.ndjson`: field `source` holds 3000 bytes, over the limit of 512 \
                   for a key the stores index; ask the sending site to fix the record and export again";
    refused(&b, &long.bundle(), 4, message);
    assert_eq!(quarantined(&b), "key_too_long");
    assert_untouched(&b);
}

crate::on_both_stores!(
    a_nul_in_a_row_string_is_refused_on_every_store,
    a_key_too_long_for_a_store_index_is_refused,
);

/// Issue #28 item 7: refusals quote what the bundle holds. The error on
/// stderr and `quarantine show` print those values escaped; `--json` keeps
/// the exact message.
#[test]
fn values_quoted_from_a_bundle_are_shown_escaped() {
    let b = super::receiver();
    let key = row_edit(
        0,
        r#""cve":"CVE-2024-0001""#,
        br#""cve":"CVE\u001b]0;pwned\u0007""#,
    );
    import(&b, &key.bundle()).code(4).stderr_is(
        "error: line 1 of `canonicals.ndjson`: malformed advisory key `CVE\\u{1b}]0;pwned\\u{7}`\n",
    );
    let field = row_edit(0, r#"{"id":"#, br#"{"\u001b[2J\r\n":1,"id":"#);
    let out = import(&b, &field.bundle()).code(4);
    let shown =
        "line 1 of `canonicals.ndjson` is not a valid row: unknown field `\\u{1b}[2J\\r\\n`";
    assert!(
        out.stderr
            .starts_with(&format!("error: {shown}, expected one of")),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.trim_end().contains(['\u{1b}', '\r', '\n']),
        "{}",
        out.stderr
    );
    let list = b.json(&["feedser", "quarantine", "list", "--json"]);
    let entry = &list.as_array().unwrap()[1];
    let message = entry["error"].as_str().unwrap();
    assert!(
        message.contains("unknown field `\u{1b}[2J\r\n`"),
        "{message}"
    );
    let id = entry["id"].as_str().unwrap();
    let show = b.cmd(&["feedser", "quarantine", "show", id]).ok().stdout;
    let reason = show.lines().find(|l| l.starts_with("Reason: ")).unwrap();
    assert!(
        reason.starts_with(&format!("Reason: row_malformed: {shown}")),
        "{show}"
    );
    assert!(!show.chars().any(|c| c.is_control() && c != '\n'), "{show}");
    let json = b.json(&["feedser", "quarantine", "show", id, "--json"]);
    assert_eq!(json["error"].as_str(), Some(message));
}
