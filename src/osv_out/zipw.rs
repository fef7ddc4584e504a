//! A streaming, deterministic zip writer for the export's `all.zip` files.
//!
//! Each record is deflated once ([`Deflated::new`]) and the same compressed
//! bytes go into the top-level zip and into each of its ecosystems' zips.
//! The central directory is spilled to a temporary file as entries are
//! added, so memory does not grow with the number of entries; ZIP64 records
//! are written when the entry count or an offset passes the classic limits.
//!
//! A zip past `SYNC_EVERY` bytes is synced in the background as it
//! grows, so its final sync has little left to write.
//!
//! Invariants: entries carry a fixed time (1980-01-01 00:00), mode 0644,
//! deflate by [`Deflater`] (a record's bytes depend on it alone) and no
//! data descriptors, so the same records in the same order give the same
//! bytes.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::ops::Range;

use super::deflate::Deflater;
use crate::durable::SyncingFile;

/// A record's bytes deflated, with what a zip entry needs of them; its
/// name and compressed bytes are in the buffer [`Deflated::new`] appended
/// them to, shared by a batch of records so each does not allocate its own.
pub struct Deflated {
    name: Range<usize>,
    crc: u32,
    size: u32,
    data: Range<usize>,
}

/// DOS date of 1980-01-01 (time 00:00 is 0).
const DOS_DATE: u16 = (1 << 5) | 1;
const U32_MAX: u64 = 0xFFFF_FFFF;

impl Deflated {
    /// Deflates `bytes` as entry `<id>.json`, appending the name and the
    /// compressed bytes to `out`.
    pub fn new(
        id: &str,
        bytes: &[u8],
        z: &mut Deflater,
        out: &mut Vec<u8>,
    ) -> io::Result<Deflated> {
        let size = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other(format!("record `{id}` is over 4 GiB")))?;
        let name = out.len()..out.len() + id.len() + 5;
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(b".json");
        let start = out.len();
        z.deflate(bytes, out);
        Ok(Deflated {
            name,
            crc: crc32fast::hash(bytes),
            size,
            data: start..out.len(),
        })
    }
}

/// One zip being written.
pub struct ZipOut {
    out: BufWriter<SyncingFile>,
    offset: u64,
    central: BufWriter<File>,
    central_len: u64,
    count: u64,
    /// The headers of the entry being added, reused.
    head: Vec<u8>,
}

/// Bytes written between early syncs: the disk writes a large zip while
/// the export still builds records, instead of all of it in the final
/// sync (which still runs, and is what makes the file durable).
const SYNC_EVERY: u64 = 32 << 20;

impl ZipOut {
    /// A zip written to `file`, its directory spilled into `scratch`.
    pub fn new(file: File, scratch: &std::path::Path) -> io::Result<ZipOut> {
        Self::syncing_every(file, scratch, SYNC_EVERY)
    }

    fn syncing_every(file: File, scratch: &std::path::Path, every: u64) -> io::Result<ZipOut> {
        Ok(ZipOut {
            out: BufWriter::with_capacity(1 << 16, SyncingFile::new(file, every)),
            offset: 0,
            central: BufWriter::new(tempfile::tempfile_in(scratch)?),
            central_len: 0,
            count: 0,
            head: Vec::with_capacity(128),
        })
    }

    /// Adds entry `e`, whose name and compressed bytes are in `buffer`.
    pub fn add(&mut self, e: &Deflated, buffer: &[u8]) -> io::Result<()> {
        let outside = || io::Error::other("a deflated entry is outside its buffer");
        let name = buffer.get(e.name.clone()).ok_or_else(outside)?;
        let data = buffer.get(e.data.clone()).ok_or_else(outside)?;
        let csize = u32::try_from(data.len()).map_err(io::Error::other)?;
        let local = &mut self.head;
        local.clear();
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header_common(local, 20, e.crc, csize, e.size, name.len());
        local.extend_from_slice(&0u16.to_le_bytes()); // extra length
        local.extend_from_slice(name);
        self.out.write_all(local)?;
        self.out.write_all(data)?;

        let zip64 = self.offset >= U32_MAX;
        let local_len = local.len();
        let central = &mut self.head;
        central.clear();
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: unix
        let needed = if zip64 { 45 } else { 20 };
        header_common(central, needed, e.crc, csize, e.size, name.len());
        central.extend_from_slice(&(if zip64 { 12u16 } else { 0 }).to_le_bytes());
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
        let offset = if zip64 {
            U32_MAX as u32
        } else {
            self.offset as u32
        };
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        if zip64 {
            central.extend_from_slice(&1u16.to_le_bytes());
            central.extend_from_slice(&8u16.to_le_bytes());
            central.extend_from_slice(&self.offset.to_le_bytes());
        }
        self.central.write_all(central)?;
        self.central_len += central.len() as u64;
        self.offset += (local_len + data.len()) as u64;
        self.count += 1;
        Ok(())
    }

