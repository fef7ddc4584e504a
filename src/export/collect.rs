//! Collecting an export's rows into the three NDJSON spools. The store
//! hands over each row's bytes (`Store::export_lines`) on the caller's
//! thread (a store stays on the thread that opened it); canonicals and
//! edges each go, in chunks, to a thread of their own that hashes them and
//! feeds that member's zstd workers. A compressor that waits for its worker
//! then holds up only its own member, never the reading or the other
//! member's compressor. Chunks are recycled and their queues bounded, so
//! memory stays flat however large the export; rows keep their feed order
//! within each member.
//!
//! A member's thread starts with its first full chunk. A member smaller
//! than that (a small delta's) stays on the caller's thread and is
//! compressed there when it ends, whole, with the context the bundle's
//! small frames use next: a small export starts no thread of its own
//! beyond that context's workers.

use std::borrow::Cow;
use std::io;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use crate::bundle::{Member, NdjsonSpool, SpooledMember, WriteOptions};
use crate::progress::Ticker;
use crate::store::{ExportLines, Store};

/// Bytes handed to a member's thread at a time, and chunks in flight.
const CHUNK: usize = 1 << 20;
const IN_FLIGHT: usize = 4;

/// Why collecting stopped: the store failed, or writing the spools did.
pub enum CollectError {
    Store(crate::store::StoreError),
    Spool(io::Error),
}

/// Which rows an export takes, and how it completes them.
pub struct Rows<'a> {
    pub since: Option<u64>,
    pub upto: u64,
    /// Leave out rows that came unchanged from this peer (`--for`).
    pub skip_via: Option<&'a str>,
    /// This site: the origin of rows stored before histories existed.
    pub site_id: &'a str,
}

/// Rows after `since` up to `upto`, spooled in `dir`.
pub fn collect(
    store: &dyn Store,
    rows: &Rows<'_>,
    (dir, opts): (&Path, &WriteOptions),
    ticker: &Ticker<'_>,
) -> Result<[SpooledMember; 3], CollectError> {
    // Canonicals and edges are compressed at the same time, each with every
    // worker: a member whose one worker is still finishing a job would
    // otherwise spin in zstd until that thread is back in its pool
    // (measured at 1M: 5-11% faster, 15 MiB more peak RSS). Deletions
    // (few) get one.
    let one = WriteOptions {
        threads: 1,
        ..*opts
    };
    let spool = |member, opts| NdjsonSpool::new(member, dir, opts).map_err(CollectError::Spool);
    let (canonicals, edges) = (
        spool(Member::Canonicals, opts)?,
        spool(Member::Edges, opts)?,
    );
    let mut deletions = spool(Member::Deletions, &one)?;
    std::thread::scope(|scope| {
        let mut feeds = [Feed::new(scope, canonicals), Feed::new(scope, edges)];
        // The store sees a failed push only as "stop"; the cause is kept here.
        let mut failed = None;
        let site = rows.site_id;
        let read = store.export_lines_for(rows.since, rows.upto, rows.skip_via, &mut |row| {
            let (pushed, items) = match row {
                ExportLines::Canonical {
                    line,
                    edges,
                    edge_count,
                    ..
                } => {
                    // A row stored before ingest fitted free text goes out
                    // as ingest makes it now, which peers accept (#28).
                    let fitted = crate::osv::outgoing_canonical(line);
                    let line = fitted.as_deref().unwrap_or(line);
                    let [c, e] = &mut feeds;
                    let line = crate::model::history::with_history(line, site);
                    match matches!(line, Cow::Owned(_)) && !sendable(&line, edges) {
                        // Stored before the row rules and breaking one:
                        // every peer would refuse the whole bundle.
                        true => (Ok(()), 1 + edge_count),
                        false => (
                            c.push(&line, 1).and_then(|()| e.push(edges, edge_count)),
                            1 + edge_count,
                        ),
                    }
                }
                ExportLines::Deletion(_, mut deletion) => {
                    deletion
                        .history
                        .get_or_insert_with(|| crate::model::History::legacy(site));
                    (deletions.push(&deletion), 1)
                }
            };
            ticker.tick(items);
            pushed.map_err(|e| {
                let stop = io::Error::new(e.kind(), "writing the spools failed");
                failed.get_or_insert(e);
                stop
            })
        });
        // Both members' last bytes go out before either is waited for, so
        // their final compressions overlap.
        let [c, e] = feeds.map(Feed::close).map(Closed::finish);
        match (c, e, failed, read) {
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Some(e), _) => Err(CollectError::Spool(e)),
            (.., Err(e)) => Err(CollectError::Store(e)),
            (Ok(c), Ok(e), None, Ok(())) => {
                Ok([c, e, deletions.finish().map_err(CollectError::Spool)?])
            }
        }
    })
}

