//! The `attnmech` command: `reproduce` (the papers' results as a report) and `analyze` (the
//! automaton one attention layer learns from a user's dataset).

use attnmech::nexttoken::{analyze_json_with, Limits, Progress};
use attnmech::report::{self, RunOptions};
use attnmech::Error;
use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
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
    ///
    /// Sizes are capped before anything is allocated (a size over its cap is an error naming it);
    /// raise a cap with its flag when the machine has room. Progress goes to stderr.
    Analyze(AnalyzeArgs),
    /// List the report's sections (the names `--only` takes).
    List,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// The dataset, e.g. examples/analyze/ht1.json.
    file: PathBuf,
    /// Largest vocabulary (one-hot outputs are K × K).
    #[arg(long, value_name = "K", default_value_t = Limits::default().max_vocab)]
    max_vocab: usize,
    /// Largest embedding dimension when embeddings are given (the dense Hessian is d² × d²).
    #[arg(long, value_name = "D", default_value_t = Limits::default().max_dim)]
    max_dim: usize,
    /// Most samples.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_samples)]
    max_samples: usize,
    /// Longest sample or prompt, in tokens.
    #[arg(long, value_name = "T", default_value_t = Limits::default().max_seq_len)]
    max_seq_len: usize,
    /// Most tokens over all samples and prompts.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_total_tokens)]
    max_total_tokens: usize,
    /// Most prompts.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_prompts)]
    max_prompts: usize,
    /// Largest input file, in bytes (checked before it is read).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_input_bytes)]
    max_input_bytes: usize,
}

impl AnalyzeArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_vocab: self.max_vocab,
            max_dim: self.max_dim,
            max_samples: self.max_samples,
            max_seq_len: self.max_seq_len,
            max_total_tokens: self.max_total_tokens,
            max_prompts: self.max_prompts,
            max_input_bytes: self.max_input_bytes,
        }
    }
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
        Some(Command::Analyze(args)) => analyze(&args),
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

fn analyze(args: &AnalyzeArgs) -> Result<ExitCode, Error> {
    let file = args.file.as_path();
    let limits = args.limits();
    let bytes = std::fs::metadata(file)
        .map_err(|e| Error::file(file, e))?
        .len();
    attnmech::error::check_cap(
        "input bytes",
        usize::try_from(bytes).unwrap_or(usize::MAX),
        limits.max_input_bytes,
    )?;
    let text = std::fs::read_to_string(file).map_err(|e| Error::file(file, e))?;
    let mut bar = AnalyzeProgress::default();
    let out = analyze_json_with(&text, &limits, &mut |p| bar.update(p));
    bar.finish();
    println!("{}", out?);
    Ok(ExitCode::SUCCESS)
}

/// Draws `analyze`'s progress on stderr (indicatif draws only on a terminal) once the input has
/// at least [`AnalyzeProgress::LARGE`] tokens.
#[derive(Default)]
struct AnalyzeProgress {
    large: bool,
    bar: Option<(&'static str, indicatif::ProgressBar)>,
}

impl AnalyzeProgress {
    const LARGE: usize = 100_000;

    fn update(&mut self, p: Progress) {
        if p.stage == "input" {
            self.large = p.total >= Self::LARGE;
            if self.large {
                eprintln!("analyze: {} tokens", p.total);
            }
        }
        if !self.large {
            return;
        }
        if self.bar.as_ref().is_none_or(|(stage, _)| *stage != p.stage) {
            self.finish();
            let pb = indicatif::ProgressBar::new(p.total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "  {msg:<12} [{bar:30}] {pos}/{len} ({elapsed})",
            ) {
                pb.set_style(style.progress_chars("=> "));
            }
            pb.set_message(p.stage);
            self.bar = Some((p.stage, pb));
        }
        if let Some((_, pb)) = &self.bar {
            pb.set_position(p.done as u64);
        }
    }

    fn finish(&mut self) {
        if let Some((stage, pb)) = self.bar.take() {
            pb.finish_and_clear();
            eprintln!(
                "analyze: {stage} done ({:.1} s)",
                pb.elapsed().as_secs_f64()
            );
        }
    }
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
