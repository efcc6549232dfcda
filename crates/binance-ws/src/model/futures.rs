//! Enums of the USDⓈ-M and COIN-M futures APIs and user data events, spelled as the futures docs and
//! the futures AsyncAPI specs spell them. Values Binance adds later decode as `Unknown` rather than
//! failing a whole response or event.
//!
//! Sides and self-trade prevention modes are the shared [`Side`](super::Side) and
//! [`SelfTradePreventionMode`](super::SelfTradePreventionMode).

use serde::{Deserialize, Deserializer};

use super::enums::string_enum;

string_enum! {
    /// Futures order type (`type`, `origType`, event `o`/`ot`).
    OrderType {
        /// `LIMIT`
        Limit = "LIMIT",
        /// `MARKET`
        Market = "MARKET",
        /// `STOP`: a limit order at `price` once `stopPrice` is reached.
        Stop = "STOP",
        /// `STOP_MARKET`: a market order once `stopPrice` is reached.
        StopMarket = "STOP_MARKET",
        /// `TAKE_PROFIT`: like `STOP`, triggered by a favourable move.
        TakeProfit = "TAKE_PROFIT",
        /// `TAKE_PROFIT_MARKET`
        TakeProfitMarket = "TAKE_PROFIT_MARKET",
        /// `TRAILING_STOP_MARKET`: follows the price by `callbackRate`.
        TrailingStopMarket = "TRAILING_STOP_MARKET",
        /// `LIQUIDATION` (user data events only).
        Liquidation = "LIQUIDATION",
    } Unknown
}

string_enum! {
    /// Futures time in force (`timeInForce`, event `f`).
    TimeInForce {
        /// Good 'til canceled.
        Gtc = "GTC",
        /// Immediate or cancel.
        Ioc = "IOC",
        /// Fill or kill.
        Fok = "FOK",
        /// Good 'til crossing: post-only, expired if it would trade at once.
        Gtx = "GTX",
        /// Good 'til date: canceled at `goodTillDate` (USDⓈ-M).
        Gtd = "GTD",
    } Unknown
}

string_enum! {
    /// Futures order status (`status`, event `X`).
    OrderStatus {
        /// `NEW`
        New = "NEW",
        /// `PARTIALLY_FILLED`
        PartiallyFilled = "PARTIALLY_FILLED",
        /// `FILLED`
        Filled = "FILLED",
        /// `CANCELED`
        Canceled = "CANCELED",
        /// `EXPIRED`
        Expired = "EXPIRED",
        /// `EXPIRED_IN_MATCH` (self-trade prevention)
        ExpiredInMatch = "EXPIRED_IN_MATCH",
        /// `NEW_INSURANCE` (COIN-M liquidation with insurance fund)
        NewInsurance = "NEW_INSURANCE",
        /// `NEW_ADL` (COIN-M auto-deleverage)
        NewAdl = "NEW_ADL",
    } Unknown
}

string_enum! {
    /// Execution type of an `ORDER_TRADE_UPDATE` (`x`).
    ExecutionType {
        /// `NEW`
        New = "NEW",
        /// `CANCELED`
        Canceled = "CANCELED",
        /// `CALCULATED` (liquidation or ADL execution)
        Calculated = "CALCULATED",
        /// `EXPIRED`
        Expired = "EXPIRED",
        /// `TRADE`
        Trade = "TRADE",
        /// `AMENDMENT` (order modified)
        Amendment = "AMENDMENT",
    } Unknown
}

string_enum! {
    /// Position side (`positionSide`, event `ps`).
    PositionSide {
        /// One-way mode.
        Both = "BOTH",
        /// Hedge mode, long side.
        Long = "LONG",
        /// Hedge mode, short side.
        Short = "SHORT",
    } Unknown
}

string_enum! {
    /// What triggers a stop (`workingType`, event `wt`).
    WorkingType {
        /// The mark price.
        MarkPrice = "MARK_PRICE",
        /// The last traded price (the default).
        ContractPrice = "CONTRACT_PRICE",
    } Unknown
}

