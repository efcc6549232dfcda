//! `bws`: the command-line tool of binance-ws.
//!
//! Exit codes: see [`EXIT_CODES`].

mod api_cmd;
mod book_cmd;
mod book_feed;
mod book_ui;
mod book_view;
mod cli;
mod demo;
mod dex_cmd;
mod dex_rows;
mod diagnose;
mod diagnose_checks;
mod limits;
mod market_rows;
mod order_cmd;
mod order_spot;
mod progress;
mod record_cmd;
mod recording;
mod replay_cmd;
mod session;
mod sim_cmd;
mod stream_cmd;
mod style;
mod table;
mod user_data_cmd;

/// The exit codes, as `bws --help` shows them.
pub const EXIT_CODES: &str = "Exit codes:
  0  success (also when stopped by --count, --duration or Ctrl-C)
  1  the command failed: one line on stderr says why, often followed by a hint
  2  bad usage: unknown option, missing argument, bad stream name or value
  N  bws diagnose: the number of failed checks

Credentials come from --api-key with --secret-key or --private-key, from BINANCE_API_KEY,
BINANCE_SECRET_KEY and BINANCE_PRIVATE_KEY_PATH, or from a .env file in the working directory.";

use clap::Parser;

use cli::{Cli, Command};

fn main() {
    // `.env` fills in variables the environment does not already set; a missing file is fine, an unreadable
    // one is reported and skipped (a later "needs an API key" would otherwise be a riddle).
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            let why = match e {
                // The line may hold a secret: say where, not what.
                dotenvy::Error::LineParse(_, at) => format!("a line does not parse (at character {at})"),
                other => other.to_string(),
            };
            eprintln!("warning: .env not read past the first problem: {why}");
        }
    }
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.global.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async move {
        let outcome = match cli.command {
            Command::Demo(args) => demo::run(args).await,
            Command::Sim(args) => sim_cmd::run(args).await,
            Command::Api(args) => api_cmd::run(args, &cli.global).await,
            Command::Stream(args) => stream_cmd::run(args, &cli.global).await,
            Command::Order(args) => order_cmd::run(args, &cli.global).await,
            Command::UserData(args) => user_data_cmd::run(args, &cli.global).await,
            Command::Dex(args) => dex_cmd::run(args, &cli.global).await,
            Command::Diagnose(args) => diagnose::run(args, &cli.global).await,
            Command::Record(args) => record_cmd::run(args, &cli.global).await,
            Command::Replay(args) => replay_cmd::run(args, &cli.global).await,
            Command::Book(args) => book_cmd::run(args, &cli.global).await,
        };
        match outcome {
            Ok(code) => code,
            Err(e) => {
                style::error_line(&e);
                style::exit_code(&e)
            }
        }
    });
    std::process::exit(code);
}

fn init_logging(verbose: u8, quiet: bool) {
    let default = match (verbose, quiet) {
        (0, true) => "error",
        (0, false) => "warn",
        (1, _) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BWS_LOG").unwrap_or_else(|_| default.into());
    let ansi = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}
