//! Command-line arguments.

use clap::{Args, Parser, Subcommand};

/// bws: Binance WebSocket API and streams from the command line, with a local exchange built in.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None, propagate_version = true, after_help = crate::exit::EXIT_CODES)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug); or set BWS_LOG.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command shares.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Where to connect: mainnet, testnet, local (start the local exchange in-process) or a ws:// URL.
    #[arg(long, global = true, default_value = "local", env = "BWS_ENV")]
    pub env: String,
    /// API key (or BINANCE_API_KEY).
    #[arg(long, global = true, env = "BINANCE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// HMAC secret (or BINANCE_SECRET_KEY).
    #[arg(long, global = true, env = "BINANCE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Ed25519 or RSA private key PEM file (or BINANCE_PRIVATE_KEY_PATH).
    #[arg(long, global = true, env = "BINANCE_PRIVATE_KEY_PATH")]
    pub private_key: Option<std::path::PathBuf>,
    /// Print JSON lines instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing but errors; the exit code tells the outcome.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Walk through every capability against the local exchange, in under 30 seconds.
    ///
    /// Example: bws demo
    Demo(DemoArgs),
    /// Run the local exchange as a server until Ctrl-C.
    ///
    /// Example: bws sim --port 9443
    Sim(SimArgs),
    /// Call any WebSocket API method; signed when its security type asks for it.
    ///
    /// Example: bws api depth symbol=BTCUSDT limit=5
    Api(ApiArgs),
    /// Follow market streams: events as an aligned table or JSON lines.
    Stream(crate::stream_cmd::StreamArgs),
    /// Place, cancel and query spot and futures orders; refused orders are never sent.
    Order(crate::order_cmd::OrderArgs),
    /// Follow the account's user data events (orders, balances, positions), spot or futures.
    UserData(crate::user_data_cmd::UserDataArgs),
    /// Binance DEX streams, one-off or long-lived.
    Dex(crate::dex_cmd::DexArgs),
    /// Check every part of an endpoint; the exit code is the number of failed checks.
    Diagnose(crate::diagnose::DiagnoseArgs),
    /// Record raw stream frames with their receive times to a zstd-compressed file.
    Record(crate::record_cmd::RecordArgs),
    /// Replay a recording through the stream decoder and print it like `bws stream`.
    Replay(crate::replay_cmd::ReplayArgs),
    /// A live order book view (price ladder, spread, update rate); `--once` for scripts.
    Book(crate::book_cmd::BookArgs),
    /// Measure the streams client (vs a bare socket), its memory, and the API client's round trips.
    ///
    /// Example: bws bench streams --kinds trade
    Bench(crate::bench::BenchArgs),
}

/// `bws demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Skip the pauses between steps.
    #[arg(long)]
    pub fast: bool,
}

/// `bws sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 9443)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Seed of the simulated market.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Inject faults on a seeded schedule, e.g.
    /// `every=2s,seed=7,kinds=drop+stall:3s+malformed+shutdown+gap+refuse:1s+delay:100ms+lifetime:5s`
    /// (add -v to see each one).
    #[arg(long)]
    pub faults: Option<binance_ws_sim::chaos::Chaos>,
    /// Flood mode: stream connections get pre-encoded frames as fast as they take them (for `bws bench streams --url`).
    #[arg(long)]
    pub flood: bool,
}

/// `bws api`.
#[derive(Args, Debug)]
pub struct ApiArgs {
    /// The method, e.g. `time`, `depth`, `account.status`.
    pub method: String,
    /// Parameters as key=value (values that parse as JSON numbers/arrays are sent as such).
    pub params: Vec<String>,
    /// Sign the request even if the method is not known to need it.
    #[arg(long)]
    pub signed: bool,
}
