//! `col_to_byte(line_text, col, col_unit)`: the byte offset of a column in
//! a line.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::encoding::{PositionEncoding, UnitArg};
use crate::functions::int_args::{IntArg, coerce_int_type};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "col_to_byte";
const LINE_TEXT: &str = "line_text";
const COL: &str = "col";
const COL_UNIT: &str = "col_unit";
const PARAMETERS: [&str; 3] = [LINE_TEXT, COL, COL_UNIT];

/// `col_to_byte(line_text, col, col_unit)`: the byte offset (`Int64`) of
/// column `col` of `line_text`, the column counted in `col_unit`
/// (see [`byte_offset`] for clamping and rounding).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ColToByteFunc {
    signature: Signature,
}

impl Default for ColToByteFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ColToByteFunc {
    /// The function with its three parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for ColToByteFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [line_text, col, col_unit] => Ok(vec![
                coerce_string_type(NAME, LINE_TEXT, None, line_text)?,
                coerce_int_type(NAME, COL, col)?,
                coerce_string_type(NAME, COL_UNIT, None, col_unit)?,
            ]),
            other => plan_err!(
                "{NAME} expects 3 arguments ({}), got {}",
                PARAMETERS.join(", "),
                other.len()
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [line_text, col, col_unit] = take_function_args(NAME, &args.args)?;
        let lines = StringArg::try_new(NAME, LINE_TEXT, line_text)?;
        let cols = IntArg::try_new(NAME, COL, col)?;
        let units = UnitArg::try_new(NAME, COL_UNIT, col_unit)?;
        let offset_at = |row: usize| -> Result<Option<i64>> {
            let (Some(line), Some(col), Some(unit)) = (
                lines.value(row),
                cols.value(row),
                units.value(NAME, COL_UNIT, row)?,
            ) else {
                return Ok(None);
            };
            Ok(Some(
                byte_offset(line, checked_col(NAME, COL, col)?, unit) as i64
            ))
        };
        if lines.as_scalar().is_some() && cols.as_scalar().is_some() && units.is_scalar() {
            return Ok(ColumnarValue::Scalar(ScalarValue::Int64(offset_at(0)?)));
        }
        let rows = args.number_rows;
        let offsets = (0..rows)
            .map(|row| Ok(offset_at(row)?.unwrap_or(0)))
            .collect::<Result<Vec<i64>>>()?;
        let nulls = [lines.nulls(rows), cols.nulls(rows), units.nulls(rows)]
            .iter()
            .fold(None, |acc: Option<NullBuffer>, nulls| {
                NullBuffer::union(acc.as_ref(), nulls.as_ref())
            });
        Ok(ColumnarValue::Array(Arc::new(Int64Array::new(
            offsets.into(),
            nulls,
        ))))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// A column as an index, or an execution error for a negative one.
pub(crate) fn checked_col(function: &str, parameter: &str, col: i64) -> Result<usize> {
    match usize::try_from(col) {
        Ok(col) => Ok(col),
        Err(_) => exec_err!("{function}: {parameter} must not be negative, got {col}"),
    }
}

/// The byte offset of column `col` of `line`, `col` counting `unit`s.
///
/// A column past the end of the line clamps to the line's byte length; a
/// column that falls inside a character (the middle of a UTF-8 sequence,
/// the second half of a surrogate pair) rounds down to that character's
/// first byte, so the result is always a character boundary.
pub(crate) fn byte_offset(line: &str, col: usize, unit: PositionEncoding) -> usize {
    let bytes = line.as_bytes();
    let head = col.min(bytes.len());
    // Over ASCII every unit is one byte: most source lines never decode.
    if bytes[..head].is_ascii() {
        return head;
    }
    match unit {
        PositionEncoding::Utf8 => line.floor_char_boundary(head),
        PositionEncoding::Utf16 => offset_by_units(line, col, char::len_utf16),
        PositionEncoding::Utf32 => offset_by_units(line, col, |_| 1),
    }
}

/// Walks the characters after the line's ASCII prefix, counting `width`
/// units each, to the character in which unit `col` starts or falls.
#[inline]
fn offset_by_units(line: &str, col: usize, width: impl Fn(char) -> usize) -> usize {
    let ascii = line
        .as_bytes()
        .iter()
        .position(|byte| !byte.is_ascii())
        .unwrap_or(line.len());
    let mut units = ascii;
    for (offset, ch) in line[ascii..].char_indices() {
        let next = units + width(ch);
        if next > col {
            return ascii + offset;
        }
        units = next;
    }
    line.len()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the byte offset of column `col` in `line_text`. The column counts `col_unit`s, \
         the Language Server Protocol position encodings: BYTE or UTF8 count UTF-8 code units \
         (bytes, like Python's `ast` col_offset), UTF16 counts UTF-16 code units (the LSP \
         default), UTF32 counts code points (Python `str` indices). Unit names are \
         case-insensitive and may also be spelled utf-8/utf_8 (likewise 16 and 32) or 1, 2, 3. \
         A column past the end of the line gives the line's byte length; a column inside a \
         character (half a surrogate pair, the middle of a UTF-8 sequence) gives that \
         character's first byte. Any NULL gives NULL; a negative column or an unknown unit is \
         an error.",
        "col_to_byte(line_text, col, col_unit)",
    )
    .with_sql_example(
        r#"```sql
> SELECT col_to_byte('a😀b', 3, 'UTF16'), col_to_byte('a😀b', 2, 'UTF32'), col_to_byte('a😀b', 2, 'UTF16');
+---+---+---+
| 5 | 5 | 1 |
+---+---+---+
```"#,
    )
    .with_argument("line_text", "The text of the line (a string, without its line break).")
    .with_argument("col", "The column, counted in `col_unit`s from 0 (an integer).")
    .with_argument("col_unit", "What `col` counts: BYTE, UTF8, UTF16 or UTF32.")
    .with_related_udf("canonicalize_byte_span")
    .with_related_udf("position_encoding_norm")
    .build()
});

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::{Utf8, Utf16, Utf32};

    // Hand-checked against Python: len(s[:n].encode('utf-8')) for code
    // points, and the UTF-16 code units of 'utf-16-le' // 2.
    #[test]
    fn counts_each_unit() {
        let line = "a😀é漢b"; // bytes: 1 + 4 + 2 + 3 + 1
        assert_eq!(byte_offset(line, 2, Utf32), 5);
        assert_eq!(byte_offset(line, 3, Utf16), 5);
        assert_eq!(byte_offset(line, 4, Utf16), 7);
        assert_eq!(byte_offset(line, 5, Utf16), 10);
        assert_eq!(byte_offset(line, 5, Utf8), 5);
        assert_eq!(byte_offset(line, 4, Utf32), 10);
    }

    #[test]
    fn rounds_down_inside_a_character_and_clamps_past_the_end() {
        let line = "a😀b";
        assert_eq!(byte_offset(line, 2, Utf16), 1, "half a surrogate pair");
        assert_eq!(byte_offset(line, 3, Utf8), 1, "middle of a UTF-8 sequence");
        assert_eq!(byte_offset(line, 99, Utf16), 6);
        assert_eq!(byte_offset(line, 99, Utf8), 6);
        assert_eq!(byte_offset("", 3, Utf32), 0);
        assert_eq!(byte_offset("abc", 2, Utf16), 2);
        assert_eq!(byte_offset("abc", 7, Utf32), 3);
    }

    #[test]
    fn combining_marks_are_their_own_code_points() {
        let line = "e\u{301}x"; // e + COMBINING ACUTE (2 bytes) + x
        assert_eq!(byte_offset(line, 2, Utf32), 3);
        assert_eq!(byte_offset(line, 2, Utf16), 3);
    }

    #[test]
    fn array_path_with_a_unit_column_and_nulls() {
        use std::sync::Arc;

        use datafusion::arrow::array::{AsArray, Int64Array, LargeStringArray, StringArray};
        use datafusion::arrow::datatypes::Int64Type;

        use crate::functions::test_support::invoke;

        let lines = LargeStringArray::from(vec![
            Some("a😀b"),
            Some("a😀b"),
            None,
            Some("a😀b"),
            Some("abc"),
        ]);
        let cols = Int64Array::from(vec![Some(3), Some(3), Some(1), None, Some(2)]);
        let units = StringArray::from(vec![
            Some("utf16"),
            Some("UTF32"),
            Some("utf8"),
            Some("utf8"),
            None,
        ]);
        let offsets = invoke(
            &ColToByteFunc::new(),
            vec![
                ColumnarValue::Array(Arc::new(lines)),
                ColumnarValue::Array(Arc::new(cols)),
                ColumnarValue::Array(Arc::new(units)),
            ],
            5,
        )
        .unwrap()
        .into_array(5)
        .unwrap();
        let offsets: Vec<_> = offsets.as_primitive::<Int64Type>().iter().collect();
        assert_eq!(offsets, vec![Some(5), Some(6), None, None, None]);

        let err = invoke(
            &ColToByteFunc::new(),
            vec![
                ColumnarValue::Array(Arc::new(StringArray::from(vec!["x", "y"]))),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(0))),
                ColumnarValue::Array(Arc::new(StringArray::from(vec!["utf8", "furlong"]))),
            ],
            2,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("col_to_byte: unknown col_unit 'furlong'; expected BYTE"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_scalars_named_and_errors() {
        use crate::functions::test_support::sql_value;

        for (sql, expected) in [
            ("SELECT col_to_byte('a😀b', 3, 'UTF16')", Some(5)),
            (
                "SELECT col_to_byte(line_text => 'a😀b', col => 2, col_unit => 'utf-32')",
                Some(5),
            ),
            (
                "SELECT col_to_byte(arrow_cast('漢字', 'Utf8View'), arrow_cast(1, 'Int32'), 'utf_16')",
                Some(3),
            ),
            ("SELECT col_to_byte('漢字', 1, 2)", Some(3)),
            ("SELECT col_to_byte(NULL, 1, 'utf8')", None),
            ("SELECT col_to_byte('abc', NULL, 'utf8')", None),
            ("SELECT col_to_byte('abc', 1, NULL)", None),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Int64(expected),
                "{sql}"
            );
        }
        for (sql, message) in [
            (
                "SELECT col_to_byte('abc', -1, 'utf8')",
                "col_to_byte: col must not be negative, got -1",
            ),
            (
                "SELECT col_to_byte('abc', 1, 'utf7')",
                "col_to_byte: unknown col_unit 'utf7'",
            ),
            (
                "SELECT col_to_byte('abc', 1.5, 'utf8')",
                "col_to_byte expects an integer for argument 'col'",
            ),
            (
                "SELECT col_to_byte('abc', 1)",
                "col_to_byte expects 3 arguments (line_text, col, col_unit), got 2",
            ),
        ] {
            let err = sql_value(sql).await.unwrap_err();
            assert!(err.to_string().contains(message), "{sql}: {err}");
        }
    }

    #[test]
    fn negative_columns_are_errors() {
        let err = checked_col(NAME, COL, -1).unwrap_err();
        assert!(
            err.to_string()
                .contains("col_to_byte: col must not be negative, got -1"),
            "{err}"
        );
    }
}
