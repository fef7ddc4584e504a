//! A broken audit chain stops imports until the break is acknowledged
//! (#27 item 5), and `doctor` reports it.

use crate::harness::*;

fn broken(site: &Site, problem: &str) -> String {
    format!(
        "error: audit log `{}` is broken: {problem}; keep the file for investigation, then restore a trusted copy or accept the break with `stella audit acknowledge --reason TEXT`\n",
        site.home().join("audit.log").display()
    )
}

fn cut_and_behead(site: &Site) -> String {
    let log = site.home().join("audit.log");
    let text = std::fs::read_to_string(&log).unwrap();
    let kept: String = text.lines().take(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&log, &kept).unwrap();
    std::fs::remove_file(site.home().join("audit.head")).unwrap();
    kept
}

fn broken_chain_refuses_imports_until_acknowledged(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let path = bundle.to_str().unwrap();
    let import = ["feedser", "bundle", "import", path];
    b.cmd(&["feedser", "bundle", "import", path, "--dry-run"])
        .ok();
    b.cmd(&import).ok();
    let kept = cut_and_behead(&b);
    let problem = "`audit.head` is missing but the log holds 1 record";
    b.cmd(&["audit", "verify"])
        .code(14)
        .stdout_is("")
        .stderr_is(&broken(&b, problem));
    // Neither a replay nor a dry run slips a fresh head in.
    b.cmd(&import)
        .code(14)
        .stdout_is("")
        .stderr_is(&broken(&b, problem));
    b.cmd(&["feedser", "bundle", "import", path, "--dry-run"])
        .code(14)
        .stderr_is(&broken(&b, problem));
    let log = b.home().join("audit.log");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), kept);
    assert!(!b.home().join("audit.head").exists());
    b.cmd(&["audit", "verify"]).code(14);

    let doctor = b.cmd(&["doctor"]).code(15);
    let line = doctor
        .stdout
        .lines()
        .find(|l| l.contains("  audit  "))
        .unwrap();
    assert_eq!(
        line,
        format!(
            "fail  audit    the audit log is broken ({problem}) and imports refuse to append to it: keep `{}` for investigation, then restore a trusted copy or run `stella audit acknowledge --reason TEXT`",
            log.display()
        )
    );

    b.cmd(&["audit", "acknowledge", "--reason", "  "])
        .code(2)
        .stderr_is("error: --reason is empty: say why the break is accepted\n");
    b.cmd(&[
        "audit",
        "acknowledge",
        "--reason",
        "disk replaced; ticket 42",
    ])
    .ok()
    .stderr_is("")
    .stdout_is(&format!(
        "acknowledged: {problem}\nrecorded as record 2 of `{}`; appends resume\n",
        log.display()
    ));
    let ack: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            &ack["command"],
            &ack["outcome"],
            &ack["reason_code"],
            &ack["message"]
        ),
        (
            &"audit acknowledge".into(),
            &"acknowledged".into(),
            &"head_missing".into(),
            &format!("{problem}; acknowledged: disk replaced; ticket 42").into()
        )
    );
    b.cmd(&["audit", "verify"])
        .ok()
        .stdout_is("audit log ok: 2 records (a break was acknowledged in record 2)\n");
    b.cmd(&["audit", "acknowledge", "--reason", "again"])
        .code(2)
        .stderr_is(&format!(
            "error: audit log `{}` is not broken: there is nothing to acknowledge\n",
            log.display()
        ));
    b.cmd(&import).ok();
    let json = b.cmd(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(
        json,
        serde_json::json!({"success": true, "records": 3, "problem": null, "error": null, "acknowledged": 2})
    );
    let doctor = b.cmd(&["doctor"]).ok();
    assert!(doctor.stdout.contains(
        "ok    audit    3 records, chain intact (a break was acknowledged in record 2)\n"
    ));

    // The acknowledged part is sealed: editing it now is a new break.
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("dry_run", "committed", 1)).unwrap();
    b.cmd(&["audit", "verify"]).code(14).stderr_is(&broken(
        &b,
        "the records before the acknowledgment in record 2 were changed after it",
    ));
}

on_both_stores!(broken_chain_refuses_imports_until_acknowledged);
