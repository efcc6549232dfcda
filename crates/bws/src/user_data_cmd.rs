//! `bws user-data`: the account's events (orders, balances, positions) as they come, typed.
//!
//! Spot: `spot::Api::user_data()` (subscribed over the API session, restored by itself after a reconnect).
//! Futures (`--market usdm|coinm`): the product's `UserDataStream` (a listen key obtained, kept alive and renewed
//! over the API, the stream reconnected by itself). Notices about the stream (events possibly missed, moved to a
//! new connection, listen key renewed, ...) are printed in the same feed, marked as notices; `user_data_rows.rs`
//! makes the rows.

use std::pin::Pin;

use anyhow::{bail, Context};
use binance_ws::api::futures::{Api as FuturesApi, CoinMargined, FuturesProduct, UsdMargined};
use binance_ws::user_data::futures::{Notice as FuturesNotice, UserEvent as FuturesEvent};
use binance_ws::user_data::spot::{MissedCause, Notice, UserEvent};
use clap::Args;
use futures::{Stream, StreamExt};

use crate::api_cmd::Target;
use crate::cli::Global;
use crate::limits::{self, Limits};
use crate::market::Market;
use crate::progress::Spinner;
use crate::table::{Printer, Row};
use crate::user_data_rows::{futures_row, spot_row};
use crate::{api_cmd, session, style};

/// `bws user-data`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws user-data
  bws user-data --count 1 --json
  bws user-data --market usdm
  BINANCE_API_KEY=... BINANCE_PRIVATE_KEY_PATH=key.pem bws user-data --env testnet

Spot: an Ed25519 key logs the session on and subscribes with userDataStream.subscribe; HMAC and RSA
keys subscribe with userDataStream.subscribe.signature. Futures: a listen key from userDataStream.start,
kept alive with userDataStream.ping. Notices (events possibly missed, subscription moved, listen key
renewed) are printed in the feed, marked as notices.")]
pub struct UserDataArgs {
    /// The market: spot, usdm (USDⓈ-M futures) or coinm (COIN-M futures).
    #[arg(long, value_enum, default_value = "spot")]
    pub market: Market,
    #[command(flatten)]
    pub limits: Limits,
}

pub async fn run(args: UserDataArgs, global: &Global) -> anyhow::Result<i32> {
    let target = api_cmd::target(global).await?;
    let credentials = session::require_credentials(&target, "bws user-data")?;
    match args.market {
        Market::Spot => spot(args, global, &target, credentials).await,
        Market::Usdm => futures::<UsdMargined>(args, global, &target, credentials, "usdm userData").await,
        Market::Coinm => futures::<CoinMargined>(args, global, &target, credentials, "coinm userData").await,
    }
}

async fn spot(
    args: UserDataArgs,
    global: &Global,
    target: &Target,
    credentials: binance_ws::Credentials,
) -> anyhow::Result<i32> {
    let api = session::connect_api(target, Some(credentials), global.quiet).await?;
    let stream = api.user_data().await.context("subscribing to the user data stream")?;
    let mut source = match stream.subscription_id() {
        Some(id) => format!("userData#{id}"),
        None => "userData".to_string(),
    };
    style::status(global.quiet, &format!("subscribed ({source}); waiting for account events, Ctrl-C stops"));
    follow(args.limits, global, Box::pin(stream), &["userData".to_string()], |event| {
        // The subscription moves to a new id after a reconnect or a rotation: later events are labelled with it.
        let row = spot_row(&source, event);
        match event {
            UserEvent::Notice(Notice::Moved { subscription_id })
            | UserEvent::Notice(Notice::Missed(binance_ws::user_data::spot::Missed {
                cause: MissedCause::Reconnected { subscription_id, .. },
                ..
            })) => source = format!("userData#{subscription_id}"),
            _ => {}
        }
        let end = matches!(event, UserEvent::Notice(Notice::Closed { .. }));
        (row, end)
    })
    .await
}

async fn futures<P: FuturesProduct>(
    args: UserDataArgs,
    global: &Global,
    target: &Target,
    credentials: binance_ws::Credentials,
    source: &str,
) -> anyhow::Result<i32> {
    let url = target.env.api_url(P::PRODUCT);
    let api = {
        let _spinner = Spinner::start(format!("connecting to {url}"), global.quiet);
        FuturesApi::<P>::connect(&target.env, Some(credentials))
            .await
            .with_context(|| format!("connecting to {url}"))?
    };
    let stream = api.user_data().await.context("starting the user data stream (userDataStream.start)")?;
    style::status(
        global.quiet,
        &format!(
            "listening ({} via a listen key kept alive with userDataStream.ping); waiting for account events, Ctrl-C stops",
            args.market.label()
        ),
    );
    follow(args.limits, global, Box::pin(stream), &[source.to_string()], |event| {
        let end = matches!(event, FuturesEvent::Notice(FuturesNotice::Closed { .. }));
        (futures_row(source, event), end)
    })
    .await
}

/// Prints every item of `events` until `--count` account events, `--duration`, Ctrl-C, or the end of the
/// stream. `row` makes an item's row and says whether it ends the stream.
async fn follow<E>(
    limits_given: Limits,
    global: &Global,
    mut events: Pin<Box<dyn Stream<Item = E> + Send + '_>>,
    sources: &[String],
    mut row: impl FnMut(&E) -> (Row, bool),
) -> anyhow::Result<i32> {
    let printer = Printer::new(global.json, global.quiet, sources);
    printer.header();
    let deadline = limits_given.deadline();
    let mut seen = 0u64;
    let mut waiting = Some(Spinner::start("waiting for account events", global.quiet));
    while !limits_given.reached(seen) {
        let event = tokio::select! {
            e = events.next() => e,
            _ = limits::until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        waiting = None;
        let Some(event) = event else { bail!("the user data stream ended after {seen} events") };
        let (line, ends) = row(&event);
        if !line.notice {
            seen += 1;
        }
        printer.print(&line);
        if ends {
            bail!("the user data stream closed after {seen} events");
        }
    }
    drop(waiting);
    Ok(0)
}
