//! Planning and reading of string arguments, shared by every function that
//! takes text.
//!
//! Planning ([`coerce_string_args`], [`coerce_variadic_string_args`],
//! [`coerce_string_type`]) narrows every accepted spelling of "a string" —
//! `Utf8`, `LargeUtf8`, `Utf8View`, a dictionary of those, or the untyped
//! `NULL` literal — down to the three plain string types, so kernels never
//! see a dictionary in practice. Any other type with a text form (numbers,
//! dates, ...) is cast to `Utf8`, as DataFusion does for its own string
//! functions; a type with no text form is refused. Reading ([`StringArg`]) still accepts a
//! dictionary because callers that invoke a UDF directly skip coercion.

use datafusion::arrow::array::{Array, AsArray, LargeStringArray, StringArray, StringViewArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::ColumnarValue;

/// The planning type a string argument is read as, or a plan error naming
/// the function, the argument and the type found.
///
/// `position` is the 1-based argument position; it is only printed for
/// repeated (variadic) parameters, whose name alone is ambiguous.
pub fn coerce_string_type(
    function: &str,
    parameter: &str,
    position: Option<usize>,
    data_type: &DataType,
) -> Result<DataType> {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(data_type.clone()),
        DataType::Null => Ok(DataType::Utf8),
        DataType::Dictionary(_, value_type)
            if matches!(
                value_type.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            Ok(value_type.as_ref().clone())
        }
        // DataFusion's own rule: any type with a text form coerces into a
        // string parameter (`upper(42)` works). Following it keeps in-process
        // and through-the-dylib planning identical.
        other if can_cast_types(other, &DataType::Utf8) => Ok(DataType::Utf8),
        other => match position {
            Some(position) => plan_err!(
                "{function} expects a string for argument '{parameter}' \
                 (argument {position}), got {other}"
            ),
            None => {
                plan_err!("{function} expects a string for argument '{parameter}', got {other}")
            }
        },
    }
}

/// Coerces the arguments of a fixed-arity function whose parameters are all
/// strings, checking the arity first so a wrong call names every parameter.
pub fn coerce_string_args(
    function: &str,
    parameters: &[&str],
    arg_types: &[DataType],
) -> Result<Vec<DataType>> {
    if arg_types.len() != parameters.len() {
        let plural = if parameters.len() == 1 { "" } else { "s" };
        return plan_err!(
            "{function} expects {} argument{plural} ({}), got {}",
            parameters.len(),
            parameters.join(", "),
            arg_types.len()
        );
    }
    parameters
        .iter()
        .zip(arg_types)
        .map(|(parameter, data_type)| coerce_string_type(function, parameter, None, data_type))
        .collect()
}

/// Coerces the arguments of a function taking the `fixed` string parameters
/// followed by one or more `repeated` string parameters.
pub fn coerce_variadic_string_args(
    function: &str,
    fixed: &[&str],
    repeated: &str,
    arg_types: &[DataType],
) -> Result<Vec<DataType>> {
    if arg_types.len() <= fixed.len() {
        return plan_err!(
            "{function} expects {} followed by at least one '{repeated}' argument, got {} argument{}",
            fixed
                .iter()
                .map(|name| format!("'{name}'"))
                .collect::<Vec<_>>()
                .join(", "),
            arg_types.len(),
            if arg_types.len() == 1 { "" } else { "s" }
        );
    }
    arg_types
        .iter()
        .enumerate()
        .map(|(index, data_type)| match fixed.get(index) {
            Some(parameter) => coerce_string_type(function, parameter, None, data_type),
            None => coerce_string_type(function, repeated, Some(index + 1), data_type),
        })
        .collect()
}

