//! `bws order place|cancel|status|open`: the command line of trading, on spot (`order_spot.rs`) or, with
//! `--market usdm|coinm`, on the futures markets (`order_futures.rs`); [`run`] is the one place that picks.
//! The order type, time in force and response type are read as text here and parsed by the market's own
//! enums, since each market has its own (spot `STOP_LOSS_LIMIT`, futures `STOP_MARKET`, `GTX`, ...).

use binance_ws::model::Side;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::cli::Global;
use crate::exit::Usage;
use crate::market::Market;
use crate::{order_futures, order_spot};

/// `bws order`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws order place BTCUSDT BUY LIMIT --qty 0.001 --price 52000.00
  bws order place BTCUSDT SELL MARKET --qty 0.01 --test
  bws order status BTCUSDT 12345
  bws order cancel BTCUSDT --client-id my-order-1
  bws order open --json
  bws order place BTCUSDT SELL STOP_MARKET --market usdm --stop-price 55000 --close-position
  bws order place BTCUSD_PERP BUY LIMIT --market coinm --qty 1 --price 50000 --tif GTX
  bws order cancel BTCUSDT 12345 --market usdm

Orders are checked against the order type's required fields and the symbol's filters
(tick size, lot size, notional, ...) before anything is sent; a refused order exits 1.
The futures WebSocket APIs have no open-orders method and no order.test: `open` and
`--test` are spot only. Futures symbol filters come from exchangeInfo, which the futures
WebSocket APIs do not serve: they are checked on the embedded exchange (--env local) only;
elsewhere the order type's rules are checked and the exchange checks the filters.")]
pub struct OrderArgs {
    /// The market: spot, usdm (USDⓈ-M futures) or coinm (COIN-M futures).
    #[arg(long, global = true, value_enum, default_value = "spot")]
    pub market: Market,
    #[command(subcommand)]
    pub action: OrderAction,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum OrderAction {
    /// Place an order, or test it with `--test` (order.test: checked by the exchange, not placed).
    #[command(after_help = "Examples:
  bws order place BTCUSDT BUY LIMIT --qty 0.001 --price 52000.00 --tif IOC
  bws order place BTCUSDT BUY MARKET --quote-qty 100
  bws order place BTCUSDT SELL STOP_LOSS_LIMIT --qty 0.001 --price 49000 --stop-price 49500")]
    Place(Box<PlaceArgs>),
    /// Cancel an open order by order id or client order id.
    #[command(after_help = "Example: bws order cancel BTCUSDT 12345")]
    Cancel(OrderRefArgs),
    /// One order's status by order id or client order id.
    #[command(after_help = "Example: bws order status BTCUSDT --client-id my-order-1 --json")]
    Status(OrderRefArgs),
    /// The account's open orders, of one symbol or all (spot: the futures WebSocket APIs have no such method).
    #[command(after_help = "Example: bws order open BTCUSDT")]
    Open(OpenArgs),
}

/// `bws order place`.
#[derive(Args, Debug)]
pub struct PlaceArgs {
    /// Symbol, e.g. BTCUSDT (COIN-M: BTCUSD_PERP).
    #[arg(value_parser = parse_symbol)]
    pub symbol: String,
    /// BUY or SELL.
    #[arg(value_parser = parse_side)]
    pub side: Side,
    /// Spot: LIMIT, MARKET, LIMIT_MAKER, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT.
    /// Futures: LIMIT, MARKET, STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET.
    #[arg(value_name = "TYPE", value_parser = upper)]
    pub order_type: String,
    /// Quantity (spot: in the base asset; COIN-M: in contracts).
    #[arg(long)]
    pub qty: Option<Decimal>,
    /// Quantity in the quote asset (spot MARKET orders).
    #[arg(long)]
    pub quote_qty: Option<Decimal>,
    /// Limit price.
    #[arg(long)]
    pub price: Option<Decimal>,
    /// Trigger price of stop and take-profit orders.
    #[arg(long)]
    pub stop_price: Option<Decimal>,
    /// Trailing delta in basis points (spot trailing stops).
    #[arg(long)]
    pub trailing_delta: Option<u64>,
    /// Visible quantity of an iceberg order (spot).
    #[arg(long)]
    pub iceberg_qty: Option<Decimal>,
    /// Time in force: GTC, IOC or FOK; futures also GTX (post-only) and GTD (USDⓈ-M, with --good-till-date).
    /// Limit types default to GTC.
    #[arg(long, value_parser = upper)]
    pub tif: Option<String>,
    /// Your id for the order (newClientOrderId).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Response detail: ACK, RESULT or FULL (futures: ACK or RESULT).
    #[arg(long, value_parser = upper)]
    pub resp_type: Option<String>,
    /// Send order.test: the exchange checks the order but does not place it (spot).
    #[arg(long)]
    pub test: bool,
    #[command(flatten)]
    pub futures: FuturesParams,
}

/// The parameters only futures orders take.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Futures orders (--market usdm|coinm)")]
pub struct FuturesParams {
    /// positionSide: BOTH (one-way mode, the default), LONG or SHORT (hedge mode).
    #[arg(long, value_parser = upper)]
    pub position_side: Option<String>,
    /// reduceOnly: only reduce the position (not in hedge mode, not with --close-position).
    #[arg(long)]
    pub reduce_only: bool,
    /// closePosition: close the whole position when triggered (STOP_MARKET, TAKE_PROFIT_MARKET; no --qty).
    #[arg(long)]
    pub close_position: bool,
    /// workingType: what triggers --stop-price, MARK_PRICE or CONTRACT_PRICE (the default).
    #[arg(long, value_parser = upper)]
    pub working_type: Option<String>,
    /// activationPrice of a TRAILING_STOP_MARKET order.
    #[arg(long)]
    pub activation_price: Option<Decimal>,
    /// callbackRate of a TRAILING_STOP_MARKET order, in percent (0.1 to 10).
    #[arg(long)]
    pub callback_rate: Option<Decimal>,
    /// priceProtect: trigger only while the mark and last prices agree (stop and take-profit orders).
    #[arg(long)]
    pub price_protect: bool,
    /// priceMatch instead of --price: OPPONENT, OPPONENT_5/10/20, QUEUE, QUEUE_5/10/20.
    #[arg(long, value_parser = upper)]
    pub price_match: Option<String>,
    /// goodTillDate (USDⓈ-M, sets --tif GTD): epoch milliseconds, or a time from now such as 15m or 2h.
    #[arg(long, value_parser = parse_good_till)]
    pub good_till_date: Option<GoodTill>,
}

impl FuturesParams {
    /// The flags given, as they are spelled on the command line (for "spot takes no ..." errors).
    pub fn given(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let flags: [(&'static str, bool); 9] = [
            ("--position-side", self.position_side.is_some()),
            ("--reduce-only", self.reduce_only),
            ("--close-position", self.close_position),
            ("--working-type", self.working_type.is_some()),
            ("--activation-price", self.activation_price.is_some()),
            ("--callback-rate", self.callback_rate.is_some()),
            ("--price-protect", self.price_protect),
            ("--price-match", self.price_match.is_some()),
            ("--good-till-date", self.good_till_date.is_some()),
        ];
        for (flag, given) in flags {
            if given {
                v.push(flag);
            }
        }
        v
    }
}

/// `--good-till-date`: an instant, or a time from when the order is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoodTill {
    /// Epoch milliseconds.
    At(u64),
    /// From now.
    In(std::time::Duration),
}

impl GoodTill {
    /// Epoch milliseconds, `now_ms` being the current time.
    pub fn epoch_ms(self, now_ms: u64) -> u64 {
        match self {
            GoodTill::At(ms) => ms,
            GoodTill::In(d) => now_ms + d.as_millis() as u64,
        }
    }
}

fn parse_good_till(s: &str) -> Result<GoodTill, String> {
    if let Ok(ms) = s.parse::<u64>() {
        return Ok(GoodTill::At(ms));
    }
    humantime::parse_duration(s)
        .map(GoodTill::In)
        .map_err(|_| format!("`{s}` is neither epoch milliseconds nor a duration like 15m"))
}

/// An order named by its exchange id or its client id.
#[derive(Args, Debug)]
pub struct OrderRefArgs {
    /// Symbol, e.g. BTCUSDT.
    #[arg(value_parser = parse_symbol)]
    pub symbol: String,
    /// The exchange's order id.
    #[arg(required_unless_present = "client_id")]
    pub order_id: Option<u64>,
    /// The client order id instead of the order id.
    #[arg(long, conflicts_with = "order_id")]
    pub client_id: Option<String>,
}

/// `bws order open`.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// Only this symbol (default: every symbol).
    #[arg(value_parser = parse_symbol)]
    pub symbol: Option<String>,
}

