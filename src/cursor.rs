//! Change-feed cursors: `YYYY-MM-DDTHH:MM:SS.mmmZ#NNNN`.
//!
//! A cursor names one position of a site's change feed: the UTC commit time in
//! milliseconds and the feed's sequence number (at least four digits, zero
//! padded). Cursors order by (time, sequence); within one site the sequence
//! alone is strictly increasing and the time never goes backwards, so both
//! orders agree. The text form round-trips exactly.
//!
//! Bundles and ledgers hold that exact form ([`FromStr`]). A person may
//! also name a *point* ([`Cursor::point`]): the document's spelling without
//! milliseconds (`2025-01-14T00:00:00Z#0000`) or any time and sequence,
//! meaning "the changes after this point", which need not be an entry of the
//! feed. Invariant: `point` accepts every exact cursor and means the same.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The form a cursor must take, quoted in every parse error.
pub const CURSOR_FORM: &str = "YYYY-MM-DDTHH:MM:SS.mmmZ#NNNN";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor {
    /// Milliseconds since the Unix epoch, UTC.
    millis: i64,
    /// Change-feed sequence number.
    seq: u64,
}

/// The forms [`Cursor::point`] takes, quoted in its parse errors.
pub const POINT_FORM: &str = "YYYY-MM-DDTHH:MM:SS[.fff]Z#NNNN";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed cursor `{text}`: expected {POINT_FORM} (UTC time, milliseconds optional, `#`, a sequence number), e.g. `2025-01-15T10:30:00Z#0042` or `2025-01-15T10:30:00.000Z#0042`"
)]
pub struct PointError {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed cursor `{text}`: expected {CURSOR_FORM} (UTC time with milliseconds, `#`, a sequence of at least 4 digits), e.g. `2025-01-15T10:30:00.000Z#0042`"
)]
pub struct CursorError {
    pub text: String,
}

impl Cursor {
    pub fn new(millis: i64, seq: u64) -> Self {
        Self { millis, seq }
    }

    /// The cursor before every real change: an empty feed's position.
    pub fn origin() -> Self {
        Self { millis: 0, seq: 0 }
    }

    pub fn millis(&self) -> i64 {
        self.millis
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// A point of a feed as a person writes it: a UTC time (`Z`, with up
    /// to nine fraction digits, or none; finer than a millisecond is cut),
    /// `#`, and a sequence number of 1 to 20 digits.
    pub fn point(text: &str) -> Result<Cursor, PointError> {
        let err = || PointError {
            text: text.to_owned(),
        };
        let (time, seq) = text.split_once('#').ok_or_else(err)?;
        if seq.is_empty() || seq.len() > 20 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let b = time.as_bytes();
        let fraction = b.get(19..b.len().saturating_sub(1)).unwrap_or_default();
        let shape_ok = b.len() >= 20
            && b[..19].iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
            && b.last() == Some(&b'Z')
            && (fraction.is_empty()
                || (fraction.len() <= 10
                    && fraction[0] == b'.'
                    && fraction.len() > 1
                    && fraction[1..].iter().all(u8::is_ascii_digit)));
        if !shape_ok {
            return Err(err());
        }
        let ts: jiff::Timestamp = time.parse().map_err(|_| err())?;
        let millis = ts.as_millisecond();
        Ok(Cursor::new(millis, seq.parse().map_err(|_| err())?))
    }

    pub fn timestamp(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{:04}", format_millis(self.millis), self.seq)
    }
}

/// `2025-01-15T10:30:00.000Z`: RFC 3339, UTC, always three fraction digits.
pub fn format_millis(millis: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    format!("{ts:.3}")
}

impl FromStr for Cursor {
    type Err = CursorError;

    /// The exact form is a point ([`Cursor::point`]) spelled as a cursor
    /// prints: milliseconds, at least four sequence digits, no extra zeros.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match Cursor::point(text) {
            Ok(cursor) if cursor.to_string() == text => Ok(cursor),
            _ => Err(CursorError {
                text: text.to_owned(),
            }),
        }
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints_the_documented_example() {
        let c: Cursor = "2025-01-15T10:30:00.000Z#0042".parse().unwrap();
        assert_eq!(c.seq(), 42);
        assert_eq!(c.millis(), 1_736_937_000_000);
        assert_eq!(c.to_string(), "2025-01-15T10:30:00.000Z#0042");
    }

