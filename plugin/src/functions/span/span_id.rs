//! `span_id(prefix, path, bstart, bend[, kind])`: the stable id of a span
//! of a file, `prefix:<hash128 of the parts>`.

use std::fmt::Write;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::DOC_SECTION;
use crate::functions::hash::digest::{Hex128, hash128_parts};
use crate::functions::int_args::{IntArg, coerce_int_type};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "span_id";
const PREFIX: &str = "prefix";
const PATH: &str = "path";
const BSTART: &str = "bstart";
const BEND: &str = "bend";
const KIND: &str = "kind";
const PARAMETERS: [&str; 5] = [PREFIX, PATH, BSTART, BEND, KIND];
/// `prefix:` aside, an id is 32 hex digits.
const HEX_LEN: usize = 32;

/// `span_id(prefix, path, bstart, bend[, kind])`: the text
/// `prefix:<hash>` (`Utf8`), `<hash>` being `stable_hash128` of `path`, the
/// decimal `bstart` and `bend` and, when given, `kind`, joined by U+001F.
///
/// It is exactly `stable_id_parts(prefix, path, bstart::text, bend::text[,
/// kind])`: a NULL part hashes as `__NULL__`, a NULL prefix gives NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SpanIdFunc {
    signature: Signature,
}

impl Default for SpanIdFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl SpanIdFunc {
    /// The function with its five parameter names; `kind` is optional.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
        }
    }
}

