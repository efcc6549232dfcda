//! Shared setup of the `spot_e2e_*` tests: a quiet local exchange, typed clients for its two default
//! accounts, a recorder of the methods each test exercised, and the plan that says which test covers
//! which of the 55 methods (checked against `spot::METHODS` by `spot_e2e_coverage.rs`).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use binance_ws::api::ApiEvent;
use binance_ws::model::Decimal;
use binance_ws::spot::{Api, ApiRequest};
use binance_ws::{Credentials, Env, Error};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{Sim, SimConfig};
use serde_json::Value;
use tokio::sync::broadcast;

/// Which test exercises which methods. Every test asserts at its end that it exercised exactly its
/// entry; `spot_e2e_coverage.rs` asserts that the entries together are `spot::METHODS`.
pub const PLAN: &[(&str, &[&str])] = &[
    ("spot_e2e_market::general_methods", &["ping", "time", "exchangeInfo", "executionRules"]),
    (
        "spot_e2e_market::market_data_agrees_with_the_book_and_the_trades",
        &[
            "depth",
            "trades.recent",
            "trades.historical",
            "blockTrades.historical",
            "trades.aggregate",
            "klines",
            "uiKlines",
            "avgPrice",
            "ticker.24hr",
            "ticker.tradingDay",
            "ticker",
            "ticker.price",
            "ticker.book",
        ],
    ),
    ("spot_e2e_market::reference_price_is_never_set", &["referencePrice", "referencePrice.calculation"]),
    ("spot_e2e_session::logon_status_logout", &["session.logon", "session.status", "session.logout"]),
    (
        "spot_e2e_account::account_reads_agree_with_the_exchange",
        &["account.status", "account.commission", "account.rateLimits.orders", "myFilters", "myPreventedMatches"],
    ),
    (
        "spot_e2e_trading::orders_of_every_type_and_their_queries",
        &["order.place", "order.test", "order.status", "openOrders.status", "allOrders", "myTrades", "order.cancel"],
    ),
    (
        "spot_e2e_trading::cancel_replace_amend_and_cancel_all",
        &["order.cancelReplace", "order.amend.keepPriority", "order.amendments", "openOrders.cancelAll"],
    ),
    (
        "spot_e2e_lists::order_lists_placed_queried_and_canceled",
        &[
            "orderList.place",
            "orderList.place.oco",
            "orderList.place.oto",
            "orderList.place.otoco",
            "orderList.place.opo",
            "orderList.place.opoco",
            "orderList.cancel",
            "orderList.status",
            "openOrderLists.status",
            "allOrderLists",
        ],
    ),
    ("spot_e2e_lists::sor_place_and_test", &["sor.order.place", "sor.order.test", "myAllocations"]),
    (
        "spot_e2e_user_data::logged_on_subscription_streams_the_fill",
        &["userDataStream.subscribe", "session.subscriptions", "userDataStream.unsubscribe"],
    ),
    ("spot_e2e_user_data::signature_subscription_streams_the_fill", &["userDataStream.subscribe.signature"]),
];

/// Parses a decimal literal.
pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A local exchange without simulated traders (deterministic, empty books).
pub async fn quiet_sim() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.expect("local exchange starts")
}

pub fn env(sim: &Sim) -> Env {
    Env::Local(sim.base_url())
}

/// The Ed25519 account (the client logs its session on by itself).
pub async fn ed25519(sim: &Sim) -> Api {
    let creds = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap();
    Api::connect(&env(sim), Some(creds)).await.expect("ed25519 client connects")
}

/// The HMAC account (every signed request carries its signature).
pub async fn hmac(sim: &Sim) -> Api {
    let creds = Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET);
    Api::connect(&env(sim), Some(creds)).await.expect("hmac client connects")
}

pub const ED_KEY: &str = DEFAULT_ED25519_API_KEY;
pub const HMAC_KEY: &str = DEFAULT_HMAC_API_KEY;

/// The exchange's free and locked balance of `asset` for `api_key`.
pub fn truth_balance(sim: &Sim, api_key: &str, asset: &str) -> (Decimal, Decimal) {
    let all = sim.balances(api_key).expect("account exists");
    all.iter().find(|(a, _)| a == asset).map(|(_, b)| (b.free, b.locked)).unwrap_or_default()
}

/// Asserts `err` is the exchange's answer with `code`.
#[track_caller]
pub fn assert_code(err: &Error, code: i64) {
    assert_eq!(err.code(), Some(code), "expected code {code}, got: {err}");
}

/// The methods a test exercised.
#[derive(Default)]
pub struct Coverage {
    hit: BTreeSet<&'static str>,
}

impl Coverage {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `R`'s method was called and its reply checked.
    pub fn hit<R: ApiRequest>(&mut self) {
        self.hit.insert(R::METHOD);
    }

    /// Asserts the test exercised exactly what [`PLAN`] says for `test`.
    #[track_caller]
    pub fn finish(self, test: &str) {
        let planned: BTreeSet<&str> = PLAN
            .iter()
            .find(|(t, _)| *t == test)
            .unwrap_or_else(|| panic!("{test} is not in PLAN"))
            .1
            .iter()
            .copied()
            .collect();
        assert_eq!(self.hit, planned, "{test}: methods exercised vs planned");
    }
}

/// User data events of one client, in arrival order, as parsed JSON.
pub struct Events {
    rx: broadcast::Receiver<ApiEvent>,
}

impl Events {
    pub fn of(api: &Api) -> Events {
        Events { rx: api.client().events() }
    }

    /// The next user data event: (subscription id, event).
    pub async fn next(&mut self) -> Option<(Option<u64>, Value)> {
        loop {
            match tokio::time::timeout(Duration::from_secs(3), self.rx.recv()).await {
                Err(_) => return None,
                Ok(Err(broadcast::error::RecvError::Lagged(n))) => panic!("lost {n} events"),
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                Ok(Ok(ApiEvent::UserData { subscription_id, event_type, raw })) => {
                    let v: Value = serde_json::from_str(&raw).expect("event is JSON");
                    assert_eq!(v["e"], event_type.as_str(), "event_type is the event's `e`");
                    return Some((subscription_id, v));
                }
                Ok(Ok(_)) => continue,
            }
        }
    }

    /// Events until (and including) the first for which `stop` is true.
    pub async fn until(&mut self, mut stop: impl FnMut(&Value) -> bool) -> Vec<(Option<u64>, Value)> {
        let mut out = Vec::new();
        loop {
            let ev = self.next().await.unwrap_or_else(|| panic!("events stopped; so far: {out:?}"));
            let done = stop(&ev.1);
            out.push(ev);
            if done {
                return out;
            }
        }
    }

    /// Nothing arrives within `ms`.
    pub async fn quiet_for(&mut self, ms: u64) -> Option<Value> {
        match tokio::time::timeout(Duration::from_millis(ms), self.next()).await {
            Ok(Some((_, v))) => Some(v),
            _ => None,
        }
    }
}
