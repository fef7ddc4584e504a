//! The direction of dependency between stella's top-level modules: the
//! layer table below is the source of truth of README "Architecture".
//! Run it with `cargo test --test integration architecture`.
//!
//! Every `crate::…` path in `src/**/*.rs` is an edge from the module of its file to a
//! top-level module. The test fails, naming the offending edges, when
//! (a) an edge points up the table (a module may use its own layer and
//! the layers below it), (b) the top-level modules form a cycle, or (c) a
//! module is missing from the table.

mod graph;

use std::collections::{BTreeMap, BTreeSet};

/// Top to bottom. A module may depend on its own layer and those below.
pub const LAYERS: &[(&str, &[&str])] = &[
    ("app: the command line", &["main", "lib", "cli", "command"]),
    (
        "site: opening a site, one entry point per use case",
        &["site", "error"],
    ),
    (
        "use cases",
        &[
            "import",
            "export",
            "ingest",
            "osv_out",
            "serve",
            "sync",
            "doctor",
            "quarantine",
            "synth",
            "convergence",
        ],
    ),
    (
        "site state and policy",
        &["config", "trust", "audit", "journal", "metrics"],
    ),
    ("formats and storage", &["bundle", "store", "keys", "osv"]),
    (
        "vocabulary",
        &[
            "model", "cursor", "progress", "escape", "exit", "units", "durable",
        ],
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// (a) and (c): edges that point up the table, or touch an unknown module.
pub fn violations(edges: &BTreeMap<(String, String), String>) -> Vec<String> {
    let mut found = Vec::new();
    for ((from, to), at) in edges {
        match (layer_of(from), layer_of(to)) {
            (Some(f), Some(t)) if t < f => found.push(format!(
                "{from} -> {to} points up ({} -> {}), at {at}",
                LAYERS[f].0, LAYERS[t].0
            )),
            (None, _) => found.push(format!("`{from}` is not in the layer table ({at})")),
            (_, None) => found.push(format!("`{to}` is not in the layer table ({at})")),
            _ => {}
        }
    }
    found
}

/// (b): the edges of every cycle between top-level modules.
pub fn cycles(edges: &BTreeMap<(String, String), String>) -> Vec<String> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().insert(to);
    }
    let reaches = |start: &str, goal: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![start]);
        while let Some(at) = todo.pop() {
            if at == goal {
                return true;
            }
            if seen.insert(at) {
                todo.extend(next.get(at).into_iter().flatten().copied());
            }
        }
        false
    };
    edges
        .iter()
        .filter(|((from, to), _)| reaches(to, from))
        .map(|((from, to), at)| format!("{from} -> {to} is on a cycle, at {at}"))
        .collect()
}

#[test]
fn dependencies_point_down_the_layer_table_and_form_no_cycle() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph::top_level_edges(&src);
    assert!(
        edges.len() > 50,
        "the graph looks empty ({} edges): is `src` where it was?",
        edges.len()
    );
    let mut problems = violations(&edges);
    problems.extend(cycles(&edges));
    assert!(
        problems.is_empty(),
        "{} dependency problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_top_level_module_is_in_the_layer_table() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let missing: Vec<String> = graph::top_level_modules(&src)
        .into_iter()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert_eq!(missing, Vec::<String>::new(), "add them to LAYERS");
}

#[test]
fn the_checks_name_an_upward_edge_and_a_cycle() {
    let at = |s: &str| s.to_owned();
    let mut edges = BTreeMap::new();
    edges.insert((at("store"), at("cli")), at("src/store/x.rs"));
    edges.insert((at("bundle"), at("keys")), at("src/bundle/a.rs"));
    edges.insert((at("keys"), at("bundle")), at("src/keys/b.rs"));
    assert_eq!(
        violations(&edges),
        vec![
            "store -> cli points up (formats and storage -> app: the command line), at src/store/x.rs"
                .to_owned()
        ]
    );
    assert_eq!(
        cycles(&edges),
        vec![
            "bundle -> keys is on a cycle, at src/bundle/a.rs".to_owned(),
            "keys -> bundle is on a cycle, at src/keys/b.rs".to_owned(),
        ]
    );
}

#[test]
fn paths_are_read_from_use_groups_not_comments() {
    let text = "//! see `crate::cli`\nuse crate::{store::Store, model::{self, X}};\nfn f() { my_crate::exit::X; crate::escape::terminal(\"a // crate::cli\"); }\n";
    let found: Vec<String> = graph::targets(text).into_iter().collect();
    assert_eq!(found, ["escape", "model", "store"]);
}
