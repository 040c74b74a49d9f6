//! The ABI compatibility matrix (issue: a wrong plugin is refused, never
//! run, in any host). One test builds every plugin variant, runs it in every
//! host, writes `docs/abi-matrix.md`, and fails if any judged cell differs
//! from its expected verdict. See `df_plugin_tests::matrix`.

use std::path::{Path, PathBuf};
use std::process::Command;

use datafusion::prelude::SessionContext;
use df_plugin_host::{LoadError, Plugin, Requirements};
use df_plugin_tests::matrix::{
    Demands, Expected, Outcome, Row, RunInfo, Scenario, Variant, Verdict, redact, render, run_cli,
    run_python_cell,
};
use df_plugin_tests::{
    built_library, cargo_command, plugin_path, python, query_rows, query_scalar, scratch_dir,
    workspace_root,
};
use serde_json::{Value, json};

/// `length(stable_hash128('x'))`: a 128-bit digest in hex is 32 characters.
const PROBE_SQL: &str = "SELECT length(stable_hash128('x'))";
const PROBE_VALUE: i64 = 32;

fn probe() -> (String, Value) {
    (PROBE_SQL.to_string(), json!(PROBE_VALUE))
}

#[tokio::test]
async fn abi_matrix() {
    let scratch = scratch_dir("abi-matrix");
    let target = target_directory();
    let variants = variants(&scratch, &target);
    let cli = cli_path();
    let python = python();
    let scripts = workspace_root().join("tests").join("matrix");
    check_python_package(&python);

    let redactions = [
        (scratch.clone(), "<scratch>"),
        (target.clone(), "<target>"),
        (workspace_root(), "<repo>"),
    ];
    let mut rows = Vec::new();
    for variant in variants {
        let rust = rust_cell(&variant).await;
        let cli = cli_cell(&cli, &variant);
        let py = run_python_cell(&python, &scripts.join("python_host.py"), &variant.spec());
        let raw = match variant.raw_skip {
            None => run_python_cell(&python, &scripts.join("raw_host.py"), &variant.spec()),
            Some(reason) => Outcome::new(Verdict::NotApplicable, "", reason),
        };
        let outcomes = [rust, cli, py, raw].map(|mut o| {
            o.detail = redact(&o.detail, &redactions);
            o
        });
        rows.push(Row { variant, outcomes });
    }
    let consistency = same_refusal_text(&rows);

    let info = RunInfo {
        date: utc_now(),
        versions: versions(&python),
    };
    let report = render(&rows, &info);
    let out = workspace_root().join("docs").join("abi-matrix.md");
    std::fs::write(&out, &report).expect("docs/abi-matrix.md is writable");

    let mut wrong: Vec<String> = rows.iter().flat_map(Row::unexpected).collect();
    wrong.extend(consistency);
    assert!(
        wrong.is_empty(),
        "{} cell(s) of the ABI matrix differ from their expected verdict (see {}):\n{}",
        wrong.len(),
        out.display(),
        wrong.join("\n")
    );
}