/// One string argument of a call, read in place: a scalar is never expanded
/// to an array, and an array is never copied.
#[derive(Debug)]
pub enum StringArg<'a> {
    /// The same value (or NULL) for every row.
    Scalar(Option<&'a str>),
    /// One value per row.
    Column(StringColumn<'a>),
}

impl<'a> StringArg<'a> {
    /// Reads `value` as a string argument; `function` and `parameter` only
    /// serve the error for a type that planning should have ruled out.
    pub fn try_new(function: &str, parameter: &str, value: &'a ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(ScalarValue::Null) => Ok(Self::Scalar(None)),
            ColumnarValue::Scalar(scalar) => match scalar.try_as_str() {
                Some(text) => Ok(Self::Scalar(text)),
                None => exec_err!(
                    "{function} expects a string for argument '{parameter}', got {}",
                    scalar.data_type()
                ),
            },
            ColumnarValue::Array(array) => match StringColumn::try_new(array.as_ref()) {
                Some(column) => Ok(Self::Column(column)),
                None => exec_err!(
                    "{function} expects a string for argument '{parameter}', got {}",
                    array.data_type()
                ),
            },
        }
    }

    /// The value at `row`, `None` for NULL.
    #[inline]
    pub fn value(&self, row: usize) -> Option<&'a str> {
        match self {
            Self::Scalar(text) => *text,
            Self::Column(column) => column.value(row),
        }
    }

    /// The value if this argument is a scalar.
    pub fn as_scalar(&self) -> Option<Option<&'a str>> {
        match self {
            Self::Scalar(text) => Some(*text),
            Self::Column(_) => None,
        }
    }

    /// The validity of this argument over `rows` rows, in the form an output
    /// array takes it (`None` when no row is NULL).
    pub fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        match self {
            Self::Scalar(Some(_)) => None,
            Self::Scalar(None) => Some(NullBuffer::new_null(rows)),
            Self::Column(column) => column.nulls.clone(),
        }
    }

    /// A rough count of the bytes this argument holds over `rows` rows, for
    /// sizing output builders so they do not regrow on every batch.
    pub fn byte_len_hint(&self, rows: usize) -> usize {
        match self {
            Self::Scalar(text) => text.map_or(0, str::len).saturating_mul(rows),
            Self::Column(column) => column.byte_len_hint(rows),
        }
    }
}

/// A string array of any accepted layout.
#[derive(Debug)]
pub struct StringColumn<'a> {
    strings: Strings<'a>,
    /// Dictionary keys, already widened, so a lookup is one index.
    keys: Option<Vec<usize>>,
    /// Logical validity: a dictionary row is NULL if its key or its value is.
    nulls: Option<NullBuffer>,
}

impl<'a> StringColumn<'a> {
    /// Wraps `array`, or `None` if it holds no strings.
    pub fn try_new(array: &'a dyn Array) -> Option<Self> {
        if let Some(dictionary) = array.as_any_dictionary_opt() {
            let values = dictionary.values().as_ref();
            if values.is_empty() {
                // normalized_keys panics on empty values; with nothing to
                // point at, every key is NULL.
                return Strings::of(values).map(|_| Self::all_null(array.len()));
            }
            return Some(Self {
                strings: Strings::of(values)?,
                keys: Some(dictionary.normalized_keys()),
                nulls: array.logical_nulls(),
            });
        }
        if array.data_type() == &DataType::Null {
            return Some(Self::all_null(array.len()));
        }
        Some(Self {
            strings: Strings::of(array)?,
            keys: None,
            nulls: array.logical_nulls(),
        })
    }

    fn all_null(len: usize) -> Self {
        Self {
            strings: Strings::Absent,
            keys: None,
            nulls: Some(NullBuffer::new_null(len)),
        }
    }

    /// The value at `row`, `None` for NULL.
    #[inline]
    pub fn value(&self, row: usize) -> Option<&'a str> {
        if self.nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
            return None;
        }
        let index = match &self.keys {
            Some(keys) => keys[row],
            None => row,
        };
        Some(self.strings.value(index))
    }

    fn byte_len_hint(&self, rows: usize) -> usize {
        match (&self.strings, &self.keys) {
            (Strings::Utf8(array), None) => array.value_data().len(),
            (Strings::LargeUtf8(array), None) => array.value_data().len(),
            (Strings::Absent, _) => 0,
            // Views and dictionaries do not expose their logical byte count
            // cheaply; assume short identifiers.
            _ => rows.saturating_mul(16),
        }
    }
}

