use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::cli::context::{Context, now};
use crate::error::{Error, Result};
use crate::import::{ConflictStrategy, ImportError, ImportOptions, ImportOutcome, Observer, Stage};
use crate::journal::{Fields, ImportLock, Journal, State};
use crate::store::Store;

use super::trail::Trail;

#[derive(Debug, Args)]
pub struct Import {
    /// The bundle file, or - for stdin
    bundle: PathBuf,
    /// Check and plan everything, report, commit nothing
    #[arg(long)]
    dry_run: bool,
    /// Print the response as JSON
    #[arg(long)]
    json: bool,
    /// Import without checking the signature (only where the config allows it; recorded)
    #[arg(long)]
    skip_signature: bool,
    /// Import even if the cursor checks refuse the bundle (needs --reason; recorded)
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why --force is needed; kept in the ledger and shown by `sites history`
    #[arg(long, value_name = "TEXT", requires = "force", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reason: Option<String>,
    /// What to do when local and remote both changed a canonical
    #[arg(long, value_enum, default_value_t = OnConflict::PreferRemote)]
    on_conflict: OnConflict,
    /// Also append the canonical-imported events of this import to an NDJSON file
    #[arg(long, value_name = "FILE")]
    events_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
enum OnConflict {
    PreferRemote,
    PreferLocal,
    Fail,
}

impl From<OnConflict> for ConflictStrategy {
    fn from(value: OnConflict) -> Self {
        match value {
            OnConflict::PreferRemote => ConflictStrategy::PreferRemote,
            OnConflict::PreferLocal => ConflictStrategy::PreferLocal,
            OnConflict::Fail => ConflictStrategy::Fail,
        }
    }
}

/// The seed's response, with `duration_ms`.
#[derive(Serialize)]
struct Response<'a> {
    #[serde(flatten)]
    outcome: &'a ImportOutcome,
    duration_ms: u128,
}

#[derive(Serialize)]
struct Failure<'a> {
    success: bool,
    reason: &'static str,
    error: String,
    conflicts: &'a [crate::import::Conflict],
    duration_ms: u128,
}

impl Import {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let mut trail = Trail::new(&self.bundle);
        let result = self.execute(ctx, &mut trail);
        trail.audit(ctx, result)
    }

    fn execute(&self, ctx: &Context, trail: &mut Trail) -> Result<()> {
        let started = Instant::now();
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        let last_event = match &self.events_file {
            Some(_) => store
                .events(0, usize::MAX)?
                .last()
                .map_or(0, |e| e.event_id),
            None => 0,
        };
        let signals = super::Signals::install()?;
        let mut input = trail.input(ctx, super::open_input(&self.bundle)?)?;
        input.reader = Box::new(super::Cancellable {
            inner: input.reader,
            cancel: signals.cancel(),
        });
        let journal = ctx.journal()?;
        let staging = Staging::create(ctx, &journal, &self.bundle.display().to_string())?;
        let opts = ImportOptions {
            dry_run: self.dry_run,
            skip_signature: self.skip_signature,
            force: self.force,
            reason: self.reason.clone(),
            on_conflict: self.on_conflict.into(),
            staging_dir: staging.dir.clone(),
            now: now(),
            cancel: signals.cancel(),
        };
        let mut observer = Journaled {
            journal: &journal,
            id: &staging.id,
            abort_at: std::env::var(ABORT_AT).ok(),
            pause_at: std::env::var(PAUSE_AT).ok(),
            pause_file: ctx
                .home
                .staging_dir()
                .join(format!("{}.paused", staging.id)),
        };
        let progress = ctx.progress();
        let result = crate::import::import(
            store.as_mut(),
            input,
            &ctx.import_policy(),
            &opts,
            &mut trail.observe(&mut observer),
            progress.as_ref(),
        );
        drop(progress);
        trail.settle(ctx, &result);
        staging.finish(&journal, &result)?;
        let duration_ms = started.elapsed().as_millis();
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(error) => match signals.interrupted() {
                Some(interrupted) => return Err(interrupted),
                None => return self.fail(ctx, error, duration_ms),
            },
        };
        if let Some(path) = &self.events_file
            && !self.dry_run
        {
            append_events(store.as_ref(), last_event, path)?;
        }
        if self.json {
            return ctx.out.json(&Response {
                outcome: &outcome,
                duration_ms,
            });
        }
        ctx.out.text(&render(self, &outcome, duration_ms))
    }

    fn fail(&self, ctx: &Context, error: ImportError, duration_ms: u128) -> Result<()> {
        let conflicts = match &error {
            ImportError::Conflicts { conflicts } => conflicts.as_slice(),
            _ => &[],
        };
        if self.json {
            ctx.out.json(&Failure {
                success: false,
                reason: error.reason_code(),
                error: error.to_string(),
                conflicts,
                duration_ms,
            })?;
        } else if !conflicts.is_empty() {
            ctx.out.text(&render_conflicts(conflicts))?;
        }
        Err(Error::Import(error))
    }
}

/// Test-only fault injection: abort the process (as `kill -9` would stop
/// it) on reaching the named stage: `admitted`, `staged`, `applying` or
/// `committed`.
const ABORT_AT: &str = "STELLA_TEST_ABORT_AT";

/// Test-only: on reaching the named stage, create `<staging>/<id>.paused`
/// and wait (up to a minute) until the test removes it.
const PAUSE_AT: &str = "STELLA_TEST_PAUSE_AT";

