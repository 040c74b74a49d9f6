//! Positions: converting (line, column) positions counted in a position
//! encoding into byte offsets, and normalising the encoding's name.
//!
//! The encodings are the Language Server Protocol's: a column counts UTF-8
//! code units (bytes), UTF-16 code units or UTF-32 code units (code points),
//! depending on who produced it (Python's `ast`, an LSP server, Python `str`
//! indices).

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

pub mod encoding;

pub mod canonicalize_byte_span;
pub mod col_to_byte;
pub mod position_encoding_norm;

pub use canonicalize_byte_span::CanonicalizeByteSpanFunc;
pub use col_to_byte::ColToByteFunc;
pub use position_encoding_norm::PositionEncodingNormFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy positions",
    description: Some(
        "Line/column positions in UTF-8, UTF-16 or UTF-32 units (the LSP position \
         encodings), converted to byte offsets.",
    ),
};

/// Every function of the position family.
pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(ColToByteFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(CanonicalizeByteSpanFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(PositionEncodingNormFunc::new())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions() {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy positions",
                "{}",
                udf.name()
            );
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
