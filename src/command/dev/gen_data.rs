use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::synth::{Plan, write};

/// Writes a deterministic synthetic site into the store (for `scripts/bench`).
#[derive(Debug, Args)]
pub struct GenData {
    /// Canonical advisories of the site (about 3 source edges each)
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
    /// Tombstones written by round 0 [default: count / 100]
    #[arg(long)]
    deletions: Option<u64>,
    /// The seed: the same seed and arguments give the same rows
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 0 creates the site; a later round rewrites --changes of its records
    #[arg(long, default_value_t = 0)]
    round: u32,
    /// Records a later round rewrites
    #[arg(long, default_value_t = 0)]
    changes: u64,
}

impl GenData {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        let plan = Plan {
            site: ctx.site_id().ok(),
            seed: self.seed,
            count: self.count,
            deletions: self.deletions.unwrap_or(self.count / 100),
            round: self.round,
            changes: self.changes,
        };
        let mut txn = store.begin()?;
        let written = write(txn.as_mut(), &plan)?;
        txn.commit()?;
        ctx.out.report(&format!(
            "Wrote {}, {}, {} (seed {}, round {})\n",
            crate::command::count::count(written.canonicals, "canonical"),
            crate::command::count::count(written.edges, "edge"),
            crate::command::count::count(written.deletions, "deletion"),
            plan.seed,
            plan.round
        ))
    }
}
