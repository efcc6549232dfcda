//! User data streams: the engine's user events as user-data-stream.md shows them, and their delivery to the
//! WebSocket API connections subscribed for an account.
//!
//! Each connection registers a bounded queue of outgoing frames. Events are queued in the order the engine
//! recorded them (the exchange lock is held while they are queued, so operations never interleave). A
//! connection whose queue is full is unregistered, which closes it: the exchange never waits for a slow reader.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use crate::exchange::{AccountId, ExecType, ExecutionReport, ListStatus, OrderStatus, UserEvent};
use crate::market::fmt_dec;

/// The most subscriptions a connection may open over its lifetime (web-socket-api.md: 65,535).
pub const MAX_LIFETIME_SUBSCRIPTIONS: u64 = 65_535;

/// One subscription of a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Its `subscriptionId`.
    pub id: u64,
    /// The account whose events it carries.
    pub account: AccountId,
    /// Opened with `userDataStream.subscribe` on a logged-on session (closed by `session.logout`).
    pub via_logon: bool,
}

struct Conn {
    tx: mpsc::Sender<String>,
    subs: Vec<Subscription>,
    opened: u64,
}

/// Why a subscription could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscribeError {
    /// The account already has a subscription on this connection.
    AlreadyActive,
    /// The connection used up its subscription ids.
    Exhausted,
    /// The connection is gone.
    Closed,
}

/// Every connection's outgoing queue and subscriptions.
#[derive(Default)]
pub struct UserStreams {
    conns: HashMap<u64, Conn>,
    /// Order ids placed through SOR (their execution reports carry the SOR fields).
    pub(crate) sor_orders: HashSet<u64>,
}

impl UserStreams {
    /// Registers a connection's outgoing queue.
    pub fn register(&mut self, conn: u64, tx: mpsc::Sender<String>) {
        self.conns.insert(conn, Conn { tx, subs: Vec::new(), opened: 0 });
    }

    /// Forgets a connection (it closed).
    pub fn unregister(&mut self, conn: u64) {
        self.conns.remove(&conn);
    }

    /// Opens a subscription for `account` on `conn`.
    pub fn subscribe(&mut self, conn: u64, account: AccountId, via_logon: bool) -> Result<u64, SubscribeError> {
        let c = self.conns.get_mut(&conn).ok_or(SubscribeError::Closed)?;
        if c.subs.iter().any(|s| s.account == account) {
            return Err(SubscribeError::AlreadyActive);
        }
        if c.opened >= MAX_LIFETIME_SUBSCRIPTIONS {
            return Err(SubscribeError::Exhausted);
        }
        let id = c.opened;
        c.opened += 1;
        c.subs.push(Subscription { id, account, via_logon });
        Ok(id)
    }

    /// Closes the subscriptions of `conn` that `which` selects; returns them.
    pub fn unsubscribe(&mut self, conn: u64, which: impl Fn(&Subscription) -> bool) -> Vec<Subscription> {
        let Some(c) = self.conns.get_mut(&conn) else { return Vec::new() };
        let (gone, kept): (Vec<_>, Vec<_>) = c.subs.drain(..).partition(|s| which(s));
        c.subs = kept;
        gone
    }

    /// The subscriptions of `conn`.
    pub fn subscriptions(&self, conn: u64) -> Vec<Subscription> {
        self.conns.get(&conn).map(|c| c.subs.clone()).unwrap_or_default()
    }

    /// Whether any account has a subscription (events are formatted only then).
    pub fn wants(&self, account: AccountId) -> bool {
        self.conns.values().any(|c| c.subs.iter().any(|s| s.account == account))
    }

    /// Queues a frame on one connection; a full queue drops the connection. Returns false when dropped.
    pub fn send(&mut self, conn: u64, frame: String) -> bool {
        let Some(c) = self.conns.get(&conn) else { return false };
        if c.tx.try_send(frame).is_err() {
            self.conns.remove(&conn);
            return false;
        }
        true
    }

