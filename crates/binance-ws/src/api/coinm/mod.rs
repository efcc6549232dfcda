//! The COIN-M futures WebSocket API (`ws-dapi/v1`), typed: one request type per method of the
//! COIN-M WebSocket API pages, and [`Api`], a handle with one method per request, shaped like
//! [`crate::spot::Api`].
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::{coinm::{Api, NewOrder}, model::{Decimal, Side}, Credentials, Env};
//! let api = Api::connect(&Env::Local("ws://127.0.0.1:9443".into()), Some(Credentials::from_env()?)).await?;
//! let order = api.place_order(NewOrder::limit("BTCUSD_PERP", Side::Buy, Decimal::ONE, Decimal::from(50000))).await?;
//! let balances = api.account_balance().await?;
//! api.cancel_order("BTCUSD_PERP", order.order_id).await?;
//! println!("{} assets", balances.len());
//! # Ok(()) }
//! ```
//!
//! `apiKey`, `timestamp`, `signature` and `recvWindow` are never part of a request's params: the
//! engine adds them. COIN-M has no market data methods on the WebSocket API (use the market streams).

mod models;
mod requests;

pub use models::*;
pub use requests::*;

pub use crate::api::futures::{CoinMargined, FuturesProduct, ListenKey};
pub use crate::api::spot::{Empty, SessionStatus};
pub use crate::api::{ApiRequest, Call, OrderRef, Security};
pub use crate::model::futures::*;

/// A connection to the COIN-M futures WebSocket API (see [`crate::api::futures::Api`]).
pub type Api = crate::api::futures::Api<CoinMargined>;
/// A COIN-M `order.place` request (see [`crate::api::futures::NewOrder`]).
pub type NewOrder = crate::api::futures::NewOrder<CoinMargined>;
/// A COIN-M `order.modify` request (see [`crate::api::futures::ModifyOrder`]).
pub type ModifyOrder = crate::api::futures::ModifyOrder<CoinMargined>;

impl Api {
    /// Places an order (`order.place`), checked first by [`Api::validator`].
    pub fn place_order(&self, order: NewOrder) -> Call<'_, NewOrder, Api> {
        Call::new(self, order)
    }

    /// Modifies a `LIMIT` order's quantity and price (`order.modify`), checked first.
    pub fn modify_order(&self, request: ModifyOrder) -> Call<'_, ModifyOrder, Api> {
        Call::new(self, request)
    }
}

/// Every COIN-M WebSocket API method with a typed request here.
pub const METHODS: &[&str] = &[
    <SessionLogon as ApiRequest>::METHOD,
    <SessionStatusRequest as ApiRequest>::METHOD,
    <SessionLogout as ApiRequest>::METHOD,
    <NewOrder as ApiRequest>::METHOD,
    <ModifyOrder as ApiRequest>::METHOD,
    <CancelOrder as ApiRequest>::METHOD,
    <OrderStatusRequest as ApiRequest>::METHOD,
    <PositionRequest as ApiRequest>::METHOD,
    <BalanceRequest as ApiRequest>::METHOD,
    <AccountStatus as ApiRequest>::METHOD,
    <UserDataStreamStart as ApiRequest>::METHOD,
    <UserDataStreamPing as ApiRequest>::METHOD,
    <UserDataStreamStop as ApiRequest>::METHOD,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for m in METHODS {
            assert!(seen.insert(m), "{m} listed twice");
        }
        assert_eq!(METHODS.len(), 13);
    }
}
