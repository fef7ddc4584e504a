//! Reading a whole body ahead into a writer (a spool file), within a cap.
//!
//! Invariant: at most `cap + 1` bytes are read from the client: one past
//! the cap tells an over-cap body from one exactly at it, and the rest is
//! never asked for.

use std::io::{self, Read, Write};

use super::Body;

/// Why a body could not be spooled.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The body goes on past `cap` bytes.
    #[error("the body is over {cap} bytes")]
    TooLarge { cap: u64 },
    /// The client's side: cut short, too slow, malformed framing.
    #[error("cannot read the request body: {0}")]
    Read(io::Error),
    /// This side: the spool could not be written.
    #[error("cannot write the spooled body: {0}")]
    Write(io::Error),
    /// The server is stopping.
    #[error("the server is stopping")]
    Stopped,
}

impl<S: Read> Body<S> {
    /// Copies the whole body to `out`; the number of bytes. `stop` is
    /// asked before each read, so a trickling body ends with the server.
    pub fn spool_to(
        &mut self,
        out: &mut dyn Write,
        cap: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<u64, SpoolError> {
        let mut chunk = vec![0u8; 1 << 16];
        let mut total: u64 = 0;
        loop {
            if stop() {
                return Err(SpoolError::Stopped);
            }
            let room = cap.saturating_add(1).saturating_sub(total);
            let want = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
            let n = match self.read(&mut chunk[..want]) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SpoolError::Read(e)),
            };
            total += n as u64;
            if total > cap {
                return Err(SpoolError::TooLarge { cap });
            }
            out.write_all(&chunk[..n]).map_err(SpoolError::Write)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::Framing;

    fn spool(wire: &[u8], framing: Framing, cap: u64) -> Result<Vec<u8>, SpoolError> {
        let mut body = Body::new(Vec::new(), wire, framing, None);
        let mut out = Vec::new();
        body.spool_to(&mut out, cap, &|| false).map(|n| {
            assert_eq!(n, out.len() as u64);
            out
        })
    }

    #[test]
    fn a_body_at_the_cap_spools_and_one_past_it_does_not() {
        assert_eq!(spool(b"hello", Framing::Length(5), 5).unwrap(), b"hello");
        let over = spool(b"hello!", Framing::Length(6), 5).unwrap_err();
        assert!(matches!(over, SpoolError::TooLarge { cap: 5 }));
        let chunked = b"3\r\nhel\r\n3\r\nlo!\r\n0\r\n\r\n";
        assert_eq!(spool(chunked, Framing::Chunked, 6).unwrap(), b"hello!");
        let over = spool(chunked, Framing::Chunked, 5).unwrap_err();
        assert!(matches!(over, SpoolError::TooLarge { cap: 5 }));
        let cut = spool(b"hel", Framing::Length(5), 5).unwrap_err();
        assert!(matches!(cut, SpoolError::Read(e) if e.kind() == io::ErrorKind::UnexpectedEof));
        let mut body = Body::new(Vec::new(), &b"hello"[..], Framing::Length(5), None);
        let stopped = body.spool_to(&mut Vec::new(), 5, &|| true).unwrap_err();
        assert!(matches!(stopped, SpoolError::Stopped));
    }
}