    /// Queues `event` on every subscription for `account`; returns the connections dropped for overflow.
    pub fn deliver(&mut self, account: AccountId, event: &Value) -> Vec<u64> {
        let mut targets = Vec::new();
        for (id, c) in &self.conns {
            for s in c.subs.iter().filter(|s| s.account == account) {
                targets.push((*id, s.id));
            }
        }
        let mut dropped = Vec::new();
        for (conn, sub) in targets {
            let frame = json!({"subscriptionId": sub, "event": event}).to_string();
            if !self.send(conn, frame) && !dropped.contains(&conn) {
                dropped.push(conn);
            }
        }
        dropped
    }
}

/// `eventStreamTerminated` for one subscription.
pub fn terminated_frame(subscription_id: u64, now_ms: u64) -> String {
    json!({"subscriptionId": subscription_id, "event": {"e": "eventStreamTerminated", "E": now_ms}}).to_string()
}

/// SOR details of an execution report: the order went through SOR; `allocation` is set for fills.
#[derive(Debug, Clone, Copy, Default)]
pub struct SorInfo {
    /// Whether the order was placed with SOR.
    pub used_sor: bool,
    /// The allocation id of this fill.
    pub allocation_id: Option<u64>,
}

/// A user event's `event` object.
pub fn event_json(ev: &UserEvent, sor: SorInfo) -> Value {
    match ev {
        UserEvent::Execution(r) => execution_report_json(r, sor),
        UserEvent::AccountPosition { event_time, last_update_time, balances } => json!({
            "e": "outboundAccountPosition",
            "E": event_time,
            "u": last_update_time,
            "B": balances.iter().map(|(a, b)| json!({"a": a, "f": fmt_dec(b.free), "l": fmt_dec(b.locked)}))
                .collect::<Vec<_>>(),
        }),
        UserEvent::BalanceUpdate { event_time, asset, delta, clear_time } => json!({
            "e": "balanceUpdate", "E": event_time, "a": asset, "d": fmt_dec(*delta), "T": clear_time,
        }),
        UserEvent::ListStatus(l) => list_status_event_json(l, l.transaction_time),
        UserEvent::ExternalLock { event_time, asset, delta, transaction_time } => json!({
            "e": "externalLockUpdate", "E": event_time, "a": asset, "d": fmt_dec(*delta), "T": transaction_time,
        }),
    }
}

/// The `listStatus` event.
pub fn list_status_event_json(l: &ListStatus, event_time: u64) -> Value {
    json!({
        "e": "listStatus",
        "E": event_time,
        "s": l.symbol,
        "g": l.order_list_id,
        "c": l.contingency_type.as_str(),
        "l": l.list_status_type.as_str(),
        "L": l.list_order_status.as_str(),
        "r": l.list_reject_reason.as_str(),
        "C": l.list_client_order_id,
        "T": l.transaction_time,
        "O": l.orders.iter().map(|o| json!({"s": o.symbol, "i": o.order_id, "c": o.client_order_id}))
            .collect::<Vec<_>>(),
    })
}

