//! Attacks on the JSON inside a validly signed bundle: over-long lines and
//! strings, invalid UTF-8, duplicate keys, numbers out of range. Manifest
//! edits are re-signed, so only the edit itself is wrong.

use super::craft::{self, Craft};
use super::{receiver, refused};

/// `hay` with the first `from` replaced by `to`.
pub fn replace_first(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = hay
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("`{}` not found", String::from_utf8_lossy(from)));
    [&hay[..at], to, &hay[at + from.len()..]].concat()
}

/// The bundle with its manifest edited, then signed.
fn manifest_edit(from: &str, to: &[u8]) -> Vec<u8> {
    let c = Craft::vector();
    let manifest = replace_first(&c.manifest(), from.as_bytes(), to);
    craft::pack(&c.signed(manifest))
}

/// The bundle with its (signed) envelope edited.
fn envelope_edit(from: &str, to: &[u8]) -> Vec<u8> {
    let mut entries = Craft::vector().entries();
    entries[1].data = replace_first(&entries[1].data, from.as_bytes(), to);
    craft::pack(&entries)
}

/// The bundle with the first row of NDJSON member `i` edited (the manifest
/// follows the edit).
fn row_edit_in(i: usize, from: &str, to: &[u8]) -> Vec<u8> {
    let mut c = Craft::vector();
    c.rows[i] = replace_first(&c.rows[i], from.as_bytes(), to);
    c.bundle()
}

fn row_edit(from: &str, to: &[u8]) -> Vec<u8> {
    row_edit_in(0, from, to)
}

#[test]
fn an_ndjson_line_over_the_cap_is_refused() {
    let b = receiver();
    let mut c = Craft::vector();
    // Incompressible printable bytes, so the ratio cap does not fire first.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    c.rows[0] = (0..(4 << 20) + 1)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'!' + (x % 90) as u8
        })
        .chain([b'\n'])
        .collect();
    let message = "line 1 of `canonicals.ndjson` is longer than the limit of 4194304 bytes";
    refused(&b, &c.bundle(), 4, message);
}

#[test]
fn invalid_utf8_is_refused() {
    let b = receiver();
    let manifest = manifest_edit("\"site-a\"", b"\"site-\xff\"");
    let message = "malformed `MANIFEST.json`: invalid unicode code point at line 1 column 49";
    refused(&b, &manifest, 4, message);
    let envelope = envelope_edit("\"sha256:c4", b"\"sha256:\xff4");
    let message = "malformed signature envelope: invalid unicode code point at line 1 column 196";
    refused(&b, &envelope, 4, message);
    let row = row_edit("\"title\":\"", b"\"title\":\"\xff");
    let message = "line 1 of `canonicals.ndjson` is not a valid row: invalid unicode code point at line 1 column 234";
    refused(&b, &row, 4, message);
    let mut entries = Craft::vector().entries();
    entries[2].name = b"canonicals\xff.ndjson".to_vec();
    let message = "unsafe archive path `canonicals\u{fffd}.ndjson`: not UTF-8";
    refused(&b, &craft::pack(&entries), 4, message);
}

#[test]
fn duplicate_json_keys_are_refused() {
    let b = receiver();
    let manifest = manifest_edit("{\"version\"", b"{\"site_id\":\"site-a\",\"version\"");
    let message = "malformed `MANIFEST.json`: duplicate field `site_id` at line 1 column 60";
    refused(&b, &manifest, 4, message);
    let envelope = envelope_edit(
        "{\"payloadType\"",
        b"{\"payloadDigest\":\"x\",\"payloadType\"",
    );
    let message =
        "malformed signature envelope: duplicate field `payloadDigest` at line 1 column 109";
    refused(&b, &envelope, 4, message);
    let row = row_edit("\"cve\":", b"\"cve\":\"CVE-2024-0001\",\"cve\":");
    let message = "line 1 of `canonicals.ndjson` is not a valid row: duplicate field `cve` at line 1 column 72";
    refused(&b, &row, 4, message);
    // The last member too: every row is checked before anything is applied.
    let row = row_edit_in(2, "\"reason\":", b"\"reason\":\"pruned\",\"reason\":");
    let message = "line 1 of `deletions.ndjson` is not a valid row: duplicate field `reason` at line 1 column 208";
    refused(&b, &row, 4, message);
}

