//! The `attnmech` command: `reproduce` (the papers' results as a report) and `analyze` (the
//! automaton one attention layer learns from a user's dataset).

use attnmech::report::{self, RunOptions};
use attnmech::Error;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
attnmech: attention kernels and the mechanics of next-token prediction

USAGE:
    attnmech [reproduce] [--quick] [--only SECTION[,SECTION..]] [--out DIR] [--seed N] [--threads N]
    attnmech analyze FILE.json
    attnmech list
    attnmech --help

With no subcommand, runs `reproduce` with its defaults and writes the report to report/.
`reproduce` exits non-zero if any check fails. `analyze` prints JSON on stdout.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &'static str) -> Result<&'a str, Error> {
    *i += 1;
    args.get(*i)
        .map(|s| s.as_str())
        .ok_or(Error::InvalidArgument {
            what: flag,
            reason: "expects a value".into(),
        })
}

fn number<T: std::str::FromStr>(s: &str, flag: &'static str) -> Result<T, Error> {
    s.parse().map_err(|_| Error::InvalidArgument {
        what: flag,
        reason: format!("`{s}` is not a number"),
    })
}

fn run(args: &[String]) -> Result<ExitCode, Error> {
    let (cmd, rest) = match args.first().map(|s| s.as_str()) {
        None => ("reproduce", args),
        Some(a) if a.starts_with("--") && a != "--help" => ("reproduce", args),
        Some(a) => (a, &args[1..]),
    };
    match cmd {
        "reproduce" => reproduce(rest),
        "analyze" => {
            let [path] = rest else {
                return Err(Error::InvalidArgument {
                    what: "analyze",
                    reason: "expects exactly one FILE.json".into(),
                });
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Io(format!("reading {path}: {e}")))?;
            println!("{}", attnmech::nexttoken::analyze_json(&text)?);
            Ok(ExitCode::SUCCESS)
        }
        "list" => {
            for s in report::registry::sections() {
                println!("{:<20} {}", s.name(), s.title());
            }
            Ok(ExitCode::SUCCESS)
        }
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Error::InvalidArgument {
            what: "command",
            reason: format!("unknown command `{other}`\n\n{USAGE}"),
        }),
    }
}

fn reproduce(args: &[String]) -> Result<ExitCode, Error> {
    let mut opts = RunOptions::default();
    let mut threads: Option<usize> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--quick" => opts.quick = true,
            "--only" => {
                opts.only = value(args, &mut i, "--only")?
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--out" => opts.out_dir = PathBuf::from(value(args, &mut i, "--out")?),
            "--seed" => opts.seed = number(value(args, &mut i, "--seed")?, "--seed")?,
            "--threads" => threads = Some(number(value(args, &mut i, "--threads")?, "--threads")?),
            other => {
                return Err(Error::InvalidArgument {
                    what: "reproduce",
                    reason: format!("unknown option `{other}`\n\n{USAGE}"),
                })
            }
        }
        i += 1;
    }
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::InvalidArgument {
                what: "--threads",
                reason: "must be >= 1".into(),
            });
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Error::InvalidArgument {
                what: "--threads",
                reason: e.to_string(),
            })?;
    }
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
