//! Shared setup of the `user_data_*` tests: the reference docs reader, a quiet local exchange, clients for
//! its default accounts, and bounded waits on a user data stream.
#![allow(dead_code)]

pub mod docs;

use std::str::FromStr;
use std::time::Duration;

use binance_ws::api::ApiConfig;
use binance_ws::model::Decimal;
use binance_ws::spot::Api;
use binance_ws::transport::TransportConfig;
use binance_ws::user_data::spot::{UserDataStream, UserEvent};
use binance_ws::{Credentials, Env};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;

pub const ED_KEY: &str = DEFAULT_ED25519_API_KEY;
pub const HMAC_KEY: &str = DEFAULT_HMAC_API_KEY;

/// How long a test waits for something that should happen at once (generous: the machine is shared).
pub const WAIT: Duration = Duration::from_secs(10);

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A local exchange without simulated traders.
pub async fn quiet_sim() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.expect("local exchange starts")
}

/// A quiet exchange whose ORDERS limit (Binance: 50 per 10 s) does not stop a test's continuous trading.
pub async fn trading_sim() -> Sim {
    Sim::start(SimConfig { activity: None, orders_per_10s: 100_000, ..Default::default() })
        .await
        .expect("local exchange starts")
}

pub fn ed25519_credentials() -> Credentials {
    Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap()
}

pub fn hmac_credentials() -> Credentials {
    Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)
}

/// Reconnects within a few hundred milliseconds, so that drop tests stay short.
pub fn fast_reconnect() -> ApiConfig {
    ApiConfig {
        transport: TransportConfig {
            backoff_floor: Duration::from_millis(50),
            backoff_ceiling: Duration::from_millis(300),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub async fn connect(sim: &Sim, credentials: Credentials) -> Api {
    Api::connect_with(&Env::Local(sim.base_url()), Some(credentials), fast_reconnect()).await.expect("client connects")
}

/// The Ed25519 account, logged on by the client.
pub async fn ed25519(sim: &Sim) -> Api {
    connect(sim, ed25519_credentials()).await
}

/// The HMAC account (signs every request).
pub async fn hmac(sim: &Sim) -> Api {
    connect(sim, hmac_credentials()).await
}

/// The exchange's free and locked balance of `asset` for `api_key`.
pub fn truth_balance(sim: &Sim, api_key: &str, asset: &str) -> (Decimal, Decimal) {
    let all = sim.balances(api_key).expect("account exists");
    all.iter().find(|(a, _)| a == asset).map(|(_, b)| (b.free, b.locked)).unwrap_or_default()
}

/// The next item, or `None` when nothing arrives within [`WAIT`] or the stream ended.
pub async fn next(stream: &mut UserDataStream) -> Option<UserEvent> {
    tokio::time::timeout(WAIT, stream.next()).await.ok().flatten()
}

/// Items until (and including) the first for which `stop` is true.
pub async fn until(stream: &mut UserDataStream, mut stop: impl FnMut(&UserEvent) -> bool) -> Vec<UserEvent> {
    let mut out = Vec::new();
    loop {
        let ev = next(stream).await.unwrap_or_else(|| panic!("events stopped; so far: {out:#?}"));
        let done = stop(&ev);
        out.push(ev);
        if done {
            return out;
        }
    }
}

/// Nothing arrives within `ms`.
pub async fn quiet_for(stream: &mut UserDataStream, ms: u64) -> Option<UserEvent> {
    tokio::time::timeout(Duration::from_millis(ms), stream.next()).await.ok().flatten()
}

/// A short name per item, for asserting order: `NEW/NEW`, `pos`, `bal`, `list`, `lock`, `end`, `notice`.
pub fn shape(events: &[UserEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            UserEvent::ExecutionReport(r) => format!("{}/{}", r.execution_type, r.status),
            UserEvent::AccountPosition(_) => "pos".into(),
            UserEvent::BalanceUpdate(_) => "bal".into(),
            UserEvent::ListStatus(l) => format!("list:{}", l.list_status_type),
            UserEvent::ExternalLockUpdate(_) => "lock".into(),
            UserEvent::StreamTerminated(_) => "end".into(),
            UserEvent::Other { event_type, .. } => format!("other:{event_type}"),
            UserEvent::Notice(_) => "notice".into(),
            _ => "?".into(),
        })
        .collect()
}

pub fn is_position(e: &UserEvent) -> bool {
    matches!(e, UserEvent::AccountPosition(_))
}
