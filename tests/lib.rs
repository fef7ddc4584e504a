//! Integration tests: the real `stella` binary in temporary homes.

#[macro_use]
mod backend;
mod harness;

mod allowed_sources;
mod architecture;
mod boundaries;
mod bulk_load;
mod bundle_export;
mod bundle_import;
mod conflicts;
mod convergence;
mod crash;
mod docs;
mod doctor;
mod document;
mod document_output;
mod export_osv;
mod faults;
mod federation;
mod filtered_everything;
mod gen_data;
mod growth;
mod home_config;
mod hostile;
mod ingest;
mod ingest_ecosystems;
mod ingest_layouts;
mod ingest_scratch;
mod ingest_sources;
mod ingest_totals;
mod keys;
mod legacy_rows;
mod limits;
mod manuals;
mod migrations_23;
mod monitoring;
mod operator;
mod pg_site;
mod pipes;
mod progress;
mod readme;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "serve")]
mod serve_auth;
#[cfg(feature = "serve")]
mod serve_hostile;
#[cfg(feature = "serve")]
mod serve_tls;
mod sites;
mod sites_remove;
mod store_refused;
#[cfg(feature = "serve")]
mod sync;
mod tamper;
mod terminal;
mod trail;
mod trust;
mod vocab;
