//! `bws`: the command-line tool of binance-ws.
//!
//! Exit codes: see [`exit::EXIT_CODES`].

mod api_cmd;
mod bench;
mod book_cmd;
mod book_feed;
mod book_ui;
mod book_view;
mod cli;
mod demo;
mod demo_book;
mod demo_futures;
mod dex_cmd;
mod dex_rows;
mod diagnose;
mod diagnose_book;
mod diagnose_checks;
mod diagnose_futures;
mod dot_env;
mod exit;
mod limits;
mod market;
mod market_rows;
mod order_cmd;
mod order_futures;
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
mod user_data_rows;

use clap::Parser;

use cli::{Cli, Command};

fn main() {
    dot_env::load();
    let cli = Cli::parse();
    // The live book view owns the terminal: log lines would tear it (its header shows resyncs and why).
    let live_view = matches!(&cli.command, Command::Book(b) if !b.once);
    init_logging(cli.verbose, cli.global.quiet || live_view);
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
            Command::Bench(args) => bench::run(args, &cli.global).await,
        };
        match outcome {
            Ok(code) => code,
            Err(e) => {
                style::error_line(&e);
                exit::exit_code(&e)
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
