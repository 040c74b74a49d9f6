//! The plugin's table functions (besides the Delta Lake ones in
//! [`crate::delta`]): each a [`TableFunctionImpl`] with its SQL name,
//! parameter names and description for the registry snapshot.

use std::sync::Arc;

use datafusion::catalog::{TableFunctionImpl, TableProviderFactory};

pub mod codeanatomy_functions;

/// A table function as the registry lists it.
#[derive(Debug, Clone)]
pub struct TableFunctionEntry {
    /// SQL name.
    pub name: &'static str,
    /// Parameter names, in positional order (named arguments are resolved
    /// against them by the host).
    pub parameters: &'static [&'static str],
    /// What the function returns.
    pub description: &'static str,
    /// e.g. `read_delta(uri [, version => N])`.
    pub syntax_example: &'static str,
    /// The implementation.
    pub function: Arc<dyn TableFunctionImpl>,
}

/// A table provider factory as the registry lists it.
#[derive(Debug, Clone)]
pub struct TableFactoryEntry {
    /// The `STORED AS` format it serves, upper case (e.g. `DELTATABLE`).
    pub format: &'static str,
    /// What it creates.
    pub description: &'static str,
    /// The implementation.
    pub factory: Arc<dyn TableProviderFactory + Send>,
}

/// Every table function of this module.
pub fn table_functions() -> Vec<TableFunctionEntry> {
    vec![codeanatomy_functions::entry()]
}
