//! What the USDⓈ-M ([`crate::usdm`]) and COIN-M ([`crate::coinm`]) WebSocket APIs share: the order
//! builders ([`NewOrder`], [`ModifyOrder`]), generic over the product so that each product gets its own
//! response type, and the listen key result of `userDataStream.start`/`ping`.

mod api;
mod modify;
mod order;

pub use api::Api;
pub use modify::ModifyOrder;
pub use order::NewOrder;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::env::Product;
use crate::validate::Venue;

/// A futures product: which order type its order methods answer with, and which checks apply.
pub trait FuturesProduct: Send + Sync + 'static {
    /// The order as `order.place`, `order.modify`, `order.cancel` and `order.status` return it.
    type Order: DeserializeOwned + Send + std::fmt::Debug;
    /// The per-type rules that apply to its orders.
    const VENUE: Venue;
    /// Its endpoints in [`crate::Env`].
    const PRODUCT: Product;
}

/// USDⓈ-M futures (`ws-fapi`), the `P` of [`crate::usdm::NewOrder`] and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsdMargined {}

/// COIN-M futures (`ws-dapi`), the `P` of [`crate::coinm::NewOrder`] and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoinMargined {}

impl FuturesProduct for UsdMargined {
    type Order = crate::api::usdm::Order;
    const VENUE: Venue = Venue::UsdM;
    const PRODUCT: Product = Product::UsdM;
}

impl FuturesProduct for CoinMargined {
    type Order = crate::api::coinm::Order;
    const VENUE: Venue = Venue::CoinM;
    const PRODUCT: Product = Product::CoinM;
}

/// The result of `userDataStream.start` and `userDataStream.ping`. `Debug` shows only the start of
/// the key: whoever holds it can read the account's events.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenKey {
    /// The key that names the account's user data stream (valid 60 minutes after the last keepalive).
    pub listen_key: String,
}

impl std::fmt::Debug for ListenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenKey").field("listen_key", &redact_key(&self.listen_key)).finish()
    }
}

/// The first 4 characters of a listen key, for logs and `Debug`.
pub(crate) fn redact_key(key: &str) -> String {
    let head: String = key.chars().take(4).collect();
    format!("{head}...")
}

/// Futures booleans go on the wire as the strings `"true"`/`"false"` (`reduceOnly`, `closePosition`).
pub(crate) fn bool_param(v: bool) -> serde_json::Value {
    serde_json::Value::String(if v { "true" } else { "false" }.into())
}
