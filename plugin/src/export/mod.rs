//! Everything that crosses the C ABI: the root module, the manifest and the
//! construction of datafusion-ffi objects. Every `extern "C"` function here
//! runs its body under [`guard::ffi_guard`], so no panic unwinds into a host.

pub mod guard;
pub mod manifest;
pub mod root;
