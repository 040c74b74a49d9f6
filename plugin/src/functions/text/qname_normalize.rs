//! `qname_normalize(symbol, module => NULL, lang => NULL)`: one dotted
//! spelling of a qualified name.

use std::fmt::Write;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::DOC_SECTION;
use super::whitespace::is_space;
use crate::functions::string_args::{StringArg, coerce_string_type};

const NAME: &str = "qname_normalize";
const SYMBOL: &str = "symbol";
const MODULE: &str = "module";
const LANG: &str = "lang";
const PARAMETERS: [&str; 3] = [SYMBOL, MODULE, LANG];
const ACCEPTED_LANGS: &str = "NULL, 'python' ('py'), 'rust' ('rs') or 'cpp' ('c++')";

/// `qname_normalize(symbol[, module[, lang]])`, alias `qualname_normalize`:
/// the qualified name `module.symbol` with one `.` between segments
/// (`Utf8`).
///
/// Both `symbol` and `module` are split into segments on the separators of
/// `lang` (see [`Lang`]); each segment is trimmed of whitespace and empty
/// ones are dropped, so `a..b`, `.a.b.` and ` a . b ` all read `a.b`. The
/// module's segments are put first unless the symbol's segments already
/// start with all of them (compared segment by segment, exactly), so
/// qualifying twice changes nothing. The result is NULL when `symbol` is
/// NULL or has no segment; a NULL `module` adds nothing and a NULL `lang`
/// means the generic separators.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct QnameNormalizeFunc {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for QnameNormalizeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl QnameNormalizeFunc {
    /// The function with parameter names `symbol`, `module` and `lang`; the
    /// last two are optional.
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            aliases: vec!["qualname_normalize".to_owned()],
        }
    }
}

impl ScalarUDFImpl for QnameNormalizeFunc {
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
                "{NAME} expects 1 to 3 arguments ({SYMBOL}[, {MODULE}[, {LANG}]]), got {}",
                arg_types.len()
            );
        }
        arg_types
            .iter()
            .zip(PARAMETERS)
            .map(|(data_type, parameter)| coerce_string_type(NAME, parameter, None, data_type))
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    /// A literal `lang` is checked here, so a typo fails at planning even
    /// when no row reaches the kernel.
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if let Some(Some(lang)) = args.scalar_arguments.get(2)
            && let Some(Some(text)) = lang.try_as_str()
            && Lang::parse(Some(text)).is_none()
        {
            return plan_err!("{}", invalid_lang(text));
        }
        Ok(Arc::new(Field::new(NAME, DataType::Utf8, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (symbol, module, lang) = match args.args.as_slice() {
            [symbol] => (symbol, None, None),
            [symbol, module] => (symbol, Some(module), None),
            [symbol, module, lang] => (symbol, Some(module), Some(lang)),
            other => {
                return exec_err!("{NAME} expects 1 to 3 arguments, got {}", other.len());
            }
        };
        let symbol = StringArg::try_new(NAME, SYMBOL, symbol)?;
        let module = match module {
            Some(module) => StringArg::try_new(NAME, MODULE, module)?,
            None => StringArg::Scalar(None),
        };
        let lang = match lang {
            Some(lang) => LangArg::try_new(StringArg::try_new(NAME, LANG, lang)?)?,
            None => LangArg::Scalar(Lang::Generic),
        };
        qname_batch(&symbol, &module, &lang, args.number_rows)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

fn invalid_lang(text: &str) -> String {
    format!("{NAME} expects argument '{LANG}' to be {ACCEPTED_LANGS}, got '{text}'")
}

/// Which separators split a name. Brackets are not interpreted: a
/// separator inside `<...>` or `(...)` splits like any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// NULL `lang`: `::`, `.`, `/` and `\` all separate, so Rust paths,
    /// dotted names, file-like module paths and pytest ids
    /// (`tests/test_x.py::TestC::test_m`) all work.
    Generic,
    /// `python`: only `.` separates.
    Python,
    /// `rust`, `cpp`: only `::` separates (a lone `:` or a `.` is part of
    /// the segment), matched left to right.
    DoubleColon,
}

impl Lang {
    /// Case-insensitive; surrounding whitespace is ignored.
    fn parse(text: Option<&str>) -> Option<Self> {
        let Some(text) = text else {
            return Some(Self::Generic);
        };
        let text = text.trim_matches(is_space);
        [
            ("python", Self::Python),
            ("py", Self::Python),
            ("rust", Self::DoubleColon),
            ("rs", Self::DoubleColon),
            ("cpp", Self::DoubleColon),
            ("c++", Self::DoubleColon),
        ]
        .into_iter()
        .find_map(|(name, lang)| text.eq_ignore_ascii_case(name).then_some(lang))
    }

    /// The byte length of the separator `rest` starts with, 0 for none.
    #[inline]
    fn separator_len(self, rest: &[u8]) -> usize {
        match (self, rest) {
            (Self::Generic | Self::DoubleColon, [b':', b':', ..]) => 2,
            (Self::Generic, [b'.' | b'/' | b'\\', ..]) | (Self::Python, [b'.', ..]) => 1,
            _ => 0,
        }
    }

    /// Appends the trimmed, non-empty segments of `text` to `out`.
    pub(crate) fn split_into<'a>(self, text: &'a str, out: &mut Vec<&'a str>) {
        let mut push = |segment: &'a str| {
            let segment = segment.trim_matches(is_space);
            if !segment.is_empty() {
                out.push(segment);
            }
        };
        // Separators are ASCII and UTF-8 continuation bytes never are, so
        // every cut below falls on a character boundary.
        let bytes = text.as_bytes();
        let (mut start, mut at) = (0, 0);
        while at < bytes.len() {
            match self.separator_len(&bytes[at..]) {
                0 => at += 1,
                len => {
                    push(&text[start..at]);
                    at += len;
                    start = at;
                }
            }
        }
        push(&text[start..]);
    }
}

