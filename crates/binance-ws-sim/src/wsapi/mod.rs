//! The Spot WebSocket API (`/ws-api/v3`): one task per connection that parses requests, charges their
//! weight, checks signatures and timestamps, calls the method's handler and writes the reply.

mod account;
mod error;
mod fmt;
mod general;
mod market;
mod order_count;
mod params;
pub(crate) mod security;
mod session;
mod trade;
mod user_stream;

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{sleep_until, Instant};
use tokio_websockets::{Message, WebSocketStream};

pub use error::ApiErr;
pub use order_count::{OrderLimiter, OrdersRefusal};
pub use params::{Params, ParamsExt};

use crate::exchange::AccountId;
use crate::faults::{ConnFault, FaultKind};
use crate::ratelimit::Refusal;
use crate::server::SimShared;

/// A method's security type (web-socket-api.md, "Request security").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sec {
    /// Public.
    None,
    /// TRADE, USER_DATA, USER_STREAM: signed, or a logged-on session.
    Signed,
    /// `session.logon`: always signed explicitly.
    Logon,
}

/// What a handler sees.
pub struct Ctx<'a> {
    /// The whole exchange.
    pub sim: &'a SimShared,
    /// This connection.
    pub session: &'a mut Session,
    /// Server time of the request.
    pub now_ms: u64,
    /// The API key that authorized the request (signed methods).
    pub api_key: Option<String>,
    /// Set by methods that place orders: the reply's `rateLimits` then shows this account's ORDERS counts.
    pub orders_account: Option<AccountId>,
}

impl Ctx<'_> {
    /// The account the request acts for.
    pub fn account(&self) -> Result<AccountId, ApiErr> {
        self.api_key.as_deref().and_then(|k| self.sim.account_of(k)).ok_or_else(ApiErr::rejected_key)
    }

    /// Counts `n` new orders against the account's ORDERS limits: 429 with -1015 when over.
    pub fn charge_orders(&mut self, account: AccountId, n: u64) -> Result<(), ApiErr> {
        self.orders_account = Some(account);
        self.sim
            .order_counts
            .lock()
            .charge(account, n, self.now_ms)
            .map_err(|r| ApiErr { status: 429, ..ApiErr::new(-1015, r.message()) })
    }
}

/// A method handler.
pub type Handler = fn(&mut Ctx<'_>, &Params) -> Result<Value, ApiErr>;

/// One method of the API.
pub struct Method {
    /// Its name, e.g. `order.place`.
    pub name: &'static str,
    /// Its security type.
    pub security: Sec,
    /// Its request weight for these params.
    pub weight: fn(&Params) -> u64,
    /// What it does.
    pub handler: Handler,
}

/// Per-connection state.
pub struct Session {
    /// Connection number (for the fault log).
    pub id: u64,
    /// Client address.
    pub ip: IpAddr,
    /// When the connection opened (epoch ms).
    pub connected_since: u64,
    /// The API key logged on with `session.logon`, and since when.
    pub logged_on: Option<(String, u64)>,
    /// `returnRateLimits` from the connection URL.
    pub return_rate_limits: bool,
}

fn find_method(name: &str) -> Option<&'static Method> {
    general::METHODS
        .iter()
        .chain(session::METHODS)
        .chain(market::METHODS)
        .chain(account::METHODS)
        .chain(trade::METHODS)
        .chain(user_stream::METHODS)
        .find(|m| m.name == name)
}

/// Methods that place, change or cancel orders (logged in [`SimShared::order_requests`]).
pub(crate) fn trading_method(name: &str) -> bool {
    ["order.", "orderList.", "sor.order.", "openOrders.cancelAll"].iter().any(|p| name.starts_with(p))
        && !matches!(name, "order.status" | "order.amendments" | "orderList.status")
}

/// Handles one request frame; returns the reply frame.
pub fn handle_text(sim: &SimShared, session: &mut Session, text: &str) -> String {
    let now_ms = sim.clock.now_ms();
    let request: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => return reply(&Value::Null, Err(ApiErr::new(-1135, "Invalid JSON Request")), None),
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let params: Params = match request.get("params") {
        None | Some(Value::Null) => Params::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => return reply(&id, Err(ApiErr::new(-1135, "Invalid JSON Request")), None),
    };
    let Some(name) = request.get("method").and_then(Value::as_str) else {
        return reply(&id, Err(ApiErr::mandatory("method")), None);
    };
    let name = name.strip_prefix("v3/").unwrap_or(name);
    if crate::wsapi::trading_method(name) {
        let text_of = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_string);
        sim.order_requests.lock().push(crate::server::OrderRequest {
            time_ms: now_ms,
            connection: session.id,
            method: name.to_string(),
            new_client_order_id: text_of("newClientOrderId"),
            orig_client_order_id: text_of("origClientOrderId"),
        });
    }
    let show_limits = params.opt_bool("returnRateLimits").ok().flatten().unwrap_or(session.return_rate_limits);
    let Some(method) = find_method(name) else {
        return reply(&id, Err(ApiErr::new(-1020, "This operation is not supported.")), None);
    };
    let charge = sim.weights.lock().charge(session.ip, (method.weight)(&params), now_ms);
    if let Err(refusal) = charge {
        let limits = show_limits.then(|| json!([sim.weights.lock().usage_json(session.ip, now_ms)]));
        return reply(&id, Err(refusal_error(sim, refusal, now_ms)), limits);
    }
    let mut orders_account = None;
    let outcome = security::authorize(sim, session, method.security, &params, now_ms).and_then(|api_key| {
        let mut ctx = Ctx { sim, session, now_ms, api_key, orders_account: None };
        let mut params = params.clone();
        for meta in ["returnRateLimits", "signature", "apiKey", "timestamp", "recvWindow"] {
            params.remove(meta);
        }
        let out = (method.handler)(&mut ctx, &params);
        orders_account = ctx.orders_account;
        out
    });
    let limits = show_limits.then(|| {
        let mut all = Vec::new();
        if let Some(account) = orders_account {
            all.extend(sim.order_counts.lock().usage_json(account, now_ms));
        }
        all.push(sim.weights.lock().usage_json(session.ip, now_ms));
        Value::Array(all)
    });
    reply(&id, outcome, limits)
}

