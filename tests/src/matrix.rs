//! The ABI compatibility matrix: plugin variants × hosts, each cell with an
//! expected verdict, written to `docs/abi-matrix.md` by `tests/abi_matrix.rs`.
//!
//! Hosts: the Rust host shim (in this process), the `df-plugin` command line,
//! datafusion-python through `df_plugin_host.load_plugin` and, recorded only,
//! datafusion-python handed the plugin's capsules with no gate at all. The
//! Python cells run one child process each (`tests/matrix/*.py`), so a crash
//! is recorded as the signal that ended it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// What happened in one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Loaded, installed and answered the probe query correctly.
    Accepted,
    /// Refused with a typed error; nothing of the plugin was used.
    Refused,
    /// A panic inside the plugin surfaced as an error; the host lived on.
    Contained,
    /// Ran without a check and produced an error (raw host only).
    Errored,
    /// The host process died (signal or abort).
    Crashed,
    /// Something other than any of the above (a wrong answer, a
    /// half-registered session, a refusal where none was due).
    Failed,
    /// The host cannot express this variant.
    NotApplicable,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Refused => "refused",
            Verdict::Contained => "contained",
            Verdict::Errored => "error",
            Verdict::Crashed => "CRASHED",
            Verdict::Failed => "FAILED",
            Verdict::NotApplicable => "n/a",
        }
    }

    fn parse(text: &str) -> Verdict {
        match text {
            "accepted" => Verdict::Accepted,
            "refused" => Verdict::Refused,
            "contained" => Verdict::Contained,
            "error" => Verdict::Errored,
            "n/a" => Verdict::NotApplicable,
            _ => Verdict::Failed,
        }
    }
}

/// One cell's result: the verdict, the error's kind (Rust `LoadError`
/// variant, Python exception class, CLI exit status) and the exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Kind of error, empty when there was none.
    pub kind: String,
    /// Exact error text, or what the probe returned.
    pub detail: String,
}

impl Outcome {
    /// An outcome with the given parts.
    pub fn new(verdict: Verdict, kind: impl Into<String>, detail: impl Into<String>) -> Self {
        Outcome {
            verdict,
            kind: kind.into(),
            detail: detail.into(),
        }
    }

    /// Reads the JSON a Python cell script prints.
    pub fn from_json(value: &Value) -> Outcome {
        Outcome::new(
            Verdict::parse(value["verdict"].as_str().unwrap_or("")),
            value["kind"].as_str().unwrap_or(""),
            value["detail"].as_str().unwrap_or(""),
        )
    }
}

/// What a cell must produce; `kind` empty means any kind.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    /// The verdict.
    pub verdict: Verdict,
    /// The error kind.
    pub kind: &'static str,
}

impl Expected {
    /// Accepted.
    pub const ACCEPTED: Expected = Expected::of(Verdict::Accepted, "");
    /// Panics contained.
    pub const CONTAINED: Expected = Expected::of(Verdict::Contained, "");
    /// The host cannot express this variant.
    pub const NOT_APPLICABLE: Expected = Expected::of(Verdict::NotApplicable, "");

    /// `verdict` with error kind `kind`.
    pub const fn of(verdict: Verdict, kind: &'static str) -> Expected {
        Expected { verdict, kind }
    }

    /// Refused with error kind `kind`.
    pub const fn refused(kind: &'static str) -> Expected {
        Expected::of(Verdict::Refused, kind)
    }

    /// Whether `outcome` is what was expected.
    pub fn matches(&self, outcome: &Outcome) -> bool {
        outcome.verdict == self.verdict && (self.kind.is_empty() || outcome.kind == self.kind)
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.is_empty() {
            write!(f, "{}", self.verdict.label())
        } else {
            write!(f, "{} ({})", self.verdict.label(), self.kind)
        }
    }
}

/// What a host must do with the plugin once it has loaded it.
#[derive(Debug, Clone)]
pub enum Scenario {
    /// Install and run `sql`, which must return the single value `expected`.
    Probe {
        /// One-row, one-column query.
        sql: String,
        /// Its value, hand-computed.
        expected: Value,
    },
    /// Install must fail part way, leaving the session as it was.
    HalfInstall,
    /// Each query must fail with a contained panic, then `sql` must still
    /// answer `expected`.
    Panics {
        /// Queries that reach a panicking function.
        queries: Vec<String>,
        /// A query proving the session still works.
        sql: String,
        /// Its value.
        expected: Value,
    },
    /// Load the same file twice; install into two sessions and twice into
    /// the first; probe each.
    Twice {
        /// Probe query.
        sql: String,
        /// Its value.
        expected: Value,
    },
    /// Install this plugin and `other` into one session; probe both.
    SideBySide {
        /// The second plugin file.
        other: PathBuf,
        /// Probe of this plugin.
        sql: String,
        /// Its value.
        expected: Value,
        /// Probe of the other plugin.
        other_sql: String,
        /// Its value.
        other_expected: Value,
    },
}