    #[test]
    fn wide_sequences_keep_all_digits() {
        let c: Cursor = "2025-01-15T10:30:00.123Z#1234567".parse().unwrap();
        assert_eq!(c.seq(), 1_234_567);
        assert_eq!(c.to_string(), "2025-01-15T10:30:00.123Z#1234567");
    }

    #[test]
    fn rejects_malformed_text_naming_the_form() {
        for bad in [
            "",
            "2025-01-15T10:30:00.000Z",
            "2025-01-15T10:30:00Z#0042",
            "2025-01-15T10:30:00.000Z#042",
            "2025-01-15T10:30:00.000+01:00#0042",
            "2025-01-15 10:30:00.000Z#0042",
            "2025-13-15T10:30:00.000Z#0042",
            "2025-01-15T10:30:00.000Z#00x2",
            "2025-01-15T10:30:00.000Z#00042",
        ] {
            let err = bad.parse::<Cursor>().unwrap_err();
            assert!(err.to_string().contains(CURSOR_FORM), "{bad}: {err}");
        }
    }

    #[test]
    fn orders_by_time_then_sequence() {
        let a: Cursor = "2025-01-15T10:30:00.000Z#0042".parse().unwrap();
        let b: Cursor = "2025-01-15T10:30:00.000Z#0043".parse().unwrap();
        let c: Cursor = "2025-01-15T10:30:00.001Z#0001".parse().unwrap();
        assert!(a < b && b < c && Cursor::origin() < a);
    }

    /// Found by the manifest property test: a sequence of 20 digits printed
    /// but did not parse back, so such a manifest was refused.
    #[test]
    fn twenty_digit_sequences_round_trip() {
        let c = Cursor::new(0, u64::MAX);
        assert_eq!(
            c.to_string(),
            "1970-01-01T00:00:00.000Z#18446744073709551615"
        );
        assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
        let over = "1970-01-01T00:00:00.000Z#18446744073709551616";
        assert_eq!(over.parse::<Cursor>().unwrap_err().text, over);
    }

    #[test]
    fn points_take_the_documents_spellings() {
        let at = |t: &str| Cursor::point(t).unwrap();
        let exact = Cursor::new(1_736_812_800_000, 0);
        assert_eq!(at("2025-01-14T00:00:00Z#0000"), exact);
        assert_eq!(at("2025-01-14T00:00:00.000Z#0000"), exact);
        assert_eq!(at("2025-01-14T00:00:00.0Z#0"), exact);
        assert_eq!(at("2025-01-14T00:00:00.000999999Z#0"), exact);
        assert_eq!(
            at("2025-01-14T00:00:00.5Z#42"),
            Cursor::new(1_736_812_800_500, 42)
        );
        for bad in [
            "",
            "2025-01-14T00:00:00Z",
            "2025-01-14T00:00:00Z#",
            "2025-01-14T00:00:00Z#-1",
            "2025-01-14T00:00:00Z#0x1",
            "2025-01-14T00:00:00.Z#0000",
            "2025-01-14T00:00:00.0000000000Z#0000",
            "2025-01-14T00:00:00+01:00#0000",
            "2025-01-14 00:00:00Z#0000",
            "2025-01-14T00:00Z#0000",
            "2025-02-30T00:00:00Z#0000",
            "2025-01-14T00:00:00Z#000000000000000000000",
        ] {
            let err = Cursor::point(bad).unwrap_err();
            assert!(err.to_string().contains(POINT_FORM), "{bad}: {err}");
        }
    }

    proptest! {
        #[test]
        fn every_exact_cursor_is_the_same_point(millis in 0i64..4_102_444_800_000, seq in any::<u64>()) {
            let c = Cursor::new(millis, seq);
            prop_assert_eq!(Cursor::point(&c.to_string()), Ok(c));
        }

        #[test]
        fn text_round_trips(millis in 0i64..4_102_444_800_000, seq in any::<u64>()) {
            let c = Cursor::new(millis, seq);
            let back: Cursor = c.to_string().parse().unwrap();
            prop_assert_eq!(back, c);
        }
    }
}
