//! Reading OSV inputs: a directory tree of `.json` (and `.ndjson`) files, an
//! osv.dev `all.zip` (entries in any folder), a single `.json` file, an
//! `.ndjson` file, or a stream (`-`, stdin) of JSON objects.
//!
//! Files and zip entries are read one at a time, directory trees in path
//! order (`walk.rs`), zips in archive order (`zipped.rs`); in a zip only
//! names ending in `.json` are records. Origins name the file, `<zip>!<entry>`, or
//! `<file or stdin>#<n>` (1-based position in the stream).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::split::JsonValues;
use super::walk;
use super::{InputError, MAX_RECORD_BYTES, RawRecord};

type Records<'a> = Box<dyn Iterator<Item = Result<RawRecord, InputError>> + 'a>;

/// All records of `paths`, in order; `-` reads `stdin` (the CLI passes
/// `std::io::stdin()`; only the first `-` reads it, a later one is empty).
pub fn read_inputs<'a>(
    paths: &[PathBuf],
    stdin: &'a mut dyn Read,
) -> impl Iterator<Item = Result<RawRecord, InputError>> + 'a {
    let mut stdin = Some(stdin);
    let owned: Vec<PathBuf> = paths.to_vec();
    owned.into_iter().flat_map(move |path| -> Records<'a> {
        if path.as_os_str() == "-" {
            match stdin.take() {
                Some(reader) => Box::new(read_stream(reader, "<stdin>")),
                None => Box::new(std::iter::empty()),
            }
        } else if path.is_dir() {
            read_dir(&path)
        } else if has_extension(&path, "zip") {
            read_zip(path)
        } else if walk::kind(&path) == Some(walk::Kind::Lines) {
            read_lines(&path)
        } else {
            Box::new(std::iter::once(read_file(&path)))
        }
    })
}

/// The JSON objects of a stream: one object, NDJSON, or an array of objects.
pub fn read_stream<'a>(
    reader: &'a mut dyn Read,
    name: &str,
) -> impl Iterator<Item = Result<RawRecord, InputError>> + 'a {
    JsonValues::new(BufReader::new(reader), name)
}

pub(super) fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn read_dir<'a>(dir: &Path) -> Records<'a> {
    Box::new(
        walk::files(dir)
            .into_iter()
            .flat_map(|file| -> Records<'a> {
                match file {
                    Ok((path, walk::Kind::Lines)) => read_lines(&path),
                    Ok((path, walk::Kind::Json)) => Box::new(std::iter::once(read_file(&path))),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                }
            }),
    )
}

/// The records of an `.ndjson` file, one at a time.
fn read_lines<'a>(path: &Path) -> Records<'a> {
    match File::open(path) {
        Ok(file) => Box::new(JsonValues::new(
            BufReader::new(file),
            &path.display().to_string(),
        )),
        Err(source) => Box::new(std::iter::once(Err(InputError::Io {
            path: path.to_owned(),
            source,
        }))),
    }
}

fn read_file(path: &Path) -> Result<RawRecord, InputError> {
    let io_err = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let origin = path.display().to_string();
    match read_capped(file).map_err(io_err)? {
        Some(bytes) => Ok(RawRecord { origin, bytes }),
        None => Err(InputError::TooLarge { origin }),
    }
}

/// Reads everything, or `None` past [`MAX_RECORD_BYTES`] (having read no further).
pub(super) fn read_capped(reader: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_RECORD_BYTES).then_some(bytes))
}

fn read_zip<'a>(path: PathBuf) -> Records<'a> {
    Box::new(super::zipped::records(path))
}
