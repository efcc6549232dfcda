//! Spot user data events, field by field as `user-data-stream.md` lists them, decoded in one pass: peek at
//! `e`, then deserialize the event's bytes straight into its type. Prices and quantities are exact
//! [`Decimal`]s; fields the docs call conditional are `Option`s.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{
    ContingencyType, ExecutionType, ExpiryReason, ListOrderStatus, ListStatusType, OrderStatus, OrderType,
    PegOffsetType, PegPriceType, SelfTradePreventionMode, Side, TimeInForce, WorkingFloor,
};
use crate::Error;

crate::model::string_enum! {
    /// Why an order was rejected (`executionReport.r`; user-data-stream.md, "Order Reject Reason").
    OrderRejectReason {
        /// Not rejected.
        None = "NONE",
        /// "Account has insufficient balance for requested action."
        InsufficientBalances = "INSUFFICIENT_BALANCES",
        /// "Order would trigger immediately."
        StopPriceWouldTriggerImmediately = "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY",
        /// "Order would immediately match and take."
        WouldMatchImmediately = "WOULD_MATCH_IMMEDIATELY",
        /// "The relationship of the prices for the orders is not correct."
        OcoBadPrices = "OCO_BAD_PRICES",
    } Unknown
}

crate::model::string_enum! {
    /// How an allocated fill was matched (`executionReport.b`).
    MatchType {
        /// `ONE_PARTY_TRADE_REPORT` (SOR allocations).
        OnePartyTradeReport = "ONE_PARTY_TRADE_REPORT",
    } Unknown
}

