//! The verification log of a refused bundle: which checks it passed before
//! the one that failed, derived from how far the import got (the stages its
//! observer saw) and what refused it. Check order is `import::admit`'s.

use crate::exit::Exit;
use crate::import::{ImportError, SizeLimit};

/// How far an import got, as its observer saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    /// Size (when known up front), manifest, signature, policy and cursor passed.
    pub admitted: bool,
    /// Every member was spooled and matched the manifest.
    pub staged: bool,
    pub site_id: Option<String>,
    pub bundle_hash: Option<String>,
}

/// The site a refusal names, when it names one.
pub fn error_site(error: &ImportError) -> Option<&str> {
    use ImportError::*;
    match error {
        OwnSite { site }
        | UnknownSite { site }
        | SiteNotAllowed { site }
        | SiteDisabled { site }
        | Unsigned { site }
        | NoTrustedKeys { site }
        | Signature { site, .. }
        | CursorNotAfter { site, .. }
        | MissingDelta { site, .. }
        | FutureCursor { site, .. }
        | StoreRefused { site, .. }
        | KeyRevoked { site, .. }
        | SenderMismatch { site, .. }
        | TooLarge {
            which: SizeLimit::Site(site),
            ..
        } => Some(site),
        _ => None,
    }
}

/// The checks passed, in order. `size`: the file size checked up front
/// (`None` for stdin).
pub fn verification_log(size: Option<u64>, reached: &Reached, error: &ImportError) -> Vec<String> {
    let mut log = Vec::new();
    if let Some(size) = size {
        log.push(format!(
            "size: {size} bytes, within FederationImport.MaxBundleSizeBytes"
        ));
    }
    let signature_refused = error.exit() == Exit::SignatureInvalid;
    if !(reached.admitted || signature_refused) {
        return log;
    }
    log.push("format: manifest and signature envelope read".to_owned());
    let site = reached.site_id.as_deref().or_else(|| error_site(error));
    match site {
        Some(site) => log.push(format!("site: `{site}` is registered")),
        None => log.push("site: registered".to_owned()),
    }
    if !reached.admitted {
        return log;
    }
    log.push("signature: accepted".to_owned());
    log.push("policy: site allowed and enabled".to_owned());
    log.push("cursor: follows the last import from the site".to_owned());
    if reached.staged {
        log.push("members: every member's sha256 matches the manifest".to_owned());
    }
    log
}
