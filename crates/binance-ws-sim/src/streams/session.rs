//! One stream connection without the socket: subscriptions, properties, control messages, the incoming
//! message limit, and the frames each market event or clock tick produces.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rust_decimal::Decimal;
use serde_json::Value;

use super::control::{handle_control, parse_conn_url, IncomingLimiter, Subscriptions};
use super::name::{parse_stream_name, StreamKind};
use super::payload;
use crate::exchange::events::{DepthDiff, MarketEvent, Trade};
use crate::market::{AggTrade, Kline, KlineSeries, MarketState, SymbolMarket};

/// Limits of one connection.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Streams one connection may listen to (1024).
    pub max_streams: usize,
    /// Incoming messages (text frames, pings, pongs) allowed in any rolling second (5).
    pub max_incoming_per_sec: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { max_streams: 1024, max_incoming_per_sec: 5 }
    }
}

/// Why the server closes a connection: a WebSocket close code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: String,
}

/// A connection URL the stream server refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// Neither `/ws...` nor `/stream...`.
    UnknownPath(String),
    /// A stream name that does not parse.
    InvalidStream(String),
    /// More streams than a connection may have.
    TooManyStreams(usize),
    /// A `timeUnit` other than MILLISECOND/MICROSECOND.
    InvalidTimeUnit(String),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::UnknownPath(p) => write!(f, "Unknown path: {p}"),
            PathError::InvalidStream(s) => write!(f, "Invalid stream name: {s}"),
            PathError::TooManyStreams(n) => write!(f, "Too many streams: {n} (maximum 1024)"),
            PathError::InvalidTimeUnit(u) => write!(f, "Invalid timeUnit: {u}"),
        }
    }
}

impl std::error::Error for PathError {}

