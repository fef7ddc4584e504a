//! Splits a byte stream into top-level JSON values without parsing them.
//!
//! Accepts one object, objects one after another (NDJSON, or any white space
//! between them), or one array of objects. Each value is yielded as its exact
//! bytes, so a record's `source_sha256` is the hash of what the source wrote;
//! only one value is buffered at a time and none beyond [`MAX_RECORD_BYTES`].
//! A value that is not an object is an item error and reading goes on; a
//! stream that ends inside a value, or an I/O error, ends the stream.

use std::io::BufRead;

use super::{InputError, MAX_RECORD_BYTES, RawRecord};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Start,
    Values,
    Array,
    Done,
}

pub(super) struct JsonValues<R> {
    reader: R,
    name: String,
    count: usize,
    mode: Mode,
}

impl<R: BufRead> JsonValues<R> {
    pub fn new(reader: R, name: &str) -> Self {
        JsonValues {
            reader,
            name: name.to_owned(),
            count: 0,
            mode: Mode::Start,
        }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self) {
        self.reader.consume(1);
    }

    /// Skips white space, and commas and the closing `]` inside an array;
    /// returns the first byte of the next value, not consumed.
    fn next_start(&mut self) -> std::io::Result<Option<u8>> {
        while let Some(b) = self.peek()? {
            match (b, self.mode) {
                (b' ' | b'\t' | b'\r' | b'\n', _) => self.bump(),
                (b'[', Mode::Start) => {
                    self.mode = Mode::Array;
                    self.bump();
                }
                (b',', Mode::Array) => self.bump(),
                (b']', Mode::Array) => {
                    self.mode = Mode::Done;
                    return Ok(None);
                }
                _ => {
                    if self.mode == Mode::Start {
                        self.mode = Mode::Values;
                    }
                    return Ok(Some(b));
                }
            }
        }
        Ok(None)
    }

    /// Reads one balanced `{…}`/`[…]` value, or one scalar token.
    fn read_value(&mut self) -> std::io::Result<(Vec<u8>, bool, bool)> {
        let (mut bytes, mut too_large) = (Vec::new(), false);
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(b) = self.peek()? {
            let scalar_end = depth == 0
                && !in_string
                && !bytes.is_empty()
                && matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'{' | b'[');
            if scalar_end {
                return Ok((bytes, too_large, true));
            }
            self.bump();
            if bytes.len() as u64 >= MAX_RECORD_BYTES {
                too_large = true;
            } else {
                bytes.push(b);
            }
            if in_string {
                (escaped, in_string) = (!escaped && b == b'\\', escaped || b != b'"');
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && matches!(b, b'}' | b']') {
                return Ok((bytes, too_large, true));
            }
        }
        let complete = depth == 0 && !in_string && !bytes.is_empty();
        Ok((bytes, too_large, complete))
    }

    fn next_item(&mut self) -> std::io::Result<Option<Result<RawRecord, InputError>>> {
        let Some(first) = self.next_start()? else {
            if self.mode != Mode::Array {
                return Ok(None);
            }
            self.mode = Mode::Done;
            let origin = format!("{}#{}", self.name, self.count + 1);
            let detail = "the input ends before the array's closing `]`".to_owned();
            return Ok(Some(Err(InputError::Malformed { origin, detail })));
        };
        self.count += 1;
        let origin = format!("{}#{}", self.name, self.count);
        let (bytes, too_large, complete) = self.read_value()?;
        if !complete {
            self.mode = Mode::Done;
            let detail = "the input ends inside this value".to_owned();
            return Ok(Some(Err(InputError::Malformed { origin, detail })));
        }
        if too_large {
            return Ok(Some(Err(InputError::TooLarge { origin })));
        }
        if first != b'{' {
            let detail = format!("found `{}`", String::from_utf8_lossy(&bytes));
            return Ok(Some(Err(InputError::Malformed { origin, detail })));
        }
        Ok(Some(Ok(RawRecord { origin, bytes })))
    }
}

impl<R: BufRead> Iterator for JsonValues<R> {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.mode == Mode::Done {
            return None;
        }
        match self.next_item() {
            Ok(item) => item,
            Err(e) => {
                self.mode = Mode::Done;
                let origin = format!("{}#{}", self.name, self.count + 1);
                Some(Err(InputError::Entry {
                    origin,
                    detail: e.to_string(),
                }))
            }
        }
    }
}