/// `executionReport`: an order was placed, traded, canceled, amended, rejected or expired.
///
/// Average fill price is `cumulative_quote_qty / cumulative_qty`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExecutionReport {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// `s`: symbol.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `c`: client order id.
    #[serde(rename = "c")]
    pub client_order_id: String,
    /// `S`: side.
    #[serde(rename = "S")]
    pub side: Side,
    /// `o`: order type.
    #[serde(rename = "o")]
    pub order_type: OrderType,
    /// `f`: time in force.
    #[serde(rename = "f")]
    pub time_in_force: TimeInForce,
    /// `q`: order quantity.
    #[serde(rename = "q")]
    pub quantity: Decimal,
    /// `p`: order price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// `P`: stop price (zero when unused).
    #[serde(rename = "P")]
    pub stop_price: Decimal,
    /// `F`: iceberg quantity (zero when unused).
    #[serde(rename = "F")]
    pub iceberg_qty: Decimal,
    /// `g`: order list id; -1 outside a list.
    #[serde(rename = "g")]
    pub order_list_id: i64,
    /// `C`: the client order id of the order being canceled or amended; empty otherwise.
    #[serde(rename = "C")]
    pub orig_client_order_id: String,
    /// `x`: what happened.
    #[serde(rename = "x")]
    pub execution_type: ExecutionType,
    /// `X`: the order's status after it.
    #[serde(rename = "X")]
    pub status: OrderStatus,
    /// `r`: reject reason.
    #[serde(rename = "r")]
    pub reject_reason: OrderRejectReason,
    /// `i`: order id.
    #[serde(rename = "i")]
    pub order_id: u64,
    /// `l`: last executed quantity.
    #[serde(rename = "l")]
    pub last_qty: Decimal,
    /// `z`: cumulative filled quantity.
    #[serde(rename = "z")]
    pub cumulative_qty: Decimal,
    /// `L`: last executed price.
    #[serde(rename = "L")]
    pub last_price: Decimal,
    /// `n`: commission amount.
    #[serde(rename = "n")]
    pub commission: Decimal,
    /// `N`: commission asset; `None` when no commission was charged.
    #[serde(rename = "N")]
    pub commission_asset: Option<String>,
    /// `T`: transaction time, epoch ms.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// `t`: trade id; -1 unless this is a trade.
    #[serde(rename = "t")]
    pub trade_id: i64,
    /// `I`: execution id.
    #[serde(rename = "I")]
    pub execution_id: u64,
    /// `w`: whether the order is on the book.
    #[serde(rename = "w")]
    pub is_working: bool,
    /// `m`: whether this trade was the maker side.
    #[serde(rename = "m")]
    pub is_maker: bool,
    /// `O`: order creation time, epoch ms.
    #[serde(rename = "O")]
    pub order_creation_time: u64,
    /// `Z`: cumulative quote quantity transacted.
    #[serde(rename = "Z")]
    pub cumulative_quote_qty: Decimal,
    /// `Y`: last quote quantity transacted (`last_price * last_qty`).
    #[serde(rename = "Y")]
    pub last_quote_qty: Decimal,
    /// `Q`: quote order quantity.
    #[serde(rename = "Q")]
    pub quote_order_qty: Decimal,
    /// `V`: self-trade prevention mode.
    #[serde(rename = "V")]
    pub self_trade_prevention_mode: SelfTradePreventionMode,
    /// `W`: when the order went on the book, epoch ms (only once it is working).
    #[serde(rename = "W", default)]
    pub working_time: Option<i64>,
    /// `d`: trailing delta (trailing stop orders).
    #[serde(rename = "d", default)]
    pub trailing_delta: Option<u64>,
    /// `D`: trailing time (trailing stop orders).
    #[serde(rename = "D", default)]
    pub trailing_time: Option<i64>,
    /// `j`: strategy id, when given at placement.
    #[serde(rename = "j", default)]
    pub strategy_id: Option<i64>,
    /// `J`: strategy type, when given at placement.
    #[serde(rename = "J", default)]
    pub strategy_type: Option<i64>,
    /// `v`: prevented match id (orders expired by self-trade prevention).
    #[serde(rename = "v", default)]
    pub prevented_match_id: Option<u64>,
    /// `A`: prevented quantity (STP).
    #[serde(rename = "A", default)]
    pub prevented_qty: Option<Decimal>,
    /// `B`: last prevented quantity (STP).
    #[serde(rename = "B", default)]
    pub last_prevented_qty: Option<Decimal>,
    /// `u`: trade group id (STP).
    #[serde(rename = "u", default)]
    pub trade_group_id: Option<i64>,
    /// `U`: counter order id (STP).
    #[serde(rename = "U", default)]
    pub counter_order_id: Option<u64>,
    /// `Cs`: counter symbol (STP).
    #[serde(rename = "Cs", default)]
    pub counter_symbol: Option<String>,
    /// `pl`: prevented execution quantity (STP).
    #[serde(rename = "pl", default)]
    pub prevented_execution_qty: Option<Decimal>,
    /// `pL`: prevented execution price (STP).
    #[serde(rename = "pL", default)]
    pub prevented_execution_price: Option<Decimal>,
    /// `pY`: prevented execution quote quantity (STP).
    #[serde(rename = "pY", default)]
    pub prevented_execution_quote_qty: Option<Decimal>,
    /// `b`: match type (orders with allocations).
    #[serde(rename = "b", default)]
    pub match_type: Option<MatchType>,
    /// `a`: allocation id (orders with allocations).
    #[serde(rename = "a", default)]
    pub allocation_id: Option<u64>,
    /// `k`: working floor (orders that may have allocations).
    #[serde(rename = "k", default)]
    pub working_floor: Option<WorkingFloor>,
    /// `uS`: whether the order used SOR.
    #[serde(rename = "uS", default)]
    pub used_sor: Option<bool>,
    /// `gP`: pegged price type (pegged orders).
    #[serde(rename = "gP", default)]
    pub peg_price_type: Option<PegPriceType>,
    /// `gOT`: pegged offset type (pegged orders).
    #[serde(rename = "gOT", default)]
    pub peg_offset_type: Option<PegOffsetType>,
    /// `gOV`: pegged offset value (pegged orders).
    #[serde(rename = "gOV", default)]
    pub peg_offset_value: Option<i64>,
    /// `gp`: pegged price (pegged orders).
    #[serde(rename = "gp", default)]
    pub pegged_price: Option<Decimal>,
    /// `eR`: why the order expired (expired orders).
    #[serde(rename = "eR", default)]
    pub expiry_reason: Option<ExpiryReason>,
}

impl ExecutionReport {
    /// True when the order can change no more (filled, canceled, rejected, expired).
    pub fn is_final(&self) -> bool {
        !matches!(self.status, OrderStatus::New | OrderStatus::PendingNew | OrderStatus::PartiallyFilled)
    }
}

