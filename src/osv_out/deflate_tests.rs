use proptest::prelude::*;

use super::*;

/// `input` deflated by `z` and inflated again by zlib (flate2).
fn round_trip(z: &mut Deflater, input: &[u8]) -> Vec<u8> {
    let mut deflated = Vec::new();
    z.deflate(input, &mut deflated);
    let mut inflate = flate2::Decompress::new(false);
    let mut out = Vec::with_capacity(input.len() + 1);
    let status = inflate
        .decompress_vec(&deflated, &mut out, flate2::FlushDecompress::Finish)
        .expect("valid deflate");
    assert_eq!(status, flate2::Status::StreamEnd, "one complete stream");
    assert_eq!(
        inflate.total_in() as usize,
        deflated.len(),
        "no byte after it"
    );
    out
}

fn deflated(z: &mut Deflater, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    z.deflate(input, &mut out);
    out
}

#[test]
fn edge_sizes_and_patterns_inflate_back() {
    let mut z = Deflater::default();
    let long_run = vec![b'a'; 100_000];
    // The same 300 bytes 40,000 bytes apart: too far for a match.
    let far: Vec<u8> = (0..80_600u32).map(|i| (i % 40_000 % 251) as u8).collect();
    // A match exactly as far as deflate reaches.
    let farthest: Vec<u8> = (0..33_068u32)
        .map(|i| ((i % 32_768).wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let high: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 256) as u8).collect();
    let json = br#"{"id":"GHSA-1","affected":[{"package":{"ecosystem":"PyPI","name":"a"}},{"package":{"ecosystem":"PyPI","name":"b"}}]}"#;
    for input in [
        &b""[..],
        b"a",
        b"ab",
        b"abc",
        b"abcd",
        b"abcabcabcabc",
        &long_run,
        &far,
        &farthest,
        &high,
        json,
    ] {
        assert_eq!(round_trip(&mut z, input), input);
    }
}

#[test]
fn a_match_reaches_back_32_768_bytes() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut bytes: Vec<u8> = (0..32_768)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    bytes.extend_from_within(..300);
    let mut z = Deflater::default();
    let head = deflated(&mut z, &bytes[..32_768]).len();
    // The last 300 bytes repeat the first 300: as literals they would cost
    // about 330 bytes, as a match (after a few literals, where the table's
    // slots were taken by later positions) far less.
    let all = deflated(&mut z, &bytes).len();
    assert!(all < head + 100, "{all} {head}");
}

#[test]
fn a_record_gives_the_same_bytes_whatever_came_before() {
    let record = br#"{"id":"PYSEC-2021-1","details":"details details details"}"#;
    let alone = deflated(&mut Deflater::default(), record);
    let mut z = Deflater::default();
    for before in [&record[..], b"{\"id\":\"PYSEC-2021-1\"", &[0u8; 70_000]] {
        z.deflate(before, &mut Vec::new());
        assert_eq!(deflated(&mut z, record), alone);
    }
}

#[test]
fn the_counter_starting_again_changes_no_byte() {
    let record = br#"{"id":"PYSEC-2021-1","details":"details details details"}"#;
    let alone = deflated(&mut Deflater::default(), record);
    // Near the counter's end: the first record fits, the second does not.
    let mut z = Deflater::at(u32::MAX - 2 * record.len() as u32 + 8);
    assert_eq!(deflated(&mut z, record), alone);
    assert_eq!(deflated(&mut z, record), alone);
    assert_eq!(z.base, 1 + record.len() as u32, "started again");
}

#[test]
fn repeated_text_is_compressed() {
    let text =
        br#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2.3"}]},"#.repeat(20);
    let out = deflated(&mut Deflater::default(), &text);
    assert!(
        out.len() < text.len() / 5,
        "{} of {}",
        out.len(),
        text.len()
    );
}

proptest! {
    #[test]
    fn any_bytes_inflate_back(records in proptest::collection::vec(
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..2000),
        1..8,
    )) {
        let mut z = Deflater::default();
        for record in &records {
            prop_assert_eq!(&round_trip(&mut z, record), record);
        }
    }
}
