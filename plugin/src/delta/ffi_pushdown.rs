//! Keeping filter pushdown for providers returned by table functions.
//!
//! datafusion-ffi 55 exports the provider a table function returns with
//! `can_support_pushdown_filters = false` (udtf.rs), so a host would see
//! every filter as Unsupported and never pass one to `scan`: no partition
//! pruning, no file skipping. It re-exports an *already foreign* provider
//! as is, though, keeping its pushdown entry and only swapping in the
//! host's codec. So when called from a host (the session is a
//! `ForeignSession`), the Delta table functions return their provider
//! pre-wrapped as a `ForeignTableProvider` over an `FFI_TableProvider`
//! built with pushdown enabled and the plugin's runtime. The codec used to
//! build it is a placeholder: datafusion-ffi replaces it with the host's
//! codec (the host session's task context) before the host sees it.
//!
//! The provider is wrapped in the panic guard first: the table function's
//! own guard (`export::guard`) passes an already foreign provider through
//! unchanged, since wrapping it again would hide it from datafusion-ffi.
//!
//! In-process callers (benchmarks, unit tests) get the provider itself.

use std::sync::{Arc, LazyLock};

use datafusion::catalog::{Session, TableProvider};
use datafusion::execution::{TaskContext, TaskContextProvider};
use datafusion_ffi::proto::logical_extension_codec::FFI_LogicalExtensionCodec;
use datafusion_ffi::session::ForeignSession;
use datafusion_ffi::table_provider::{FFI_TableProvider, ForeignTableProvider};

use crate::export::guard::PanicGuardedTableProvider;
use crate::runtime;

/// Task contexts for the placeholder codec (never used to decode anything:
/// the codec is replaced before the provider crosses the boundary).
#[derive(Debug)]
struct PlaceholderTaskContext;

impl TaskContextProvider for PlaceholderTaskContext {
    fn task_ctx(&self) -> Arc<TaskContext> {
        Arc::new(TaskContext::default())
    }
}

static PLACEHOLDER: LazyLock<Arc<PlaceholderTaskContext>> =
    LazyLock::new(|| Arc::new(PlaceholderTaskContext));

/// `provider`, ready to be returned from a table function called through
/// datafusion-ffi with filter pushdown intact. See the module docs.
/// `function` names the table function in panic messages.
pub fn with_filter_pushdown(
    function: &str,
    provider: Arc<dyn TableProvider>,
    session: &dyn Session,
) -> Arc<dyn TableProvider> {
    if session.as_any().downcast_ref::<ForeignSession>().is_none() {
        return provider;
    }
    let provider = PanicGuardedTableProvider::wrap(format!("table function {function}"), provider);
    // A clone of the static Arc: the codec's weak reference stays valid.
    let placeholder: Arc<dyn TaskContextProvider> = Arc::clone(&*PLACEHOLDER) as _;
    let codec = FFI_LogicalExtensionCodec::new_default(&placeholder);
    let ffi = FFI_TableProvider::new_with_ffi_codec(provider, true, Some(runtime::handle()), codec);
    Arc::new(ForeignTableProvider(ffi))
}
