use std::path::Path;

use clap::Args;

use crate::command::global::GlobalArgs;
use crate::config::FileConfig;
use crate::error::{Error, Result};
use crate::site::Home;
use crate::store::sqlite::SqliteStore;

#[derive(Debug, Args)]
pub struct Init {
    /// This site's id, e.g. site-us-west-1
    #[arg(long, value_name = "ID")]
    site_id: String,
}

impl Init {
    pub fn run(self, global: &GlobalArgs) -> Result<()> {
        if !crate::model::is_valid_site_id(&self.site_id) {
            return Err(Error::Usage(format!(
                "`{}` is not a valid site id: {}",
                self.site_id,
                crate::model::SITE_ID_RULE
            )));
        }
        let home = Home::resolve(global.home.as_deref());
        crate::trust::check_home(home.root())?;
        let config_file = global.config.clone().unwrap_or_else(|| home.config_file());
        if config_file.exists() {
            return Err(Error::AlreadyInitialized {
                home: home.root().to_owned(),
                file: config_file,
            });
        }
        create_private_dir(home.root())?;
        create_private_dir(&home.keys_dir())?;
        let url = global.database_url.as_deref().filter(|u| !u.is_empty());
        let config = FileConfig::for_new_site(&self.site_id, url);
        // The store first: a home whose store could not be set up keeps no
        // config, so `init` can simply be run again.
        match url {
            Some(url) => {
                crate::site::postgres::migrate(url, &config.federation.database_schema)?;
            }
            None => {
                SqliteStore::open(&home.store_file())?;
            }
        }
        write_new(&config_file, config.to_yaml().as_bytes())?;
        crate::command::logger::notice(
            "info",
            &format!(
                "initialized stella home `{}` for site `{}` (config `{}`)\n",
                home.root().display(),
                self.site_id,
                config_file.display()
            ),
        );
        if url.is_some_and(crate::config::dsn::has_password) {
            crate::command::logger::notice(
                "warn",
                &format!(
                    "note: the config holds the database password (it is 0600, readable only by you); to keep it out of files, remove it from ConnectionStrings.Concelier and {}\n",
                    crate::config::dsn::PASSWORD_ADVICE
                ),
            );
        }
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(Error::io("cannot create directory", dir))
}

/// A new file only its owner can read (0600): the config may hold the
/// database password (issue #28).
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(Error::io("cannot create", path))?;
    file.write_all(bytes)
        .map_err(Error::io("cannot write", path))
}
