//! Replay/freeze policy, quarantine and the audit trail, through the real
//! binary. Times are pinned with the test-only `STELLA_TEST_NOW_MS`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::harness::*;

/// 2025-01-15T10:30:00.000Z
const T0: i64 = 1_736_937_000_000;
const T0_TEXT: &str = "2025-01-15T10:30:00.000Z";
const HOUR: i64 = 3_600_000;

/// Runs `args` at `site` with its clock at `ms`.
fn at(site: &Site, ms: i64, args: &[&str]) -> Outcome {
    site.run(args)
        .env("STELLA_TEST_NOW_MS", ms.to_string())
        .go()
}

fn import_args(bundle: &Path) -> Vec<&str> {
    vec!["feedser", "bundle", "import", bundle.to_str().unwrap()]
}

fn with<'a>(mut args: Vec<&'a str>, extra: &[&'a str]) -> Vec<&'a str> {
    args.extend_from_slice(extra);
    args
}

/// A whose feed clock runs `ahead` ms past T0, B trusting A, A's full bundle.
fn pair(store: Backend, ahead: i64) -> (Site, Site, PathBuf) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    let osv = fixture("osv/pypi-2024-01-01");
    at(
        &a,
        T0 + ahead,
        &["feedser", "ingest", "osv", osv.to_str().unwrap()],
    )
    .ok();
    let bundle = a.export("full.tar.zst", &[]);
    (a, b, bundle)
}

/// Rewrites one `Key: value` line of the site's config.
fn set_config(site: &Site, key: &str, value: &str) {
    let path = site.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let prefix = format!("  {key}: ");
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.starts_with(&prefix) {
            true => format!("{prefix}{value}"),
            false => l.to_owned(),
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn sha16(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))[..16].to_owned()
}

fn future_cursor(store: Backend) {
    let (_a, b, bundle) = pair(store, HOUR);
    let path = bundle.to_str().unwrap();
    let import = || import_args(&bundle);
    let cursor = b.json(&["feedser", "bundle", "validate", path, "--json"])["export_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(cursor.starts_with("2025-01-15T11:30:00.000Z#"), "{cursor}");
    let refusal = format!(
        "error: future cursor: bundle cursor `{cursor}` from site `site-a` is more than 300 s ahead of this site's clock (`{T0_TEXT}`, FederationImport.MaxClockSkewSeconds); check the exporting site's clock, or pass --force (--reason TEXT records why) to import it anyway\n"
    );
    at(&b, T0, &import()).code(7).stderr_is(&refusal);
    // validate makes the same check, and says so.
    let report = at(&b, T0, &["feedser", "bundle", "validate", path]).code(7);
    assert!(
        report
            .stdout
            .contains("Not ready for import:\n  - future cursor: bundle cursor `"),
        "{}",
        report.stdout
    );
    // One millisecond past the budget is refused; exactly at it is accepted.
    at(&b, T0 + HOUR - 300_001, &import()).code(7);
    let dry = at(
        &b,
        T0 + HOUR - 300_000,
        &with(import(), &["--dry-run", "--json"]),
    );
    assert_eq!(dry.ok().json()["dry_run"], true);
    assert!(b.canonicals().is_empty());
    let status = b.json(&["feedser", "sites", "status", "site-a", "--json"]);
    assert_eq!(status["last_cursor"], serde_json::Value::Null);
    // --force with a reason overrides, and the ledger keeps the reason.
    let reason = "exporter clock was an hour fast";
    let forced = at(
        &b,
        T0,
        &with(import(), &["--force", "--reason", reason, "--json"]),
    );
    let forced = forced.ok().json();
    assert_eq!(
        (forced["forced"].clone(), forced["success"].clone()),
        (true.into(), true.into())
    );
    let history = b.json(&["feedser", "sites", "history", "site-a", "--json"]);
    assert_eq!(history[0]["force_reason"], reason);
    assert_eq!(history[0]["forced"], true);
    assert_eq!(history[0]["imported_at"], T0_TEXT);
    let table = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.starts_with(&format!("{T0_TEXT}  {cursor}  ")),
        "{table}"
    );
    assert!(row.ends_with(&format!("  forced  {reason}")), "{table}");
    // A larger budget in the config accepts the same skew without --force.
    let (_a2, c, bundle) = pair(store, HOUR);
    set_config(&c, "MaxClockSkewSeconds", "3600");
    at(&c, T0, &import_args(&bundle)).ok();
}

