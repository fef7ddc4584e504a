//! Staleness: how long ago a site's last import was, against the budget
//! `FederationImport.StaleAfterHours`. A site never imported from is stale.
//! Pure: the caller passes the clock.

use serde::Serialize;

const HOUR_MS: i64 = 3_600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// The last import is within the budget.
    Fresh,
    /// The last import is older than the budget.
    Stale,
    /// Nothing was ever imported from the site.
    Never,
}

/// The verdict and the age of the last import in whole hours (rounded down).
pub fn freshness(
    last_sync_at: Option<&str>,
    now_ms: i64,
    budget_hours: u64,
) -> (Freshness, Option<i64>) {
    let Some(last) = last_sync_at.and_then(|t| t.parse::<jiff::Timestamp>().ok()) else {
        return (Freshness::Never, None);
    };
    let age_ms = now_ms.saturating_sub(last.as_millisecond());
    let budget_ms = i64::try_from(budget_hours)
        .unwrap_or(i64::MAX / HOUR_MS)
        .saturating_mul(HOUR_MS);
    let verdict = if age_ms > budget_ms {
        Freshness::Stale
    } else {
        Freshness::Fresh
    };
    (verdict, Some(age_ms.div_euclid(HOUR_MS)))
}

/// The warning `sites status` prints for a stale site, or `None`.
pub fn warning(
    site_id: &str,
    verdict: Freshness,
    age_hours: Option<i64>,
    budget_hours: u64,
) -> Option<String> {
    match verdict {
        Freshness::Fresh => None,
        Freshness::Never => Some(format!(
            "Warning: nothing was ever imported from site `{site_id}`: import a full bundle from it\n"
        )),
        Freshness::Stale => Some(format!(
            "Warning: the last import from site `{site_id}` was {} h ago, over the {budget_hours} h budget (FederationImport.StaleAfterHours): check that its bundles still arrive\n",
            age_hours.unwrap_or_default()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "2025-01-15T10:30:00.000Z";
    const T_MS: i64 = 1_736_937_000_000;

    #[test]
    fn budget_boundary_is_fresh_and_past_it_is_stale() {
        assert_eq!(
            freshness(Some(T), T_MS + 48 * HOUR_MS, 48),
            (Freshness::Fresh, Some(48))
        );
        assert_eq!(
            freshness(Some(T), T_MS + 48 * HOUR_MS + 1, 48),
            (Freshness::Stale, Some(48))
        );
        assert_eq!(freshness(None, T_MS, 48), (Freshness::Never, None));
    }

    #[test]
    fn warnings_say_what_to_do() {
        assert_eq!(warning("a", Freshness::Fresh, Some(1), 48), None);
        assert_eq!(
            warning("a", Freshness::Stale, Some(50), 48).unwrap(),
            "Warning: the last import from site `a` was 50 h ago, over the 48 h budget (FederationImport.StaleAfterHours): check that its bundles still arrive\n"
        );
    }
}
