//! `span_make(bstart, bend, line_base, col_unit, end_exclusive)`: builds a
//! span struct, the last three arguments defaulting to the configuration.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, AsArray, BooleanArray, StringArray};
use datafusion::arrow::buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::DOC_SECTION;
use super::span_type::{SpanColumns, canonical_col_unit, span_data_type, span_return_field};
use crate::config::{CodeAnatomyConfig, resolve};
use crate::functions::int_args::{IntArg, coerce_int_type};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "span_make";
const BSTART: &str = "bstart";
const BEND: &str = "bend";
const LINE_BASE: &str = "line_base";
const COL_UNIT: &str = "col_unit";
const END_EXCLUSIVE: &str = "end_exclusive";
const PARAMETERS: [&str; 5] = [BSTART, BEND, LINE_BASE, COL_UNIT, END_EXCLUSIVE];

/// `span_make(bstart, bend[, line_base[, col_unit[, end_exclusive]]])`,
/// alias `span`: a span struct (see [`super::span_type`]).
///
/// Omitted trailing arguments take the session's `codeanatomy_udf.span_*`
/// settings, else the install-time defaults. Any NULL argument gives a NULL
/// span; an invalid one (`bstart > bend`, a negative offset, a `line_base`
/// other than 0/1, an unknown `col_unit`) is an execution error, because a
/// span that silently became NULL would later be mistaken for a missing one.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SpanMakeFunc {
    signature: Signature,
    aliases: Vec<String>,
    defaults: SpanDefaults,
}

/// The install-time defaults of the configurable arguments; only these
/// three keys matter to the function, so only they take part in its
/// equality and hash.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SpanDefaults {
    line_base: i32,
    col_unit: String,
    end_exclusive: bool,
}

impl SpanDefaults {
    fn as_config(&self) -> CodeAnatomyConfig {
        CodeAnatomyConfig {
            span_line_base: self.line_base,
            span_col_unit: self.col_unit.clone(),
            span_end_exclusive: self.end_exclusive,
            ..CodeAnatomyConfig::default()
        }
    }
}

impl Default for SpanMakeFunc {
    fn default() -> Self {
        Self::new(&CodeAnatomyConfig::default())
    }
}

impl SpanMakeFunc {
    /// The function with its five parameter names; `defaults` are the
    /// install-time values of the last three.
    pub fn new(defaults: &CodeAnatomyConfig) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["span".to_owned()],
            defaults: SpanDefaults {
                line_base: defaults.span_line_base,
                col_unit: defaults.span_col_unit.clone(),
                end_exclusive: defaults.span_end_exclusive,
            },
        }
    }
}

