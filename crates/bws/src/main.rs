//! `bws`: the command-line tool of binance-ws.
//!
//! Exit codes: 0 success; 1 a command failed (one line on stderr says why, with a hint);
//! 2 bad usage (clap); for `bws diagnose`, the number of failed checks.

mod api_cmd;
mod bench;
mod cli;
mod demo;
mod sim_cmd;
mod style;

use clap::Parser;

use cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    init_logging(cli.verbose);
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
            Command::Bench(args) => bench::run(args, &cli.global).await,
        };
        match outcome {
            Ok(code) => code,
            Err(e) => {
                style::error_line(&e);
                1
            }
        }
    });
    std::process::exit(code);
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BWS_LOG").unwrap_or_else(|_| default.into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
