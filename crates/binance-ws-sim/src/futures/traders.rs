//! The simulated futures market: trader accounts that place and cancel limit and market orders around a
//! random walk pulled towards each contract's index price (which follows the spot market), and the task that
//! refreshes index prices (and with them mark prices) and lets GTD orders expire. Paused with the spot traders
//! ([`Sim::pause_market`](crate::Sim::pause_market)).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::config::Product;
use super::engine::{Engine, FOrderRef, NewFOrder};
use crate::config::Activity;
use crate::exchange::{AccountId, Side};
use crate::server::SimShared;

/// Open orders per trader and contract above which the trader only cancels.
const MAX_OPEN: usize = 40;
/// How strongly the traders' mid follows the index each step.
const PULL: f64 = 0.05;

struct Market {
    symbol: String,
    tick: Decimal,
    step: Decimal,
    /// Smallest order value the contract accepts, in the quote currency.
    min_notional: f64,
    contract_size: f64,
    inverse: bool,
    mid: f64,
}

/// The traders of one product.
pub struct FuturesTraders {
    product: Product,
    accounts: Vec<AccountId>,
    markets: Vec<Market>,
    interval: Duration,
    rng: StdRng,
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// `x` as a whole number (at least one) of `unit`s.
fn dec(x: f64, unit: Decimal) -> Decimal {
    let units = (x / f(unit)).round().max(1.0) as i64;
    Decimal::from(units) * unit
}

impl FuturesTraders {
    /// Opens the trader accounts (funded for a long day) and picks the contracts.
    pub fn new(engine: &mut Engine, activity: &Activity, seed: u64) -> FuturesTraders {
        let product = engine.product();
        let all: Vec<_> = engine.contracts().cloned().collect();
        let chosen: Vec<_> = all.iter().filter(|c| activity.symbols.contains(&c.symbol)).cloned().collect();
        let contracts = if chosen.is_empty() { all } else { chosen };
        let markets = contracts
            .iter()
            .map(|c| Market {
                symbol: c.symbol.clone(),
                tick: c.tick_size,
                step: c.step_size,
                min_notional: f(c.min_notional),
                contract_size: f(c.contract_size),
                inverse: product.is_inverse(),
                mid: f(c.start_price),
            })
            .collect();
        let wallets: Vec<(String, Decimal)> = match product {
            Product::UsdM => vec![("USDT".into(), Decimal::from(1_000_000_000))],
            Product::CoinM => vec![("BTC".into(), Decimal::from(100_000)), ("ETH".into(), Decimal::from(1_000_000))],
        };
        let accounts = (0..activity.traders.max(1)).map(|_| engine.add_account(None, wallets.clone())).collect();
        let ops = if activity.ops_per_sec > 0.0 { activity.ops_per_sec } else { 1.0 };
        let salt = if product == Product::UsdM { 0x5553_444d } else { 0x434f_494e };
        FuturesTraders {
            product,
            accounts,
            markets,
            interval: Duration::from_secs_f64(1.0 / ops),
            rng: StdRng::seed_from_u64(seed ^ salt),
        }
    }

    /// Trades until the task is aborted.
    pub async fn run(mut self, sim: Arc<SimShared>) {
        if self.markets.is_empty() {
            return;
        }
        let venue = sim.futures(self.product);
        venue.with_engine(sim.clock.now_ms(), |e, now| self.seed_books(e, now));
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if sim.market_paused.load(Ordering::Relaxed) {
                continue;
            }
            venue.with_engine(sim.clock.now_ms(), |e, now| self.step(e, now));
        }
    }

    fn qty(m: &Market, value: f64) -> Decimal {
        if m.inverse {
            // COIN-M quantities are contracts.
            return dec((value / m.contract_size).max(1.0), m.step);
        }
        let min = (m.min_notional / m.mid / f(m.step)).ceil() * f(m.step);
        dec((value / m.mid).max(min), m.step)
    }

    fn seed_books(&mut self, e: &mut Engine, now: u64) {
        for i in 0..self.markets.len() {
            for level in 1..=10 {
                for side in [Side::Buy, Side::Sell] {
                    let m = &self.markets[i];
                    let off = level as f64 * 0.0005;
                    let p = if side == Side::Buy { m.mid * (1.0 - off) } else { m.mid * (1.0 + off) };
                    let req = NewFOrder::limit(&m.symbol, side, Self::qty(m, 5_000.0), dec(p, m.tick));
                    let acc = self.accounts[level % self.accounts.len()];
                    let _ = e.place(acc, req, now);
                }
            }
        }
    }

    /// One operation: a random trader places a limit or market order, or cancels one of its orders.
    fn step(&mut self, e: &mut Engine, now: u64) {
        let i = self.rng.random_range(0..self.markets.len());
        let acc = self.accounts[self.rng.random_range(0..self.accounts.len())];
        let walk = self.rng.random_range(-0.0008..0.0008);
        let m = &mut self.markets[i];
        let index = e.index_price(&m.symbol).map(f).unwrap_or(m.mid);
        m.mid *= 1.0 + walk;
        m.mid += (index - m.mid) * PULL;
        let m = &self.markets[i];
        let open = e.open_orders(acc, Some(&m.symbol));
        let roll: f64 = self.rng.random();
        let side = if self.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        if !open.is_empty() && (open.len() >= MAX_OPEN || roll < 0.3) {
            let o = &open[self.rng.random_range(0..open.len())];
            let r = FOrderRef { order_id: Some(o.order_id), orig_client_order_id: None };
            let _ = e.cancel(acc, &m.symbol, &r, now);
        } else if roll < 0.45 {
            let value = self.rng.random_range(200.0..2_000.0);
            let _ = e.place(acc, NewFOrder::market(&m.symbol, side, Self::qty(m, value)), now);
        } else {
            let bps: f64 = self.rng.random_range(-8.0..40.0) / 10_000.0;
            let p = if side == Side::Buy { m.mid * (1.0 - bps) } else { m.mid * (1.0 + bps) };
            let value = self.rng.random_range(200.0..5_000.0);
            let _ = e.place(acc, NewFOrder::limit(&m.symbol, side, Self::qty(m, value), dec(p, m.tick)), now);
        }
    }
}

/// Every `interval`: each contract's index becomes the spot market's mid (else last) price of its index symbol
/// when the spot market has one; then time passes for the engine (GTD expiry).
pub async fn run_index(sim: Arc<SimShared>, product: Product, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let venue = sim.futures(product);
    loop {
        tick.tick().await;
        let sources: Vec<(String, String)> =
            venue.read(|e| e.contracts().map(|c| (c.symbol.clone(), c.index_source.clone())).collect());
        let prices: Vec<(String, Decimal)> = {
            let spot = sim.exchange.lock();
            sources
                .into_iter()
                .filter_map(|(sym, src)| {
                    let d = spot.depth(&src, 1).ok()?;
                    let mid = match (d.bids.first(), d.asks.first()) {
                        (Some(b), Some(a)) => Some((b.0 + a.0) / Decimal::TWO),
                        _ => None,
                    };
                    mid.or_else(|| spot.last_price(&src)).map(|p| (sym, p))
                })
                .collect()
        };
        venue.with_engine(sim.clock.now_ms(), |e, now| {
            for (sym, p) in prices {
                let _ = e.set_index(&sym, p.round_dp(8), now);
            }
            e.tick(now);
        });
    }
}