impl ScalarUDFImpl for SpanMakeFunc {
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
        if !(2..=PARAMETERS.len()).contains(&arg_types.len()) {
            return plan_err!(
                "{NAME} expects 2 to 5 arguments ({BSTART}, {BEND}[, {LINE_BASE}[, {COL_UNIT}[, \
                 {END_EXCLUSIVE}]]]), got {}",
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| match parameter {
                COL_UNIT => coerce_string_type(NAME, parameter, None, data_type),
                END_EXCLUSIVE => match data_type {
                    DataType::Boolean | DataType::Null => Ok(DataType::Boolean),
                    other => plan_err!(
                        "{NAME} expects a boolean for argument '{END_EXCLUSIVE}', got {other}"
                    ),
                },
                _ => coerce_int_type(NAME, parameter, data_type),
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(span_data_type())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(span_return_field(NAME))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !(2..=PARAMETERS.len()).contains(&args.args.len()) {
            return exec_err!("{NAME} expects 2 to 5 arguments, got {}", args.args.len());
        }
        let config = resolve(&args.config_options, &self.defaults.as_config())?;
        let given = |index: usize| args.args.get(index);
        let bstart = IntArg::try_new(NAME, BSTART, &args.args[0])?;
        let bend = IntArg::try_new(NAME, BEND, &args.args[1])?;
        let line_base = match given(2) {
            Some(value) => IntArg::try_new(NAME, LINE_BASE, value)?,
            None => IntArg::Scalar(Some(default_line_base(&config)?)),
        };
        let col_unit = match given(3) {
            Some(value) => StringArg::try_new(NAME, COL_UNIT, value)?,
            None => StringArg::Scalar(Some(default_col_unit(&config)?)),
        };
        let end_exclusive = match given(4) {
            Some(value) => BoolArg::try_new(value)?,
            None => BoolArg::Scalar(Some(config.span_end_exclusive)),
        };
        let inputs = Inputs {
            bstart,
            bend,
            line_base,
            col_unit,
            end_exclusive,
        };
        if inputs.all_scalar() {
            let spans = inputs.spans(1)?.into_array()?;
            return Ok(ColumnarValue::Scalar(ScalarValue::Struct(Arc::new(spans))));
        }
        let spans = inputs.spans(args.number_rows)?.into_array()?;
        Ok(ColumnarValue::Array(Arc::new(spans)))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The configured `line_base`, checked here because a bad `SET` value is
/// only discovered when a call needs it.
fn default_line_base(config: &CodeAnatomyConfig) -> Result<i64> {
    match config.span_line_base {
        base @ (0 | 1) => Ok(i64::from(base)),
        other => exec_err!(
            "{NAME}: the configured default {LINE_BASE} \
             (codeanatomy_udf.span_line_base = {other}) must be 0 or 1"
        ),
    }
}

fn default_col_unit(config: &CodeAnatomyConfig) -> Result<&'static str> {
    match canonical_col_unit(&config.span_col_unit) {
        Some(unit) => Ok(unit),
        None => exec_err!(
            "{NAME}: the configured default {COL_UNIT} (codeanatomy_udf.span_col_unit = '{}') \
             must be one of byte, utf8, utf16, utf32",
            config.span_col_unit
        ),
    }
}

/// The `end_exclusive` flag, scalar or per row.
enum BoolArg {
    Scalar(Option<bool>),
    Column(BooleanArray),
}

impl BoolArg {
    fn try_new(value: &ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(ScalarValue::Boolean(flag)) => Ok(Self::Scalar(*flag)),
            ColumnarValue::Scalar(ScalarValue::Null) => Ok(Self::Scalar(None)),
            ColumnarValue::Array(array) if array.data_type() == &DataType::Null => {
                Ok(Self::Scalar(None))
            }
            ColumnarValue::Array(array) => match array.as_boolean_opt() {
                Some(flags) => Ok(Self::Column(flags.clone())),
                None => exec_err!(
                    "{NAME} expects a boolean for argument '{END_EXCLUSIVE}', got {}",
                    array.data_type()
                ),
            },
            ColumnarValue::Scalar(other) => exec_err!(
                "{NAME} expects a boolean for argument '{END_EXCLUSIVE}', got {}",
                other.data_type()
            ),
        }
    }

    fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        match self {
            Self::Scalar(Some(_)) => None,
            Self::Scalar(None) => Some(NullBuffer::new_null(rows)),
            Self::Column(flags) => flags.logical_nulls(),
        }
    }
}

struct Inputs<'a> {
    bstart: IntArg,
    bend: IntArg,
    line_base: IntArg,
    col_unit: StringArg<'a>,
    end_exclusive: BoolArg,
}

