//! One futures market stream connection without the socket: its subscriptions (control messages and limits
//! shared with spot through [`crate::streams::control`]) and the frames events and clock ticks produce.
//!
//! Diff depth frames merge every book change of their period; each frame's `pu` is the previous frame's `u` on
//! the same subscription, and `U`..`u` cover the update ids of the engine's book, which the WebSocket API's
//! `depth` reports as `lastUpdateId`.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::name::{parse_futures_stream, FStreamKind};
use super::payload::{self, DepthIds};
use crate::exchange::events::{DepthDiff, MarketEvent};
use crate::futures::config::Product;
use crate::futures::engine::FMarketEvent;
use crate::futures::market::FuturesMarket;
use crate::streams::control::{handle_control, parse_conn_url, IncomingLimiter, Subscriptions};
use crate::streams::session::{due_bars, new_aggregates};
use crate::streams::{CloseReason, PathError, SessionConfig, StreamConn};

/// Which streams a connection URL admits (USD-M splits its endpoints into `/public` and `/market`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every stream (`{prefix}/ws...`, `{prefix}/stream...`).
    All,
    /// Book tickers and depth (`/public/...`).
    Public,
    /// Everything else (`/market/...`).
    Market,
}

impl Scope {
    fn allows(self, k: &FStreamKind) -> bool {
        match self {
            Scope::All => true,
            Scope::Public => k.is_public(),
            Scope::Market => !k.is_public(),
        }
    }
}

#[derive(Debug)]
struct PendingDiff {
    first: u64,
    last: u64,
    time_ms: u64,
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

#[derive(Debug)]
enum SubState {
    Plain,
    Agg(Option<u64>),
    Diff { pending: Option<PendingDiff>, last_u: Option<u64> },
    Partial { last_u: Option<u64> },
    Kline(u64),
    Seen(HashMap<String, String>),
}

#[derive(Debug)]
struct Sub {
    name: String,
    kind: FStreamKind,
    next_due: u64,
    st: SubState,
}

fn next_due(period: Option<u64>, now_ms: u64) -> u64 {
    period.map(|p| (now_ms / p + 1) * p).unwrap_or(u64::MAX)
}

impl Sub {
    fn new(name: String, kind: FStreamKind, now_ms: u64) -> Sub {
        let st = match &kind {
            FStreamKind::AggTrade { .. } => SubState::Agg(None),
            FStreamKind::Depth { .. } => SubState::Diff { pending: None, last_u: None },
            FStreamKind::PartialDepth { .. } => SubState::Partial { last_u: None },
            FStreamKind::Kline { interval, .. }
            | FStreamKind::MarkPriceKline { interval, .. }
            | FStreamKind::IndexPriceKline { interval, .. } => SubState::Kline(interval.open_time(now_ms, 0)),
            FStreamKind::MiniTicker { .. }
            | FStreamKind::Ticker { .. }
            | FStreamKind::AllMiniTickers
            | FStreamKind::AllTickers => SubState::Seen(HashMap::new()),
            _ => SubState::Plain,
        };
        Sub { next_due: next_due(kind.period_ms(), now_ms), name, kind, st }
    }
}

/// The state of one futures market stream connection.
#[derive(Debug)]
pub struct FuturesSession {
    product: Product,
    scope: Scope,
    cfg: SessionConfig,
    subs: Vec<Sub>,
    combined: bool,
    incoming: IncomingLimiter,
}

impl Subscriptions for FuturesSession {
    type Sub = FStreamKind;
    fn parse(&self, name: &str, _now_ms: u64) -> Option<FStreamKind> {
        parse_futures_stream(self.product, name).filter(|k| self.scope.allows(k))
    }
    fn names(&self) -> Vec<String> {
        self.subs.iter().map(|s| s.name.clone()).collect()
    }
    fn add(&mut self, subs: Vec<(String, FStreamKind)>, now_ms: u64) {
        for (n, k) in subs {
            self.subs.push(Sub::new(n, k, now_ms));
        }
    }
    fn remove(&mut self, names: &[String]) {
        self.subs.retain(|s| !names.contains(&s.name));
    }
    fn combined(&self) -> bool {
        self.combined
    }
    fn set_combined(&mut self, combined: bool) {
        self.combined = combined;
    }
    fn max_streams(&self) -> usize {
        self.cfg.max_streams
    }
}

impl FuturesSession {
    /// A session for a connection URL already stripped of its product prefix and scope: `/ws`,
    /// `/ws/<s1>/<s2>` or `/stream?streams=<s1>/<s2>`.
    pub fn from_path(
        product: Product,
        scope: Scope,
        path_and_query: &str,
        cfg: SessionConfig,
        now_ms: u64,
    ) -> Result<FuturesSession, PathError> {
        let url = parse_conn_url(path_and_query)?;
        let mut s = FuturesSession {
            product,
            scope,
            cfg,
            subs: Vec::new(),
            combined: url.combined,
            incoming: IncomingLimiter::default(),
        };
        for n in url.names {
            let k = s.parse(&n, now_ms).ok_or_else(|| PathError::InvalidStream(n.clone()))?;
            if !s.subs.iter().any(|x| x.name == n) {
                s.subs.push(Sub::new(n, k, now_ms));
            }
        }
        if s.subs.len() > s.cfg.max_streams {
            return Err(PathError::TooManyStreams(s.subs.len()));
        }
        Ok(s)
    }

