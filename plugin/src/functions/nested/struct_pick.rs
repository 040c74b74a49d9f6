//! `struct_pick(struct, field_name, ...)`: a struct of some fields only.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::{DOC_SECTION, invoke_on_arrays};

const NAME: &str = "struct_pick";
const ALIASES: [&str; 1] = ["struct_select"];
const PARAMETERS: [&str; 2] = ["struct", "field_name"];

/// `struct_pick(struct, field_name, ...)` (alias `struct_select`): a struct
/// holding only the named fields of `struct`, in the order the names are
/// given.
///
/// Names are string literals matched exactly (case-sensitive); an unknown
/// name is a plan error listing the struct's fields, and naming a field
/// twice is a plan error too. Each picked field keeps its type, nullability
/// and metadata; a NULL struct gives NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StructPickFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for StructPickFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl StructPickFunc {
    /// The function with its `struct` and (repeated) `field_name`
    /// parameter names and its alias.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: ALIASES.iter().map(|alias| alias.to_string()).collect(),
        }
    }
}

/// The fields of the `struct` argument's type.
fn struct_fields(data_type: &DataType) -> Result<&Fields> {
    match data_type {
        DataType::Struct(fields) => Ok(fields),
        other => plan_err!(
            "{NAME} expects a struct for argument '{}', got {other}",
            PARAMETERS[0]
        ),
    }
}

/// The picked fields, in the order of `names`.
fn pick_fields(fields: &Fields, names: &[&str]) -> Result<Fields> {
    let mut picked: Vec<FieldRef> = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        if names[..index].contains(name) {
            return plan_err!("{NAME}: field '{name}' is named more than once");
        }
        match fields.find(name) {
            Some((_, field)) => picked.push(Arc::clone(field)),
            None => {
                let known: Vec<&str> = fields.iter().map(|field| field.name().as_str()).collect();
                return plan_err!(
                    "{NAME}: the struct has no field '{name}'; its fields are: {}",
                    known.join(", ")
                );
            }
        }
    }
    Ok(picked.into())
}

