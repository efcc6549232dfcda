//! The simulated market: a few trader accounts that place and cancel limit and market orders around a
//! random-walk mid price in every symbol, so that trades, klines, tickers and depth are real consequences
//! of matching. Seeded from [`SimConfig::seed`](crate::SimConfig), paced by [`Activity`], paused with
//! [`Sim::pause_market`](crate::Sim::pause_market). Every operation goes through
//! [`SimShared::with_exchange`], like API requests, so streams and user data see everything.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::config::Activity;
use crate::exchange::{AccountId, Exchange, NewOrder, OrderRef, OrderType, Side};
use crate::server::SimShared;

/// How far the mid may wander from where it started (PERCENT_PRICE_BY_SIDE allows far more).
const MAX_DRIFT: f64 = 0.5;
/// Open orders per trader and symbol above which the trader only cancels.
const MAX_OPEN: usize = 40;

struct Market {
    symbol: String,
    tick: Decimal,
    step: Decimal,
    start: f64,
    mid: f64,
}

/// The traders and their view of each market.
pub struct Traders {
    accounts: Vec<AccountId>,
    markets: Vec<Market>,
    interval: Duration,
    rng: StdRng,
}

/// Where a symbol's simulated price starts, by base asset.
fn start_price(base: &str) -> f64 {
    match base {
        "BTC" => 60_000.0,
        "ETH" => 3_000.0,
        "BNB" => 600.0,
        _ => 100.0,
    }
}

impl Traders {
    /// Opens the trader accounts (funded for a long day of trading) and picks the symbols.
    pub fn new(ex: &mut Exchange, activity: &Activity, seed: u64) -> Traders {
        let markets: Vec<Market> = ex
            .symbols()
            .filter(|c| c.status == "TRADING")
            .filter(|c| activity.symbols.is_empty() || activity.symbols.contains(&c.symbol))
            .map(|c| {
                let start = start_price(&c.base_asset);
                Market {
                    symbol: c.symbol.clone(),
                    tick: c.price_filter().map(|p| p.tick_size).filter(|t| !t.is_zero()).unwrap_or(Decimal::new(1, 2)),
                    step: c.qty_step(),
                    start,
                    mid: start,
                }
            })
            .collect();
        let mut funds: Vec<(String, Decimal)> = Vec::new();
        for c in ex.symbols() {
            let base_qty = Decimal::from((50_000_000.0 / start_price(&c.base_asset)) as i64);
            for (asset, qty) in
                [(c.base_asset.clone(), base_qty), (c.quote_asset.clone(), Decimal::from(1_000_000_000))]
            {
                if !funds.iter().any(|(a, _)| *a == asset) {
                    funds.push((asset, qty));
                }
            }
        }
        let accounts = (0..activity.traders.max(1)).map(|_| ex.add_account(funds.clone())).collect();
        let ops = if activity.ops_per_sec > 0.0 { activity.ops_per_sec } else { 1.0 };
        Traders { accounts, markets, interval: Duration::from_secs_f64(1.0 / ops), rng: StdRng::seed_from_u64(seed) }
    }

    /// Trades until the exchange stops (the task is aborted).
    pub async fn run(mut self, sim: Arc<SimShared>) {
        if self.markets.is_empty() {
            return;
        }
        sim.with_exchange(|ex, now| self.seed_books(ex, now));
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if sim.market_paused.load(Ordering::Relaxed) {
                continue;
            }
            sim.with_exchange(|ex, now| self.step(ex, now));
        }
    }

    fn price(m: &Market, p: f64) -> Decimal {
        let tick: f64 = m.tick.to_string().parse().unwrap_or(0.01);
        Decimal::from(((p / tick).round() as i64).max(1)) * m.tick
    }

    fn qty(m: &Market, notional: f64) -> Decimal {
        let step: f64 = m.step.to_string().parse().unwrap_or(0.00001);
        Decimal::from(((notional / m.mid / step).floor() as i64).max(1)) * m.step
    }

    /// Ten resting levels a side in every symbol, so books are never empty at start.
    fn seed_books(&mut self, ex: &mut Exchange, now: u64) {
        for i in 0..self.markets.len() {
            for level in 1..=10 {
                for side in [Side::Buy, Side::Sell] {
                    let m = &self.markets[i];
                    let off = level as f64 * 0.0005;
                    let p = if side == Side::Buy { m.mid * (1.0 - off) } else { m.mid * (1.0 + off) };
                    let req = NewOrder::limit(&m.symbol, side, Self::qty(m, 1_000.0), Self::price(m, p));
                    let acc = self.accounts[level % self.accounts.len()];
                    let _ = ex.place_order(acc, req, now);
                }
            }
        }
    }

    /// One operation: a random trader places a limit or market order, or cancels one of its orders.
    fn step(&mut self, ex: &mut Exchange, now: u64) {
        let i = self.rng.random_range(0..self.markets.len());
        let acc = self.accounts[self.rng.random_range(0..self.accounts.len())];
        let walk = self.rng.random_range(-0.0008..0.0008);
        let m = &mut self.markets[i];
        m.mid = (m.mid * (1.0 + walk)).clamp(m.start * (1.0 - MAX_DRIFT), m.start * (1.0 + MAX_DRIFT));
        let m = &self.markets[i];
        let open = ex.open_orders(acc, Some(&m.symbol)).unwrap_or_default();
        let roll: f64 = self.rng.random();
        let side = if self.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        if !open.is_empty() && (open.len() >= MAX_OPEN || roll < 0.3) {
            let o = &open[self.rng.random_range(0..open.len())];
            let _ = ex.cancel_order(acc, &m.symbol, &OrderRef::id(o.order_id), None, None, now);
        } else if roll < 0.45 {
            let notional = self.rng.random_range(20.0..200.0);
            let _ = ex.place_order(acc, NewOrder::market(&m.symbol, side, Self::qty(m, notional)), now);
        } else {
            // Mostly passive, sometimes crossing the mid by a little.
            let bps: f64 = self.rng.random_range(-8.0..40.0) / 10_000.0;
            let p = if side == Side::Buy { m.mid * (1.0 - bps) } else { m.mid * (1.0 + bps) };
            let notional = self.rng.random_range(20.0..500.0);
            let req = NewOrder::limit(&m.symbol, side, Self::qty(m, notional), Self::price(m, p));
            debug_assert_eq!(req.order_type, OrderType::Limit);
            let _ = ex.place_order(acc, req, now);
        }
    }
}
