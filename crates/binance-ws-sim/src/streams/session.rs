//! One stream connection without the socket: subscriptions, properties, control messages, the incoming
//! message limit, and the frames each market event or clock tick produces.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::name::{parse_stream_name, StreamKind};
use super::payload;
use crate::exchange::events::{DepthDiff, MarketEvent, Trade};
use crate::market::MarketState;

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

#[derive(Deserialize)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
enum Method {
    SUBSCRIBE,
    UNSUBSCRIBE,
    LIST_SUBSCRIPTIONS,
    SET_PROPERTY,
    GET_PROPERTY,
}

#[derive(Deserialize)]
struct Request {
    method: Method,
}

/// The state of one market stream connection.
#[derive(Debug)]
pub struct StreamSession {
    cfg: SessionConfig,
    subs: Vec<Sub>,
    combined: bool,
    time_unit: u64,
    incoming: VecDeque<u64>,
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn error_reply(code: i64, msg: &str, id: &Value) -> String {
    json!({"error": {"code": code, "msg": msg}, "id": id}).to_string()
}

fn ok_reply(result: Value, id: &Value) -> String {
    json!({"result": result, "id": id}).to_string()
}

/// The `id` forms the docs accept: a 64-bit integer, an alphanumeric string of at most 36 characters, `null`.
fn valid_id(id: &Value) -> bool {
    match id {
        Value::Null => true,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::String(s) => s.len() <= 36 && s.bytes().all(|b| b.is_ascii_alphanumeric()),
        _ => false,
    }
}

impl StreamSession {
    /// A session with no streams; `combined` wraps payloads as `{"stream":..,"data":..}`.
    pub fn new(combined: bool, cfg: SessionConfig) -> StreamSession {
        StreamSession { cfg, subs: Vec::new(), combined, time_unit: 1, incoming: VecDeque::new() }
    }

    /// A session for a connection URL: `/ws`, `/ws/<s1>/<s2>` (raw) or `/stream?streams=<s1>/<s2>` (combined),
    /// each optionally with `timeUnit=MICROSECOND`.
    pub fn from_path(path_and_query: &str, cfg: SessionConfig, now_ms: u64) -> Result<StreamSession, PathError> {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let mut query_streams = None;
        let mut time_unit = 1;
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "streams" => query_streams = Some(percent_decode(v)),
                "timeUnit" => {
                    time_unit = match v {
                        "MICROSECOND" | "microsecond" => 1000,
                        "MILLISECOND" | "millisecond" => 1,
                        _ => return Err(PathError::InvalidTimeUnit(v.to_string())),
                    }
                }
                _ => {}
            }
        }
        let path = path.trim_end_matches('/');
        let (combined, names) = if path == "/ws" {
            (false, String::new())
        } else if let Some(rest) = path.strip_prefix("/ws/") {
            (false, percent_decode(rest))
        } else if path == "/stream" {
            (true, query_streams.unwrap_or_default())
        } else {
            return Err(PathError::UnknownPath(path.to_string()));
        };
        let mut s = StreamSession::new(combined, cfg);
        s.time_unit = time_unit;
        let mut kinds = Vec::new();
        for n in names.split('/').filter(|n| !n.is_empty()) {
            let k = parse_stream_name(n).ok_or_else(|| PathError::InvalidStream(n.to_string()))?;
            kinds.push((n.to_string(), k));
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
        while self.incoming.front().is_some_and(|t| t + 1000 <= now_ms) {
            self.incoming.pop_front();
        }
        self.incoming.push_back(now_ms);
        if self.incoming.len() > self.cfg.max_incoming_per_sec {
            return Err(CloseReason { code: 1008, reason: "Too many messages".into() });
        }
        Ok(())
    }

