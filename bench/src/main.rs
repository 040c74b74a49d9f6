//! `df-plugin-bench`: the Rust side of the benchmarks (`scripts/bench`
//! runs it and the Python side, then writes `docs/benchmarks.md`).
//!
//! `df-plugin-bench suite` runs every scenario, each in a fresh child
//! process (`df-plugin-bench run ...`) so that its peak memory is its own
//! and the plugin is loaded cold where that matters, and writes one JSON
//! file. Nothing here is a test: timings never pass or fail anything.

mod aggregate;
mod data;
mod delta;
mod load;
mod measure;
mod scalar;
mod sessions;
mod suite;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use datafusion::common::Result;

#[derive(Parser)]
#[command(about = "Benchmarks of the CodeAnatomy plugin (see scripts/bench)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every scenario in its own process and writes the results.
    Suite(suite::SuiteOptions),
    /// Runs one scenario in this process and prints its JSON result.
    Run {
        #[command(subcommand)]
        scenario: Scenario,
    },
}

/// One scenario, as the suite asks a child process to run it.
#[derive(Subcommand, Debug, Clone)]
pub enum Scenario {
    /// A scalar function over generated rows at 1K/8K/64K batches.
    Scalar {
        #[arg(long, value_enum)]
        function: scalar::Function,
        #[arg(long)]
        rows: usize,
        #[arg(long, value_enum)]
        linkage: sessions::Linkage,
        #[arg(long, value_delimiter = ',', default_value = "1024,8192,65536")]
        batch_sizes: Vec<usize>,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// A grouped aggregate.
    Aggregate {
        #[arg(long, value_enum)]
        aggregate: aggregate::Aggregate,
        #[arg(long, value_enum)]
        implementation: aggregate::Implementation,
        #[arg(long)]
        rows: usize,
        #[arg(long)]
        groups: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Generates the Delta table (skipped when it already exists).
    DeltaGenerate {
        #[arg(long)]
        table: PathBuf,
        #[arg(long)]
        rows: usize,
    },
    /// A scan of the generated Delta table.
    DeltaScan {
        #[arg(long)]
        table: PathBuf,
        #[arg(long, value_enum)]
        scan: delta::Scan,
        #[arg(long, value_enum)]
        reader: delta::Reader,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// INSERT of generated rows into a new table.
    Insert {
        #[arg(long)]
        scratch: PathBuf,
        #[arg(long, value_enum)]
        writer: delta::Reader,
        #[arg(long)]
        rows: usize,
        #[arg(long, default_value_t = 2)]
        runs: usize,
    },
    /// Plugin::load + install, cold.
    Load {
        #[arg(long)]
        pin: bool,
    },
}

async fn run_scenario(scenario: Scenario) -> Result<serde_json::Value> {
    match scenario {
        Scenario::Scalar {
            function,
            rows,
            linkage,
            batch_sizes,
            runs,
        } => scalar::run(function, rows, linkage, &batch_sizes, runs).await,
        Scenario::Aggregate {
            aggregate,
            implementation,
            rows,
            groups,
            runs,
        } => aggregate::run(aggregate, implementation, rows, groups, runs).await,
        Scenario::DeltaGenerate { table, rows } => delta::generate(&table, rows).await,
        Scenario::DeltaScan {
            table,
            scan,
            reader,
            runs,
        } => delta::scan(&table, scan, reader, runs).await,
        Scenario::Insert {
            scratch,
            writer,
            rows,
            runs,
        } => delta::insert(&scratch, writer, rows, runs).await,
        Scenario::Load { pin } => load::run(pin).await,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Suite(options) => suite::run(options),
        Command::Run { scenario } => run_scenario(scenario).await.map(|result| {
            println!("{result}");
        }),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("df-plugin-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
