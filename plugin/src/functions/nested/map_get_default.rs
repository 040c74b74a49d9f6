//! `map_get_default(map, key, default)`: a map lookup with a fallback.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, UInt32Array};
use datafusion::arrow::compute::kernels::zip::zip;
use datafusion::arrow::compute::{can_cast_types, is_not_null, take};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr_common::datum::compare_with_eq;

use super::{DOC_SECTION, cast_in_kernel, check_arity, invoke_on_arrays};

const NAME: &str = "map_get_default";
const PARAMETERS: [&str; 3] = ["map", "key", "default"];

/// `map_get_default(map, key, default)`: the value of the first entry of
/// `map` whose key equals `key`, or `default` when there is none.
///
/// It is exactly `COALESCE(<value of the first entry with that key>,
/// default)`: a NULL map, a NULL key, an absent key and a first matching
/// entry whose value is NULL all give `default` (which may itself be NULL).
/// A later entry with the same key is never consulted. `key` is cast to the
/// map's key type and `default` to its value type, which is the result type.
/// Keys compare as in DataFusion's `=` (floats by IEEE total order).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MapGetDefaultFunc {
    signature: Signature,
}

impl Default for MapGetDefaultFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl MapGetDefaultFunc {
    /// The function with its `map`, `key` and `default` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

/// The key and value types of a map type, `None` for the untyped NULL.
fn entry_types(data_type: &DataType) -> Result<Option<(DataType, DataType)>> {
    match data_type {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(fields) if fields.len() == 2 => Ok(Some((
                fields[0].data_type().clone(),
                fields[1].data_type().clone(),
            ))),
            other => plan_err!("{NAME}: malformed map entries type {other}"),
        },
        DataType::Null => Ok(None),
        other => plan_err!(
            "{NAME} expects a map for argument '{}', got {other}",
            PARAMETERS[0]
        ),
    }
}

/// Refuses an argument `parameter` of type `data_type` that cannot be cast
/// to the map's `role` (key or value) type `target`.
fn check_castable(
    parameter: &str,
    role: &str,
    data_type: &DataType,
    target: &DataType,
) -> Result<()> {
    if data_type == target || can_cast_types(data_type, target) {
        Ok(())
    } else {
        plan_err!(
            "{NAME} expects argument '{parameter}' to be castable to {target} \
             (the map's {role} type), got {data_type}"
        )
    }
}

