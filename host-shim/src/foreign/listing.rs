//! The signature the host plans plugin functions with.
//!
//! A foreign function's signature is bare `UserDefined` (every call is
//! coerced by the plugin), which `information_schema` and `SHOW FUNCTIONS`
//! cannot describe. The plugin's probed signatures are appended as `Exact`
//! alternatives, for the listing. Planning stays the plugin's:
//! - the `UserDefined` alternative comes first and never fails:
//!   [`coerce_or_defer`] returns the types unchanged when the plugin refuses,
//!   and the wrapper's return-type method then reports the plugin's own error
//!   ([`check_deferred`]);
//! - DataFusion takes the first alternative whose types the arguments can be
//!   coerced to by its implicit rules, which is the plugin's answer whenever
//!   that answer is a coercion DataFusion itself would make. A plugin
//!   coercion DataFusion would not make (narrowing Int64 to Int16, text to a
//!   date) is skipped in favour of a listed signature, so the plugin's
//!   functions cast such arguments in their kernels instead.
//!
//! `Exact` rather than `Coercible` alternatives: a `Coercible` alternative
//! matches every physical layout of a logical type (LargeUtf8 for String,
//! any dictionary) and DataFusion then keeps the argument as it is, skipping
//! the plugin's own coercion; and DataFusion 55 derives no example types from
//! nested logical types at all.

use std::str::FromStr;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{Signature, TypeSignature};

use crate::snapshot::FunctionEntry;

/// `OneOf([UserDefined, Exact(probed)...])` with the entry's parameter
/// names; the foreign signature itself when nothing was probed.
pub fn host_signature(foreign: &Signature, entry: Option<&FunctionEntry>) -> Signature {
    let Some(entry) = entry else {
        return foreign.clone();
    };
    let mut exact: Vec<TypeSignature> = Vec::new();
    for probed in &entry.signatures {
        let Some(types) = probed
            .args
            .iter()
            .map(|t| DataType::from_str(t).ok())
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let listing = TypeSignature::Exact(types);
        if !exact.contains(&listing) {
            exact.push(listing);
        }
    }
    let mut signature = if exact.is_empty() {
        foreign.clone()
    } else {
        let mut variants = vec![TypeSignature::UserDefined];
        variants.extend(exact);
        Signature::one_of(variants, foreign.volatility)
    };
    // Set directly: DataFusion validates names only for fixed arities.
    signature.parameter_names = entry.parameters.clone();
    signature
}

/// Whether `signature` carries listing-only alternatives.
pub fn has_listing_variants(signature: &Signature) -> bool {
    matches!(signature.type_signature, TypeSignature::OneOf(_))
}

/// The plugin's coercion; with listing variants present, a refusal is
/// deferred (types returned unchanged) so DataFusion does not fall back to
/// an `Exact` alternative.
pub fn coerce_or_defer(
    signature: &Signature,
    arg_types: &[DataType],
    plugin: impl FnOnce(&[DataType]) -> Result<Vec<DataType>>,
) -> Result<Vec<DataType>> {
    match plugin(arg_types) {
        Ok(types) => Ok(types),
        Err(_) if has_listing_variants(signature) => Ok(arg_types.to_vec()),
        Err(e) => Err(e),
    }
}

/// Surfaces a refusal deferred by [`coerce_or_defer`], at planning time and
/// with the plugin's message.
pub fn check_deferred(
    fields: &[FieldRef],
    plugin: impl FnOnce(&[DataType]) -> Result<Vec<DataType>>,
) -> Result<()> {
    let types: Vec<DataType> = fields.iter().map(|f| f.data_type().clone()).collect();
    plugin(&types).map(|_| ())
}
