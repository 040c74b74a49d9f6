//! `semantic_tag(semantic_type, value)`: `value` unchanged, its field
//! tagged with `semantic_type` metadata.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::DOC_SECTION;

const NAME: &str = "semantic_tag";
const SEMANTIC_TYPE: &str = "semantic_type";
const VALUE: &str = "value";
const PARAMETERS: [&str; 2] = [SEMANTIC_TYPE, VALUE];

/// The field metadata key `semantic_tag` sets (and `arrow_metadata` reads).
pub const SEMANTIC_TYPE_KEY: &str = "semantic_type";

/// `semantic_tag(semantic_type, value)`: `value` unchanged, of its own type,
/// with the return field's metadata `semantic_type = <semantic_type>`.
///
/// The tag lives in the schema, not in the data, so it must be known at
/// planning: `semantic_type` has to be a non-empty string literal. Metadata
/// already on the value's field is kept; only the `semantic_type` key is
/// replaced.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SemanticTagFunc {
    signature: Signature,
}

impl Default for SemanticTagFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SemanticTagFunc {
    /// The function with its `semantic_type` and `value` parameter names.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for SemanticTagFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Nothing is cast: a cast would wrap the literal, and the planner only
    /// shows `return_field_from_args` the arguments that are bare literals.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [semantic_type, value] = arg_types else {
            return plan_err!(
                "{NAME} expects 2 arguments ({SEMANTIC_TYPE}, {VALUE}), got {}",
                arg_types.len()
            );
        };
        if !matches!(
            semantic_type,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ) {
            return plan_err!("{}, got {semantic_type}", not_a_literal());
        }
        Ok(vec![semantic_type.clone(), value.clone()])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [_, value] => Ok(value.clone()),
            other => plan_err!(
                "{NAME} expects 2 arguments ({SEMANTIC_TYPE}, {VALUE}), got {}",
                other.len()
            ),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let [_, value] = args.arg_fields else {
            return plan_err!(
                "{NAME} expects 2 arguments ({SEMANTIC_TYPE}, {VALUE}), got {}",
                args.arg_fields.len()
            );
        };
        let semantic_type = match args.scalar_arguments.first() {
            Some(Some(literal)) => match literal.try_as_str() {
                Some(Some(text)) => text,
                _ => return plan_err!("{}", not_a_literal()),
            },
            _ => return plan_err!("{}", not_a_literal()),
        };
        if semantic_type.is_empty() {
            return plan_err!("{NAME}: argument '{SEMANTIC_TYPE}' must not be empty");
        }
        let mut metadata = value.metadata().clone();
        metadata.insert(SEMANTIC_TYPE_KEY.to_owned(), semantic_type.to_owned());
        Ok(Arc::new(
            Field::new(NAME, value.data_type().clone(), value.is_nullable())
                .with_metadata(metadata),
        ))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The tag was put on the return field at planning; the values pass
        // through untouched (an array is shared, not copied).
        let [_, value] = take_function_args(NAME, args.args)?;
        Ok(value)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn not_a_literal() -> String {
    format!("{NAME}: argument '{SEMANTIC_TYPE}' must be a string literal")
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `value` unchanged, of its own type, with the field metadata \
         `semantic_type = <semantic_type>` (read it back with `arrow_metadata`). \
         `semantic_type` must be a non-empty string literal, since metadata is part of the \
         schema. Other metadata on the value's field is kept.",
        "semantic_tag(semantic_type, value)",
    )
    .with_sql_example(
        r#"```sql
> SELECT arrow_metadata(semantic_tag('Span', 42), 'semantic_type') AS tag;
+------+
| tag  |
+------+
| Span |
+------+
```"#,
    )
    .with_argument("semantic_type", "The tag (a non-empty string literal).")
    .with_argument("value", "The value to tag, of any type.")
    .with_related_udf("arrow_metadata")
    .build()
});

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use datafusion::arrow::array::{Array, Int64Array};
    use datafusion::common::ScalarValue;

    use super::*;
    use crate::functions::test_support::{invoke, session};

    fn field_for(semantic_type: Option<&ScalarValue>, value: Field) -> Result<FieldRef> {
        let fields = [
            Arc::new(Field::new("t", DataType::Utf8, false)),
            Arc::new(value),
        ];
        SemanticTagFunc::new().return_field_from_args(ReturnFieldArgs {
            arg_fields: &fields,
            scalar_arguments: &[semantic_type, None],
        })
    }

    #[test]
    fn tags_the_field_and_keeps_other_metadata() {
        let span = ScalarValue::Utf8(Some("Span".into()));
        let value = Field::new("v", DataType::Int64, false).with_metadata(HashMap::from([
            ("unit".to_owned(), "byte".to_owned()),
            (SEMANTIC_TYPE_KEY.to_owned(), "Old".to_owned()),
        ]));
        let field = field_for(Some(&span), value).unwrap();
        assert_eq!(field.data_type(), &DataType::Int64);
        assert!(!field.is_nullable());
        assert_eq!(
            field.metadata(),
            &HashMap::from([
                ("unit".to_owned(), "byte".to_owned()),
                (SEMANTIC_TYPE_KEY.to_owned(), "Span".to_owned()),
            ])
        );
    }

    #[test]
    fn semantic_type_must_be_a_non_empty_string_literal() {
        let value = || Field::new("v", DataType::Int64, true);
        for semantic_type in [None, Some(ScalarValue::Utf8(None))] {
            let err = field_for(semantic_type.as_ref(), value()).unwrap_err();
            assert!(
                err.to_string()
                    .contains("semantic_tag: argument 'semantic_type' must be a string literal"),
                "{err}"
            );
        }
        let empty = ScalarValue::Utf8(Some(String::new()));
        let err = field_for(Some(&empty), value()).unwrap_err();
        assert!(err.to_string().contains("must not be empty"), "{err}");
        let err = SemanticTagFunc::new()
            .coerce_types(&[DataType::Int64, DataType::Int64])
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "semantic_tag: argument 'semantic_type' must be a string literal, got Int64"
            ),
            "{err}"
        );
    }

    #[test]
    fn values_pass_through() {
        let values: Arc<dyn Array> = Arc::new(Int64Array::from(vec![Some(1), None]));
        let result = invoke(
            &SemanticTagFunc::new(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Utf8(Some("Span".into()))),
                ColumnarValue::Array(Arc::clone(&values)),
            ],
            2,
        )
        .unwrap();
        let ColumnarValue::Array(result) = result else {
            panic!("an array in gives an array out");
        };
        assert!(Arc::ptr_eq(&result, &values));
    }

    #[tokio::test]
    async fn sql_output_schema_carries_the_tag() {
        let df = session()
            .sql("SELECT semantic_tag(value => column1, semantic_type => 'Span') AS s FROM (VALUES (1), (2))")
            .await
            .unwrap();
        let batches = df.collect().await.unwrap();
        let field = batches[0].schema().field(0).clone();
        assert_eq!(field.data_type(), &DataType::Int64);
        assert_eq!(
            field.metadata().get(SEMANTIC_TYPE_KEY).map(String::as_str),
            Some("Span")
        );
        let err = session()
            .sql("SELECT semantic_tag(column1, column1) FROM (VALUES ('a'))")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("semantic_tag: argument 'semantic_type' must be a string literal"),
            "{err}"
        );
    }
}
