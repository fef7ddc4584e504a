//! PostgreSQL errors become driver-free `StoreError`s that keep the
//! SQLSTATE and say whether the database refused the data.

use super::super::conn::pg;
use super::test_db;
use crate::store::{DbCode, StoreError};

#[test]
fn a_check_violation_is_a_data_refusal_with_its_sqlstate() {
    let db = test_db!();
    let mut client = db.client();
    client
        .batch_execute("CREATE TEMP TABLE t (n integer CHECK (n >= 0))")
        .unwrap();
    let err = pg(client
        .execute("INSERT INTO t VALUES (-1)", &[])
        .unwrap_err());
    let StoreError::Postgres(failure) = &err else {
        panic!("expected Postgres, got {err:?}")
    };
    assert_eq!(failure.code, Some(DbCode::SqlState("23514".to_owned())));
    assert!(
        err.to_string()
            .starts_with("PostgreSQL error: new row for relation \"t\" violates check constraint"),
        "{err}"
    );
    assert!(err.caused_by_data());
}

#[test]
fn data_exceptions_and_raised_exceptions_are_caused_by_data() {
    let db = test_db!();
    let mut client = db.client();
    let cast = pg(client.execute("SELECT 'x'::integer", &[]).unwrap_err());
    assert!(cast.caused_by_data(), "{cast}");
    let raised = pg(client
        .batch_execute("DO $$ BEGIN RAISE EXCEPTION 'refused'; END $$")
        .unwrap_err());
    assert!(
        matches!(&raised, StoreError::Postgres(f) if f.code == Some(DbCode::SqlState("P0001".to_owned())))
    );
    assert!(raised.caused_by_data(), "{raised}");
}

#[test]
fn schema_errors_are_not_caused_by_data() {
    let db = test_db!();
    let mut client = db.client();
    let missing = pg(client.execute("SELECT * FROM nowhere", &[]).unwrap_err());
    assert!(
        matches!(&missing, StoreError::Postgres(f) if f.code == Some(DbCode::SqlState("42P01".to_owned())))
    );
    assert!(!missing.caused_by_data());
}
