//! The operators and CREATE FUNCTION are the plugin's, not the host's: a
//! session without them gets DataFusion 55's own errors, a session with
//! them the planned results.

use datafusion::prelude::SessionContext;
use df_plugin_host::install::Selection;
use df_plugin_tests::{load_plugin, query_scalar};
use serde_json::json;

fn session(planner: bool, factory: bool) -> SessionContext {
    let ctx = SessionContext::new();
    let report = load_plugin()
        .install_selected(
            &ctx,
            &json!({}),
            &Selection {
                expr_planner: planner,
                function_factory: factory,
            },
        )
        .unwrap();
    assert_eq!(report.expr_planner, planner);
    assert_eq!(report.function_factory, factory);
    ctx
}

#[tokio::test]
async fn without_the_planner_datafusion_refuses_the_operators() {
    let ctx = session(false, false);
    let err = query_scalar(&ctx, "SELECT named_struct('k', 1) -> 'k'")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Operator -> is not yet supported"),
        "{err}"
    );
    let err = query_scalar(&ctx, "SELECT span(0, 5) && span(4, 8)")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Unsupported binary operator: PGOverlap"),
        "{err}"
    );
    let err = ctx
        .sql("CREATE FUNCTION f(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Function factory has not been configured"),
        "{err}"
    );
}

#[tokio::test]
async fn with_the_planner_the_operators_are_planned() {
    let ctx = session(true, true);
    assert_eq!(
        query_scalar(&ctx, "SELECT named_struct('k', 1) -> 'k'")
            .await
            .unwrap(),
        json!(1)
    );
    assert_eq!(
        query_scalar(&ctx, "SELECT span(0, 5) && span(4, 8)")
            .await
            .unwrap(),
        json!(true)
    );
    let df = ctx
        .sql("SELECT s -> 'k' FROM (SELECT named_struct('k', 'v') AS s)")
        .await
        .unwrap();
    assert_eq!(df.schema().field(0).name(), "s -> 'k'");
    ctx.sql("CREATE FUNCTION f(x BIGINT) RETURNS BIGINT RETURN $1 + 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(query_scalar(&ctx, "SELECT f(1)").await.unwrap(), json!(2));
}

#[tokio::test]
async fn install_options_set_the_factory_policy() {
    let ctx = SessionContext::new();
    load_plugin()
        .install_with_options(
            &ctx,
            &json!({"function_factory": {"allowed_languages": ["sql"], "max_body_bytes": 16}}),
        )
        .unwrap();
    let err = ctx
        .sql("CREATE FUNCTION w() RETURNS BIGINT LANGUAGE window RETURN 'row_number_window'")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("(allowed_languages)"), "{err}");
    let err = ctx
        .sql("CREATE FUNCTION long_one(x BIGINT) RETURNS BIGINT RETURN $1 + 1 + 1 + 1 + 1 + 1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("(max_body_bytes)"), "{err}");
    let bad = load_plugin().install_with_options(
        &SessionContext::new(),
        &json!({"function_factory": {"no_such_rule": true}}),
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("unknown function_factory option 'no_such_rule'")
    );
}
