//! `list_unique_sorted(list)`: the distinct non-NULL elements, ascending.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericListArray, OffsetSizeTrait, UInt64Array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::lists::{coerce_list_type, planned_list};
use super::{DOC_SECTION, check_arity, invoke_on_arrays};

const NAME: &str = "list_unique_sorted";
const ALIASES: [&str; 1] = ["array_unique_sorted"];
const PARAMETERS: [&str; 1] = ["list"];

/// `list_unique_sorted(list)` (alias `array_unique_sorted`): the distinct
/// non-NULL elements of the list in ascending order.
///
/// Order and equality are those of Arrow's row format, the order DataFusion
/// sorts by: numbers by value, strings and binaries byte-wise (code point
/// order for UTF-8), floats by IEEE 754 total order (`-0.0` and `0.0` are
/// distinct, NaN sorts after every number and equals only a NaN with the
/// same bits), structs and lists element by element. A NULL list gives NULL;
/// an empty list, or one with only NULL elements, gives an empty list. The
/// result has the input's list type (a `FixedSizeList` gives a `List`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ListUniqueSortedFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for ListUniqueSortedFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ListUniqueSortedFunc {
    /// The function with its `list` parameter name and alias.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: ALIASES.iter().map(|alias| alias.to_string()).collect(),
        }
    }
}

