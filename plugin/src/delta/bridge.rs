//! Running the Delta code's async work on the plugin's own tokio runtime.
//!
//! The plugin links its own tokio, so the host's runtime is invisible to it.
//! datafusion-ffi 55 polls the futures of `scan`, `insert_into` and the
//! factory's `create` on the *host's* executor without entering the
//! plugin's runtime (only execution-plan `execute` and stream polls enter
//! it), and `TableFunctionImpl::call_with_args` is synchronous. Everything
//! that needs tokio (object-store I/O, Delta log replay) therefore goes
//! through this module:
//!
//! - [`on_plugin_runtime`] spawns the work onto the plugin runtime and awaits
//!   its join handle, which any executor (the host's multi-thread or
//!   current-thread runtime) can poll;
//! - [`block_on`] does the same for synchronous callers, waiting on a std
//!   channel (through `block_in_place` when the caller is itself a worker of
//!   a multi-thread runtime of the plugin, so no worker is starved).
//!
//! A panic in the work becomes a `DataFusionError`: these calls sit under
//! `extern "C"` frames of datafusion-ffi, where an unwinding panic would
//! abort the host.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use datafusion::common::{DataFusionError, Result};
use futures::FutureExt;
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::export::guard::panic_message;
use crate::runtime;

fn panicked(what: &str, payload: &(dyn std::any::Any + Send)) -> DataFusionError {
    DataFusionError::Execution(format!(
        "{what} panicked inside the codeanatomy plugin: {}",
        panic_message(payload)
    ))
}

/// Runs `fut` on the plugin's runtime and awaits its result from whatever
/// executor polls the returned future.
pub async fn on_plugin_runtime<T, F>(what: &'static str, fut: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    match runtime::handle().spawn(fut).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(panicked(what, e.into_panic().as_ref())),
        Err(e) => Err(DataFusionError::Execution(format!(
            "{what} was cancelled: {e}"
        ))),
    }
}

/// Runs `fut` to completion on the plugin's runtime, blocking the calling
/// thread (for synchronous entry points such as table functions).
pub fn block_on<T, F>(what: &'static str, fut: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime::handle().spawn(async move {
        let outcome = AssertUnwindSafe(fut).catch_unwind().await;
        // The receiver only goes away if the caller itself unwound.
        let _ = tx.send(outcome);
    });
    let wait = move || rx.recv();
    let received = match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    };
    match received {
        Ok(Ok(result)) => result,
        Ok(Err(payload)) => Err(panicked(what, payload.as_ref())),
        Err(_) => Err(DataFusionError::Execution(format!(
            "{what} did not complete: the plugin runtime dropped the task"
        ))),
    }
}

/// Polls `fut` with the plugin's runtime entered, so tokio calls it makes
/// (spawning, blocking-pool file I/O, timers) reach the plugin's runtime
/// even though the host's executor drives it. For futures that borrow
/// (e.g. the host session) and so cannot be spawned.
pub async fn in_plugin_context<F: Future>(fut: F) -> F::Output {
    let handle = runtime::handle();
    let mut fut = Box::pin(fut);
    std::future::poll_fn(move |cx| {
        let _entered = handle.enter();
        fut.as_mut().poll(cx)
    })
    .await
}

/// Polls `fut`, turning a panic during any poll into an error.
pub async fn guard_async<T>(what: &'static str, fut: impl Future<Output = Result<T>>) -> Result<T> {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(
        move |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(panicked(what, payload.as_ref()))),
        },
    )
    .await
}

/// Runs `f`, turning a panic into an error.
pub fn guard_sync<T>(what: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(panicked(what, payload.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_from_a_plain_thread() {
        let v = block_on("test", async { Ok(41 + 1) }).unwrap();
        assert_eq!(v, 42);
    }

    #[test]
    fn block_on_turns_a_panic_into_an_error() {
        let err = block_on::<(), _>("boom task", async { panic!("kaboom") }).unwrap_err();
        assert!(err.to_string().contains("boom task panicked"), "{err}");
        assert!(err.to_string().contains("kaboom"), "{err}");
    }

    #[test]
    fn block_on_inside_a_current_thread_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let v = rt.block_on(async {
            block_on("test", async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                Ok(7)
            })
        });
        assert_eq!(v.unwrap(), 7);
    }

    #[test]
    fn block_on_inside_a_multi_thread_runtime_worker() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let v = rt.block_on(async {
            tokio::spawn(async { block_on("test", async { Ok(3) }) })
                .await
                .unwrap()
        });
        assert_eq!(v.unwrap(), 3);
    }

    #[test]
    fn on_plugin_runtime_from_a_foreign_current_thread_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let v = rt.block_on(on_plugin_runtime("test", async {
            // Needs a timer: only the plugin runtime has one enabled.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            Ok(5)
        }));
        assert_eq!(v.unwrap(), 5);
        let err = rt
            .block_on(on_plugin_runtime::<(), _>("panicky", async {
                panic!("no")
            }))
            .unwrap_err();
        assert!(err.to_string().contains("panicky panicked"), "{err}");
    }

    #[test]
    fn in_plugin_context_gives_foreign_executors_a_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        // spawn_blocking needs a runtime context: the plugin's is entered.
        let v = rt.block_on(in_plugin_context(async {
            tokio::task::spawn_blocking(|| 9).await.unwrap()
        }));
        assert_eq!(v, 9);
    }

    #[test]
    fn guards_turn_panics_into_errors() {
        let err = guard_sync::<()>("sync part", || panic!("bad")).unwrap_err();
        assert!(err.to_string().contains("sync part panicked"), "{err}");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt
            .block_on(guard_async::<()>("async part", async { panic!("worse") }))
            .unwrap_err();
        assert!(err.to_string().contains("worse"), "{err}");
    }
}
