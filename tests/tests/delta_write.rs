//! Writing Delta tables through the plugin (`CREATE EXTERNAL TABLE ...
//! STORED AS DELTATABLE`, `INSERT INTO`, `INSERT OVERWRITE`), checked by
//! reading the result back with the Python `deltalake` package
//! (tests/delta/read_table.py): one commit per statement, failed writes
//! leave the table alone, pinned tables are read-only, concurrent writers
//! lose nothing, and no secret option value is ever printed.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use datafusion::prelude::SessionContext;
use df_plugin_tests::{
    numbers_as_floats, query_rows, run_python, scratch_dir, session_with_plugin,
};
use serde_json::{Value, json};

fn tables() -> &'static Value {
    static TABLES: OnceLock<Value> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dir = scratch_dir("delta_write_tables");
        run_python("make_tables.py", &[dir.to_str().unwrap()])
    })
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A private copy of one of make_tables.py's tables.
fn copy_table(table: &str, test: &str) -> String {
    let from = tables()[table]["path"].as_str().unwrap().to_string();
    let dest = scratch_dir(test).join(table);
    copy_dir(std::path::Path::new(&from), &dest);
    dest.to_str().unwrap().to_string()
}

/// The table as Python's deltalake reads it (optionally at a version).
fn python_read(path: &str, version: Option<u64>) -> Value {
    let v = version.map(|v| v.to_string());
    let mut args = vec![path];
    if let Some(v) = &v {
        args.push(v);
    }
    run_python("read_table.py", &args)
}

