//! Positional arguments of the Delta table functions.
//!
//! Arguments are constant expressions; a NULL argument means "absent" (the
//! host maps named arguments such as `version => 3` onto positions and
//! fills the gaps with NULL).

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, ScalarValue, plan_err};
use datafusion::logical_expr::Expr;

use super::cache::VersionSpec;

/// The constant value of argument `index` of `function` (named `name`);
/// `None` when the argument is missing or NULL.
pub fn constant(
    function: &str,
    name: &str,
    args: &[Expr],
    index: usize,
) -> Result<Option<ScalarValue>> {
    let Some(expr) = args.get(index) else {
        return Ok(None);
    };
    let value = fold(expr).ok_or_else(|| {
        DataFusionError::Plan(format!(
            "{function}: argument {} ({name}) must be a constant, got {expr}",
            index + 1
        ))
    })?;
    Ok((!value.is_null()).then_some(value))
}

/// Folds literals, casts of constants, negation and aliases.
fn fold(expr: &Expr) -> Option<ScalarValue> {
    match expr {
        Expr::Literal(v, _) => Some(v.clone()),
        Expr::Alias(a) => fold(&a.expr),
        Expr::Cast(c) => fold(&c.expr)?.cast_to(c.field.data_type()).ok(),
        Expr::TryCast(c) => fold(&c.expr)?.cast_to(c.field.data_type()).ok(),
        Expr::Negative(e) => fold(e)?.arithmetic_negate().ok(),
        _ => None,
    }
}

/// A required text argument.
pub fn required_text(function: &str, name: &str, args: &[Expr], index: usize) -> Result<String> {
    match optional_text(function, name, args, index)? {
        Some(s) => Ok(s),
        None => plan_err!("{function}: argument {} ({name}) is required", index + 1),
    }
}

/// An optional text argument.
pub fn optional_text(
    function: &str,
    name: &str,
    args: &[Expr],
    index: usize,
) -> Result<Option<String>> {
    match constant(function, name, args, index)? {
        None => Ok(None),
        Some(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::LargeUtf8(Some(s))
            | ScalarValue::Utf8View(Some(s)),
        ) => Ok(Some(s)),
        Some(other) => plan_err!(
            "{function}: argument {} ({name}) must be text, got {} {other}",
            index + 1,
            other.data_type()
        ),
    }
}

/// An optional non-negative version argument.
pub fn optional_version(
    function: &str,
    name: &str,
    args: &[Expr],
    index: usize,
) -> Result<Option<u64>> {
    let Some(value) = constant(function, name, args, index)? else {
        return Ok(None);
    };
    let as_int = if value.data_type().is_integer() {
        value.cast_to(&DataType::Int64).ok()
    } else {
        None
    };
    match as_int {
        Some(ScalarValue::Int64(Some(v))) if v >= 0 => Ok(Some(v as u64)),
        Some(ScalarValue::Int64(Some(v))) => {
            plan_err!("{function}: {name} must be a version number >= 0, got {v}")
        }
        _ => plan_err!(
            "{function}: argument {} ({name}) must be an integer version, got {} {value}",
            index + 1,
            value.data_type()
        ),
    }
}

/// An optional timestamp argument: RFC 3339 text (`2024-01-02T03:04:05Z`)
/// or a SQL timestamp value.
pub fn optional_timestamp(
    function: &str,
    name: &str,
    args: &[Expr],
    index: usize,
) -> Result<Option<DateTime<Utc>>> {
    let Some(value) = constant(function, name, args, index)? else {
        return Ok(None);
    };
    let bad = |detail: String| -> Result<Option<DateTime<Utc>>> {
        plan_err!(
            "{function}: argument {} ({name}) must be an RFC 3339 timestamp such as \
             '2024-01-02T03:04:05Z': {detail}",
            index + 1
        )
    };
    match &value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => match DateTime::parse_from_rfc3339(s.trim()) {
            Ok(t) => Ok(Some(t.with_timezone(&Utc))),
            Err(e) => bad(format!("'{s}': {e}")),
        },
        ScalarValue::TimestampSecond(..)
        | ScalarValue::TimestampMillisecond(..)
        | ScalarValue::TimestampMicrosecond(..)
        | ScalarValue::TimestampNanosecond(..) => {
            let micros = value.cast_to(&DataType::Timestamp(
                datafusion::arrow::datatypes::TimeUnit::Microsecond,
                None,
            ));
            match micros {
                Ok(ScalarValue::TimestampMicrosecond(Some(us), _)) => {
                    Ok(DateTime::from_timestamp_micros(us))
                }
                _ => bad(format!("{value} is out of range")),
            }
        }
        other => bad(format!("got {} {other}", other.data_type())),
    }
}

/// The version a `(version, timestamp)` pair selects.
pub fn version_spec(
    function: &str,
    version: Option<u64>,
    timestamp: Option<DateTime<Utc>>,
) -> Result<VersionSpec> {
    match (version, timestamp) {
        (Some(_), Some(_)) => {
            plan_err!("{function}: give either a version or a timestamp, not both")
        }
        (Some(v), None) => Ok(VersionSpec::Version(v)),
        (None, Some(t)) => Ok(VersionSpec::Timestamp(t)),
        (None, None) => Ok(VersionSpec::Latest),
    }
}

/// Fails when more than `max` arguments were given.
pub fn at_most(function: &str, syntax: &str, args: &[Expr], max: usize) -> Result<()> {
    if args.len() > max {
        return plan_err!(
            "{function} takes at most {max} arguments, got {}: {syntax}",
            args.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::lit;

    #[test]
    fn nulls_are_absent_and_types_are_checked() {
        let args = vec![
            lit("/t"),
            lit(ScalarValue::Int64(None)),
            lit("2024-01-02T03:04:05Z"),
        ];
        assert_eq!(required_text("f", "uri", &args, 0).unwrap(), "/t");
        assert_eq!(optional_version("f", "version", &args, 1).unwrap(), None);
        let ts = optional_timestamp("f", "timestamp", &args, 2)
            .unwrap()
            .unwrap();
        assert_eq!(ts.to_rfc3339(), "2024-01-02T03:04:05+00:00");
        assert_eq!(optional_version("f", "version", &args, 7).unwrap(), None);
        let err = optional_version("f", "version", &[lit("x")], 0).unwrap_err();
        assert!(err.to_string().contains("integer version"), "{err}");
        let err = optional_version("f", "version", &[lit(-1i64)], 0).unwrap_err();
        assert!(err.to_string().contains(">= 0"), "{err}");
        let err = optional_timestamp("f", "timestamp", &[lit("yesterday")], 0).unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        let err = required_text("f", "uri", &[lit(ScalarValue::Utf8(None))], 0).unwrap_err();
        assert!(err.to_string().contains("required"), "{err}");
        assert_eq!(
            optional_version("f", "v", &[lit(3i32)], 0).unwrap(),
            Some(3)
        );
    }

    #[test]
    fn version_and_timestamp_are_exclusive() {
        let t = DateTime::from_timestamp(0, 0).unwrap();
        assert!(version_spec("f", Some(1), Some(t)).is_err());
        assert_eq!(
            version_spec("f", Some(1), None).unwrap(),
            VersionSpec::Version(1)
        );
        assert_eq!(version_spec("f", None, None).unwrap(), VersionSpec::Latest);
    }
}