impl ScalarUDFImpl for MapGetDefaultFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(NAME, &PARAMETERS, 3, arg_types)?;
        if let Some((key_type, value_type)) = entry_types(&arg_types[0])? {
            check_castable(PARAMETERS[1], "key", &arg_types[1], &key_type)?;
            check_castable(PARAMETERS[2], "value", &arg_types[2], &value_type)?;
        }
        // Key and default keep their types and are cast by the kernel (see
        // `cast_in_kernel`); a NULL map always gives the default.
        Ok(arg_types.to_vec())
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_arity(NAME, &PARAMETERS, 3, arg_types)?;
        Ok(match entry_types(&arg_types[0])? {
            Some((_, value_type)) => value_type,
            None => arg_types[2].clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_on_arrays(&args.args, |arrays| {
            let [map, key, default] = arrays else {
                return exec_err!("{NAME} expects 3 arguments, got {}", arrays.len());
            };
            match map.data_type() {
                DataType::Map(..) => get_default(map.as_map(), key, default),
                DataType::Null => Ok(Arc::clone(default)),
                other => exec_err!(
                    "{NAME} expects a map for argument '{}', got {other}",
                    PARAMETERS[0]
                ),
            }
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Every entry is compared with its own row's key in one comparison kernel
/// call; the first hit of each row is then found by walking the set bits in
/// order, and one `take` plus one `zip` build the result.
fn get_default(map: &MapArray, key: &ArrayRef, default: &ArrayRef) -> Result<ArrayRef> {
    let offsets = map.value_offsets();
    let first = offsets[0] as usize;
    let last = offsets[map.len()] as usize;
    let keys = map.keys().slice(first, last - first);
    let values = map.values().slice(first, last - first);
    let key = cast_in_kernel(key, keys.data_type())?;
    let default = cast_in_kernel(default, values.data_type())?;

    let entry_rows: UInt32Array = offsets
        .windows(2)
        .enumerate()
        .flat_map(|(row, window)| std::iter::repeat_n(row as u32, (window[1] - window[0]) as usize))
        .collect();
    let probe = take(&key, &entry_rows, None)?;
    let equal = compare_with_eq(&keys, &probe, keys.data_type().is_nested())?;
    let hits = match equal.nulls() {
        Some(nulls) => equal.values() & nulls.inner(),
        None => equal.values().clone(),
    };

    let mut found: Vec<Option<u32>> = vec![None; map.len()];
    let mut row = 0;
    for entry in hits.set_indices() {
        while (offsets[row + 1] as usize) - first <= entry {
            row += 1;
        }
        if found[row].is_none() && map.is_valid(row) {
            found[row] = Some(entry as u32);
        }
    }
    let looked_up = take(&values, &UInt32Array::from(found), None)?;
    Ok(zip(&is_not_null(&looked_up)?, &looked_up, &default)?)
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the value of the first entry of the map whose key equals `key`, or `default` \
         when there is none: exactly COALESCE(<first value for key>, default). A NULL map, a \
         NULL key, an absent key or a NULL value all give `default`. The result has the map's \
         value type.",
        "map_get_default(map, key, default)",
    )
    .with_sql_example(
        r#"```sql
> SELECT map_get_default(MAP {'a': 1, 'b': NULL}, 'b', 0);
+----------------------------------------------------------------------------------------------------+
| map_get_default(map(make_array(Utf8("a"),Utf8("b")),make_array(Int64(1),NULL)),Utf8("b"),Int64(0)) |
+----------------------------------------------------------------------------------------------------+
| 0                                                                                                  |
+----------------------------------------------------------------------------------------------------+
```"#,
    )
    .with_argument("map", "The map to look in.")
    .with_argument("key", "The key to look up, cast to the map's key type.")
    .with_argument(
        "default",
        "The value when the key has no non-NULL value, cast to the map's value type.",
    )
    .with_related_udf("map_normalize")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{
        Int64Array, Int64Builder, ListArray, MapBuilder, StringArray, StringBuilder,
    };
    use datafusion::arrow::datatypes::{Field, Int64Type};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    type Entries<'a> = &'a [(&'a str, Option<i64>)];

    /// Rows of `(key, value)` entries; `None` is a NULL map.
    fn string_map(rows: &[Option<Entries<'_>>]) -> MapArray {
        let mut builder = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
        for row in rows {
            match row {
                Some(entries) => {
                    for (key, value) in *entries {
                        builder.keys().append_value(key);
                        builder.values().append_option(*value);
                    }
                    builder.append(true).unwrap();
                }
                None => builder.append(false).unwrap(),
            }
        }
        builder.finish()
    }

    fn run(map: ArrayRef, key: ColumnarValue, default: ColumnarValue) -> Vec<Option<i64>> {
        let rows = map.len();
        invoke(
            &MapGetDefaultFunc::new(),
            vec![ColumnarValue::Array(map), key, default],
            rows,
        )
        .unwrap()
        .into_array(rows)
        .unwrap()
        .as_primitive::<Int64Type>()
        .iter()
        .collect()
    }

    fn text(value: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(value.into())))
    }

    fn int(value: Option<i64>) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Int64(value))
    }

    #[test]
    fn first_match_then_default_for_every_kind_of_miss() {
        let map = string_map(&[
            Some(&[("a", Some(1)), ("b", None)]),
            None,
            Some(&[]),
            Some(&[("a", Some(5)), ("a", Some(6))]),
            Some(&[("a", None), ("a", Some(7))]),
            Some(&[("A", Some(8))]),
        ]);
        assert_eq!(
            run(Arc::new(map), text("a"), int(Some(-1))),
            vec![Some(1), Some(-1), Some(-1), Some(5), Some(-1), Some(-1)]
        );
    }

    #[test]
    fn keys_and_defaults_per_row() {
        let map = string_map(&[
            Some(&[("a", Some(1)), ("b", Some(2))]),
            Some(&[("a", Some(1)), ("b", Some(2))]),
            Some(&[("a", Some(1)), ("b", None)]),
            Some(&[("a", Some(1))]),
        ]);
        let keys = StringArray::from(vec![Some("b"), None, Some("b"), Some("z")]);
        let defaults = Int64Array::from(vec![Some(10), Some(20), None, Some(40)]);
        assert_eq!(
            run(
                Arc::new(map),
                ColumnarValue::Array(Arc::new(keys)),
                ColumnarValue::Array(Arc::new(defaults))
            ),
            vec![Some(2), Some(20), None, Some(40)]
        );
    }

    #[test]
    fn sliced_map_reads_only_its_own_rows() {
        let map = string_map(&[
            Some(&[("a", Some(1))]),
            Some(&[("b", Some(2)), ("a", Some(3))]),
            Some(&[("a", Some(4))]),
        ]);
        let sliced = map.slice(1, 2);
        assert_eq!(
            run(Arc::new(sliced), text("a"), int(None)),
            vec![Some(3), Some(4)]
        );
    }

    #[test]
    fn untyped_null_map_gives_the_default() {
        let result = invoke(
            &MapGetDefaultFunc::new(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Null),
                text("a"),
                int(Some(3)),
            ],
            1,
        )
        .unwrap();
        assert!(matches!(
            result,
            ColumnarValue::Scalar(ScalarValue::Int64(Some(3)))
        ));
    }

    #[test]
    fn coercion_casts_key_and_default_and_refuses_the_rest() {
        let map = string_map(&[]).data_type().clone();
        let func = MapGetDefaultFunc::new();
        let castable = vec![map.clone(), DataType::Null, DataType::Int32];
        assert_eq!(func.coerce_types(&castable).unwrap(), castable);
        let list = DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true)));
        let err = func
            .coerce_types(&[map.clone(), DataType::Utf8, list])
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "map_get_default expects argument 'default' to be castable to Int64 (the map's value type), got List"
            ),
            "{err}"
        );
        let err = func
            .coerce_types(&[DataType::Utf8, DataType::Utf8, DataType::Utf8])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("map_get_default expects a map for argument 'map', got Utf8"),
            "{err}"
        );
        let err = func.coerce_types(&[map]).unwrap_err();
        assert!(
            err.to_string()
                .contains("map_get_default expects 3 arguments (map, key, default), got 1"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_key_types_nested_values_and_named_arguments() {
        for (sql, expected) in [
            (
                "SELECT map_get_default(MAP {'a': 1, 'b': NULL}, 'b', 0)",
                ScalarValue::Int64(Some(0)),
            ),
            (
                "SELECT map_get_default(map => MAP {1: 'x', 2: 'y'}, key => 2, default => '-')",
                ScalarValue::Utf8(Some("y".into())),
            ),
            (
                "SELECT map_get_default(MAP {true: 1.5}, false, 0)",
                ScalarValue::Float64(Some(0.0)),
            ),
            (
                "SELECT map_get_default(MAP {DATE '2024-01-02': 'jan2'}, '2024-01-02', '-')",
                ScalarValue::Utf8(Some("jan2".into())),
            ),
            (
                "SELECT map_get_default(MAP {'a': arrow_cast(1, 'Int16')}, 'z', 7)",
                ScalarValue::Int16(Some(7)),
            ),
            (
                "SELECT map_get_default(NULL, 'a', 'fallback')",
                ScalarValue::Utf8(Some("fallback".into())),
            ),
        ] {
            assert_eq!(sql_value(sql).await.unwrap(), expected, "{sql}");
        }
        let list = sql_value("SELECT map_get_default(MAP {'k': [1, 2]}, 'z', [9])")
            .await
            .unwrap();
        let ScalarValue::List(list) = list else {
            panic!("{list:?}")
        };
        let list: &ListArray = list.as_ref();
        assert_eq!(list.value(0).as_primitive::<Int64Type>().values(), &[9]);
    }
}