#[test]
fn numbers_out_of_range_are_refused() {
    let b = receiver();
    let size = Craft::vector().rows[0].len();
    let size_field = format!("\"size\":{size},");
    let malformed = |detail: &str| format!("malformed `MANIFEST.json`: {detail}");
    for (to, detail) in [
        (
            "\"size\":-1,",
            "invalid value: integer `-1`, expected u64 at line 1 column 349",
        ),
        (
            "\"size\":18446744073709551616,",
            "invalid type: floating point `1.8446744073709552e+19`, expected u64 at line 1 column 367",
        ),
        (
            "\"size\":1e3,",
            "invalid type: floating point `1000.0`, expected u64 at line 1 column 350",
        ),
    ] {
        refused(
            &b,
            &manifest_edit(&size_field, to.as_bytes()),
            4,
            &malformed(detail),
        );
    }
    // Counts that add up only modulo 2^64: u64::MAX canonicals, 4 edges, 1 deletion.
    let c = Craft::vector();
    let text = String::from_utf8(c.manifest()).unwrap();
    let max = u64::MAX;
    let text = text
        .replacen("\"canonicals\":3,", &format!("\"canonicals\":{max},"), 1)
        .replacen("\"total\":8}", "\"total\":4}", 1)
        .replacen("\"lines\":3,", &format!("\"lines\":{max},"), 1);
    assert_eq!(text.matches(&max.to_string()).count(), 2, "{text}");
    let wrapped = craft::pack(&c.signed(text.into_bytes()));
    let detail = "`counts` disagree with the line counts of `files`";
    refused(&b, &wrapped, 4, &malformed(detail));
    for (to, detail) in [
        (
            "\"zstd_level\":2147483648",
            "invalid value: integer `2147483648`, expected i32 at line 1 column 996",
        ),
        ("\"zstd_level\":-3", "`zstd_level` -3 is outside 1..=19"),
    ] {
        refused(
            &b,
            &manifest_edit("\"zstd_level\":3", to.as_bytes()),
            4,
            &malformed(detail),
        );
    }
    let cursor = "2025-01-15T10:30:00.000Z#99999999999999999999";
    let edited = manifest_edit("2025-01-15T10:30:00.000Z#0042", cursor.as_bytes());
    let detail = format!(
        "malformed cursor `{cursor}`: expected YYYY-MM-DDTHH:MM:SS.mmmZ#NNNN (UTC time with milliseconds, `#`, a sequence of at least 4 digits), e.g. `2025-01-15T10:30:00.000Z#0042` at line 1 column 134"
    );
    refused(&b, &edited, 4, &malformed(&detail));
}

#[test]
fn absurdly_long_strings_are_refused() {
    let b = receiver();
    let long_site = format!("\"{}\"", "a".repeat(300));
    let detail = "field `site_id` holds a string of 300 bytes, over the limit of 256";
    let edited = manifest_edit("\"site-a\"", long_site.as_bytes());
    refused(
        &b,
        &edited,
        4,
        &format!("malformed `MANIFEST.json`: {detail}"),
    );
    let site = "a".repeat(65);
    let edited = manifest_edit("\"site-a\"", format!("\"{site}\"").as_bytes());
    let detail = format!(
        "invalid site id `{site}` (1 to 64 characters: letters, digits, `.`, `_` and `-`, starting with a letter or digit)"
    );
    refused(
        &b,
        &edited,
        4,
        &format!("malformed `MANIFEST.json`: {detail}"),
    );
    let long_key = format!("\"keyid\":\"sha256:{}", "c".repeat(293));
    let edited = envelope_edit("\"keyid\":\"sha256:", long_key.as_bytes());
    let detail = "field `keyid` holds a string of 364 bytes, over the limit of 256";
    refused(
        &b,
        &edited,
        4,
        &format!("malformed signature envelope: {detail}"),
    );
    let long_title = format!("\"title\":\"{}", "t".repeat(256 << 10));
    let edited = row_edit("\"title\":\"", long_title.as_bytes());
    let message = "line 1 of `canonicals.ndjson`: field `title` holds a string of 262160 bytes, over the limit of 262144";
    refused(&b, &edited, 4, message);
}

#[test]
fn a_canonical_listed_twice_is_refused() {
    let b = receiver();
    let mut c = Craft::vector();
    let lines = |rows: &[u8]| -> Vec<Vec<u8>> {
        rows.split_inclusive(|&byte| byte == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    let canonicals = lines(&c.rows[0]);
    let first: serde_json::Value = serde_json::from_slice(&canonicals[0]).unwrap();
    let (id, merge_hash) = (
        first["id"].as_str().unwrap(),
        first["merge_hash"].as_str().unwrap(),
    );
    // The first canonical again, with its edges, after the last one (right
    // after its first listing, the merge-join would give both sets of edges
    // to the first listing, a duplicate edge).
    let edges = lines(&c.rows[1]);
    let own: Vec<_> = edges
        .iter()
        .filter(|e| String::from_utf8_lossy(e).contains(&format!("\"canonical_id\":\"{id}\"")))
        .cloned()
        .collect();
    c.rows[0] = [&canonicals[..], &canonicals[..1]].concat().concat();
    c.rows[1] = [&edges[..], &own[..]].concat().concat();
    let message = format!(
        "bundle carries canonical `{merge_hash}` twice (line {} of `canonicals.ndjson`)",
        canonicals.len() + 1
    );
    refused(&b, &c.bundle(), 4, &message);
}

#[test]
fn an_edge_listed_twice_for_one_canonical_is_refused() {
    let b = receiver();
    let mut c = Craft::vector();
    let edges: Vec<Vec<u8>> = c.rows[1]
        .split_inclusive(|&byte| byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let first: serde_json::Value = serde_json::from_slice(&edges[0]).unwrap();
    let field = |name: &str| first[name].as_str().unwrap().to_owned();
    // The first edge again, right after itself: same canonical, same key.
    c.rows[1] = [&edges[..1], &edges[..]].concat().concat();
    let message = format!(
        "bundle carries the edge from `{}` `{}` of canonical `{}` twice (line 2 of `edges.ndjson`)",
        field("source"),
        field("source_advisory_id"),
        field("merge_hash"),
    );
    refused(&b, &c.bundle(), 4, &message);
}