/// A host's requirements for one variant, beyond its own versions.
#[derive(Debug, Clone, Default)]
pub struct Demands {
    /// Semver requirement on the plugin version.
    pub version: Option<String>,
    /// Required capabilities, `name[@version]`.
    pub capabilities: Vec<String>,
    /// SHA-256 pin.
    pub sha256: Option<String>,
    /// Lowest ABI minor.
    pub abi_minor: u32,
}

/// One row of the matrix.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Row label, e.g. `4`.
    pub id: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What the variant is and how it was made.
    pub description: String,
    /// The plugin file.
    pub path: PathBuf,
    /// The host's requirements.
    pub demands: Demands,
    /// What to do after loading.
    pub scenario: Scenario,
    /// Expected verdicts: Rust host, CLI, Python `load_plugin`.
    pub expected: [Expected; 3],
    /// Why the raw-capsule host does not run this row, if it does not (it
    /// states no requirements and registers scalar functions only).
    pub raw_skip: Option<&'static str>,
}

impl Variant {
    /// The JSON spec a Python cell script reads.
    pub fn spec(&self) -> Value {
        let scenario = match &self.scenario {
            Scenario::Probe { sql, expected } => {
                json!({"type": "probe", "sql": sql, "expected": expected})
            }
            Scenario::HalfInstall => json!({"type": "half_install"}),
            Scenario::Panics {
                queries,
                sql,
                expected,
            } => json!({"type": "panics", "queries": queries, "sql": sql, "expected": expected}),
            Scenario::Twice { sql, expected } => {
                json!({"type": "twice", "sql": sql, "expected": expected})
            }
            Scenario::SideBySide {
                other,
                sql,
                expected,
                other_sql,
                other_expected,
            } => json!({
                "type": "side_by_side", "other": other, "sql": sql, "expected": expected,
                "other_sql": other_sql, "other_expected": other_expected,
            }),
        };
        json!({
            "path": self.path,
            "require_version": self.demands.version,
            "require": self.demands.capabilities,
            "sha256": self.demands.sha256,
            "require_abi_minor": self.demands.abi_minor,
            "scenario": scenario,
        })
    }
}

/// All cells of one row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The variant.
    pub variant: Variant,
    /// Rust host, CLI, Python, raw capsules.
    pub outcomes: [Outcome; 4],
}

impl Row {
    /// Cells whose outcome differs from the expected one, as messages.
    pub fn unexpected(&self) -> Vec<String> {
        let mut wrong = Vec::new();
        for (i, expected) in self.variant.expected.iter().enumerate() {
            let outcome = &self.outcomes[i];
            if !expected.matches(outcome) {
                wrong.push(format!(
                    "variant {} ({}) × {}: expected {expected}, got {} ({}): {}",
                    self.variant.id,
                    self.variant.name,
                    HOSTS[i],
                    outcome.verdict.label(),
                    outcome.kind,
                    outcome.detail
                ));
            }
        }
        wrong
    }
}

/// Column titles, in cell order.
pub const HOSTS: [&str; 4] = [
    "Rust host (host-shim)",
    "`df-plugin check` / `sql`",
    "datafusion-python `load_plugin`",
    "raw capsules, no gate (recorded)",
];

/// Runs a Python cell script on `spec` in a child process; a death by
/// signal is a `Crashed` outcome.
pub fn run_python_cell(python: &Path, script: &Path, spec: &Value) -> Outcome {
    let output = Command::new(python)
        .arg(script)
        .arg(spec.to_string())
        .env("RUST_BACKTRACE", "0")
        .output();
    match output {
        Ok(out) => outcome_of_child(&out),
        Err(e) => Outcome::new(Verdict::Failed, "spawn", e.to_string()),
    }
}

fn outcome_of_child(out: &Output) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if let Some(signal) = out.status.signal() {
        return Outcome::new(
            Verdict::Crashed,
            format!("signal {signal}"),
            format!(
                "the process was killed by signal {signal} ({}); last output: {}",
                signal_name(signal),
                last_line(&String::from_utf8_lossy(&out.stderr))
            ),
        );
    }
    match stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    {
        Some(value) => Outcome::from_json(&value),
        None => Outcome::new(
            Verdict::Crashed,
            format!("exit {}", out.status.code().unwrap_or(-1)),
            format!(
                "the process ended without a result: {}",
                last_line(&String::from_utf8_lossy(&out.stderr))
            ),
        ),
    }
}

fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        11 => "SIGSEGV",
        _ => "signal",
    }
}

