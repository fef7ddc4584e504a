//! Damage that only the SQLite store can hold: its UUID columns are text,
//! so a bad UUID must come back as `Corrupt`, not a panic.

use super::Harness;
use crate::store::tests::canonical::assert_corrupt;

#[test]
fn corrupt_uuid_text_is_an_error_not_a_panic() {
    assert_corrupt(
        &mut Harness::sqlite(),
        &[
            ("UPDATE canonicals SET id = 'not-a-uuid'", "canonicals.id"),
            ("UPDATE edges SET canonical_id = 'x'", "edges.canonical_id"),
        ],
    );
}
