//! `stable_hash_any(value, canonical => true, null_sentinel => '__NULL__')`:
//! the 63-bit stable hash of any value's text form.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::DOC_SECTION;
use super::digest::{NULL_PART, hash64};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "stable_hash_any";
const VALUE: &str = "value";
const CANONICAL: &str = "canonical";
const NULL_SENTINEL: &str = "null_sentinel";

/// `stable_hash_any(value[, canonical[, null_sentinel]])`, alias
/// `stable_hash`: `stable_hash64` of the text form of a value of any type
/// (`Int64`).
///
/// Non-string values are hashed through their Arrow cast to `Utf8`. With
/// `canonical` (the default) the text is NFKC-normalised and trimmed first,
/// so visually equal inputs hash alike. A NULL value hashes `null_sentinel`
/// (default `__NULL__`) verbatim, so the result is never NULL because of the
/// value; a NULL `canonical` or `null_sentinel` gives NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StableHashAnyFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for StableHashAnyFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl StableHashAnyFunc {
    /// The function with parameter names `value`, `canonical` and
    /// `null_sentinel`; the last two are optional.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(vec![VALUE, CANONICAL, NULL_SENTINEL])
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["stable_hash".to_owned()],
        }
    }
}

impl ScalarUDFImpl for StableHashAnyFunc {
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
        if !(1..=3).contains(&arg_types.len()) {
            return plan_err!(
                "{NAME} expects 1 to 3 arguments ({VALUE}[, {CANONICAL}[, {NULL_SENTINEL}]]), got {}",
                arg_types.len()
            );
        }
        let mut coerced = vec![coerce_value_type(&arg_types[0])?];
        if let Some(canonical) = arg_types.get(1) {
            coerced.push(match canonical {
                DataType::Boolean | DataType::Null => DataType::Boolean,
                other => {
                    return plan_err!(
                        "{NAME} expects a boolean for argument '{CANONICAL}', got {other}"
                    );
                }
            });
        }
        if let Some(sentinel) = arg_types.get(2) {
            coerced.push(coerce_string_type(NAME, NULL_SENTINEL, None, sentinel)?);
        }
        Ok(coerced)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (value, canonical, sentinel) = match args.args.as_slice() {
            [value] => (value, None, None),
            [value, canonical] => (value, Some(canonical), None),
            [value, canonical, sentinel] => (value, Some(canonical), Some(sentinel)),
            other => {
                return exec_err!("{NAME} expects 1 to 3 arguments, got {}", other.len());
            }
        };
        let text = value_as_text(value)?;
        let value = StringArg::try_new(NAME, VALUE, &text)?;
        let canonical = match canonical {
            Some(canonical) => BoolArg::try_new(canonical)?,
            None => BoolArg::Scalar(Some(true)),
        };
        let sentinel = match sentinel {
            Some(sentinel) => StringArg::try_new(NAME, NULL_SENTINEL, sentinel)?,
            None => StringArg::Scalar(Some(NULL_PART)),
        };
        Ok(stable_hash_any(
            &value,
            &canonical,
            &sentinel,
            args.number_rows,
        ))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// Strings (and dictionaries of strings) are read in place; anything else
/// must have an Arrow cast to `Utf8`, its canonical text form.
fn coerce_value_type(data_type: &DataType) -> Result<DataType> {
    // Values with a text form are planned as that text (the planner casts),
    // so hashing `42` and `'42'` agree wherever the function runs.
    if let Ok(string_type) = coerce_string_type(NAME, VALUE, None, data_type) {
        return Ok(string_type);
    }
    plan_err!("{NAME} cannot hash argument '{VALUE}' of type {data_type}: it has no text form")
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

fn value_as_text(value: &ColumnarValue) -> Result<Cow<'_, ColumnarValue>> {
    if is_text(&value.data_type()) {
        return Ok(Cow::Borrowed(value));
    }
    Ok(Cow::Owned(match value {
        ColumnarValue::Scalar(scalar) => ColumnarValue::Scalar(scalar.cast_to(&DataType::Utf8)?),
        ColumnarValue::Array(array) => ColumnarValue::Array(cast(array, &DataType::Utf8)?),
    }))
}

/// The `canonical` flag, scalar or per row.
enum BoolArg<'a> {
    Scalar(Option<bool>),
    Column(&'a BooleanArray),
}

impl<'a> BoolArg<'a> {
    fn try_new(value: &'a ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(ScalarValue::Boolean(flag)) => Ok(Self::Scalar(*flag)),
            ColumnarValue::Scalar(ScalarValue::Null) => Ok(Self::Scalar(None)),
            ColumnarValue::Array(array) => match array.as_boolean_opt() {
                Some(flags) => Ok(Self::Column(flags)),
                None if array.null_count() == array.len() => Ok(Self::Scalar(None)),
                None => exec_err!(
                    "{NAME} expects a boolean for argument '{CANONICAL}', got {}",
                    array.data_type()
                ),
            },
            ColumnarValue::Scalar(other) => exec_err!(
                "{NAME} expects a boolean for argument '{CANONICAL}', got {}",
                other.data_type()
            ),
        }
    }

