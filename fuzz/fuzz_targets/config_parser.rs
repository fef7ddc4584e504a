//! `config_parser`: `FileConfig::parse` on arbitrary text (strict YAML with
//! PascalCase keys, value checks).
//!
//! Invariant checked: a configuration that parses writes out (`to_yaml`, what
//! `stella init` writes) as text that parses back to the same configuration.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stella::config::FileConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    let Ok(config) = FileConfig::parse(text, path) else {
        return;
    };
    let written = config.to_yaml();
    let back = FileConfig::parse(&written, path);
    assert_eq!(back.ok().as_ref(), Some(&config), "written: {written}");
});
