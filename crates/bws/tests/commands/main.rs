//! The built `bws` binary against the local exchange, one module per command: what each prints on success,
//! and its exit code and message on failure. (One test binary for all, to keep link times down.)

mod book;
mod common;
mod credentials;
mod dex;
mod diagnose;
mod help;
mod order;
mod order_futures;
mod record_replay;
mod sim;
mod stream;
mod user_data;
