//! `list_drop_nulls(list)`: the list without its NULL elements.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, GenericListArray, OffsetSizeTrait,
};
use datafusion::arrow::buffer::{BooleanBuffer, OffsetBuffer};
use datafusion::arrow::compute::filter;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::lists::{coerce_list_type, planned_list};
use super::{DOC_SECTION, check_arity, invoke_on_arrays};

const NAME: &str = "list_drop_nulls";
const PARAMETERS: [&str; 1] = ["list"];

/// `list_drop_nulls(list)`: the list with its NULL elements removed, the
/// others kept in order.
///
/// A NULL list gives NULL; an empty list, or one with only NULL elements,
/// gives an empty list. The result has the input's list type (`List` or
/// `LargeList`, same element field); a `FixedSizeList` or `ListView` gives a
/// `List`, since the lengths change.
///
/// DataFusion 55's built-in `array_compact` (alias `list_compact`) has the
/// same semantics for `List` and `LargeList`; this function exists under its
/// own name so the plugin shadows neither built-in name.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ListDropNullsFunc {
    signature: Signature,
}

impl Default for ListDropNullsFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ListDropNullsFunc {
    /// The function with its `list` parameter name.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for ListDropNullsFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(NAME, &PARAMETERS, 1, arg_types)?;
        Ok(vec![coerce_list_type(NAME, PARAMETERS[0], &arg_types[0])?])
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
                DataType::List(_) => drop_nulls(list.as_list::<i32>()),
                DataType::LargeList(_) => drop_nulls(list.as_list::<i64>()),
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

/// One `filter` over the child values: an element is kept when it is valid
/// and its row is; elements under NULL rows are dropped too, so the result
/// holds no hidden values.
fn drop_nulls<O: OffsetSizeTrait>(list: &GenericListArray<O>) -> Result<ArrayRef> {
    let offsets = list.value_offsets();
    let first = offsets[0].as_usize();
    let last = offsets[list.len()].as_usize();
    let values = list.values().slice(first, last - first);
    let element_validity = values.logical_nulls();
    let hidden_under_null_rows = list.null_count() > 0
        && offsets
            .windows(2)
            .enumerate()
            .any(|(row, window)| list.is_null(row) && window[0] != window[1]);
    if element_validity.is_none() && !hidden_under_null_rows {
        return Ok(Arc::new(list.clone()));
    }

    let element_validity = element_validity
        .map(|nulls| nulls.into_inner())
        .unwrap_or_else(|| BooleanBuffer::new_set(values.len()));
    let mut keep = BooleanBufferBuilder::new(values.len());
    let mut lengths = Vec::with_capacity(list.len());
    for (row, window) in offsets.windows(2).enumerate() {
        let start = window[0].as_usize() - first;
        let len = window[1].as_usize() - window[0].as_usize();
        if list.is_null(row) {
            keep.append_n(len, false);
            lengths.push(0);
        } else {
            let kept = element_validity.slice(start, len);
            lengths.push(kept.count_set_bits());
            keep.append_buffer(&kept);
        }
    }
    let kept = filter(&values, &BooleanArray::new(keep.finish(), None))?;
    let (DataType::List(field) | DataType::LargeList(field)) = list.data_type() else {
        return exec_err!("{NAME}: expected a list, got {}", list.data_type());
    };
    Ok(Arc::new(GenericListArray::<O>::try_new(
        Arc::clone(field),
        OffsetBuffer::from_lengths(lengths),
        kept,
        list.nulls().cloned(),
    )?))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the list without its NULL elements, the others in their order. A NULL list \
         gives NULL; an empty list or one of NULLs only gives an empty list. The result has \
         the input's list type (a FixedSizeList gives a List).",
        "list_drop_nulls(list)",
    )
    .with_sql_example(
        r#"```sql
> SELECT list_drop_nulls([1, NULL, 2, NULL]);
+----------------------------------------------------------+
| list_drop_nulls(make_array(Int64(1),NULL,Int64(2),NULL)) |
+----------------------------------------------------------+
| [1, 2]                                                   |
+----------------------------------------------------------+
```"#,
    )
    .with_argument(
        "list",
        "The list (List, LargeList, FixedSizeList or ListView).",
    )
    .with_related_udf("list_unique_sorted")
    .build()
});

#[cfg(test)]
mod tests {

    use datafusion::arrow::array::{Int32Array, LargeListArray, ListArray, StringArray};
    use datafusion::arrow::datatypes::{Field, Int32Type};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    fn int_lists(rows: Vec<Option<Vec<Option<i32>>>>) -> ListArray {
        ListArray::from_iter_primitive::<Int32Type, _, _>(rows)
    }

    fn run(list: ArrayRef) -> ArrayRef {
        let rows = list.len();
        invoke(
            &ListDropNullsFunc::new(),
            vec![ColumnarValue::Array(list)],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap()
    }

    #[test]
    fn drops_null_elements_and_keeps_null_and_empty_rows() {
        let input = int_lists(vec![
            Some(vec![Some(1), None, Some(2), None]),
            None,
            Some(vec![]),
            Some(vec![None, None]),
            Some(vec![Some(3)]),
        ]);
        let expected = int_lists(vec![
            Some(vec![Some(1), Some(2)]),
            None,
            Some(vec![]),
            Some(vec![]),
            Some(vec![Some(3)]),
        ]);
        let result = run(Arc::new(input));
        assert_eq!(result.as_list::<i32>(), &expected);
    }

    #[test]
    fn sliced_input_reads_only_its_own_rows() {
        let input = int_lists(vec![
            Some(vec![None, Some(9)]),
            Some(vec![Some(1), None]),
            Some(vec![None, Some(2)]),
            Some(vec![Some(8), None]),
        ]);
        let result = run(Arc::new(input.slice(1, 2)));
        let expected = int_lists(vec![Some(vec![Some(1)]), Some(vec![Some(2)])]);
        assert_eq!(result.as_list::<i32>(), &expected);
    }

    #[test]
    fn values_hidden_under_a_null_row_are_dropped() {
        // A NULL row whose offsets still span two elements.
        let input = ListArray::new(
            Arc::new(Field::new_list_field(DataType::Int32, true)),
            OffsetBuffer::new(vec![0, 2, 3].into()),
            Arc::new(Int32Array::from(vec![1, 2, 3])),
            Some(vec![false, true].into()),
        );
        let result = run(Arc::new(input));
        let result = result.as_list::<i32>();
        assert!(result.is_null(0));
        assert_eq!(result.values().len(), 1);
        assert_eq!(result.value(1).as_primitive::<Int32Type>().values(), &[3]);
    }

    #[test]
    fn large_lists_of_strings_keep_their_type() {
        let values = StringArray::from(vec![Some("a"), None, Some("")]);
        let input = LargeListArray::new(
            Arc::new(Field::new_list_field(DataType::Utf8, true)),
            OffsetBuffer::new(vec![0i64, 3].into()),
            Arc::new(values),
            None,
        );
        let data_type = input.data_type().clone();
        let result = run(Arc::new(input));
        assert_eq!(result.data_type(), &data_type);
        let strings = result.as_list::<i64>().value(0);
        let strings: Vec<_> = strings.as_string::<i32>().iter().collect();
        assert_eq!(strings, vec![Some("a"), Some("")]);
    }

    #[test]
    fn input_without_nulls_is_returned_as_is() {
        let input: ArrayRef = Arc::new(int_lists(vec![Some(vec![Some(1), Some(2)])]));
        assert_eq!(run(Arc::clone(&input)).to_data(), input.to_data());
    }

    #[tokio::test]
    async fn sql_types_nulls_and_named_argument() {
        let list = |values: Vec<Option<i64>>| {
            ScalarValue::List(ScalarValue::new_list_nullable(
                &values
                    .into_iter()
                    .map(ScalarValue::Int64)
                    .collect::<Vec<_>>(),
                &DataType::Int64,
            ))
        };
        for sql in [
            "SELECT list_drop_nulls([1, NULL, 2])",
            "SELECT list_drop_nulls(list => [1, NULL, 2])",
            "SELECT list_drop_nulls(arrow_cast([1, NULL, 2], 'FixedSizeList(3, Int64)'))",
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                list(vec![Some(1), Some(2)]),
                "{sql}"
            );
        }
        let null = sql_value("SELECT list_drop_nulls(NULL)").await.unwrap();
        assert!(null.is_null(), "{null:?}");
        let err = sql_value("SELECT list_drop_nulls(1)").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("list_drop_nulls expects a list for argument 'list', got Int64"),
            "{err}"
        );
    }
}
