use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::command::context::Context;
use crate::command::parse;
use crate::error::{Error, Result};
use crate::site::now;
use crate::store::{PolicyChange, Site, StoreError, TrustedKey};

#[derive(Debug, Args)]
pub struct Policy {
    /// The site to show or change
    site_id: String,
    /// Accept (true) or refuse (false) the site's bundles
    #[arg(long, value_name = "BOOL")]
    enabled: Option<bool>,
    /// Largest bundle accepted from the site, e.g. 100MB (`none` lifts the site cap)
    #[arg(long, value_name = "SIZE", value_parser = max_size)]
    max_bundle_size: Option<MaxSize>,
    /// Sources whose edges are imported, e.g. nvd,ghsa (`all` for every source)
    #[arg(long, value_name = "LIST", value_parser = sources)]
    allowed_sources: Option<Sources>,
    /// Conflict strategy for this site's bundles: prefer_remote, prefer_local,
    /// fail, newest (`default` follows FederationImport.OnConflict)
    #[arg(long, value_name = "STRATEGY", value_parser = strategy)]
    on_conflict: Option<Strategy>,
    /// Trust another public key (PEM) for the site; repeatable
    #[arg(long, value_name = "PUB.pem")]
    add_key: Vec<PathBuf>,
    /// Stop trusting a key, by key id; repeatable
    #[arg(long, value_name = "KEYID")]
    revoke_key: Vec<String>,
    /// The site's own API token for `feedser serve` (one line, at least 16
    /// characters, mode 0600); only its SHA-256 is kept, in the home
    #[cfg(feature = "serve")]
    #[arg(long, value_name = "FILE", conflicts_with = "no_token")]
    token_file: Option<PathBuf>,
    /// Remove the site's API token: it can no longer authenticate
    #[cfg(feature = "serve")]
    #[arg(long)]
    no_token: bool,
    /// Print the resulting policy as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Debug)]
struct MaxSize(Option<u64>);

fn max_size(text: &str) -> Result<MaxSize, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(MaxSize(None));
    }
    parse::byte_size(text).map(|b| MaxSize(Some(b)))
}

#[derive(Clone, Debug)]
struct Sources(Option<Vec<String>>);

fn sources(text: &str) -> Result<Sources, String> {
    parse::sources(text).map(Sources)
}

#[derive(Clone, Debug)]
struct Strategy(Option<String>);

fn strategy(text: &str) -> Result<Strategy, String> {
    if text == "default" {
        return Ok(Strategy(None));
    }
    match crate::import::ConflictStrategy::parse(text) {
        Some(s) => Ok(Strategy(Some(s.as_str().to_owned()))),
        None => Err(format!(
            "`{}` is not a strategy: use prefer_remote, prefer_local, fail, newest or default",
            text.escape_debug()
        )),
    }
}

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    site: &'a Site,
    keys: &'a [TrustedKey],
}

impl Policy {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let changes = self.enabled.is_some()
            || self.max_bundle_size.is_some()
            || self.allowed_sources.is_some()
            || self.on_conflict.is_some()
            || !self.add_key.is_empty()
            || !self.revoke_key.is_empty()
            || self.token_change();
        let _lock = if changes { Some(ctx.writer()?) } else { None };
        let mut store = ctx.open_store()?;
        super::get_site(store.as_ref(), &self.site_id)?;
        if let Some(Sources(Some(names))) = &self.allowed_sources {
            let held = store.begin()?.source_records()?;
            let held: std::collections::BTreeSet<String> =
                held.into_iter().map(|(source, _)| source).collect();
            let held: Vec<String> = held.into_iter().collect();
            crate::osv::check_known_sources(names, &held).map_err(Error::Usage)?;
        }
        // Every key to revoke must be the site's before anything changes.
        let held = store.keys(&self.site_id)?;
        if let Some(unknown) =
            (self.revoke_key.iter()).find(|id| !held.iter().any(|k| &k.key_id == *id))
        {
            return Err(StoreError::UnknownKey {
                site_id: self.site_id.clone(),
                key_id: unknown.clone(),
            }
            .into());
        }
        let new_keys = self
            .add_key
            .iter()
            .map(|path| super::read_key(path))
            .collect::<Result<Vec<_>>>()?;
        #[cfg(feature = "serve")]
        self.change_token(ctx)?;
        let change = PolicyChange {
            enabled: self.enabled,
            max_bundle_size: self.max_bundle_size.map(|m| m.0),
            allowed_sources: self.allowed_sources.map(|s| s.0),
            on_conflict: self.on_conflict.map(|s| s.0),
        };
        if change != PolicyChange::default() {
            store.update_policy(&self.site_id, &change)?;
        }
        for key in &new_keys {
            store.add_key(&self.site_id, key)?;
        }
        for key_id in &self.revoke_key {
            store.revoke_key(&self.site_id, key_id, &now())?;
        }
        let site = super::get_site(store.as_ref(), &self.site_id)?;
        let keys = store.keys(&self.site_id)?;
        if self.json {
            return ctx.out.json(&Shown {
                site: &site,
                keys: &keys,
            });
        }
        ctx.out.text(&render(&site, &keys))
    }
}

#[cfg(feature = "serve")]
impl Policy {
    fn token_change(&self) -> bool {
        self.token_file.is_some() || self.no_token
    }

    /// Keeps the SHA-256 of the site's new token, or forgets its token,
    /// in the home's site-token file (see `crate::serve::SiteTokens`).
    fn change_token(&self, ctx: &Context) -> Result<()> {
        use crate::serve::{SITE_TOKENS_FILE, SiteTokens, Token};
        if !self.token_change() {
            return Ok(());
        }
        let token = self.token_file.as_deref().map(Token::load).transpose()?;
        let path = ctx.home.root().join(SITE_TOKENS_FILE);
        let mut tokens = SiteTokens::load(&path)?;
        let site = &self.site_id;
        let notice = match &token {
            Some(token) => {
                tokens.set(site, token);
                format!("site `{site}`: API token set (only its SHA-256 is kept)")
            }
            None if tokens.remove(site) => format!("site `{site}`: API token removed"),
            None => format!("site `{site}` has no API token: nothing to remove"),
        };
        tokens.save(&path)?;
        crate::command::logger::notice("info", &format!("{notice}\n"));
        Ok(())
    }
}

#[cfg(not(feature = "serve"))]
impl Policy {
    fn token_change(&self) -> bool {
        false
    }
}

fn render(site: &Site, keys: &[TrustedKey]) -> String {
    let mut text = format!(
        "Site: {} ({})\nStatus: {}\nMax bundle size: {}\nAllowed sources: {}\nOn conflict: {}\nKeys:\n",
        site.site_id,
        site.display_name,
        super::status_word(site),
        site.max_bundle_size.map_or_else(
            || "config default".to_owned(),
            |b| format!(
                "{} ({})",
                crate::units::size(b),
                crate::units::count(b, "byte")
            )
        ),
        site.allowed_sources
            .as_ref()
            .map_or_else(|| "all".to_owned(), |s| s.join(",")),
        site.on_conflict.as_deref().unwrap_or("config default"),
    );
    if keys.is_empty() {
        text.push_str("  none\n");
    }
    for key in keys {
        let state = key
            .revoked_at
            .as_ref()
            .map_or_else(|| "trusted".to_owned(), |at| format!("revoked {at}"));
        text.push_str(&format!("  {} ({state})\n", key.key_id));
    }
    text
}