async fn run(ctx: &SessionContext, sql: &str) -> Vec<Value> {
    query_rows(ctx, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn error_of(ctx: &SessionContext, sql: &str) -> String {
    match ctx.sql(sql).await {
        Ok(df) => match df.collect().await {
            Ok(batches) => panic!("{sql} succeeded: {batches:?}"),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

fn commits(path: &str) -> usize {
    std::fs::read_dir(format!("{path}/_delta_log"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_str()
                .unwrap()
                .ends_with(".json")
        })
        .count()
}

#[tokio::test]
async fn create_insert_and_overwrite_round_trip_through_python() {
    let ctx = session_with_plugin();
    let dir = scratch_dir("delta_write_create").join("events");
    let path = dir.to_str().unwrap().to_string();
    run(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE events (id BIGINT, name VARCHAR, g VARCHAR) \
             STORED AS DELTATABLE PARTITIONED BY (g) LOCATION '{path}'"
        ),
    )
    .await;
    let created = python_read(&path, None);
    assert_eq!(created["version"], json!(0));
    assert_eq!(created["rows"], json!([]));
    assert_eq!(created["partition_columns"], json!(["g"]));
    assert_eq!(
        run(&ctx, "SELECT count(*) AS n, count(id) AS ids FROM events").await,
        vec![json!({"n": 0, "ids": 0})]
    );
    assert_eq!(run(&ctx, "SELECT * FROM events").await, Vec::<Value>::new());

    let inserted = run(
        &ctx,
        "INSERT INTO events VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, NULL, 'x')",
    )
    .await;
    assert_eq!(inserted, vec![json!({"count": 3})]);
    let v1 = python_read(&path, None);
    assert_eq!(v1["version"], json!(1));
    assert_eq!(
        v1["rows"],
        json!([
            {"id": 1, "name": "a", "g": "x"},
            {"id": 2, "name": "b", "g": "y"},
            {"id": 3, "name": null, "g": "x"}
        ])
    );

    run(
        &ctx,
        "INSERT INTO events SELECT id + 10, upper(name), g FROM events",
    )
    .await;
    let v2 = python_read(&path, None);
    assert_eq!(v2["version"], json!(2));
    assert_eq!(v2["rows"].as_array().unwrap().len(), 6);
    assert!(
        v2["rows"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 11, "name": "A", "g": "x"}))
    );

    let overwritten = run(
        &ctx,
        "INSERT OVERWRITE events SELECT id * 100, name, 'z' FROM events WHERE id < 10",
    )
    .await;
    assert_eq!(overwritten, vec![json!({"count": 3})]);
    let v3 = python_read(&path, None);
    assert_eq!(v3["version"], json!(3));
    assert_eq!(
        v3["rows"],
        json!([
            {"id": 100, "name": "a", "g": "z"},
            {"id": 200, "name": "b", "g": "z"},
            {"id": 300, "name": null, "g": "z"}
        ])
    );
    assert_eq!(
        v3["history"],
        json!(["CREATE TABLE", "WRITE", "WRITE", "WRITE"])
    );
    // Time travel still sees the overwritten rows, from Python and here.
    assert_eq!(python_read(&path, Some(2))["rows"], v2["rows"]);
    let mine = run(
        &ctx,
        &format!("SELECT id, name, g FROM read_delta('{path}', 2) ORDER BY id"),
    )
    .await;
    assert_eq!(Value::Array(mine), v2["rows"]);
    let now = run(&ctx, "SELECT id, name, g FROM events ORDER BY id").await;
    assert_eq!(Value::Array(now), v3["rows"]);
}

#[tokio::test]
async fn appends_to_a_python_table_are_one_commit_each() {
    let ctx = session_with_plugin();
    let path = copy_table("partitioned", "delta_write_append");
    let before = python_read(&path, None);
    run(
        &ctx,
        &format!("CREATE EXTERNAL TABLE pt STORED AS DELTATABLE LOCATION '{path}'"),
    )
    .await;
    run(
        &ctx,
        "INSERT INTO pt SELECT id + 1000, p, q, x, s, ts, d FROM pt WHERE p = 'b'",
    )
    .await;
    let after = python_read(&path, None);
    assert_eq!(
        after["version"],
        json!(before["version"].as_u64().unwrap() + 1)
    );
    let mut want: Vec<Value> = before["rows"].as_array().unwrap().clone();
    for r in before["rows"].as_array().unwrap() {
        if r["p"] == "b" {
            let mut r = r.clone();
            r["id"] = json!(r["id"].as_i64().unwrap() + 1000);
            want.push(r);
        }
    }
    want.sort_by_key(|r| r["id"].as_i64().unwrap());
    assert_eq!(
        numbers_as_floats(after["rows"].clone()),
        numbers_as_floats(Value::Array(want))
    );
    // The plugin reads its own write back identically.
    let mine = run(
        &ctx,
        "SELECT id, p, q, x, s, CAST(ts AS BIGINT) AS ts, CAST(d AS INT) AS d FROM pt ORDER BY id",
    )
    .await;
    assert_eq!(
        numbers_as_floats(Value::Array(mine)),
        numbers_as_floats(after["rows"].clone())
    );
}

#[tokio::test]
async fn read_delta_providers_write_only_when_not_pinned() {
    let ctx = session_with_plugin();
    let path = copy_table("unpartitioned", "delta_write_read_delta");
    let state = ctx.state();
    let provider = |args: Vec<datafusion::prelude::Expr>| {
        ctx.table_function("read_delta")
            .unwrap()
            .create_table_provider_with_args(datafusion::catalog::TableFunctionArgs::new(
                &args, &state,
            ))
            .unwrap()
    };
    use datafusion::prelude::lit;
    ctx.register_table("latest", provider(vec![lit(path.clone())]))
        .unwrap();
    ctx.register_table("pinned", provider(vec![lit(path.clone()), lit(2i64)]))
        .unwrap();
    run(&ctx, "INSERT INTO latest VALUES (5000, 'new', 1)").await;
    let after = python_read(&path, None);
    assert_eq!(after["version"], json!(5));
    assert!(
        after["rows"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 5000, "v": "new", "n": 1}))
    );

    let err = error_of(&ctx, "INSERT INTO pinned VALUES (6000, 'no', 1)").await;
    assert!(err.contains("read-only"), "{err}");
    run(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE old STORED AS DELTATABLE LOCATION '{path}' OPTIONS ('version' '1')"
        ),
    )
    .await;
    let err = error_of(&ctx, "INSERT INTO old VALUES (6000, 'no', 1)").await;
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(
        run(&ctx, "SELECT count(*) AS n FROM old").await,
        vec![json!({"n": 200})]
    );
    let err = error_of(&ctx, "INSERT OVERWRITE pinned SELECT * FROM latest").await;
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(python_read(&path, None)["version"], json!(5));
}

