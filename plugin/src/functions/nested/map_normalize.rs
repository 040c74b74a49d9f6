//! `map_normalize(map, key_case, sort_keys)`: a map with case-folded,
//! unique and (optionally) sorted string keys.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, LargeStringArray, MapArray, StringArray, StringViewArray,
    StructArray, UInt32Array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::{DOC_SECTION, cast_in_kernel, check_arity, invoke_on_arrays};
use crate::config::{self, CodeAnatomyConfig};
use crate::functions::string_args::{StringColumn, coerce_string_type};

const NAME: &str = "map_normalize";
const PARAMETERS: [&str; 3] = ["map", "key_case", "sort_keys"];

/// How `map_normalize` folds the case of keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyCase {
    Lower,
    Upper,
    Preserve,
}

impl KeyCase {
    /// The accepted spellings, for error messages.
    const CHOICES: &str = "'lower', 'upper' or 'preserve'";

    /// Parses a setting or argument, ignoring ASCII case.
    fn parse(text: &str) -> Option<Self> {
        [
            ("lower", Self::Lower),
            ("upper", Self::Upper),
            ("preserve", Self::Preserve),
        ]
        .into_iter()
        .find_map(|(name, case)| name.eq_ignore_ascii_case(text).then_some(case))
    }

    /// `key` in this case: Unicode full case mapping without locale, as
    /// DataFusion's `lower()` and `upper()` (so `'ß'` upper-cases to `"SS"`),
    /// with a borrow when nothing changes.
    fn fold(self, key: &str) -> Cow<'_, str> {
        match self {
            Self::Preserve => Cow::Borrowed(key),
            Self::Lower if key.is_ascii() => {
                if key.bytes().any(|byte| byte.is_ascii_uppercase()) {
                    Cow::Owned(key.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(key)
                }
            }
            Self::Upper if key.is_ascii() => {
                if key.bytes().any(|byte| byte.is_ascii_lowercase()) {
                    Cow::Owned(key.to_ascii_uppercase())
                } else {
                    Cow::Borrowed(key)
                }
            }
            Self::Lower => Cow::Owned(key.to_lowercase()),
            Self::Upper => Cow::Owned(key.to_uppercase()),
        }
    }
}

/// `map_normalize(map, key_case => 'lower', sort_keys => true)`: the map
/// with every key case-folded (`'lower'`, `'upper'` or `'preserve'`) and,
/// when `sort_keys`, its entries in ascending key order (code point order).
///
/// The result has unique keys: when folding makes keys equal (or the map
/// already repeated a key), the LAST of those entries wins, with its
/// original key spelling folded and its value. Without `sort_keys` the
/// surviving entries keep their relative order. Values, NULL or not, are
/// untouched. A NULL map gives NULL, an empty map an empty map.
///
/// Keys must be strings (`Utf8`, `LargeUtf8`, `Utf8View`; a dictionary of
/// strings is read as its value type). The result type is the map type
/// with `keys_sorted` false whatever `sort_keys` is, so that it never
/// depends on a session setting. An omitted `key_case` or `sort_keys` takes
/// the session's `codeanatomy_udf.map_normalize_key_case` /
/// `map_normalize_sort_keys`, else the install defaults; given ones must be
/// literals.
#[derive(Debug)]
pub struct MapNormalizeFunc {
    signature: Signature,
    defaults: CodeAnatomyConfig,
}

impl MapNormalizeFunc {
    /// The function with its parameter names; `defaults` are the install
    /// options, used when neither the call nor the session sets an option.
    pub fn new(defaults: &CodeAnatomyConfig) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable)
                .with_parameter_names(PARAMETERS.to_vec())
                .expect("user-defined signatures accept any parameter names"),
            defaults: defaults.clone(),
        }
    }
}

/// Two instances behave alike exactly when the defaults they read agree.
impl PartialEq for MapNormalizeFunc {
    fn eq(&self, other: &Self) -> bool {
        self.signature == other.signature
            && self.defaults.map_normalize_key_case == other.defaults.map_normalize_key_case
            && self.defaults.map_normalize_sort_keys == other.defaults.map_normalize_sort_keys
    }
}

impl Eq for MapNormalizeFunc {}

impl Hash for MapNormalizeFunc {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.signature.hash(state);
        self.defaults.map_normalize_key_case.hash(state);
        self.defaults.map_normalize_sort_keys.hash(state);
    }
}

