//! `utf8_null_if_blank(value)`: NULL for a blank text, the text otherwise.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, BooleanArray, new_null_array};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::compute::nullif;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::whitespace::is_blank;
use crate::functions::string_args::{StringArg, StringColumn, coerce_string_args};

const NAME: &str = "utf8_null_if_blank";
const PARAMETERS: [&str; 1] = ["value"];

/// `utf8_null_if_blank(value)`, alias `null_if_blank`: NULL when `value` is
/// NULL, empty or only whitespace (Python's `str.isspace()`), else `value`
/// unchanged, in its own string type (`Utf8`, `LargeUtf8` or `Utf8View`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Utf8NullIfBlankFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for Utf8NullIfBlankFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl Utf8NullIfBlankFunc {
    /// The function with its `value` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["null_if_blank".to_owned()],
        }
    }
}

impl ScalarUDFImpl for Utf8NullIfBlankFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_string_args(NAME, &PARAMETERS, arg_types)
    }

    /// The value's own string type: the function only ever removes values.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [DataType::Null] => Ok(DataType::Utf8),
            [data_type] => Ok(data_type.clone()),
            other => exec_err!("{NAME} expects 1 argument (value), got {}", other.len()),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = take_function_args(NAME, &args.args)?;
        match value {
            ColumnarValue::Scalar(scalar) => null_if_blank_scalar(scalar),
            // Untyped NULLs (only from a direct call: planning types them)
            // come back as the Utf8 that `return_type` promises.
            ColumnarValue::Array(array) if array.data_type() == &DataType::Null => Ok(
                ColumnarValue::Array(new_null_array(&DataType::Utf8, array.len())),
            ),
            ColumnarValue::Array(array) => {
                let Some(column) = StringColumn::try_new(array.as_ref()) else {
                    return exec_err!(
                        "{NAME} expects a string for argument 'value', got {}",
                        array.data_type()
                    );
                };
                let rows = array.len();
                // Only the validity changes: `nullif` shares the value
                // buffers of the input, whatever its layout.
                let blank = BooleanBuffer::collect_bool(rows, |row| {
                    column.value(row).is_some_and(is_blank)
                });
                let result = nullif(array.as_ref(), &BooleanArray::new(blank, None))?;
                Ok(ColumnarValue::Array(Arc::new(result)))
            }
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn null_if_blank_scalar(scalar: &ScalarValue) -> Result<ColumnarValue> {
    let value = ColumnarValue::Scalar(scalar.clone());
    let text = StringArg::try_new(NAME, PARAMETERS[0], &value)?;
    if text.value(0).is_some_and(|text| !is_blank(text)) {
        return Ok(value);
    }
    // A NULL of the value's own type (an untyped NULL becomes Utf8, as
    // `return_type` promises).
    let data_type = match scalar.data_type() {
        DataType::Null => DataType::Utf8,
        data_type => data_type,
    };
    Ok(ColumnarValue::Scalar(ScalarValue::try_from(&data_type)?))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns NULL when the value is NULL, empty or only whitespace, else the value \
         unchanged, in its own string type (Utf8, LargeUtf8 or Utf8View). Whitespace is \
         what Python's str.isspace() accepts: Unicode White_Space plus U+001C..U+001F.",
        "utf8_null_if_blank(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT utf8_null_if_blank('  '), utf8_null_if_blank(' a ');
+------------------------------------+-------------------------------------+
| utf8_null_if_blank(Utf8("  "))     | utf8_null_if_blank(Utf8(" a "))     |
+------------------------------------+-------------------------------------+
| NULL                               |  a                                  |
+------------------------------------+-------------------------------------+
```"#,
    )
    .with_argument("value", "The text to test (a string).")
    .with_alternative_syntax("null_if_blank(value)")
    .with_related_udf("utf8_normalize")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{
        ArrayRef, AsArray, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
    };
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    const VALUES: [Option<&str>; 7] = [
        Some("a"),
        Some(""),
        None,
        Some(" \t\n"),
        Some("\u{3000}\u{A0}\u{1F}"),
        Some(" x "),
        Some("\u{200B}"),
    ];
    const EXPECTED: [Option<&str>; 7] = [
        Some("a"),
        None,
        None,
        None,
        None,
        Some(" x "),
        Some("\u{200B}"),
    ];

    fn run(array: ArrayRef) -> ArrayRef {
        let rows = array.len();
        invoke(
            &Utf8NullIfBlankFunc::new(),
            vec![ColumnarValue::Array(array)],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap()
    }

    #[test]
    fn keeps_each_string_layout() {
        let result = run(Arc::new(StringArray::from(VALUES.to_vec())));
        assert_eq!(
            result.as_string::<i32>().iter().collect::<Vec<_>>(),
            EXPECTED
        );
        let result = run(Arc::new(LargeStringArray::from(VALUES.to_vec())));
        assert_eq!(
            result.as_string::<i64>().iter().collect::<Vec<_>>(),
            EXPECTED
        );
        let result = run(Arc::new(StringViewArray::from(VALUES.to_vec())));
        assert_eq!(result.as_string_view().iter().collect::<Vec<_>>(), EXPECTED);
        let dictionary: DictionaryArray<Int32Type> = VALUES.into_iter().collect();
        let result = run(Arc::new(dictionary));
        let result = result.as_dictionary::<Int32Type>();
        let values = result.values().as_string::<i32>();
        let read: Vec<_> = (0..result.len())
            .map(|row| {
                result
                    .is_valid(row)
                    .then(|| values.value(result.keys().value(row) as usize))
            })
            .collect();
        assert_eq!(read, EXPECTED);
    }

    #[test]
    fn scalars_keep_their_type() {
        let udf = Utf8NullIfBlankFunc::new();
        for (input, expected) in [
            (
                ScalarValue::LargeUtf8(Some(" ".into())),
                ScalarValue::LargeUtf8(None),
            ),
            (
                ScalarValue::Utf8View(Some(" v ".into())),
                ScalarValue::Utf8View(Some(" v ".into())),
            ),
            (ScalarValue::Utf8(None), ScalarValue::Utf8(None)),
            (ScalarValue::Null, ScalarValue::Utf8(None)),
        ] {
            let result = invoke(&udf, vec![ColumnarValue::Scalar(input.clone())], 1).unwrap();
            match result {
                ColumnarValue::Scalar(scalar) => assert_eq!(scalar, expected, "{input:?}"),
                other => panic!("{input:?} gave {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn sql_alias_named_and_types() {
        assert_eq!(
            sql_value("SELECT null_if_blank(value => ' ')")
                .await
                .unwrap(),
            ScalarValue::Utf8(None)
        );
        assert_eq!(
            sql_value("SELECT utf8_null_if_blank(arrow_cast('v', 'Utf8View'))")
                .await
                .unwrap(),
            ScalarValue::Utf8View(Some("v".into()))
        );
        assert_eq!(
            sql_value("SELECT utf8_null_if_blank(42)").await.unwrap(),
            ScalarValue::Utf8(Some("42".into()))
        );
    }
}
