//! Key rotation that never breaks cron (#27 "Keys and sites over time"):
//! a default federation key, `authority keys default` and `retire`, and
//! the README's procedure run against a cron-like export/import loop.

use crate::harness::*;

/// One cron cycle: site A takes a new snapshot and exports what B lacks
/// with a plain `bundle export` (no --key); B imports it. Both must succeed.
fn cron(a: &Site, b: &Site, round: usize) {
    let snapshot = ["osv/pypi-2024-10-10", "osv/pypi-2024-01-01"][round % 2];
    let ingest = ["feedser", "ingest", "osv", "--prune"];
    a.cmd(&[&ingest[..], &[fixture(snapshot).to_str().unwrap()]].concat())
        .ok();
    let sites = b.json(&["feedser", "sites", "list", "--json"]);
    let since = sites[0]["last_cursor"].as_str().map(str::to_owned);
    let name = format!("round-{round}.tar.zst");
    let mut args = vec!["feedser", "bundle", "export", "-o", &name];
    if let Some(cursor) = &since {
        args.extend(["-c", cursor]);
    }
    a.cmd(&args).ok();
    let bundle = a.path(&name);
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
    assert_same(&b.contents(), &a.contents(), "B against A");
}

fn statuses(site: &Site) -> Vec<(String, String)> {
    let list = site.json(&["authority", "keys", "list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let field = |f: &str| k[f].as_str().unwrap().to_owned();
            (field("name"), field("status"))
        })
        .collect()
}

fn rotation_never_breaks_cron(store: Backend) {
    let (a, b) = federated_pair(store);
    let pair = |x: &str, y: &str| (x.to_owned(), y.to_owned());
    assert_eq!(statuses(&a), [pair("fed", "default")]);
    let mut round = 0;
    let mut cycle = || {
        cron(&a, &b, round);
        round += 1;
    };
    cycle();

    // A home from before default keys: no roles file, one key. The next
    // key does not take over: the one that already signed stays default.
    std::fs::remove_file(a.home().join("keys/roles")).unwrap();
    let out = a
        .cmd(&["authority", "keys", "generate", "--name", "fed-2027"])
        .ok();
    assert_eq!(
        out.stdout.lines().nth(3),
        Some(
            "default: no, `fed` still signs; once peers trust this key, `stella authority keys default fed-2027`"
        )
    );
    assert_eq!(
        statuses(&a),
        [pair("fed", "default"), pair("fed-2027", "active")]
    );
    cycle();

    // 1. Peers learn the new public key; the old one still signs.
    b.add_key("site-a", &a.public_key("fed-2027", "fed-2027.pub.pem"));
    cycle();

    // 2. Switch: plain exports now sign with the new key.
    let new_id = a.json(&["authority", "keys", "list", "--json"])[1]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.cmd(&["authority", "keys", "default", "fed-2027"])
        .ok()
        .stderr_is("")
        .stdout_is(&format!("default federation key: `fed-2027` ({new_id})\n"));
    cycle();

    // 3. Retire the old key: refused for the default, kept for history.
    a.cmd(&["authority", "keys", "retire", "fed-2027"])
        .code(11)
        .stdout_is("")
        .stderr_is("error: key `fed-2027` is the default federation key: make another key the default first (`stella authority keys default NAME`), then retire this one\n");
    let old_id = a.json(&["authority", "keys", "list", "--json"])[0]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.cmd(&["authority", "keys", "retire", "fed"])
        .ok()
        .stdout_is(&format!("retired: key `fed` ({old_id}) signs no more; its public key stays for verifying what it signed\n"));
    a.cmd(&["authority", "keys", "retire", "fed"])
        .ok()
        .stdout_is(&format!("already retired: key `fed` ({old_id}) signs no more; its public key stays for verifying what it signed\n"));
    assert_eq!(
        statuses(&a),
        [pair("fed", "retired"), pair("fed-2027", "default")]
    );
    a.cmd(&["authority", "keys", "export", "fed", "--public"])
        .ok();
    let retired = "error: key `fed` is retired: it verifies old bundles but signs no more; sign with the default key (leave out --key) or name another\n";
    let out = a.path("old-key.tar.zst");
    let export = ["feedser", "bundle", "export", "-o", out.to_str().unwrap()];
    a.cmd(&[&export[..], &["--key", "fed"]].concat())
        .code(11)
        .stderr_is(retired);
    a.cmd(&["authority", "keys", "default", "fed"])
        .code(11)
        .stderr_is(retired);
    assert!(!out.exists());
    cycle();

    // 4. The peers stop trusting the old key: the new one alone signs.
    let revoke = ["feedser", "sites", "policy", "site-a", "--revoke-key"];
    b.cmd(&[&revoke[..], &[old_id.as_str()]].concat()).ok();
    for _ in 0..2 {
        cycle();
    }
    let table = a.cmd(&["authority", "keys", "list"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("NAME      STATUS   ALGORITHM"),
        "{table}"
    );
    assert!(lines[1].starts_with("fed       retired  ES256"), "{table}");
    assert!(lines[2].starts_with("fed-2027  default  ES256"), "{table}");
}

on_both_stores!(rotation_never_breaks_cron);

#[test]
fn several_keys_without_a_default_name_the_fix() {
    let a = site_with_data(Backend::Sqlite);
    a.cmd(&["authority", "keys", "generate", "--name", "other"])
        .ok();
    // As in a home from before default keys that already had two.
    std::fs::remove_file(a.home().join("keys/roles")).unwrap();
    let out = a.path("full.tar.zst");
    let export = ["feedser", "bundle", "export", "-o", out.to_str().unwrap()];
    a.cmd(&export).code(11).stderr_is(
        "error: several federation keys (fed, other) and none is the default: choose one with `stella authority keys default NAME` (or --key NAME)\n",
    );
    a.cmd(&["authority", "keys", "default", "nope"])
        .code(11)
        .stderr_is(&format!(
            "error: no key `nope` in `{}`: list keys with `stella authority keys list`\n",
            a.home().join("keys").display()
        ));
    a.cmd(&["authority", "keys", "default", "other"]).ok();
    a.cmd(&export).ok();
}