/// The `lang` argument: parsed once when it is a scalar, per row otherwise
/// (through the FFI a literal arrives as a column).
enum LangArg<'a> {
    Scalar(Lang),
    Column(StringArg<'a>),
}

impl<'a> LangArg<'a> {
    fn try_new(arg: StringArg<'a>) -> Result<Self> {
        match arg.as_scalar() {
            Some(text) => Ok(Self::Scalar(parse_lang(text)?)),
            None => Ok(Self::Column(arg)),
        }
    }

    #[inline]
    fn value(&self, row: usize) -> Result<Lang> {
        match self {
            Self::Scalar(lang) => Ok(*lang),
            Self::Column(column) => parse_lang(column.value(row)),
        }
    }
}

fn parse_lang(text: Option<&str>) -> Result<Lang> {
    match Lang::parse(text) {
        Some(lang) => Ok(lang),
        None => exec_err!("{}", invalid_lang(text.unwrap_or_default())),
    }
}

fn qname_batch(
    symbol: &StringArg<'_>,
    module: &StringArg<'_>,
    lang: &LangArg<'_>,
    rows: usize,
) -> Result<ColumnarValue> {
    let mut symbol_segments = Vec::new();
    let mut module_segments = Vec::new();
    if let (Some(symbol), Some(module), LangArg::Scalar(lang)) =
        (symbol.as_scalar(), module.as_scalar(), lang)
    {
        let mut out = String::new();
        let written = symbol.is_some_and(|symbol| {
            write_qname(
                &mut out,
                symbol,
                module,
                *lang,
                &mut symbol_segments,
                &mut module_segments,
            )
        });
        return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(
            written.then_some(out),
        )));
    }

    let module_hint = module.byte_len_hint(rows);
    let mut builder =
        StringBuilder::with_capacity(rows, symbol.byte_len_hint(rows).saturating_add(module_hint));
    for row in 0..rows {
        let Some(text) = symbol.value(row) else {
            builder.append_null();
            continue;
        };
        let lang = lang.value(row)?;
        if write_qname(
            &mut builder,
            text,
            module.value(row),
            lang,
            &mut symbol_segments,
            &mut module_segments,
        ) {
            // The segments went straight into the value buffer; the empty
            // append ends the row.
            builder.append_value("");
        } else {
            builder.append_null();
        }
    }
    Ok(ColumnarValue::Array(Arc::new(builder.finish())))
}

