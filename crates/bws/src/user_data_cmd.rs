//! `bws user-data`: the account's events (orders, balances) as they come.
//!
//! The API client hands them over today as `ApiEvent::UserData { event_type, raw, .. }`; typed events and
//! `Api::user_data()` are coming. Everything that reads an event's fields is in [`user_data_row`], the one
//! function to switch when they land.

use anyhow::{bail, Context};
use binance_ws::api::ApiEvent;
use binance_ws::transport::ConnectionEvent;
use clap::Args;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use crate::cli::Global;
use crate::limits::{self, Limits};
use crate::progress::Spinner;
use crate::table::{Cell, Printer, Row};
use crate::{api_cmd, session, style};

/// `bws user-data`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws user-data
  bws user-data --count 1 --json
  BINANCE_API_KEY=... BINANCE_PRIVATE_KEY_PATH=key.pem bws user-data --env testnet

An Ed25519 key logs the session on and subscribes with userDataStream.subscribe; HMAC and RSA keys
subscribe with userDataStream.subscribe.signature.")]
pub struct UserDataArgs {
    #[command(flatten)]
    pub limits: Limits,
}

pub async fn run(args: UserDataArgs, global: &Global) -> anyhow::Result<i32> {
    let target = api_cmd::target(global).await?;
    let credentials = session::require_credentials(&target, "bws user-data")?;
    let api = session::connect_api(&target, Some(credentials), global.quiet).await?;
    let mut events = api.client().events();
    let subscription = if api.client().is_logged_on() {
        api.user_data_stream_subscribe().await
    } else {
        api.user_data_stream_subscribe_signature().await
    }
    .context("subscribing to the user data stream")?;
    style::status(
        global.quiet,
        &format!(
            "subscribed (subscription {}); waiting for account events, Ctrl-C stops",
            subscription.subscription_id
        ),
    );
    let printer = Printer::new(global.json, global.quiet, &["userData".to_string()]);
    printer.header();
    let deadline = args.limits.deadline();
    let mut seen = 0u64;
    let mut waiting = Some(Spinner::start("waiting for account events", global.quiet));
    while !args.limits.reached(seen) {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = limits::until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        waiting = None;
        match event {
            Ok(ApiEvent::UserData { subscription_id, event_type, raw }) => {
                printer.print(&user_data_row(subscription_id, &event_type, &raw));
                seen += 1;
            }
            Ok(ApiEvent::Connection(c)) => {
                let closed = matches!(c, ConnectionEvent::Closed { .. });
                printer.print(&connection_row(&c));
                if closed {
                    bail!("the API connection closed after {seen} events");
                }
            }
            Err(RecvError::Lagged(n)) => printer.print(&Row::notice("userData", "lagged").with("dropped", n)),
            Err(RecvError::Closed) => bail!("the API connection closed after {seen} events"),
        }
    }
    drop(waiting);
    Ok(0)
}

/// The row of one user data event: its type and the fields that say what happened
/// (`user-data-stream.md`: executionReport, outboundAccountPosition, balanceUpdate, listStatus, ...).
pub fn user_data_row(subscription_id: Option<u64>, event_type: &str, raw: &str) -> Row {
    let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
    let text = |key: &str| -> Cell {
        match &v[key] {
            Value::String(s) => Cell::Text(s.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                Cell::Int(n.as_i64().map_or(n.as_u64().unwrap_or(0) as i128, i128::from))
            }
            Value::Bool(b) => Cell::Bool(*b),
            Value::Null => Cell::Text("-".to_string()),
            other => Cell::Text(other.to_string()),
        }
    };
    let source = subscription_id.map_or_else(|| "userData".to_string(), |id| format!("userData#{id}"));
    let row = Row::new(v["E"].as_u64(), source, event_type);
    match event_type {
        "executionReport" => row
            .with("symbol", text("s"))
            .with("side", text("S"))
            .with("type", text("o"))
            .with("exec", text("x"))
            .with("status", text("X"))
            .with("price", text("p"))
            .with("qty", text("q"))
            .with("filled", text("z"))
            .with("orderId", text("i"))
            .with("clientId", text("c")),
        "outboundAccountPosition" => {
            let balances: Vec<String> = v["B"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .map(|x| {
                            format!(
                                "{}:{}/{}",
                                x["a"].as_str().unwrap_or("?"),
                                x["f"].as_str().unwrap_or("?"),
                                x["l"].as_str().unwrap_or("?")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            row.with("balances(free/locked)", balances.join(","))
        }
        "balanceUpdate" | "externalLockUpdate" => row.with("asset", text("a")).with("delta", text("d")),
        "listStatus" => row
            .with("symbol", text("s"))
            .with("listId", text("g"))
            .with("contingency", text("c"))
            .with("status", text("L"))
            .with("clientId", text("C")),
        "eventStreamTerminated" => row,
        _ => row.with("raw", crate::market_rows::truncate(raw, 160)),
    }
}

fn connection_row(c: &ConnectionEvent) -> Row {
    match c {
        ConnectionEvent::Connected { url, generation } => {
            Row::notice("api", "connected").with("url", url).with("generation", generation)
        }
        ConnectionEvent::Reconnecting { reason, attempt, delay } => Row::notice("api", "reconnecting")
            .with("reason", reason)
            .with("attempt", attempt)
            .with("delay", format!("{delay:?}")),
        ConnectionEvent::Rotated { reason, .. } => Row::notice("api", "rotated").with("reason", reason),
        ConnectionEvent::Closed { reason } => Row::notice("api", "closed").with("reason", reason),
        #[allow(unreachable_patterns)]
        other => Row::notice("api", "connection").with("debug", format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The executionReport example of user-data-stream.md.
    #[test]
    fn a_documented_execution_report_shows_what_happened_to_the_order() {
        let raw = r#"{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY",
            "o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"",
            "x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0",
            "N":null,"T":1499405658657,"t":-1,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,
            "Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}"#;
        let row = user_data_row(Some(0), "executionReport", raw);
        assert_eq!(row.time_ms, Some(1499405658658));
        assert_eq!(row.source, "userData#0");
        for expected in [("symbol", "ETHBTC"), ("status", "NEW"), ("price", "0.10264410")] {
            assert!(row.fields.contains(&(expected.0, expected.1.into())), "{expected:?} in {row:?}");
        }
        assert!(row.fields.contains(&("orderId", Cell::Int(4293153))), "{row:?}");
    }

    /// The outboundAccountPosition example of user-data-stream.md.
    #[test]
    fn a_documented_account_position_lists_the_balances() {
        let raw = r#"{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,
            "B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}"#;
        let row = user_data_row(None, "outboundAccountPosition", raw);
        assert_eq!(row.fields, vec![("balances(free/locked)", "ETH:10000.000000/0.000000".into())]);
    }
}