    #[inline]
    fn value(&self, row: usize) -> Option<bool> {
        match self {
            Self::Scalar(flag) => *flag,
            Self::Column(flags) => flags.is_valid(row).then(|| flags.value(row)),
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

fn stable_hash_any(
    value: &StringArg<'_>,
    canonical: &BoolArg<'_>,
    sentinel: &StringArg<'_>,
    rows: usize,
) -> ColumnarValue {
    // Canonicalisation needs a buffer only for non-NFKC text; one per batch.
    let mut scratch = String::new();
    if let (Some(text), BoolArg::Scalar(flag), Some(sentinel)) =
        (value.as_scalar(), canonical, sentinel.as_scalar())
    {
        let hash = flag
            .zip(sentinel)
            .map(|(flag, sentinel)| hash_one(text, flag, sentinel, &mut scratch));
        return ColumnarValue::Scalar(ScalarValue::Int64(hash));
    }
    let hashes: Vec<i64> = (0..rows)
        .map(|row| match (canonical.value(row), sentinel.value(row)) {
            (Some(flag), Some(sentinel)) => {
                hash_one(value.value(row), flag, sentinel, &mut scratch)
            }
            // Masked out by the validity buffer below.
            _ => 0,
        })
        .collect();
    let nulls = NullBuffer::union(
        canonical.nulls(rows).as_ref(),
        sentinel.nulls(rows).as_ref(),
    );
    ColumnarValue::Array(Arc::new(Int64Array::new(hashes.into(), nulls)))
}

fn hash_one(text: Option<&str>, canonical: bool, sentinel: &str, scratch: &mut String) -> i64 {
    match text {
        // The sentinel stands for "no value"; it is not itself normalised.
        None => hash64(sentinel.as_bytes()),
        Some(text) if canonical => hash64(canonical_text(text, scratch).as_bytes()),
        Some(text) => hash64(text.as_bytes()),
    }
}

/// NFKC, then whitespace trimmed from both ends, as Python's
/// `unicodedata.normalize("NFKC", text).strip()` does.
fn canonical_text<'t>(text: &'t str, scratch: &'t mut String) -> &'t str {
    // Most ids are ASCII or already NFKC; only the rest pays for a copy.
    let normalized = if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        scratch.clear();
        scratch.extend(text.nfkc());
        scratch.as_str()
    };
    normalized.trim_matches(is_python_whitespace)
}

/// Python's `str.isspace`: Unicode `White_Space` (Rust's
/// `char::is_whitespace`) plus U+001C..=U+001F, which Python counts as
/// separators. Matching it keeps hashes equal to the Python reference.
fn is_python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns `stable_hash64` of the text form of a value of any type (non-strings \
         are cast to Utf8). With `canonical` (default true) the text is first \
         Unicode NFKC-normalised and trimmed of whitespace at both ends. A NULL \
         value hashes `null_sentinel` (default `__NULL__`), so the result is not \
         NULL; a NULL `canonical` or `null_sentinel` gives NULL. Named arguments \
         must not skip a position: pass `canonical` to pass `null_sentinel`.",
        "stable_hash_any(value[, canonical[, null_sentinel]])",
    )
    .with_sql_example(
        r#"```sql
> SELECT stable_hash_any('  ﬁle  ') = stable_hash64('file') AS same;
+------+
| same |
+------+
| true |
+------+
> SELECT stable_hash_any(42, canonical => false);
+-----------------------------------------------+
| stable_hash_any(Int64(42),Boolean(false))     |
+-----------------------------------------------+
| 6319743179241711738                           |
+-----------------------------------------------+
```"#,
    )
    .with_argument("value", "The value to hash, of any type with a text form.")
    .with_argument(
        "canonical",
        "Optional boolean, default true: NFKC-normalise and trim the text first.",
    )
    .with_argument(
        "null_sentinel",
        "Optional string, default '__NULL__': the text hashed for a NULL value.",
    )
    .with_alternative_syntax("stable_hash(value[, canonical[, null_sentinel]])")
    .with_related_udf("stable_hash64")
    .build()
});

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        ArrayRef, DictionaryArray, Float64Array, Int64Array, LargeStringArray, StringArray,
        StringViewArray,
    };
    use datafusion::arrow::datatypes::{Int8Type, Int64Type};

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    // Hashes come from Python:
    // int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
    //     & 0x7FFF_FFFF_FFFF_FFFF
    const FILE: i64 = 889130149649393654; // "file" == NFKC("  ﬁle  ").strip()
    const PADDED_LIGATURE: i64 = 8220726555411852089; // "  ﬁle  " as is
    const FORTY_TWO: i64 = 6319743179241711738; // "42"
    const NULL_TEXT: i64 = 1577052789191928133; // "__NULL__"
    const NONE_TEXT: i64 = 8450696660818900841; // "<none>"
    const E_ACUTE: i64 = 5411848509986117935; // "\u00e9" == NFKC(" e\u0301 ").strip()
    const KANJI: i64 = 8423340892405699402; // "漢字"

    fn run(args: Vec<ColumnarValue>, rows: usize) -> Vec<Option<i64>> {
        invoke(&StableHashAnyFunc::new(), args, rows)
            .unwrap()
            .into_array(rows)
            .unwrap()
            .as_primitive::<Int64Type>()
            .iter()
            .collect()
    }

    fn array(array: impl Array + 'static) -> ColumnarValue {
        ColumnarValue::Array(Arc::new(array))
    }

    #[test]
    fn canonical_text_is_nfkc_then_trimmed() {
        let mut scratch = String::new();
        assert_eq!(canonical_text("  \u{FB01}le  ", &mut scratch), "file");
        assert_eq!(canonical_text("\u{1F}\u{3000}x\u{A0}", &mut scratch), "x");
        assert_eq!(canonical_text("e\u{301}", &mut scratch), "\u{E9}");
        assert_eq!(canonical_text("\u{FF21}", &mut scratch), "A");
    }

    #[test]
    fn canonical_on_by_default_and_switchable() {
        let padded = || {
            array(StringArray::from(vec![
                Some("  \u{FB01}le  "),
                None,
                Some("漢字"),
            ]))
        };
        assert_eq!(
            run(vec![padded()], 3),
            vec![Some(FILE), Some(NULL_TEXT), Some(KANJI)]
        );
        let off = ColumnarValue::Scalar(ScalarValue::Boolean(Some(false)));
        assert_eq!(
            run(vec![padded(), off], 3),
            vec![Some(PADDED_LIGATURE), Some(NULL_TEXT), Some(KANJI)]
        );
    }

    #[test]
    fn every_string_layout() {
        let values = vec![Some(" e\u{301} "), None];
        let expected = vec![Some(E_ACUTE), Some(NULL_TEXT)];
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(LargeStringArray::from(values.clone())),
            Arc::new(StringViewArray::from(values.clone())),
            Arc::new(values.into_iter().collect::<DictionaryArray<Int8Type>>()),
        ];
        for values in arrays {
            assert_eq!(run(vec![ColumnarValue::Array(values)], 2), expected);
        }
    }

    #[test]
    fn non_strings_hash_their_text_form() {
        assert_eq!(
            run(vec![array(Int64Array::from(vec![Some(42), None]))], 2),
            vec![Some(FORTY_TWO), Some(NULL_TEXT)]
        );
        let scalar = invoke(
            &StableHashAnyFunc::new(),
            vec![ColumnarValue::Scalar(ScalarValue::Int64(Some(42)))],
            1,
        )
        .unwrap();
        assert!(matches!(
            scalar,
            ColumnarValue::Scalar(ScalarValue::Int64(Some(FORTY_TWO)))
        ));
        // Arrow prints 42.0 as "42.0", so a float is not its integer twin.
        assert_ne!(
            run(vec![array(Float64Array::from(vec![42.0]))], 1),
            vec![Some(FORTY_TWO)]
        );
    }

    #[test]
    fn sentinel_and_null_flags() {
        let values = || array(StringArray::from(vec![None, Some("x")]));
        let on = || ColumnarValue::Scalar(ScalarValue::Boolean(Some(true)));
        let sentinel = ColumnarValue::Scalar(ScalarValue::Utf8(Some("<none>".into())));
        assert_eq!(run(vec![values(), on(), sentinel], 2)[0], Some(NONE_TEXT));

        let null_sentinel = ColumnarValue::Scalar(ScalarValue::Utf8(None));
        assert_eq!(
            run(vec![values(), on(), null_sentinel], 2),
            vec![None, None]
        );

        let flags = array(BooleanArray::from(vec![Some(true), None]));
        assert_eq!(run(vec![values(), flags], 2), vec![Some(NULL_TEXT), None]);
    }

    #[test]
    fn coercion() {
        let udf = StableHashAnyFunc::new();
        assert_eq!(
            udf.coerce_types(&[DataType::Null, DataType::Null, DataType::Null])
                .unwrap(),
            vec![DataType::Utf8, DataType::Boolean, DataType::Utf8]
        );
        assert_eq!(
            udf.coerce_types(&[DataType::Int64]).unwrap(),
            vec![DataType::Utf8]
        );
        let err = udf
            .coerce_types(&[DataType::Utf8, DataType::Utf8])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stable_hash_any expects a boolean for argument 'canonical', got Utf8"),
            "{err}"
        );
        let err = udf
            .coerce_types(&[
                DataType::Utf8,
                DataType::Boolean,
                DataType::Struct(datafusion::arrow::datatypes::Fields::empty()),
            ])
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "stable_hash_any expects a string for argument 'null_sentinel', got Struct"
            ),
            "{err}"
        );
        assert!(udf.coerce_types(&[]).is_err());
        assert!(udf.coerce_types(&vec![DataType::Utf8; 4]).is_err());
    }

    #[tokio::test]
    async fn sql_defaults_named_arguments_and_alias() {
        for (sql, hash) in [
            ("SELECT stable_hash_any('  \u{FB01}le  ')", FILE),
            ("SELECT stable_hash('  \u{FB01}le  ')", FILE),
            (
                "SELECT stable_hash_any(value => '  \u{FB01}le  ', canonical => false)",
                PADDED_LIGATURE,
            ),
            ("SELECT stable_hash_any(42)", FORTY_TWO),
            ("SELECT stable_hash_any(NULL)", NULL_TEXT),
            (
                "SELECT stable_hash_any(NULL, canonical => true, null_sentinel => '<none>')",
                NONE_TEXT,
            ),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Int64(Some(hash)),
                "{sql}"
            );
        }
        assert_eq!(
            sql_value("SELECT stable_hash_any('x', NULL)")
                .await
                .unwrap(),
            ScalarValue::Int64(None)
        );
    }

    /// DataFusion 55 resolves named arguments into a prefix of the
    /// parameter list, so an optional parameter cannot be skipped.
    #[tokio::test]
    async fn sql_named_arguments_cannot_skip_canonical() {
        let err = sql_value("SELECT stable_hash_any(NULL, null_sentinel => '<none>')")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("Missing required parameter 'canonical'"),
            "{err}"
        );
    }
}