    /// Handles a control message (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY) and
    /// returns the reply. Does not count the message: call [`Self::on_incoming`] for that.
    pub fn on_text(&mut self, text: &str, now_ms: u64) -> String {
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return error_reply(3, &format!("Invalid JSON: {e}"), &Value::Null),
        };
        let req: Request = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let id = v.get("id").filter(|i| valid_id(i)).cloned().unwrap_or(Value::Null);
                return error_reply(2, &format!("Invalid request: {e}"), &id);
            }
        };
        let id = match v.get("id") {
            Some(id) if valid_id(id) => id.clone(),
            _ => return error_reply(2, "Invalid request: request ID must be an unsigned integer", &Value::Null),
        };
        let params = v.get("params");
        match req.method {
            Method::SUBSCRIBE | Method::UNSUBSCRIBE => {
                let list = match params {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(_) => return error_reply(2, "Invalid request: invalid stream", &id),
                };
                let mut parsed = Vec::with_capacity(list.len());
                for p in &list {
                    let Some(n) = p.as_str() else { return error_reply(2, "Invalid request: invalid stream", &id) };
                    let Some(k) = parse_stream_name(n) else {
                        return error_reply(2, "Invalid request: invalid stream", &id);
                    };
                    parsed.push((n.to_string(), k));
                }
                if matches!(req.method, Method::SUBSCRIBE) {
                    let mut new: Vec<(String, StreamKind)> = Vec::new();
                    for (n, k) in parsed {
                        if !self.subs.iter().any(|s| s.name == n) && !new.iter().any(|(x, _)| *x == n) {
                            new.push((n, k));
                        }
                    }
                    if self.subs.len() + new.len() > self.cfg.max_streams {
                        return error_reply(2, "Invalid request: too many streams", &id);
                    }
                    for (n, k) in new {
                        self.subs.push(Sub::new(n, k, now_ms));
                    }
                } else {
                    self.subs.retain(|s| !parsed.iter().any(|(n, _)| *n == s.name));
                }
                ok_reply(Value::Null, &id)
            }
            Method::LIST_SUBSCRIPTIONS => {
                if matches!(params, Some(Value::Array(a)) if !a.is_empty()) {
                    return error_reply(2, "Invalid request: too many parameters", &id);
                }
                ok_reply(json!(self.subscriptions()), &id)
            }
            Method::SET_PROPERTY | Method::GET_PROPERTY => {
                let set = matches!(req.method, Method::SET_PROPERTY);
                let empty = Vec::new();
                let list = match params {
                    Some(Value::Array(a)) => a,
                    _ => &empty,
                };
                if list.len() > if set { 2 } else { 1 } {
                    return error_reply(2, "Invalid request: too many parameters", &id);
                }
                let Some(name) = list.first().and_then(Value::as_str) else {
                    return error_reply(2, "Invalid request: property name must be a string", &id);
                };
                if name != "combined" {
                    return error_reply(0, "Unknown property", &id);
                }
                if !set {
                    return ok_reply(json!(self.combined), &id);
                }
                match list.get(1) {
                    Some(Value::Bool(b)) => {
                        self.combined = *b;
                        ok_reply(Value::Null, &id)
                    }
                    _ => error_reply(1, "Invalid value type: expected Boolean", &id),
                }
            }
        }
    }

    fn wrap(&self, name: &str, data: Value) -> String {
        if self.combined {
            json!({"stream": name, "data": data}).to_string()
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
        let floor = match *last_sent {
            Some(id) => id,
            None => match m.agg_containing(t.id) {
                Some(a) => a.id.saturating_sub(1),
                None => return Vec::new(),
            },
        };
        let mut done: Vec<_> = m
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
            out.push(payload::agg_trade(&t.symbol, a, now_ms, self.time_unit));
            next += 1;
        }
        if next > floor + 1 {
            *last_sent = Some(next - 1);
        } else if last_sent.is_none() {
            *last_sent = Some(floor);
        }
        out
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
                    let mut bars: Vec<_> =
                        series.bars().iter().rev().take_while(|b| b.open_time >= *emit_from).collect();
                    bars.reverse();
                    for b in bars {
                        if b.close_time < now_ms {
                            push(payload::kline(symbol, *interval, b, true, now_ms, tu));
                            *emit_from = b.open_time + 1;
                        } else if b.open_time <= now_ms {
                            push(payload::kline(symbol, *interval, b, false, now_ms, tu));
                        }
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