pub async fn run(args: OrderArgs, global: &Global) -> anyhow::Result<i32> {
    match (args.market, args.action) {
        (Market::Spot, OrderAction::Place(a)) => {
            let given = a.futures.given();
            if !given.is_empty() {
                return Err(Usage(format!(
                    "{} only apply to futures orders (add --market usdm|coinm)",
                    given.join(", ")
                ))
                .into());
            }
            order_spot::place(*a, global).await
        }
        (Market::Spot, OrderAction::Cancel(a)) => order_spot::cancel(a, global).await,
        (Market::Spot, OrderAction::Status(a)) => order_spot::status(a, global).await,
        (Market::Spot, OrderAction::Open(a)) => order_spot::open(a, global).await,
        (market, OrderAction::Place(a)) => order_futures::place(*a, market, global).await,
        (market, OrderAction::Cancel(a)) => order_futures::cancel(a, market, global).await,
        (market, OrderAction::Status(a)) => order_futures::status(a, market, global).await,
        (market, OrderAction::Open(_)) => Err(Usage(format!(
            "`bws order open` is spot only: the {} WebSocket API has no open-orders method (its methods are \
             order.place, order.modify, order.cancel and order.status); ask one order with `bws order status`",
            market.label()
        ))
        .into()),
    }
}

