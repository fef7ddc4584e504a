//! The `links` check: a two-way link (a peer this site imports from and
//! exports to with `--for`) whose conflict strategy cannot converge.
//!
//! Under `prefer_remote` or `prefer_local` two sites that settle the same
//! concurrent pair in opposite directions each make a new version, and the
//! conflict comes back on the next round (`man/stella-bundle.5`, CAUSAL
//! HISTORY); only `newest` settles it the same way at both ends.

use super::{Finding, Status};
use crate::import::ConflictStrategy;
use crate::store::{Sent, Site};

pub fn two_way_links(sites: &[Site], sent: &[Sent], default: ConflictStrategy) -> Finding {
    let two_way: Vec<(&Site, ConflictStrategy)> = sites
        .iter()
        .filter(|s| s.enabled && sent.iter().any(|x| x.site_id == s.site_id))
        .map(|s| {
            let strategy = s.on_conflict.as_deref().and_then(ConflictStrategy::parse);
            (s, strategy.unwrap_or(default))
        })
        .collect();
    let bad: Vec<String> = two_way
        .iter()
        .filter(|(_, strategy)| !strategy.converges())
        .map(|(s, strategy)| format!("`{}` ({})", s.site_id, strategy.as_str()))
        .collect();
    if bad.is_empty() {
        let detail = match two_way.len() {
            0 => "no two-way link (no peer is both imported from and exported to with --for)"
                .to_owned(),
            n => format!(
                "{}, each settling conflicts with `newest`",
                crate::units::count(n as u64, "two-way link")
            ),
        };
        return Finding::new(Status::Ok, "links", detail);
    }
    Finding::new(
        Status::Warn,
        "links",
        format!(
            "{} with a strategy that does not converge: {}; concurrent edits at both ends come back every round: run `stella feedser sites policy ID --on-conflict newest` (or set FederationImport.OnConflict: newest)",
            crate::units::plural(bad.len() as u64, "two-way link"),
            bad.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, on_conflict: Option<&str>) -> Site {
        Site {
            site_id: id.into(),
            display_name: id.into(),
            enabled: true,
            max_bundle_size: None,
            allowed_sources: None,
            on_conflict: on_conflict.map(str::to_owned),
            created_at: String::new(),
            last_cursor: None,
            last_sync_at: None,
            bundles_imported: 0,
            items_imported: 0,
        }
    }

    fn sent(id: &str) -> Sent {
        Sent {
            site_id: id.into(),
            ..Sent::default()
        }
    }

    #[test]
    fn warns_only_for_two_way_links_that_cannot_converge() {
        let sites = [site("a", None), site("b", Some("newest")), site("c", None)];
        let f = two_way_links(
            &sites,
            &[sent("a"), sent("b")],
            ConflictStrategy::PreferRemote,
        );
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.starts_with(
            "two-way link with a strategy that does not converge: `a` (prefer_remote);"
        ));
        let f = two_way_links(&sites, &[sent("b")], ConflictStrategy::PreferRemote);
        assert_eq!(f.status, Status::Ok);
        assert_eq!(
            f.detail,
            "1 two-way link, each settling conflicts with `newest`"
        );
        let f = two_way_links(&sites, &[sent("a")], ConflictStrategy::Newest);
        assert_eq!(f.status, Status::Ok);
    }
}
