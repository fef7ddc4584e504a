//! `validate`'s admission checks: those `import` makes before it reads a
//! row, reported rather than stopping at the first, and what only the
//! whole bundle can settle (a stream's size against the site's cap, and
//! whether these very bytes were imported before).

use crate::bundle;
use crate::store::Store;

use super::super::admit::{self, SignatureDecision};
use super::super::size;
use super::super::{ImportError, ImportPolicy};
use super::{Check, ValidationReport};

/// What admission learnt that only the whole bundle can settle: the
/// site's own size cap for a stream, and whether these very bytes were
/// imported before.
#[derive(Default)]
pub(super) struct Admitted {
    site: Option<crate::store::Site>,
    /// The ledger row of an import of the same signed manifest.
    replay: Option<crate::store::LedgerEntry>,
}

impl Admitted {
    /// "Already imported" only for the same bytes (the same bundle hash):
    /// a truncated or altered copy of an imported bundle is not it.
    pub(super) fn after_reading(
        self,
        read: &bundle::CheckedBundle,
        len: Option<u64>,
        report: &mut ValidationReport,
    ) {
        if let (Some(site), None) = (&self.site, len)
            && let Err(e) = size::check_site_size(site, read.compressed_size())
        {
            report.refuse(&e);
        }
        if let Some(entry) = self.replay
            && entry.bundle_hash == read.bundle_hash()
        {
            report.already_imported_at = Some(entry.imported_at);
        }
    }
}

/// Site, size, signature, policy and cursor checks; those after the
/// signature only when the signature question was settled.
pub(super) fn admission(
    store: &dyn Store,
    policy: &ImportPolicy,
    bundle: &bundle::UnverifiedBundle,
    report: &mut ValidationReport,
    (len, now, after): (Option<u64>, &str, Option<crate::cursor::Cursor>),
) -> Admitted {
    let manifest = bundle.manifest();
    let site = match admit::registered_site(store, policy, &manifest.site_id) {
        Ok(site) if after.is_some() => crate::store::Site {
            last_cursor: after,
            ..site
        },
        Ok(site) => site,
        Err(e) => {
            report.signature = Check::NotChecked(e.to_string());
            report.refuse(&e);
            return Admitted::default();
        }
    };
    if let Some(len) = len
        && let Err(e) = size::check_site_size(&site, len)
    {
        report.refuse(&e);
    }
    let settled = admit::decide_signature(store, &site, bundle, policy, false)
        .and_then(|d| signature_verdict(d, bundle, &site.site_id));
    report.signature = match settled {
        Ok(check) => check,
        Err(e) => {
            report.signature = Check::Invalid(e.to_string());
            report.refuse(&e);
            return Admitted::default();
        }
    };
    if let Err(e) = admit::check_allowed(&site, policy) {
        report.refuse(&e);
    }
    // A replay of the same manifest skips the cursor checks, as import does.
    let replay = match store.ledger_by_manifest(&site.site_id, bundle.manifest_sha256()) {
        Ok(Some(entry)) => Some(entry),
        Ok(None) => {
            let checks = admit::check_cursor(&site, manifest)
                .and_then(|()| admit::check_future_cursor(&site, manifest, policy, now));
            if let Err(e) = checks {
                report.refuse(&e);
            }
            None
        }
        Err(e) => {
            report.refuse(&ImportError::Store(e));
            None
        }
    };
    Admitted {
        site: Some(site),
        replay,
    }
}

/// What the report says of a settled signature question, after checking
/// the signature (the bundle stays unverified: validate only reads it).
fn signature_verdict(
    decision: SignatureDecision,
    bundle: &bundle::UnverifiedBundle,
    site_id: &str,
) -> Result<Check, ImportError> {
    match decision {
        SignatureDecision::Verify(keys) => {
            let checked = bundle.check_signature(&keys);
            checked.map_err(|source| ImportError::Signature {
                site: site_id.to_owned(),
                source,
            })?;
            let ids = bundle.signer_key_ids().join(", ");
            Ok(Check::Valid(format!("key: {ids}")))
        }
        SignatureDecision::Skip(_) => Ok(Check::Skipped(
            "unsigned; this site does not require signatures".into(),
        )),
    }
}