string_enum! {
    /// Price match mode (`priceMatch`, event `pm`): the price is taken from the book instead of `price`.
    PriceMatch {
        /// `NONE`
        None = "NONE",
        /// Best price on the other side.
        Opponent = "OPPONENT",
        /// 5th best price on the other side.
        Opponent5 = "OPPONENT_5",
        /// 10th best price on the other side.
        Opponent10 = "OPPONENT_10",
        /// 20th best price on the other side.
        Opponent20 = "OPPONENT_20",
        /// Best price on the order's own side.
        Queue = "QUEUE",
        /// 5th best price on the own side.
        Queue5 = "QUEUE_5",
        /// 10th best price on the own side.
        Queue10 = "QUEUE_10",
        /// 20th best price on the own side.
        Queue20 = "QUEUE_20",
    } Unknown
}

string_enum! {
    /// Response format of futures order placement (`newOrderRespType`; default `ACK`).
    NewOrderRespType {
        /// `ACK`
        Ack = "ACK",
        /// `RESULT`: `MARKET` and IOC/FOK orders answer with their final state.
        Result = "RESULT",
    }
}

string_enum! {
    /// Why an `ACCOUNT_UPDATE` was sent (`a.m`).
    UpdateReason {
        /// `ORDER`
        Order = "ORDER",
        /// `FUNDING_FEE`
        FundingFee = "FUNDING_FEE",
        /// `WITHDRAW`
        Withdraw = "WITHDRAW",
        /// `DEPOSIT`
        Deposit = "DEPOSIT",
        /// `INSURANCE_CLEAR`
        InsuranceClear = "INSURANCE_CLEAR",
        /// `BENEFITS`
        Benefits = "BENEFITS",
        /// `REFERRAL_KICKBACK`
        ReferralKickback = "REFERRAL_KICKBACK",
        /// `COMMISSION_REBATE`
        CommissionRebate = "COMMISSION_REBATE",
        /// `ADJUSTMENT` (COIN-M)
        Adjustment = "ADJUSTMENT",
    } Unknown
}

/// Margin type of a position. The APIs spell cross margin `cross` (positions, COIN-M events) or
/// `crossed` (USDⓈ-M events); both decode as [`MarginType::Cross`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarginType {
    /// `isolated`
    Isolated,
    /// `cross` or `crossed`
    Cross,
    /// A value this version of the library does not know.
    Unknown,
}

impl MarginType {
    /// The value as the position endpoints spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            MarginType::Isolated => "isolated",
            MarginType::Cross => "cross",
            MarginType::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for MarginType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MarginType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(match s.as_ref() {
            "isolated" | "ISOLATED" => MarginType::Isolated,
            "cross" | "crossed" | "CROSSED" | "CROSS" => MarginType::Cross,
            _ => MarginType::Unknown,
        })
    }
}

/// Serde helpers for the futures APIs' loosely typed fields.
pub(crate) mod de {
    use std::str::FromStr;

    use serde::{de::Error, Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StrOrNum<'a> {
        Str(std::borrow::Cow<'a, str>),
        Num(u64),
    }

    /// An unsigned integer sent as a number or as a string (`"leverage": "10"`, some event times).
    pub fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match StrOrNum::deserialize(d)? {
            StrOrNum::Num(n) => Ok(n),
            StrOrNum::Str(s) => u64::from_str(s.trim()).map_err(|e| D::Error::custom(format!("`{s}`: {e}"))),
        }
    }

    /// [`u64_lenient`] narrowed to `u32`.
    pub fn u32_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let n = u64_lenient(d)?;
        u32::try_from(n).map_err(|_| D::Error::custom(format!("{n} does not fit in 32 bits")))
    }

    /// A boolean sent as a string (`"isAutoAddMargin": "false"`) or as a boolean.
    pub fn bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum B<'a> {
            B(bool),
            S(std::borrow::Cow<'a, str>),
        }
        match B::deserialize(d)? {
            B::B(b) => Ok(b),
            B::S(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            B::S(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            B::S(s) => Err(D::Error::custom(format!("`{s}` is not a boolean"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_type_spellings_and_unknown_values() {
        let m: Vec<MarginType> = serde_json::from_str(r#"["isolated","cross","crossed","portfolio"]"#).unwrap();
        assert_eq!(m, [MarginType::Isolated, MarginType::Cross, MarginType::Cross, MarginType::Unknown]);
        let t: TimeInForce = serde_json::from_str(r#""GTX""#).unwrap();
        assert_eq!(t, TimeInForce::Gtx);
        let o: OrderType = serde_json::from_str(r#""SOMETHING_NEW""#).unwrap();
        assert_eq!(o, OrderType::Unknown);
    }
}
