//! Spans: byte ranges of a file, as a struct carrying the conventions they
//! were derived with, and the functions that build, measure, compare and
//! identify them.
//!
//! Every function that compares offsets works on half-open ranges: a span
//! whose `end_exclusive` is false is read as `[bstart, bend + 1)` first, so
//! inclusive and exclusive spans compare correctly with each other.

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

use crate::config::CodeAnatomyConfig;

mod pairwise;
pub mod span_type;

pub mod interval_align_score;
pub mod span_contains;
pub mod span_id;
pub mod span_len;
pub mod span_make;
pub mod span_overlaps;

pub use interval_align_score::IntervalAlignScoreFunc;
pub use span_contains::SpanContainsFunc;
pub use span_id::SpanIdFunc;
pub use span_len::SpanLenFunc;
pub use span_make::SpanMakeFunc;
pub use span_overlaps::SpanOverlapsFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy spans",
    description: Some(
        "Byte spans of source files: building them, measuring them, comparing them and \
         giving them stable ids.",
    ),
};

/// Every function of the span family; `defaults` are the install-time
/// defaults of `span_make`'s configurable arguments.
pub fn functions(defaults: &CodeAnatomyConfig) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(SpanMakeFunc::new(defaults))),
        Arc::new(ScalarUDF::new_from_impl(SpanLenFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(SpanOverlapsFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(SpanContainsFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(SpanIdFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(IntervalAlignScoreFunc::new())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions(&CodeAnatomyConfig::default()) {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(doc.doc_section.label, "CodeAnatomy spans", "{}", udf.name());
            assert!(doc.syntax_example.starts_with(udf.name()), "{}", udf.name());
            let arguments = doc.arguments.as_ref().map_or(0, Vec::len);
            let parameters = udf.signature().parameter_names.as_ref().map_or(0, Vec::len);
            assert_eq!(
                arguments,
                parameters,
                "{} documents every parameter",
                udf.name()
            );
        }
    }
}
