//! Plugin table functions and table provider factories as the host
//! registers them.
//!
//! Both reach back into the host session (to plan argument expressions, to
//! run scans) through a task-context provider that datafusion-ffi only holds
//! weakly. The wrappers keep that provider alive for as long as the function
//! is registered; the provider itself holds the session only weakly, so no
//! reference cycle keeps a dropped session alive.

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use datafusion::catalog::{
    Session, TableFunctionArgs, TableFunctionImpl, TableProvider, TableProviderFactory,
};
use datafusion::common::Result;
use datafusion::execution::TaskContext;
use datafusion::execution::TaskContextProvider;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::CreateExternalTable;
use datafusion::prelude::SessionContext;
use parking_lot::RwLock;

/// The host session's task context, reached through a weak reference.
#[derive(Debug)]
pub struct SessionTaskContext {
    state: Weak<RwLock<SessionState>>,
}

impl SessionTaskContext {
    /// A provider for `ctx`'s session.
    pub fn for_session(ctx: &SessionContext) -> Arc<SessionTaskContext> {
        Arc::new(SessionTaskContext {
            state: ctx.state_weak_ref(),
        })
    }
}

impl TaskContextProvider for SessionTaskContext {
    fn task_ctx(&self) -> Arc<TaskContext> {
        match self.state.upgrade() {
            Some(state) => state.read().task_ctx(),
            // The session is gone; a default context still lets the plugin
            // report a clean error instead of the FFI layer failing.
            None => Arc::new(TaskContext::default()),
        }
    }
}

/// A plugin table function, keeping its task-context provider alive.
#[derive(Debug)]
pub struct PluginTableFunction {
    inner: Arc<dyn TableFunctionImpl>,
    _task_ctx: Arc<SessionTaskContext>,
}

impl PluginTableFunction {
    /// Wraps a foreign table function.
    pub fn new(inner: Arc<dyn TableFunctionImpl>, task_ctx: Arc<SessionTaskContext>) -> Self {
        PluginTableFunction {
            inner,
            _task_ctx: task_ctx,
        }
    }
}

impl TableFunctionImpl for PluginTableFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        self.inner.call_with_args(args)
    }
}

/// A plugin table provider factory, keeping its task-context provider alive.
#[derive(Debug)]
pub struct PluginTableFactory {
    inner: Arc<dyn TableProviderFactory>,
    _task_ctx: Arc<SessionTaskContext>,
}

impl PluginTableFactory {
    /// Wraps a foreign factory.
    pub fn new(inner: Arc<dyn TableProviderFactory>, task_ctx: Arc<SessionTaskContext>) -> Self {
        PluginTableFactory {
            inner,
            _task_ctx: task_ctx,
        }
    }
}

#[async_trait]
impl TableProviderFactory for PluginTableFactory {
    async fn create(
        &self,
        state: &dyn Session,
        cmd: &CreateExternalTable,
    ) -> Result<Arc<dyn TableProvider>> {
        self.inner.create(state, cmd).await
    }
}
