//! `position_encoding_norm(value)`: a position encoding name or code, as
//! the code 1 (UTF-8), 2 (UTF-16) or 3 (UTF-32).

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Int32Array;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::DOC_SECTION;
use super::encoding::PositionEncoding;
use crate::functions::int_args::{IntArg, is_int_type};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "position_encoding_norm";
const VALUE: &str = "value";

/// The code of anything that names no encoding: code points, the unit of
/// Python `str` indices, which is what CodeAnatomy's extractors emit when
/// they record no unit.
const DEFAULT: PositionEncoding = PositionEncoding::Utf32;

/// `position_encoding_norm(value)`: the code (`Int32`, never NULL) of the
/// position encoding `value` names, spelled as text or given as a code;
/// anything else, NULL included, gives 3 (UTF-32, code points).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PositionEncodingNormFunc {
    signature: Signature,
}

impl Default for PositionEncodingNormFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl PositionEncodingNormFunc {
    /// The function with its `value` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![VALUE])
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for PositionEncodingNormFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            // Integers stay integers: the code 2 must not become the text
            // "2" of some other width (it would still work, but a column of
            // codes would be formatted row by row for nothing).
            [value] if value.is_integer() => Ok(vec![DataType::Int64]),
            [value] => Ok(vec![coerce_string_type(NAME, VALUE, None, value)?]),
            other => plan_err!("{NAME} expects 1 argument ({VALUE}), got {}", other.len()),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        // Every input, NULL included, maps to a code.
        Ok(Arc::new(Field::new(NAME, DataType::Int32, false)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = take_function_args(NAME, &args.args)?;
        let rows = args.number_rows;
        if is_int_type(&value.data_type()) && value.data_type() != DataType::Null {
            let codes = IntArg::try_new(NAME, VALUE, value)?;
            let code = |row: usize| {
                codes
                    .value(row)
                    .and_then(PositionEncoding::from_code)
                    .unwrap_or(DEFAULT)
                    .code()
            };
            return Ok(match codes.as_scalar() {
                Some(_) => ColumnarValue::Scalar(ScalarValue::Int32(Some(code(0)))),
                None => ColumnarValue::Array(Arc::new(Int32Array::from_iter_values(
                    (0..rows).map(code),
                ))),
            });
        }
        let names = StringArg::try_new(NAME, VALUE, value)?;
        let code = |text: Option<&str>| {
            text.and_then(PositionEncoding::parse)
                .unwrap_or(DEFAULT)
                .code()
        };
        if let Some(text) = names.as_scalar() {
            return Ok(ColumnarValue::Scalar(ScalarValue::Int32(Some(code(text)))));
        }
        // A column of names holds few distinct values; keep the last parse.
        let mut last: Option<(&str, i32)> = None;
        let codes = (0..rows).map(|row| {
            let text = names.value(row);
            match (text, last) {
                (Some(text), Some((seen, seen_code))) if text == seen => seen_code,
                (Some(text), _) => {
                    let parsed = code(Some(text));
                    last = Some((text, parsed));
                    parsed
                }
                (None, _) => DEFAULT.code(),
            }
        });
        Ok(ColumnarValue::Array(Arc::new(
            Int32Array::from_iter_values(codes),
        )))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Normalises a position encoding to its code: 1 for UTF-8, 2 for UTF-16, 3 for UTF-32. \
         Text is matched ignoring case and may be spelled utf8, utf-8 or utf_8 (likewise 16 and \
         32), byte (UTF-8 code units, as the span functions call them) or the digits 1, 2, 3; \
         integer input 1, 2 or 3 is returned as is. Anything else (NULL, the empty string, an \
         unknown name, another number) gives 3, code points, the default. Never NULL.",
        "position_encoding_norm(value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT position_encoding_norm('UTF-16'), position_encoding_norm('utf_8'), position_encoding_norm(NULL);
+---+---+---+
| 2 | 1 | 3 |
+---+---+---+
```"#,
    )
    .with_argument(
        "value",
        "An encoding name (a string) or code (an integer).",
    )
    .with_related_udf("col_to_byte")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray, DictionaryArray, Int32Array, StringViewArray};
    use datafusion::arrow::datatypes::Int8Type;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    fn codes(value: ColumnarValue, rows: usize) -> Vec<i32> {
        let result = invoke(&PositionEncodingNormFunc::new(), vec![value], rows)
            .unwrap()
            .into_array(rows)
            .unwrap();
        assert_eq!(result.null_count(), 0);
        result
            .as_primitive::<datafusion::arrow::datatypes::Int32Type>()
            .values()
            .to_vec()
    }

    #[test]
    fn string_columns_of_any_layout() {
        let names = [
            Some("UTF-8"),
            Some("utf_16"),
            None,
            Some(""),
            Some("ucs2"),
            Some("Utf32"),
            Some("UTF-8"),
        ];
        let expected = vec![1, 2, 3, 3, 3, 3, 1];
        assert_eq!(
            codes(
                ColumnarValue::Array(Arc::new(StringViewArray::from(names.to_vec()))),
                7
            ),
            expected
        );
        let dictionary: DictionaryArray<Int8Type> = names.into_iter().collect();
        assert_eq!(
            codes(ColumnarValue::Array(Arc::new(dictionary)), 7),
            expected
        );
    }

    #[test]
    fn integer_codes() {
        let values = Int32Array::from(vec![Some(1), Some(2), Some(3), Some(0), None, Some(-2)]);
        assert_eq!(
            codes(ColumnarValue::Array(Arc::new(values)), 6),
            vec![1, 2, 3, 3, 3, 3]
        );
    }

    #[tokio::test]
    async fn sql_scalars() {
        for (sql, expected) in [
            ("SELECT position_encoding_norm('UTF-16')", 2),
            ("SELECT position_encoding_norm('utf8')", 1),
            ("SELECT position_encoding_norm('BYTE')", 1),
            ("SELECT position_encoding_norm(value => 'utf_32')", 3),
            ("SELECT position_encoding_norm(NULL)", 3),
            ("SELECT position_encoding_norm('')", 3),
            ("SELECT position_encoding_norm(2)", 2),
            ("SELECT position_encoding_norm(arrow_cast(1, 'Int32'))", 1),
            ("SELECT position_encoding_norm(7)", 3),
            ("SELECT position_encoding_norm('2')", 2),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Int32(Some(expected)),
                "{sql}"
            );
        }
        let err = sql_value("SELECT position_encoding_norm('a', 'b')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("position_encoding_norm expects 1 argument (value), got 2"),
            "{err}"
        );
    }
}
