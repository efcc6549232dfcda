//! `bws replay FILE`: a recording fed through the same typed decoder as live streams
//! (`binance_ws::streams::decode_frame`) and printed like `bws stream`.

use std::path::PathBuf;
use std::time::Duration;

use binance_ws::streams::{decode_frame, Backend, Decoded};
use clap::{Args, ValueEnum};
use tokio::time::Instant;

use crate::cli::Global;
use crate::limits::{self, Limits};
use crate::market_rows::{market_row, truncate};
use crate::recording::Reader;
use crate::style;
use crate::table::{Printer, Row};

/// `bws replay`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws replay btc.jsonl.zst
  bws replay btc.jsonl.zst --speed max --json | jq -c 'select(.event==\"trade\")'")]
pub struct ReplayArgs {
    /// A file written by `bws record`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// `recorded`: with the recorded gaps between frames; `max`: as fast as possible.
    #[arg(long, value_enum, default_value_t = ReplaySpeed::Recorded)]
    pub speed: ReplaySpeed,
    #[command(flatten)]
    pub limits: Limits,
}

/// How fast a recording is replayed.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaySpeed {
    /// The recorded pace.
    Recorded,
    /// No waiting.
    Max,
}

pub async fn run(args: ReplayArgs, global: &Global) -> anyhow::Result<i32> {
    let reader = Reader::open(&args.file)?;
    let printer = Printer::new(global.json, global.quiet, &reader.header.streams);
    style::status(
        global.quiet,
        &format!(
            "replaying {} ({}) recorded from {}",
            args.file.display(),
            reader.header.streams.join(", "),
            reader.header.endpoint
        ),
    );
    printer.header();
    let deadline = args.limits.deadline();
    let start = Instant::now();
    let mut first_t = None;
    let mut seen = 0u64;
    for frame in reader {
        let frame = frame?;
        if args.speed == ReplaySpeed::Recorded {
            let t0 = *first_t.get_or_insert(frame.t_us);
            let due = start + Duration::from_micros(frame.t_us.saturating_sub(t0));
            tokio::select! {
                _ = tokio::time::sleep_until(due) => {}
                _ = limits::until(deadline) => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        } else if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let row = match decode_frame(frame.text.as_bytes(), Backend::default()) {
            Ok(Decoded::Event { stream, event }) => market_row(stream.as_deref(), &event),
            Ok(Decoded::Reply(_)) => continue,
            Ok(Decoded::ServerShutdown) => Row::notice("-", "serverShutdown"),
            Err(reason) => {
                Row::notice("-", "undecodable").with("reason", reason).with("frame", truncate(&frame.text, 120))
            }
        };
        printer.print(&row);
        if !row.notice {
            seen += 1;
            if args.limits.reached(seen) {
                break;
            }
        }
    }
    style::status(global.quiet, &format!("replayed {seen} events"));
    Ok(0)
}
