//! An export larger than one page of the server-side cursor still streams
//! every row, in feed order, from one snapshot.

use super::*;
use crate::store::ExportRow;

#[test]
fn a_large_export_streams_in_pages_in_feed_order() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    let records: Vec<_> = (0..2_500u32).map(|i| super::batch::wide(i, 2)).collect();
    let mut txn = store.begin().unwrap();
    txn.put_many(&records).unwrap();
    txn.commit().unwrap();
    let mut seen = 0u64;
    store
        .export_rows(None, u64::MAX, &mut |row| {
            seen += 1;
            match row {
                ExportRow::Canonical(c, r) if c.seq() == seen && r.edges.len() == 2 => Ok(()),
                other => Err(std::io::Error::other(format!("row {seen}: {other:?}"))),
            }
        })
        .unwrap();
    assert_eq!(seen, 2_500);
}
