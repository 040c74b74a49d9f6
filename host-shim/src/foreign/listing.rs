//! The signature the host plans plugin functions with.
//!
//! A foreign function's signature is bare `UserDefined` (every call is
//! coerced by the plugin), which `information_schema` and `SHOW FUNCTIONS`
//! cannot describe. The plugin's probed signatures are appended as `Exact`
//! alternatives, for the listing only. DataFusion tries every alternative, so
//! to keep planning the plugin's alone the wrappers never let the
//! `UserDefined` alternative fail: [`coerce_or_defer`] returns the types
//! unchanged when the plugin refuses, and the wrapper's return-type method
//! then reports the plugin's own error ([`check_deferred`]).

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
    let exact: Vec<TypeSignature> = entry
        .signatures
        .iter()
        .filter_map(|s| {
            s.args
                .iter()
                .map(|t| DataType::from_str(t).ok())
                .collect::<Option<Vec<_>>>()
        })
        .map(TypeSignature::Exact)
        .collect();
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
