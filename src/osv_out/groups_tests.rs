use std::io::Write;

use super::*;
use crate::cursor::Cursor;

/// A part's place in the payload (offset, length) and its bytes.
type Placed = ((u64, u32), Vec<u8>);

/// A payload of `count` encoded parts, with `filler` bytes after every
/// third one, and each part placed.
fn payload(count: u64, filler: usize) -> (File, Vec<Placed>) {
    let mut file = tempfile::tempfile().unwrap();
    let (mut parts, mut offset) = (Vec::new(), 0u64);
    for i in 0..count {
        let record = crate::synth::record(7, i, 0);
        let bytes = super::super::tests::part_of(Cursor::new(1, i), &record);
        file.write_all(&bytes).unwrap();
        let len = bytes.len() as u32;
        parts.push(((offset, len), bytes));
        offset += u64::from(len);
        if i % 3 == 2 {
            file.write_all(&vec![0xAA; filler]).unwrap();
            offset += filler as u64;
        }
    }
    (file, parts)
}

fn group(id: &str, parts: &[&Placed]) -> Group {
    Group {
        id: id.to_owned(),
        parts: parts.iter().map(|p| p.0).collect(),
    }
}

/// The decoded parts as text, to compare.
fn shown(parts: &[Part<'_>]) -> Vec<String> {
    parts.iter().map(|p| format!("{p:?}")).collect()
}

fn expected(parts: &[&Placed]) -> Vec<String> {
    parts
        .iter()
        .map(|p| format!("{:?}", Part::decode(&p.1).unwrap()))
        .collect()
}

#[test]
fn a_batch_reads_each_part_once_whatever_lies_between_them() {
    // Fillers below and above the gap read over: both must give the parts.
    for filler in [10, GAP as usize + 1, 3 * GAP as usize] {
        let (file, all) = payload(12, filler);
        let p = |i: usize| &all[i];
        // Out of payload order, a part shared by two groups, one group of several.
        let batch = [
            group("B", &[p(9), p(1)]),
            group("A", &[p(4)]),
            group("C", &[p(1), p(2), p(3), p(11)]),
            group("D", &[p(0)]),
        ];
        let mut parts = Parts::default();
        parts.load(&file, &batch).unwrap();
        assert_eq!(parts.places.len(), 7, "filler {filler}");
        for (g, want) in batch.iter().zip([
            expected(&[p(9), p(1)]),
            expected(&[p(4)]),
            expected(&[p(1), p(2), p(3), p(11)]),
            expected(&[p(0)]),
        ]) {
            assert_eq!(shown(&parts.decoded(g).unwrap()), want, "filler {filler}");
        }
        // The next batch replaces this one's parts.
        let one = group("E", &[p(6)]);
        assert_eq!(shown(&parts.read(&file, &one).unwrap()), expected(&[p(6)]));
        let err = parts.decoded(&batch[1]).unwrap_err();
        assert!(err.to_string().contains("was not read"), "{err}");
    }
}

#[test]
fn a_part_past_the_payload_end_is_an_error() {
    let (file, all) = payload(2, 0);
    let (offset, len) = all[1].0;
    let beyond = Group {
        id: "X".to_owned(),
        parts: vec![(offset + 1, len)],
    };
    let err = Parts::default().read(&file, &beyond).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn index_entries_sort_by_id_then_merge_hash_and_read_back() {
    let tag = |b: u8| format!("sha256:{}", format!("{b:02x}").repeat(32));
    let cases = [
        ("GHSA-1", tag(0x0f)),
        ("GHSA-1", tag(0xf0)),
        ("GHSA-1", "not-a-tag".to_owned()),
        ("GHSA-10", tag(0x00)),
        ("GHSA-2", tag(0x01)),
        ("GHSA-2", tag(0x10)),
    ];
    let entries: Vec<Vec<u8>> = cases
        .iter()
        .enumerate()
        .map(|(i, (id, hash))| {
            let (mut key, mut e) = (Vec::new(), Vec::new());
            hash_key(hash, &mut key);
            index_entry(&mut e, id, &key, i as u64 * 1000, i + 7);
            e
        })
        .collect();
    // Listed in the order the groups and their parts must come in.
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(sorted, entries);
    for (i, entry) in entries.iter().enumerate() {
        let (id, hash, offset, len) = fields(entry).unwrap();
        assert_eq!(id, cases[i].0.as_bytes());
        assert_eq!((offset, len), (i as u64 * 1000, i as u32 + 7));
        let other = |j: usize| fields(&entries[j]).unwrap().1;
        let same_id_before = i > 0 && cases[i - 1].0 == cases[i].0;
        assert!(!same_id_before || other(i - 1) != hash);
    }
    // A valid tag is its 32 digest bytes: an entry of 1 + 32 hash bytes.
    assert_eq!(fields(&entries[0]).unwrap().1.len(), 33);
    assert!(fields(b"short").is_err());
    assert!(fields(b"no-nul-at-all-but-long-enough").is_err());
}
