//! Codes for the kinds of DataFusion object a plugin exports through
//! [`PluginModule::export`](crate::module::PluginModule::export).
//!
//! Each code fixes the datafusion-ffi type written to the `out` pointer and
//! the type expected behind the `input` pointer. These types are only stable
//! within one datafusion-ffi major, which the host checks (from the manifest)
//! before it asks for any export. Codes are never reused; new ones are added
//! with an ABI minor bump.

/// `out: *mut datafusion_ffi::udf::FFI_ScalarUDF`; `input` unused (null).
pub const SCALAR_UDF: u32 = 1;
/// `out: *mut datafusion_ffi::udaf::FFI_AggregateUDF`; `input` unused (null).
pub const AGGREGATE_UDF: u32 = 2;
/// `out: *mut datafusion_ffi::udwf::FFI_WindowUDF`; `input` unused (null).
pub const WINDOW_UDF: u32 = 3;
/// `out: *mut datafusion_ffi::udtf::FFI_TableFunction`;
/// `input: *const datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec`.
pub const TABLE_FUNCTION: u32 = 4;
/// `out: *mut datafusion_ffi::table_provider_factory::FFI_TableProviderFactory`;
/// `input: *const datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec`.
pub const TABLE_PROVIDER_FACTORY: u32 = 5;

/// Human-readable name of an export kind code, for errors and snapshots.
pub fn name(kind: u32) -> &'static str {
    match kind {
        SCALAR_UDF => "scalar_udf",
        AGGREGATE_UDF => "aggregate_udf",
        WINDOW_UDF => "window_udf",
        TABLE_FUNCTION => "table_function",
        TABLE_PROVIDER_FACTORY => "table_provider_factory",
        _ => "unknown",
    }
}