/// `outboundAccountPosition`: the new balances of the assets an operation may have changed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountPosition {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// `u`: time of the last account update, epoch ms.
    #[serde(rename = "u")]
    pub last_update_time: u64,
    /// `B`: the balances.
    #[serde(rename = "B")]
    pub balances: Vec<AssetBalance>,
}

/// One asset's balance in an [`AccountPosition`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AssetBalance {
    /// `a`: asset.
    #[serde(rename = "a")]
    pub asset: String,
    /// `f`: free.
    #[serde(rename = "f")]
    pub free: Decimal,
    /// `l`: locked.
    #[serde(rename = "l")]
    pub locked: Decimal,
}

/// `balanceUpdate`: a deposit, withdrawal or transfer between accounts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BalanceUpdate {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// `a`: asset.
    #[serde(rename = "a")]
    pub asset: String,
    /// `d`: balance delta (negative for withdrawals).
    #[serde(rename = "d")]
    pub delta: Decimal,
    /// `T`: clear time, epoch ms.
    #[serde(rename = "T")]
    pub clear_time: u64,
}

/// `listStatus`: an order list changed (sent with the `executionReport`s of its orders).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListStatus {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// `s`: symbol.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `g`: order list id.
    #[serde(rename = "g")]
    pub order_list_id: i64,
    /// `c`: contingency type.
    #[serde(rename = "c")]
    pub contingency_type: ContingencyType,
    /// `l`: list status type.
    #[serde(rename = "l")]
    pub list_status_type: ListStatusType,
    /// `L`: list order status.
    #[serde(rename = "L")]
    pub list_order_status: ListOrderStatus,
    /// `r`: list reject reason (`NONE` unless rejected).
    #[serde(rename = "r")]
    pub list_reject_reason: String,
    /// `C`: list client order id.
    #[serde(rename = "C")]
    pub list_client_order_id: String,
    /// `T`: transaction time, epoch ms.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// `O`: the list's orders.
    #[serde(rename = "O")]
    pub orders: Vec<ListStatusOrder>,
}

/// One order of a [`ListStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListStatusOrder {
    /// `s`: symbol.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `i`: order id.
    #[serde(rename = "i")]
    pub order_id: u64,
    /// `c`: client order id.
    #[serde(rename = "c")]
    pub client_order_id: String,
}

/// `externalLockUpdate`: part of the spot balance was locked (positive delta) or unlocked (negative) by an
/// external system, for example as margin collateral.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExternalLockUpdate {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// `a`: asset.
    #[serde(rename = "a")]
    pub asset: String,
    /// `d`: delta.
    #[serde(rename = "d")]
    pub delta: Decimal,
    /// `T`: transaction time, epoch ms.
    #[serde(rename = "T")]
    pub transaction_time: u64,
}

/// `eventStreamTerminated`: the subscription ended (unsubscribed, `session.logout` for a logon
/// subscription, or an expired listen token). No more events follow on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct StreamTerminated {
    /// `E`: event time, epoch ms.
    #[serde(rename = "E")]
    pub event_time: u64,
}

/// Why events may be missing from a [`UserDataStream`](super::spot::UserDataStream).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissedCause {
    /// The connection dropped; the subscription was restored on a new connection.
    Reconnected {
        /// Why the old connection (or its subscription) ended.
        reason: String,
        /// The `subscriptionId` on the new connection.
        subscription_id: u64,
    },
    /// The reader fell behind and the stream's queue was full: this many events were dropped.
    Overflow {
        /// Events dropped.
        dropped: u64,
    },
}

/// Events between two server times may be missing; reconcile with
/// [`UserDataStream::reconcile`](super::spot::UserDataStream::reconcile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    /// Server time (epoch ms) of the last event received before the gap, or of the subscription's start when
    /// none had arrived: nothing before it is missing.
    pub from_ms: u64,
    /// Server time (epoch ms) from which events flow again: nothing after it is missing.
    pub until_ms: u64,
    /// What happened.
    pub cause: MissedCause,
}

