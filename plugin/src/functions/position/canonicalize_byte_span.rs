//! `canonicalize_byte_span(...)`: a (line, column) range turned into a
//! file-level byte range `{bstart, bend}`.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{ArrayRef, Int64Array, StructArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use super::col_to_byte::{byte_offset, checked_col};
use super::encoding::UnitArg;
use crate::functions::int_args::{IntArg, coerce_int_type};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "canonicalize_byte_span";
const START_LINE_START_BYTE: &str = "start_line_start_byte";
const START_LINE_TEXT: &str = "start_line_text";
const START_COL: &str = "start_col";
const END_LINE_START_BYTE: &str = "end_line_start_byte";
const END_LINE_TEXT: &str = "end_line_text";
const END_COL: &str = "end_col";
const COL_UNIT: &str = "col_unit";
const PARAMETERS: [&str; 7] = [
    START_LINE_START_BYTE,
    START_LINE_TEXT,
    START_COL,
    END_LINE_START_BYTE,
    END_LINE_TEXT,
    END_COL,
    COL_UNIT,
];

/// `canonicalize_byte_span(start_line_start_byte, start_line_text,
/// start_col, end_line_start_byte, end_line_text, end_col, col_unit)`: the
/// struct `{bstart Int64, bend Int64}` of file-level byte offsets, each the
/// line's start byte plus `col_to_byte` of the column in that line.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CanonicalizeByteSpanFunc {
    signature: Signature,
}

impl Default for CanonicalizeByteSpanFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CanonicalizeByteSpanFunc {
    /// The function with its seven parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

/// The result type: a plain pair of offsets, not a full span (it carries no
/// line base or unit), so it is not tagged `semantic_type=Span`; the span
/// functions still read it, as a half-open range.
fn byte_span_fields() -> Fields {
    static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
        Fields::from(vec![
            Field::new("bstart", DataType::Int64, false),
            Field::new("bend", DataType::Int64, false),
        ])
    });
    FIELDS.clone()
}

impl ScalarUDFImpl for CanonicalizeByteSpanFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != PARAMETERS.len() {
            return plan_err!(
                "{NAME} expects 7 arguments ({}), got {}",
                PARAMETERS.join(", "),
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| match parameter {
                START_LINE_TEXT | END_LINE_TEXT | COL_UNIT => {
                    coerce_string_type(NAME, parameter, None, data_type)
                }
                _ => coerce_int_type(NAME, parameter, data_type),
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(byte_span_fields()))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [
            start_line_start,
            start_line,
            start_col,
            end_line_start,
            end_line,
            end_col,
            col_unit,
        ] = args.args.as_slice()
        else {
            return exec_err!("{NAME} expects 7 arguments, got {}", args.args.len());
        };
        let inputs = Inputs {
            start: Position {
                line_start: IntArg::try_new(NAME, START_LINE_START_BYTE, start_line_start)?,
                line: StringArg::try_new(NAME, START_LINE_TEXT, start_line)?,
                col: IntArg::try_new(NAME, START_COL, start_col)?,
                names: [START_LINE_START_BYTE, START_COL],
            },
            end: Position {
                line_start: IntArg::try_new(NAME, END_LINE_START_BYTE, end_line_start)?,
                line: StringArg::try_new(NAME, END_LINE_TEXT, end_line)?,
                col: IntArg::try_new(NAME, END_COL, end_col)?,
                names: [END_LINE_START_BYTE, END_COL],
            },
            unit: UnitArg::try_new(NAME, COL_UNIT, col_unit)?,
        };
        if inputs.all_scalar() {
            let spans = inputs.byte_spans(1)?;
            return Ok(ColumnarValue::Scalar(ScalarValue::Struct(Arc::new(spans))));
        }
        Ok(ColumnarValue::Array(Arc::new(
            inputs.byte_spans(args.number_rows)?,
        )))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// One end of the range: a line (its start byte and text) and a column.
struct Position<'a> {
    line_start: IntArg,
    line: StringArg<'a>,
    col: IntArg,
    /// Parameter names of the line start and the column, for errors.
    names: [&'static str; 2],
}

impl Position<'_> {
    fn is_scalar(&self) -> bool {
        self.line_start.as_scalar().is_some()
            && self.line.as_scalar().is_some()
            && self.col.as_scalar().is_some()
    }

    fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        let nulls = NullBuffer::union(
            self.line_start.nulls(rows).as_ref(),
            self.line.nulls(rows).as_ref(),
        );
        NullBuffer::union(nulls.as_ref(), self.col.nulls(rows).as_ref())
    }