#[derive(Debug)]
enum Strings<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    /// No values at all; only valid when every row is NULL.
    Absent,
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array) -> Option<Self> {
        match array.data_type() {
            DataType::Utf8 => Some(Self::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Some(Self::LargeUtf8(array.as_string::<i64>())),
            DataType::Utf8View => Some(Self::Utf8View(array.as_string_view())),
            _ => None,
        }
    }

    #[inline]
    fn value(&self, index: usize) -> &'a str {
        match self {
            Self::Utf8(array) => array.value(index),
            Self::LargeUtf8(array) => array.value(index),
            Self::Utf8View(array) => array.value(index),
            Self::Absent => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, DictionaryArray, Int64Array, NullArray};
    use datafusion::arrow::datatypes::Int8Type;

    use super::*;

    fn read_all(value: &ColumnarValue, rows: usize) -> Vec<Option<String>> {
        let arg = StringArg::try_new("f", "value", value).unwrap();
        (0..rows)
            .map(|row| arg.value(row).map(str::to_owned))
            .collect()
    }

    fn expected() -> Vec<Option<String>> {
        vec![Some("a".into()), None, Some("漢字".into())]
    }

    #[test]
    fn reads_every_string_layout() {
        let values = [Some("a"), None, Some("漢字")];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(values.to_vec())),
            Arc::new(LargeStringArray::from(values.to_vec())),
            Arc::new(StringViewArray::from(values.to_vec())),
            Arc::new(values.into_iter().collect::<DictionaryArray<Int8Type>>()),
        ];
        for array in arrays {
            let data_type = array.data_type().clone();
            let value = ColumnarValue::Array(array);
            assert_eq!(read_all(&value, 3), expected(), "{data_type}");
        }
    }

    #[test]
    fn dictionary_with_null_values_reads_null() {
        let dictionary = DictionaryArray::<Int8Type>::new(
            vec![0i8, 1, 0].into(),
            Arc::new(StringArray::from(vec![Some("x"), None])),
        );
        let value = ColumnarValue::Array(Arc::new(dictionary));
        let arg = StringArg::try_new("f", "value", &value).unwrap();
        assert_eq!(arg.value(1), None);
        assert_eq!(arg.value(2), Some("x"));
        assert_eq!(arg.nulls(3).unwrap().null_count(), 1);
    }

    #[test]
    fn reads_scalars_and_untyped_nulls() {
        let scalar = ColumnarValue::Scalar(ScalarValue::LargeUtf8(Some("s".into())));
        assert_eq!(
            StringArg::try_new("f", "value", &scalar)
                .unwrap()
                .as_scalar(),
            Some(Some("s"))
        );
        let null = ColumnarValue::Scalar(ScalarValue::Null);
        assert_eq!(
            StringArg::try_new("f", "value", &null).unwrap().as_scalar(),
            Some(None)
        );
        let null_array = ColumnarValue::Array(Arc::new(NullArray::new(2)));
        assert_eq!(read_all(&null_array, 2), vec![None, None]);
    }

    #[test]
    fn rejects_non_strings() {
        let ints = ColumnarValue::Array(Arc::new(Int64Array::from(vec![1])));
        let err = StringArg::try_new("f", "value", &ints).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a string for argument 'value', got Int64")
        );
    }

    #[test]
    fn coercion_unpacks_dictionaries_and_types_null() {
        let dictionary =
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8View));
        assert_eq!(
            coerce_string_args("f", &["a", "b"], &[dictionary, DataType::Null]).unwrap(),
            vec![DataType::Utf8View, DataType::Utf8]
        );
    }

    #[test]
    fn coercion_errors_name_function_argument_and_type() {
        let no_text = DataType::Struct(datafusion::arrow::datatypes::Fields::empty());
        assert_eq!(
            coerce_string_args("f", &["value"], &[DataType::Int64]).unwrap(),
            vec![DataType::Utf8]
        );
        let err = coerce_string_args("f", &["value"], std::slice::from_ref(&no_text)).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a string for argument 'value', got Struct"),
            "{err}"
        );

        let err = coerce_string_args("f", &["value"], &[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects 1 argument (value), got 0"),
            "{err}"
        );

        let err = coerce_variadic_string_args(
            "f",
            &["prefix"],
            "part",
            &[DataType::Utf8, DataType::Utf8, no_text],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a string for argument 'part' (argument 3), got Struct"),
            "{err}"
        );

        let err =
            coerce_variadic_string_args("f", &["prefix"], "part", &[DataType::Utf8]).unwrap_err();
        assert!(
            err.to_string().contains(
                "f expects 'prefix' followed by at least one 'part' argument, got 1 argument"
            ),
            "{err}"
        );
    }
}