/// Something that happened to a subscription rather than to the account; delivered in the same stream as
/// the events so that nothing is lost silently.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// Events may be missing between two times (after a reconnect, or when the reader fell behind).
    Missed(Missed),
    /// The subscription moved to a new connection that overlapped the old one (connection rotation):
    /// nothing was missed and duplicates were removed.
    Moved {
        /// The `subscriptionId` on the new connection.
        subscription_id: u64,
    },
    /// Restoring the subscription after a reconnect failed; it is tried again after `retry_in`.
    RestoreFailed {
        /// The error.
        error: String,
        /// When the next attempt is made.
        retry_in: Duration,
    },
    /// An event of this subscription could not be decoded; it is skipped.
    Undecodable {
        /// The decoder's message.
        reason: String,
        /// The start of the event.
        frame: String,
    },
    /// The API connection closed for good; the stream ends after this.
    Closed {
        /// Why.
        reason: String,
    },
}

/// One item of a spot user data stream: a typed event, an event this library has no type for (kept raw),
/// or a [`Notice`] about the subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserEvent {
    /// `executionReport`.
    ExecutionReport(Box<ExecutionReport>),
    /// `outboundAccountPosition`.
    AccountPosition(AccountPosition),
    /// `balanceUpdate`.
    BalanceUpdate(BalanceUpdate),
    /// `listStatus`.
    ListStatus(ListStatus),
    /// `externalLockUpdate`.
    ExternalLockUpdate(ExternalLockUpdate),
    /// `eventStreamTerminated`: the last event of the subscription.
    StreamTerminated(StreamTerminated),
    /// An event type this library does not know, as received.
    Other {
        /// Its `e`.
        event_type: String,
        /// The event object's JSON.
        raw: String,
    },
    /// Not an account event: something happened to the subscription.
    Notice(Notice),
}

impl UserEvent {
    /// The event's `E` (server time, epoch ms); `None` for notices and unknown events.
    pub fn event_time(&self) -> Option<u64> {
        Some(match self {
            UserEvent::ExecutionReport(r) => r.event_time,
            UserEvent::AccountPosition(p) => p.event_time,
            UserEvent::BalanceUpdate(b) => b.event_time,
            UserEvent::ListStatus(l) => l.event_time,
            UserEvent::ExternalLockUpdate(x) => x.event_time,
            UserEvent::StreamTerminated(t) => t.event_time,
            UserEvent::Other { .. } | UserEvent::Notice(_) => return None,
        })
    }
}

/// The `e` of an event object. Binance writes it first, so a prefix check finds it without parsing;
/// any other key order falls back to a parse that skips the other fields.
pub(crate) fn peek_event_type(event: &[u8]) -> Option<&str> {
    let trimmed = event.trim_ascii_start();
    if let Some(rest) = trimmed.strip_prefix(b"{\"e\":\"") {
        if let Some(end) = rest.iter().position(|&b| b == b'"' || b == b'\\') {
            if rest[end] == b'"' {
                return std::str::from_utf8(&rest[..end]).ok();
            }
        }
    }
    #[derive(Deserialize)]
    struct Head<'a> {
        #[serde(borrow)]
        e: &'a str,
    }
    serde_json::from_slice::<Head>(event).ok().map(|h| h.e)
}

/// Decodes one event object (the `event` of a `{"subscriptionId":..,"event":{..}}` frame).
///
/// Unknown event types become [`UserEvent::Other`]; an event without `e`, or a known event whose fields do
/// not fit its type, is an [`Error::Decode`].
///
/// ```
/// use binance_ws::user_data::spot::{decode_event, UserEvent};
/// let ev = decode_event(br#"{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068}"#)?;
/// match ev {
///     UserEvent::BalanceUpdate(b) => assert_eq!(b.delta.to_string(), "100.00000000"),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), binance_ws::Error>(())
/// ```
pub fn decode_event(event: &[u8]) -> Result<UserEvent, Error> {
    fn typed<'a, T: Deserialize<'a>>(event: &'a [u8]) -> Result<T, Error> {
        serde_json::from_slice(event).map_err(|e| Error::decode("user data event", e, event))
    }
    let Some(kind) = peek_event_type(event) else {
        return Err(Error::decode("user data event", "no `e` field", event));
    };
    Ok(match kind {
        "executionReport" => UserEvent::ExecutionReport(Box::new(typed(event)?)),
        "outboundAccountPosition" => UserEvent::AccountPosition(typed(event)?),
        "balanceUpdate" => UserEvent::BalanceUpdate(typed(event)?),
        "listStatus" => UserEvent::ListStatus(typed(event)?),
        "externalLockUpdate" => UserEvent::ExternalLockUpdate(typed(event)?),
        "eventStreamTerminated" => UserEvent::StreamTerminated(typed(event)?),
        other => UserEvent::Other { event_type: other.to_string(), raw: String::from_utf8_lossy(event).into_owned() },
    })
}