/// This import's journal row, lock and staging directory.
struct Staging {
    id: String,
    dir: std::path::PathBuf,
    _lock: ImportLock,
}

impl Staging {
    fn create(ctx: &Context, journal: &Journal, bundle: &str) -> Result<Staging> {
        let id = uuid::Uuid::new_v4().to_string();
        let root = ctx.home.staging_dir();
        let lock = ImportLock::acquire(&root, &id).map_err(ImportError::from)?;
        let dir = root.join(&id);
        std::fs::create_dir(&dir).map_err(Error::io("cannot create staging directory", &dir))?;
        journal
            .begin(&id, bundle, &dir, &now())
            .map_err(ImportError::from)?;
        Ok(Staging {
            id,
            dir,
            _lock: lock,
        })
    }

    /// Records how the import ended and removes its staged files.
    fn finish(self, journal: &Journal, result: &Result<ImportOutcome, ImportError>) -> Result<()> {
        let (state, detail) = match result {
            Ok(o) if o.dry_run => (State::DryRun, None),
            Ok(o) if o.already_imported => (
                State::Committed,
                Some("already imported: nothing done".to_owned()),
            ),
            Ok(_) => (State::Committed, None),
            Err(e) => (State::Refused, Some(e.to_string())),
        };
        let fields = Fields {
            detail: detail.as_deref(),
            ..Fields::default()
        };
        journal
            .update(&self.id, state, &fields, &now())
            .map_err(ImportError::from)?;
        std::fs::remove_dir_all(&self.dir)
            .map_err(Error::io("cannot remove staging directory", &self.dir))
    }
}

struct Journaled<'a> {
    journal: &'a Journal,
    id: &'a str,
    abort_at: Option<String>,
    pause_at: Option<String>,
    pause_file: std::path::PathBuf,
}

impl Journaled<'_> {
    fn pause(&self) {
        if std::fs::write(&self.pause_file, b"").is_err() {
            return;
        }
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        while self.pause_file.exists() && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Observer for Journaled<'_> {
    fn stage(&mut self, stage: Stage<'_>) -> Result<(), ImportError> {
        let (name, state, fields) = match stage {
            Stage::Admitted {
                site_id,
                manifest_sha256,
            } => (
                "admitted",
                State::Staging,
                Fields {
                    site_id: Some(site_id),
                    manifest_sha256: Some(manifest_sha256),
                    ..Fields::default()
                },
            ),
            Stage::Staged { bundle_hash } => (
                "staged",
                State::Staged,
                Fields {
                    bundle_hash: Some(bundle_hash),
                    ..Fields::default()
                },
            ),
            Stage::Applying => ("applying", State::Applying, Fields::default()),
            Stage::Committed => ("committed", State::Committed, Fields::default()),
        };
        if self.abort_at.as_deref() == Some(name) {
            eprintln!("stella: test: aborting at `{name}` ({ABORT_AT})");
            std::process::abort();
        }
        self.journal.update(self.id, state, &fields, &now())?;
        if self.pause_at.as_deref() == Some(name) {
            self.pause();
        }
        Ok(())
    }
}

fn append_events(store: &dyn Store, after: u64, path: &std::path::Path) -> Result<()> {
    use std::io::Write;
    let events = store.events(after, usize::MAX)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(Error::io("cannot open events file", path))?;
    let mut text = String::new();
    for event in &events {
        text.push_str(&serde_json::to_string(event).unwrap_or_default());
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(Error::io("cannot write events file", path))
}

fn render(cmd: &Import, o: &ImportOutcome, duration_ms: u128) -> String {
    let c = &o.counts;
    let mode = if o.already_imported {
        "already imported: nothing to do"
    } else if o.dry_run {
        "dry run: nothing committed"
    } else {
        "imported"
    };
    let mut text = format!(
        "Bundle {} from site {}: {mode}\n  Bundle hash: {}\n  Imported cursor: {}\n  Canonicals: {} created, {} updated, {} skipped\n  Edges added: {}\n  Deletions processed: {}\n  Conflicts: {}\n",
        cmd.bundle.display(),
        o.site_id,
        o.bundle_hash,
        o.imported_cursor,
        c.canonical_created,
        c.canonical_updated,
        c.canonical_skipped,
        c.edges_added,
        c.deletions_processed,
        c.conflicts,
    );
    if c.canonical_filtered + c.edges_filtered > 0 {
        text.push_str(&format!(
            "  Filtered by allowed sources: {} canonicals, {} edges\n",
            c.canonical_filtered, c.edges_filtered
        ));
    }
    let signer = match (&o.signer_key_id, o.signature_skipped) {
        (Some(key), _) => format!("verified ({key})"),
        (None, _) => "skipped".to_owned(),
    };
    text.push_str(&format!("  Signature: {signer}\n"));
    if o.forced {
        text.push_str("  Forced: cursor check overridden (recorded)\n");
    }
    text.push_str(&render_conflicts(&o.conflicts));
    text.push_str(&format!("  Duration: {duration_ms} ms\n"));
    text
}

fn render_conflicts(conflicts: &[crate::import::Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| {
            format!(
                "  conflict {} {}: local {} remote {} -> {}\n",
                c.merge_hash,
                c.field,
                c.local_value,
                c.remote_value,
                c.resolution.as_str()
            )
        })
        .collect()
}
