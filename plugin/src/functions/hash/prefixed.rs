//! What the id functions share: reading `(prefix, part, ...)` arguments and
//! building the `prefix:<hash>` result.

use std::fmt::{Display, Write};
use std::sync::Arc;

use datafusion::arrow::array::StringBuilder;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::ColumnarValue;

use crate::functions::string_args::StringArg;

/// Name of the leading parameter of every id function.
pub(crate) const PREFIX: &str = "prefix";
/// Name of the repeated parameter of the `*_parts` functions.
pub(crate) const PART: &str = "part";

/// Splits the arguments of a `(prefix, part, ...)` function.
pub(crate) fn read_prefix_and_parts<'a>(
    function: &str,
    args: &'a [ColumnarValue],
) -> Result<(StringArg<'a>, Vec<StringArg<'a>>)> {
    let Some((prefix, parts)) = args.split_first().filter(|(_, parts)| !parts.is_empty()) else {
        return exec_err!(
            "{function} requires a prefix and at least one part, got {} arguments",
            args.len()
        );
    };
    let prefix = StringArg::try_new(function, PREFIX, prefix)?;
    let parts = parts
        .iter()
        .map(|part| StringArg::try_new(function, PART, part))
        .collect::<Result<_>>()?;
    Ok((prefix, parts))
}

/// Evaluates `prefix:<suffix(row)>` over a batch.
///
/// A row is NULL when its prefix is NULL or `suffix` returns `None`; each
/// function decides in `suffix` what a NULL value means. When the prefix
/// and all `values` are scalars the id is computed once and returned as a
/// scalar. `suffix_len_hint` is the usual byte length of a suffix, used to
/// size the output so the builder does not regrow mid-batch.
pub(crate) fn prefixed_ids<S: Display>(
    prefix: &StringArg<'_>,
    values: &[StringArg<'_>],
    rows: usize,
    suffix_len_hint: usize,
    suffix: impl Fn(usize) -> Option<S>,
) -> ColumnarValue {
    if let Some(prefix) = prefix.as_scalar()
        && values.iter().all(|value| value.as_scalar().is_some())
    {
        let id = prefix.and_then(|prefix| suffix(0).map(|suffix| format!("{prefix}:{suffix}")));
        return ColumnarValue::Scalar(ScalarValue::Utf8(id));
    }

    let data_capacity = prefix
        .byte_len_hint(rows)
        .saturating_add(rows.saturating_mul(suffix_len_hint + 1));
    let mut builder = StringBuilder::with_capacity(rows, data_capacity);
    for row in 0..rows {
        match prefix.value(row).zip(suffix(row)) {
            Some((prefix, suffix)) => {
                // Writing straight into the builder's value buffer avoids an
                // intermediate String per row; the empty append ends the row.
                write!(builder, "{prefix}:{suffix}")
                    .expect("writing to a StringBuilder cannot fail");
                builder.append_value("");
            }
            None => builder.append_null(),
        }
    }
    ColumnarValue::Array(Arc::new(builder.finish()))
}
