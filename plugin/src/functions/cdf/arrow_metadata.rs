//! `arrow_metadata(expr[, key])`: the Arrow field metadata of an
//! expression.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{MapBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::DOC_SECTION;
use crate::functions::string_args::StringArg;

const NAME: &str = "arrow_metadata";
const EXPR: &str = "expr";
const KEY: &str = "key";
const PARAMETERS: [&str; 2] = [EXPR, KEY];

/// `arrow_metadata(expr[, key])`: the metadata of `expr`'s Arrow field —
/// the value for `key` (`Utf8`, NULL when absent), or without `key` all of
/// it as a `Map<Utf8, Utf8>` sorted by key. Every row gets the same value,
/// because metadata belongs to the schema, not to the rows.
///
/// This replaces DataFusion's built-in function of the same name in a
/// session the plugin is installed into. Unlike the built-in, it also works
/// through the FFI, where every argument (the `key` literal too) arrives
/// as an array.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrowMetadataFunc {
    signature: Signature,
}

impl Default for ArrowMetadataFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl ArrowMetadataFunc {
    /// The function with parameter names `expr` and `key`; `key` is
    /// optional.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

/// `Map<Utf8, Utf8>` spelled as `MapBuilder` builds it (and as DataFusion's
/// built-in `arrow_metadata` returns it).
fn map_type() -> DataType {
    let entries = Fields::from(vec![
        Field::new("keys", DataType::Utf8, false),
        Field::new("values", DataType::Utf8, true),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

fn not_a_literal() -> String {
    format!("{NAME}: argument '{KEY}' must be a string literal")
}

impl ScalarUDFImpl for ArrowMetadataFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Nothing is cast: a cast would wrap the `key` literal, and the planner
    /// only shows `return_field_from_args` the arguments that are bare
    /// literals.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [_] => Ok(arg_types.to_vec()),
            [
                _,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null,
            ] => Ok(arg_types.to_vec()),
            [_, other] => plan_err!("{}, got {other}", not_a_literal()),
            other => plan_err!(
                "{NAME} expects 1 or 2 arguments ({EXPR}[, {KEY}]), got {}",
                other.len()
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.len() {
            1 => Ok(map_type()),
            2 => Ok(DataType::Utf8),
            other => plan_err!("{NAME} expects 1 or 2 arguments ({EXPR}[, {KEY}]), got {other}"),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields.len() {
            // A map, possibly empty, but never NULL.
            1 => Ok(Arc::new(Field::new(NAME, map_type(), false))),
            2 => match args.scalar_arguments.get(1) {
                Some(Some(ScalarValue::Null)) => {
                    Ok(Arc::new(Field::new(NAME, DataType::Utf8, true)))
                }
                Some(Some(key)) if key.try_as_str().is_some() => {
                    Ok(Arc::new(Field::new(NAME, DataType::Utf8, true)))
                }
                _ => plan_err!("{}", not_a_literal()),
            },
            other => plan_err!("{NAME} expects 1 or 2 arguments ({EXPR}[, {KEY}]), got {other}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some(field) = args.arg_fields.first() else {
            return exec_err!("{NAME} expects 1 or 2 arguments ({EXPR}[, {KEY}]), got 0");
        };
        let metadata = field.metadata();
        let rows = args.number_rows;
        match args.args.as_slice() {
            [expr] => {
                let map = metadata_map(metadata)?;
                Ok(match expr {
                    ColumnarValue::Scalar(_) => ColumnarValue::Scalar(map),
                    ColumnarValue::Array(_) => ColumnarValue::Array(map.to_array_of_size(rows)?),
                })
            }
            [expr, key] => {
                let key = StringArg::try_new(NAME, KEY, key)?;
                let lookup = |row| {
                    key.value(row)
                        .and_then(|key| metadata.get(key))
                        .map(String::as_str)
                };
                if let (ColumnarValue::Scalar(_), Some(_)) = (expr, key.as_scalar()) {
                    let value = lookup(0).map(str::to_owned);
                    return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(value)));
                }
                // Through the FFI the key literal arrives as a column of
                // one repeated value, so look it up row by row.
                let mut builder = StringBuilder::with_capacity(rows, rows.saturating_mul(8));
                for row in 0..rows {
                    builder.append_option(lookup(row));
                }
                Ok(ColumnarValue::Array(Arc::new(builder.finish())))
            }
            other => exec_err!(
                "{NAME} expects 1 or 2 arguments ({EXPR}[, {KEY}]), got {}",
                other.len()
            ),
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// All of `metadata` as a one-row map scalar, entries sorted by key so the
/// result does not depend on hash order.
fn metadata_map(metadata: &HashMap<String, String>) -> Result<ScalarValue> {
    let mut entries: Vec<_> = metadata.iter().collect();
    entries.sort_unstable();
    let mut builder = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for (key, value) in entries {
        builder.keys().append_value(key);
        builder.values().append_value(value);
    }
    builder.append(true)?;
    Ok(ScalarValue::Map(Arc::new(builder.finish())))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the Arrow field metadata of `expr`: with `key`, the value for that key \
         (Utf8, NULL when absent or when `key` is NULL); without, all of it as a \
         Map<Utf8, Utf8> sorted by key. Every row gets the same value. `key` must be a \
         string literal. Replaces DataFusion's built-in `arrow_metadata` in a session the \
         plugin is installed into, and works through the plugin boundary.",
        "arrow_metadata(expr[, key])",
    )
    .with_sql_example(
        r#"```sql
> SELECT arrow_metadata(semantic_tag('Span', 42), 'semantic_type') AS tag;
+------+
| tag  |
+------+
| Span |
+------+
> SELECT arrow_metadata(semantic_tag('Span', 42)) AS all_metadata;
+-----------------------+
| all_metadata          |
+-----------------------+
| {semantic_type: Span} |
+-----------------------+
```"#,
    )
    .with_argument("expr", "Any expression; only its field's metadata is read.")
    .with_argument("key", "Optional string literal: the metadata key to read.")
    .with_related_udf("semantic_tag")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray, Int64Array};
    use datafusion::common::config::ConfigOptions;

    use super::*;
    use crate::functions::test_support::{session, sql_value};

    fn call(args: Vec<ColumnarValue>, metadata: &[(&str, &str)], rows: usize) -> ColumnarValue {
        let metadata = metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut arg_fields = vec![Arc::new(
            Field::new("x", DataType::Int64, true).with_metadata(metadata),
        )];
        if args.len() == 2 {
            arg_fields.push(Arc::new(Field::new("k", DataType::Utf8, true)));
        }
        let udf = ArrowMetadataFunc::new();
        let arg_types: Vec<_> = args.iter().map(ColumnarValue::data_type).collect();
        udf.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields,
            number_rows: rows,
            return_field: Arc::new(Field::new(NAME, udf.return_type(&arg_types).unwrap(), true)),
            config_options: Arc::new(ConfigOptions::default()),
        })
        .unwrap()
    }

    fn column() -> ColumnarValue {
        ColumnarValue::Array(Arc::new(Int64Array::from(vec![1, 2, 3])))
    }

    #[test]
    fn key_lookup_as_the_ffi_calls_it() {
        let keys =
            ColumnarValue::Array(Arc::new(datafusion::arrow::array::StringArray::from(vec![
                Some("a"),
                Some("zz"),
                None,
            ])));
        let result = call(vec![column(), keys], &[("a", "1")], 3)
            .into_array(3)
            .unwrap();
        assert_eq!(
            result.as_string::<i32>().iter().collect::<Vec<_>>(),
            vec![Some("1"), None, None]
        );
    }

    #[test]
    fn whole_map_is_sorted_and_repeated() {
        let result = call(vec![column()], &[("b", "2"), ("a", "1")], 3)
            .into_array(3)
            .unwrap();
        let maps = result.as_map();
        assert_eq!(maps.len(), 3);
        assert_eq!(result.data_type(), &map_type());
        for row in 0..3 {
            let entries = maps.value(row);
            let keys = entries.column(0).as_string::<i32>();
            let values = entries.column(1).as_string::<i32>();
            assert_eq!(keys.iter().collect::<Vec<_>>(), vec![Some("a"), Some("b")]);
            assert_eq!(
                values.iter().collect::<Vec<_>>(),
                vec![Some("1"), Some("2")]
            );
        }
        let scalar = call(
            vec![ColumnarValue::Scalar(ScalarValue::Int64(Some(1)))],
            &[],
            1,
        );
        let ColumnarValue::Scalar(ScalarValue::Map(map)) = scalar else {
            panic!("a scalar in gives a scalar map out");
        };
        assert_eq!((map.len(), map.value(0).len()), (1, 0));
    }

    #[test]
    fn key_must_be_a_string_literal() {
        let udf = ArrowMetadataFunc::new();
        let fields = [
            Arc::new(Field::new("x", DataType::Int64, true)),
            Arc::new(Field::new("k", DataType::Utf8, true)),
        ];
        let err = udf
            .return_field_from_args(ReturnFieldArgs {
                arg_fields: &fields,
                scalar_arguments: &[None, None],
            })
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("arrow_metadata: argument 'key' must be a string literal"),
            "{err}"
        );
        let err = udf
            .coerce_types(&[DataType::Int64, DataType::Int64])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("arrow_metadata: argument 'key' must be a string literal, got Int64"),
            "{err}"
        );
        assert!(udf.coerce_types(&[]).is_err());
    }

    #[tokio::test]
    async fn sql_reads_semantic_tags_and_replaces_the_built_in() {
        assert_eq!(
            sql_value("SELECT arrow_metadata(semantic_tag('Span', column1), 'semantic_type') FROM (VALUES (1))")
                .await
                .unwrap(),
            ScalarValue::Utf8(Some("Span".into()))
        );
        assert_eq!(
            sql_value("SELECT arrow_metadata(expr => semantic_tag('Span', 1), key => 'nope')")
                .await
                .unwrap(),
            ScalarValue::Utf8(None)
        );
        // The built-in only fails at execution; ours refuses at planning.
        let err = session()
            .sql("SELECT arrow_metadata(column1, column1) FROM (VALUES ('k'))")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("arrow_metadata: argument 'key' must be a string literal"),
            "{err}"
        );
    }
}
