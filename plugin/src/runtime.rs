//! The plugin's own tokio runtime.
//!
//! The plugin links its own copy of tokio, whose thread-locals know nothing
//! of the host's runtime: async work the plugin starts (object-store I/O,
//! Delta log reads) must run on a runtime of the plugin's copy.
//! datafusion-ffi enters the handle it is given around every foreign async
//! call. It must be multi-threaded: datafusion-ffi 55 blocks on it from
//! inside calls that may already run on one of its threads.

use std::sync::LazyLock;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("codeanatomy-plugin")
        .enable_all()
        .build()
        .expect("the plugin's tokio runtime starts (threads and I/O driver available)")
});

/// Handle of the plugin's runtime, started on first use.
pub fn handle() -> Handle {
    RUNTIME.handle().clone()
}
