//! The plugin's scalar functions, one family per module and one function per
//! file (`<family>/<sql_name>.rs`), each with its signature, kernel,
//! `Documentation` and unit tests side by side.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

use crate::config::CodeAnatomyConfig;

pub mod cdf;
pub mod hash;
pub mod int_args;
pub mod nested;
pub mod position;
pub mod span;
pub mod string_args;
pub mod text;

#[cfg(test)]
mod test_support;

/// Every scalar UDF the plugin ships, in registry order. `defaults` are the
/// install-time configuration (a session's `SET codeanatomy_udf.*` values
/// override them per call, see [`crate::config::resolve`]).
pub fn scalar_udfs(defaults: &CodeAnatomyConfig) -> Vec<Arc<ScalarUDF>> {
    let mut udfs = hash::functions();
    udfs.extend(span::functions(defaults));
    udfs.extend(position::functions());
    udfs.extend(nested::functions(defaults));
    udfs.extend(text::functions(defaults));
    udfs.extend(cdf::functions());
    udfs
}