    /// The file-level byte offset at `row`, `None` if an input is NULL.
    #[inline]
    fn offset(&self, row: usize, unit: &UnitArg<'_>) -> Result<Option<i64>> {
        let [line_start_name, col_name] = self.names;
        let (Some(line_start), Some(line), Some(col), Some(unit)) = (
            self.line_start.value(row),
            self.line.value(row),
            self.col.value(row),
            unit.value(NAME, COL_UNIT, row)?,
        ) else {
            return Ok(None);
        };
        if line_start < 0 {
            return exec_err!("{NAME}: {line_start_name} must not be negative, got {line_start}");
        }
        let in_line = byte_offset(line, checked_col(NAME, col_name, col)?, unit) as i64;
        match line_start.checked_add(in_line) {
            Some(offset) => Ok(Some(offset)),
            None => exec_err!(
                "{NAME}: {line_start_name} ({line_start}) plus the column's byte offset \
                 ({in_line}) overflows Int64"
            ),
        }
    }
}

struct Inputs<'a> {
    start: Position<'a>,
    end: Position<'a>,
    unit: UnitArg<'a>,
}

impl Inputs<'_> {
    fn all_scalar(&self) -> bool {
        self.start.is_scalar() && self.end.is_scalar() && self.unit.is_scalar()
    }

    fn byte_spans(&self, rows: usize) -> Result<StructArray> {
        let mut bstarts = Vec::with_capacity(rows);
        let mut bends = Vec::with_capacity(rows);
        for row in 0..rows {
            let (bstart, bend) = match (
                self.start.offset(row, &self.unit)?,
                self.end.offset(row, &self.unit)?,
            ) {
                (Some(bstart), Some(bend)) if bstart > bend => {
                    return exec_err!(
                        "{NAME}: the start position (byte {bstart}) lies after the end position \
                         (byte {bend})"
                    );
                }
                (Some(bstart), Some(bend)) => (bstart, bend),
                // Masked out by the validity below.
                _ => (0, 0),
            };
            bstarts.push(bstart);
            bends.push(bend);
        }
        let nulls = NullBuffer::union(
            self.start.nulls(rows).as_ref(),
            self.end.nulls(rows).as_ref(),
        );
        let nulls = NullBuffer::union(nulls.as_ref(), self.unit.nulls(rows).as_ref());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(bstarts)),
            Arc::new(Int64Array::from(bends)),
        ];
        Ok(StructArray::try_new(byte_span_fields(), columns, nulls)?)
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Turns a range given as (line, column) positions into file-level byte offsets: returns \
         `{bstart, bend}` with `bstart = start_line_start_byte + col_to_byte(start_line_text, \
         start_col, col_unit)` and `bend = end_line_start_byte + col_to_byte(end_line_text, \
         end_col, col_unit)`. Columns clamp and round exactly as in `col_to_byte`. Any NULL \
         gives NULL; a negative line start or column, an unknown unit, and a start that lies \
         after the end are errors. The result can be passed to the span functions (read as a \
         half-open range) or unpacked into `span_make`.",
        "canonicalize_byte_span(start_line_start_byte, start_line_text, start_col, \
         end_line_start_byte, end_line_text, end_col, col_unit)",
    )
    .with_sql_example(
        r#"```sql
> SELECT canonicalize_byte_span(0, 'x = "😀"', 5, 10, 'y', 1, 'UTF16');
+----------------------+
| {bstart: 5, bend: 11} |
+----------------------+
```"#,
    )
    .with_argument(
        "start_line_start_byte",
        "Byte offset in the file where the start line begins (an integer).",
    )
    .with_argument("start_line_text", "Text of the start line (a string).")
    .with_argument(
        "start_col",
        "Start column in that line, in `col_unit`s (an integer).",
    )
    .with_argument(
        "end_line_start_byte",
        "Byte offset in the file where the end line begins (an integer).",
    )
    .with_argument("end_line_text", "Text of the end line (a string).")
    .with_argument(
        "end_col",
        "End column in that line, in `col_unit`s (an integer).",
    )
    .with_argument(
        "col_unit",
        "What the columns count: BYTE, UTF8, UTF16 or UTF32 (see `col_to_byte`).",
    )
    .with_related_udf("col_to_byte")
    .with_related_udf("span_make")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray, StringArray};
    use datafusion::arrow::datatypes::Int64Type;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    fn offsets(spans: &StructArray) -> Vec<Option<(i64, i64)>> {
        (0..spans.len())
            .map(|row| {
                spans.is_valid(row).then(|| {
                    (
                        spans.column(0).as_primitive::<Int64Type>().value(row),
                        spans.column(1).as_primitive::<Int64Type>().value(row),
                    )
                })
            })
            .collect()
    }

    fn int(value: i64) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Int64(Some(value)))
    }

    fn text(value: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(value.to_owned())))
    }

    // Hand-checked: "x = \"😀\"" has 😀 at byte 5 (UTF-16 column 5, code
    // point column 5) and the closing quote at byte 9 (UTF-16 column 7,
    // code point column 6).
    #[test]
    fn columns_of_lines_and_units() {
        let lines = StringArray::from(vec![Some("x = \"😀\""), Some("x = \"😀\""), None]);
        let units = StringArray::from(vec![Some("UTF16"), Some("utf32"), Some("utf8")]);
        let spans = invoke(
            &CanonicalizeByteSpanFunc::new(),
            vec![
                int(100),
                ColumnarValue::Array(Arc::new(lines.clone())),
                int(5),
                int(100),
                ColumnarValue::Array(Arc::new(lines)),
                ColumnarValue::Array(Arc::new(datafusion::arrow::array::Int64Array::from(vec![
                    7, 6, 1,
                ]))),
                ColumnarValue::Array(Arc::new(units)),
            ],
            3,
        )
        .unwrap()
        .into_array(3)
        .unwrap();
        assert_eq!(
            offsets(spans.as_struct()),
            vec![Some((105, 109)), Some((105, 109)), None]
        );
    }

    #[test]
    fn all_scalars_give_a_scalar() {
        let result = invoke(
            &CanonicalizeByteSpanFunc::new(),
            vec![
                int(0),
                text("ab"),
                int(1),
                int(3),
                text("漢字"),
                int(1),
                text("UTF-32"),
            ],
            1,
        )
        .unwrap();
        let ColumnarValue::Scalar(ScalarValue::Struct(spans)) = result else {
            panic!("expected a struct scalar, got {result:?}");
        };
        assert_eq!(offsets(&spans), vec![Some((1, 6))]);
    }

    #[tokio::test]
    async fn sql_named_nulls_and_errors() {
        let value = sql_value(
            "SELECT canonicalize_byte_span(start_line_start_byte => 0, start_line_text => 'ab', \
             start_col => 1, end_line_start_byte => 3, end_line_text => '漢字', end_col => 1, \
             col_unit => 'utf32')",
        )
        .await
        .unwrap();
        let ScalarValue::Struct(spans) = value else {
            panic!("expected a struct, got {value:?}");
        };
        assert_eq!(offsets(&spans), vec![Some((1, 6))]);
        let value = sql_value("SELECT canonicalize_byte_span(0, 'ab', 1, 3, NULL, 1, 'utf8')")
            .await
            .unwrap();
        assert!(value.is_null(), "{value:?}");
        for (sql, message) in [
            (
                "SELECT canonicalize_byte_span(10, 'ab', 1, 0, 'ab', 1, 'utf8')",
                "canonicalize_byte_span: the start position (byte 11) lies after the end position (byte 1)",
            ),
            (
                "SELECT canonicalize_byte_span(-1, 'ab', 1, 0, 'ab', 1, 'utf8')",
                "canonicalize_byte_span: start_line_start_byte must not be negative, got -1",
            ),
            (
                "SELECT canonicalize_byte_span(0, 'ab', 1, 0, 'ab', -2, 'utf8')",
                "canonicalize_byte_span: end_col must not be negative, got -2",
            ),
            (
                "SELECT canonicalize_byte_span(0, 'ab', 1, 0, 'ab', 2, 'utf7')",
                "canonicalize_byte_span: unknown col_unit 'utf7'",
            ),
            (
                "SELECT canonicalize_byte_span(0, 'ab', 1, 0, 'ab', 2)",
                "canonicalize_byte_span expects 7 arguments",
            ),
        ] {
            let err = sql_value(sql).await.unwrap_err();
            assert!(err.to_string().contains(message), "{sql}: {err}");
        }
    }
}
