//! The plugin's aggregate functions, one per file, each with its signature,
//! accumulator(s), `Documentation` and tests side by side.

use std::sync::Arc;

use datafusion::logical_expr::AggregateUDF;

use crate::config::CodeAnatomyConfig;

/// Every aggregate UDF the plugin ships, in registry order.
pub fn aggregate_udfs(defaults: &CodeAnatomyConfig) -> Vec<Arc<AggregateUDF>> {
    let _ = defaults;
    vec![]
}