impl ScalarUDFImpl for StructPickFunc {
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
        if arg_types.len() < 2 {
            return plan_err!(
                "{NAME} expects a struct followed by at least one '{}' argument, got {} argument{}",
                PARAMETERS[1],
                arg_types.len(),
                if arg_types.len() == 1 { "" } else { "s" }
            );
        }
        struct_fields(&arg_types[0])?;
        let mut planned = vec![arg_types[0].clone()];
        for (index, data_type) in arg_types.iter().enumerate().skip(1) {
            planned.push(match data_type {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => data_type.clone(),
                DataType::Null => DataType::Utf8,
                other => {
                    return plan_err!(
                        "{NAME}: argument '{}' (argument {}) must be a string literal, got {other}",
                        PARAMETERS[1],
                        index + 1
                    );
                }
            });
        }
        Ok(planned)
    }

    /// The result type depends on the names' values, which only
    /// [`Self::return_field_from_args`] sees.
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("{NAME}: the result type depends on the field names; use return_field_from_args")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let Some((first, _)) = args.arg_fields.split_first() else {
            return plan_err!(
                "{NAME} expects a struct followed by at least one 'field_name' argument, got 0 arguments"
            );
        };
        let fields = struct_fields(first.data_type())?;
        let names = (1..args.arg_fields.len())
            .map(|index| {
                let position = index + 1;
                let parameter = PARAMETERS[1];
                match args.scalar_arguments.get(index).copied().flatten() {
                    Some(value) if value.is_null() => plan_err!(
                        "{NAME}: argument '{parameter}' (argument {position}) must be a string literal, got NULL"
                    ),
                    Some(value) => match value.try_as_str().flatten() {
                        Some(name) => Ok(name),
                        None => plan_err!(
                            "{NAME}: argument '{parameter}' (argument {position}) must be a string literal, got {}",
                            value.data_type()
                        ),
                    },
                    None => plan_err!(
                        "{NAME}: argument '{parameter}' (argument {position}) must be a string literal"
                    ),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        if names.is_empty() {
            return plan_err!(
                "{NAME} expects a struct followed by at least one 'field_name' argument, got 1 argument"
            );
        }
        let picked = pick_fields(fields, &names)?;
        Ok(Arc::new(Field::new(NAME, DataType::Struct(picked), true)))
    }

    fn is_strict(&self) -> bool {
        true
    }

    /// The picked names are read back from the planned return type, which
    /// reaches the kernel on every path (the field names arrive through the
    /// FFI as arrays, empty for an empty batch).
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::Struct(picked) = args.return_field.data_type() else {
            return exec_err!(
                "{NAME}: planned result type is {}, not a struct",
                args.return_field.data_type()
            );
        };
        invoke_on_arrays(&args.args[..1], |arrays| pick(&arrays[0], picked))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Reuses the picked child arrays and the struct's validity: no value is
/// copied.
fn pick(value: &ArrayRef, picked: &Fields) -> Result<ArrayRef> {
    let Some(input) = value.as_struct_opt() else {
        return exec_err!(
            "{NAME} expects a struct for argument '{}', got {}",
            PARAMETERS[0],
            value.data_type()
        );
    };
    let columns = picked
        .iter()
        .map(|field| match input.column_by_name(field.name()) {
            Some(column) => Ok(Arc::clone(column)),
            None => exec_err!("{NAME}: the struct has no field '{}'", field.name()),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(StructArray::try_new_with_length(
        picked.clone(),
        columns,
        input.nulls().cloned(),
        input.len(),
    )?))
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns a struct holding only the named fields of `struct`, in the order the names \
         are given. Names are string literals matched exactly; an unknown or repeated name is \
         an error. A NULL struct gives NULL.",
        "struct_pick(struct, field_name[, field_name, ...])",
    )
    .with_sql_example(
        r#"```sql
> SELECT struct_pick(named_struct('a', 1, 'b', 'x', 'c', true), 'c', 'a');
+---------------------------------------------------------------------------------------------------------------+
| struct_pick(named_struct(Utf8("a"),Int64(1),Utf8("b"),Utf8("x"),Utf8("c"),Boolean(true)),Utf8("c"),Utf8("a")) |
+---------------------------------------------------------------------------------------------------------------+
| {c: true, a: 1}                                                                                               |
+---------------------------------------------------------------------------------------------------------------+
```"#,
    )
    .with_argument("struct", "The struct to pick from.")
    .with_argument(
        "field_name",
        "The name of a field to keep (a string literal); repeat for more fields.",
    )
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{BooleanArray, Int64Array, StringArray};
    use datafusion::arrow::buffer::NullBuffer;
    use datafusion::common::ScalarValue;
    use datafusion::common::config::ConfigOptions;

    use super::*;
    use crate::functions::test_support::sql_value;

    fn sample() -> StructArray {
        StructArray::new(
            Fields::from(vec![
                Field::new("a", DataType::Int64, true),
                Field::new("b", DataType::Utf8, false),
                Field::new("c", DataType::Boolean, true),
            ]),
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
                Arc::new(StringArray::from(vec!["x", "y", "z"])),
                Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
            ],
            Some(NullBuffer::from(vec![true, true, false])),
        )
    }

    /// Plans (with `names` as literals) and invokes like the executor.
    fn run(input: ArrayRef, names: &[&str]) -> Result<ArrayRef> {
        let func = StructPickFunc::new();
        let mut args = vec![ColumnarValue::Array(Arc::clone(&input))];
        args.extend(
            names
                .iter()
                .map(|name| ColumnarValue::Scalar(ScalarValue::Utf8(Some(name.to_string())))),
        );
        let arg_fields: Vec<FieldRef> = args
            .iter()
            .map(|arg| Arc::new(Field::new("arg", arg.data_type(), true)))
            .collect();
        let literals: Vec<ScalarValue> = names
            .iter()
            .map(|name| ScalarValue::Utf8(Some(name.to_string())))
            .collect();
        let scalars: Vec<Option<&ScalarValue>> = std::iter::once(None)
            .chain(literals.iter().map(Some))
            .collect();
        let return_field = func.return_field_from_args(ReturnFieldArgs {
            arg_fields: &arg_fields,
            scalar_arguments: &scalars,
        })?;
        func.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields,
            number_rows: input.len(),
            return_field,
            config_options: Arc::new(ConfigOptions::default()),
        })?
        .into_array(input.len())
    }

    #[test]
    fn picks_in_the_given_order_and_keeps_struct_nulls() {
        let result = run(Arc::new(sample()), &["c", "a"]).unwrap();
        let result = result.as_struct();
        let names: Vec<_> = result.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, vec!["c", "a"]);
        assert_eq!(result.nulls().unwrap().null_count(), 1);
        assert!(result.is_null(2));
        assert_eq!(
            result
                .column(1)
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                .iter()
                .collect::<Vec<_>>(),
            vec![Some(1), None, Some(3)]
        );
        assert_eq!(result.fields()[0].as_ref(), sample().fields()[2].as_ref());
    }

    #[test]
    fn sliced_struct_keeps_its_window() {
        let input = sample().slice(1, 2);
        let result = run(Arc::new(input), &["b"]).unwrap();
        let strings: Vec<_> = result
            .as_struct()
            .column(0)
            .as_string::<i32>()
            .iter()
            .collect();
        assert_eq!(strings, vec![Some("y"), Some("z")]);
        assert!(result.is_null(1));
    }

    #[test]
    fn unknown_repeated_and_non_literal_names_are_plan_errors() {
        let err = run(Arc::new(sample()), &["a", "nope"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("struct_pick: the struct has no field 'nope'; its fields are: a, b, c"),
            "{err}"
        );
        let err = run(Arc::new(sample()), &["a", "a"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("struct_pick: field 'a' is named more than once"),
            "{err}"
        );
        let func = StructPickFunc::new();
        let fields: Vec<FieldRef> = [sample().data_type().clone(), DataType::Utf8]
            .into_iter()
            .map(|data_type| Arc::new(Field::new("arg", data_type, true)))
            .collect();
        for (literal, message) in [
            (
                None,
                "struct_pick: argument 'field_name' (argument 2) must be a string literal",
            ),
            (
                Some(ScalarValue::Utf8(None)),
                "struct_pick: argument 'field_name' (argument 2) must be a string literal, got NULL",
            ),
        ] {
            let err = func
                .return_field_from_args(ReturnFieldArgs {
                    arg_fields: &fields,
                    scalar_arguments: &[None, literal.as_ref()],
                })
                .unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
        let err = func
            .coerce_types(&[sample().data_type().clone(), DataType::Int64])
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "struct_pick: argument 'field_name' (argument 2) must be a string literal, got Int64"
            ),
            "{err}"
        );
        let err = func
            .coerce_types(&[DataType::Int64, DataType::Utf8])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("struct_pick expects a struct for argument 'struct', got Int64"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_alias_named_arguments_and_null_struct() {
        let expected = sql_value("SELECT named_struct('c', true, 'a', 1)")
            .await
            .unwrap();
        for sql in [
            "SELECT struct_pick(named_struct('a', 1, 'b', 'x', 'c', true), 'c', 'a')",
            "SELECT struct_select(named_struct('a', 1, 'b', 'x', 'c', true), 'c', 'a')",
        ] {
            assert_eq!(sql_value(sql).await.unwrap(), expected, "{sql}");
        }
        assert_eq!(
            sql_value(
                "SELECT struct_pick(struct => named_struct('a', 1, 'b', 2), field_name => 'b')"
            )
            .await
            .unwrap(),
            sql_value("SELECT named_struct('b', 2)").await.unwrap()
        );
        let null =
            sql_value("SELECT struct_pick(CASE WHEN false THEN named_struct('a', 1) END, 'a')")
                .await
                .unwrap();
        assert!(null.is_null(), "{null:?}");
        let err = sql_value("SELECT struct_pick(named_struct('a', 1), 'A')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("struct_pick: the struct has no field 'A'; its fields are: a"),
            "{err}"
        );
    }
}
