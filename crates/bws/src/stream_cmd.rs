//! `bws stream STREAM...`: market stream events as they arrive, as a table or JSON lines.

use anyhow::{bail, Context};
use binance_ws::env::Product;
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, Tagged};
use clap::Args;

use crate::cli::Global;
use crate::limits::{self, Limits};
use crate::market_rows::market_row;
use crate::progress::Spinner;
use crate::table::Printer;
use crate::{api_cmd, style};

/// `bws stream`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws stream btcusdt@trade btcusdt@bookTicker --count 10
  bws stream btcusdt@depth20@100ms --duration 5s
  bws stream btcusdt@kline_1m --json | jq -r .close
  bws stream '!miniTicker@arr' --env mainnet")]
pub struct StreamArgs {
    /// Stream names as Binance spells them: btcusdt@trade, btcusdt@depth@100ms, btcusdt@kline_1m, !miniTicker@arr.
    #[arg(required = true, value_name = "STREAM", value_parser = parse_stream)]
    pub streams: Vec<Stream>,
    #[command(flatten)]
    pub limits: Limits,
}

/// A stream name, checked before anything connects (a typo is a usage error, exit code 2).
pub fn parse_stream(name: &str) -> Result<Stream, String> {
    name.parse::<Stream>().map_err(|_| {
        format!(
            "unknown stream name `{name}`: names look like btcusdt@trade, btcusdt@depth20@100ms, \
             btcusdt@kline_1m or !miniTicker@arr (symbols in lower case)"
        )
    })
}

pub async fn run(args: StreamArgs, global: &Global) -> anyhow::Result<i32> {
    let target = api_cmd::target(global).await?;
    let base = target.env.stream_base(Product::Spot);
    let names: Vec<String> = args.streams.iter().map(Stream::name).collect();
    let feed = {
        let _spinner = Spinner::start(format!("connecting to {base}"), global.quiet);
        let feed = Streams::connect(target.env.clone(), Product::Spot)
            .await
            .with_context(|| format!("connecting to {base}"))?;
        feed.subscribe(args.streams.clone()).await.context("subscribing")?;
        feed
    };
    style::status(global.quiet, &format!("subscribed to {} at {base}; Ctrl-C stops", names.join(", ")));
    let printer = Printer::new(global.json, global.quiet, &names);
    printer.header();
    follow(feed, &printer, &args.limits, global.quiet).await?;
    Ok(0)
}

/// How long a feed may stay silent before the hint about unknown symbols.
const SILENCE_HINT_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// Prints events until `--count`, `--duration` or Ctrl-C; an ended feed is an error.
async fn follow(mut feed: Streams, printer: &Printer, limits: &Limits, quiet: bool) -> anyhow::Result<u64> {
    let deadline = limits.deadline();
    let mut seen = 0u64;
    let mut last_close = None;
    let mut waiting = Some(Spinner::start("waiting for the first event", quiet));
    // Binance accepts streams of unknown symbols and sends nothing on them: say so once if all is silent.
    let silence = tokio::time::sleep(SILENCE_HINT_AFTER);
    tokio::pin!(silence);
    let mut hinted = false;
    while !limits.reached(seen) {
        let tagged: Option<Tagged> = tokio::select! {
            t = feed.next_tagged() => t,
            _ = &mut silence, if !hinted && seen == 0 => {
                hinted = true;
                style::status(quiet, &format!(
                    "no events after {}s: streams of unknown symbols stay silent; check names with `bws api exchangeInfo`",
                    SILENCE_HINT_AFTER.as_secs()
                ));
                continue;
            }
            _ = limits::until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Some(Tagged { stream, event }) = tagged else {
            bail!("the stream ended after {seen} events: {}", last_close.unwrap_or_else(|| "closed".to_string()));
        };
        waiting = None;
        if let MarketEvent::Notice(Notice::Closed { reason, .. }) = &event {
            last_close = Some(reason.clone());
        }
        printer.print(&market_row(stream.as_deref(), &event));
        if !event.is_notice() {
            seen += 1;
        }
    }
    drop(waiting);
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_are_checked_with_a_helpful_message() {
        assert_eq!(parse_stream("btcusdt@trade").unwrap(), Stream::trade("BTCUSDT"));
        let err = parse_stream("btcusdt@nope").unwrap_err();
        assert!(err.contains("unknown stream name `btcusdt@nope`") && err.contains("btcusdt@trade"), "{err}");
    }
}