fn refusal_error(sim: &SimShared, refusal: Refusal, now_ms: u64) -> ApiErr {
    match refusal {
        Refusal::TooMuchWeight { retry_after } => ApiErr {
            status: 429,
            code: -1003,
            msg: format!(
                "Too much request weight used; current limit is {} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                sim.weights.lock().limit()
            ),
            data: Some(json!({"serverTime": now_ms, "retryAfter": retry_after})),
        },
        Refusal::Banned { until } => ApiErr {
            status: 418,
            code: -1003,
            msg: format!(
                "Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans."
            ),
            data: Some(json!({"serverTime": now_ms, "retryAfter": until})),
        },
    }
}

fn reply(id: &Value, outcome: Result<Value, ApiErr>, limits: Option<Value>) -> String {
    let mut out = match outcome {
        Ok(result) => json!({"id": id, "status": 200, "result": result}),
        Err(e) => {
            let mut error = json!({"code": e.code, "msg": e.msg});
            if let Some(data) = e.data {
                error["data"] = data;
            }
            json!({"id": id, "status": e.status, "error": error})
        }
    };
    if let Some(limits) = limits {
        out["rateLimits"] = limits;
    }
    out.to_string()
}

/// Which WebSocket API a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frontend {
    /// `/ws-api/v3`.
    Spot,
    /// `/ws-fapi/v1` or `/ws-dapi/v1`.
    Futures(crate::futures::Product),
}

impl Frontend {
    fn handle(self, sim: &SimShared, session: &mut Session, text: &str) -> String {
        match self {
            Frontend::Spot => handle_text(sim, session, text),
            Frontend::Futures(p) => crate::futures::wsapi::handle_text(sim, p, session, text),
        }
    }

    /// Charges the handshake's weight (spot: 2; futures: 5, "WebSocket handshake attempt costs 5 weight").
    fn charge_handshake(self, sim: &SimShared, ip: IpAddr) {
        let now = sim.clock.now_ms();
        let _ = match self {
            Frontend::Spot => sim.weights.lock().charge(ip, 2, now),
            Frontend::Futures(p) => sim.futures(p).weights.lock().charge(ip, 5, now),
        };
    }

    /// (ping interval, pong timeout).
    fn keepalive(self, sim: &SimShared) -> (std::time::Duration, std::time::Duration) {
        match self {
            Frontend::Spot => (sim.config.ping_interval, sim.config.pong_timeout),
            Frontend::Futures(_) => (sim.config.futures.api_ping_interval, sim.config.futures.api_pong_timeout),
        }
    }
}

/// Serves one Spot WebSocket API connection until it closes.
pub async fn serve<S>(ws: WebSocketStream<S>, sim: Arc<SimShared>, ip: IpAddr, query: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    serve_api(ws, sim, ip, query, Frontend::Spot).await
}

