//! The member writer's accounting and frames.

use std::io::Read;

use super::member_writer::*;
use super::options::WriteOptions;
use crate::bundle::format::frame;
use crate::bundle::format::members::Member;
use crate::bundle::format::tag::EMPTY_SHA256;

#[test]
fn spool_hashes_counts_and_keeps_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriteOptions::default();
    let mut spool = NdjsonSpool::new(Member::Edges, dir.path(), &opts).unwrap();
    spool.push(&serde_json::json!({"a": 1})).unwrap();
    spool.push(&"x\ny").unwrap();
    let done = spool.finish().unwrap();
    let expected = b"{\"a\":1}\n\"x\\ny\"\n";
    assert_eq!((done.member, done.size, done.lines), (Member::Edges, 15, 2));
    assert_eq!(done.sha256, crate::model::sha256_tagged(expected));
    let mut frame = Vec::new();
    let (digest, size) = (done.compressed_sha256.clone(), done.compressed_size);
    done.into_file().read_to_end(&mut frame).unwrap();
    assert_eq!(frame, frame::compress(expected, opts.level).unwrap());
    assert_eq!(
        (digest, size),
        (crate::model::sha256_tagged(&frame), frame.len() as u64)
    );
    assert_eq!(zstd::decode_all(&frame[..]).unwrap(), expected);
}

#[test]
fn an_empty_spool_has_no_frame() {
    let dir = tempfile::tempdir().unwrap();
    let spool = NdjsonSpool::new(Member::Deletions, dir.path(), &WriteOptions::default());
    let done = spool.unwrap().finish().unwrap();
    assert_eq!((done.size, done.lines, done.compressed_size), (0, 0, 0));
    assert_eq!(done.compressed_sha256, crate::model::sha256_tagged(b""));
    assert_eq!(done.sha256, done.compressed_sha256);
}

/// Everything the manifest pins, and the frame's bytes.
type Outcome = ((String, u64, u64, String, u64), Vec<u8>);

fn outcome(spool: NdjsonSpool) -> Outcome {
    let done = spool.finish().unwrap();
    let pins = (
        done.sha256.clone(),
        done.size,
        done.lines,
        done.compressed_sha256.clone(),
        done.compressed_size,
    );
    let mut frame = Vec::new();
    done.into_file().read_to_end(&mut frame).unwrap();
    (pins, frame)
}

#[test]
fn a_member_past_one_feed_streams_to_the_frame_a_small_one_gets_whole() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriteOptions::default();
    let lines: Vec<String> = (0..80_000)
        .map(|i| format!("{{\"id\":{i},\"text\":\"row {}\"}}\n", i * 7919 % 10007))
        .collect();
    let all = lines.concat();
    assert!(all.len() > 2 * FEED, "{} bytes", all.len());
    let mut spool = NdjsonSpool::new(Member::Edges, dir.path(), &opts).unwrap();
    let (head, rest) = all.as_bytes().split_at(FEED - 10);
    spool.push_lines(head, 0).unwrap();
    assert!(!spool.started(), "under one feed stays in memory");
    spool.push_lines(&rest[..FEED + 5], 0).unwrap();
    assert!(spool.started(), "past one feed compresses");
    for line in rest[FEED + 5..].chunks(333) {
        spool.push_lines(line, 0).unwrap();
    }
    let (pins, streamed) = outcome(spool);
    assert_eq!(
        streamed,
        frame::compress(all.as_bytes(), opts.level).unwrap()
    );
    assert_eq!((pins.1, pins.4), (all.len() as u64, streamed.len() as u64));
    assert_eq!(zstd::decode_all(&streamed[..]).unwrap(), all.as_bytes());
}

#[test]
fn lines_pushed_in_pieces_are_the_rows_pushed_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriteOptions::default();
    let spool = || NdjsonSpool::new(Member::Canonicals, dir.path(), &opts).unwrap();
    let (mut rows, mut pieces, mut nothing) = (spool(), spool(), spool());
    for row in [
        serde_json::json!({"a": 1}),
        "b".into(),
        serde_json::json!([1, 2]),
    ] {
        rows.push(&row).unwrap();
    }
    pieces.push_lines(b"", 0).unwrap();
    pieces.push_lines(b"{\"a\":1}\n\"b\"\n", 2).unwrap();
    pieces.push_lines(b"[1,2]\n", 1).unwrap();
    nothing.push_lines(b"", 0).unwrap();
    let got = outcome(pieces);
    assert_eq!((got.0.1, got.0.2), (18, 3));
    assert_eq!(got, outcome(rows));
    let empty = (
        (EMPTY_SHA256.to_owned(), 0, 0, EMPTY_SHA256.to_owned(), 0),
        Vec::new(),
    );
    assert_eq!(outcome(nothing), empty);
}
