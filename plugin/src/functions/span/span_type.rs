//! The span type: `Struct{bstart Int64, bend Int64, line_base Int32,
//! col_unit Utf8, end_exclusive Boolean}`, how it is built and how a span
//! argument is read.
//!
//! Offsets are file-level byte offsets. `line_base` and `col_unit` record the
//! convention of the line/column positions the span was derived from, so a
//! consumer can map it back; `end_exclusive` says whether `bend` is the first
//! byte after the span (half-open, the default) or its last byte.
//!
//! Readers accept any struct with integer `bstart` and `bend` fields (for
//! instance what `canonicalize_byte_span` returns); a missing
//! `end_exclusive` field means half-open, the convention of every offset
//! pair this plugin produces.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, StringArray, StructArray,
};
use datafusion::arrow::buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::ColumnarValue;

use crate::functions::int_args::is_int_type;

/// Field name of the start offset.
pub const BSTART: &str = "bstart";
/// Field name of the end offset.
pub const BEND: &str = "bend";
/// Field name of the line numbering base (0 or 1).
pub const LINE_BASE: &str = "line_base";
/// Field name of the column unit.
pub const COL_UNIT: &str = "col_unit";
/// Field name of the end convention.
pub const END_EXCLUSIVE: &str = "end_exclusive";

/// Metadata key tagging a field with its CodeAnatomy semantic type, so
/// consumers can recognise a span column without matching its struct layout.
pub const SEMANTIC_TYPE_KEY: &str = "semantic_type";
/// The [`SEMANTIC_TYPE_KEY`] value of span fields.
pub const SPAN_SEMANTIC_TYPE: &str = "Span";

/// The column units a span may record, in their canonical (lower-case)
/// spelling.
pub const COL_UNITS: [&str; 4] = ["byte", "utf8", "utf16", "utf32"];

/// The fields of the span struct. They are not nullable: a span is either
/// entirely present or NULL as a whole.
pub fn span_fields() -> Fields {
    static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
        Fields::from(vec![
            Field::new(BSTART, DataType::Int64, false),
            Field::new(BEND, DataType::Int64, false),
            Field::new(LINE_BASE, DataType::Int32, false),
            Field::new(COL_UNIT, DataType::Utf8, false),
            Field::new(END_EXCLUSIVE, DataType::Boolean, false),
        ])
    });
    FIELDS.clone()
}

/// The span struct type.
pub fn span_data_type() -> DataType {
    DataType::Struct(span_fields())
}

/// The return field of a function returning spans: nullable, and tagged
/// `semantic_type=Span`.
pub fn span_return_field(name: &str) -> FieldRef {
    let metadata = HashMap::from([(SEMANTIC_TYPE_KEY.to_owned(), SPAN_SEMANTIC_TYPE.to_owned())]);
    Arc::new(Field::new(name, span_data_type(), true).with_metadata(metadata))
}

/// The canonical spelling of a column unit given in any case, or `None` if
/// it is not one of [`COL_UNITS`].
pub fn canonical_col_unit(text: &str) -> Option<&'static str> {
    COL_UNITS
        .into_iter()
        .find(|unit| unit.eq_ignore_ascii_case(text))
}

/// The columns of a batch of spans, before they are assembled into a
/// struct array. Values under a NULL row are placeholders.
#[derive(Debug)]
pub struct SpanColumns {
    /// Start offsets.
    pub bstart: ScalarBuffer<i64>,
    /// End offsets.
    pub bend: ScalarBuffer<i64>,
    /// Line numbering bases.
    pub line_base: ScalarBuffer<i32>,
    /// Canonical column units (see [`COL_UNITS`]), without NULLs.
    pub col_unit: StringArray,
    /// End conventions.
    pub end_exclusive: BooleanBuffer,
    /// Which spans are NULL.
    pub nulls: Option<NullBuffer>,
}

impl SpanColumns {
    /// The spans as a struct array of [`span_data_type`].
    pub fn into_array(self) -> Result<StructArray> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::new(self.bstart, None)),
            Arc::new(Int64Array::new(self.bend, None)),
            Arc::new(Int32Array::new(self.line_base, None)),
            Arc::new(self.col_unit),
            Arc::new(BooleanArray::new(self.end_exclusive, None)),
        ];
        Ok(StructArray::try_new(span_fields(), columns, self.nulls)?)
    }
}

/// The planning type of a span argument: the type itself when it is a
/// struct a span can be read from, the span type for an untyped `NULL`,
/// or a plan error naming the function, the argument and the type found.
pub fn coerce_span_type(function: &str, parameter: &str, data_type: &DataType) -> Result<DataType> {
    match data_type {
        DataType::Null => Ok(span_data_type()),
        DataType::Struct(fields) if is_readable_span(fields) => Ok(data_type.clone()),
        other => plan_err!(
            "{function} expects a span for argument '{parameter}' (a struct with integer \
             {BSTART} and {BEND} fields, as span_make returns), got {other}"
        ),
    }
}

