//! Passphrase files: the passphrase of an encrypted key, read from a file
//! (`--passphrase-file`, `STELLA_KEY_PASSPHRASE_FILE`).
//!
//! Invariants (issue #28): a passphrase file that group or others can read
//! is refused, as the API token file is; so is one over
//! [`MAX_PASSPHRASE_FILE_BYTES`] (it is read no further) and an empty
//! passphrase, which would "encrypt" a key with nothing. One trailing
//! newline (`\n` or `\r\n`) is not part of the passphrase. The text is
//! wiped from memory when dropped.

use std::io::Read;
use std::path::Path;

use pkcs8::der::zeroize::Zeroizing;

use super::KeyError;

/// A passphrase file holds one line; anything longer is not one.
pub const MAX_PASSPHRASE_FILE_BYTES: u64 = 4096;

/// Reads and checks a passphrase file.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    check_mode(path, &file.metadata().map_err(io)?)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_PASSPHRASE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PASSPHRASE_FILE_BYTES {
        return Err(KeyError::PassphraseFileTooLarge {
            path: path.to_owned(),
            max: MAX_PASSPHRASE_FILE_BYTES,
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(KeyError::EmptyPassphrase {
            path: path.to_owned(),
        });
    }
    Ok(Zeroizing::new(text.to_owned()))
}

fn check_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::PassphraseFileMode {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(dir: &Path, bytes: &[u8], mode: u32) -> std::path::PathBuf {
        let path = dir.join("pass");
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn one_trailing_newline_is_not_part_of_the_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        for (bytes, want) in [
            (&b"pw\n"[..], "pw"),
            (b"pw\r\n", "pw"),
            (b"pw", "pw"),
            (b"pw\n\n", "pw\n"),
        ] {
            let path = file(dir.path(), bytes, 0o600);
            assert_eq!(read_passphrase_file(&path).unwrap().as_str(), want);
        }
    }

    #[test]
    fn open_empty_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), b"pw\n", 0o644);
        assert_eq!(
            read_passphrase_file(&path).unwrap_err().to_string(),
            format!(
                "the passphrase file `{0}` can be read by other users (mode 0644): run `chmod 600 {0}`",
                path.display()
            )
        );
        for empty in [&b""[..], b"\n", b"\r\n"] {
            let path = file(dir.path(), empty, 0o600);
            assert!(matches!(
                read_passphrase_file(&path),
                Err(KeyError::EmptyPassphrase { .. })
            ));
        }
        let path = file(dir.path(), &[b'x'; 4097], 0o600);
        assert_eq!(
            read_passphrase_file(&path).unwrap_err().to_string(),
            format!(
                "the passphrase file `{}` is over 4096 bytes: it must hold only the passphrase, on one line",
                path.display()
            )
        );
        let path = file(dir.path(), &[b'x'; 4096], 0o600);
        assert_eq!(read_passphrase_file(&path).unwrap().len(), 4096);
    }
}
