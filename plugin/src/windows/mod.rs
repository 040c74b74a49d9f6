//! The plugin's window functions, one per file, each with its signature,
//! partition evaluator, `Documentation` and tests side by side.
//!
//! Every evaluator works on a whole partition at once (`evaluate_all`):
//! through the dylib that is one FFI call per partition instead of one per
//! row, at the price of `WindowAggExec` (which holds the partition) rather
//! than the bounded, streaming `BoundedWindowAggExec`.

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, WindowUDF};

use crate::config::CodeAnatomyConfig;

pub mod lag_window;
pub mod lead_window;
pub mod row_number_window;
pub(crate) mod shift;

/// The documentation section every window function is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy window functions",
    description: Some("Row numbering and row shifts over window partitions."),
};

/// Every window UDF the plugin ships, in registry order.
pub fn window_udfs(defaults: &CodeAnatomyConfig) -> Vec<Arc<WindowUDF>> {
    let _ = defaults;
    vec![
        row_number_window::row_number_window(),
        lag_window::lag_window(),
        lead_window::lead_window(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregates::doc_examples;

    #[test]
    fn every_window_function_is_documented_under_the_family_section() {
        for udwf in window_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::check_shape(
                udwf.name(),
                udwf.signature(),
                udwf.documentation(),
                "CodeAnatomy window functions",
            );
        }
    }

    #[tokio::test]
    async fn documentation_examples_hold() {
        for udwf in window_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::check(udwf.name(), udwf.documentation().unwrap()).await;
        }
    }

    #[test]
    fn no_name_shadows_a_builtin() {
        for udwf in window_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::assert_no_builtin(
                std::iter::once(udwf.name()).chain(udwf.aliases().iter().map(String::as_str)),
            );
        }
    }
}
