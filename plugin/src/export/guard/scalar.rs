//! Panic containment for scalar UDFs.

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature,
};

use super::guarded;

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