#[tokio::test]
async fn bad_writes_are_refused_and_leave_the_table_alone() {
    let ctx = session_with_plugin();
    let path = copy_table("unpartitioned", "delta_write_refused");
    run(
        &ctx,
        &format!("CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION '{path}'"),
    )
    .await;
    let before = python_read(&path, None);
    let commits_before = commits(&path);

    // Wrong number of columns: refused while planning.
    let err = error_of(&ctx, "INSERT INTO t SELECT 1").await;
    assert!(err.to_lowercase().contains("column"), "{err}");
    // Values that cannot become the table's types: the write fails while
    // running, after some rows may have been written, and nothing commits.
    let err = error_of(
        &ctx,
        "INSERT INTO t SELECT CAST(v AS BIGINT) AS id, v, n FROM t",
    )
    .await;
    assert!(err.contains("Cannot cast") || err.contains("cast"), "{err}");
    let err = error_of(&ctx, "INSERT INTO t VALUES ('not a number', 'x', 1)").await;
    assert!(err.to_lowercase().contains("cast"), "{err}");
    // REPLACE is not a Delta operation.
    let err = error_of(&ctx, "REPLACE INTO t VALUES (1, 'x', 1)").await;
    assert!(!err.is_empty());

    assert_eq!(commits(&path), commits_before);
    assert_eq!(python_read(&path, None), before);
    // And the table still takes good writes.
    run(&ctx, "INSERT INTO t VALUES (7000, 'ok', 7)").await;
    assert_eq!(
        python_read(&path, None)["version"],
        json!(before["version"].as_u64().unwrap() + 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inserts_from_two_sessions_lose_nothing() {
    let path = copy_table("unpartitioned", "delta_write_concurrent");
    let before = python_read(&path, None);
    let start_version = before["version"].as_u64().unwrap();
    let session = |name: &'static str| {
        let path = path.clone();
        async move {
            let ctx = session_with_plugin();
            run(
                &ctx,
                &format!("CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION '{path}'"),
            )
            .await;
            let base = if name == "a" { 10_000 } else { 20_000 };
            let mut outcomes = Vec::new();
            for round in 0..5 {
                let id = base + round;
                let sql = format!("INSERT INTO t VALUES ({id}, '{name}', {round})");
                outcomes.push((id, ctx.sql(&sql).await.unwrap().collect().await.map(|_| ())));
            }
            outcomes
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(session("a")), tokio::spawn(session("b")));
    let outcomes: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    let committed: BTreeSet<i64> = outcomes
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(id, _)| *id)
        .collect();
    for (id, r) in &outcomes {
        if let Err(e) = r {
            // A writer may lose a race only with a clear commit error.
            let text = e.to_string();
            assert!(
                text.contains("commit") || text.contains("onflict") || text.contains("ransaction"),
                "insert of {id} failed unclearly: {text}"
            );
        }
    }
    let after = python_read(&path, None);
    assert_eq!(
        after["version"].as_u64().unwrap(),
        start_version + committed.len() as u64,
        "one commit per successful insert"
    );
    let ids: Vec<i64> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "no duplicated rows");
    let new: BTreeSet<i64> = unique.into_iter().filter(|id| *id >= 10_000).collect();
    assert_eq!(new, committed, "every committed row, and only those");
    assert!(committed.len() >= 5, "most inserts commit: {outcomes:?}");
}

#[tokio::test]
async fn table_properties_apply_when_creating() {
    let ctx = session_with_plugin();
    let path = scratch_dir("delta_write_properties").join("feed");
    let path = path.to_str().unwrap();
    run(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE feed (id BIGINT, v VARCHAR) STORED AS DELTATABLE LOCATION '{path}' \
             OPTIONS ('delta.enableChangeDataFeed' 'true')"
        ),
    )
    .await;
    run(&ctx, "INSERT INTO feed VALUES (1, 'a'), (2, 'b')").await;
    let config = run(
        &ctx,
        &format!("SELECT properties FROM delta_snapshot('{path}')"),
    )
    .await;
    let props: Value = serde_json::from_str(config[0]["properties"].as_str().unwrap()).unwrap();
    assert_eq!(props["delta.enableChangeDataFeed"], json!("true"));
    let feed = run(
        &ctx,
        &format!(
            "SELECT id, v, _change_type, _commit_version FROM read_delta_cdf('{path}', 0) ORDER BY id"
        ),
    )
    .await;
    assert_eq!(
        feed,
        vec![
            json!({"id": 1, "v": "a", "_change_type": "insert", "_commit_version": 1}),
            json!({"id": 2, "v": "b", "_change_type": "insert", "_commit_version": 1}),
        ]
    );
    // Properties cannot be changed on an existing table this way.
    let err = error_of(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE again STORED AS DELTATABLE LOCATION '{path}' \
             OPTIONS ('delta.appendOnly' 'true')"
        ),
    )
    .await;
    assert!(err.contains("already exists"), "{err}");
}

