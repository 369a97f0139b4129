//! The `attnmech` command: `reproduce` (the papers' results as a report) and `analyze` (the
//! automaton one attention layer learns from a user's dataset).

use attnmech::report::{self, RunOptions};
use attnmech::Error;
use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Attention kernels and the mechanics of next-token prediction.
///
/// With no subcommand, runs `reproduce` with the options given (try `--quick` first).
#[derive(Parser)]
#[command(name = "attnmech", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    reproduce: ReproduceArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Re-run the papers' experiments: writes report.md, SVG figures and results.json, and exits
    /// non-zero if any check fails.
    Reproduce(ReproduceArgs),
    /// Print, as JSON on stdout, the automaton one attention layer learns from a dataset
    /// (format: README, "`analyze` input and output").
    Analyze {
        /// The dataset, e.g. examples/analyze/ht1.json.
        file: PathBuf,
    },
    /// List the report's sections (the names `--only` takes).
    List,
}

#[derive(Args)]
struct ReproduceArgs {
    /// Smaller sizes and fewer draws: the whole report in about a minute.
    #[arg(long)]
    quick: bool,
    /// Run only these sections (comma-separated).
    #[arg(long, value_name = "SECTION", value_delimiter = ',', value_parser = section_names())]
    only: Vec<String>,
    /// Report folder (created if missing).
    #[arg(long, value_name = "DIR", default_value = "report")]
    out: PathBuf,
    /// Base seed of every random draw.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: one per core); the results are the same bits for any count.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    threads: Option<usize>,
}

/// The registered section names, so a wrong `--only` lists the valid ones.
fn section_names() -> PossibleValuesParser {
    PossibleValuesParser::new(report::registry::sections().iter().map(|s| s.name()))
}

/// `--threads`: a whole number of at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{s}` is not a whole number of at least 1")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => reproduce(cli.reproduce),
        Some(Command::Reproduce(args)) => reproduce(args),
        Some(Command::Analyze { file }) => analyze(&file),
        Some(Command::List) => {
            for s in report::registry::sections() {
                println!("{:<20} {}", s.name(), s.title());
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn analyze(file: &Path) -> Result<ExitCode, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::file(file, e))?;
    println!("{}", attnmech::nexttoken::analyze_json(&text)?);
    Ok(ExitCode::SUCCESS)
}

fn reproduce(args: ReproduceArgs) -> Result<ExitCode, Error> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Error::InvalidArgument {
                what: "--threads",
                reason: e.to_string(),
            })?;
    }
    // `..default()` keeps any option the command line does not set at its default.
    #[allow(clippy::needless_update)]
    let opts = RunOptions {
        quick: args.quick,
        only: args.only,
        out_dir: args.out,
        seed: args.seed,
        ..RunOptions::default()
    };
    let summary = report::run(&opts)?;
    eprintln!(
        "report: {} ({} checks passed, {} failed)",
        summary.report_path.display(),
        summary.passed,
        summary.failed
    );
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