/// Decodes a whole user data frame as the WebSocket API sends it: `{"subscriptionId": N, "event": {..}}`.
/// Returns the subscription id (absent on some frames) and the event.
///
/// ```
/// use binance_ws::user_data::spot::{decode_frame, UserEvent};
/// let (sub, ev) = decode_frame(br#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#)?;
/// assert_eq!(sub, Some(0));
/// assert!(matches!(ev, UserEvent::StreamTerminated(t) if t.event_time == 1728973001334));
/// # Ok::<(), binance_ws::Error>(())
/// ```
pub fn decode_frame(frame: &[u8]) -> Result<(Option<u64>, UserEvent), Error> {
    #[derive(Deserialize)]
    struct Frame<'a> {
        #[serde(rename = "subscriptionId", default)]
        subscription_id: Option<u64>,
        #[serde(borrow)]
        event: &'a RawValue,
    }
    let f: Frame = serde_json::from_slice(frame).map_err(|e| Error::decode("user data frame", e, frame))?;
    Ok((f.subscription_id, decode_event(f.event.get().as_bytes())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_found_first_or_anywhere() {
        assert_eq!(peek_event_type(br#"{"e":"listStatus","E":1}"#), Some("listStatus"));
        assert_eq!(peek_event_type(br#" {"E":1,"e":"balanceUpdate"}"#), Some("balanceUpdate"));
        assert_eq!(peek_event_type(br#"{"E":1}"#), None);
        assert_eq!(peek_event_type(b"not json"), None);
    }

    #[test]
    fn unknown_events_are_kept_and_bad_ones_are_errors() {
        let ev = decode_event(br#"{"e":"somethingNew","E":5,"x":[1]}"#).unwrap();
        assert_eq!(
            ev,
            UserEvent::Other { event_type: "somethingNew".into(), raw: r#"{"e":"somethingNew","E":5,"x":[1]}"#.into() }
        );
        let err = decode_event(br#"{"e":"balanceUpdate","E":1,"a":"BTC","d":"not a number","T":1}"#).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        assert!(decode_event(br#"{"E":1}"#).is_err());
        assert!(decode_frame(b"{\"subscriptionId\":").is_err());
    }

    #[test]
    fn decimals_keep_their_scale_and_conditional_fields_are_read() {
        let ev = decode_event(
            br#"{"e":"executionReport","E":2,"s":"BTCUSDT","c":"x","S":"SELL","o":"STOP_LOSS_LIMIT","f":"GTC","q":"1.50000000","p":"0.10264410","P":"0.1","F":"0","g":-1,"C":"","x":"EXPIRED","X":"EXPIRED","r":"NONE","i":9,"l":"0","z":"0","L":"0","n":"0","N":null,"T":2,"t":-1,"I":4,"w":false,"m":false,"M":false,"O":1,"Z":"0","Y":"0","Q":"0","V":"EXPIRE_MAKER","d":4,"D":1668680518494,"gP":"PRIMARY_PEG","gOT":"PRICE_LEVEL","gOV":5,"gp":"1.00000000","eR":"INSUFFICIENT_LIQUIDITY"}"#,
        )
        .unwrap();
        let UserEvent::ExecutionReport(r) = ev else { panic!() };
        assert_eq!(r.quantity.to_string(), "1.50000000");
        assert_eq!(r.price.to_string(), "0.10264410");
        assert_eq!((r.trailing_delta, r.trailing_time), (Some(4), Some(1668680518494)));
        assert_eq!(
            (r.peg_price_type, r.peg_offset_type),
            (Some(PegPriceType::PrimaryPeg), Some(PegOffsetType::PriceLevel))
        );
        assert_eq!((r.peg_offset_value, r.pegged_price.map(|p| p.to_string())), (Some(5), Some("1.00000000".into())));
        assert_eq!(r.expiry_reason, Some(ExpiryReason::InsufficientLiquidity));
        assert_eq!(r.commission_asset, None);
        assert!(r.is_final());
    }
}