fn is_readable_span(fields: &Fields) -> bool {
    let field_type = |name: &str| {
        fields
            .iter()
            .find(|field| field.name() == name)
            .map(|field| field.data_type())
    };
    field_type(BSTART).is_some_and(is_int_type)
        && field_type(BEND).is_some_and(is_int_type)
        && field_type(END_EXCLUSIVE)
            .is_none_or(|data_type| matches!(data_type, DataType::Boolean | DataType::Null))
}

/// One span argument of a call, read as half-open byte ranges.
#[derive(Debug)]
pub struct SpanArg {
    function: &'static str,
    parameter: &'static str,
    bstart: Int64Array,
    bend: Int64Array,
    /// `None` when every span is half-open.
    end_exclusive: Option<BooleanArray>,
    /// A span is NULL when the struct or any field read from it is.
    nulls: Option<NullBuffer>,
    /// A scalar: row 0 stands for every row.
    scalar: bool,
}

impl SpanArg {
    /// Reads `value` as a span argument of `function`.
    pub fn try_new(
        function: &'static str,
        parameter: &'static str,
        value: &ColumnarValue,
    ) -> Result<Self> {
        let (array, scalar): (ArrayRef, bool) = match value {
            ColumnarValue::Scalar(ScalarValue::Struct(array)) => (array.clone(), true),
            ColumnarValue::Scalar(ScalarValue::Null) => {
                return Ok(Self::all_null(function, parameter));
            }
            ColumnarValue::Scalar(other) => {
                return exec_err!(
                    "{function} expects a span for argument '{parameter}', got {}",
                    other.data_type()
                );
            }
            ColumnarValue::Array(array) => (array.clone(), false),
        };
        if array.data_type() == &DataType::Null {
            return Ok(Self::all_null(function, parameter));
        }
        let Some(spans) = array
            .as_struct_opt()
            .filter(|spans| is_readable_span(spans.fields()))
        else {
            return exec_err!(
                "{function} expects a span for argument '{parameter}', got {}",
                array.data_type()
            );
        };
        let bstart = int64_field(spans, BSTART)?;
        let bend = int64_field(spans, BEND)?;
        let end_exclusive = match spans.column_by_name(END_EXCLUSIVE) {
            Some(column) if column.data_type() == &DataType::Null => {
                Some(BooleanArray::new_null(column.len()))
            }
            Some(column) => Some(column.as_boolean().clone()),
            None => None,
        };
        let mut nulls = NullBuffer::union(spans.nulls(), bstart.nulls());
        nulls = NullBuffer::union(nulls.as_ref(), bend.nulls());
        if let Some(flags) = &end_exclusive {
            nulls = NullBuffer::union(nulls.as_ref(), flags.nulls());
        }
        // Half-open everywhere: the flags need not be consulted per row.
        let end_exclusive = end_exclusive.filter(|flags| flags.true_count() < flags.len());
        Ok(Self {
            function,
            parameter,
            bstart,
            bend,
            end_exclusive,
            nulls,
            scalar,
        })
    }

    fn all_null(function: &'static str, parameter: &'static str) -> Self {
        Self {
            function,
            parameter,
            bstart: Int64Array::new_null(1),
            bend: Int64Array::new_null(1),
            end_exclusive: None,
            nulls: Some(NullBuffer::new_null(1)),
            scalar: true,
        }
    }

    /// Whether the argument is a scalar (every row reads the same span).
    pub fn is_scalar(&self) -> bool {
        self.scalar
    }

    /// The span at `row` as a half-open range `[start, end)`, `None` for
    /// NULL; an error when the span's start lies after its end or an
    /// inclusive end cannot be made exclusive.
    #[inline]
    pub fn half_open(&self, row: usize) -> Result<Option<(i64, i64)>> {
        let row = if self.scalar { 0 } else { row };
        if self.nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
            return Ok(None);
        }
        let (start, end) = (self.bstart.value(row), self.bend.value(row));
        if start > end {
            return exec_err!(
                "{}: argument '{}' is not a valid span: {BSTART} ({start}) is greater than {BEND} ({end})",
                self.function,
                self.parameter
            );
        }
        let exclusive = self
            .end_exclusive
            .as_ref()
            .is_none_or(|flags| flags.value(row));
        if exclusive {
            return Ok(Some((start, end)));
        }
        match end.checked_add(1) {
            Some(end) => Ok(Some((start, end))),
            None => exec_err!(
                "{}: argument '{}' has an inclusive {BEND} ({end}) too large to make exclusive",
                self.function,
                self.parameter
            ),
        }
    }

    /// The validity of this argument over `rows` rows, in the form an output
    /// array takes it.
    pub fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        match (&self.nulls, self.scalar) {
            (None, _) => None,
            (Some(nulls), true) if nulls.is_null(0) => Some(NullBuffer::new_null(rows)),
            (Some(_), true) => None,
            (Some(nulls), false) => Some(nulls.clone()),
        }
    }
}

