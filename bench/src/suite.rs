//! The whole Rust suite: every scenario in a fresh child process, results
//! appended to one JSON file as they arrive (a run cut short still leaves
//! what it measured).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clap::Args;
use datafusion::common::{DataFusionError, Result};
use serde_json::{Value, json};

use crate::measure::load_average;
use crate::sessions::plugin_path;

/// Sizes and repetitions of a suite run.
#[derive(Args, Debug, Clone)]
pub struct SuiteOptions {
    /// Directory for the generated Delta table and INSERT targets.
    #[arg(long)]
    scratch: PathBuf,
    /// Where to write the results (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Row counts of the scalar FFI-overhead scenarios.
    #[arg(long, value_delimiter = ',', default_value = "1000000,10000000")]
    scalar_rows: Vec<usize>,
    /// Rows of the aggregate scenarios.
    #[arg(long, default_value_t = 10_000_000)]
    aggregate_rows: usize,
    /// Group counts of the aggregate scenarios.
    #[arg(long, value_delimiter = ',', default_value = "1000,1000000")]
    groups: Vec<usize>,
    /// Rows of the generated Delta table (~47 bytes a row on disk: 22M
    /// rows make ~1 GB).
    #[arg(long, default_value_t = 22_000_000)]
    delta_rows: usize,
    /// Rows of the INSERT scenarios.
    #[arg(long, default_value_t = 10_000_000)]
    insert_rows: usize,
    /// Timed runs per measurement (after one untimed run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Rounds of each dylib/rlib pair, run alternately, so that both
    /// linkages see the same background load; the best run over all rounds
    /// counts.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Fresh processes for the load-time scenario.
    #[arg(long, default_value_t = 7)]
    load_runs: usize,
    /// Only these groups (scalar, aggregate, delta, insert, load).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

impl SuiteOptions {
    fn wants(&self, group: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|g| g == group)
    }
}

/// A child run: its group and the arguments after `run`.
struct Planned {
    group: &'static str,
    args: Vec<String>,
}

fn planned(group: &'static str, args: &[&str]) -> Planned {
    Planned {
        group,
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

fn plan(options: &SuiteOptions, table: &Path) -> Vec<Planned> {
    let mut plan = Vec::new();
    let runs = options.runs.to_string();
    if options.wants("load") {
        for _ in 0..options.load_runs {
            plan.push(planned("load", &["load"]));
        }
        for _ in 0..options.load_runs.min(3) {
            plan.push(planned("load", &["load", "--pin"]));
        }
    }
    if options.wants("scalar") {
        for function in [
            "stable-hash64",
            "utf8-normalize",
            "span-contains",
            "col-to-byte",
        ] {
            for rows in &options.scalar_rows {
                let rows = rows.to_string();
                for _ in 0..options.rounds {
                    for linkage in ["dylib", "rlib"] {
                        plan.push(planned(
                            "scalar",
                            &[
                                "scalar",
                                "--function",
                                function,
                                "--rows",
                                &rows,
                                "--linkage",
                                linkage,
                                "--runs",
                                &runs,
                            ],
                        ));
                    }
                }
            }
        }
    }
    if options.wants("aggregate") {
        let rows = options.aggregate_rows.to_string();
        for aggregate in ["count-distinct-agg", "list-unique", "arg-max"] {
            for groups in &options.groups {
                let groups = groups.to_string();
                for implementation in ["builtin", "dylib", "rlib"] {
                    plan.push(planned(
                        "aggregate",
                        &[
                            "aggregate",
                            "--aggregate",
                            aggregate,
                            "--implementation",
                            implementation,
                            "--rows",
                            &rows,
                            "--groups",
                            &groups,
                            "--runs",
                            "3",
                        ],
                    ));
                }
            }
        }
    }
    let table_arg = table.display().to_string();
    if options.wants("delta") {
        let rows = options.delta_rows.to_string();
        plan.push(planned(
            "delta",
            &["delta-generate", "--table", &table_arg, "--rows", &rows],
        ));
        for scan in ["full", "selective"] {
            for reader in ["dylib", "rlib", "deltalake", "parquet"] {
                plan.push(planned(
                    "delta",
                    &[
                        "delta-scan",
                        "--table",
                        &table_arg,
                        "--scan",
                        scan,
                        "--reader",
                        reader,
                        "--runs",
                        &runs,
                    ],
                ));
            }
        }
    }
    if options.wants("insert") {
        let rows = options.insert_rows.to_string();
        let scratch = options.scratch.display().to_string();
        for writer in ["dylib", "rlib", "deltalake", "parquet"] {
            plan.push(planned(
                "insert",
                &[
                    "insert",
                    "--scratch",
                    &scratch,
                    "--writer",
                    writer,
                    "--rows",
                    &rows,
                    "--runs",
                    "2",
                ],
            ));
        }
    }
    plan
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: Option<u64> = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok());
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "memory_bytes": mem_kib.map(|k| k * 1024),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string()),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}

fn write(out: &Path, doc: &Value) -> Result<()> {
    let text =
        serde_json::to_string_pretty(doc).map_err(|e| DataFusionError::External(Box::new(e)))?;
    std::fs::write(out, text)?;
    Ok(())
}

/// Runs the suite; a failing scenario is recorded with its error and the
/// suite goes on.
pub fn run(options: SuiteOptions) -> Result<()> {
    std::fs::create_dir_all(&options.scratch)?;
    let table = options.scratch.join("delta_table");
    let exe = std::env::current_exe()?;
    let plugin = plugin_path();
    let mut doc = json!({
        "machine": machine(),
        "plugin_path": plugin.display().to_string(),
        "plugin_bytes": std::fs::metadata(&plugin).map(|m| m.len()).ok(),
        "options": format!("{options:?}"),
        "scenarios": [],
    });
    let steps = plan(&options, &table);
    let total = steps.len();
    let suite_started = Instant::now();
    for (i, step) in steps.into_iter().enumerate() {
        eprintln!("[{}/{total}] {}", i + 1, step.args.join(" "));
        let load_before = load_average();
        let started = Instant::now();
        let output = Command::new(&exe)
            .arg("run")
            .args(&step.args)
            .env("DF_PLUGIN_BENCH_PLUGIN", &plugin)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()?;
        let wall_s = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let result = if output.status.success() {
            stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Value>(l).ok())
                .unwrap_or_else(|| json!({"error": "no JSON result on stdout"}))
        } else {
            json!({"error": format!("exit status {}", output.status), "stdout": stdout})
        };
        if let Some(e) = result.get("error") {
            eprintln!("  failed: {e}");
        }
        doc["scenarios"]
            .as_array_mut()
            .expect("scenarios is an array")
            .push(json!({
                "group": step.group,
                "args": step.args,
                "wall_s": wall_s,
                "loadavg_before": load_before,
                "loadavg_after": load_average(),
                "result": result,
            }));
        write(&options.out, &doc)?;
    }
    doc["suite_s"] = json!(suite_started.elapsed().as_secs_f64());
    write(&options.out, &doc)
}