/// Every host goes through the same gate, so a refusal must read the same
/// in the Rust host, the CLI and Python.
fn same_refusal_text(rows: &[Row]) -> Vec<String> {
    let mut differ = Vec::new();
    for row in rows {
        let [rust, cli, py, _] = &row.outcomes;
        if rust.verdict != Verdict::Refused {
            continue;
        }
        // A half-install cell appends how the session was checked.
        let error_text = |o: &Outcome| {
            o.detail
                .split(" (session unchanged")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        for (host, other) in [("CLI", cli), ("Python", py)] {
            if other.verdict == Verdict::Refused && error_text(other) != error_text(rust) {
                differ.push(format!(
                    "variant {}: the {host} refusal text differs from the Rust host's:\n  rust: {}\n  {host}: {}",
                    row.variant.id, rust.detail, other.detail
                ));
            }
        }
    }
    differ
}

fn variants(scratch: &Path, target: &Path) -> Vec<Variant> {
    let plugin = plugin_path();
    let refused = |kind: &'static str, py: &'static str| {
        [
            Expected::refused(kind),
            Expected::refused("exit 1"),
            Expected::refused(py),
        ]
    };
    let (sql, expected) = probe();
    let probe = Scenario::Probe {
        sql: sql.clone(),
        expected: expected.clone(),
    };
    let accepted = [Expected::ACCEPTED; 3];
    let contained = [Expected::CONTAINED; 3];
    let v = |id, name, description: &str, path: PathBuf, demands, scenario, expected, raw| {
        let raw_skip = if raw {
            None
        } else {
            Some(raw_skip_reason(&demands))
        };
        Variant {
            id,
            name,
            description: description.to_string(),
            path,
            demands,
            scenario,
            expected,
            raw_skip,
        }
    };
    let bytes = std::fs::read(&plugin).expect("the plugin file is readable");
    let truncated = scratch.join("libtruncated.so");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let random = scratch.join("librandom.so");
    std::fs::write(&random, pseudo_random_bytes(64 * 1024)).unwrap();
    let empty = scratch.join("libempty.so");
    std::fs::write(&empty, b"").unwrap();
    let directory = scratch.join("libdirectory.so");
    std::fs::create_dir_all(&directory).unwrap();
    let abi_next = built_library("abi_next_plugin");
    let faulty = built_library("faulty_plugin");

    vec![
        v(
            "1",
            "baseline",
            "The plugin as built (`libdf_plugin_codeanatomy`).",
            plugin.clone(),
            Demands::default(),
            probe.clone(),
            accepted,
            true,
        ),
        v(
            "2",
            "plugin of ABI minor + 1",
            "A working plugin whose root module has one field more than this host knows (`abi::rehearsal::PluginModule`) and whose manifest says ABI 1.(minor+1) (fixture `abi-next-plugin`). Its function `abi_next_minor()` returns the minor it was built for.",
            abi_next.clone(),
            Demands::default(),
            Scenario::Probe {
                sql: "SELECT abi_next_minor()".into(),
                expected: json!(df_plugin_abi_next_minor()),
            },
            accepted,
            true,
        ),
        v(
            "3",
            "host needs ABI minor + 1",
            "The baseline plugin, loaded by a host that requires the next ABI minor (`Requirements::require_abi_minor`, `--require-abi-minor`, `require_abi_minor=`).",
            plugin.clone(),
            Demands {
                abi_minor: df_plugin_abi_next_minor(),
                ..Demands::default()
            },
            probe.clone(),
            refused("Incompatible/AbiMinor", "IncompatibleError"),
            false,
        ),
        v(
            "4",
            "ABI major + 1",
            "A plugin from the same contract crate whose manifest declares the next ABI major (fixture `abi-major-plugin`; its exports refuse everything).",
            built_library("abi_major_plugin"),
            Demands::default(),
            probe.clone(),
            refused("Incompatible/AbiMajor", "IncompatibleError"),
            true,
        ),
        v(
            "5",
            "built with DataFusion 54",
            "A real build against DataFusion 54.1 / datafusion-ffi 54 / Arrow 58 in its own workspace (`tests/fixtures/df54-plugin`, own Cargo.lock); its manifest reports the versions it was resolved against. Its one export, `df54_probe()`, is a datafusion-ffi 54 `FFI_ScalarUDF`.",
            df54_plugin(target),
            Demands::default(),
            Scenario::Probe {
                sql: "SELECT df54_probe()".into(),
                expected: json!(54),
            },
            refused("Incompatible/DataFusionFfiMajor", "IncompatibleError"),
            true,
        ),
        v(
            "6",
            "Arrow major differs",
            "A plugin whose manifest declares Arrow 58 while everything else matches (fixture `arrow-major-plugin`; faked, since a real Arrow mismatch comes with variant 5).",
            built_library("arrow_major_plugin"),
            Demands::default(),
            probe.clone(),
            refused("Incompatible/ArrowMajor", "IncompatibleError"),
            true,
        ),
        v(
            "7a",
            "required capability missing",
            "The baseline plugin; the host requires `scalar_udf` and `gpu_kernels`.",
            plugin.clone(),
            Demands {
                capabilities: vec!["scalar_udf".into(), "gpu_kernels".into()],
                ..Demands::default()
            },
            probe.clone(),
            refused("Incompatible/MissingCapability", "IncompatibleError"),
            false,
        ),
        v(
            "7b",
            "capability below required version",
            "The baseline plugin; the host requires `scalar_udf@99`.",
            plugin.clone(),
            Demands {
                capabilities: vec!["scalar_udf@99".into()],
                ..Demands::default()
            },
            probe.clone(),
            refused("Incompatible/CapabilityVersion", "IncompatibleError"),
            false,
        ),
        v(
            "8",
            "plugin version outside the requirement",
            "The baseline plugin; the host requires plugin version `>=99.0`.",
            plugin.clone(),
            Demands {
                version: Some(">=99.0".into()),
                ..Demands::default()
            },
            probe.clone(),
            refused("Incompatible/PluginVersion", "IncompatibleError"),
            false,
        ),
        v(
            "9",
            "SHA-256 pin mismatch",
            "The baseline plugin; the host pins a SHA-256 of all zeros.",
            plugin.clone(),
            Demands {
                sha256: Some("0".repeat(64)),
                ..Demands::default()
            },
            probe.clone(),
            refused("Sha256Mismatch", "Sha256MismatchError"),
            false,
        ),
        v(
            "10a",
            "truncated plugin",
            "The first third of the plugin file.",
            truncated,
            Demands::default(),
            probe.clone(),
            refused("NotALibrary", "NotALibraryError"),
            true,
        ),
        v(
            "10b",
            "random bytes",
            "64 KiB of pseudo-random bytes named like a library.",
            random,
            Demands::default(),
            probe.clone(),
            refused("NotALibrary", "NotALibraryError"),
            true,
        ),
        v(
            "10c",
            "empty file",
            "An empty file named like a library.",
            empty,
            Demands::default(),
            probe.clone(),
            refused("NotALibrary", "NotALibraryError"),
            true,
        ),
        v(
            "10d",
            "directory",
            "A directory named like a library.",
            directory,
            Demands::default(),
            probe.clone(),
            refused("NotAFile", "NotAFileError"),
            true,
        ),
        v(
            "11",
            "shared library that is not a plugin",
            "A real cdylib with no root module (fixture `not-a-plugin`).",
            built_library("not_a_plugin"),
            Demands::default(),
            probe.clone(),
            refused("NoRootModule", "NoRootModuleError"),
            true,
        ),
        v(
            "12",
            "install fails half way",
            "The real plugin plus a table function whose construction fails (fixture `half-install-plugin`): every scalar, aggregate and window export is built before the table function fails. The session must be left exactly as it was.",
            built_library("half_install_plugin"),
            Demands::default(),
            Scenario::HalfInstall,
            refused("Export", "ExportError"),
            true,
        ),
        v(
            "13a",
            "UDF panics",
            "The real plugin plus `always_panics(x)` (fixture `faulty-plugin`).",
            faulty.clone(),
            Demands::default(),
            Scenario::Panics {
                queries: vec!["SELECT always_panics(1)".into()],
                sql: sql.clone(),
                expected: expected.clone(),
            },
            contained,
            true,
        ),
        v(
            "13b",
            "accumulator panics",
            "`panicking_sum(x)`, whose accumulator panics on its first batch (fixture `faulty-plugin`).",
            faulty.clone(),
            Demands::default(),
            Scenario::Panics {
                queries: vec!["SELECT panicking_sum(x) FROM (VALUES (1), (2)) AS t(x)".into()],
                sql: sql.clone(),
                expected: expected.clone(),
            },
            contained,
            false,
        ),
        v(
            "13c",
            "table provider scan panics",
            "`panicking_scan('scan')` panics while planning its scan, `panicking_scan('stream')` while its stream is polled (fixture `faulty-plugin`).",
            faulty,
            Demands::default(),
            Scenario::Panics {
                queries: vec![
                    "SELECT * FROM panicking_scan('scan')".into(),
                    "SELECT * FROM panicking_scan('stream')".into(),
                ],
                sql: sql.clone(),
                expected: expected.clone(),
            },
            contained,
            false,
        ),
        v(
            "14a",
            "same plugin loaded twice",
            "The baseline file loaded twice in one process; installed into two sessions, and a second time into the first.",
            plugin.clone(),
            Demands::default(),
            Scenario::Twice {
                sql: sql.clone(),
                expected: expected.clone(),
            },
            [
                Expected::ACCEPTED,
                Expected::NOT_APPLICABLE,
                Expected::ACCEPTED,
            ],
            false,
        ),
        v(
            "14b",
            "two differently named plugins side by side",
            "`codeanatomy` and `abi-next-fixture` installed into one session.",
            plugin,
            Demands::default(),
            Scenario::SideBySide {
                other: abi_next,
                sql,
                expected,
                other_sql: "SELECT abi_next_minor()".into(),
                other_expected: json!(df_plugin_abi_next_minor()),
            },
            [
                Expected::ACCEPTED,
                Expected::NOT_APPLICABLE,
                Expected::ACCEPTED,
            ],
            false,
        ),
    ]
}

/// Why the raw-capsule host skips a row.
fn raw_skip_reason(demands: &Demands) -> &'static str {
    if demands.version.is_some()
        || !demands.capabilities.is_empty()
        || demands.sha256.is_some()
        || demands.abi_minor > 0
    {
        "a host without the gate states no requirements: it takes this file as it takes the baseline"
    } else {
        "covered by the rows above: the raw host registers scalar functions from one plugin"
    }
}