/// Runs `df-plugin` with `args`; exit 0 is success, exit 1 an error the
/// command reported, a signal a crash.
pub fn run_cli(cli: &Path, args: &[String]) -> Result<String, Outcome> {
    use std::os::unix::process::ExitStatusExt;
    let out = match Command::new(cli)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
    {
        Ok(out) => out,
        Err(e) => return Err(Outcome::new(Verdict::Failed, "spawn", e.to_string())),
    };
    if let Some(signal) = out.status.signal() {
        return Err(Outcome::new(
            Verdict::Crashed,
            format!("signal {signal}"),
            signal_name(signal),
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()),
        Some(code) => {
            // The command's own message is its last `df-plugin:` line (a
            // panic inside the plugin may print a note above it).
            let message = stderr
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("df-plugin: "))
                .map(str::to_string)
                .unwrap_or_else(|| last_line(&stderr));
            Err(Outcome::new(
                Verdict::Refused,
                format!("exit {code}"),
                message,
            ))
        }
        None => Err(Outcome::new(
            Verdict::Crashed,
            "no exit code",
            last_line(&stderr),
        )),
    }
}

/// Replaces machine-specific paths in a detail with placeholders, so the
/// report reads the same on every machine.
pub fn redact(text: &str, replacements: &[(PathBuf, &str)]) -> String {
    let mut out = text.to_string();
    for (path, placeholder) in replacements {
        let p = path.display().to_string();
        if !p.is_empty() {
            out = out.replace(&p, placeholder);
        }
    }
    out
}

/// Header facts of one run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// UTC date and time.
    pub date: String,
    /// Lines such as `host: df-plugin-host 0.1.0, ABI 1.1, ...`.
    pub versions: Vec<String>,
}

/// The error kind in code quotes, preceded by a space; empty without one.
fn kind_label(outcome: &Outcome) -> String {
    if outcome.kind.is_empty() {
        String::new()
    } else {
        format!(" `{}`", outcome.kind)
    }
}

/// The markdown report.
pub fn render(rows: &[Row], info: &RunInfo) -> String {
    let mut md = String::new();
    md.push_str("# ABI compatibility matrix\n\n");
    md.push_str(
        "Generated by `cargo test -p df-plugin-tests --test integration abi_matrix` (part of \
         `scripts/test`, so of every CI run); do not edit by hand. Each cell is what a \
         host did with a plugin variant; the test fails when a cell differs from its \
         expected verdict (the last column is recorded, not judged).\n\n",
    );
    md.push_str(
        "**The rule.** A host loads a plugin only if the ABI major is equal, the \
         plugin's ABI minor is at least the one the host needs, and its datafusion-ffi, \
         DataFusion and Arrow majors equal the host's; then any plugin-version, \
         capability and SHA-256 requirement the host states must hold. All of this is \
         read from the manifest before any DataFusion object crosses the boundary, and \
         the first failed check is reported as a typed error naming what was expected \
         and what was found.\n\n",
    );
    md.push_str(&format!("Run: {}\n\n", info.date));
    for line in &info.versions {
        md.push_str(&format!("- {line}\n"));
    }
    md.push_str("\n| # | Plugin variant |");
    for host in HOSTS {
        md.push_str(&format!(" {host} |"));
    }
    md.push_str("\n|---|---|---|---|---|---|\n");
    for row in rows {
        md.push_str(&format!("| {} | {} |", row.variant.id, row.variant.name));
        for (i, outcome) in row.outcomes.iter().enumerate() {
            let mark = match row.variant.expected.get(i) {
                Some(expected) if !expected.matches(outcome) => {
                    format!(" ❌ UNEXPECTED, expected {expected}")
                }
                Some(_) => " ✔".to_string(),
                None => String::new(),
            };
            md.push_str(&format!(
                " {}{}{mark} |",
                outcome.verdict.label(),
                kind_label(outcome)
            ));
        }
        md.push('\n');
    }
    md.push_str(
        "\n✔ = the expected verdict. *accepted*: loaded, installed, and the probe query \
         returned the hand-computed value; *refused*: typed error, nothing installed; \
         *contained*: the panic came back as a query error and the same session answered \
         the next query; *error*: the unchecked host got an error; *CRASHED*: the process \
         died (signal); *n/a*: the host cannot express the variant.\n\n",
    );
    md.push_str("## Cells\n\n");
    for row in rows {
        md.push_str(&format!(
            "### {}. {}\n\n{}\n\n",
            row.variant.id, row.variant.name, row.variant.description
        ));
        for (i, outcome) in row.outcomes.iter().enumerate() {
            let detail = outcome
                .detail
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            md.push_str(&format!(
                "- {}: **{}**{} — {}\n",
                HOSTS[i],
                outcome.verdict.label(),
                kind_label(outcome),
                if detail.is_empty() {
                    "(no message)".to_string()
                } else {
                    format!("`{}`", detail.replace('`', "'"))
                }
            ));
        }
        md.push('\n');
    }
    md
}
