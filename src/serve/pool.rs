//! The worker pools: `Limits::workers` threads that run requests whose
//! heads are complete (the handler and the response), and one more for
//! exclusive requests, handed to them by the connections' threads, which
//! wait for each to be done.
//!
//! Why a pool and not the connection's own thread: the work of a request
//! (opening the store, building a response) then always runs on the same
//! few threads, so the allocator's per-thread arenas and the threads'
//! stacks stay as many as the workers, however many connections come
//! and go.
//!
//! Invariants: a task is answered exactly once (its `done` sender is
//! used or dropped), even when its job panics; the workers end when the last [`Pool`] handle is
//! dropped and the queue is empty, so the server's scope can end.

use std::io;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// One request's work: run the handler, send the response.
pub type Job<'s> = Box<dyn FnOnce() -> io::Result<()> + Send + 's>;

struct Task<'s> {
    job: Job<'s>,
    done: SyncSender<io::Result<()>>,
}

/// A handle on one pool.
#[derive(Clone)]
pub struct Pool<'h> {
    tasks: Sender<Task<'h>>,
}

/// Handles on both pools; each connection's thread holds a clone.
#[derive(Clone)]
pub struct Pools<'h> {
    pub shared: Pool<'h>,
    pub exclusive: Pool<'h>,
}

/// The queue the workers take tasks from.
pub struct Queue<'h>(Mutex<Receiver<Task<'h>>>);

fn pool<'h>() -> (Pool<'h>, Queue<'h>) {
    let (tasks, queue) = mpsc::channel();
    (Pool { tasks }, Queue(Mutex::new(queue)))
}

/// Both pools' handles, the shared pool's queue and the exclusive one's.
pub fn new<'h>() -> (Pools<'h>, Queue<'h>, Queue<'h>) {
    let (shared, queue) = pool();
    let (exclusive, alone) = pool();
    (Pools { shared, exclusive }, queue, alone)
}

impl<'h> Pool<'h> {
    /// Runs `job` on a worker and waits for its result.
    pub fn run(&self, job: Job<'h>) -> io::Result<()> {
        let (done, result) = mpsc::sync_channel(1);
        self.tasks
            .send(Task { job, done })
            .map_err(|_| io::Error::other("the server is stopping"))?;
        result
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the worker ended")))
    }
}

impl Queue<'_> {
    /// A worker's loop: until every [`Pool`] handle is gone.
    pub fn work(&self) {
        loop {
            let next = match self.0.lock() {
                Ok(queue) => queue.recv(),
                Err(_) => return,
            };
            let Ok(task) = next else {
                return;
            };
            // A panicking request fails alone: the worker lives on, so the
            // pool never shrinks and no later task waits for a dead one.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task.job))
                .unwrap_or_else(|_| Err(io::Error::other("the request's handler panicked")));
            let _ = task.done.send(result);
        }
    }
}
