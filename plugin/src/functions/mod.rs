//! The plugin's scalar functions, one family per module and one function per
//! file (`<family>/<sql_name>.rs`), each with its signature, kernel,
//! `Documentation` and unit tests side by side.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

use crate::config::CodeAnatomyConfig;

pub mod hash;
pub mod string_args;

#[cfg(test)]
mod test_support;

/// Every scalar UDF the plugin ships, in registry order. `defaults` are the
/// install-time configuration (a session's `SET codeanatomy_udf.*` values
/// override them per call, see [`crate::config::resolve`]).
pub fn scalar_udfs(defaults: &CodeAnatomyConfig) -> Vec<Arc<ScalarUDF>> {
    let _ = defaults;
    hash::functions()
}