/// The map type the kernel works on: string keys in a plain layout. A map
/// keyed by a dictionary of strings keeps its type at planning and is cast
/// by the kernel (see `cast_in_kernel`).
fn plain_key_map_type(data_type: &DataType) -> Result<DataType> {
    let DataType::Map(entries, sorted) = data_type else {
        return match data_type {
            DataType::Null => Ok(DataType::Null),
            other => plan_err!(
                "{NAME} expects a map for argument '{}', got {other}",
                PARAMETERS[0]
            ),
        };
    };
    let DataType::Struct(fields) = entries.data_type() else {
        return plan_err!("{NAME}: malformed map entries type {}", entries.data_type());
    };
    let key_type = match fields.first().map(|key| key.data_type()) {
        Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
            return Ok(data_type.clone());
        }
        Some(DataType::Dictionary(_, value))
            if matches!(
                value.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            value.as_ref().clone()
        }
        _ => {
            return plan_err!(
                "{NAME} expects a map with string keys for argument '{}', got {data_type}",
                PARAMETERS[0]
            );
        }
    };
    let fields = vec![
        Arc::new(fields[0].as_ref().clone().with_data_type(key_type)),
        Arc::clone(&fields[1]),
    ];
    let entries = Field::new(entries.name(), DataType::Struct(fields.into()), false);
    Ok(DataType::Map(Arc::new(entries), *sorted))
}

/// The result type for the map type the kernel works on.
fn result_type(map: &DataType) -> DataType {
    match map {
        DataType::Map(entries, _) => DataType::Map(Arc::clone(entries), false),
        other => other.clone(),
    }
}

/// The `key_case` argument's value; `value` is `None` when it is not a
/// literal.
fn key_case_literal(value: Option<&ScalarValue>) -> Result<KeyCase> {
    let parameter = PARAMETERS[1];
    match value {
        None => plan_err!("{NAME}: argument '{parameter}' must be a string literal"),
        Some(value) if value.is_null() => {
            plan_err!("{NAME}: argument '{parameter}' must be a string literal, got NULL")
        }
        Some(value) => match value.try_as_str().flatten() {
            Some(text) => match KeyCase::parse(text) {
                Some(case) => Ok(case),
                None => plan_err!(
                    "{NAME}: argument '{parameter}' must be {}, got '{text}'",
                    KeyCase::CHOICES
                ),
            },
            None => plan_err!(
                "{NAME}: argument '{parameter}' must be a string literal, got {}",
                value.data_type()
            ),
        },
    }
}

/// The `sort_keys` argument's value; `value` is `None` when it is not a
/// literal.
fn sort_keys_literal(value: Option<&ScalarValue>) -> Result<bool> {
    let parameter = PARAMETERS[2];
    match value {
        Some(ScalarValue::Boolean(Some(sort_keys))) => Ok(*sort_keys),
        Some(value) if value.is_null() => {
            plan_err!("{NAME}: argument '{parameter}' must be a boolean literal, got NULL")
        }
        Some(value) => plan_err!(
            "{NAME}: argument '{parameter}' must be a boolean literal, got {}",
            value.data_type()
        ),
        None => plan_err!("{NAME}: argument '{parameter}' must be a boolean literal"),
    }
}

/// The value a literal argument holds at execution. Through the FFI a
/// literal arrives as an array repeating it; an empty batch has no value to
/// read, and needs none.
fn literal_at_execution(value: &ColumnarValue) -> Result<Option<ScalarValue>> {
    match value {
        ColumnarValue::Scalar(scalar) => Ok(Some(scalar.clone())),
        ColumnarValue::Array(array) if array.is_empty() => Ok(None),
        ColumnarValue::Array(array) => ScalarValue::try_from_array(array, 0).map(Some),
    }
}

