//! `feedser sites remove ID`: a peer leaves the federation (#27).
//!
//! The site is stamped removed rather than deleted: it leaves `sites list`,
//! `status` and `policy`, and its bundles are refused as an unknown site's,
//! while its ledger rows stay readable with `sites history ID` for audit and
//! its keys are kept. `sites add ID` of the same id restores it.

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::site::now;

#[derive(Debug, Args)]
pub struct Remove {
    /// The site to remove (its import history is kept)
    site_id: String,
}

impl Remove {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        super::get_site(store.as_ref(), &self.site_id)?;
        store.remove_site(&self.site_id, &now())?;
        let id = &self.site_id;
        let history = format!("`stella feedser sites history {id}`");
        let add = format!("`stella feedser sites add {id} --display-name NAME`");
        ctx.out.text(&format!(
            "removed site `{id}`: its bundles are refused from now on; its import history stays \
             readable with {history}, and {add} restores it\n"
        ))
    }
}