#[test]
fn future_cursor_is_refused() {
    future_cursor(Backend::Sqlite);
}

/// The document's `bundle import ./bundle.zst --force` works as written
/// (#22): a reason is optional, recorded when given, and without one the
/// ledger says none was given. A reason without --force is a usage error.
#[test]
fn force_takes_an_optional_reason() {
    let (a, b, bundle) = pair(Backend::Sqlite, 0);
    let import = || import_args(&bundle);
    b.cmd(&with(import(), &["--reason", "why"])).code(2).stderr_is(
        "error: the following required arguments were not provided:\n  --force\n\nUsage: stella feedser bundle import --force --reason <TEXT> <BUNDLE>...\n\nFor more information, try '--help'.\n",
    );
    let empty = b.cmd(&with(import(), &["--force", "--reason", ""])).code(2);
    assert!(
        empty
            .stderr
            .starts_with("error: a value is required for '--reason <TEXT>' but none was supplied"),
        "{}",
        empty.stderr
    );
    assert!(b.canonicals().is_empty());
    // An import that is not forced records no reason.
    b.cmd(&import()).ok();
    // The same cursor again, in another bundle: refused, then forced as the
    // document writes it, then forced with a reason.
    let again = a.export("again.zst", &["--compression-level", "9"]);
    let again = again.to_str().unwrap();
    let refused = b.cmd(&["feedser", "bundle", "import", again]).code(7);
    assert!(
        refused
            .stderr
            .starts_with("error: Cursor not after current: "),
        "{}",
        refused.stderr
    );
    b.cmd(&["feedser", "bundle", "import", again, "--force"])
        .ok();
    let third = a.export("third.zst", &["--compression-level", "8"]);
    let third = third.to_str().unwrap();
    b.cmd(&[
        "feedser", "bundle", "import", third, "--force", "--reason", "resend",
    ])
    .ok();
    let history = b.json(&["feedser", "sites", "history", "site-a", "--json"]);
    let facts: Vec<(serde_json::Value, serde_json::Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["forced"].clone(), e["force_reason"].clone()))
        .collect();
    let (yes, no) = (
        serde_json::Value::Bool(true),
        serde_json::Value::Bool(false),
    );
    let null = serde_json::Value::Null;
    let mut expected = vec![
        (no, null.clone()),
        (yes.clone(), null),
        (yes, serde_json::Value::from("resend")),
    ];
    if facts.first() != expected.first() {
        expected.reverse();
    }
    assert_eq!(facts, expected);
    let table = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].ends_with("  FLAGS   REASON"), "{table}");
    let reasons: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.rsplit("  ").next().unwrap())
        .collect();
    let mut want = vec!["-", "(none given)", "resend"];
    if reasons.first() != want.first() {
        want.reverse();
    }
    assert_eq!(reasons, want, "{table}");
}