impl ScalarUDFImpl for SpanIdFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if !(4..=5).contains(&arg_types.len()) {
            return plan_err!(
                "{NAME} expects 4 or 5 arguments ({PREFIX}, {PATH}, {BSTART}, {BEND}[, {KIND}]), \
                 got {}",
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| match parameter {
                BSTART | BEND => coerce_int_type(NAME, parameter, data_type),
                _ => coerce_string_type(NAME, parameter, None, data_type),
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (prefix, path, bstart, bend, kind) = match args.args.as_slice() {
            [prefix, path, bstart, bend] => (prefix, path, bstart, bend, None),
            [prefix, path, bstart, bend, kind] => (prefix, path, bstart, bend, Some(kind)),
            other => return exec_err!("{NAME} expects 4 or 5 arguments, got {}", other.len()),
        };
        let inputs = Inputs {
            prefix: StringArg::try_new(NAME, PREFIX, prefix)?,
            path: StringArg::try_new(NAME, PATH, path)?,
            bstart: IntArg::try_new(NAME, BSTART, bstart)?,
            bend: IntArg::try_new(NAME, BEND, bend)?,
            kind: kind
                .map(|kind| StringArg::try_new(NAME, KIND, kind))
                .transpose()?,
        };
        Ok(inputs.span_ids(args.number_rows))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

struct Inputs<'a> {
    prefix: StringArg<'a>,
    path: StringArg<'a>,
    bstart: IntArg,
    bend: IntArg,
    kind: Option<StringArg<'a>>,
}

impl Inputs<'_> {
    fn all_scalar(&self) -> bool {
        self.prefix.as_scalar().is_some()
            && self.path.as_scalar().is_some()
            && self.bstart.as_scalar().is_some()
            && self.bend.as_scalar().is_some()
            && self
                .kind
                .as_ref()
                .is_none_or(|kind| kind.as_scalar().is_some())
    }

    /// The hash of row `row`'s parts; the prefix plays no part in it.
    fn hash(&self, row: usize) -> Hex128 {
        let mut start_digits = Decimal::default();
        let mut end_digits = Decimal::default();
        let start = self.bstart.value(row).map(|v| start_digits.format(v));
        let end = self.bend.value(row).map(|v| end_digits.format(v));
        let path = self.path.value(row);
        match &self.kind {
            Some(kind) => hash128_parts([path, start, end, kind.value(row)]),
            None => hash128_parts([path, start, end]),
        }
    }

    fn span_ids(&self, rows: usize) -> ColumnarValue {
        if self.all_scalar() {
            let id = self
                .prefix
                .value(0)
                .map(|prefix| format!("{prefix}:{}", self.hash(0)));
            return ColumnarValue::Scalar(ScalarValue::Utf8(id));
        }
        let data_capacity = self
            .prefix
            .byte_len_hint(rows)
            .saturating_add(rows.saturating_mul(HEX_LEN + 1));
        let mut builder = StringBuilder::with_capacity(rows, data_capacity);
        for row in 0..rows {
            match self.prefix.value(row) {
                Some(prefix) => {
                    // Written straight into the value buffer; the empty
                    // append ends the row.
                    write!(builder, "{prefix}:{}", self.hash(row))
                        .expect("writing to a StringBuilder cannot fail");
                    builder.append_value("");
                }
                None => builder.append_null(),
            }
        }
        ColumnarValue::Array(Arc::new(builder.finish()))
    }
}

/// The decimal text of an `i64`, on the stack: the hash needs the text of
/// two integers per row, and formatting them into `String`s would allocate
/// twice per row.
#[derive(Default)]
struct Decimal {
    /// Sign and up to 19 digits, right-aligned.
    bytes: [u8; 20],
}

impl Decimal {
    fn format(&mut self, value: i64) -> &str {
        let mut magnitude = value.unsigned_abs();
        let mut start = self.bytes.len();
        loop {
            start -= 1;
            self.bytes[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if value < 0 {
            start -= 1;
            self.bytes[start] = b'-';
        }
        std::str::from_utf8(&self.bytes[start..]).expect("digits and '-' are ASCII")
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the stable id `prefix:<hash>` of a span of a file: `<hash>` is \
         `stable_hash128` (32 lower-case hex digits) of `path`, `bstart` and `bend` in decimal \
         and, when given, `kind`, joined by U+001F. It equals \
         `stable_id_parts(prefix, path, CAST(bstart AS VARCHAR), CAST(bend AS VARCHAR)[, kind])`: \
         a NULL part hashes as the text `__NULL__` (so an explicit NULL `kind` differs from an \
         omitted one) and a NULL prefix gives NULL.",
        "span_id(prefix, path, bstart, bend[, kind])",
    )
    .with_sql_example(
        r#"```sql
> SELECT span_id('s', 'a.py', 1, 5);
+--------------------------------------------------+
| span_id(Utf8("s"),Utf8("a.py"),Int64(1),Int64(5)) |
+--------------------------------------------------+
| s:bf645e26aa80a188dfcf94e8c4fbc170               |
+--------------------------------------------------+
```"#,
    )
    .with_argument("prefix", "The text put before the colon (a string).")
    .with_argument("path", "The file's path (a string).")
    .with_argument("bstart", "Start byte offset (an integer).")
    .with_argument("bend", "End byte offset (an integer).")
    .with_argument(
        "kind",
        "Optional: what the span is (a string), hashed as a fourth part.",
    )
    .with_related_udf("stable_id_parts")
    .with_related_udf("span_make")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{AsArray, Int32Array, LargeStringArray, StringArray};

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Digests come from Python:
    // hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    const A_1_5: &str = "bf645e26aa80a188dfcf94e8c4fbc170"; // ["a.py", "1", "5"]
    const A_1_5_FN: &str = "968319579c386ee7ed2b92afb2e88285"; // ["a.py", "1", "5", "fn"]
    const NULL_NEG_BIG: &str = "5381b0bb261351655b74e2f51eb0e845"; // ["__NULL__", "-3", "9223372036854775807"]

    #[test]
    fn columns_with_null_parts_and_prefixes() {
        let ids =
            invoke(
                &SpanIdFunc::new(),
                vec![
                    ColumnarValue::Array(Arc::new(StringArray::from(vec![
                        Some("s"),
                        Some("s"),
                        None,
                    ]))),
                    ColumnarValue::Array(Arc::new(LargeStringArray::from(vec![
                        Some("a.py"),
                        None,
                        Some("a.py"),
                    ]))),
                    ColumnarValue::Array(Arc::new(Int32Array::from(vec![1, -3, 1]))),
                    ColumnarValue::Array(Arc::new(datafusion::arrow::array::Int64Array::from(
                        vec![5, i64::MAX, 5],
                    ))),
                ],
                3,
            )
            .unwrap()
            .into_array(3)
            .unwrap();
        let ids: Vec<_> = ids.as_string::<i32>().iter().collect();
        assert_eq!(
            ids,
            vec![
                Some(format!("s:{A_1_5}").as_str()),
                Some(format!("s:{NULL_NEG_BIG}").as_str()),
                None
            ]
        );
    }

    #[test]
    fn all_scalars_give_a_scalar() {
        let scalar = |text: &str| ColumnarValue::Scalar(ScalarValue::Utf8(Some(text.to_owned())));
        let result = invoke(
            &SpanIdFunc::new(),
            vec![
                scalar("s"),
                scalar("a.py"),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(1))),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(5))),
                scalar("fn"),
            ],
            2,
        )
        .unwrap();
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(id))) = result else {
            panic!("expected a Utf8 scalar, got {result:?}");
        };
        assert_eq!(id, format!("s:{A_1_5_FN}"));
    }

    #[tokio::test]
    async fn sql_agrees_with_stable_id_parts() {
        for (sql, expected) in [
            (
                "SELECT span_id('s', 'a.py', 1, 5)",
                Some(format!("s:{A_1_5}")),
            ),
            (
                "SELECT stable_id_parts('s', 'a.py', '1', '5')",
                Some(format!("s:{A_1_5}")),
            ),
            (
                "SELECT span_id(prefix => 's', path => 'a.py', bstart => 1, bend => 5, kind => 'fn')",
                Some(format!("s:{A_1_5_FN}")),
            ),
            (
                "SELECT span_id('s', 'a.py', arrow_cast(1, 'Int32'), 5, 'fn')",
                Some(format!("s:{A_1_5_FN}")),
            ),
            ("SELECT span_id(NULL, 'a.py', 1, 5)", None),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(expected),
                "{sql}"
            );
        }
        assert_eq!(
            sql_value("SELECT span_id('s', 'a.py', 1, 5, NULL)")
                .await
                .unwrap(),
            sql_value("SELECT stable_id_parts('s', 'a.py', '1', '5', NULL)")
                .await
                .unwrap()
        );
        for (sql, message) in [
            (
                "SELECT span_id('s', 'a.py', 1)",
                "span_id expects 4 or 5 arguments",
            ),
            (
                "SELECT span_id('s', 'a.py', '1', 5)",
                "span_id expects an integer for argument 'bstart', got Utf8",
            ),
        ] {
            let err = sql_value(sql).await.unwrap_err();
            assert!(err.to_string().contains(message), "{sql}: {err}");
        }
    }

    #[test]
    fn decimal_text_matches_display() {
        let mut digits = Decimal::default();
        for value in [0, 7, -7, 10, 1234567890, i64::MAX, i64::MIN] {
            assert_eq!(digits.format(value), value.to_string());
        }
    }
}