impl ScalarUDFImpl for MapNormalizeFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(NAME, &PARAMETERS, 1, arg_types)?;
        plain_key_map_type(&arg_types[0])?;
        let mut planned = vec![arg_types[0].clone()];
        if let Some(key_case) = arg_types.get(1) {
            planned.push(coerce_string_type(NAME, PARAMETERS[1], None, key_case)?);
        }
        if let Some(sort_keys) = arg_types.get(2) {
            planned.push(match sort_keys {
                DataType::Boolean | DataType::Null => DataType::Boolean,
                other => {
                    return plan_err!(
                        "{NAME} expects a boolean for argument '{}', got {other}",
                        PARAMETERS[2]
                    );
                }
            });
        }
        Ok(planned)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_arity(NAME, &PARAMETERS, 1, arg_types)?;
        Ok(result_type(&plain_key_map_type(&arg_types[0])?))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let arg_types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|field| field.data_type().clone())
            .collect();
        let literal = |index: usize| args.scalar_arguments.get(index).copied().flatten();
        if arg_types.len() > 1 {
            key_case_literal(literal(1))?;
        }
        if arg_types.len() > 2 {
            sort_keys_literal(literal(2))?;
        }
        Ok(Arc::new(Field::new(
            NAME,
            self.return_type(&arg_types)?,
            true,
        )))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The session and install defaults only matter for an omitted option.
        let config = if args.args.len() < PARAMETERS.len() {
            Some(config::resolve(&args.config_options, &self.defaults)?)
        } else {
            None
        };
        let key_case = match (args.args.get(1), &config) {
            (Some(given), _) => match literal_at_execution(given)? {
                Some(value) => key_case_literal(Some(&value))?,
                // An empty batch has no key to fold.
                None => KeyCase::Preserve,
            },
            (None, Some(config)) => configured_key_case(&config.map_normalize_key_case)?,
            (None, None) => return exec_err!("{NAME}: no key_case given or configured"),
        };
        let sort_keys = match (args.args.get(2), &config) {
            (Some(given), _) => match literal_at_execution(given)? {
                Some(value) => sort_keys_literal(Some(&value))?,
                None => false,
            },
            (None, Some(config)) => config.map_normalize_sort_keys,
            (None, None) => return exec_err!("{NAME}: no sort_keys given or configured"),
        };
        invoke_on_arrays(&args.args[..1], |arrays| {
            let map = cast_in_kernel(&arrays[0], &plain_key_map_type(arrays[0].data_type())?)?;
            match map.data_type() {
                DataType::Map(..) => normalize(map.as_map(), key_case, sort_keys),
                _ => Ok(map),
            }
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The key case a setting names, or an error naming the setting.
fn configured_key_case(setting: &str) -> Result<KeyCase> {
    match KeyCase::parse(setting) {
        Some(case) => Ok(case),
        None => exec_err!(
            "{NAME}: invalid setting {}.map_normalize_key_case = '{setting}', expected {}",
            <CodeAnatomyConfig as datafusion::common::config::ConfigExtension>::PREFIX,
            KeyCase::CHOICES
        ),
    }
}

/// Keys are folded in one pass over the child keys; each row's entries are
/// then ordered by a stable sort on the folded key (so equal keys stay in
/// entry order and the last of each run is the one kept), and one `take` per
/// child builds the result.
fn normalize(map: &MapArray, key_case: KeyCase, sort_keys: bool) -> Result<ArrayRef> {
    let offsets = map.value_offsets();
    let first = offsets[0] as usize;
    let last = offsets[map.len()] as usize;
    let keys = map.keys().slice(first, last - first);
    let values = map.values().slice(first, last - first);
    let folded = fold_keys(&keys, key_case)?;
    let Some(folded_keys) = StringColumn::try_new(folded.as_ref()) else {
        return exec_err!("{NAME} expects string map keys, got {}", keys.data_type());
    };

    let mut order: Vec<u32> = Vec::with_capacity(keys.len());
    let mut lengths = Vec::with_capacity(map.len());
    let mut entries: Vec<u32> = Vec::new();
    let mut kept: Vec<u32> = Vec::new();
    for (row, window) in offsets.windows(2).enumerate() {
        if map.is_null(row) {
            lengths.push(0);
            continue;
        }
        entries.clear();
        entries
            .extend(((window[0] as usize) - first) as u32..((window[1] as usize) - first) as u32);
        let key = |entry: u32| folded_keys.value(entry as usize);
        entries.sort_by(|&a, &b| key(a).cmp(&key(b)));
        kept.clear();
        kept.extend(
            entries
                .iter()
                .enumerate()
                .filter(|&(index, &entry)| {
                    entries
                        .get(index + 1)
                        .is_none_or(|&next| key(next) != key(entry))
                })
                .map(|(_, &entry)| entry),
        );
        if !sort_keys {
            kept.sort_unstable();
        }
        lengths.push(kept.len());
        order.extend_from_slice(&kept);
    }

    let order = UInt32Array::from(order);
    let DataType::Map(entries_field, _) = map.data_type() else {
        return exec_err!("{NAME}: expected a map, got {}", map.data_type());
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return exec_err!(
            "{NAME}: malformed map entries type {}",
            entries_field.data_type()
        );
    };
    let entries = StructArray::try_new(
        fields.clone(),
        vec![take(&folded, &order, None)?, take(&values, &order, None)?],
        None,
    )?;
    Ok(Arc::new(MapArray::try_new(
        Arc::clone(entries_field),
        OffsetBuffer::from_lengths(lengths),
        entries,
        map.nulls().cloned(),
        false,
    )?))
}

/// The keys in `key_case`, in their own string layout.
fn fold_keys(keys: &ArrayRef, key_case: KeyCase) -> Result<ArrayRef> {
    if key_case == KeyCase::Preserve {
        return Ok(Arc::clone(keys));
    }
    Ok(match keys.data_type() {
        DataType::Utf8 => Arc::new(
            keys.as_string::<i32>()
                .iter()
                .map(|key| key.map(|key| key_case.fold(key)))
                .collect::<StringArray>(),
        ),
        DataType::LargeUtf8 => Arc::new(
            keys.as_string::<i64>()
                .iter()
                .map(|key| key.map(|key| key_case.fold(key)))
                .collect::<LargeStringArray>(),
        ),
        DataType::Utf8View => Arc::new(
            keys.as_string_view()
                .iter()
                .map(|key| key.map(|key| key_case.fold(key)))
                .collect::<StringViewArray>(),
        ),
        other => return exec_err!("{NAME} expects string map keys, got {other}"),
    })
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION,
        "Returns the map with every key case-folded ('lower', 'upper' or 'preserve') and, when \
         `sort_keys`, its entries in ascending key order. Keys are unique afterwards: when \
         folding makes keys equal, the LAST such entry wins; without `sort_keys` the surviving \
         entries keep their order. Keys must be strings. A NULL map gives NULL. Omitted \
         options come from the settings codeanatomy_udf.map_normalize_key_case and \
         codeanatomy_udf.map_normalize_sort_keys (defaults 'lower' and true); given options \
         must be literals.",
        "map_normalize(map[, key_case[, sort_keys]])",
    )
    .with_sql_example(
        r#"```sql
> SELECT map_normalize(MAP {'B': 1, 'a': 2, 'A': 3});
+------------------------------------------------------------------------------------------------------+
| map_normalize(map(make_array(Utf8("B"),Utf8("a"),Utf8("A")),make_array(Int64(1),Int64(2),Int64(3)))) |
+------------------------------------------------------------------------------------------------------+
| {a: 3, b: 1}                                                                                         |
+------------------------------------------------------------------------------------------------------+
```"#,
    )
    .with_argument("map", "The map, with string keys.")
    .with_argument(
        "key_case",
        "'lower', 'upper' or 'preserve' (a literal); default: the \
         codeanatomy_udf.map_normalize_key_case setting, 'lower' unless set.",
    )
    .with_argument(
        "sort_keys",
        "Whether to order the entries by key (a boolean literal); default: the \
         codeanatomy_udf.map_normalize_sort_keys setting, true unless set.",
    )
    .with_related_udf("map_get_default")
    .build()
});

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int64Builder, MapBuilder, StringBuilder};
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::common::config::ConfigOptions;
    use datafusion::execution::config::SessionConfig;
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::functions::test_support::sql_value;

    type Entries<'a> = &'a [(&'a str, Option<i64>)];

    /// One map row as `(key, value)` pairs, `None` for a NULL map.
    type Row = Option<Vec<(String, Option<i64>)>>;

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

    /// Every row of `map`.
    fn rows_of(map: &ArrayRef) -> Vec<Row> {
        let map = map.as_map();
        (0..map.len())
            .map(|row| {
                map.is_valid(row).then(|| {
                    let entries = map.value(row);
                    let keys = StringColumn::try_new(entries.column(0).as_ref()).unwrap();
                    let values = entries.column(1).as_primitive::<Int64Type>();
                    (0..entries.len())
                        .map(|entry| {
                            (
                                keys.value(entry).unwrap().to_owned(),
                                values.is_valid(entry).then(|| values.value(entry)),
                            )
                        })
                        .collect()
                })
            })
            .collect()
    }

    fn pairs(entries: Entries<'_>) -> Row {
        Some(
            entries
                .iter()
                .map(|(key, value)| (key.to_string(), *value))
                .collect(),
        )
    }

    /// Invokes the function like the executor, with `options` as the
    /// session's configuration.
    fn run_with(
        func: &MapNormalizeFunc,
        map: ArrayRef,
        given: Vec<ScalarValue>,
        options: ConfigOptions,
    ) -> Result<ArrayRef> {
        let rows = map.len();
        let mut args = vec![ColumnarValue::Array(map)];
        args.extend(given.into_iter().map(ColumnarValue::Scalar));
        let arg_fields: Vec<FieldRef> = args
            .iter()
            .map(|arg| Arc::new(Field::new("arg", arg.data_type(), true)))
            .collect();
        let arg_types: Vec<DataType> = args.iter().map(ColumnarValue::data_type).collect();
        let return_field = Arc::new(Field::new(NAME, func.return_type(&arg_types)?, true));
        func.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields,
            number_rows: rows,
            return_field,
            config_options: Arc::new(options),
        })?
        .into_array(rows)
    }

    fn run(map: ArrayRef, given: Vec<ScalarValue>) -> Result<ArrayRef> {
        run_with(
            &MapNormalizeFunc::new(&CodeAnatomyConfig::default()),
            map,
            given,
            ConfigOptions::default(),
        )
    }

    fn text(value: &str) -> ScalarValue {
        ScalarValue::Utf8(Some(value.into()))
    }

    #[test]
    fn folds_sorts_and_keeps_the_last_of_colliding_keys() {
        let map: ArrayRef = Arc::new(string_map(&[
            Some(&[("B", Some(1)), ("a", Some(2)), ("A", Some(3))]),
            None,
            Some(&[]),
            Some(&[("x", None)]),
        ]));
        let expected = vec![
            pairs(&[("a", Some(3)), ("b", Some(1))]),
            None,
            pairs(&[]),
            pairs(&[("x", None)]),
        ];
        assert_eq!(rows_of(&run(Arc::clone(&map), vec![]).unwrap()), expected);
        assert_eq!(
            rows_of(
                &run(
                    Arc::clone(&map),
                    vec![text("lower"), ScalarValue::Boolean(Some(true))]
                )
                .unwrap()
            ),
            expected
        );
        // Unsorted: survivors in entry order ("B" first, then the last "a").
        assert_eq!(
            rows_of(
                &run(
                    Arc::clone(&map),
                    vec![text("LOWER"), ScalarValue::Boolean(Some(false))]
                )
                .unwrap()
            )[0],
            pairs(&[("b", Some(1)), ("a", Some(3))])
        );
    }

    #[test]
    fn upper_uses_unicode_case_mapping_and_preserve_only_dedups() {
        let map: ArrayRef = Arc::new(string_map(&[Some(&[
            ("straße", Some(1)),
            ("b", Some(2)),
            ("STRASSE", Some(3)),
            ("b", Some(4)),
        ])]));
        assert_eq!(
            rows_of(&run(Arc::clone(&map), vec![text("upper")]).unwrap())[0],
            pairs(&[("B", Some(4)), ("STRASSE", Some(3))])
        );
        assert_eq!(
            rows_of(&run(map, vec![text("preserve")]).unwrap())[0],
            pairs(&[("STRASSE", Some(3)), ("b", Some(4)), ("straße", Some(1))])
        );
    }

    #[test]
    fn sliced_map_reads_only_its_own_rows() {
        let map = string_map(&[
            Some(&[("Z", Some(0))]),
            Some(&[("b", Some(1)), ("A", Some(2))]),
            Some(&[("Y", Some(0))]),
        ]);
        let result = run(Arc::new(map.slice(1, 1)), vec![]).unwrap();
        assert_eq!(
            rows_of(&result),
            vec![pairs(&[("a", Some(2)), ("b", Some(1))])]
        );
    }

    #[test]
    fn omitted_options_follow_session_then_install_defaults() {
        let map: ArrayRef = Arc::new(string_map(&[Some(&[("b", Some(1)), ("A", Some(2))])]));
        let mut install = CodeAnatomyConfig {
            map_normalize_key_case: "upper".into(),
            map_normalize_sort_keys: false,
            ..CodeAnatomyConfig::default()
        };
        let func = MapNormalizeFunc::new(&install);
        let result = run_with(&func, Arc::clone(&map), vec![], ConfigOptions::default());
        assert_eq!(
            rows_of(&result.unwrap())[0],
            pairs(&[("B", Some(1)), ("A", Some(2))])
        );

        let mut session = ConfigOptions::default();
        session.extensions.insert(CodeAnatomyConfig {
            map_normalize_key_case: "preserve".into(),
            ..CodeAnatomyConfig::default()
        });
        let result = run_with(&func, Arc::clone(&map), vec![], session);
        assert_eq!(
            rows_of(&result.unwrap())[0],
            pairs(&[("A", Some(2)), ("b", Some(1))])
        );

        // A given argument wins over every default.
        let result = run_with(
            &func,
            Arc::clone(&map),
            vec![text("lower")],
            ConfigOptions::default(),
        );
        assert_eq!(
            rows_of(&result.unwrap())[0],
            pairs(&[("b", Some(1)), ("a", Some(2))])
        );

        install.map_normalize_key_case = "camel".into();
        let err = run_with(
            &MapNormalizeFunc::new(&install),
            map,
            vec![],
            ConfigOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains(
                "map_normalize: invalid setting codeanatomy_udf.map_normalize_key_case = 'camel'"
            ),
            "{err}"
        );
    }

    #[test]
    fn options_must_be_valid_literals() {
        let func = MapNormalizeFunc::new(&CodeAnatomyConfig::default());
        let map = string_map(&[]).data_type().clone();
        let fields: Vec<FieldRef> = [map, DataType::Utf8, DataType::Boolean]
            .into_iter()
            .map(|data_type| Arc::new(Field::new("arg", data_type, true)))
            .collect();
        let check = |scalars: &[Option<&ScalarValue>]| {
            func.return_field_from_args(ReturnFieldArgs {
                arg_fields: &fields[..scalars.len()],
                scalar_arguments: scalars,
            })
            .map(|_| ())
        };
        let upper = text("upper");
        let yes = ScalarValue::Boolean(Some(true));
        assert!(check(&[None, Some(&upper), Some(&yes)]).is_ok());
        for (scalars, message) in [
            (
                vec![None, None],
                "map_normalize: argument 'key_case' must be a string literal",
            ),
            (
                vec![None, Some(&ScalarValue::Utf8(None))],
                "map_normalize: argument 'key_case' must be a string literal, got NULL",
            ),
            (
                vec![None, Some(&text("title"))],
                "map_normalize: argument 'key_case' must be 'lower', 'upper' or 'preserve', got 'title'",
            ),
            (
                vec![None, Some(&upper), None],
                "map_normalize: argument 'sort_keys' must be a boolean literal",
            ),
        ] {
            let err = check(&scalars).unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
    }

    #[test]
    fn keys_must_be_strings() {
        let func = MapNormalizeFunc::new(&CodeAnatomyConfig::default());
        let int_keys = DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(
                    vec![
                        Field::new("key", DataType::Int64, false),
                        Field::new("value", DataType::Int64, true),
                    ]
                    .into(),
                ),
                false,
            )),
            false,
        );
        let err = func.coerce_types(&[int_keys]).unwrap_err();
        assert!(
            err.to_string()
                .contains("map_normalize expects a map with string keys for argument 'map'"),
            "{err}"
        );
        let err = func.coerce_types(&[DataType::Utf8]).unwrap_err();
        assert!(
            err.to_string()
                .contains("map_normalize expects a map for argument 'map', got Utf8"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sql_named_arguments_and_session_setting() {
        assert_eq!(
            sql_value("SELECT map_normalize(MAP {'B': 1, 'a': 2, 'A': 3})")
                .await
                .unwrap(),
            sql_value("SELECT MAP {'a': 3, 'b': 1}").await.unwrap()
        );
        assert_eq!(
            sql_value("SELECT map_normalize(map => MAP {'B': 1, 'a': 2}, key_case => 'upper', sort_keys => false)")
                .await
                .unwrap(),
            sql_value("SELECT MAP {'B': 1, 'A': 2}").await.unwrap()
        );
        let err = sql_value("SELECT map_normalize(MAP {'a': 1}, sort_keys => false)")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("Missing required parameter 'key_case'"),
            "{err}"
        );

        let ctx = SessionContext::new_with_config(
            SessionConfig::new().with_option_extension(CodeAnatomyConfig::default()),
        );
        for udf in super::super::functions(&CodeAnatomyConfig::default()) {
            ctx.register_udf(udf.as_ref().clone());
        }
        ctx.sql("SET codeanatomy_udf.map_normalize_key_case = 'upper'")
            .await
            .unwrap();
        let batches = ctx
            .sql("SELECT map_normalize(MAP {'b': 1, 'A': 2})")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let result = ScalarValue::try_from_array(batches[0].column(0), 0).unwrap();
        assert_eq!(
            result,
            sql_value("SELECT MAP {'A': 2, 'B': 1}").await.unwrap()
        );
    }
}
