//! Delta Lake tables through the plugin: table functions and the
//! `STORED AS DELTATABLE` table provider factory.
//!
//! | SQL | module |
//! |---|---|
//! | `read_delta(uri [, version] [, timestamp])` | [`read_delta`] |
//! | `CREATE EXTERNAL TABLE ... STORED AS DELTATABLE` | [`factory`] |
//! | `INSERT INTO` / `INSERT OVERWRITE` | [`write`] |
//! | `delta_snapshot(uri [, version])` | [`delta_snapshot`] |
//! | `delta_add_actions(uri [, version])` | [`delta_add_actions`] |
//! | `read_delta_cdf(uri, starting_version, ...)` | [`read_delta_cdf`] |
//!
//! Reading: deltalake loads the log ([`cache`], one snapshot per version in
//! a bounded process-wide cache); the plugin keeps a columnar index of each
//! version's files ([`files`]), selects the files a query needs
//! ([`pruning`]) and scans them with DataFusion's own Parquet source
//! ([`scan`]), like a `ListingTable`, on the host's session. Writing goes
//! through deltalake's data sink and commit protocol.
//!
//! Cross-cutting: [`bridge`] (the plugin's tokio runtime for async work the
//! host drives), [`exec`] (the plan node a host receives), [`ffi_pushdown`]
//! (filter pushdown for table-function providers across datafusion-ffi),
//! [`protocol`] (the feature gate), [`error`] (secret-free messages).

use crate::table_functions::{TableFactoryEntry, TableFunctionEntry};

pub mod args;
pub mod bridge;
pub mod cache;
pub mod delta_add_actions;
pub mod delta_snapshot;
pub mod error;
pub mod exec;
pub mod factory;
pub mod ffi_pushdown;
pub mod files;
pub mod insert_exec;
pub mod location;
pub mod protocol;
pub mod provider;
pub mod pruning;
pub mod read_delta;
pub mod read_delta_cdf;
pub mod scan;
pub mod snapshot;
pub mod write;

/// The Delta table functions.
pub fn table_functions() -> Vec<TableFunctionEntry> {
    vec![
        read_delta::entry(),
        read_delta_cdf::entry(),
        delta_snapshot::entry(),
        delta_add_actions::entry(),
    ]
}

/// The Delta table provider factories.
pub fn table_provider_factories() -> Vec<TableFactoryEntry> {
    vec![factory::entry()]
}