#[tokio::test]
async fn secret_option_values_are_never_printed() {
    let ctx = session_with_plugin();
    let path = copy_table("unpartitioned", "delta_write_secrets");
    let secrets = ["SUPERSECRET-123", "TOKEN-456", "PASSW0RD-789"];
    let options = format!(
        "'aws_secret_access_key' '{}', 'session_token' '{}', 'password' '{}'",
        secrets[0], secrets[1], secrets[2]
    );
    let mut texts = vec![
        error_of(
            &ctx,
            &format!(
                "CREATE EXTERNAL TABLE a STORED AS DELTATABLE LOCATION '/no/such/place' OPTIONS ({options})"
            ),
        )
        .await,
        error_of(
            &ctx,
            &format!(
                "CREATE EXTERNAL TABLE b STORED AS DELTATABLE LOCATION '{path}' OPTIONS ({options}, 'version' '99')"
            ),
        )
        .await,
        error_of(
            &ctx,
            &format!(
                "CREATE EXTERNAL TABLE c STORED AS DELTATABLE LOCATION '{path}' OPTIONS ({options}, 'timestamp' 'soon')"
            ),
        )
        .await,
        error_of(
            &ctx,
            &format!(
                "CREATE EXTERNAL TABLE d STORED AS DELTATABLE LOCATION 'mem0ry://{}/x' OPTIONS ({options})",
                secrets[0]
            ),
        )
        .await,
    ];
    run(
        &ctx,
        &format!(
            "CREATE EXTERNAL TABLE e STORED AS DELTATABLE LOCATION '{path}' OPTIONS ({options}, 'version' '1')"
        ),
    )
    .await;
    texts.push(error_of(&ctx, "INSERT INTO e VALUES (1, 'x', 1)").await);
    let explain = run(&ctx, "EXPLAIN SELECT * FROM e WHERE id > 3").await;
    texts.push(format!("{explain:?}"));
    for text in &texts {
        for secret in &secrets[1..] {
            assert!(!text.contains(secret), "secret printed: {text}");
        }
    }
    // The first secret appears in the URI of case d, which is the user's
    // own text; as an option value it must still be masked elsewhere.
    for text in texts.iter().take(3).chain(texts.iter().skip(4)) {
        assert!(!text.contains(secrets[0]), "secret printed: {text}");
    }
    assert!(texts[1].contains("version 99"), "{}", texts[1]);
    assert!(texts[2].contains("RFC 3339"), "{}", texts[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserts_from_repartitioning_host_plans() {
    // Aggregations, unions and sorts make the host plan repartition and
    // spawn; the insert must still run them on host threads.
    let ctx = SessionContext::new_with_config(
        datafusion::prelude::SessionConfig::new().with_target_partitions(4),
    );
    df_plugin_tests::load_plugin().install(&ctx).unwrap();
    let path = copy_table("unpartitioned", "delta_write_repartition");
    let before = python_read(&path, None);
    run(
        &ctx,
        &format!("CREATE EXTERNAL TABLE t STORED AS DELTATABLE LOCATION '{path}'"),
    )
    .await;
    run(
        &ctx,
        "INSERT INTO t SELECT 100000 + id % 7, 'agg', count(*) FROM t GROUP BY id % 7 \
         UNION ALL SELECT 200000 + id, v, n FROM (SELECT * FROM t ORDER BY id DESC LIMIT 3)",
    )
    .await;
    let after = python_read(&path, None);
    assert_eq!(
        after["version"],
        json!(before["version"].as_u64().unwrap() + 1)
    );
    let added: Vec<&Value> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"].as_i64().unwrap() >= 100_000)
        .collect();
    assert_eq!(added.len(), 10, "{added:?}");
    let total: i64 = added
        .iter()
        .filter(|r| r["v"] == "agg")
        .map(|r| r["n"].as_i64().unwrap())
        .sum();
    assert_eq!(total, before["rows"].as_array().unwrap().len() as i64);
}
