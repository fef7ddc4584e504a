//! The contract document's Full Sync Workflow, verbatim, on a site past
//! `DefaultMaxItems`: `-o ./full-sync.zst` writes a chain and
//! `import ./full-sync.zst` imports all of it.

use super::*;

fn the_documents_full_sync_lines_work_for_a_large_site(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 40, 31);
    a.shell("stella feedser bundle export -o ./full-sync.zst")
        .go()
        .ok();
    let parts: Vec<String> = names(&a.path("."))
        .into_iter()
        .filter(|n| n.starts_with("full-sync"))
        .collect();
    assert!(parts.len() > 2, "{parts:?}");
    assert_eq!(parts[0], "full-sync.0001.zst");
    // Transfer to the air-gapped site: every part, as files are carried.
    for part in &parts {
        std::fs::copy(a.path(part), b.path(part)).unwrap();
    }
    b.shell("stella feedser bundle import ./full-sync.zst")
        .go()
        .ok();
    assert_same(&b.canonicals(), &a.canonicals(), "after the full sync");
}

crate::on_both_stores!(the_documents_full_sync_lines_work_for_a_large_site);
