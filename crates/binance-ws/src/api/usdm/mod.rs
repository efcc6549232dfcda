//! The USDⓈ-M futures WebSocket API (`ws-fapi/v1`), typed: one request type per method of the
//! USDⓈ-M WebSocket API pages, and [`Api`], a handle with one method per request, shaped like
//! [`crate::spot::Api`].
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::{usdm::{Api, NewOrder, PositionSide}, model::{Decimal, Side}, Credentials, Env};
//! let api = Api::connect(&Env::Local("ws://127.0.0.1:9443".into()), Some(Credentials::from_env()?)).await?;
//! let price = api.ticker_price().symbol("BTCUSDT").await?.into_vec()[0].price;
//! let order = api
//!     .place_order(NewOrder::limit("BTCUSDT", Side::Buy, Decimal::new(1, 3), price).position_side(PositionSide::Long))
//!     .await?;
//! api.cancel_order("BTCUSDT", order.order_id).await?;
//! # Ok(()) }
//! ```
//!
//! `apiKey`, `timestamp`, `signature` and `recvWindow` are never part of a request's params: the
//! engine adds them. `algoOrder.place`/`algoOrder.cancel` are not here: the reference pages this
//! library is built from do not document them (use [`Api::call`] until they do).

mod models;
mod requests;

pub use models::*;
pub use requests::*;

pub use crate::api::futures::{FuturesProduct, ListenKey, UsdMargined};
pub use crate::api::spot::{Empty, OneOrMany, PriceLevel, SessionStatus};
pub use crate::api::{ApiRequest, Call, OrderRef, Security};
pub use crate::model::futures::*;

/// A connection to the USDⓈ-M futures WebSocket API (see [`crate::api::futures::Api`]).
pub type Api = crate::api::futures::Api<UsdMargined>;
/// A USDⓈ-M `order.place` request (see [`crate::api::futures::NewOrder`]).
pub type NewOrder = crate::api::futures::NewOrder<UsdMargined>;
/// A USDⓈ-M `order.modify` request (see [`crate::api::futures::ModifyOrder`]).
pub type ModifyOrder = crate::api::futures::ModifyOrder<UsdMargined>;

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

/// Every USDⓈ-M WebSocket API method with a typed request here.
pub const METHODS: &[&str] = &[
    <SessionLogon as ApiRequest>::METHOD,
    <SessionStatusRequest as ApiRequest>::METHOD,
    <SessionLogout as ApiRequest>::METHOD,
    <Depth as ApiRequest>::METHOD,
    <TickerPrice as ApiRequest>::METHOD,
    <TickerBook as ApiRequest>::METHOD,
    <NewOrder as ApiRequest>::METHOD,
    <ModifyOrder as ApiRequest>::METHOD,
    <CancelOrder as ApiRequest>::METHOD,
    <OrderStatusRequest as ApiRequest>::METHOD,
    <PositionRequest as ApiRequest>::METHOD,
    <PositionV2Request as ApiRequest>::METHOD,
    <BalanceRequest as ApiRequest>::METHOD,
    <BalanceV2Request as ApiRequest>::METHOD,
    <AccountStatus as ApiRequest>::METHOD,
    <AccountStatusV2 as ApiRequest>::METHOD,
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
        assert_eq!(METHODS.len(), 19);
    }
}