fn stale(store: Backend) {
    let (_a, b, bundle) = pair(store, 0);
    let status = |ms: i64, extra: &[&str]| {
        let mut args = vec!["feedser", "sites", "status"];
        args.extend_from_slice(extra);
        at(&b, ms, &args)
    };
    let never =
        "Warning: nothing was ever imported from site `site-a`: import a full bundle from it\n";
    let out = status(T0, &["site-a", "--check"]).code(13).stderr_is(
        "error: 1 of 1 checked site stale (no import within FederationImport.StaleAfterHours, 48 h): `site-a`; import their latest bundles\n",
    );
    assert!(
        out.stdout.ends_with(&format!(
            "Last sync: never\nBundles imported: 0\nItems imported: 0\n{never}"
        )),
        "{}",
        out.stdout
    );
    at(&b, T0, &import_args(&bundle)).ok();
    let json = status(T0 + 47 * HOUR, &["site-a", "--check", "--json"])
        .ok()
        .json();
    assert_eq!(json["freshness"], "fresh");
    assert_eq!(json["last_sync_age_hours"], 47);
    assert_eq!(json["stale_after_hours"], 48);
    let (local, imported) = (
        json["local_cursor"].as_str().unwrap().to_owned(),
        json["last_cursor"].as_str().unwrap().to_owned(),
    );
    let report = format!(
        "Site: site-a\nStatus: enabled\nLocal cursor: {local}\nLast imported cursor: {imported}\nLast sync: {T0_TEXT}\nBundles imported: 1\nItems imported: {}\n",
        json["total_items_imported"]
    );
    // Exactly at the budget is still fresh; past it is stale.
    status(T0 + 48 * HOUR, &["site-a", "--check"])
        .ok()
        .stdout_is(&report);
    let out = status(T0 + 49 * HOUR, &["site-a", "--check"]).code(13);
    assert_eq!(
        out.stdout,
        format!(
            "{report}Warning: the last import from site `site-a` was 49 h ago, over the 48 h budget (FederationImport.StaleAfterHours): check that its bundles still arrive\n"
        )
    );
    // Without --check the warning is printed and the exit is 0.
    let out = status(T0 + 49 * HOUR, &["site-a"]).ok();
    assert!(
        out.stdout.contains("Warning: the last import"),
        "{}",
        out.stdout
    );
    // Every enabled site, for cron.
    for (id, enabled) in [("site-c", "false"), ("site-d", "true")] {
        b.cmd(&[
            "feedser",
            "sites",
            "add",
            id,
            "--display-name",
            id,
            "--enabled",
            enabled,
        ])
        .ok();
    }
    status(T0 + HOUR, &["--check"]).code(13).stdout_is(&format!(
        "SITE ID  LAST SYNC                 AGE  STATE\nsite-a   {T0_TEXT}  1 h  ok\nsite-d   never                     -    never imported\n"
    )).stderr_is(
        "error: 1 of 2 checked sites stale (no import within FederationImport.StaleAfterHours, 48 h): `site-d`; import their latest bundles\n",
    );
    b.cmd(&["feedser", "sites", "policy", "site-d", "--enabled", "false"])
        .ok();
    status(T0 + HOUR, &["--check"]).ok();
    status(T0, &[]).code(2);
    // The budget comes from the config.
    set_config(&b, "StaleAfterHours", "1");
    status(T0 + 2 * HOUR, &["--check"]).code(13).stderr_is(
        "error: 1 of 1 checked site stale (no import within FederationImport.StaleAfterHours, 1 h): `site-a`; import their latest bundles\n",
    );
}

#[test]
fn stale_site_fails_the_check() {
    stale(Backend::Sqlite);
}

mod postgres {
    use crate::harness::Backend;

    #[test]
    fn future_cursor_is_refused() {
        if let Some(store) = Backend::postgres("trail::postgres::future_cursor_is_refused") {
            super::future_cursor(store);
        }
    }

    #[test]
    fn stale_site_fails_the_check() {
        if let Some(store) = Backend::postgres("trail::postgres::stale_site_fails_the_check") {
            super::stale(store);
        }
    }
}

/// The checks a bundle refused while its members were read had passed.
fn admitted_log(size: Option<usize>) -> Vec<String> {
    let mut log: Vec<String> = size
        .map(|n| format!("size: {n} bytes, within FederationImport.MaxBundleSizeBytes"))
        .into_iter()
        .collect();
    log.extend(
        [
            "format: manifest and signature envelope read",
            "site: `site-a` is registered",
            "signature: accepted",
            "policy: site allowed and enabled",
            "cursor: follows the last import from the site",
        ]
        .map(str::to_owned),
    );
    log
}

fn quarantine_json(site: &Site) -> serde_json::Value {
    site.json(&["feedser", "quarantine", "list", "--json"])
}