fn int64_field(spans: &StructArray, name: &str) -> Result<Int64Array> {
    let Some(column) = spans.column_by_name(name) else {
        return exec_err!("a span struct has no '{name}' field");
    };
    let column = match column.data_type() {
        DataType::Int64 => column.clone(),
        _ => cast(column, &DataType::Int64)?,
    };
    Ok(column.as_primitive::<Int64Type>().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(rows: &[Option<(i64, i64, bool)>]) -> ColumnarValue {
        let valid = |row: &Option<(i64, i64, bool)>| row.unwrap_or((0, 0, true));
        let columns = SpanColumns {
            bstart: rows.iter().map(|row| valid(row).0).collect(),
            bend: rows.iter().map(|row| valid(row).1).collect(),
            line_base: rows.iter().map(|_| 0).collect(),
            col_unit: StringArray::new_repeated("byte", rows.len()),
            end_exclusive: rows.iter().map(|row| valid(row).2).collect(),
            nulls: Some(rows.iter().map(Option::is_some).collect()),
        };
        ColumnarValue::Array(Arc::new(columns.into_array().unwrap()))
    }

    #[test]
    fn return_field_is_tagged() {
        let field = span_return_field("span_make");
        assert_eq!(
            field.metadata().get(SEMANTIC_TYPE_KEY).map(String::as_str),
            Some(SPAN_SEMANTIC_TYPE)
        );
        assert_eq!(field.data_type(), &span_data_type());
        assert!(field.is_nullable());
    }

    #[test]
    fn col_units_are_case_insensitive() {
        assert_eq!(canonical_col_unit("UTF16"), Some("utf16"));
        assert_eq!(canonical_col_unit("Byte"), Some("byte"));
        assert_eq!(canonical_col_unit("utf-16"), None);
        assert_eq!(canonical_col_unit(""), None);
    }

    #[test]
    fn reads_half_open_ranges() {
        let value = spans(&[Some((1, 5, true)), None, Some((2, 4, false))]);
        let arg = SpanArg::try_new("f", "span", &value).unwrap();
        assert_eq!(arg.half_open(0).unwrap(), Some((1, 5)));
        assert_eq!(arg.half_open(1).unwrap(), None);
        assert_eq!(arg.half_open(2).unwrap(), Some((2, 5)));
        assert_eq!(arg.nulls(3).unwrap().null_count(), 1);
    }

    #[test]
    fn inverted_or_overflowing_spans_are_errors() {
        let value = spans(&[Some((7, 3, true)), Some((0, i64::MAX, false))]);
        let arg = SpanArg::try_new("f", "span", &value).unwrap();
        let err = arg.half_open(0).unwrap_err();
        assert!(
            err.to_string().contains(
                "f: argument 'span' is not a valid span: bstart (7) is greater than bend (3)"
            ),
            "{err}"
        );
        assert!(arg.half_open(1).is_err());
    }

    #[test]
    fn reads_plain_offset_structs() {
        let offsets = StructArray::from(vec![
            (
                Arc::new(Field::new(BSTART, DataType::Int32, true)),
                Arc::new(Int32Array::from(vec![Some(3), None])) as ArrayRef,
            ),
            (
                Arc::new(Field::new(BEND, DataType::Int64, true)),
                Arc::new(Int64Array::from(vec![Some(9), Some(1)])) as ArrayRef,
            ),
        ]);
        assert_eq!(
            coerce_span_type("f", "span", offsets.data_type()).unwrap(),
            offsets.data_type().clone()
        );
        let value = ColumnarValue::Array(Arc::new(offsets));
        let arg = SpanArg::try_new("f", "span", &value).unwrap();
        assert_eq!(arg.half_open(0).unwrap(), Some((3, 9)));
        assert_eq!(arg.half_open(1).unwrap(), None);
    }

    #[test]
    fn coercion_refuses_non_spans() {
        let err = coerce_span_type("f", "span", &DataType::Int64).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a span for argument 'span'"),
            "{err}"
        );
        let no_bend = DataType::Struct(Fields::from(vec![Field::new(
            BSTART,
            DataType::Int64,
            true,
        )]));
        assert!(coerce_span_type("f", "span", &no_bend).is_err());
        assert_eq!(
            coerce_span_type("f", "span", &DataType::Null).unwrap(),
            span_data_type()
        );
    }
}
