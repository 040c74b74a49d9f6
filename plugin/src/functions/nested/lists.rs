//! Planning and reading of list arguments, shared by the list functions.
//!
//! Every list layout is planned as a variable-size list with `i32` or `i64`
//! offsets: a function that drops elements cannot return a `FixedSizeList`,
//! and the view layouts have no kernels of their own here, so
//! `FixedSizeList` and `ListView` become `List` and `LargeListView` becomes
//! `LargeList`. The untyped `NULL` literal is planned as `List<Null>`.

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, plan_err};

/// The list type a list argument is planned as, or a plan error naming the
/// function, the argument and the type found.
pub(crate) fn coerce_list_type(
    function: &str,
    parameter: &str,
    data_type: &DataType,
) -> Result<DataType> {
    match data_type {
        DataType::List(_) | DataType::LargeList(_) => Ok(data_type.clone()),
        DataType::FixedSizeList(field, _) | DataType::ListView(field) => {
            Ok(DataType::List(Arc::clone(field)))
        }
        DataType::LargeListView(field) => Ok(DataType::LargeList(Arc::clone(field))),
        DataType::Null => Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Null,
            true,
        )))),
        other => plan_err!("{function} expects a list for argument '{parameter}', got {other}"),
    }
}

/// `array` in the layout planning chose for it. Only a caller that invokes
/// the function directly, skipping coercion, pays for the cast.
pub(crate) fn planned_list(function: &str, parameter: &str, array: &ArrayRef) -> Result<ArrayRef> {
    let planned = coerce_list_type(function, parameter, array.data_type())?;
    if &planned == array.data_type() {
        Ok(Arc::clone(array))
    } else {
        Ok(cast(array, &planned)?)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray, FixedSizeListArray, Int32Array};
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;

    #[test]
    fn every_list_layout_plans_as_a_variable_size_list() {
        let item = Arc::new(Field::new_list_field(DataType::Int64, true));
        let list = DataType::List(Arc::clone(&item));
        let large = DataType::LargeList(Arc::clone(&item));
        for (input, planned) in [
            (list.clone(), list.clone()),
            (large.clone(), large.clone()),
            (DataType::FixedSizeList(Arc::clone(&item), 3), list.clone()),
            (DataType::ListView(Arc::clone(&item)), list.clone()),
            (DataType::LargeListView(Arc::clone(&item)), large.clone()),
        ] {
            assert_eq!(
                coerce_list_type("f", "list", &input).unwrap(),
                planned,
                "{input}"
            );
        }
        assert!(matches!(
            coerce_list_type("f", "list", &DataType::Null).unwrap(),
            DataType::List(field) if field.data_type() == &DataType::Null
        ));
        let err = coerce_list_type("f", "list", &DataType::Utf8).unwrap_err();
        assert!(
            err.to_string()
                .contains("f expects a list for argument 'list', got Utf8"),
            "{err}"
        );
    }

    #[test]
    fn direct_callers_get_fixed_size_lists_cast() {
        let fixed: ArrayRef = Arc::new(FixedSizeListArray::new(
            Arc::new(Field::new_list_field(DataType::Int32, true)),
            2,
            Arc::new(Int32Array::from(vec![1, 2, 3, 4])),
            None,
        ));
        let list = planned_list("f", "list", &fixed).unwrap();
        let list = list.as_list::<i32>();
        assert_eq!(list.len(), 2);
        assert_eq!(list.value(1).as_primitive::<Int32Type>().values(), &[3, 4]);
    }
}
