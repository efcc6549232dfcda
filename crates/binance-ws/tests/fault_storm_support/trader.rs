//! Trading through the storm: resting limit orders placed and canceled, and small market orders, each with a
//! client order id of its own. An order whose outcome is unknown (its connection dropped while it was in
//! flight) is looked up with `order.status` by that id, never sent again.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::model::{Decimal, OrderStatus, Side};
use binance_ws::spot::{Api, NewOrder};
use binance_ws::Error;

pub const SYMBOL: &str = "BTCUSDT";

/// What the trader did.
#[derive(Debug, Default)]
pub struct TradeStats {
    /// Client order ids sent (each once).
    pub sent: Vec<String>,
    pub placed: u64,
    pub canceled: u64,
    /// Requests whose outcome was unknown (connection lost in flight, or timed out).
    pub unknown: u64,
    /// ... of which `order.status` found the order.
    pub found: u64,
    /// ... of which `order.status` said the exchange never had it (-2013).
    pub absent: u64,
    /// Unknown outcomes still unresolved at the end (must be none).
    pub unresolved: Vec<String>,
    /// Requests the exchange refused (with its reason).
    pub refused: Vec<String>,
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// The outcome may or may not have happened: the library says so rather than resending.
fn unknown_outcome(e: &Error) -> bool {
    matches!(e, Error::ExecutionUnknown { .. } | Error::Timeout { may_have_executed: true, .. })
}

/// Trades until `stop`, then resolves the unknown outcomes left (bounded).
pub fn spawn(api: Api, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<TradeStats> {
    tokio::spawn(async move {
        let mut stats = TradeStats::default();
        let mut resting: Vec<u64> = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        let mut i = 0u64;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            let id = format!("storm-{i}");
            let market = i.is_multiple_of(5);
            let order = if market {
                NewOrder::market(SYMBOL, Side::Buy, d("0.0002"))
            } else {
                NewOrder::limit(SYMBOL, Side::Buy, d("0.001"), d("45000.00"))
            };
            stats.sent.push(id.clone());
            match api.place_order(order.new_client_order_id(id.clone())).await {
                Ok(o) => {
                    stats.placed += 1;
                    if !market {
                        resting.push(o.order_id);
                    }
                }
                Err(e) if unknown_outcome(&e) => {
                    stats.unknown += 1;
                    pending.push(id);
                }
                Err(e) => stats.refused.push(format!("{id}: {e}")),
            }
            if i.is_multiple_of(2) {
                if let Some(order_id) = resting.pop() {
                    match api.cancel_order(SYMBOL, order_id).await {
                        Ok(_) => stats.canceled += 1,
                        // Looked up again later: canceled already, or still resting.
                        Err(_) => resting.insert(0, order_id),
                    }
                }
            }
            resolve(&api, &mut pending, &mut resting, &mut stats).await;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !pending.is_empty() && tokio::time::Instant::now() < deadline {
            resolve(&api, &mut pending, &mut resting, &mut stats).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stats.unresolved = pending;
        stats
    })
}

/// Looks up each order of unknown outcome by its client id.
async fn resolve(api: &Api, pending: &mut Vec<String>, resting: &mut Vec<u64>, stats: &mut TradeStats) {
    let mut left = Vec::new();
    for id in pending.drain(..) {
        match api.order_status(SYMBOL, id.as_str()).await {
            Ok(o) => {
                stats.found += 1;
                if matches!(o.status, OrderStatus::New | OrderStatus::PartiallyFilled) {
                    resting.push(o.order_id);
                }
            }
            Err(e) if e.code() == Some(-2013) => stats.absent += 1,
            Err(_) => left.push(id),
        }
    }
    *pending = left;
}
