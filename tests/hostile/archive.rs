//! Attacks on the tar layer: names, order, paths, entry types, extension
//! headers, sizes and what follows the archive's end.

use super::craft::{self, Craft, Entry, entry, pack};
use super::{receiver, refused};

/// The valid entries with `edit` applied, packed.
fn edited(edit: impl FnOnce(&mut Vec<Entry>)) -> Vec<u8> {
    let mut entries = Craft::vector().entries();
    edit(&mut entries);
    pack(&entries)
}

#[test]
fn unknown_member_names_are_refused() {
    let b = receiver();
    let extra = edited(|e| e.push(entry("foo", b"x\n".to_vec())));
    refused(&b, &extra, 4, "extra member `foo` after `deletions.ndjson`");
    let renamed = edited(|e| e[2].name = b"advisories.ndjson".to_vec());
    refused(
        &b,
        &renamed,
        4,
        "unexpected member `advisories.ndjson` where `canonicals.ndjson` was expected",
    );
}

#[test]
fn duplicate_members_are_refused() {
    let b = receiver();
    let twice = edited(|e| e.insert(2, e[1].clone()));
    refused(&b, &twice, 4, "duplicate member `SIGNATURE.json`");
    let last_twice = edited(|e| e.push(e[4].clone()));
    refused(&b, &last_twice, 4, "duplicate member `deletions.ndjson`");
}

#[test]
fn members_in_the_wrong_order_are_refused() {
    let b = receiver();
    let swapped = edited(|e| e.swap(2, 3));
    refused(
        &b,
        &swapped,
        4,
        "unexpected member `edges.ndjson` where `canonicals.ndjson` was expected",
    );
    let envelope_first = edited(|e| e.swap(0, 1));
    refused(
        &b,
        &envelope_first,
        4,
        "unexpected member `SIGNATURE.json` where `MANIFEST.json` was expected",
    );
}

#[test]
fn absolute_and_parent_paths_are_refused() {
    let b = receiver();
    for (name, reason) in [
        ("/etc/cron.d/evil", "absolute path"),
        ("../canonicals.ndjson", "`.` or `..` component"),
        ("x/../../canonicals.ndjson", "`.` or `..` component"),
    ] {
        let bundle = edited(|e| e[2].name = name.as_bytes().to_vec());
        refused(
            &b,
            &bundle,
            4,
            &format!("unsafe archive path `{name}`: {reason}"),
        );
    }
}

#[test]
fn links_devices_and_other_entry_types_are_refused() {
    let b = receiver();
    for (kind, what) in [
        (b'2', "symbolic link"),
        (b'1', "hard link"),
        (b'3', "device"),
        (b'4', "device"),
        (b'5', "directory"),
        (b'6', "fifo"),
    ] {
        let bundle = edited(|e| {
            e[2].kind = kind;
            e[2].link = b"/etc/passwd".to_vec();
        });
        refused(
            &b,
            &bundle,
            4,
            &format!("member `canonicals.ndjson` is a {what}, not a regular file"),
        );
    }
}

#[test]
fn pax_gnu_and_sparse_headers_are_refused() {
    let b = receiver();
    let pax = |kind: u8, name: &str, data: &str| Entry {
        kind,
        ..entry(name, data.as_bytes().to_vec())
    };
    for (extension, what) in [
        (
            pax(
                b'x',
                "PaxHeaders.0/canonicals.ndjson",
                "28 path=../../etc/passwd\n",
            ),
            "pax extension header",
        ),
        (
            pax(b'g', "pax_global_header", "19 uid=0\n"),
            "pax extension header",
        ),
        (
            pax(b'L', "././@LongLink", "../../etc/passwd\0"),
            "gnu extension header",
        ),
        (pax(b'S', "canonicals.ndjson", ""), "gnu extension header"),
    ] {
        let name = String::from_utf8(extension.name.clone()).unwrap();
        let bundle = edited(|e| e.insert(2, extension));
        refused(
            &b,
            &bundle,
            4,
            &format!("member `{name}` is a {what}, not a regular file"),
        );
    }
    // The right name split across ustar's prefix field, and a GNU-format header.
    let entries = Craft::vector().entries();
    let at: usize = entries[..2]
        .iter()
        .map(|e| 512 + e.data.len().div_ceil(512) * 512)
        .sum();
    let mut prefixed = craft::tar(&entries);
    assert_eq!(&prefixed[at..at + 17], b"canonicals.ndjson");
    prefixed[at + 345] = b'x';
    fix_checksum(&mut prefixed[at..at + 512]);
    let message = "unexpected member `x/canonicals.ndjson` where `canonicals.ndjson` was expected";
    refused(&b, &craft::vector_layout(&prefixed), 4, message);
    let mut gnu = craft::tar(&entries);
    gnu[at + 257..at + 265].copy_from_slice(b"ustar  \0");
    fix_checksum(&mut gnu[at..at + 512]);
    let message = "tar header of `canonicals.ndjson` is not canonical";
    refused(&b, &craft::vector_layout(&gnu), 4, message);
}

fn fix_checksum(h: &mut [u8]) {
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    let digits = format!("{sum:07o}\0");
    h[148..156].copy_from_slice(digits.as_bytes());
}

#[test]
fn a_member_larger_or_smaller_than_the_manifest_says_is_refused() {
    let b = receiver();
    let c = Craft::vector();
    let size = c.rows[0].len();
    let larger = edited(|e| e[2].data.extend_from_slice(b"{}\n"));
    let message = format!(
        "member `canonicals.ndjson` size mismatch: manifest says {size}, content is {}",
        size + 3
    );
    refused(&b, &larger, 4, &message);
    let smaller = edited(|e| e[2].data.truncate(size - 1));
    let message = format!(
        "member `canonicals.ndjson` size mismatch: manifest says {size}, content is {}",
        size - 1
    );
    refused(&b, &smaller, 4, &message);
}

#[test]
fn anything_after_the_archive_end_is_refused() {
    let b = receiver();
    let tar = craft::tar(&Craft::vector().entries());
    for tail in [&b"garbage"[..], &[0u8; 512], &[0u8; 1]] {
        let bundle = craft::vector_layout(&[&tar[..], tail].concat());
        refused(&b, &bundle, 4, "trailing data after the end of the bundle");
    }
    let bundle = craft::vector_layout(&tar[..tar.len() - 512]);
    let message = "truncated bundle: the input ended early; fetch the bundle again";
    refused(&b, &bundle, 4, message);
}