impl Inputs<'_> {
    fn all_scalar(&self) -> bool {
        self.bstart.as_scalar().is_some()
            && self.bend.as_scalar().is_some()
            && self.line_base.as_scalar().is_some()
            && self.col_unit.as_scalar().is_some()
            && matches!(self.end_exclusive, BoolArg::Scalar(_))
    }

    fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        [
            self.bstart.nulls(rows),
            self.bend.nulls(rows),
            self.line_base.nulls(rows),
            self.col_unit.nulls(rows),
            self.end_exclusive.nulls(rows),
        ]
        .iter()
        .fold(None, |acc, nulls| {
            NullBuffer::union(acc.as_ref(), nulls.as_ref())
        })
    }

    /// The spans of `rows` rows, every non-NULL row checked.
    fn spans(&self, rows: usize) -> Result<SpanColumns> {
        let nulls = self.nulls(rows);
        let is_valid = |row: usize| nulls.as_ref().is_none_or(|nulls| nulls.is_valid(row));
        let bstart = int_values(&self.bstart, rows);
        let bend = int_values(&self.bend, rows);
        for (row, (&start, &end)) in bstart.iter().zip(bend.iter()).enumerate() {
            if (start < 0 || start > end) && is_valid(row) {
                return if start < 0 {
                    exec_err!(
                        "{NAME}: {BSTART} ({start}) is negative; span offsets are byte offsets \
                         from the start of the file"
                    )
                } else {
                    exec_err!("{NAME}: {BSTART} ({start}) is greater than {BEND} ({end})")
                };
            }
        }
        Ok(SpanColumns {
            bstart,
            bend,
            line_base: self.line_bases(rows, &is_valid)?,
            col_unit: self.col_units(rows, &is_valid)?,
            end_exclusive: match &self.end_exclusive {
                BoolArg::Scalar(Some(false)) => BooleanBuffer::new_unset(rows),
                BoolArg::Scalar(_) => BooleanBuffer::new_set(rows),
                BoolArg::Column(flags) => flags.values().clone(),
            },
            nulls,
        })
    }

    fn line_bases(
        &self,
        rows: usize,
        is_valid: &impl Fn(usize) -> bool,
    ) -> Result<ScalarBuffer<i32>> {
        let check = |base: i64| match base {
            0 | 1 => Ok(base as i32),
            other => exec_err!("{NAME}: {LINE_BASE} must be 0 or 1, got {other}"),
        };
        match &self.line_base {
            IntArg::Scalar(base) => {
                let base = base.map(check).transpose()?.unwrap_or(0);
                Ok(vec![base; rows].into())
            }
            IntArg::Column(bases) => bases
                .values()
                .iter()
                .enumerate()
                .map(|(row, &base)| if is_valid(row) { check(base) } else { Ok(0) })
                .collect(),
        }
    }

    fn col_units(&self, rows: usize, is_valid: &impl Fn(usize) -> bool) -> Result<StringArray> {
        let check = |text: &str| match canonical_col_unit(text) {
            Some(unit) => Ok(unit),
            None => exec_err!(
                "{NAME}: {COL_UNIT} must be one of byte, utf8, utf16, utf32 (any case), got '{text}'"
            ),
        };
        if let Some(unit) = self.col_unit.as_scalar() {
            let unit = unit.map(check).transpose()?.unwrap_or("");
            return Ok(StringArray::new_repeated(unit, rows));
        }
        // A column of units is almost always one value repeated (through the
        // FFI even a literal arrives as a column), so the last parse is kept.
        let mut last: Option<(&str, &'static str)> = None;
        let units = (0..rows)
            .map(|row| {
                let Some(text) = self.col_unit.value(row).filter(|_| is_valid(row)) else {
                    return Ok("");
                };
                if let Some((seen, unit)) = last
                    && seen == text
                {
                    return Ok(unit);
                }
                let unit = check(text)?;
                last = Some((text, unit));
                Ok(unit)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StringArray::from_iter_values(units))
    }
}

/// The values of an integer argument over `rows` rows, sharing the input
/// buffer when there is one; values under NULL rows are placeholders.
fn int_values(arg: &IntArg, rows: usize) -> ScalarBuffer<i64> {
    match arg {
        IntArg::Scalar(value) => vec![value.unwrap_or(0); rows].into(),
        IntArg::Column(values) => values.values().clone(),
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Builds a span: the struct `{bstart Int64, bend Int64, line_base Int32, col_unit Utf8, \
         end_exclusive Boolean}`, its field tagged `semantic_type=Span`. `bstart` and `bend` are \
         byte offsets in the file; `line_base` (0 or 1) and `col_unit` (byte, utf8, utf16 or \
         utf32, any case, stored lower-case) record the convention of the positions the span \
         came from; `end_exclusive` says whether `bend` is one past the last byte (the default) \
         or the last byte itself. Omitted `line_base`, `col_unit` and `end_exclusive` take the \
         settings `codeanatomy_udf.span_line_base`, `span_col_unit` and `span_end_exclusive` \
         (defaults 0, byte, true). Any NULL argument gives NULL. A negative `bstart`, \
         `bstart > bend`, a `line_base` other than 0 or 1 and an unknown `col_unit` are errors. \
         Named arguments may come in any order but cannot skip a parameter (DataFusion only \
         lets trailing ones be omitted): to set `end_exclusive`, give `line_base` and \
         `col_unit` too.",
        "span_make(bstart, bend[, line_base[, col_unit[, end_exclusive]]])",
    )
    .with_sql_example(
        r#"```sql
> SELECT span_make(4, 10);
+---------------------------------------------------------------------------+
| span_make(Int64(4),Int64(10))                                             |
+---------------------------------------------------------------------------+
| {bstart: 4, bend: 10, line_base: 0, col_unit: byte, end_exclusive: true}  |
+---------------------------------------------------------------------------+
> SELECT span(bstart => 4, bend => 9, line_base => 1, col_unit => 'UTF16', end_exclusive => false);
+---------------------------------------------------------------------------+
| {bstart: 4, bend: 9, line_base: 1, col_unit: utf16, end_exclusive: false} |
+---------------------------------------------------------------------------+
```"#,
    )
    .with_argument("bstart", "Start byte offset (an integer, at least 0).")
    .with_argument("bend", "End byte offset (an integer, at least `bstart`).")
    .with_argument(
        "line_base",
        "0 or 1: the base of the line numbers the span was derived from. Default: the \
         `codeanatomy_udf.span_line_base` setting (0).",
    )
    .with_argument(
        "col_unit",
        "byte, utf8, utf16 or utf32 (any case): the unit of the columns the span was derived \
         from. Default: the `codeanatomy_udf.span_col_unit` setting (byte).",
    )
    .with_argument(
        "end_exclusive",
        "Whether `bend` is exclusive (a boolean). Default: the \
         `codeanatomy_udf.span_end_exclusive` setting (true).",
    )
    .with_alternative_syntax("span(bstart, bend[, line_base[, col_unit[, end_exclusive]]])")
    .with_related_udf("span_len")
    .with_related_udf("span_id")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int32Array, Int64Array, StructArray};
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::execution::config::SessionConfig;
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::functions::span::span_type::{SEMANTIC_TYPE_KEY, SPAN_SEMANTIC_TYPE};
    use crate::functions::test_support::{invoke, sql_value};

    fn int64(values: Vec<Option<i64>>) -> ColumnarValue {
        ColumnarValue::Array(Arc::new(Int64Array::from(values)))
    }

    fn utf8(text: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(text.to_owned())))
    }

    fn make(args: Vec<ColumnarValue>, rows: usize) -> Result<StructArray> {
        let spans = invoke(&SpanMakeFunc::default(), args, rows)?.into_array(rows)?;
        Ok(spans.as_struct().clone())
    }

    /// `(bstart, bend, line_base, col_unit, end_exclusive)` of a span.
    type Span = (i64, i64, i32, String, bool);

    fn rows(spans: &StructArray) -> Vec<Option<Span>> {
        (0..spans.len())
            .map(|row| {
                spans.is_valid(row).then(|| {
                    (
                        spans.column(0).as_primitive::<Int64Type>().value(row),
                        spans.column(1).as_primitive::<Int64Type>().value(row),
                        spans
                            .column(2)
                            .as_primitive::<datafusion::arrow::datatypes::Int32Type>()
                            .value(row),
                        spans.column(3).as_string::<i32>().value(row).to_owned(),
                        spans.column(4).as_boolean().value(row),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn columns_with_defaults_and_nulls() {
        let spans = make(
            vec![
                int64(vec![Some(0), None, Some(3), Some(4)]),
                int64(vec![Some(5), Some(1), None, Some(4)]),
            ],
            4,
        )
        .unwrap();
        assert_eq!(
            rows(&spans),
            vec![
                Some((0, 5, 0, "byte".into(), true)),
                None,
                None,
                Some((4, 4, 0, "byte".into(), true)),
            ]
        );
    }

    #[test]
    fn every_argument_as_a_column() {
        let units = StringArray::from(vec![Some("UTF16"), Some("utf16"), None, Some("Byte")]);
        let flags = BooleanArray::from(vec![Some(false), Some(true), Some(true), None]);
        let spans = make(
            vec![
                ColumnarValue::Array(Arc::new(Int32Array::from(vec![1, 2, 3, 4]))),
                int64(vec![Some(9), Some(9), Some(9), Some(9)]),
                ColumnarValue::Array(Arc::new(Int64Array::from(vec![1, 0, 1, 1]))),
                ColumnarValue::Array(Arc::new(units)),
                ColumnarValue::Array(Arc::new(flags)),
            ],
            4,
        )
        .unwrap();
        assert_eq!(
            rows(&spans),
            vec![
                Some((1, 9, 1, "utf16".into(), false)),
                Some((2, 9, 0, "utf16".into(), true)),
                None,
                None,
            ]
        );
    }

    #[test]
    fn all_scalars_give_a_scalar() {
        let result = invoke(
            &SpanMakeFunc::default(),
            vec![
                ColumnarValue::Scalar(ScalarValue::Int64(Some(2))),
                ColumnarValue::Scalar(ScalarValue::Int32(Some(7))),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(1))),
                utf8("UTF32"),
            ],
            3,
        )
        .unwrap();
        let ColumnarValue::Scalar(ScalarValue::Struct(spans)) = result else {
            panic!("expected a struct scalar, got {result:?}");
        };
        assert_eq!(rows(&spans), vec![Some((2, 7, 1, "utf32".into(), true))]);
    }

    #[test]
    fn invalid_values_are_errors_naming_them() {
        let cases = [
            (
                vec![int64(vec![Some(7)]), int64(vec![Some(3)])],
                "span_make: bstart (7) is greater than bend (3)",
            ),
            (
                vec![int64(vec![Some(-1)]), int64(vec![Some(3)])],
                "span_make: bstart (-1) is negative",
            ),
            (
                vec![
                    int64(vec![Some(1)]),
                    int64(vec![Some(3)]),
                    int64(vec![Some(2)]),
                ],
                "span_make: line_base must be 0 or 1, got 2",
            ),
            (
                vec![
                    int64(vec![Some(1)]),
                    int64(vec![Some(3)]),
                    int64(vec![Some(0)]),
                    utf8("furlong"),
                ],
                "span_make: col_unit must be one of byte, utf8, utf16, utf32 (any case), got 'furlong'",
            ),
        ];
        for (args, message) in cases {
            let err = make(args, 1).unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
        // An invalid row that is NULL anyway is not checked.
        let spans = make(
            vec![
                int64(vec![Some(7)]),
                int64(vec![Some(3)]),
                int64(vec![None]),
            ],
            1,
        )
        .unwrap();
        assert_eq!(rows(&spans), vec![None]);
    }

    #[test]
    fn install_defaults_apply_and_are_checked() {
        let mut defaults = CodeAnatomyConfig {
            span_line_base: 1,
            span_col_unit: "UTF16".into(),
            span_end_exclusive: false,
            ..CodeAnatomyConfig::default()
        };
        let udf = SpanMakeFunc::new(&defaults);
        let spans = invoke(&udf, vec![int64(vec![Some(1)]), int64(vec![Some(2)])], 1)
            .unwrap()
            .into_array(1)
            .unwrap();
        assert_eq!(
            rows(spans.as_struct()),
            vec![Some((1, 2, 1, "utf16".into(), false))]
        );

        defaults.span_col_unit = "furlong".into();
        let err = invoke(
            &SpanMakeFunc::new(&defaults),
            vec![int64(vec![Some(1)]), int64(vec![Some(2)])],
            1,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("codeanatomy_udf.span_col_unit = 'furlong'"),
            "{err}"
        );
    }

    #[test]
    fn coercion_widens_and_names_arguments() {
        let udf = SpanMakeFunc::default();
        assert_eq!(
            udf.coerce_types(&[
                DataType::Int32,
                DataType::Int64,
                DataType::Int32,
                DataType::Utf8View,
                DataType::Null
            ])
            .unwrap(),
            vec![
                DataType::Int64,
                DataType::Int64,
                DataType::Int64,
                DataType::Utf8View,
                DataType::Boolean
            ]
        );
        for (types, message) in [
            (vec![DataType::Int64], "span_make expects 2 to 5 arguments"),
            (
                vec![DataType::Float64, DataType::Int64],
                "span_make expects an integer for argument 'bstart', got Float64",
            ),
            (
                vec![
                    DataType::Int64,
                    DataType::Int64,
                    DataType::Int64,
                    DataType::Utf8,
                    DataType::Int64,
                ],
                "span_make expects a boolean for argument 'end_exclusive', got Int64",
            ),
        ] {
            let err = udf.coerce_types(&types).unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
    }

    #[tokio::test]
    async fn sql_named_alias_and_metadata() {
        let expected = sql_value("SELECT span_make(1, 5, 1, 'utf16', false)")
            .await
            .unwrap();
        for sql in [
            "SELECT span(1, 5, 1, 'UTF16', false)",
            "SELECT span_make(bstart => 1, bend => 5, line_base => 1, col_unit => 'Utf16', end_exclusive => false)",
            "SELECT span_make(arrow_cast(1, 'Int32'), 5, arrow_cast(1, 'Int32'), arrow_cast('utf16', 'LargeUtf8'), false)",
        ] {
            assert_eq!(sql_value(sql).await.unwrap(), expected, "{sql}");
        }
        let session = crate::functions::test_support::session();
        let frame = session.sql("SELECT span_make(1, 5) AS s").await.unwrap();
        let field = frame.schema().field(0).clone();
        assert_eq!(
            field.metadata().get(SEMANTIC_TYPE_KEY).map(String::as_str),
            Some(SPAN_SEMANTIC_TYPE)
        );
        assert_eq!(field.data_type(), &span_data_type());
    }

    /// `SET codeanatomy_udf.span_*` overrides the defaults per session.
    #[tokio::test]
    async fn session_settings_override_defaults() {
        let config = SessionConfig::new().with_option_extension(CodeAnatomyConfig::default());
        let ctx = SessionContext::new_with_config(config);
        ctx.register_udf(datafusion::logical_expr::ScalarUDF::new_from_impl(
            SpanMakeFunc::default(),
        ));
        for set in [
            "SET codeanatomy_udf.span_line_base = 1",
            "SET codeanatomy_udf.span_col_unit = 'UTF32'",
            "SET codeanatomy_udf.span_end_exclusive = false",
        ] {
            ctx.sql(set).await.unwrap().collect().await.unwrap();
        }
        let batches = ctx
            .sql("SELECT span_make(column1, column2) FROM (VALUES (1, 2), (3, 4))")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(
            rows(batches[0].column(0).as_struct()),
            vec![
                Some((1, 2, 1, "utf32".into(), false)),
                Some((3, 4, 1, "utf32".into(), false)),
            ]
        );
        ctx.sql("SET codeanatomy_udf.span_line_base = 2")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let err = ctx
            .sql("SELECT span_make(column1, 2) FROM (VALUES (1))")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("codeanatomy_udf.span_line_base = 2) must be 0 or 1"),
            "{err}"
        );
    }
}
