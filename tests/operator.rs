//! The operator at 3 a.m. (issue #27): counters that add up so alerts
//! fire, an audit chain that stays broken until someone accepts the break,
//! key rotation that never breaks cron, removing peers and retrying
//! quarantined bundles, and hints that name commands that exist.

mod audit;
mod hints;
mod housekeeping;
mod keys;
mod metrics;
