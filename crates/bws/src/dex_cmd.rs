//! `bws dex TOPIC [SYMBOL|ADDRESS...]`: Binance DEX streams, one message per stream (`--once`) or followed.

use std::time::Duration;

use anyhow::{bail, Context};
use binance_ws::dex::{one_off, DexClient, DexConfig, DexEnv, DexEvent, Topic, TopicKind};
use clap::Args;
use futures::StreamExt;

use crate::cli::Global;
use crate::dex_rows::dex_rows;
use crate::exit::Usage;
use crate::limits::{self, Limits};
use crate::progress::Spinner;
use crate::table::Printer;
use crate::{api_cmd, style};

/// `bws dex`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws dex blockheight --once
  bws dex trades BNB_BTCB-1DE --count 5
  bws dex marketDepth BNB_BTCB-1DE BNB_USDT.B-B7C --json
  bws dex orders bnb1m4m9etgf3ca5wpgkqe5nr6r33a4ynxfln3yz4v

Topics: orders, accounts, transfers (take addresses); trades, marketDiff, marketDepth,
marketDepth100, marketDepth500, marketDepth1000, kline_<1m..1M>, ticker, miniTicker (take symbols);
allTickers, allMiniTickers, blockheight (take nothing). The upstream Binance DEX was shut down; the
local exchange (--env local, the default) serves the protocol.")]
pub struct DexArgs {
    /// The topic, e.g. trades, marketDepth, kline_1m, blockheight, orders.
    #[arg(value_parser = parse_topic)]
    pub topic: Topic,
    /// Symbols (like BNB_BTCB-1DE) for market topics, addresses (bnb1...) for orders, accounts, transfers.
    #[arg(value_name = "SYMBOL|ADDRESS")]
    pub targets: Vec<String>,
    /// Take the first message of each stream and exit (one-off mode).
    #[arg(long)]
    pub once: bool,
    /// How long `--once` waits for a message.
    #[arg(long, default_value = "10s", value_parser = limits::parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub limits: Limits,
}

fn parse_topic(name: &str) -> Result<Topic, String> {
    Topic::from_name(name).ok_or_else(|| {
        let names: Vec<String> = Topic::all().iter().map(|t| t.name()).filter(|n| !n.starts_with("kline_")).collect();
        format!("unknown DEX topic `{name}`: use one of {}, kline_<interval>", names.join(", "))
    })
}

/// The stream names of a topic and its arguments (`<symbol>@<topic>`, `$all@<topic>` or an address).
/// Usage mistakes (a symbol topic without symbols, ...) exit with code 2.
pub fn stream_names(topic: Topic, targets: &[String]) -> Result<Vec<String>, Usage> {
    let usage = |m: String| Err(Usage(m));
    match topic.kind() {
        TopicKind::All if !targets.is_empty() => {
            usage(format!("`{topic}` covers every symbol: give no symbol or address"))
        }
        TopicKind::All => Ok(vec![topic.stream("")]),
        TopicKind::Address if targets.is_empty() => usage(format!("`{topic}` needs at least one address (bnb1...)")),
        TopicKind::Symbol if targets.is_empty() => {
            usage(format!("`{topic}` needs at least one symbol (like BNB_BTCB-1DE)"))
        }
        _ => Ok(targets.iter().map(|t| topic.stream(t)).collect()),
    }
}

pub async fn run(args: DexArgs, global: &Global) -> anyhow::Result<i32> {
    let streams = stream_names(args.topic, &args.targets)?;
    let target = api_cmd::target(global).await?;
    let env = DexEnv::from(&target.env);
    let printer = Printer::new(global.json, global.quiet, &streams);
    if args.once {
        printer.header();
        for stream in &streams {
            let _spinner = Spinner::start(format!("waiting for the first message of {stream}"), global.quiet);
            let event = one_off(&env, stream, args.timeout).await.with_context(|| format!("reading {stream}"))?;
            print_event(&printer, &event)?;
        }
        return Ok(0);
    }
    let client = {
        let _spinner = Spinner::start(format!("connecting to {}", env.base()), global.quiet);
        DexClient::connect_streams(&env, streams.clone(), DexConfig::default())
            .await
            .with_context(|| format!("connecting to {}", env.base()))?
    };
    let Some(mut events) = client.events() else { bail!("the DEX client gave no event stream") };
    style::status(global.quiet, &format!("following {} at {}; Ctrl-C stops", streams.join(", "), env.base()));
    printer.header();
    let deadline = args.limits.deadline();
    let mut seen = 0u64;
    while !args.limits.reached(seen) {
        let event = tokio::select! {
            e = events.next() => e,
            _ = limits::until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Some(event) = event else { bail!("the DEX connection closed after {seen} events") };
        if print_event(&printer, &event)? {
            seen += 1;
        }
    }
    let _ = client.close().await;
    Ok(0)
}

/// Prints an event; true for data (not connection notices). A server error answer ends the command.
fn print_event(printer: &Printer, event: &DexEvent) -> anyhow::Result<bool> {
    if let DexEvent::ServerError(msg) = event {
        bail!("the DEX server answered: {msg}");
    }
    let rows = dex_rows(event);
    for row in &rows {
        printer.print(row);
    }
    Ok(rows.iter().any(|r| !r.notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_follow_the_topic_kind() {
        let t = |s: &str| parse_topic(s).unwrap();
        assert_eq!(stream_names(t("blockheight"), &[]).unwrap(), vec!["$all@blockheight"]);
        assert_eq!(stream_names(t("trades"), &["BNB_BTCB-1DE".into()]).unwrap(), vec!["BNB_BTCB-1DE@trades"]);
        assert_eq!(stream_names(t("orders"), &["bnb1xyz".into()]).unwrap(), vec!["bnb1xyz"]);
        assert!(stream_names(t("trades"), &[]).is_err());
        assert!(stream_names(t("allTickers"), &["X".into()]).is_err());
        assert!(parse_topic("nope").unwrap_err().contains("blockheight"));
    }
}
