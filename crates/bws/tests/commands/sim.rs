//! `bws sim`: the endpoints it prints are the ones it serves (spot and both futures products), and
//! `--faults` is applied to the connections.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams};
use binance_ws::{coinm, usdm};
use futures::StreamExt;

use crate::common::*;

/// A running `bws sim` and the lines it printed before waiting for Ctrl-C.
struct Server {
    child: Child,
    lines: Vec<String>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut all = vec!["sim", "--port", "0"];
        all.extend(args);
        let mut child = command(&all).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("bws sim starts");
        let mut out = BufReader::new(child.stdout.take().expect("piped"));
        let mut lines = Vec::new();
        let mut line = String::new();
        // The listing ends with the test keys; `--faults` adds a line after it.
        while !lines.iter().any(|l: &String| l.contains("Ed25519 key"))
            || (!args.is_empty() && !lines.iter().any(|l| l.contains("faults")))
        {
            line.clear();
            assert!(out.read_line(&mut line).expect("reading bws sim") > 0, "bws sim ended early: {lines:?}");
            lines.push(line.trim_end().to_string());
        }
        Server { child, lines }
    }

    /// The value printed after `label` in the section `section`.
    fn value(&self, section: &str, label: &str) -> String {
        let start = self
            .lines
            .iter()
            .position(|l| l.contains(section))
            .unwrap_or_else(|| panic!("{section} in {:?}", self.lines));
        let line = self.lines[start..].iter().find(|l| l.trim_start().starts_with(label)).expect("the label");
        line.trim_start()[label.len()..].trim().split([' ', ',']).next().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn the_printed_endpoints_serve_spot_and_both_futures_products() {
    let server = Server::start(&[]);
    let text = server.lines.join("\n");
    for expected in [
        "USD-M futures      BTCUSDT, ETHUSDT",
        "COIN-M futures     BTCUSD_PERP, ETHUSD_PERP",
        "/ws-fapi/v1",
        "/dstream/ws/<stream>",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    let usdm_api = server.value("USD-M futures", "WebSocket API");
    let coinm_api = server.value("COIN-M futures", "WebSocket API");
    let usdm_streams = server.value("USD-M futures", "streams");
    assert!(usdm_api.ends_with("/ws-fapi/v1") && coinm_api.ends_with("/ws-dapi/v1"), "{text}");
    runtime().block_on(async {
        let u = usdm::Api::connect(&Env::Custom(usdm_api.clone()), None).await.expect("USD-M API");
        let price = u.ticker_price().symbol("BTCUSDT").await.expect("ticker.price").into_vec();
        assert_eq!(price[0].symbol, "BTCUSDT");
        let c = coinm::Api::connect(&Env::Custom(coinm_api.clone()), None).await.expect("COIN-M API");
        assert_eq!(c.session_status().await.expect("session.status").api_key, None);
        // `<base>/ws/<stream>`: the printed stream base.
        let base = usdm_streams.trim_end_matches("/ws/<stream>").to_string();
        let mut feed = Streams::connect(Env::Custom(base), Product::UsdM)
            .await
            .expect("USD-M streams")
            .subscribed([Stream::mark_price_1s("BTCUSDT")])
            .await
            .expect("subscribed");
        let first = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(MarketEvent::MarkPrice(m)) = feed.next().await {
                    return m;
                }
            }
        });
        assert_eq!(first.await.expect("a mark price within 10 s").symbol, "BTCUSDT");
    });
}

#[test]
fn faults_are_applied_to_the_connections() {
    let server = Server::start(&["--faults", "every=300ms,seed=1,kinds=drop"]);
    let base = server.value("bws --env", "bws --env");
    runtime().block_on(async {
        let mut feed = Streams::connect(Env::Local(base), Product::Spot)
            .await
            .expect("streams")
            .subscribed([Stream::trade("BTCUSDT")])
            .await
            .expect("subscribed");
        let dropped = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(MarketEvent::Notice(n @ Notice::Disconnected { .. })) = feed.next().await {
                    return n;
                }
            }
        });
        dropped.await.expect("a dropped connection within 10 s");
    });
}