fn upper(s: &str) -> Result<String, String> {
    Ok(s.to_ascii_uppercase())
}

fn parse_symbol(s: &str) -> Result<String, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.') {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!("`{s}` is not a symbol name (like BTCUSDT)"))
    }
}

/// A wire enum from its Binance spelling, any case; the library's catch-all `Unknown` is refused.
pub fn wire_enum<T: serde::de::DeserializeOwned + ToString>(s: &str, accepted: &str) -> Result<T, String> {
    match serde_json::from_value::<T>(serde_json::Value::String(s.to_ascii_uppercase())) {
        Ok(v) if v.to_string() != "UNKNOWN" => Ok(v),
        _ => Err(format!("`{s}` is not one of {accepted}")),
    }
}

fn parse_side(s: &str) -> Result<Side, String> {
    wire_enum(s, "BUY, SELL")
}

/// A value of `flag` read with [`wire_enum`]; a refusal is a usage error naming the flag.
pub fn flag_enum<T: serde::de::DeserializeOwned + ToString>(flag: &str, s: &str, accepted: &str) -> anyhow::Result<T> {
    wire_enum(s, accepted).map_err(|e| Usage(format!("{flag}: {e}")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_enums_parse_in_any_case_and_unknown_values_are_refused() {
        use binance_ws::model::{OrderType, TimeInForce};
        assert_eq!(parse_side("buy").unwrap(), Side::Buy);
        let t: OrderType = wire_enum("STOP_LOSS_LIMIT", "spot types").unwrap();
        assert_eq!(t, OrderType::StopLossLimit);
        assert!(wire_enum::<OrderType>("TRAILING", "LIMIT, LIMIT_MAKER").unwrap_err().contains("LIMIT_MAKER"));
        let tif: binance_ws::usdm::TimeInForce = wire_enum("GTX", "futures").unwrap();
        assert_eq!(tif, binance_ws::usdm::TimeInForce::Gtx);
        let err = flag_enum::<TimeInForce>("--tif", "GTX", "GTC, IOC, FOK").unwrap_err();
        assert!(err.downcast_ref::<Usage>().is_some() && err.to_string().contains("--tif: `GTX` is not one of"));
        assert!(parse_side("HOLD").is_err());
        assert_eq!(parse_symbol("btcusdt").unwrap(), "BTCUSDT");
        assert!(parse_symbol("BTC USDT").is_err());
    }
}

#[cfg(test)]
mod good_till_tests {
    use super::*;

    #[test]
    fn good_till_reads_epoch_ms_or_a_duration() {
        assert_eq!(parse_good_till("1900000000000").unwrap(), GoodTill::At(1_900_000_000_000));
        assert_eq!(parse_good_till("15m").unwrap().epoch_ms(1_000), 1_000 + 900_000);
        assert!(parse_good_till("soon").is_err());
    }
}