#[test]
fn failed_bundle_is_quarantined() {
    let (a, b, bundle) = pair(Backend::Sqlite, 0);
    let full = std::fs::read(&bundle).unwrap();
    let cut = full[..full.len() - 1].to_vec();
    let cut_path = b.path("cut.tar.zst");
    std::fs::write(&cut_path, &cut).unwrap();
    let truncated = "truncated bundle: the input ended early; fetch the bundle again";
    at(&b, T0, &import_args(&cut_path))
        .code(4)
        .stderr_is(&format!("error: {truncated}\n"));
    let id = format!("20250115T103000000Z-{}", sha16(&cut));
    let dir = b.home().join("quarantine").join(&id);
    assert_eq!(std::fs::read(dir.join("bundle.tar.zst")).unwrap(), cut);
    let reason: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reason.json")).unwrap()).unwrap();
    assert_eq!(
        reason,
        serde_json::json!({
            "reason": "truncated",
            "error": truncated,
            "verification_log": admitted_log(Some(cut.len())),
            "received_from": cut_path.to_str().unwrap(),
            "size": cut.len(),
            "truncated": false,
            "received_at": T0_TEXT,
        })
    );
    let mut show = format!(
        "Quarantined bundle: {id}\nReceived at: {T0_TEXT}\nSource: {}\nSize: {}\nReason: truncated: {truncated}\nVerification log:\n",
        cut_path.display(),
        stella::units::size(cut.len() as u64)
    );
    for step in admitted_log(Some(cut.len())) {
        show.push_str(&format!("  passed {step}\n"));
    }
    show.push_str(&format!(
        "Bundle: {}\n",
        dir.join("bundle.tar.zst").display()
    ));
    b.cmd(&["feedser", "quarantine", "show", &id])
        .ok()
        .stdout_is(&show);

    // From stdin, only what was read is kept, capped by the config.
    set_config(&b, "QuarantineMaxBytes", "100");
    b.run(&["feedser", "bundle", "import", "-"])
        .env("STELLA_TEST_NOW_MS", (T0 + 1_000).to_string())
        .stdin(cut.clone())
        .go()
        .code(4);
    let stdin_id = format!("20250115T103001000Z-{}", sha16(&cut[..100]));
    let entry = b.json(&["feedser", "quarantine", "show", &stdin_id, "--json"]);
    assert_eq!(
        (&entry["received_from"], &entry["size"], &entry["truncated"]),
        (&"stdin".into(), &cut.len().into(), &true.into())
    );
    assert_eq!(
        entry["verification_log"],
        serde_json::json!(admitted_log(None))
    );
    let kept = b
        .home()
        .join("quarantine")
        .join(&stdin_id)
        .join("bundle.tar.zst");
    assert_eq!(std::fs::read(kept).unwrap(), &cut[..100]);

    // A bad signature is quarantined with the checks before it.
    let c = Site::on(Backend::Sqlite, "site-c");
    let wrong = c.with_key();
    let d = Site::on(Backend::Sqlite, "site-d");
    d.trust(&a, &wrong);
    at(&d, T0, &import_args(&bundle)).code(5);
    let refused = quarantine_json(&d);
    assert_eq!(refused[0]["reason"], "signature_invalid");
    assert_eq!(
        refused[0]["verification_log"],
        serde_json::json!(admitted_log(Some(full.len()))[..3])
    );

    // Good bundles, from a file or a pipe, are not kept; nothing is left over.
    b.run(&["feedser", "bundle", "import", "-"])
        .stdin(full)
        .go()
        .ok();
    assert_eq!(
        std::fs::read_dir(b.home().join("quarantine"))
            .unwrap()
            .count(),
        2
    );
    // The SIZE column is as wide as its widest cell.
    let (whole, kept) = (
        stella::units::size(cut.len() as u64),
        format!(
            "{} (first part kept)",
            stella::units::size(cut.len() as u64)
        ),
    );
    let w = kept.len();
    b.cmd(&["feedser", "quarantine", "list"]).ok().stdout_is(&format!(
        "ID                                    RECEIVED AT               REASON     {:<w$}  SOURCE\n\
         {id}  {T0_TEXT}  truncated  {whole:<w$}  {}\n\
         {stdin_id}  2025-01-15T10:30:01.000Z  truncated  {kept}  stdin\n",
        "SIZE",
        cut_path.display(),
    ));

    // Purging.
    let purge =
        |ms: i64, extra: &[&str]| at(&b, ms, &with(vec!["feedser", "quarantine", "purge"], extra));
    purge(T0, &["nope"]).code(12).stderr_is(
        "error: quarantined bundle `nope` not found: see `stella feedser quarantine list` for the ids\n",
    );
    purge(T0, &[]).code(2);
    purge(T0 + 24 * HOUR + 500, &["--older-than", "1"])
        .ok()
        .stdout_is("purged 1 quarantined bundle\n");
    assert_eq!(quarantine_json(&b)[0]["id"], stdin_id.as_str());
    purge(T0, &[&stdin_id])
        .ok()
        .stdout_is("purged 1 quarantined bundle\n");
    b.cmd(&["feedser", "quarantine", "list"])
        .ok()
        .stdout_is("ID  RECEIVED AT  REASON  SIZE  SOURCE\n");
    purge(T0, &["--all"])
        .ok()
        .stdout_is("purged 0 quarantined bundles\n");
    b.cmd(&["feedser", "quarantine", "show", &id]).code(12);
}

fn audit_lines(site: &Site) -> Vec<String> {
    let text = std::fs::read_to_string(site.home().join("audit.log")).unwrap();
    text.lines().map(str::to_owned).collect()
}