/// Writes the qualified name to `out` and returns true, or writes nothing
/// and returns false when `symbol` has no segment.
fn write_qname<'a>(
    out: &mut impl Write,
    symbol: &'a str,
    module: Option<&'a str>,
    lang: Lang,
    symbol_segments: &mut Vec<&'a str>,
    module_segments: &mut Vec<&'a str>,
) -> bool {
    symbol_segments.clear();
    lang.split_into(symbol, symbol_segments);
    if symbol_segments.is_empty() {
        return false;
    }
    module_segments.clear();
    if let Some(module) = module {
        lang.split_into(module, module_segments);
    }
    let qualified = symbol_segments.starts_with(module_segments);
    let prefix: &[&str] = if qualified { &[] } else { module_segments };
    for (index, segment) in prefix.iter().chain(symbol_segments.iter()).enumerate() {
        if index > 0 {
            out.write_char('.')
                .expect("writing to a buffer cannot fail");
        }
        out.write_str(segment)
            .expect("writing to a buffer cannot fail");
    }
    true
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the qualified name `module.symbol` as Utf8, with `.` between segments. \
         `symbol` and `module` are split on the separators of `lang`: NULL (the default) \
         splits on `::`, `.`, `/` and `\\`; 'python' (or 'py') on `.` only; 'rust' ('rs') \
         and 'cpp' ('c++') on `::` only (case-insensitive; anything else is an error). Each \
         segment is trimmed of whitespace and empty segments are dropped ('a..b' gives \
         'a.b', '.a.' gives 'a'). The module's segments are prepended unless the symbol's \
         segments already start with all of them. Brackets are not interpreted. NULL when \
         `symbol` is NULL or has no segment; a NULL `module` adds nothing.",
        "qname_normalize(symbol[, module[, lang]])",
    )
    .with_sql_example(
        r#"```sql
> SELECT qname_normalize('Class..method', 'pkg.mod');
+---------------------------------------------------------+
| qname_normalize(Utf8("Class..method"),Utf8("pkg.mod"))  |
+---------------------------------------------------------+
| pkg.mod.Class.method                                    |
+---------------------------------------------------------+
> SELECT qname_normalize('crate::a::f', NULL, 'rust');
+------------------------------------------------------+
| qname_normalize(Utf8("crate::a::f"),NULL,Utf8("rust")) |
+------------------------------------------------------+
| crate.a.f                                            |
+------------------------------------------------------+
```"#,
    )
    .with_argument("symbol", "The (possibly qualified) name (a string).")
    .with_argument(
        "module",
        "Optional string, default NULL: the module the symbol belongs to.",
    )
    .with_argument(
        "lang",
        "Optional string, default NULL: which separators to split on (NULL, python, rust \
         or cpp).",
    )
    .with_alternative_syntax("qualname_normalize(symbol[, module[, lang]])")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{AsArray, LargeStringArray, StringArray};

    use super::*;
    use crate::functions::test_support::{invoke, sql_value};

    fn qname(symbol: &str, module: Option<&str>, lang: Lang) -> Option<String> {
        let mut out = String::new();
        write_qname(
            &mut out,
            symbol,
            module,
            lang,
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .then_some(out)
    }

    #[test]
    fn hand_computed_generic_cases() {
        use Lang::Generic;
        for (symbol, module, expected) in [
            ("pkg.mod.f", None, Some("pkg.mod.f")),
            ("f", Some("pkg.mod"), Some("pkg.mod.f")),
            ("pkg.mod.f", Some("pkg.mod"), Some("pkg.mod.f")),
            ("pkg.mod", Some("pkg.mod"), Some("pkg.mod")),
            ("mod.f", Some("pkg.mod"), Some("pkg.mod.mod.f")),
            (
                "pkg.module.f",
                Some("pkg.mod"),
                Some("pkg.mod.pkg.module.f"),
            ),
            ("a..b", None, Some("a.b")),
            (".a.", None, Some("a")),
            (" a . b ", None, Some("a.b")),
            ("\u{3000}模块\u{3000}.函数", Some("ü"), Some("ü.模块.函数")),
            ("crate::a::f", None, Some("crate.a.f")),
            ("a\\b/c", None, Some("a.b.c")),
            (
                "tests/test_x.py::TestC::test_m",
                None,
                Some("tests.test_x.py.TestC.test_m"),
            ),
            ("a:::b", None, Some("a.:b")),
            ("a:b", None, Some("a:b")),
            ("f", Some(""), Some("f")),
            ("f", Some(" :: "), Some("f")),
            ("", Some("pkg"), None),
            ("...", None, None),
            ("  ", None, None),
        ] {
            assert_eq!(
                qname(symbol, module, Generic).as_deref(),
                expected,
                "{symbol:?} in {module:?}"
            );
        }
    }

    #[test]
    fn hand_computed_language_cases() {
        use Lang::{DoubleColon, Python};
        assert_eq!(
            qname("a::b", None, Python).as_deref(),
            Some("a::b"),
            "'::' is not a Python separator"
        );
        assert_eq!(qname("a/b.c", None, Python).as_deref(), Some("a/b.c"));
        assert_eq!(
            qname("x.y", Some("x"), DoubleColon).as_deref(),
            Some("x.x.y")
        );
        assert_eq!(
            qname("std::map<std::string, int>::at", None, DoubleColon).as_deref(),
            Some("std.map<std.string, int>.at")
        );
        assert_eq!(
            qname("Type::new", Some("crate::m"), DoubleColon).as_deref(),
            Some("crate.m.Type.new")
        );
    }

    #[test]
    fn languages_parse_case_insensitively() {
        assert_eq!(Lang::parse(None), Some(Lang::Generic));
        assert_eq!(Lang::parse(Some(" Python ")), Some(Lang::Python));
        assert_eq!(Lang::parse(Some("C++")), Some(Lang::DoubleColon));
        assert_eq!(Lang::parse(Some("java")), None);
        assert_eq!(Lang::parse(Some("")), None);
    }

    #[test]
    fn columns_nulls_and_errors() {
        let udf = QnameNormalizeFunc::new();
        let symbols = StringArray::from(vec![Some("f"), None, Some("a::b"), Some("")]);
        let modules = LargeStringArray::from(vec![Some("m"), Some("m"), None, Some("m")]);
        let langs = StringArray::from(vec![None, Some("rust"), Some("python"), None]);
        let result = invoke(
            &udf,
            vec![
                ColumnarValue::Array(Arc::new(symbols)),
                ColumnarValue::Array(Arc::new(modules)),
                ColumnarValue::Array(Arc::new(langs)),
            ],
            4,
        )
        .unwrap()
        .into_array(4)
        .unwrap();
        assert_eq!(
            result.as_string::<i32>().iter().collect::<Vec<_>>(),
            vec![Some("m.f"), None, Some("a::b"), None]
        );
        let err = invoke(
            &udf,
            vec![
                ColumnarValue::Array(Arc::new(StringArray::from(vec!["f"]))),
                ColumnarValue::Scalar(ScalarValue::Utf8(None)),
                ColumnarValue::Array(Arc::new(StringArray::from(vec!["java"]))),
            ],
            1,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains(
                "qname_normalize expects argument 'lang' to be NULL, 'python' ('py'), 'rust' ('rs') or 'cpp' ('c++'), got 'java'"
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_named_alias_and_plan_time_lang_check() {
        for (sql, expected) in [
            ("SELECT qname_normalize('f', 'pkg')", Some("pkg.f")),
            (
                "SELECT qualname_normalize(symbol => 'a::b', module => NULL, lang => 'rust')",
                Some("a.b"),
            ),
            ("SELECT qname_normalize(NULL, 'pkg')", None),
            ("SELECT qname_normalize(42)", Some("42")),
        ] {
            assert_eq!(
                sql_value(sql).await.unwrap(),
                ScalarValue::Utf8(expected.map(str::to_owned)),
                "{sql}"
            );
        }
        let err = sql_value(
            "SELECT qname_normalize(column1, NULL, 'java') FROM (VALUES ('a')) WHERE false",
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("got 'java'"), "{err}");
    }
}
