//! The document walked from "Setup" to "Troubleshooting" on two sites: the
//! connected site `site-us-east-1` (A) and the air-gapped `site-us-west-1`
//! (B) whose `concelier.yaml` is the document's own block. Every line of
//! [`super::lines::ALL`] runs through `sh -c` as written; only data
//! (ingests), the carrying of files from A to B, and the two placeholders
//! the document asks the reader to fill in (`{cursor}`, `sha256:mergehash...`)
//! are set up around them.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::lines::*;
use crate::harness::*;

mod airgap;
mod troubleshooting;
mod verification;

/// The document's configuration block for the site it describes.
pub const DOCUMENT_CONFIG: &str = r#"Federation:
  Enabled: true
  SiteId: "site-us-west-1"  # Unique identifier for this site
  DefaultCompressionLevel: 3
  DefaultMaxItems: 10000
  RequireSignature: true

FederationImport:
  AllowedSites:
    - "site-us-east-1"
    - "site-eu-central-1"
  MaxBundleSizeBytes: 104857600  # 100 MB
  SkipSignatureOnTrustedSites: false
"#;

/// The two sites, and which of the document's lines have run.
pub struct Walk {
    pub a: Site,
    pub b: Site,
    ran: RefCell<BTreeSet<&'static str>>,
}

impl Walk {
    /// Both homes, with B's config replaced by the document's block (a
    /// PostgreSQL site keeps its connection string after it).
    fn new(store: Backend) -> Walk {
        let a = Site::on(store, "site-us-east-1");
        let b = Site::on(store, "site-us-west-1");
        let path = b.home().join("concelier.yaml");
        let old = std::fs::read_to_string(&path).unwrap();
        let connection = old.find("ConnectionStrings:").map_or("", |at| &old[at..]);
        std::fs::write(&path, format!("{DOCUMENT_CONFIG}{connection}")).unwrap();
        Walk {
            a,
            b,
            ran: RefCell::default(),
        }
    }

    /// Runs one of the document's lines verbatim at `site`.
    pub fn line(&self, site: &Site, line: &'static str) -> Outcome {
        self.filled(site, line, &[])
    }

    /// Runs `line` with the document's placeholders filled in.
    pub fn filled(&self, site: &Site, line: &'static str, fill: &[(&str, &str)]) -> Outcome {
        assert!(ALL.contains(&line), "not a line of the document: {line}");
        self.ran.borrow_mut().insert(line);
        let text = fill
            .iter()
            .fold(line.to_owned(), |text, (from, to)| text.replace(from, to));
        site.shell(&text).go()
    }

    /// A ingests `files` (fixture paths) as its own feed.
    pub fn ingest_at_a(&self, files: &[&str]) {
        let mut args = vec!["feedser".to_owned(), "ingest".into(), "osv".into()];
        args.extend(files.iter().map(|f| fixture(f).display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.a.cmd(&args).ok();
    }

    /// Carries A's file `name` to B's directory under the same name.
    pub fn carry(&self, name: &str) {
        std::fs::copy(self.a.path(name), self.b.path(name)).unwrap();
    }

    /// The `CURSOR` column of `site-us-east-1` in B's `sites list`.
    pub fn noted_cursor(&self) -> String {
        let out = self.line(&self.b, SITES_LIST).ok();
        let row = out
            .stdout
            .lines()
            .find(|l| l.starts_with("site-us-east-1 "))
            .unwrap_or_else(|| panic!("no row for site-us-east-1:\n{}", out.stdout));
        row.split_whitespace().last().unwrap().to_owned()
    }
}

/// The document front to back. Each part leaves the sites as the next
/// part's text assumes.
fn the_document_works_as_written(store: Backend) {
    let walk = Walk::new(store);
    airgap::setup(&walk);
    airgap::full_and_delta_syncs(&walk);
    verification::validate_preview_and_import(&walk);
    troubleshooting::every_documented_refusal(&walk);
    verification::verify_sync_state(&walk);
    let ran = walk.ran.borrow();
    let missing: Vec<_> = ALL.iter().filter(|l| !ran.contains(*l)).collect();
    assert!(missing.is_empty(), "lines never run: {missing:?}");
}

crate::on_both_stores!(the_document_works_as_written);

/// "Enable verbose logging for federation operations", the block as the
/// document writes it, raises stella's log level to debug.
#[test]
fn the_logging_block_raises_federation_logging_to_debug() {
    let site = Site::new("site-us-west-1");
    let block = "Logging:\n  LogLevel:\n    StellaOps.Concelier.Federation: Debug\n";
    let path = site.home().join("concelier.yaml");
    std::fs::write(&path, format!("{DOCUMENT_CONFIG}{block}")).unwrap();
    let out = site.shell(SITES_LIST).go().ok();
    assert!(
        out.stderr.contains("stella: debug: home `"),
        "{}",
        out.stderr
    );
    std::fs::write(&path, DOCUMENT_CONFIG).unwrap();
    site.shell(SITES_LIST).go().ok().stderr_is("");
}
