//! The signature the host plans plugin functions with.
//!
//! A foreign function's signature is bare `UserDefined` (every call is
//! coerced by the plugin), which `information_schema` and `SHOW FUNCTIONS`
//! cannot describe. The plugin's probed signatures are appended as
//! alternatives, for the listing only, so planning must stay the plugin's:
//! - the alternatives are `Coercible` with exact logical types: DataFusion
//!   counts those (like `UserDefined`) as "well supported" and then takes the
//!   first alternative's answer as it is, where an `Exact` alternative would
//!   make it re-check the plugin's choice against its own implicit coercion
//!   rules (which refuse, e.g., narrowing Int64 to Int16);
//! - the `UserDefined` alternative comes first and never fails:
//!   [`coerce_or_defer`] returns the types unchanged when the plugin refuses,
//!   and the wrapper's return-type method then reports the plugin's own error
//!   ([`check_deferred`]).

use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::common::types::NativeType;
use datafusion::logical_expr::{Coercion, Signature, TypeSignature, TypeSignatureClass};

use crate::snapshot::FunctionEntry;

/// `OneOf([UserDefined, Coercible(probed)...])` with the entry's parameter
/// names; the foreign signature itself when nothing was probed.
pub fn host_signature(foreign: &Signature, entry: Option<&FunctionEntry>) -> Signature {
    let Some(entry) = entry else {
        return foreign.clone();
    };
    let mut exact: Vec<TypeSignature> = Vec::new();
    for probed in &entry.signatures {
        let Some(natives) = probed
            .args
            .iter()
            .map(|t| DataType::from_str(t).ok().map(|t| NativeType::from(&t)))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        // A zero-argument call is only accepted through `Nullary`.
        let listing = if natives.is_empty() {
            TypeSignature::Nullary
        } else {
            TypeSignature::Coercible(
                natives
                    .into_iter()
                    .map(|n| Coercion::new_exact(TypeSignatureClass::Native(Arc::new(n))))
                    .collect(),
            )
        };
        // Utf8, LargeUtf8 and Utf8View probes name one logical signature.
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