#[derive(Debug)]
struct PendingDiff {
    first: u64,
    last: u64,
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

#[derive(Debug)]
enum SubState {
    Plain,
    /// aggTrade: the last aggregate id sent.
    Agg(Option<u64>),
    /// Diff depth: updates merged since the last frame.
    Diff(Option<PendingDiff>),
    /// Kline: bars opening at or after this time still need a frame.
    Kline(u64),
    /// Tickers and avgPrice: a fingerprint per symbol of what was last sent.
    Seen(HashMap<String, String>),
}

#[derive(Debug)]
struct Sub {
    name: String,
    kind: StreamKind,
    next_due: u64,
    st: SubState,
}

fn next_due(period: Option<u64>, now_ms: u64) -> u64 {
    period.map(|p| (now_ms / p + 1) * p).unwrap_or(u64::MAX)
}

impl Sub {
    fn new(name: String, kind: StreamKind, now_ms: u64) -> Sub {
        let st = match &kind {
            StreamKind::AggTrade { .. } => SubState::Agg(None),
            StreamKind::Depth { .. } => SubState::Diff(None),
            StreamKind::Kline { interval, offset_ms, .. } => SubState::Kline(interval.open_time(now_ms, *offset_ms)),
            StreamKind::MiniTicker { .. }
            | StreamKind::AllMiniTickers
            | StreamKind::Ticker { .. }
            | StreamKind::WindowTicker { .. }
            | StreamKind::AllWindowTickers { .. }
            | StreamKind::AvgPrice { .. } => SubState::Seen(HashMap::new()),
            _ => SubState::Plain,
        };
        Sub { next_due: next_due(kind.period_ms(), now_ms), name, kind, st }
    }
}

/// The state of one market stream connection.
#[derive(Debug)]
pub struct StreamSession {
    cfg: SessionConfig,
    subs: Vec<Sub>,
    combined: bool,
    time_unit: u64,
    incoming: IncomingLimiter,
}

impl Subscriptions for StreamSession {
    type Sub = StreamKind;
    fn parse(&self, name: &str, _now_ms: u64) -> Option<StreamKind> {
        parse_stream_name(name)
    }
    fn names(&self) -> Vec<String> {
        self.subscriptions()
    }
    fn add(&mut self, subs: Vec<(String, StreamKind)>, now_ms: u64) {
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

impl StreamSession {
    /// A session with no streams; `combined` wraps payloads as `{"stream":..,"data":..}`.
    pub fn new(combined: bool, cfg: SessionConfig) -> StreamSession {
        StreamSession { cfg, subs: Vec::new(), combined, time_unit: 1, incoming: IncomingLimiter::default() }
    }

    /// A session for a connection URL: `/ws`, `/ws/<s1>/<s2>` (raw) or `/stream?streams=<s1>/<s2>` (combined),
    /// each optionally with `timeUnit=MICROSECOND`.
    pub fn from_path(path_and_query: &str, cfg: SessionConfig, now_ms: u64) -> Result<StreamSession, PathError> {
        let url = parse_conn_url(path_and_query)?;
        let mut s = StreamSession::new(url.combined, cfg);
        s.time_unit = url.time_unit;
        let mut kinds = Vec::new();
        for n in url.names {
            let k = parse_stream_name(&n).ok_or_else(|| PathError::InvalidStream(n.clone()))?;
            kinds.push((n, k));
        }
        for (n, k) in kinds {
            if !s.subs.iter().any(|x| x.name == n) {
                s.subs.push(Sub::new(n, k, now_ms));
            }
        }
        if s.subs.len() > s.cfg.max_streams {
            return Err(PathError::TooManyStreams(s.subs.len()));
        }
        Ok(s)
    }

    /// Whether payloads are wrapped.
    pub fn combined(&self) -> bool {
        self.combined
    }

    /// Stream names in subscription order.
    pub fn subscriptions(&self) -> Vec<String> {
        self.subs.iter().map(|s| s.name.clone()).collect()
    }

    /// Counts one incoming message (text or binary frame, ping or pong). More than the limit within a
    /// rolling second means the connection must be closed with this reason (code 1008).
    pub fn on_incoming(&mut self, now_ms: u64) -> Result<(), CloseReason> {
        self.incoming.count(now_ms, self.cfg.max_incoming_per_sec)
    }

    /// Handles a control message (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY) and
    /// returns the reply. Does not count the message: call [`Self::on_incoming`] for that.
    pub fn on_text(&mut self, text: &str, now_ms: u64) -> String {
        handle_control(self, text, now_ms)
    }

    fn wrap(&self, name: &str, data: Value) -> String {
        if self.combined {
            payload::combined(name, &data)
        } else {
            data.to_string()
        }
    }

    /// The `serverShutdown` frame for this connection.
    pub fn shutdown_frame(&self, now_ms: u64) -> String {
        self.wrap("!serverShutdown", payload::server_shutdown(now_ms, self.time_unit))
    }

    /// Frames of the real-time streams for one event (trade, aggTrade, bookTicker); depth diffs are merged
    /// and sent by [`Self::on_tick`]. `state` must already contain the event.
    pub fn frames_for(&mut self, ev: &MarketEvent, state: &MarketState, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        let tu = self.time_unit;
        let mut subs = std::mem::take(&mut self.subs);
        match ev {
            MarketEvent::Trade(t) => {
                for sub in subs.iter_mut() {
                    match &sub.kind {
                        StreamKind::Trade { symbol } if *symbol == t.symbol => {
                            out.push(self.wrap(&sub.name, payload::trade(t, now_ms, tu)));
                        }
                        StreamKind::AggTrade { symbol } if *symbol == t.symbol => {
                            for v in self.aggs_done(&mut sub.st, t, state, now_ms) {
                                out.push(self.wrap(&sub.name, v));
                            }
                        }
                        _ => {}
                    }
                }
            }
            MarketEvent::Depth(d) => {
                for sub in subs.iter_mut() {
                    match &sub.kind {
                        StreamKind::Depth { symbol, .. } if *symbol == d.symbol => merge_diff(&mut sub.st, d),
                        StreamKind::BookTicker { symbol } if *symbol == d.symbol => {
                            if let Some(top) = state.symbol(symbol).and_then(|s| s.top_at(d.final_update_id)) {
                                out.push(self.wrap(&sub.name, payload::book_ticker(symbol, top)));
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

    /// Sealed aggregates up to trade `t` not yet sent on this subscription.
    fn aggs_done(&self, st: &mut SubState, t: &Trade, state: &MarketState, now_ms: u64) -> Vec<Value> {
        let SubState::Agg(last_sent) = st else { return Vec::new() };
        let Some(m) = state.symbol(&t.symbol) else { return Vec::new() };
        new_aggregates(last_sent, t, m)
            .into_iter()
            .map(|a| payload::agg_trade(&t.symbol, a, now_ms, self.time_unit))
            .collect()
    }

    /// Frames of the time-driven streams that are due at `now_ms`: merged depth diffs, partial depth, klines,
    /// tickers, avgPrice. Call at least every 100 ms.
    pub fn on_tick(&mut self, state: &MarketState, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        let tu = self.time_unit;
        let mut subs = std::mem::take(&mut self.subs);
        for sub in subs.iter_mut() {
            if now_ms < sub.next_due {
                continue;
            }
            sub.next_due = next_due(sub.kind.period_ms(), now_ms);
            let name = sub.name.clone();
            let mut push = |v: Value| out.push(self.wrap(&name, v));
            match (&sub.kind, &mut sub.st) {
                (StreamKind::Depth { symbol, .. }, SubState::Diff(pending)) => {
                    if let Some(p) = pending.take() {
                        push(payload::depth_update(symbol, p.first, p.last, &p.bids, &p.asks, now_ms, tu));
                    }
                }
                (StreamKind::PartialDepth { symbol, levels, .. }, _) if state.symbol(symbol).is_some() => {
                    push(payload::partial_depth(&state.depth_snapshot(symbol, *levels)));
                }
                (StreamKind::Kline { symbol, interval, offset_ms }, SubState::Kline(emit_from)) => {
                    let Some(series) = state.symbol(symbol).and_then(|m| m.klines(*interval, *offset_ms)) else {
                        continue;
                    };
                    for (b, closed) in due_bars(series, emit_from, now_ms) {
                        push(payload::kline(symbol, *interval, b, closed, now_ms, tu));
                    }
                }
                (StreamKind::MiniTicker { symbol }, SubState::Seen(seen))
                | (StreamKind::Ticker { symbol }, SubState::Seen(seen))
                | (StreamKind::WindowTicker { symbol, .. }, SubState::Seen(seen))
                | (StreamKind::AvgPrice { symbol }, SubState::Seen(seen)) => {
                    if let Some(v) = ticker_payload(&sub.kind, symbol, state, seen, now_ms, tu) {
                        push(v);
                    }
                }
                (StreamKind::AllMiniTickers, SubState::Seen(seen))
                | (StreamKind::AllWindowTickers { .. }, SubState::Seen(seen)) => {
                    let arr: Vec<Value> = state
                        .symbols()
                        .filter_map(|(sym, _)| ticker_payload(&sub.kind, sym, state, seen, now_ms, tu))
                        .collect();
                    if !arr.is_empty() {
                        push(Value::Array(arr));
                    }
                }
                _ => {}
            }
        }
        self.subs = subs;
        out
    }
}

fn merge_diff(st: &mut SubState, d: &DepthDiff) {
    let SubState::Diff(pending) = st else { return };
    let p = pending.get_or_insert_with(|| PendingDiff {
        first: d.first_update_id,
        last: d.final_update_id,
        bids: BTreeMap::new(),
        asks: BTreeMap::new(),
    });
    p.last = d.final_update_id;
    for (price, qty) in &d.bids {
        p.bids.insert(*price, *qty);
    }
    for (price, qty) in &d.asks {
        p.asks.insert(*price, *qty);
    }
}

/// The ticker-like payload of one symbol for a stream kind, if it changed since the last one sent.
fn ticker_payload(
    kind: &StreamKind,
    symbol: &str,
    state: &MarketState,
    seen: &mut HashMap<String, String>,
    now_ms: u64,
    tu: u64,
) -> Option<Value> {
    let m = state.symbol(symbol)?;
    m.last_trade()?;
    let (fingerprint, v) = match kind {
        StreamKind::MiniTicker { .. } | StreamKind::AllMiniTickers => {
            let s = m.stats_24h(now_ms);
            (format!("{}/{}/{}", s.first_id, s.last_id, s.count), payload::mini_ticker(symbol, &s, now_ms, tu))
        }
        StreamKind::Ticker { .. } => {
            let s = m.stats_24h(now_ms);
            let fp =
                format!("{}/{}/{}/{:?}/{:?}", s.first_id, s.last_id, s.count, m.book.best_bid(), m.book.best_ask());
            (fp, payload::ticker(symbol, &s, m, now_ms, tu))
        }
        StreamKind::WindowTicker { window, .. } | StreamKind::AllWindowTickers { window } => {
            let s = m.stats_rolling(window.ms(), now_ms);
            let fp = format!("{}/{}/{}", s.first_id, s.last_id, s.count);
            (fp, payload::window_ticker(symbol, window.as_str(), &s, now_ms, tu))
        }
        StreamKind::AvgPrice { .. } => {
            let (p, t) = m.avg_price(now_ms)?;
            (format!("{p}/{t}"), payload::avg_price(symbol, p, t, now_ms, tu))
        }
        _ => return None,
    };
    if seen.get(symbol) == Some(&fingerprint) {
        return None;
    }
    seen.insert(symbol.to_string(), fingerprint);
    Some(v)
}

/// Sealed aggregate trades of `m` up to trade `t` that a subscription has not sent yet (a contiguous run of ids
/// after `last_sent`, which is advanced past them).
pub(crate) fn new_aggregates<'a>(last_sent: &mut Option<u64>, t: &Trade, m: &'a SymbolMarket) -> Vec<&'a AggTrade> {
    let floor = match *last_sent {
        Some(id) => id,
        None => match m.agg_containing(t.id) {
            Some(a) => a.id.saturating_sub(1),
            None => return Vec::new(),
        },
    };
    let mut done: Vec<&AggTrade> = m
        .agg_trades()
        .iter()
        .rev()
        .take_while(|a| a.id > floor)
        .filter(|a| a.sealed && a.last_trade_id <= t.id)
        .collect();
    done.reverse();
    // Only a contiguous run of ids may be marked sent.
    let mut out = Vec::new();
    let mut next = floor + 1;
    for a in done {
        if a.id != next {
            break;
        }
        out.push(a);
        next += 1;
    }
    if next > floor + 1 {
        *last_sent = Some(next - 1);
    } else if last_sent.is_none() {
        *last_sent = Some(floor);
    }
    out
}

/// The bars of a kline subscription due at `now_ms`: each closed bar once (then `emit_from` moves past it) and
/// the open bar every time, with whether the bar is closed.
pub(crate) fn due_bars<'a>(series: &'a KlineSeries, emit_from: &mut u64, now_ms: u64) -> Vec<(&'a Kline, bool)> {
    let mut bars: Vec<&Kline> = series.bars().iter().rev().take_while(|b| b.open_time >= *emit_from).collect();
    bars.reverse();
    let mut out = Vec::new();
    for b in bars {
        if b.close_time < now_ms {
            out.push((b, true));
            *emit_from = b.open_time + 1;
        } else if b.open_time <= now_ms {
            out.push((b, false));
        }
    }
    out
}
