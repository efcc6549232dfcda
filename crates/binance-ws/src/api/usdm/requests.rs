//! The USDⓈ-M methods with table-shaped parameters: session, market data, order cancel and query,
//! account and listen key management. `order.place` and `order.modify` take the builders of
//! [`crate::api::futures`] (see `trade.rs`).

use super::models::{Account, AccountV2, Balance, BookTicker, DepthSnapshot, Order, Position, PositionV2, PriceTicker};
use crate::api::futures::ListenKey;
use crate::api::request::requests;
use crate::api::spot::{Empty, OneOrMany, SessionStatus};
use crate::api::OrderRef;

requests! {
    api: crate::api::usdm::Api;

    /// Authenticates the connection with the client's API key (Ed25519 keys only); later signed
    /// requests then need only a `timestamp`. The engine adds `apiKey`, `timestamp` and `signature`.
    session_logon => SessionLogon("session.logon", Signed) -> SessionStatus {}

    /// Which API key (if any) authenticates the connection.
    session_status => SessionStatusRequest("session.status", None) -> SessionStatus {}

    /// Forgets the authenticated API key; the connection stays open.
    session_logout => SessionLogout("session.logout", None) -> SessionStatus {}

    /// The current order book (limited depth).
    depth => Depth("depth", None) -> DepthSnapshot {
        req symbol: into String = "symbol"; "Symbol.",
        opt limit: val u32 = "limit"; "Levels per side: 5, 10, 20, 50, 100, 500 (default) or 1000.",
    }

    /// The latest price of one symbol ([`OneOrMany::One`]) or of all ([`OneOrMany::Many`]).
    ticker_price => TickerPrice("ticker.price", None) -> OneOrMany<PriceTicker> {
        opt symbol: into String = "symbol"; "Symbol (default: all symbols).",
    }

    /// The best bid and ask of one symbol ([`OneOrMany::One`]) or of all ([`OneOrMany::Many`]).
    ticker_book => TickerBook("ticker.book", None) -> OneOrMany<BookTicker> {
        opt symbol: into String = "symbol"; "Symbol (default: all symbols).",
    }

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

    /// Position information (with leverage and margin type).
    account_position => PositionRequest("account.position", Signed) -> Vec<Position> {
        opt symbol: into String = "symbol"; "Only this symbol.",
    }

    /// Position information V2 (symbols with a position or open orders).
    account_position_v2 => PositionV2Request("v2/account.position", Signed) -> Vec<PositionV2> {
        opt symbol: into String = "symbol"; "Only this symbol.",
    }

    /// Futures account balances.
    account_balance => BalanceRequest("account.balance", Signed) -> Vec<Balance> {}

    /// Futures account balances V2.
    account_balance_v2 => BalanceV2Request("v2/account.balance", Signed) -> Vec<Balance> {}

    /// Account information: totals, assets and every symbol's position.
    account_status => AccountStatus("account.status", Signed) -> Account {}

    /// Account information V2: totals, assets and the positions that are open.
    account_status_v2 => AccountStatusV2("v2/account.status", Signed) -> AccountV2 {}

    /// Starts the user data stream (or extends the account's active one): its listen key, valid
    /// 60 minutes after the last keepalive. Sent with the `apiKey` only.
    user_data_stream_start => UserDataStreamStart("userDataStream.start", ApiKey) -> ListenKey {}

    /// Keeps the user data stream alive for another 60 minutes.
    user_data_stream_ping => UserDataStreamPing("userDataStream.ping", ApiKey) -> ListenKey {}

    /// Closes the user data stream.
    user_data_stream_stop => UserDataStreamStop("userDataStream.stop", ApiKey) -> Empty {}
}
