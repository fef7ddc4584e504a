//! `man/concelier.yaml.5` documents exactly the keys the config parser
//! accepts, each with its real default: a key added to `src/config` without
//! a line here fails this test.

use std::collections::BTreeMap;
use std::path::Path;

use stella::config::FileConfig;

use crate::harness::*;

fn page() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/concelier.yaml.5");
    std::fs::read_to_string(path).unwrap()
}

/// Every key of the config as `Section.Key` → its default as the page
/// writes it. The parser denies unknown fields, so the serialized fields
/// are the accepted keys; `Logging.LogLevel` is a map and counts as one.
fn accepted() -> BTreeMap<String, String> {
    let mut config = FileConfig::default();
    config.connection_strings.concelier = Some(String::new());
    let value = serde_json::to_value(&config).unwrap();
    let mut keys = BTreeMap::new();
    for (section, fields) in value.as_object().unwrap() {
        for (key, default) in fields.as_object().unwrap() {
            let shown = match default {
                serde_json::Value::String(s) if s.is_empty() && section == "ConnectionStrings" => {
                    "(none)".to_owned()
                }
                serde_json::Value::String(s) if s.is_empty() => "(empty)".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            keys.insert(format!("{section}.{key}"), shown);
        }
    }
    keys
}

/// `.B Key` followed by `Default: \fBvalue\fR.` in the KEYS section.
fn documented() -> BTreeMap<String, String> {
    let page = page();
    let keys = page.split(".SH KEYS").nth(1).unwrap();
    let keys = keys.split("\n.SH ").next().unwrap();
    let lines: Vec<&str> = keys.lines().collect();
    let mut found = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(key) = line.strip_prefix(".B ") {
            let default = lines[i + 1]
                .strip_prefix("Default: \\fB")
                .and_then(|d| d.strip_suffix("\\fR."))
                .unwrap_or_else(|| panic!("{key}: no `Default:` line"));
            found.insert(key.to_owned(), default.to_owned());
        }
    }
    found
}

#[test]
fn every_accepted_key_is_documented_with_its_default() {
    assert_eq!(documented(), accepted());
}

/// The page's defaults, written as a config file, are accepted by the
/// binary as they are.
#[test]
fn the_documented_defaults_are_accepted_by_the_binary() {
    let site = Site::new("site-a");
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, default) in documented() {
        if default.starts_with('(') {
            continue; // (empty), (none): left out
        }
        let (section, name) = key.split_once('.').unwrap();
        let entry = sections.entry(section.to_owned()).or_default();
        entry.push(format!("{name}: {default}"));
    }
    let text: String = sections
        .iter()
        .map(|(section, fields)| format!("{section}: {{ {} }}\n", fields.join(", ")))
        .collect();
    assert!(text.contains("OnConflict: prefer_remote"), "{text}");
    let config = site.path("documented.yaml");
    std::fs::write(&config, &text).unwrap();
    let config = config.to_str().unwrap();
    site.cmd(&["--config", config, "feedser", "sites", "list"])
        .ok()
        .stderr_is("");
}
