//! Runs the selected sections and writes `report.md` and `results.json`.

use super::{registry, Context, SectionReport};
use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `attnmech reproduce`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Quick mode (under a minute for the whole report).
    pub quick: bool,
    /// Only these sections (by name); empty means all.
    pub only: Vec<String>,
    /// Report folder.
    pub out_dir: PathBuf,
    /// Base seed.
    pub seed: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            quick: false,
            only: Vec::new(),
            out_dir: PathBuf::from("report"),
            seed: 0,
        }
    }
}

#[derive(Serialize)]
struct SectionResult {
    name: &'static str,
    title: &'static str,
    seconds: f64,
    error: Option<String>,
    #[serde(flatten)]
    report: SectionReport,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed (a section that returned `Err` counts as one failure).
    pub failed: usize,
    /// Path of the Markdown report.
    pub report_path: PathBuf,
}

/// Runs the selected sections and writes the report into `opts.out_dir`.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    let all = registry::sections();
    for name in &opts.only {
        if !all.iter().any(|s| s.name() == name) {
            let known: Vec<_> = all.iter().map(|s| s.name()).collect();
            return Err(Error::InvalidArgument {
                what: "--only",
                reason: format!("unknown section `{name}`; known: {}", known.join(", ")),
            });
        }
    }
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::file(&opts.out_dir, e))?;
    let ctx = Context {
        quick: opts.quick,
        seed: opts.seed,
        out_dir: opts.out_dir.clone(),
    };
    let mut results = Vec::new();
    for s in all
        .iter()
        .filter(|s| opts.only.is_empty() || opts.only.iter().any(|o| o == s.name()))
    {
        eprintln!("[{}] {}", s.name(), s.title());
        let t0 = Instant::now();
        let (report, error) = match s.run(&ctx) {
            Ok(r) => (r, None),
            Err(e) => (SectionReport::default(), Some(e.to_string())),
        };
        let seconds = t0.elapsed().as_secs_f64();
        let failed = report.checks.iter().filter(|c| !c.passed).count();
        eprintln!(
            "[{}] {} checks, {} failed{} ({seconds:.1} s)",
            s.name(),
            report.checks.len(),
            failed,
            error
                .as_ref()
                .map(|e| format!(", error: {e}"))
                .unwrap_or_default()
        );
        results.push(SectionResult {
            name: s.name(),
            title: s.title(),
            seconds,
            error,
            report,
        });
    }
    let passed = results
        .iter()
        .flat_map(|r| &r.report.checks)
        .filter(|c| c.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|r| &r.report.checks)
        .filter(|c| !c.passed)
        .count()
        + results.iter().filter(|r| r.error.is_some()).count();

    let json = serde_json::json!({
        "seed": opts.seed,
        "quick": opts.quick,
        "passed": passed,
        "failed": failed,
        "sections": results,
    });
    let json_path = opts.out_dir.join("results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)
        .map_err(|e| Error::file(&json_path, e))?;
    let report_path = opts.out_dir.join("report.md");
    std::fs::write(&report_path, markdown(&results, opts, passed, failed))
        .map_err(|e| Error::file(&report_path, e))?;
    Ok(RunSummary {
        passed,
        failed,
        report_path,
    })
}

fn markdown(results: &[SectionResult], opts: &RunOptions, passed: usize, failed: usize) -> String {
    let mut s = String::new();
    let mode = if opts.quick { "quick" } else { "full" };
    let _ = writeln!(s, "# attnmech reproduction report\n");
    let _ = writeln!(
        s,
        "Mode: {mode}; seed {}; {passed} checks passed, {failed} failed. Every number is also in \
         `results.json`.\n",
        opts.seed
    );
    for r in results {
        let _ = writeln!(s, "## {} (`{}`)\n", r.title, r.name);
        let _ = writeln!(s, "Ran in {:.1} s.\n", r.seconds);
        if let Some(e) = &r.error {
            let _ = writeln!(s, "**Section failed:** {e}\n");
        }
        if !r.report.checks.is_empty() {
            let _ = writeln!(s, "| id | claim | measured | tolerance | result |");
            let _ = writeln!(s, "|---|---|---|---|---|");
            for c in &r.report.checks {
                let verdict = if c.passed { "pass" } else { "**FAIL**" };
                let _ = writeln!(
                    s,
                    "| {} | {} | {:.4e} | {} | {} |",
                    c.id,
                    c.claim.replace('|', "\\|"),
                    c.measured,
                    c.tolerance,
                    verdict
                );
            }
            let _ = writeln!(s);
        }
        for f in &r.report.figures {
            let _ = writeln!(s, "![{}]({})\n\n*{}*\n", f.file, f.file, f.caption);
        }
        for n in &r.report.notes {
            let _ = writeln!(s, "- {n}");
        }
        if !r.report.notes.is_empty() {
            let _ = writeln!(s);
        }
    }
    s
}