    /// Appends the central directory and the end records; returns the file.
    pub fn finish(self) -> io::Result<File> {
        let ZipOut {
            mut out,
            offset,
            central,
            central_len,
            count,
            ..
        } = self;
        let mut central = central.into_inner().map_err(|e| e.into_error())?;
        central.rewind()?;
        io::copy(&mut central, &mut out)?;
        let end = offset + central_len;
        let zip64 = count >= 0xFFFF || offset >= U32_MAX || central_len >= U32_MAX;
        let mut tail = Vec::with_capacity(98);
        if zip64 {
            tail.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            tail.extend_from_slice(&44u64.to_le_bytes());
            tail.extend_from_slice(&((3u16 << 8) | 45).to_le_bytes());
            tail.extend_from_slice(&45u16.to_le_bytes());
            tail.extend_from_slice(&[0; 8]); // this disk, the directory's disk
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&central_len.to_le_bytes());
            tail.extend_from_slice(&offset.to_le_bytes());
            tail.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&end.to_le_bytes());
            tail.extend_from_slice(&1u32.to_le_bytes());
        }
        let small = |v: u64, max: u64| if zip64 { max } else { v };
        tail.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        tail.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        let entries = small(count, 0xFFFF) as u16;
        tail.extend_from_slice(&entries.to_le_bytes());
        tail.extend_from_slice(&entries.to_le_bytes());
        tail.extend_from_slice(&(small(central_len, U32_MAX) as u32).to_le_bytes());
        tail.extend_from_slice(&(small(offset, U32_MAX) as u32).to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes()); // comment length
        out.write_all(&tail)?;
        out.into_inner().map_err(|e| e.into_error())?.into_file()
    }
}

/// The fields local and central headers share, from "version needed".
fn header_common(buf: &mut Vec<u8>, needed: u16, crc: u32, csize: u32, size: u32, name_len: usize) {
    buf.extend_from_slice(&needed.to_le_bytes());
    buf.extend_from_slice(&0u16.to_le_bytes()); // flags
    buf.extend_from_slice(&8u16.to_le_bytes()); // deflate
    buf.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
    buf.extend_from_slice(&DOS_DATE.to_le_bytes());
    buf.extend_from_slice(&crc.to_le_bytes());
    buf.extend_from_slice(&csize.to_le_bytes());
    buf.extend_from_slice(&size.to_le_bytes());
    buf.extend_from_slice(&(name_len as u16).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn write(entries: &[(String, Vec<u8>)]) -> File {
        write_syncing_every(entries, SYNC_EVERY)
    }

    fn write_syncing_every(entries: &[(String, Vec<u8>)], sync_every: u64) -> File {
        let mut z = Deflater::default();
        let file = tempfile::tempfile().unwrap();
        let mut zip = ZipOut::syncing_every(file, &std::env::temp_dir(), sync_every).unwrap();
        for (name, bytes) in entries {
            let mut buffer = Vec::new();
            let id = name.strip_suffix(".json").unwrap();
            let entry = Deflated::new(id, bytes, &mut z, &mut buffer).unwrap();
            zip.add(&entry, &buffer).unwrap();
        }
        zip.finish().unwrap()
    }

    fn read(mut file: File) -> Vec<(String, Vec<u8>)> {
        file.rewind().unwrap();
        let mut archive = zip::ZipArchive::new(file).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut entry = archive.by_index(i).unwrap();
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                assert_eq!(entry.unix_mode(), Some(0o100_644));
                (entry.name().unwrap().into_owned(), bytes)
            })
            .collect()
    }

    #[test]
    fn entries_read_back_as_written() {
        let entries: Vec<(String, Vec<u8>)> = (0..50)
            .map(|i| {
                (
                    format!("ID-{i}.json"),
                    format!("{{\"id\":{i}}}").repeat(i + 1).into_bytes(),
                )
            })
            .chain([("empty.json".to_owned(), Vec::new())])
            .collect();
        assert_eq!(read(write(&entries)), entries);
    }

    #[test]
    fn early_syncs_change_no_byte() {
        // Past the writer's 64 KiB buffer several times, so early syncs
        // start between its flushes, not only at the end.
        let entries: Vec<(String, Vec<u8>)> = (0..2000)
            .map(|i| {
                (
                    format!("{i}.json"),
                    format!("{{\"n\":{i}}}").repeat(i % 13 + 1).into_bytes(),
                )
            })
            .collect();
        let bytes = |mut f: File| {
            let mut v = Vec::new();
            f.rewind().unwrap();
            f.read_to_end(&mut v).unwrap();
            v
        };
        let early = write_syncing_every(&entries, 100);
        assert_eq!(read(early.try_clone().unwrap()), entries);
        assert_eq!(bytes(early), bytes(write(&entries)));
    }

    #[test]
    fn more_entries_than_a_classic_zip_holds_use_zip64() {
        let entries: Vec<(String, Vec<u8>)> = (0..70_000)
            .map(|i| (format!("{i}.json"), vec![b'x'; i % 7]))
            .collect();
        let back = read(write(&entries));
        assert_eq!(back.len(), 70_000);
        assert_eq!(back, entries);
    }

    #[test]
    fn the_same_entries_give_the_same_bytes() {
        let entries = vec![("a.json".to_owned(), b"{\"a\":1}".to_vec())];
        let bytes = |mut f: File| {
            let mut v = Vec::new();
            f.rewind().unwrap();
            f.read_to_end(&mut v).unwrap();
            v
        };
        assert_eq!(bytes(write(&entries)), bytes(write(&entries)));
    }
}
