//! Panic containment at the boundary.
//!
//! A panic that reaches an `extern "C"` frame aborts the whole host process.
//! The plugin's own entry points run under [`ffi_guard`]; UDF kernels, which
//! datafusion-ffi calls through its own `extern "C"` wrappers, are wrapped in
//! [`PanicGuardedUdf`] so a panic becomes a `DataFusionError` instead.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use abi_stable::std_types::{RResult, RString};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature,
};

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
fn guarded<T>(udf: &str, step: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(DataFusionError::Execution(format!(
            "function {udf} panicked inside the codeanatomy plugin during {step}: {}",
            panic_message(payload.as_ref())
        )))
    })
}

/// A scalar UDF whose every fallible call is run under `catch_unwind`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PanicGuardedUdf {
    inner: ScalarUDF,
}

impl PanicGuardedUdf {
    /// Wraps `udf`; name, aliases, signature and docs are the inner UDF's.
    pub fn wrap(udf: ScalarUDF) -> ScalarUDF {
        ScalarUDF::new_from_impl(PanicGuardedUdf { inner: udf })
    }
}

impl ScalarUDFImpl for PanicGuardedUdf {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        guarded(self.name(), "return type", || {
            self.inner.inner().return_type(arg_types)
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        guarded(self.name(), "return type", || {
            self.inner.return_field_from_args(args)
        })
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        guarded(self.name(), "type coercion", || {
            self.inner.coerce_types(arg_types)
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        guarded(self.name(), "execution", || {
            self.inner.invoke_with_args(args)
        })
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}