/// Checks each record's hash (sha256 of the line without `hash`, the last
/// field) and chain, and returns the records.
fn checked_records(lines: &[String]) -> Vec<serde_json::Value> {
    let mut prev = "0".repeat(64);
    let mut records = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let hash = record["hash"].as_str().unwrap();
        let body = line.replace(&format!(",\"hash\":\"{hash}\""), "");
        assert_eq!(
            hex::encode(Sha256::digest(body.as_bytes())),
            hash,
            "line {}",
            i + 1
        );
        assert_eq!(record["prev_hash"], prev.as_str());
        assert_eq!(record["seq"], i + 1);
        prev = hash.to_owned();
        records.push(record);
    }
    records
}

#[test]
fn audit_verify_detects_edits() {
    let (_a, b, bundle) = pair(Backend::Sqlite, 0);
    b.cmd(&["audit", "verify"])
        .ok()
        .stdout_is("audit log ok: 0 records\n");
    let cut = b.path("cut.tar.zst");
    let bytes = std::fs::read(&bundle).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 1]).unwrap();
    at(&b, T0, &with(import_args(&bundle), &["--dry-run"])).ok();
    at(&b, T0, &import_args(&bundle)).ok();
    at(&b, T0, &import_args(&bundle)).ok();
    at(&b, T0, &import_args(&cut)).code(4);
    at(&b, T0, &["feedser", "bundle", "import", "missing.tar.zst"]).code(1);
    let lines = audit_lines(&b);
    let records = checked_records(&lines);
    let summary: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap(),
                r["reason_code"].as_str().unwrap_or("-"),
                r["site_id"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("dry_run", "-", "site-a"),
            ("committed", "-", "site-a"),
            ("already_imported", "-", "site-a"),
            ("rejected", "truncated", "site-a"),
            ("rejected", "io_error", "-"),
        ]
    );
    let hash =
        b.json(&["feedser", "sites", "history", "site-a", "--json"])[0]["bundle_hash"].clone();
    assert_eq!(records[1]["bundle_hash"], hash);
    assert_eq!(
        (
            &records[1]["time"],
            &records[1]["command"],
            &records[1]["bundle"]
        ),
        (
            &T0_TEXT.into(),
            &"feedser bundle import".into(),
            &bundle.to_str().unwrap().into()
        )
    );
    assert_eq!(
        records[3]["message"],
        "truncated bundle: the input ended early; fetch the bundle again"
    );
    b.cmd(&["audit", "verify"])
        .ok()
        .stdout_is("audit log ok: 5 records\n");

    let log = b.home().join("audit.log");
    let broken = |problem: &str| {
        format!(
            "error: audit log `{}` is broken: {problem}; keep the file for investigation, then restore a trusted copy or accept the break with `stella audit acknowledge --reason TEXT`\n",
            log.display()
        )
    };
    let tampered = |edit: &dyn Fn(&mut Vec<String>), problem: &str| {
        let mut copy = lines.clone();
        edit(&mut copy);
        std::fs::write(&log, copy.join("\n") + "\n").unwrap();
        b.cmd(&["audit", "verify"])
            .code(14)
            .stdout_is("")
            .stderr_is(&broken(problem));
    };
    tampered(
        &|l| l[1] = l[1].replace("\"outcome\":\"committed\"", "\"outcome\":\"rejected\""),
        "record 2 (line 2) was edited: its hash does not match its contents",
    );
    tampered(
        &|l| drop(l.remove(2)),
        "record 3 is missing: line 3 holds record 4",
    );
    tampered(
        &|l| drop(l.pop()),
        "the log was cut: it ends at record 4 but `audit.head` says record 5",
    );
    tampered(
        &|l| l.swap(1, 2),
        "records are out of order: line 2 holds record 3, expected record 2",
    );
    let json = b.cmd(&["audit", "verify", "--json"]).code(14).json();
    assert_eq!(
        json,
        serde_json::json!({
            "success": false,
            "records": null,
            "problem": {"problem": "out_of_order", "line": 2, "expected": 2, "found": 3},
            "error": "records are out of order: line 2 holds record 3, expected record 2",
        })
    );
    // Restored, it verifies again, and appends continue the chain.
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    at(&b, T0, &import_args(&bundle)).ok();
    assert_eq!(checked_records(&audit_lines(&b)).len(), 6);
    b.cmd(&["audit", "verify", "--json"]).ok();
}
