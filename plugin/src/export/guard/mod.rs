//! Panic containment at the boundary.
//!
//! A panic that reaches an `extern "C"` frame aborts the whole host process.
//! The plugin's own entry points run under [`ffi_guard`]; UDF kernels,
//! accumulators and partition evaluators, which datafusion-ffi calls through
//! its own `extern "C"` wrappers, are wrapped ([`PanicGuardedUdf`],
//! [`PanicGuardedUdaf`], [`PanicGuardedUdwf`]) so a panic becomes a
//! `DataFusionError` instead; so are table functions, table provider
//! factories, their providers and plans ([`PanicGuardedTableFunction`] and
//! friends).

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use abi_stable::std_types::{RResult, RString};
use datafusion::common::{DataFusionError, Result};

mod aggregate;
mod scalar;
mod table;
mod window;

pub use aggregate::PanicGuardedUdaf;
pub use scalar::PanicGuardedUdf;
pub use table::{
    PanicGuardedExec, PanicGuardedTableFactory, PanicGuardedTableFunction,
    PanicGuardedTableProvider,
};
pub use window::PanicGuardedUdwf;

/// Text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs `f`, turning an error or a panic into an `RErr` message.
pub fn ffi_guard<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> RResult<T, RString> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => RResult::ROk(v),
        Ok(Err(e)) => RResult::RErr(RString::from(e)),
        Err(payload) => RResult::RErr(RString::from(format!(
            "codeanatomy plugin panicked in {what}: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

/// Runs `f` for the function `udf`, turning a panic into a `DataFusionError`.
pub(crate) fn guarded<T>(udf: &str, step: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    guarded_as(format_args!("function {udf}"), step, f)
}

/// Runs `f` for `what` (e.g. `table function read_delta`), turning a panic
/// into a `DataFusionError`. `what` is only formatted if `f` panics.
pub(crate) fn guarded_as<T>(
    what: impl std::fmt::Display,
    step: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(panicked(what, step, payload.as_ref())))
}

/// The error a panic in `what` during `step` becomes.
pub(crate) fn panicked(
    what: impl std::fmt::Display,
    step: &str,
    payload: &(dyn Any + Send),
) -> DataFusionError {
    DataFusionError::Execution(format!(
        "{what} panicked inside the codeanatomy plugin during {step}: {}",
        panic_message(payload)
    ))
}