/// Serves one WebSocket API connection of `frontend` until it closes.
pub async fn serve_api<S>(mut ws: WebSocketStream<S>, sim: Arc<SimShared>, ip: IpAddr, query: &str, frontend: Frontend)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let registered = sim.faults.register(crate::faults::ConnKind::Api);
    let conn_id = registered.id;
    let mut session = Session {
        id: conn_id,
        ip,
        connected_since: sim.clock.now_ms(),
        logged_on: None,
        return_rate_limits: !query.split('&').any(|kv| kv == "returnRateLimits=false"),
    };
    frontend.charge_handshake(&sim, ip);
    // User data events for this connection; unregistered (closing the queue) on overflow or when it ends.
    let (events_tx, mut events) = tokio::sync::mpsc::channel(sim.config.user_stream_buffer.max(1));
    sim.user_streams.lock().register(conn_id, events_tx);
    let _registration = Registration { sim: &sim, conn_id };
    let mut faults = sim.faults.live.subscribe();
    let frame_budget = sim.faults.frame_budget();
    let mut frames_sent: u64 = 0;
    let cfg = &sim.config;
    let (ping_interval, pong_timeout) = frontend.keepalive(&sim);
    let mut close_at = Instant::now() + cfg.connection_lifetime;
    let mut next_ping = Instant::now() + ping_interval;
    let mut pong_deadline: Option<Instant> = None;
    // Replies wait here while a reply-delay fault is in force, so that other faults can still strike.
    let mut outbox: VecDeque<(Instant, String)> = VecDeque::new();
    loop {
        let pong_at = pong_deadline.unwrap_or_else(far_future);
        // Send whatever is due now, without waiting for a timer tick (a zero delay must cost nothing).
        while outbox.front().is_some_and(|(t, _)| *t <= Instant::now()) {
            let Some((_, out)) = outbox.pop_front() else { break };
            if ws.send(Message::text(out)).await.is_err() {
                return;
            }
            frames_sent += 1;
            if frame_budget.is_some_and(|n| frames_sent >= n) {
                sim.faults.record(conn_id, FaultKind::DropAfterFrames, format!("dropped after {frames_sent} frames"));
                return;
            }
        }
        let send_at = outbox.front().map(|(t, _)| *t).unwrap_or_else(far_future);
        tokio::select! {
            msg = ws.next() => {
                let Some(Ok(msg)) = msg else { return };
                if msg.is_pong() {
                    pong_deadline = None;
                } else if msg.is_close() {
                    return;
                } else if let Some(text) = msg.as_text() {
                    let out = frontend.handle(&sim, &mut session, text);
                    sim.faults.set_label(conn_id, session.logged_on.as_ref().map_or("", |(key, _)| key.as_str()));
                    let at = Instant::now() + sim.faults.reply_delay().unwrap_or_default();
                    outbox.push_back((at, out));
                } else if msg.is_ping() {
                    let _ = ws.flush().await;
                }
            }
            // Events queued while a request was handled come after its reply: they join the outbox behind it.
            event = events.recv() => match event {
                Some(frame) => outbox.push_back((Instant::now(), frame)),
                None => {
                    sim.faults.record(conn_id, FaultKind::SlowConsumer, "dropped: user data stream queue full".into());
                    return;
                }
            },
            // Wakes the loop when a delayed reply is due; the top of the loop sends it.
            _ = sleep_until(send_at) => {}
            fault = faults.recv() => match fault.map(|f| (f.hits(conn_id), f.fault)) {
                Ok((false, _)) => {}
                Ok((true, ConnFault::Drop)) => { sim.faults.record(conn_id, FaultKind::Drop, "dropped".into()); return; }
                Ok((true, ConnFault::Stall(d))) => {
                    sim.faults.record(conn_id, FaultKind::Stall, format!("stalled for {d:?}"));
                    // Read nothing and send nothing (not even pongs) until the stall ends, unless dropped.
                    let until = Instant::now() + d;
                    loop {
                        tokio::select! {
                            _ = sleep_until(until) => break,
                            f = faults.recv() => if f.is_ok_and(|f| f.hits(conn_id) && f.fault == ConnFault::Drop) {
                                sim.faults.record(conn_id, FaultKind::Drop, "dropped".into());
                                return;
                            },
                        }
                    }
                    next_ping = Instant::now() + ping_interval;
                }
                Ok((true, ConnFault::Malformed)) => {
                    sim.faults.record(conn_id, FaultKind::Malformed, "sent a malformed frame".into());
                    if ws.send(Message::text("{\"id\":")).await.is_err() { return; }
                }
                Ok((true, ConnFault::ServerShutdown)) => {
                    sim.faults.record(conn_id, FaultKind::ServerShutdown, "sent serverShutdown".into());
                    let ev = json!({"event": {"e": "serverShutdown", "E": sim.clock.now_ms()}}).to_string();
                    if ws.send(Message::text(ev)).await.is_err() { return; }
                }
                Ok((true, ConnFault::Lifetime(d))) => {
                    sim.faults.record(conn_id, FaultKind::Lifetime, format!("closing in {d:?}"));
                    close_at = close_at.min(Instant::now() + d);
                }
                // Stream-only faults.
                Ok((true, ConnFault::SkipDepthUpdate)) | Err(_) => {}
            },
            _ = sleep_until(next_ping) => {
                if ws.send(Message::ping("sim")).await.is_err() { return; }
                next_ping = Instant::now() + ping_interval;
                pong_deadline.get_or_insert(Instant::now() + pong_timeout);
            }
            _ = sleep_until(pong_at) => {
                let _ = ws.send(Message::close(Some(tokio_websockets::CloseCode::POLICY_VIOLATION), "Pong timeout")).await;
                return;
            }
            _ = sleep_until(close_at) => {
                let _ = ws.close().await;
                return;
            }
        }
    }
}

/// Unregisters a connection's event queue when its task ends.
struct Registration<'a> {
    sim: &'a SimShared,
    conn_id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.sim.user_streams.lock().unregister(self.conn_id);
    }
}

fn far_future() -> Instant {
    Instant::now() + std::time::Duration::from_secs(86400 * 365)
}
