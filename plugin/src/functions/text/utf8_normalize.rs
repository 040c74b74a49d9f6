//! `utf8_normalize(value, form => 'NFKC', casefold => true,
//! collapse_ws => true)`: one canonical spelling of a text.

use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use caseless::Caseless;
use datafusion::arrow::array::{Array, AsArray, BooleanArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};
use unicode_normalization::{
    IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick,
};

use super::DOC_SECTION;
use super::whitespace::{write_collapsed, write_collapsed_ascii};
use crate::config::{self, CodeAnatomyConfig};
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "utf8_normalize";
const VALUE: &str = "value";
const FORM: &str = "form";
const CASEFOLD: &str = "casefold";
const COLLAPSE_WS: &str = "collapse_ws";
const PARAMETERS: [&str; 4] = [VALUE, FORM, CASEFOLD, COLLAPSE_WS];
const ACCEPTED_FORMS: &str = "NFC, NFD, NFKC or NFKD";

/// `utf8_normalize(value[, form[, casefold[, collapse_ws]]])`, alias
/// `normalize_utf8`: the text in Unicode normal form `form`, optionally case
/// folded and with whitespace collapsed (`Utf8`).
///
/// The steps, in this order, are exactly Python's
/// `t = unicodedata.normalize(form, value)`, then if `casefold`
/// `t = unicodedata.normalize(form, t.casefold())`, then if `collapse_ws`
/// `t = " ".join(t.split())`. Normalising again after folding keeps the
/// result in `form` (folding can leave text unnormalised) and folds what
/// compatibility forms uncover (`ℌ` → `H` → `h` under NFKC). Collapsing
/// last cannot break the form: a space is a starter that composes with
/// nothing.
///
/// The omitted trailing arguments take the session's
/// `codeanatomy_udf.utf8_normalize_*` settings, else the install defaults.
/// A NULL in any argument gives NULL.
#[derive(Debug)]
pub struct Utf8NormalizeFunc {
    signature: Signature,
    aliases: Vec<String>,
    defaults: CodeAnatomyConfig,
}

impl Utf8NormalizeFunc {
    /// The function with install-time `defaults` for its optional arguments.
    pub fn new(defaults: &CodeAnatomyConfig) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["normalize_utf8".to_owned()],
            defaults: defaults.clone(),
        }
    }

    /// The defaults this function reads; only they take part in equality,
    /// since the rest of the configuration cannot change its results.
    fn own_defaults(&self) -> (&str, bool, bool) {
        (
            &self.defaults.utf8_normalize_form,
            self.defaults.utf8_normalize_casefold,
            self.defaults.utf8_normalize_collapse_ws,
        )
    }
}

impl PartialEq for Utf8NormalizeFunc {
    fn eq(&self, other: &Self) -> bool {
        self.signature == other.signature
            && self.aliases == other.aliases
            && self.own_defaults() == other.own_defaults()
    }
}

impl Eq for Utf8NormalizeFunc {}

impl Hash for Utf8NormalizeFunc {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.signature.hash(state);
        self.aliases.hash(state);
        self.own_defaults().hash(state);
    }
}

