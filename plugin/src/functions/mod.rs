//! The plugin's scalar functions, one family per module and one function per
//! file (`<family>/<sql_name>.rs`), each with its signature, kernel,
//! `Documentation` and unit tests side by side.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

pub mod hash;
pub mod string_args;

#[cfg(test)]
mod test_support;

/// Every scalar UDF the plugin ships, in registry order.
pub fn scalar_udfs() -> Vec<Arc<ScalarUDF>> {
    hash::functions()
}