/// The ABI minor after this host's (what the abi-next fixture declares).
fn df_plugin_abi_next_minor() -> u32 {
    df_plugin_abi::ABI_MINOR + 1
}

// -- the Rust host ---------------------------------------------------------

fn requirements(d: &Demands) -> Result<Requirements, LoadError> {
    let mut req = Requirements::new().require_abi_minor(d.abi_minor);
    if let Some(v) = &d.version {
        req = req.require_version(v)?;
    }
    for cap in &d.capabilities {
        req = req.require_capability(cap)?;
    }
    if let Some(pin) = &d.sha256 {
        req = req.pin_sha256(pin)?;
    }
    Ok(req)
}

/// `Incompatible/AbiMajor`, `NotALibrary`, …: the variant names of a
/// `LoadError` (and of its `Mismatch`).
fn kind(e: &LoadError) -> String {
    let debug = format!("{e:?}");
    let head = |s: &str| {
        s.split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    match e {
        LoadError::Incompatible(_) => {
            let inner = debug.trim_start_matches("Incompatible(");
            format!("Incompatible/{}", head(inner))
        }
        _ => head(&debug),
    }
}

fn load(path: &Path, demands: &Demands) -> Result<Plugin, Outcome> {
    requirements(demands)
        .and_then(|req| Plugin::load(path, &req))
        .map_err(|e| Outcome::new(Verdict::Refused, kind(&e), e.to_string()))
}

fn install(plugin: &Plugin, ctx: &SessionContext) -> Result<(), Outcome> {
    plugin
        .install(ctx)
        .map(|_| ())
        .map_err(|e| Outcome::new(Verdict::Failed, kind(&e), e.to_string()))
}

async fn check_probe(ctx: &SessionContext, sql: &str, expected: &Value) -> Result<String, Outcome> {
    match query_scalar(ctx, sql).await {
        Ok(v) if &v == expected => Ok(format!("{sql} → {v}")),
        Ok(v) => Err(Outcome::new(
            Verdict::Failed,
            "wrong answer",
            format!("{sql} returned {v}, expected {expected}"),
        )),
        Err(e) => Err(Outcome::new(Verdict::Failed, "query error", e.to_string())),
    }
}

/// Counts of everything a plugin can register in a session.
fn registered(ctx: &SessionContext) -> [usize; 5] {
    let state = ctx.state();
    [
        state.scalar_functions().len(),
        state.aggregate_functions().len(),
        state.window_functions().len(),
        state.table_functions().len(),
        state.table_factories().len(),
    ]
}

async fn rust_cell(v: &Variant) -> Outcome {
    match rust_scenario(v).await {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

async fn rust_scenario(v: &Variant) -> Result<Outcome, Outcome> {
    let plugin = load(&v.path, &v.demands)?;
    match &v.scenario {
        Scenario::Probe { sql, expected } => {
            let ctx = SessionContext::new();
            install(&plugin, &ctx)?;
            let detail = check_probe(&ctx, sql, expected).await?;
            Ok(Outcome::new(Verdict::Accepted, "", detail))
        }
        Scenario::HalfInstall => {
            let ctx = SessionContext::new();
            let before = registered(&ctx);
            let Err(e) = plugin.install(&ctx) else {
                return Err(Outcome::new(Verdict::Failed, "", "install succeeded"));
            };
            let after = registered(&ctx);
            if before != after {
                return Err(Outcome::new(
                    Verdict::Failed,
                    kind(&e),
                    format!(
                        "half-registered: scalar/aggregate/window/table/factory counts {before:?} before, {after:?} after: {e}"
                    ),
                ));
            }
            Ok(Outcome::new(
                Verdict::Refused,
                kind(&e),
                format!(
                    "{e} (session unchanged: {before:?} scalar/aggregate/window/table functions/factories before and after)"
                ),
            ))
        }
        Scenario::Panics {
            queries,
            sql,
            expected,
        } => {
            let ctx = SessionContext::new();
            install(&plugin, &ctx)?;
            let mut errors = Vec::new();
            for q in queries {
                match query_rows(&ctx, q).await.map_err(|e| e.to_string()) {
                    Ok(rows) => {
                        return Err(Outcome::new(
                            Verdict::Failed,
                            "no error",
                            format!("{q} returned {} rows", rows.len()),
                        ));
                    }
                    Err(e) if e.contains("panicked") => errors.push(e),
                    Err(e) => return Err(Outcome::new(Verdict::Failed, "other error", e)),
                }
            }
            check_probe(&ctx, sql, expected).await?;
            Ok(Outcome::new(Verdict::Contained, "", errors.join(" | ")))
        }
        Scenario::Twice { sql, expected } => {
            let second = load(&v.path, &v.demands)?;
            let (first_ctx, second_ctx) = (SessionContext::new(), SessionContext::new());
            install(&plugin, &first_ctx)?;
            install(&second, &second_ctx)?;
            install(&second, &first_ctx)?;
            check_probe(&first_ctx, sql, expected).await?;
            let detail = check_probe(&second_ctx, sql, expected).await?;
            Ok(Outcome::new(
                Verdict::Accepted,
                "",
                format!("two loads, two sessions, one session installed twice: {detail} in each"),
            ))
        }
        Scenario::SideBySide {
            other,
            sql,
            expected,
            other_sql,
            other_expected,
        } => {
            let other = load(other, &Demands::default())?;
            let ctx = SessionContext::new();
            install(&plugin, &ctx)?;
            install(&other, &ctx)?;
            let a = check_probe(&ctx, sql, expected).await?;
            let b = check_probe(&ctx, other_sql, other_expected).await?;
            Ok(Outcome::new(
                Verdict::Accepted,
                "",
                format!(
                    "{} {} and {} {} in one session: {a}; {b}",
                    plugin.manifest().plugin_name,
                    plugin.manifest().plugin_version,
                    other.manifest().plugin_name,
                    other.manifest().plugin_version
                ),
            ))
        }
    }
}

// -- the command line -------------------------------------------------------

fn cli_cell(cli: &Path, v: &Variant) -> Outcome {
    match cli_scenario(cli, v) {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

fn cli_scenario(cli: &Path, v: &Variant) -> Result<Outcome, Outcome> {
    let path = v.path.display().to_string();
    let mut check = vec!["check".to_string(), path.clone()];
    if let Some(r) = &v.demands.version {
        check.extend(["--require-version".into(), r.clone()]);
    }
    for cap in &v.demands.capabilities {
        check.extend(["--require".into(), cap.clone()]);
    }
    if let Some(pin) = &v.demands.sha256 {
        check.extend(["--sha256".into(), pin.clone()]);
    }
    if v.demands.abi_minor > 0 {
        check.extend([
            "--require-abi-minor".into(),
            v.demands.abi_minor.to_string(),
        ]);
    }
    let sql = |query: &str| {
        run_cli(
            cli,
            &[
                "sql".into(),
                "--plugin".into(),
                path.clone(),
                "--format".into(),
                "json".into(),
                query.into(),
            ],
        )
    };
    let probe = |query: &str, expected: &Value| -> Result<String, Outcome> {
        let out = sql(query).map_err(|mut o| {
            o.verdict = Verdict::Failed;
            o
        })?;
        let rows: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
        let got = rows[0].as_object().and_then(|o| o.values().next().cloned());
        if got.as_ref() == Some(expected) {
            Ok(format!("{query} → {expected}"))
        } else {
            Err(Outcome::new(
                Verdict::Failed,
                "wrong answer",
                format!("{query} printed {out}, expected {expected}"),
            ))
        }
    };
    let checked = run_cli(cli, &check)?;
    match &v.scenario {
        Scenario::Probe {
            sql: query,
            expected,
        } => {
            let answer = probe(query, expected)?;
            Ok(Outcome::new(
                Verdict::Accepted,
                "",
                format!("{checked}; {answer}"),
            ))
        }
        Scenario::HalfInstall => match sql("SELECT 1") {
            Ok(out) => Err(Outcome::new(
                Verdict::Failed,
                "",
                format!("installed: {out}"),
            )),
            Err(refusal) => Ok(refusal),
        },
        Scenario::Panics {
            queries,
            sql: query,
            expected,
        } => {
            let mut errors = Vec::new();
            for q in queries {
                match sql(q) {
                    Ok(out) => {
                        return Err(Outcome::new(
                            Verdict::Failed,
                            "no error",
                            format!("{q}: {out}"),
                        ));
                    }
                    Err(o) if o.verdict == Verdict::Refused && o.detail.contains("panicked") => {
                        errors.push(o.detail)
                    }
                    Err(o) => return Err(o),
                }
            }
            probe(query, expected)?;
            Ok(Outcome::new(
                Verdict::Contained,
                "exit 1",
                errors.join(" | "),
            ))
        }
        Scenario::Twice { .. } | Scenario::SideBySide { .. } => Ok(Outcome::new(
            Verdict::NotApplicable,
            "",
            "the command line loads one plugin per process",
        )),
    }
}

// -- environment --------------------------------------------------------------

/// The `df-plugin` binary that `cargo test --workspace` builds beside the
/// test binaries' directory.
fn cli_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in <profile>/deps");
    let cli = profile_dir.join(format!("df-plugin{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cli.is_file(),
        "{} not found: run the matrix with `cargo test --workspace` (which builds the df-plugin binary)",
        cli.display()
    );
    cli
}

/// Cargo's target directory, asked of cargo.
fn target_directory() -> PathBuf {
    let out = cargo_command()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed");
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    PathBuf::from(meta["target_directory"].as_str().expect("target_directory"))
}

/// Builds the DataFusion 54 fixture (its own workspace and lock file) into
/// `<target>/df54-fixture`, reused by later runs.
fn df54_plugin(target: &Path) -> PathBuf {
    let manifest = workspace_root()
        .join("tests")
        .join("fixtures")
        .join("df54-plugin")
        .join("Cargo.toml");
    let target_dir = target.join("df54-fixture");
    let status = cargo_command()
        .args(["build", "--locked", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building the DataFusion 54 fixture failed"
    );
    let file = format!(
        "{}df54_plugin{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    target_dir.join("debug").join(file)
}

fn check_python_package(python: &Path) {
    let out = Command::new(python)
        .args(["-c", "import df_plugin_host, datafusion"])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{} cannot import df_plugin_host: run scripts/test, which installs the package before \
         the Rust tests ({})",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn versions(python: &Path) -> Vec<String> {
    let (major, minor) = (df_plugin_abi::ABI_MAJOR, df_plugin_abi::ABI_MINOR);
    let py = Command::new(python)
        .args([
            "-c",
            "import sys, datafusion, pyarrow; print(f'datafusion-python {datafusion.__version__}, pyarrow {pyarrow.__version__}, Python {sys.version.split()[0]}')",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    vec![
        format!(
            "Hosts built with: ABI {major}.{minor}, DataFusion {}, datafusion-ffi {}, Arrow {}",
            datafusion::DATAFUSION_VERSION,
            datafusion_ffi_major(),
            datafusion::arrow::ARROW_VERSION
        ),
        format!("Python host: {py}"),
        format!(
            "Compiler: {rustc}; {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
    ]
}

fn datafusion_ffi_major() -> u64 {
    df_plugin_host::Requirements::new()
        .host_requirements()
        .datafusion_ffi_major
}

fn utc_now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Deterministic noise (xorshift), so the "random bytes" file is the same
/// in every run.
fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}
