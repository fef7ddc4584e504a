//! Strict scalar types for the config (issue #28): a boolean key takes only
//! a plain `true` or `false`, a number key only a plain number.
//!
//! serde-saphyr, like most YAML readers, coerces: `RequireSignature: "no"`
//! (or `"false"`, `off`, `n`) reads as `false` and turns signatures off, and
//! `MaxBundleSizeBytes: "10"` reads as 10. Each field below goes through
//! `deserialize_any`, which hands a quoted scalar over as a string, so a
//! string where a boolean or a number belongs is an error naming the key's
//! line and column. The parser runs with `strict_booleans` (YAML 1.2), so a
//! plain `no`, `off` or `n` is a string too.

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// The options every config is parsed with.
pub fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options
}

pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(Strict("`true` or `false`", |v: Found| match v {
        Found::Bool(b) => Some(b),
        _ => None,
    }))
}

pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(Strict("a whole number of at least 0", |v: Found| match v {
        Found::Unsigned(n) => Some(n),
        Found::Signed(n) => u64::try_from(n).ok(),
        _ => None,
    }))
}

pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(Strict("a whole number", |v: Found| match v {
        Found::Unsigned(n) => i32::try_from(n).ok(),
        Found::Signed(n) => i32::try_from(n).ok(),
        _ => None,
    }))
}

/// What a scalar turned out to be.
#[derive(Clone, Copy)]
enum Found {
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
}

/// Accepts what `pick` takes from a plain scalar; refuses strings (quoted
/// or not) and everything else, saying what was expected.
struct Strict<F>(&'static str, F);

impl<F> Strict<F> {
    fn refuse<T, E: Error>(&self, found: Unexpected<'_>) -> Result<T, E> {
        Err(E::invalid_type(found, &self.0))
    }
}

impl<'de, T, F: Fn(Found) -> Option<T>> Visitor<'de> for Strict<F> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }

    fn visit_bool<E: Error>(self, v: bool) -> Result<T, E> {
        (self.1)(Found::Bool(v)).map_or_else(|| self.refuse(Unexpected::Bool(v)), Ok)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        (self.1)(Found::Unsigned(v)).map_or_else(|| self.refuse(Unexpected::Unsigned(v)), Ok)
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        (self.1)(Found::Signed(v)).map_or_else(|| self.refuse(Unexpected::Signed(v)), Ok)
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
        self.refuse(Unexpected::Str(v))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        self.refuse(Unexpected::Float(v))
    }

    fn visit_unit<E: Error>(self) -> Result<T, E> {
        self.refuse(Unexpected::Unit)
    }
}
