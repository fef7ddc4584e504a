//! Quantities as people read them: sizes (`9.5 MB`, `100 MB`, `512
//! bytes`), durations (`850 ms`, `2.4 s`, `12 min`, `5 h`, `3 days`) and
//! clock skew (`5 h ahead`), and counts before a noun (`1 record`, `2
//! records`, never `record(s)`). Every human report writes its quantities
//! through here; `--json` keeps raw numbers (`size` in bytes, `_ms`).
//!
//! Invariants: sizes use the units `--max-bundle-size` reads (1 KB = 2^10
//! bytes, 1 MB = 2^20, 1 GB = 2^30); a value under 10 of its unit keeps
//! one decimal unless it is whole, a larger one is rounded to a whole
//! number; a count of 1 is singular (`1 byte`, `1 day`).

/// `bytes` in the largest unit it reaches: `9.5 MB`, `100 MB`, `1 byte`.
pub fn size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 3] = [("GB", 30), ("MB", 20), ("KB", 10)];
    for (unit, shift) in UNITS {
        let one = 1u64 << shift;
        if bytes >= one {
            return format!("{} {unit}", decimal(bytes as f64 / one as f64));
        }
    }
    match bytes {
        1 => "1 byte".to_owned(),
        n => format!("{n} bytes"),
    }
}

/// `bytes` as a whole number of the largest unit it reaches, rounded up
/// or down: for a need and a limit that must never read the same when
/// one falls short (`needs 388 MB, 387 MB free`).
pub fn bound(bytes: u64, round_up: bool) -> String {
    const UNITS: [(&str, u32); 3] = [("GB", 30), ("MB", 20), ("KB", 10)];
    for (unit, shift) in UNITS {
        let one = 1u64 << shift;
        if bytes >= one {
            let whole = bytes >> shift;
            let n = whole + u64::from(round_up && !bytes.is_multiple_of(one));
            return format!("{n} {unit}");
        }
    }
    count(bytes, "byte")
}

/// A span of `ms` milliseconds in its natural unit.
pub fn duration_ms(ms: u128) -> String {
    let ms = u64::try_from(ms).unwrap_or(u64::MAX);
    const MINUTE: u64 = 60_000;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..MINUTE => format!("{} s", decimal(ms as f64 / 1000.0)),
        MINUTE..HOUR => format!("{} min", decimal(ms as f64 / MINUTE as f64)),
        HOUR..DAY => format!("{} h", decimal(ms as f64 / HOUR as f64)),
        _ => {
            let days = decimal(ms as f64 / DAY as f64);
            let noun = if days == "1" { "day" } else { "days" };
            format!("{days} {noun}")
        }
    }
}

/// How far a clock runs from this one: `5 h ahead`, `2.4 s behind`.
pub fn skew_ms(ms: i64) -> String {
    let word = if ms < 0 { "behind" } else { "ahead" };
    format!("{} {word}", duration_ms(u128::from(ms.unsigned_abs())))
}

/// One decimal under 10 unless whole, else whole: `9.5`, `9`, `100`.
fn decimal(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths < 100.0 && tenths % 10.0 != 0.0 {
        format!("{:.1}", tenths / 10.0)
    } else {
        format!("{:.0}", value.round())
    }
}

/// `n` and `noun`, plural unless `n` is 1: `count(1, "edge")` → `1 edge`,
/// `count(2, "entry")` → `2 entries`.
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` as `n` of it is written.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        return noun.to_owned();
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let cases = [
            (0, "0 bytes"),
            (1, "1 byte"),
            (512, "512 bytes"),
            (1024, "1 KB"),
            (1536, "1.5 KB"),
            (9_961_472, "9.5 MB"),
            (104_857_600, "100 MB"),
            (104_857_600 + 300_000, "100 MB"),
            (5 << 30, "5 GB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(size(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn durations() {
        let cases = [
            (0, "0 ms"),
            (850, "850 ms"),
            (1_000, "1 s"),
            (2_400, "2.4 s"),
            (42_000, "42 s"),
            (90_000, "1.5 min"),
            (12 * 60_000, "12 min"),
            (5 * 3_600_000, "5 h"),
            (86_400_000, "1 day"),
            (3 * 86_400_000, "3 days"),
        ];
        for (ms, text) in cases {
            assert_eq!(duration_ms(ms), text, "{ms}");
        }
    }

    #[test]
    fn skew() {
        assert_eq!(skew_ms(5 * 3_600_000), "5 h ahead");
        assert_eq!(skew_ms(-2_400), "2.4 s behind");
    }
}