/// Whether every peer accepts a row stored before histories (and the row
/// rules that came with them) existed; a row written since passed the same
/// rules at ingest or import, so only these pay for the check. A row that
/// fails is left out with a warning naming it.
fn sendable(line: &[u8], edges: &[u8]) -> bool {
    let Err(e) = crate::bundle::check_outgoing(line, edges) else {
        return true;
    };
    #[derive(serde::Deserialize)]
    struct Key {
        merge_hash: String,
    }
    let hash =
        serde_json::from_slice::<Key>(line).map_or_else(|_| "?".to_owned(), |k| k.merge_hash);
    // The rule itself: a reader's advice to the receiving site is not ours.
    let e = match e {
        crate::bundle::BundleError::Row { fault, .. } => fault.to_string(),
        other => other.to_string(),
    };
    log::warn!(
        "canonical `{}` left out of the export: stored by an older stella, it breaks a rule every peer enforces ({e}); \
         re-ingest its upstream record, which stores it as peers accept it",
        crate::escape::quoted(&hash, 80)
    );
    false
}

/// One member's bytes on their way to its spool. The spool stays on the
/// caller's thread until a chunk fills: a member that never fills one (a
/// small delta) starts no thread at all.
struct Feed<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    chunk: Vec<u8>,
    lines: u64,
    /// Exactly one of the two: the spool here, or the thread that has it.
    spool: Option<Box<NdjsonSpool>>,
    worker: Option<Worker<'scope>>,
}

/// A member's thread: it hashes the chunks and feeds the member's zstd
/// workers, and gives the chunks back for reuse.
struct Worker<'scope> {
    tx: SyncSender<(Vec<u8>, u64)>,
    spare: Receiver<Vec<u8>>,
    thread: ScopedJoinHandle<'scope, io::Result<SpooledMember>>,
}

impl<'scope, 'env> Feed<'scope, 'env> {
    fn new(scope: &'scope Scope<'scope, 'env>, spool: NdjsonSpool) -> Self {
        Self {
            scope,
            chunk: Vec::new(),
            lines: 0,
            spool: Some(Box::new(spool)),
            worker: None,
        }
    }

    /// `lines` NDJSON lines, each ending in `\n`.
    fn push(&mut self, bytes: &[u8], lines: u64) -> io::Result<()> {
        self.chunk.extend_from_slice(bytes);
        self.lines += lines;
        if self.chunk.len() < CHUNK {
            return Ok(());
        }
        self.send()
    }

    fn send(&mut self) -> io::Result<()> {
        if let Some(spool) = self.spool.take() {
            self.worker = Some(Worker::start(self.scope, spool));
        }
        let Some(worker) = &self.worker else {
            return Err(gone());
        };
        let next = (worker.spare.try_recv()).unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.chunk, next);
        let lines = std::mem::take(&mut self.lines);
        // A closed channel means the thread stopped on an error: `finish`
        // reports it.
        (worker.tx.send((full, lines))).map_err(|_| io::Error::other("the spool thread stopped"))
    }

    /// What is left goes to the spool where it is; a thread's queue closes
    /// and it finishes the member on its own.
    fn close(mut self) -> Closed<'scope> {
        if let Some(mut spool) = self.spool.take() {
            let pushed = spool.push_lines(&self.chunk, self.lines);
            return Closed::Here(pushed.map(|()| spool));
        }
        let sent = match self.chunk.is_empty() {
            true => Ok(()),
            false => self.send(),
        };
        match self.worker {
            Some(worker) => Closed::There {
                sent,
                thread: worker.thread,
            },
            None => Closed::Here(Err(gone())),
        }
    }
}

fn gone() -> io::Error {
    io::Error::other("the spool thread is gone")
}

impl<'scope> Worker<'scope> {
    fn start<'env>(scope: &'scope Scope<'scope, 'env>, mut spool: Box<NdjsonSpool>) -> Self {
        let (tx, rx) = sync_channel::<(Vec<u8>, u64)>(IN_FLIGHT);
        let (give_back, spare) = sync_channel(IN_FLIGHT + 1);
        let thread = scope.spawn(move || {
            for (mut chunk, lines) in rx {
                spool.push_lines(&chunk, lines)?;
                chunk.clear();
                let _ = give_back.try_send(chunk);
            }
            spool.finish()
        });
        Self { tx, spare, thread }
    }
}

/// A member whose last bytes have gone out: still here, or on its thread
/// with the queue closed.
enum Closed<'scope> {
    Here(io::Result<Box<NdjsonSpool>>),
    There {
        sent: io::Result<()>,
        thread: ScopedJoinHandle<'scope, io::Result<SpooledMember>>,
    },
}

impl Closed<'_> {
    /// The spooled member, once every byte pushed has reached it.
    fn finish(self) -> io::Result<SpooledMember> {
        let (sent, thread) = match self {
            Closed::Here(spool) => return spool?.finish(),
            Closed::There { sent, thread } => (sent, thread),
        };
        let spooled = thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The thread's own error first: a failed send only says it stopped.
        let spooled = spooled?;
        sent.map(|()| spooled)
    }
}
