//! `bws order place|cancel|status|open`: the command line of trading. Spot only for now: futures (USD-M,
//! COIN-M) will add a `--market spot|usdm|coinm` option to [`OrderArgs`] and an implementation file beside
//! `order_spot.rs`; [`run`] is the one place that picks it.

use binance_ws::model::{NewOrderRespType, OrderType, Side, TimeInForce};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::cli::Global;
use crate::order_spot;

/// `bws order`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws order place BTCUSDT BUY LIMIT --qty 0.001 --price 52000.00
  bws order place BTCUSDT SELL MARKET --qty 0.01 --test
  bws order status BTCUSDT 12345
  bws order cancel BTCUSDT --client-id my-order-1
  bws order open --json

Orders are checked against the order type's required fields and the symbol's filters
(tick size, lot size, notional, ...) before anything is sent; a refused order exits 1.")]
pub struct OrderArgs {
    // A `--market spot|usdm|coinm` option goes here when the futures API lands.
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
    Place(PlaceArgs),
    /// Cancel an open order by order id or client order id.
    #[command(after_help = "Example: bws order cancel BTCUSDT 12345")]
    Cancel(OrderRefArgs),
    /// One order's status by order id or client order id.
    #[command(after_help = "Example: bws order status BTCUSDT --client-id my-order-1 --json")]
    Status(OrderRefArgs),
    /// The account's open orders, of one symbol or all.
    #[command(after_help = "Example: bws order open BTCUSDT")]
    Open(OpenArgs),
}

/// `bws order place`.
#[derive(Args, Debug)]
pub struct PlaceArgs {
    /// Symbol, e.g. BTCUSDT.
    #[arg(value_parser = parse_symbol)]
    pub symbol: String,
    /// BUY or SELL.
    #[arg(value_parser = parse_side)]
    pub side: Side,
    /// LIMIT, MARKET, LIMIT_MAKER, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT or TAKE_PROFIT_LIMIT.
    #[arg(value_name = "TYPE", value_parser = parse_order_type)]
    pub order_type: OrderType,
    /// Quantity in the base asset.
    #[arg(long)]
    pub qty: Option<Decimal>,
    /// Quantity in the quote asset (MARKET orders).
    #[arg(long)]
    pub quote_qty: Option<Decimal>,
    /// Limit price.
    #[arg(long)]
    pub price: Option<Decimal>,
    /// Trigger price of stop and take-profit orders.
    #[arg(long)]
    pub stop_price: Option<Decimal>,
    /// Trailing delta in basis points (trailing stops).
    #[arg(long)]
    pub trailing_delta: Option<u64>,
    /// Visible quantity of an iceberg order.
    #[arg(long)]
    pub iceberg_qty: Option<Decimal>,
    /// Time in force: GTC, IOC or FOK (limit types default to GTC).
    #[arg(long, value_parser = parse_tif)]
    pub tif: Option<TimeInForce>,
    /// Your id for the order (newClientOrderId).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Response detail: ACK, RESULT or FULL.
    #[arg(long, value_parser = parse_resp_type)]
    pub resp_type: Option<NewOrderRespType>,
    /// Send order.test: the exchange checks the order but does not place it.
    #[arg(long)]
    pub test: bool,
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
    match args.action {
        OrderAction::Place(a) => order_spot::place(a, global).await,
        OrderAction::Cancel(a) => order_spot::cancel(a, global).await,
        OrderAction::Status(a) => order_spot::status(a, global).await,
        OrderAction::Open(a) => order_spot::open(a, global).await,
    }
}

fn parse_symbol(s: &str) -> Result<String, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.') {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!("`{s}` is not a symbol name (like BTCUSDT)"))
    }
}

/// A wire enum from its Binance spelling, any case; the library's catch-all `Unknown` is refused.
fn wire_enum<T: serde::de::DeserializeOwned + ToString>(s: &str, accepted: &str) -> Result<T, String> {
    match serde_json::from_value::<T>(serde_json::Value::String(s.to_ascii_uppercase())) {
        Ok(v) if v.to_string() != "UNKNOWN" => Ok(v),
        _ => Err(format!("`{s}` is not one of {accepted}")),
    }
}

fn parse_side(s: &str) -> Result<Side, String> {
    wire_enum(s, "BUY, SELL")
}

fn parse_order_type(s: &str) -> Result<OrderType, String> {
    wire_enum(s, "LIMIT, MARKET, LIMIT_MAKER, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT")
}

fn parse_tif(s: &str) -> Result<TimeInForce, String> {
    wire_enum(s, "GTC, IOC, FOK")
}

fn parse_resp_type(s: &str) -> Result<NewOrderRespType, String> {
    wire_enum(s, "ACK, RESULT, FULL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_enums_parse_in_any_case_and_unknown_values_are_refused() {
        assert_eq!(parse_side("buy").unwrap(), Side::Buy);
        assert_eq!(parse_order_type("stop_loss_limit").unwrap(), OrderType::StopLossLimit);
        assert!(parse_order_type("TRAILING").unwrap_err().contains("LIMIT_MAKER"));
        assert_eq!(parse_tif("ioc").unwrap(), TimeInForce::Ioc);
        assert!(parse_side("HOLD").is_err());
        assert_eq!(parse_symbol("btcusdt").unwrap(), "BTCUSDT");
        assert!(parse_symbol("BTC USDT").is_err());
    }
}
