//! `-q`, `-v` and `--log-format json` on every command (#27): `-q` leaves
//! data on stdout and errors on stderr, nothing else; `-v` adds
//! log records; with `--log-format json` every stderr line is a JSON object,
//! the final error and clap's usage errors included.

use crate::harness::*;

fn import(b: &Site, flags: &[&str], bundle: &std::path::Path) -> Outcome {
    let mut args = flags.to_vec();
    args.extend(["feedser", "bundle", "import", bundle.to_str().unwrap()]);
    b.cmd(&args)
}

/// Every line of `stderr` as JSON; panics on a line that is not.
fn json_lines(stderr: &str) -> Vec<serde_json::Value> {
    stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn quiet_leaves_only_data_and_errors() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.path("full.tar.zst");
    let path = bundle.to_str().unwrap();
    let export = a.cmd(&["-q", "feedser", "bundle", "export", "-o", path]);
    export.ok().stdout_is("").stderr_is("");
    import(&b, &["-q"], &bundle)
        .ok()
        .stdout_is("")
        .stderr_is("");
    let piped = a.cmd(&["-q", "feedser", "bundle", "export", "-o", "-", "--json"]);
    let piped = piped.ok().stderr_is("");
    assert!(piped.stdout_bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]));
    let json = b.cmd(&["-q", "feedser", "sites", "status", "site-a", "--json"]);
    assert_eq!(json.ok().stderr_is("").json()["site_id"], "site-a");
    let list = b
        .cmd(&["-q", "feedser", "sites", "list"])
        .ok()
        .stderr_is("");
    assert!(list.stdout.starts_with("SITE ID"), "{}", list.stdout);
    let fresh = Site::uninitialized("site-c");
    fresh
        .cmd(&["-q", "init", "--site-id", "site-c"])
        .ok()
        .stdout_is("")
        .stderr_is("");
    let junk = b.path("junk.tar.zst");
    std::fs::write(&junk, b"not a bundle at all").unwrap();
    let refused = import(&b, &["-q"], &junk).code(4).stdout_is("");
    assert!(refused.stderr.starts_with("error: "), "{}", refused.stderr);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    // An ingest's refused records are a notice: only its error remains.
    let bad = "{\"id\": \"GHSA-x\", \"modified\": 7}\n";
    let ingest = b
        .run(&["-q", "feedser", "ingest", "osv", "-"])
        .stdin(bad)
        .go();
    let ingest = ingest.code(9).stdout_is("");
    assert!(ingest.stderr.starts_with("error: "), "{}", ingest.stderr);
    assert_eq!(ingest.stderr.lines().count(), 1, "{}", ingest.stderr);
    let json = ["--log-format", "json", "feedser", "ingest", "osv", "-"];
    let lines = json_lines(&b.run(&json).stdin(bad).go().code(9).stderr);
    assert!(lines.len() > 1, "{lines:?}");
    assert_eq!(lines.last().unwrap()["level"], "error");
}

#[test]
fn verbose_adds_log_records() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    import(&b, &[], &bundle).ok().stderr_is("");
    let replay = import(&b, &["-vv"], &bundle).ok();
    let records: Vec<&str> = replay.stderr.lines().collect();
    let prefix = format!(
        "stella: debug: bundle `{}`: already imported",
        bundle.display()
    );
    assert!(
        records.iter().any(|l| l.starts_with(&prefix)),
        "{}",
        replay.stderr
    );
    assert!(
        records.iter().all(|l| l.starts_with("stella: debug: ")),
        "{}",
        replay.stderr
    );
}

#[test]
fn log_format_json_makes_every_stderr_line_json() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.path("full.tar.zst");
    let path = bundle.to_str().unwrap();
    let json = ["--log-format", "json"];
    let export = a.cmd(
        &[
            &json[..],
            &["-vv", "feedser", "bundle", "export", "-o", path],
        ]
        .concat(),
    );
    let lines = json_lines(&export.ok().stderr);
    assert!(lines.iter().all(|l| l["level"] == "debug"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == format!("wrote bundle `{path}`")),
        "{lines:?}"
    );
    let piped = a.cmd(
        &[
            &json[..],
            &["feedser", "bundle", "export", "-o", "-", "--json"],
        ]
        .concat(),
    );
    let report = json_lines(&piped.ok().stderr);
    assert_eq!(report.len(), 1, "the report is one line: {report:?}");
    assert!(report[0]["bundles"].is_array(), "{report:?}");
    let junk = b.path("junk.tar.zst");
    std::fs::write(&junk, b"not a bundle at all").unwrap();
    let refused = import(&b, &["--log-format", "json", "-v"], &junk).code(4);
    let lines = json_lines(&refused.stderr);
    let last = lines.last().unwrap();
    assert_eq!(last["level"], "error");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .starts_with("not a zstd bundle"),
        "{last}"
    );
    let usage = b.cmd(&["--log-format", "json", "feedser", "bundle", "import"]);
    let lines = json_lines(&usage.code(2).stderr);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the following required arguments were not provided"),
        "{}",
        lines[0]
    );
    let init =
        Site::uninitialized("site-c").cmd(&["--log-format", "json", "init", "--site-id", "site-c"]);
    let lines = json_lines(&init.ok().stderr);
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("initialized stella home"),
        "{lines:?}"
    );
}
