//! Functions over nested values: maps, lists and structs.
//!
//! Each function has its own name and exact NULL semantics, documented on
//! its struct; none shadows a DataFusion built-in (DataFusion 55 already
//! ships `array_compact` with the alias `list_compact`, so the NULL-dropping
//! function here is `list_drop_nulls`).

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::{ColumnarValue, DocSection, ScalarUDF};

use crate::config::CodeAnatomyConfig;

mod lists;

pub mod list_drop_nulls;
pub mod list_unique_sorted;
pub mod map_get_default;
pub mod map_normalize;
pub mod struct_pick;

pub use list_drop_nulls::ListDropNullsFunc;
pub use list_unique_sorted::ListUniqueSortedFunc;
pub use map_get_default::MapGetDefaultFunc;
pub use map_normalize::MapNormalizeFunc;
pub use struct_pick::StructPickFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy nested values",
    description: Some(
        "Lookups and normal forms for maps, lists and structs, with exact NULL semantics.",
    ),
};

/// Every function of the nested-values family; `defaults` are the
/// install-time defaults of the configurable ones (`map_normalize`).
pub fn functions(defaults: &CodeAnatomyConfig) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(MapGetDefaultFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(MapNormalizeFunc::new(defaults))),
        Arc::new(ScalarUDF::new_from_impl(ListDropNullsFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(ListUniqueSortedFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(StructPickFunc::new())),
    ]
}

/// Checks the argument count before any type is looked at, so a wrong call
/// names the whole parameter list; the last `parameters.len() - required`
/// parameters are optional.
pub(crate) fn check_arity(
    function: &str,
    parameters: &[&str],
    required: usize,
    arg_types: &[DataType],
) -> Result<()> {
    let count = arg_types.len();
    if (required..=parameters.len()).contains(&count) {
        return Ok(());
    }
    let expected = if required == parameters.len() {
        required.to_string()
    } else {
        format!("{required} to {}", parameters.len())
    };
    let plural = if parameters.len() == 1 { "" } else { "s" };
    plan_err!(
        "{function} expects {expected} argument{plural} ({}), got {count}",
        parameters.join(", ")
    )
}

/// Runs `kernel` over `args` as arrays of one common length.
///
/// Through the FFI every argument already arrives as an array. In-process a
/// call whose arguments are all scalars (constant folding) gets a scalar
/// back, as DataFusion's own functions do, instead of a one-row array that
/// the planner would have to unwrap.
pub(crate) fn invoke_on_arrays(
    args: &[ColumnarValue],
    kernel: impl FnOnce(&[ArrayRef]) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let all_scalars = args
        .iter()
        .all(|arg| matches!(arg, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let result = kernel(&arrays)?;
    if all_scalars {
        ScalarValue::try_from_array(&result, 0).map(ColumnarValue::Scalar)
    } else {
        Ok(ColumnarValue::Array(result))
    }
}

/// `array` cast to `target` by the kernel, with DataFusion's `CAST`
/// semantics (a value that does not convert is an error, not a NULL).
///
/// Functions that cast an argument to a type taken from another argument
/// (a map's key or value type) keep the argument's own type at planning and
/// cast here. Through the host the plugin's signature carries listing-only
/// `Exact` variants, and DataFusion then re-checks a user-defined coercion
/// against its implicit rules, which refuse narrowing (`Int64` into an
/// `Int16` value) and text into dates; the in-process and through-the-dylib
/// plans only agree when no planned cast is needed.
pub(crate) fn cast_in_kernel(array: &ArrayRef, target: &DataType) -> Result<ArrayRef> {
    if array.data_type() == target {
        return Ok(Arc::clone(array));
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    Ok(cast_with_options(array, target, &options)?)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::StringArray;

    use super::*;
    use crate::functions::test_support::session;

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions(&CodeAnatomyConfig::default()) {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy nested values",
                "{}",
                udf.name()
            );
            assert!(doc.syntax_example.starts_with(udf.name()), "{}", udf.name());
        }
    }

    /// A plugin name that a default session already knows would silently
    /// replace DataFusion's function for every caller of the session.
    #[test]
    fn no_name_or_alias_shadows_a_datafusion_built_in() {
        let built_in = datafusion::prelude::SessionContext::new();
        let state = built_in.state();
        // Aliases are keys too: DataFusion 55's `array_compact` answers to
        // `list_compact`, the name first planned for `list_drop_nulls`.
        assert!(state.scalar_functions().contains_key("list_compact"));
        for udf in functions(&CodeAnatomyConfig::default()) {
            for name in std::iter::once(udf.name()).chain(udf.aliases().iter().map(String::as_str))
            {
                assert!(
                    !state.scalar_functions().contains_key(name),
                    "{name} is a DataFusion built-in"
                );
            }
        }
        // The session helper registers the family next to the built-ins.
        assert!(
            session()
                .state()
                .scalar_functions()
                .contains_key("struct_select")
        );
    }

    #[test]
    fn kernel_casts_fail_like_sql_cast() {
        let text: ArrayRef = Arc::new(StringArray::from(vec!["12", "x"]));
        let err = cast_in_kernel(&text, &DataType::Int64).unwrap_err();
        assert!(
            err.to_string()
                .contains("Cannot cast string 'x' to value of Int64 type"),
            "{err}"
        );
        assert!(Arc::ptr_eq(
            &cast_in_kernel(&text, &DataType::Utf8).unwrap(),
            &text
        ));
    }

    #[test]
    fn arity_errors_name_every_parameter() {
        let err = check_arity("f", &["map", "key_case", "sort_keys"], 1, &[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects 1 to 3 arguments (map, key_case, sort_keys), got 0"),
            "{err}"
        );
        let err = check_arity("g", &["list"], 1, &[DataType::Null, DataType::Null]).unwrap_err();
        assert!(
            err.to_string()
                .contains("g expects 1 argument (list), got 2"),
            "{err}"
        );
        assert!(check_arity("f", &["a", "b"], 1, &[DataType::Null]).is_ok());
    }
}