/// The `executionReport` event with every field, conditional ones included when their condition holds.
pub fn execution_report_json(r: &ExecutionReport, sor: SorInfo) -> Value {
    let o = &r.order;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("e", json!("executionReport"));
    put("E", json!(r.transact_time));
    put("s", json!(o.symbol));
    put("c", json!(o.client_order_id));
    put("S", json!(o.side.as_str()));
    put("o", json!(o.order_type.as_str()));
    put("f", json!(o.time_in_force.as_str()));
    put("q", json!(fmt_dec(o.orig_qty)));
    put("p", json!(fmt_dec(o.price)));
    put("P", json!(fmt_dec(o.stop_price.unwrap_or_default())));
    put("F", json!(fmt_dec(o.iceberg_qty.unwrap_or_default())));
    put("g", json!(o.order_list_id));
    put("C", json!(r.orig_client_order_id));
    put("x", json!(r.exec_type.as_str()));
    put("X", json!(o.status.as_str()));
    put("r", json!(r.reject_reason.as_str()));
    put("i", json!(o.order_id));
    put("l", json!(fmt_dec(r.last_qty)));
    put("z", json!(fmt_dec(o.executed_qty)));
    put("L", json!(fmt_dec(r.last_price)));
    match &r.commission_asset {
        Some(a) => {
            put("n", json!(fmt_dec(r.commission)));
            put("N", json!(a));
        }
        None => {
            put("n", json!("0"));
            put("N", Value::Null);
        }
    }
    put("T", json!(r.transact_time));
    put("t", json!(r.trade_id));
    // The prevented match id goes where the docs' example shows it; the other STP fields (whose place the docs do
    // not show) stay at the end.
    if let Some(v) = r.prevention.as_ref().map(|p| p.prevented_match_id).or(o.prevented_match_id) {
        put("v", json!(v));
    }
    put("I", json!(r.execution_id));
    put("w", json!(o.is_working));
    put("m", json!(r.is_maker));
    put("M", json!(false));
    put("O", json!(o.time));
    put("Z", json!(fmt_dec(o.cumulative_quote_qty)));
    put("Y", json!(fmt_dec(r.last_quote_qty)));
    put("Q", json!(fmt_dec(o.orig_quote_order_qty)));
    if let Some(w) = o.working_time {
        put("W", json!(w));
    }
    put("V", json!(o.stp_mode.as_str()));
    if let Some(d) = o.trailing_delta {
        put("d", json!(d));
        put("D", json!(o.trailing_time.unwrap_or(-1)));
    }
    if let Some(j) = o.strategy_id {
        put("j", json!(j));
    }
    if let Some(j) = o.strategy_type {
        put("J", json!(j));
    }
    if let Some(p) = &r.prevention {
        put("A", json!(fmt_dec(o.prevented_qty)));
        put("B", json!(fmt_dec(p.last_prevented_qty)));
        put("u", json!(p.trade_group_id));
        put("U", json!(p.counter_order_id));
        put("Cs", json!(p.counter_symbol));
        put("pl", json!(fmt_dec(p.prevented_execution_qty)));
        put("pL", json!(fmt_dec(p.prevented_execution_price)));
        put("pY", json!(fmt_dec(p.prevented_execution_quote_qty)));
    } else if o.prevented_match_id.is_some() {
        put("A", json!(fmt_dec(o.prevented_qty)));
    }
    if sor.used_sor {
        put("k", json!("SOR"));
        put("uS", json!(true));
        if let (Some(a), ExecType::Trade) = (sor.allocation_id, r.exec_type) {
            put("b", json!("ONE_PARTY_TRADE_REPORT"));
            put("a", json!(a));
        }
    }
    if let (Some(reason), OrderStatus::Expired | OrderStatus::ExpiredInMatch) = (o.expiry_reason, o.status) {
        put("eR", json!(reason.as_str()));
    }
    Value::Object(m)
}

/// An allocation of an SOR order's fill (myAllocations).
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub account: AccountId,
    pub symbol: String,
    pub allocation_id: u64,
    pub order_id: u64,
    pub order_list_id: i64,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: u64,
    pub is_buyer: bool,
    pub is_maker: bool,
}

impl Allocation {
    /// As myAllocations shows it.
    pub fn to_json(&self) -> Value {
        json!({
            "symbol": self.symbol,
            "allocationId": self.allocation_id,
            "allocationType": "SOR",
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "price": fmt_dec(self.price),
            "qty": fmt_dec(self.qty),
            "quoteQty": fmt_dec(self.quote_qty),
            "commission": fmt_dec(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time,
            "isBuyer": self.is_buyer,
            "isMaker": self.is_maker,
            "isAllocator": false,
        })
    }
}
