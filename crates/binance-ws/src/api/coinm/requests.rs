//! The COIN-M methods with table-shaped parameters: session, order cancel and query, account and
//! listen key management. `order.place` and `order.modify` take the builders of
//! [`crate::api::futures`].

use super::models::{Account, Balance, Order, Position};
use crate::api::futures::ListenKey;
use crate::api::request::requests;
use crate::api::spot::{Empty, SessionStatus};
use crate::api::OrderRef;

requests! {
    api: crate::api::coinm::Api;

    /// Authenticates the connection with the client's API key (Ed25519 keys only); later signed
    /// requests then need only a `timestamp`. The engine adds `apiKey`, `timestamp` and `signature`.
    session_logon => SessionLogon("session.logon", Signed) -> SessionStatus {}

    /// Which API key (if any) authenticates the connection.
    session_status => SessionStatusRequest("session.status", None) -> SessionStatus {}

    /// Forgets the authenticated API key; the connection stays open.
    session_logout => SessionLogout("session.logout", None) -> SessionStatus {}

    /// Cancels an active order.
    cancel_order => CancelOrder("order.cancel", Signed) -> Order {
        req symbol: into String = "symbol"; "Symbol.",
        req order: into OrderRef = "orderId|origClientOrderId"; "The order: `orderId` or `origClientOrderId`.",
    }

    /// An order's status (orders canceled or expired without fills are kept 3 days, others 90 days).
    order_status => OrderStatusRequest("order.status", Signed) -> Order {
        req symbol: into String = "symbol"; "Symbol.",
        req order: into OrderRef = "orderId|origClientOrderId"; "The order: `orderId` or `origClientOrderId`.",
    }

    /// Position information.
    account_position => PositionRequest("account.position", Signed) -> Vec<Position> {
        opt margin_asset: into String = "marginAsset"; "Only positions margined in this asset.",
        opt pair: into String = "pair"; "Only this pair (`BTCUSD`).",
    }

    /// Futures account balances.
    account_balance => BalanceRequest("account.balance", Signed) -> Vec<Balance> {}

    /// Account information: assets and positions.
    account_status => AccountStatus("account.status", Signed) -> Account {}

    /// Starts the user data stream (or extends the account's active one): its listen key, valid
    /// 60 minutes after the last keepalive. Sent with the `apiKey` only.
    user_data_stream_start => UserDataStreamStart("userDataStream.start", ApiKey) -> ListenKey {}

    /// Keeps the user data stream alive for another 60 minutes.
    user_data_stream_ping => UserDataStreamPing("userDataStream.ping", ApiKey) -> ListenKey {}

    /// Closes the user data stream.
    user_data_stream_stop => UserDataStreamStop("userDataStream.stop", ApiKey) -> Empty {}
}
