//! The journal's SQL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::schema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Staging,
    Staged,
    Applying,
    Committed,
    DryRun,
    Refused,
    Abandoned,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Staging => "staging",
            State::Staged => "staged",
            State::Applying => "applying",
            State::Committed => "committed",
            State::DryRun => "dry_run",
            State::Refused => "refused",
            State::Abandoned => "abandoned",
        }
    }

    fn parse(text: &str) -> Option<State> {
        [
            State::Staging,
            State::Staged,
            State::Applying,
            State::Committed,
            State::DryRun,
            State::Refused,
            State::Abandoned,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Not final: the import was still under way when last written.
    pub fn is_open(self) -> bool {
        matches!(self, State::Staging | State::Staged | State::Applying)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub import_id: String,
    #[serde(rename = "received_from")]
    pub bundle: String,
    pub staging_dir: PathBuf,
    pub state: State,
    pub site_id: Option<String>,
    pub manifest_sha256: Option<String>,
    pub bundle_hash: Option<String>,
    pub detail: Option<String>,
    pub started_at: String,
    pub updated_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use the import journal `{path}`: {source}")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the import journal `{path}` has schema version {found}, newer than this stella knows: upgrade stella"
    )]
    TooNew { path: PathBuf, found: i64 },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot clean the staging files `{path}`: {source}")]
    Staging {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let db = |source| JournalError::Db {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db)?;
        // A journal already at this version (every run but the first) needs
        // no write lock: most commands only read it.
        if !schema::is_current(&conn).map_err(db)? {
            schema::migrate(&mut conn, path)?;
        }
        Ok(Journal {
            conn,
            path: path.to_owned(),
        })
    }

    fn db(&self) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
        |source| JournalError::Db {
            path: self.path.clone(),
            source,
        }
    }

    pub fn begin(
        &self,
        id: &str,
        bundle: &str,
        staging_dir: &Path,
        now: &str,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO imports (import_id, bundle, staging_dir, state, started_at, updated_at) \
                 VALUES (?1, ?2, ?3, 'staging', ?4, ?4)",
                params![id, bundle, staging_dir.to_string_lossy(), now],
            )
            .map(drop)
            .map_err(self.db())
    }

    /// Records what became known: the site and manifest once admitted, the
    /// bundle hash once staged, the reason of a refusal.
    pub fn update(
        &self,
        id: &str,
        state: State,
        fields: &Fields<'_>,
        now: &str,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE imports SET state = ?2, site_id = COALESCE(?3, site_id), \
                 manifest_sha256 = COALESCE(?4, manifest_sha256), bundle_hash = COALESCE(?5, bundle_hash), \
                 detail = COALESCE(?6, detail), updated_at = ?7 WHERE import_id = ?1",
                params![id, state.as_str(), fields.site_id, fields.manifest_sha256, fields.bundle_hash, fields.detail, now],
            )
            .map(drop)
            .map_err(self.db())
    }

    /// Newest first; `open_only` keeps the imports that were under way.
    pub fn entries(
        &self,
        open_only: bool,
        limit: usize,
    ) -> Result<Vec<JournalEntry>, JournalError> {
        let sql = "SELECT import_id, bundle, staging_dir, state, site_id, manifest_sha256, bundle_hash, \
                   detail, started_at, updated_at FROM imports \
                   WHERE (?1 = 0 OR state IN ('staging', 'staged', 'applying')) \
                   ORDER BY started_at DESC, import_id DESC LIMIT ?2";
        let mut stmt = self.conn.prepare(sql).map_err(self.db())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![open_only as i64, limit], |r| {
                Ok(JournalEntry {
                    import_id: r.get(0)?,
                    bundle: r.get(1)?,
                    staging_dir: PathBuf::from(r.get::<_, String>(2)?),
                    state: State::parse(&r.get::<_, String>(3)?).unwrap_or(State::Abandoned),
                    site_id: r.get(4)?,
                    manifest_sha256: r.get(5)?,
                    bundle_hash: r.get(6)?,
                    detail: r.get(7)?,
                    started_at: r.get(8)?,
                    updated_at: r.get(9)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.db())
    }

    pub fn entry(&self, id: &str) -> Result<Option<State>, JournalError> {
        self.conn
            .query_row(
                "SELECT state FROM imports WHERE import_id = ?1",
                [id],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map(|s| s.and_then(|s| State::parse(&s)))
            .map_err(self.db())
    }

    /// Deletes final rows last updated before `before`.
    pub fn forget_final(&self, before: &str) -> Result<usize, JournalError> {
        self.conn
            .execute(
                "DELETE FROM imports WHERE state NOT IN ('staging', 'staged', 'applying') AND updated_at < ?1",
                [before],
            )
            .map_err(self.db())
    }
}

/// Optional columns of an update; `None` keeps what is there.
#[derive(Default)]
pub struct Fields<'a> {
    pub site_id: Option<&'a str>,
    pub manifest_sha256: Option<&'a str>,
    pub bundle_hash: Option<&'a str>,
    pub detail: Option<&'a str>,
}
