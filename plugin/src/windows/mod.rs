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
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::aggregates::doc_examples;

    #[test]
    fn every_window_function_is_documented_under_the_family_section() {
        for udwf in window_udfs(&CodeAnatomyConfig::default()) {
            let Some(doc) = udwf.documentation() else {
                panic!("{} has no documentation", udwf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy window functions",
                "{}",
                udwf.name()
            );
            assert!(
                doc.syntax_example.starts_with(udwf.name()),
                "{}",
                udwf.name()
            );
            let parameters = udwf.signature().parameter_names.clone().unwrap_or_default();
            let arguments: Vec<String> = doc
                .arguments
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            assert_eq!(arguments, parameters, "{}", udwf.name());
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
        let state = SessionContext::new().state();
        for udwf in window_udfs(&CodeAnatomyConfig::default()) {
            for name in
                std::iter::once(udwf.name()).chain(udwf.aliases().iter().map(String::as_str))
            {
                assert!(
                    !state.aggregate_functions().contains_key(name)
                        && !state.window_functions().contains_key(name)
                        && !state.scalar_functions().contains_key(name),
                    "{name} is a DataFusion built-in"
                );
            }
        }
    }
}