impl ScalarUDFImpl for Utf8NormalizeFunc {
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
        if !(1..=PARAMETERS.len()).contains(&arg_types.len()) {
            return plan_err!(
                "{NAME} expects 1 to 4 arguments ({VALUE}[, {FORM}[, {CASEFOLD}[, {COLLAPSE_WS}]]]), got {}",
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| match parameter {
                VALUE | FORM => coerce_string_type(NAME, parameter, None, data_type),
                _ => coerce_bool_type(parameter, data_type),
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    /// A literal `form` is checked here, so a typo fails at planning even
    /// when no row reaches the kernel.
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if let Some(Some(form)) = args.scalar_arguments.get(1)
            && let Some(Some(text)) = form.try_as_str()
            && Form::parse(text).is_none()
        {
            return plan_err!("{}", invalid_form(text));
        }
        Ok(Arc::new(Field::new(NAME, DataType::Utf8, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value, rest @ ..] = args.args.as_slice() else {
            return exec_err!("{NAME} expects 1 to 4 arguments, got 0");
        };
        if rest.len() >= PARAMETERS.len() {
            return exec_err!("{NAME} expects 1 to 4 arguments, got {}", args.args.len());
        }
        let config = config::resolve(&args.config_options, &self.defaults)?;
        let value = StringArg::try_new(NAME, VALUE, value)?;
        let form = match rest.first() {
            Some(form) => FormArg::try_new(StringArg::try_new(NAME, FORM, form)?)?,
            None => match Form::parse(&config.utf8_normalize_form) {
                Some(form) => FormArg::Scalar(Some(form)),
                None => {
                    return exec_err!(
                        "{NAME}: the setting codeanatomy_udf.utf8_normalize_form = '{}' is not \
                         a normalisation form; expected {ACCEPTED_FORMS}",
                        config.utf8_normalize_form
                    );
                }
            },
        };
        let casefold = match rest.get(1) {
            Some(flag) => BoolArg::try_new(CASEFOLD, flag)?,
            None => BoolArg::Scalar(Some(config.utf8_normalize_casefold)),
        };
        let collapse_ws = match rest.get(2) {
            Some(flag) => BoolArg::try_new(COLLAPSE_WS, flag)?,
            None => BoolArg::Scalar(Some(config.utf8_normalize_collapse_ws)),
        };
        normalize_batch(&value, &form, &casefold, &collapse_ws, args.number_rows)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn coerce_bool_type(parameter: &str, data_type: &DataType) -> Result<DataType> {
    match data_type {
        DataType::Boolean | DataType::Null => Ok(DataType::Boolean),
        other => plan_err!("{NAME} expects a boolean for argument '{parameter}', got {other}"),
    }
}

fn invalid_form(text: &str) -> String {
    format!("{NAME} expects argument '{FORM}' to be {ACCEPTED_FORMS} (any case), got '{text}'")
}

/// A Unicode normalisation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl Form {
    fn parse(text: &str) -> Option<Self> {
        [
            ("NFC", Self::Nfc),
            ("NFD", Self::Nfd),
            ("NFKC", Self::Nfkc),
            ("NFKD", Self::Nfkd),
        ]
        .into_iter()
        .find_map(|(name, form)| text.eq_ignore_ascii_case(name).then_some(form))
    }

    /// Whether `text` is certainly in this form already; "maybe" counts as
    /// no, which only costs a normalisation that changes nothing.
    fn holds_for(self, text: &str) -> bool {
        let chars = text.chars();
        let quick = match self {
            Self::Nfc => is_nfc_quick(chars),
            Self::Nfd => is_nfd_quick(chars),
            Self::Nfkc => is_nfkc_quick(chars),
            Self::Nfkd => is_nfkd_quick(chars),
        };
        quick == IsNormalized::Yes
    }

    /// Appends `chars` in this form to `out`.
    fn extend(self, out: &mut String, chars: impl Iterator<Item = char>) {
        match self {
            Self::Nfc => out.extend(chars.nfc()),
            Self::Nfd => out.extend(chars.nfd()),
            Self::Nfkc => out.extend(chars.nfkc()),
            Self::Nfkd => out.extend(chars.nfkd()),
        }
    }
}

/// The `form` argument: parsed once when it is a scalar; a column (every
/// argument is one through the FFI) is parsed row by row, which costs a
/// few byte comparisons.
enum FormArg<'a> {
    Scalar(Option<Form>),
    Column(StringArg<'a>),
}

impl<'a> FormArg<'a> {
    fn try_new(arg: StringArg<'a>) -> Result<Self> {
        match arg.as_scalar() {
            Some(text) => Ok(Self::Scalar(text.map(parse_form).transpose()?)),
            None => Ok(Self::Column(arg)),
        }
    }

    #[inline]
    fn value(&self, row: usize) -> Result<Option<Form>> {
        match self {
            Self::Scalar(form) => Ok(*form),
            Self::Column(column) => column.value(row).map(parse_form).transpose(),
        }
    }
}

fn parse_form(text: &str) -> Result<Form> {
    match Form::parse(text) {
        Some(form) => Ok(form),
        None => exec_err!("{}", invalid_form(text)),
    }
}

/// A boolean argument, scalar or per row.
enum BoolArg<'a> {
    Scalar(Option<bool>),
    Column(&'a BooleanArray),
}

impl<'a> BoolArg<'a> {
    fn try_new(parameter: &str, value: &'a ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(ScalarValue::Boolean(flag)) => Ok(Self::Scalar(*flag)),
            ColumnarValue::Scalar(ScalarValue::Null) => Ok(Self::Scalar(None)),
            ColumnarValue::Array(array) if array.data_type() == &DataType::Null => {
                Ok(Self::Scalar(None))
            }
            ColumnarValue::Array(array) => match array.as_boolean_opt() {
                Some(flags) => Ok(Self::Column(flags)),
                None => exec_err!(
                    "{NAME} expects a boolean for argument '{parameter}', got {}",
                    array.data_type()
                ),
            },
            ColumnarValue::Scalar(other) => exec_err!(
                "{NAME} expects a boolean for argument '{parameter}', got {}",
                other.data_type()
            ),
        }
    }

    fn as_scalar(&self) -> Option<Option<bool>> {
        match self {
            Self::Scalar(flag) => Some(*flag),
            Self::Column(_) => None,
        }
    }

    #[inline]
    fn value(&self, row: usize) -> Option<bool> {
        match self {
            Self::Scalar(flag) => *flag,
            Self::Column(flags) => flags.is_valid(row).then(|| flags.value(row)),
        }
    }
}

/// What to do with one value.
#[derive(Debug, Clone, Copy)]
struct Steps {
    form: Form,
    casefold: bool,
    collapse_ws: bool,
}

/// Buffers reused across the rows of a batch, so only the first non-ASCII
/// row of a batch allocates.
#[derive(Default)]
struct Scratch {
    normalized: String,
    folded: String,
}

fn normalize_batch(
    value: &StringArg<'_>,
    form: &FormArg<'_>,
    casefold: &BoolArg<'_>,
    collapse_ws: &BoolArg<'_>,
    rows: usize,
) -> Result<ColumnarValue> {
    let mut scratch = Scratch::default();
    if let (Some(text), FormArg::Scalar(form), Some(casefold), Some(collapse_ws)) = (
        value.as_scalar(),
        form,
        casefold.as_scalar(),
        collapse_ws.as_scalar(),
    ) {
        let result = match (text, form, casefold, collapse_ws) {
            (Some(text), Some(form), Some(casefold), Some(collapse_ws)) => {
                let mut out = String::with_capacity(text.len());
                let steps = Steps {
                    form: *form,
                    casefold,
                    collapse_ws,
                };
                write_normalized(&mut out, text, steps, &mut scratch)
                    .expect("writing to a String cannot fail");
                Some(out)
            }
            _ => None,
        };
        return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(result)));
    }

    let mut builder = StringBuilder::with_capacity(rows, value.byte_len_hint(rows));
    for row in 0..rows {
        let Some(text) = value.value(row) else {
            builder.append_null();
            continue;
        };
        match (
            form.value(row)?,
            casefold.value(row),
            collapse_ws.value(row),
        ) {
            (Some(form), Some(casefold), Some(collapse_ws)) => {
                let steps = Steps {
                    form,
                    casefold,
                    collapse_ws,
                };
                // Written straight into the builder's value buffer; the
                // empty append ends the row.
                write_normalized(&mut builder, text, steps, &mut scratch)
                    .expect("writing to a StringBuilder cannot fail");
                builder.append_value("");
            }
            _ => builder.append_null(),
        }
    }
    Ok(ColumnarValue::Array(Arc::new(builder.finish())))
}

/// Writes `text` after `steps` to `out`.
fn write_normalized(
    out: &mut impl Write,
    text: &str,
    steps: Steps,
    scratch: &mut Scratch,
) -> std::fmt::Result {
    if text.is_ascii() {
        // ASCII is invariant under all four forms, and its full case
        // folding is its lower case.
        let text = if steps.casefold && text.bytes().any(|b| b.is_ascii_uppercase()) {
            scratch.folded.clear();
            scratch.folded.push_str(text);
            scratch.folded.make_ascii_lowercase();
            scratch.folded.as_str()
        } else {
            text
        };
        return if steps.collapse_ws {
            write_collapsed_ascii(out, text)
        } else {
            out.write_str(text)
        };
    }
    let text = normalize_unicode(text, steps, scratch);
    if steps.collapse_ws {
        write_collapsed(out, text)
    } else {
        out.write_str(text)
    }
}

/// `normalize(form, text)`, then if `casefold` `normalize(form,
/// casefold(...))`, borrowing `text` when it is already in form.
fn normalize_unicode<'a>(text: &'a str, steps: Steps, scratch: &'a mut Scratch) -> &'a str {
    let Scratch { normalized, folded } = scratch;
    let text = if steps.form.holds_for(text) {
        text
    } else {
        normalized.clear();
        steps.form.extend(normalized, text.chars());
        normalized.as_str()
    };
    if !steps.casefold {
        return text;
    }
    folded.clear();
    steps.form.extend(folded, text.chars().default_case_fold());
    folded.as_str()
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the text in Unicode normal form `form`, case folded and with whitespace \
         collapsed, as Utf8. The steps are exactly Python's \
         `t = unicodedata.normalize(form, value)`; if `casefold`, \
         `t = unicodedata.normalize(form, t.casefold())` (full Unicode case folding: \
         'Straße' becomes 'strasse'; normalising again keeps the result in `form`); if \
         `collapse_ws`, `t = ' '.join(t.split())` (each run of Unicode whitespace becomes one \
         space, none at either end). Omitted arguments take the session settings \
         `codeanatomy_udf.utf8_normalize_form`, `utf8_normalize_casefold` and \
         `utf8_normalize_collapse_ws` (defaults NFKC, true, true). A NULL in any argument \
         gives NULL. Named arguments must not skip a position: pass `form` to pass \
         `casefold`.",
        "utf8_normalize(value[, form[, casefold[, collapse_ws]]])",
    )
    .with_sql_example(
        r#"```sql
> SELECT utf8_normalize('  Straße  ﬁle ');
+------------------------------------------+
| utf8_normalize(Utf8("  Straße  ﬁle "))   |
+------------------------------------------+
| strasse file                             |
+------------------------------------------+
> SELECT utf8_normalize('Ｆile  NAME', 'NFC', false);
+---------------------------------------------------------------+
| utf8_normalize(Utf8("Ｆile  NAME"),Utf8("NFC"),Boolean(false)) |
+---------------------------------------------------------------+
| Ｆile NAME                                                     |
+---------------------------------------------------------------+
```"#,
    )
    .with_argument("value", "The text to normalise (a string).")
    .with_argument(
        "form",
        "Optional: NFC, NFD, NFKC or NFKD, in any case (default: the \
         utf8_normalize_form setting, NFKC).",
    )
    .with_argument(
        "casefold",
        "Optional boolean: apply full Unicode case folding (default: the \
         utf8_normalize_casefold setting, true).",
    )
    .with_argument(
        "collapse_ws",
        "Optional boolean: collapse whitespace runs to one space and trim both ends \
         (default: the utf8_normalize_collapse_ws setting, true).",
    )
    .with_alternative_syntax("normalize_utf8(value[, form[, casefold[, collapse_ws]]])")
    .with_related_udf("utf8_null_if_blank")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{
        ArrayRef, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
    };
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    fn normalize(text: &str, form: Form, casefold: bool, collapse_ws: bool) -> String {
        let mut out = String::new();
        let steps = Steps {
            form,
            casefold,
            collapse_ws,
        };
        write_normalized(&mut out, text, steps, &mut Scratch::default()).unwrap();
        out
    }

    fn scalar(text: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(text.to_owned())))
    }

    fn flag(value: bool) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Boolean(Some(value)))
    }

    fn strings(result: ColumnarValue, rows: usize) -> Vec<Option<String>> {
        result
            .into_array(rows)
            .unwrap()
            .as_string::<i32>()
            .iter()
            .map(|value| value.map(str::to_owned))
            .collect()
    }

    // Expected values from Python 3.11, e.g.
    // unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold())
    #[test]
    fn unicode_steps() {
        use Form::*;
        assert_eq!(normalize("Straße", Nfkc, true, false), "strasse");
        assert_eq!(
            normalize("  \u{FB01}le\u{3000}X ", Nfkc, true, true),
            "file x"
        );
        assert_eq!(normalize("e\u{301}", Nfc, false, false), "\u{E9}");
        assert_eq!(normalize("\u{E9}", Nfd, false, false), "e\u{301}");
        assert_eq!(normalize("\u{FB01}", Nfc, false, false), "\u{FB01}");
        assert_eq!(normalize("\u{FB01}", Nfkd, false, false), "fi");
        // Casefold after NFKC: the black-letter capital only becomes foldable
        // once NFKC has turned it into "H".
        assert_eq!(normalize("\u{210C}", Nfkc, true, false), "h");
        assert_eq!(normalize("\u{210C}", Nfc, true, false), "\u{210C}");
        // Turkish dotted capital I folds to i + combining dot above.
        assert_eq!(normalize("\u{130}", Nfc, true, false), "i\u{307}");
        // Final and medial sigma fold alike.
        assert_eq!(normalize("ΟΔΟΣ οδος", Nfc, true, false), "οδοσ οδοσ");
        assert_eq!(normalize("漢字 🦀", Nfkc, true, true), "漢字 🦀");
        assert_eq!(normalize("\u{85}a\u{2028}b\u{A0}", Nfd, false, true), "a b");
    }

    #[test]
    fn ascii_fast_path() {
        use Form::*;
        assert_eq!(
            normalize("  Hello\t\u{B}World\u{1C} ", Nfkc, true, true),
            "hello world"
        );
        assert_eq!(normalize("  Hello  ", Nfd, false, false), "  Hello  ");
        assert_eq!(normalize("", Nfkc, true, true), "");
        assert_eq!(normalize(" \t ", Nfkc, true, true), "");
    }

    #[test]
    fn every_layout_and_nulls_in_any_argument() {
        let values: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![Some("Ａ B"), None, Some("x")])),
            Arc::new(LargeStringArray::from(vec![Some("Ａ B"), None, Some("x")])),
            Arc::new(StringViewArray::from(vec![Some("Ａ B"), None, Some("x")])),
            Arc::new(
                vec![Some("Ａ B"), None, Some("x")]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ];
        let udf = Utf8NormalizeFunc::new(&CodeAnatomyConfig::default());
        for array in values {
            let result = invoke(&udf, vec![ColumnarValue::Array(array)], 3).unwrap();
            assert_eq!(
                strings(result, 3),
                vec![Some("a b".into()), None, Some("x".into())]
            );
        }
        let forms = StringArray::from(vec![Some("nfc"), None, Some("NFKD")]);
        let flags = BooleanArray::from(vec![Some(false), Some(true), None]);
        let result = invoke(
            &udf,
            vec![
                scalar("Ａ"),
                ColumnarValue::Array(Arc::new(forms)),
                ColumnarValue::Array(Arc::new(flags)),
            ],
            3,
        )
        .unwrap();
        assert_eq!(strings(result, 3), vec![Some("Ａ".into()), None, None]);
    }

    #[test]
    fn all_scalar_arguments_give_a_scalar() {
        let udf = Utf8NormalizeFunc::new(&CodeAnatomyConfig::default());
        let result = invoke(
            &udf,
            vec![scalar(" Ａ  B "), scalar("NFKC"), flag(false), flag(true)],
            4,
        )
        .unwrap();
        assert!(matches!(
            result,
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(ref text))) if text == "A B"
        ));
        let result = invoke(
            &udf,
            vec![
                scalar("x"),
                scalar("NFC"),
                flag(true),
                ColumnarValue::Scalar(ScalarValue::Boolean(None)),
            ],
            1,
        )
        .unwrap();
        assert!(matches!(
            result,
            ColumnarValue::Scalar(ScalarValue::Utf8(None))
        ));
    }

    #[test]
    fn invalid_forms_name_the_accepted_ones() {
        let udf = Utf8NormalizeFunc::new(&CodeAnatomyConfig::default());
        let forms = StringArray::from(vec!["NFC", "NFX"]);
        let err = invoke(
            &udf,
            vec![scalar("x"), ColumnarValue::Array(Arc::new(forms))],
            2,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains(
                "utf8_normalize expects argument 'form' to be NFC, NFD, NFKC or NFKD (any case), got 'NFX'"
            ),
            "{err}"
        );
        let defaults = CodeAnatomyConfig {
            utf8_normalize_form: "bogus".into(),
            ..Default::default()
        };
        let err = invoke(&Utf8NormalizeFunc::new(&defaults), vec![scalar("x")], 1).unwrap_err();
        assert!(
            err.to_string().contains(
                "codeanatomy_udf.utf8_normalize_form = 'bogus' is not a normalisation form"
            ),
            "{err}"
        );
    }

    #[test]
    fn install_defaults_apply_to_omitted_arguments() {
        let defaults = CodeAnatomyConfig {
            utf8_normalize_form: "nfd".into(),
            utf8_normalize_casefold: false,
            utf8_normalize_collapse_ws: false,
            ..Default::default()
        };
        let udf = Utf8NormalizeFunc::new(&defaults);
        let result = invoke(&udf, vec![scalar(" \u{C9} ")], 1).unwrap();
        assert_eq!(strings(result, 1), vec![Some(" E\u{301} ".into())]);
        assert_ne!(udf, Utf8NormalizeFunc::new(&CodeAnatomyConfig::default()));
    }

    #[test]
    fn coercion() {
        let udf = Utf8NormalizeFunc::new(&CodeAnatomyConfig::default());
        assert_eq!(
            udf.coerce_types(&[DataType::Utf8View, DataType::Null, DataType::Null])
                .unwrap(),
            vec![DataType::Utf8View, DataType::Utf8, DataType::Boolean]
        );
        let err = udf
            .coerce_types(&[DataType::Utf8, DataType::Utf8, DataType::Int64])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("utf8_normalize expects a boolean for argument 'casefold', got Int64"),
            "{err}"
        );
        let err = udf.coerce_types(&[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("utf8_normalize expects 1 to 4 arguments"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_named_arguments_alias_and_plan_time_form_check() {
        for sql in [
            "SELECT utf8_normalize(' Straße ')",
            "SELECT normalize_utf8(' Straße ')",
            "SELECT utf8_normalize(value => ' STRASSE ', form => 'nfkc')",
            "SELECT utf8_normalize(arrow_cast(' Straße ', 'LargeUtf8'), 'NFC', true, true)",
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(Some("strasse".into())),
                "{sql}"
            );
        }
        let err =
            sql_value("SELECT utf8_normalize(column1, 'NFX') FROM (VALUES ('a')) WHERE false")
                .await
                .unwrap_err();
        assert!(err.to_string().contains("got 'NFX'"), "{err}");
    }
}
