//! The migration runner on its own: fresh, partial, current and newer
//! databases, and a failing step.

use rusqlite::Connection;

use super::{MigrateError, Step, is_current, migrate, user_version};

fn add_b(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("CREATE TABLE b (y INTEGER)")?;
    conn.execute("INSERT INTO b SELECT x FROM a", [])?;
    Ok(())
}

fn fail(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("SELECT * FROM no_such_table")
}

const STEPS: &[Step<rusqlite::Error>] = &[
    Step::Sql("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7);"),
    Step::Rust(add_b),
    Step::Sql("CREATE TABLE c (z INTEGER);"),
];

fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_fresh_database_runs_every_step_in_order() {
    let mut conn = Connection::open_in_memory().unwrap();
    assert!(!is_current(&conn, STEPS).unwrap());
    assert_eq!(migrate(&mut conn, STEPS).unwrap(), 0);
    assert_eq!(user_version(&conn).unwrap(), 3);
    assert_eq!(tables(&conn), ["a", "b", "c"]);
    let y: i64 = conn.query_row("SELECT y FROM b", [], |r| r.get(0)).unwrap();
    assert_eq!(y, 7);
    assert!(is_current(&conn, STEPS).unwrap());
    // Running again is a no-op.
    assert_eq!(migrate(&mut conn, STEPS).unwrap(), 3);
    assert_eq!(tables(&conn), ["a", "b", "c"]);
}

#[test]
fn a_partial_database_runs_only_the_steps_after_its_version() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER); PRAGMA user_version = 2;",
    )
    .unwrap();
    assert_eq!(migrate(&mut conn, STEPS).unwrap(), 2);
    assert_eq!(user_version(&conn).unwrap(), 3);
    assert_eq!(tables(&conn), ["a", "b", "c"]);
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM b", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "step 1 did not run again");
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "user_version", 4).unwrap();
    match migrate(&mut conn, STEPS) {
        Err(MigrateError::TooNew { found, known }) => assert_eq!((found, known), (4, 3)),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(user_version(&conn).unwrap(), 4);
    assert!(tables(&conn).is_empty());
}

#[test]
fn a_failing_step_rolls_every_step_of_the_run_back() {
    let steps: &[Step<rusqlite::Error>] = &[
        Step::Sql("CREATE TABLE a (x INTEGER);"),
        Step::Sql("CREATE TABLE d (w INTEGER);"),
        Step::Rust(fail),
    ];
    let mut conn = Connection::open_in_memory().unwrap();
    match migrate(&mut conn, steps) {
        Err(MigrateError::Failed(err)) => {
            assert!(
                err.to_string().contains("no such table: no_such_table"),
                "{err}"
            )
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(user_version(&conn).unwrap(), 0);
    assert!(tables(&conn).is_empty());
}

#[test]
fn a_failing_sql_step_keeps_the_version_it_had() {
    let steps: &[Step<rusqlite::Error>] = &[
        Step::Sql("CREATE TABLE a (x INTEGER);"),
        Step::Sql("CREATE TABLE a (x INTEGER);"),
    ];
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE a (x INTEGER); PRAGMA user_version = 1;")
        .unwrap();
    assert!(matches!(
        migrate(&mut conn, steps),
        Err(MigrateError::Failed(_))
    ));
    assert_eq!(user_version(&conn).unwrap(), 1);
    assert_eq!(tables(&conn), ["a"]);
}
