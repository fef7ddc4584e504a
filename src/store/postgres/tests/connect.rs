//! Connection failures: what the error names, and never the password.

use postgres::Config;

use super::super::conn::{scrub, target};
use super::super::{PgOptions, PgStore, migrate};
use crate::store::StoreError;

const SECRET: &str = "s3cr3t-Pa55";

#[test]
fn a_failed_connection_names_the_target_but_never_the_password() {
    let dsns = [
        format!("host=127.0.0.1 port=1 user=alice password={SECRET} dbname=stella"),
        format!("postgresql://alice:{SECRET}@127.0.0.1:1/stella"),
    ];
    for dsn in &dsns {
        let errors = [
            PgStore::connect(dsn, "vuln", &PgOptions::default()).err(),
            migrate(dsn, "vuln", &PgOptions::default()).err(),
        ];
        for err in errors {
            match err {
                Some(StoreError::Connect { target, detail }) => {
                    assert_eq!(target, "127.0.0.1:1/stella as user alice");
                    assert!(detail.starts_with("error connecting to server"), "{detail}");
                    let text = StoreError::Connect { target, detail }.to_string();
                    assert!(!text.contains(SECRET), "{text}");
                    assert!(text.starts_with(
                        "cannot connect to PostgreSQL at 127.0.0.1:1/stella as user alice: "
                    ));
                }
                other => panic!("{dsn}: expected Connect, got {other:?}"),
            }
        }
    }
}

#[test]
fn an_unparsable_dsn_is_a_connect_error_without_the_dsn() {
    let dsn = format!("postgresql://alice:{SECRET}@127.0.0.1:notaport/x");
    match PgStore::connect(&dsn, "vuln", &PgOptions::default()) {
        Err(err @ StoreError::Connect { .. }) => {
            let text = err.to_string();
            assert!(!text.contains(SECRET), "{text}");
            assert!(text.starts_with("cannot connect to PostgreSQL at `(unparsable DSN)`: "));
        }
        other => panic!("expected Connect, got {:?}", other.err()),
    }
}

#[test]
fn targets_come_from_the_parsed_fields() {
    let cases = [
        (
            "host=db.example port=6543 user=u dbname=d",
            "db.example:6543/d as user u",
        ),
        (
            "host=/run/postgresql user=u",
            "/run/postgresql:5432/u as user u",
        ),
        ("postgres://u@h1:1,h2:2/d", "h1:1,h2:2/d as user u"),
        ("dbname=d", "localhost:5432/d as user (default user)"),
    ];
    for (dsn, want) in cases {
        let config: Config = dsn.parse().unwrap();
        assert_eq!(target(&config), want, "{dsn}");
    }
}

#[test]
fn driver_messages_are_scrubbed_of_the_password() {
    let config: Config = format!("user=u password={SECRET}").parse().unwrap();
    let said = format!("auth failed for `{SECRET}` twice: {SECRET}");
    assert_eq!(
        scrub(&said, &config),
        "auth failed for `********` twice: ********"
    );
    let no_password: Config = "user=u".parse().unwrap();
    assert_eq!(scrub("as is", &no_password), "as is");
}
