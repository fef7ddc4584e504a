use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::synth::{Plan, Shape, write};

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
    /// The kind of records: `default` (short texts, one range) or `long`
    /// (long summaries and details with references, CVSS v3 and v4 vectors,
    /// several ranges of several events; about 1.2 KB a canonical)
    #[arg(long, value_enum, default_value_t = ShapeArg::Default)]
    shape: ShapeArg,
}

/// `--shape`: the clap face of [`Shape`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ShapeArg {
    Default,
    Long,
}

impl From<ShapeArg> for Shape {
    fn from(arg: ShapeArg) -> Self {
        match arg {
            ShapeArg::Default => Shape::Default,
            ShapeArg::Long => Shape::Long,
        }
    }
}

impl GenData {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        let plan = Plan {
            site: ctx.site_id().ok(),
            seed: self.seed,
            shape: self.shape.into(),
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