    /// Stream names in subscription order.
    pub fn subscriptions(&self) -> Vec<String> {
        self.names()
    }

    fn wrap(&self, name: &str, data: Value) -> String {
        if self.combined {
            crate::streams::payload::combined(name, &data)
        } else {
            data.to_string()
        }
    }

    fn pair<'a>(&self, state: &'a FuturesMarket, symbol: &str) -> Option<&'a str> {
        if self.product == Product::CoinM {
            state.pairs.get(symbol).map(String::as_str)
        } else {
            None
        }
    }

    fn on_market(&mut self, ev: &MarketEvent, state: &FuturesMarket, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        let mut subs = std::mem::take(&mut self.subs);
        match ev {
            MarketEvent::Trade(t) => {
                for sub in subs.iter_mut() {
                    if let (FStreamKind::AggTrade { symbol }, SubState::Agg(last)) = (&sub.kind, &mut sub.st) {
                        let Some(m) = state.base.symbol(symbol).filter(|_| *symbol == t.symbol) else { continue };
                        for a in new_aggregates(last, t, m) {
                            out.push(self.wrap(&sub.name, payload::agg_trade(self.product, symbol, a, now_ms)));
                        }
                    }
                }
            }
            MarketEvent::Depth(d) => {
                for sub in subs.iter_mut() {
                    match (&sub.kind, &mut sub.st) {
                        (FStreamKind::Depth { symbol, .. }, SubState::Diff { pending, .. }) if *symbol == d.symbol => {
                            merge_diff(pending, d)
                        }
                        (FStreamKind::BookTicker { symbol }, _) if *symbol == d.symbol => {
                            if let Some(v) = self.book_ticker(state, d, now_ms) {
                                out.push(self.wrap(&sub.name, v));
                            }
                        }
                        (FStreamKind::AllBookTickers, _) => {
                            if let Some(v) = self.book_ticker(state, d, now_ms) {
                                out.push(self.wrap(&sub.name, v));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        self.subs = subs;
        out
    }

    fn book_ticker(&self, state: &FuturesMarket, d: &DepthDiff, now_ms: u64) -> Option<Value> {
        let top = state.base.symbol(&d.symbol)?.top_at(d.final_update_id)?;
        Some(payload::book_ticker(&d.symbol, top, d.time_ms, now_ms, self.pair(state, &d.symbol)))
    }

    fn ticker_payload(
        &self,
        kind: &FStreamKind,
        symbol: &str,
        state: &FuturesMarket,
        seen: &mut HashMap<String, String>,
        now_ms: u64,
    ) -> Option<Value> {
        let m = state.base.symbol(symbol)?;
        m.last_trade()?;
        let s = m.stats_24h(now_ms);
        let fingerprint = format!("{}/{}/{}", s.first_id, s.last_id, s.count);
        if seen.get(symbol) == Some(&fingerprint) {
            return None;
        }
        seen.insert(symbol.to_string(), fingerprint);
        let pair = self.pair(state, symbol);
        Some(match kind {
            FStreamKind::MiniTicker { .. } | FStreamKind::AllMiniTickers => {
                payload::mini_ticker(symbol, &s, now_ms, pair)
            }
            _ => payload::ticker(symbol, &s, now_ms, pair),
        })
    }

    fn tick(&mut self, state: &FuturesMarket, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        let mut subs = std::mem::take(&mut self.subs);
        for sub in subs.iter_mut() {
            if now_ms < sub.next_due {
                continue;
            }
            sub.next_due = next_due(sub.kind.period_ms(), now_ms);
            let mut frames: Vec<Value> = Vec::new();
            match (&sub.kind, &mut sub.st) {
                (FStreamKind::Depth { symbol, .. }, SubState::Diff { pending, last_u }) => {
                    if let Some(p) = pending.take() {
                        let ids = DepthIds {
                            first: p.first,
                            last: p.last,
                            prev: last_u.unwrap_or(p.first.saturating_sub(1)),
                            time_ms: p.time_ms,
                        };
                        *last_u = Some(p.last);
                        let pair = self.pair(state, symbol);
                        frames.push(payload::depth_update(symbol, ids, &p.bids, &p.asks, now_ms, pair));
                    }
                }
                (FStreamKind::PartialDepth { symbol, levels, .. }, SubState::Partial { last_u }) => {
                    let snap = state.base.depth_snapshot(symbol, *levels);
                    if snap.last_update_id > 0 {
                        let u = snap.last_update_id;
                        let ids = DepthIds {
                            first: last_u.map(|x| x + 1).unwrap_or(u).min(u),
                            last: u,
                            prev: last_u.unwrap_or(u.saturating_sub(1)),
                            time_ms: now_ms,
                        };
                        *last_u = Some(u);
                        let bids: BTreeMap<Decimal, Decimal> = snap.bids.into_iter().collect();
                        let asks: BTreeMap<Decimal, Decimal> = snap.asks.into_iter().collect();
                        frames.push(payload::depth_update(symbol, ids, &bids, &asks, now_ms, self.pair(state, symbol)));
                    }
                }
                (FStreamKind::MarkPrice { symbol, .. }, _) => {
                    frames.extend(state.marks.get(symbol).map(|m| payload::mark_price(self.product, m, now_ms)));
                }
                (FStreamKind::AllMarkPrices { .. }, _) => {
                    let all: Vec<Value> =
                        state.marks.values().map(|m| payload::mark_price(self.product, m, now_ms)).collect();
                    if !all.is_empty() {
                        frames.push(Value::Array(all));
                    }
                }
                (FStreamKind::IndexPrice { pair, .. }, _) => {
                    frames.extend(state.index_of_pair(pair).map(|(i, _)| payload::index_price(pair, i, now_ms)));
                }
                (FStreamKind::Kline { symbol, interval }, SubState::Kline(emit_from)) => {
                    if let Some(series) = state.base.symbol(symbol).and_then(|m| m.klines(*interval, 0)) {
                        for (b, closed) in due_bars(series, emit_from, now_ms) {
                            frames.push(payload::kline(symbol, *interval, b, closed, now_ms));
                        }
                    }
                }
                (FStreamKind::MarkPriceKline { symbol, interval }, SubState::Kline(emit_from)) => {
                    if let Some(series) = state.mark_klines.get(&(symbol.clone(), *interval)) {
                        for (b, closed) in due_bars(series, emit_from, now_ms) {
                            frames.push(payload::mark_price_kline(symbol, *interval, b, closed, now_ms));
                        }
                    }
                }
                (FStreamKind::IndexPriceKline { pair, interval }, SubState::Kline(emit_from)) => {
                    if let Some(series) = state.index_klines.get(&(pair.clone(), *interval)) {
                        for (b, closed) in due_bars(series, emit_from, now_ms) {
                            frames.push(payload::index_price_kline(pair, *interval, b, closed, now_ms));
                        }
                    }
                }
                (k @ (FStreamKind::MiniTicker { symbol } | FStreamKind::Ticker { symbol }), SubState::Seen(seen)) => {
                    let k = k.clone();
                    frames.extend(self.ticker_payload(&k, symbol, state, seen, now_ms));
                }
                (k @ (FStreamKind::AllMiniTickers | FStreamKind::AllTickers), SubState::Seen(seen)) => {
                    let k = k.clone();
                    let all: Vec<Value> = state
                        .base
                        .symbols()
                        .filter_map(|(sym, _)| self.ticker_payload(&k, sym, state, seen, now_ms))
                        .collect();
                    if !all.is_empty() {
                        frames.push(Value::Array(all));
                    }
                }
                _ => {}
            }
            for f in frames {
                out.push(self.wrap(&sub.name, f));
            }
        }
        self.subs = subs;
        out
    }

    fn on_force_order(
        &self,
        f: &crate::futures::engine::ForceOrder,
        state: &FuturesMarket,
        now_ms: u64,
    ) -> Vec<String> {
        let v = payload::force_order(f, now_ms, self.pair(state, &f.symbol));
        self.subs
            .iter()
            .filter(|s| match &s.kind {
                FStreamKind::ForceOrder { symbol } => *symbol == f.symbol,
                FStreamKind::AllForceOrders => true,
                _ => false,
            })
            .map(|s| self.wrap(&s.name, v.clone()))
            .collect()
    }
}

fn merge_diff(pending: &mut Option<PendingDiff>, d: &DepthDiff) {
    let p = pending.get_or_insert_with(|| PendingDiff {
        first: d.first_update_id,
        last: d.final_update_id,
        time_ms: d.time_ms,
        bids: BTreeMap::new(),
        asks: BTreeMap::new(),
    });
    p.last = d.final_update_id;
    p.time_ms = d.time_ms;
    for (price, qty) in &d.bids {
        p.bids.insert(*price, *qty);
    }
    for (price, qty) in &d.asks {
        p.asks.insert(*price, *qty);
    }
}

impl StreamConn<FuturesMarket> for FuturesSession {
    fn on_incoming(&mut self, now_ms: u64) -> Result<(), CloseReason> {
        self.incoming.count(now_ms, self.cfg.max_incoming_per_sec)
    }
    fn on_text(&mut self, text: &str, now_ms: u64) -> String {
        handle_control(self, text, now_ms)
    }
    fn frames_for(&mut self, ev: &FMarketEvent, state: &FuturesMarket, now_ms: u64) -> Vec<String> {
        match ev {
            FMarketEvent::Market(m) => self.on_market(m, state, now_ms),
            FMarketEvent::ForceOrder(f) => self.on_force_order(f, state, now_ms),
            FMarketEvent::Mark(_) => Vec::new(),
        }
    }
    fn on_tick(&mut self, state: &FuturesMarket, now_ms: u64) -> Vec<String> {
        self.tick(state, now_ms)
    }
    fn shutdown_frame(&self, now_ms: u64) -> String {
        self.wrap("!serverShutdown", json!({"e": "serverShutdown", "E": now_ms}))
    }
    fn label(&self) -> String {
        crate::streams::server::streams_label(self.subscriptions())
    }
}