impl ScalarUDFImpl for ListUniqueSortedFunc {
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
        check_arity(NAME, &PARAMETERS, 1, arg_types)?;
        let list = coerce_list_type(NAME, PARAMETERS[0], &arg_types[0])?;
        if let DataType::List(element) | DataType::LargeList(element) = &list
            && !RowConverter::supports_fields(&[SortField::new(element.data_type().clone())])
        {
            return plan_err!(
                "{NAME} cannot order list elements of type {}",
                element.data_type()
            );
        }
        Ok(vec![list])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_arity(NAME, &PARAMETERS, 1, arg_types)?;
        coerce_list_type(NAME, PARAMETERS[0], &arg_types[0])
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_on_arrays(&args.args, |arrays| {
            let list = planned_list(NAME, PARAMETERS[0], &arrays[0])?;
            match list.data_type() {
                DataType::List(_) => unique_sorted(list.as_list::<i32>()),
                DataType::LargeList(_) => unique_sorted(list.as_list::<i64>()),
                other => exec_err!(
                    "{NAME} expects a list for argument '{}', got {other}",
                    PARAMETERS[0]
                ),
            }
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The child values are encoded once in Arrow's row format, so sorting and
/// de-duplicating a row compares bytes; one `take` then gathers the result.
fn unique_sorted<O: OffsetSizeTrait>(list: &GenericListArray<O>) -> Result<ArrayRef> {
    let offsets = list.value_offsets();
    let first = offsets[0].as_usize();
    let last = offsets[list.len()].as_usize();
    let values = list.values().slice(first, last - first);
    let converter = RowConverter::new(vec![SortField::new(values.data_type().clone())])?;
    let rows = converter.convert_columns(std::slice::from_ref(&values))?;
    let validity = values.logical_nulls();

    let mut indices: Vec<u64> = Vec::with_capacity(values.len());
    let mut lengths = Vec::with_capacity(list.len());
    let mut row_elements: Vec<usize> = Vec::new();
    for (row, window) in offsets.windows(2).enumerate() {
        if list.is_null(row) {
            lengths.push(0);
            continue;
        }
        row_elements.clear();
        row_elements.extend(
            (window[0].as_usize() - first..window[1].as_usize() - first)
                .filter(|&element| validity.as_ref().is_none_or(|v| v.is_valid(element))),
        );
        row_elements.sort_unstable_by(|&a, &b| rows.row(a).cmp(&rows.row(b)));
        row_elements.dedup_by(|a, b| rows.row(*a) == rows.row(*b));
        lengths.push(row_elements.len());
        indices.extend(row_elements.iter().map(|&element| element as u64));
    }
    let unique = take(&values, &UInt64Array::from(indices), None)?;
    let (DataType::List(field) | DataType::LargeList(field)) = list.data_type() else {
        return exec_err!("{NAME}: expected a list, got {}", list.data_type());
    };
    Ok(Arc::new(GenericListArray::<O>::try_new(
        Arc::clone(field),
        OffsetBuffer::from_lengths(lengths),
        unique,
        list.nulls().cloned(),
    )?))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the distinct non-NULL elements of the list in ascending order (the order \
         DataFusion sorts by: strings byte-wise, floats by IEEE total order with -0.0 before \
         0.0 and NaN last). A NULL list gives NULL; an empty list or one of NULLs only gives \
         an empty list. The result has the input's list type (a FixedSizeList gives a List).",
        "list_unique_sorted(list)",
    )
    .with_sql_example(
        r#"```sql
> SELECT list_unique_sorted(['b', NULL, 'a', 'b']);
+--------------------------------------------------------------------+
| list_unique_sorted(make_array(Utf8("b"),NULL,Utf8("a"),Utf8("b"))) |
+--------------------------------------------------------------------+
| [a, b]                                                             |
+--------------------------------------------------------------------+
```"#,
    )
    .with_argument(
        "list",
        "The list (List, LargeList, FixedSizeList or ListView) of any orderable type.",
    )
    .with_related_udf("list_drop_nulls")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Float64Array, ListArray, StringViewArray};
    use datafusion::arrow::datatypes::{Field, Float64Type, Int32Type};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, session, sql_value};

    fn run(list: ArrayRef) -> ArrayRef {
        let rows = list.len();
        invoke(
            &ListUniqueSortedFunc::new(),
            vec![ColumnarValue::Array(list)],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap()
    }

    fn int_lists(rows: Vec<Option<Vec<Option<i32>>>>) -> ListArray {
        ListArray::from_iter_primitive::<Int32Type, _, _>(rows)
    }

    #[test]
    fn sorts_dedups_and_drops_nulls_per_row() {
        let input = int_lists(vec![
            Some(vec![Some(3), None, Some(1), Some(3), Some(2), None]),
            None,
            Some(vec![]),
            Some(vec![None]),
            Some(vec![Some(-1), Some(-1)]),
        ]);
        let expected = int_lists(vec![
            Some(vec![Some(1), Some(2), Some(3)]),
            None,
            Some(vec![]),
            Some(vec![]),
            Some(vec![Some(-1)]),
        ]);
        assert_eq!(run(Arc::new(input)).as_list::<i32>(), &expected);
    }

    #[test]
    fn sliced_input_reads_only_its_own_rows() {
        let input = int_lists(vec![
            Some(vec![Some(9), Some(0)]),
            Some(vec![Some(2), Some(1), Some(2)]),
            Some(vec![Some(7), Some(0)]),
        ]);
        let result = run(Arc::new(input.slice(1, 1)));
        let expected = int_lists(vec![Some(vec![Some(1), Some(2)])]);
        assert_eq!(result.as_list::<i32>(), &expected);
    }

    #[test]
    fn floats_follow_total_order() {
        let values = Float64Array::from(vec![f64::NAN, 0.0, -0.0, 1.5, f64::NAN, -0.0]);
        let input = ListArray::new(
            Arc::new(Field::new_list_field(DataType::Float64, true)),
            OffsetBuffer::from_lengths([6]),
            Arc::new(values),
            None,
        );
        let result = run(Arc::new(input));
        let floats = result.as_list::<i32>().value(0);
        let floats = floats.as_primitive::<Float64Type>().values();
        assert_eq!(floats.len(), 4);
        assert_eq!(floats[0].to_bits(), (-0.0f64).to_bits());
        assert_eq!(floats[1].to_bits(), 0.0f64.to_bits());
        assert_eq!(floats[2], 1.5);
        assert!(floats[3].is_nan());
    }

    #[test]
    fn strings_sort_by_code_point() {
        let values = StringViewArray::from(vec!["é", "Z", "a", "Z", "ab"]);
        let input = ListArray::new(
            Arc::new(Field::new_list_field(DataType::Utf8View, true)),
            OffsetBuffer::from_lengths([5]),
            Arc::new(values),
            None,
        );
        let result = run(Arc::new(input));
        let strings: Vec<_> = result
            .as_list::<i32>()
            .value(0)
            .as_string_view()
            .iter()
            .map(Option::unwrap)
            .map(str::to_owned)
            .collect();
        assert_eq!(strings, vec!["Z", "a", "ab", "é"]);
    }

    #[tokio::test]
    async fn sql_alias_named_argument_and_nested_elements() {
        let expected = sql_value("SELECT [1, 2, 3]").await.unwrap();
        for sql in [
            "SELECT list_unique_sorted([3, NULL, 1, 2, 3])",
            "SELECT array_unique_sorted(list => [3, 1, 2, 1])",
            "SELECT list_unique_sorted(arrow_cast([2, 3, 1, 3], 'LargeList(Int64)'))",
        ] {
            let value = sql_value(sql).await.unwrap();
            let value = match value {
                ScalarValue::LargeList(list) => ScalarValue::List(Arc::new(
                    datafusion::arrow::compute::cast(list.as_ref(), &expected.data_type())
                        .unwrap()
                        .as_list::<i32>()
                        .clone(),
                )),
                other => other,
            };
            assert_eq!(value, expected, "{sql}");
        }
        assert_eq!(
            sql_value("SELECT list_unique_sorted([[2], [1, 5], [1], [2]])")
                .await
                .unwrap(),
            sql_value("SELECT [[1], [1, 5], [2]]").await.unwrap()
        );
        let err = sql_value("SELECT list_unique_sorted('x')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("list_unique_sorted expects a list for argument 'list', got Utf8"),
            "{err}"
        );
        assert!(session().sql("SELECT list_unique_sorted()").await.is_err());
    }
}
