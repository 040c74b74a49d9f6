//! `df-plugin`: show, check and query a DataFusion plugin.
//!
//! ```text
//! df-plugin inspect PATH [--json]
//! df-plugin check PATH [--require-version REQ] [--require CAP[@VER]]... [--sha256 HEX]
//!                      [--require-abi-minor N]
//! df-plugin sql [--plugin PATH] (QUERY | -f FILE) [--format table|csv|json]
//! ```
//! Exit status: 0 on success, 1 when the plugin is refused or a query fails,
//! 2 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches_with_schema;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;
use df_plugin_host::loader::sha256_file;
use df_plugin_host::{Plugin, Requirements, locate};

#[derive(Parser)]
#[command(
    name = "df-plugin",
    version,
    about = "Show, check and query DataFusion plugins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a plugin's manifest, capabilities and functions.
    Inspect {
        /// Plugin file.
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validate a plugin against requirements; exit 0 if it would load.
    Check {
        /// Plugin file.
        path: PathBuf,
        /// Semver requirement on the plugin version, e.g. ">=0.1, <2".
        #[arg(long = "require-version", value_name = "REQ")]
        require_version: Option<String>,
        /// Required capability, `name` or `name@version`; repeatable.
        #[arg(long = "require", value_name = "CAP[@VER]")]
        require: Vec<String>,
        /// Expected SHA-256 of the file (hex).
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
        /// Lowest ABI minor needed (default: any minor of this host's major).
        #[arg(long = "require-abi-minor", value_name = "N", default_value_t = 0)]
        require_abi_minor: u32,
    },
    /// Run SQL in a session with the plugin installed.
    Sql {
        /// Plugin file; defaults to the plugin built beside this binary.
        #[arg(long)]
        plugin: Option<PathBuf>,
        /// Read the SQL from a file (statements separated by `;`).
        #[arg(short = 'f', long = "file", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// The SQL to run.
        #[arg(required_unless_present = "file")]
        query: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { path, json } => inspect(&path, json),
        Command::Check {
            path,
            require_version,
            require,
            sha256,
            require_abi_minor,
        } => check(
            &path,
            require_version.as_deref(),
            &require,
            sha256.as_deref(),
            require_abi_minor,
        ),
        Command::Sql {
            plugin,
            file,
            query,
            format,
        } => sql(plugin, file, query, format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("df-plugin: {message}");
            ExitCode::from(1)
        }
    }
}

fn inspect(path: &PathBuf, json: bool) -> Result<(), String> {
    let plugin = Plugin::load(path, &Requirements::new()).map_err(|e| e.to_string())?;
    let functions = plugin.functions().map_err(|e| e.to_string())?;
    let sha256 = sha256_file(path).map_err(|e| e.to_string())?;
    if json {
        let capabilities: serde_json::Value =
            serde_json::from_str(&plugin.capabilities_snapshot().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        let doc = serde_json::json!({
            "path": path,
            "sha256": sha256,
            "manifest": plugin.manifest_json(),
            "capabilities": capabilities,
            "functions": functions,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let m = plugin.manifest();
    println!("plugin       {} {}", m.plugin_name, m.plugin_version);
    println!("file         {}", path.display());
    println!("sha256       {sha256}");
    println!("abi          {}.{}", m.abi_major, m.abi_minor);
    println!(
        "datafusion   {} (ffi major {})",
        m.datafusion_version, m.datafusion_ffi_major
    );
    println!("arrow        {}", m.arrow_version);
    println!(
        "build        {} / {} / {}",
        m.build.rustc, m.build.target, m.build.profile
    );
    let caps: Vec<String> = m
        .capabilities
        .iter()
        .map(|(n, v)| format!("{n}@{v}"))
        .collect();
    println!("capabilities {}", caps.join(", "));
    println!("functions    {}", functions.len());
    for f in &functions {
        let params = f
            .parameters
            .as_ref()
            .map(|p| p.join(", "))
            .unwrap_or_default();
        let aliases = if f.aliases.is_empty() {
            String::new()
        } else {
            format!("  (aliases: {})", f.aliases.join(", "))
        };
        println!("  {:<8} {}({params}){aliases}", f.kind, f.name);
    }
    Ok(())
}

fn check(
    path: &PathBuf,
    require_version: Option<&str>,
    require: &[String],
    sha256: Option<&str>,
    require_abi_minor: u32,
) -> Result<(), String> {
    let mut req = Requirements::new().require_abi_minor(require_abi_minor);
    if let Some(v) = require_version {
        req = req.require_version(v).map_err(|e| e.to_string())?;
    }
    for cap in require {
        req = req.require_capability(cap).map_err(|e| e.to_string())?;
    }
    if let Some(hex) = sha256 {
        req = req.pin_sha256(hex).map_err(|e| e.to_string())?;
    }
    let plugin = Plugin::load(path, &req).map_err(|e| e.to_string())?;
    let m = plugin.manifest();
    println!(
        "ok: {} {} (ABI {}.{}, DataFusion {}, Arrow {}) meets every requirement",
        m.plugin_name,
        m.plugin_version,
        m.abi_major,
        m.abi_minor,
        m.datafusion_version,
        m.arrow_version
    );
    Ok(())
}

fn sql(
    plugin: Option<PathBuf>,
    file: Option<PathBuf>,
    query: Option<String>,
    format: Format,
) -> Result<(), String> {
    let path = match plugin {
        Some(p) => p,
        None => locate::plugin_beside_current_exe().ok_or_else(|| {
            format!(
                "no --plugin given and no {} found beside this executable; build it with `cargo build -p df-plugin-codeanatomy` or pass --plugin PATH",
                locate::plugin_file_name()
            )
        })?,
    };
    let text = match (file, query) {
        (Some(f), _) => std::fs::read_to_string(&f)
            .map_err(|e| format!("cannot read SQL file {}: {e}", f.display()))?,
        (None, Some(q)) => q,
        (None, None) => return Err("give a QUERY or -f FILE".to_string()),
    };
    let plugin = Plugin::load(&path, &Requirements::new()).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let ctx = SessionContext::new();
        plugin.install(&ctx).map_err(|e| e.to_string())?;
        let statements = DFParser::parse_sql(&text).map_err(|e| e.to_string())?;
        for statement in statements {
            let state = ctx.state();
            let plan = state
                .statement_to_plan(statement)
                .await
                .map_err(|e| e.to_string())?;
            let df = ctx
                .execute_logical_plan(plan)
                .await
                .map_err(|e| e.to_string())?;
            let schema = df.schema().inner().clone();
            let batches = df.collect().await.map_err(|e| e.to_string())?;
            // DDL yields no columns: nothing to print. A query with no rows
            // still prints its header.
            if !schema.fields().is_empty() {
                print_batches(&schema, &batches, format)?;
            }
        }
        Ok(())
    })
}

fn print_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: Format,
) -> Result<(), String> {
    match format {
        Format::Table => {
            println!(
                "{}",
                pretty_format_batches_with_schema(Arc::clone(schema), batches)
                    .map_err(|e| e.to_string())?
            );
        }
        Format::Csv => {
            let mut writer = datafusion::arrow::csv::Writer::new(std::io::stdout());
            for batch in batches {
                writer.write(batch).map_err(|e| e.to_string())?;
            }
        }
        Format::Json => {
            let mut writer = datafusion::arrow::json::ArrayWriter::new(std::io::stdout());
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs).map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            println!();
        }
    }
    Ok(())
}
