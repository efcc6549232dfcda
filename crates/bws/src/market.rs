//! `--market spot|usdm|coinm`, and the trading rules of futures symbols. The futures WebSocket APIs have no
//! `exchangeInfo` method (it is REST-only), so their symbol filters are known only on the embedded exchange,
//! which hands them out directly (`Sim::futures(..).exchange_info()`).

use binance_ws::env::Product;
use binance_ws::model::{Filter, LotSize, PriceFilter};
use binance_ws::validate::TradingRules;
use binance_ws_sim::Sim;
use rust_decimal::Decimal;
use serde_json::Value;

/// Which market a command trades on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Market {
    /// Spot (`ws-api/v3`).
    Spot,
    /// USDⓈ-M futures (`ws-fapi/v1`).
    Usdm,
    /// COIN-M futures (`ws-dapi/v1`).
    Coinm,
}

impl Market {
    /// The name people use.
    pub fn label(self) -> &'static str {
        match self {
            Market::Spot => "spot",
            Market::Usdm => "USD-M futures",
            Market::Coinm => "COIN-M futures",
        }
    }
}

/// A futures symbol's rules as the embedded exchange lists them.
#[derive(Debug, Clone)]
pub struct FuturesRules {
    /// For the library's checks: the filters it reads.
    pub trading: TradingRules,
    /// Filters in a futures form the library's checks do not read (left to the exchange).
    pub unchecked: Vec<String>,
    /// `PRICE_FILTER` tick size (zero when absent).
    pub tick: Decimal,
    /// `LOT_SIZE` step and minimum (zero when absent).
    pub step: Decimal,
    /// `LOT_SIZE` minimum quantity.
    pub min_qty: Decimal,
    /// Futures `MIN_NOTIONAL` `notional` (zero when absent).
    pub min_notional: Decimal,
}

/// The rules of `symbol` on the embedded exchange (`None` when it is not listed there).
pub fn embedded_rules(sim: &Sim, product: Product, symbol: &str) -> Option<FuturesRules> {
    let venue = match product {
        Product::UsdM => binance_ws_sim::futures::Product::UsdM,
        Product::CoinM => binance_ws_sim::futures::Product::CoinM,
        Product::Spot => return None,
    };
    let info = sim.futures(venue).exchange_info();
    let entry = info["symbols"].as_array()?.iter().find(|s| s["symbol"] == symbol)?;
    Some(rules_from_entry(symbol, entry))
}

/// Reads one `symbols` entry of a futures `exchangeInfo`.
pub fn rules_from_entry(symbol: &str, entry: &Value) -> FuturesRules {
    let (mut filters, mut unchecked) = (Vec::new(), Vec::new());
    let (mut tick, mut step, mut min_qty, mut min_notional) = Default::default();
    for raw in entry["filters"].as_array().into_iter().flatten() {
        let name = raw["filterType"].as_str().unwrap_or("?").to_string();
        if name == "MIN_NOTIONAL" {
            min_notional = raw["notional"].as_str().and_then(|n| n.parse().ok()).unwrap_or_default();
        }
        match serde_json::from_value::<Filter>(raw.clone()) {
            Ok(Filter::Unknown(_)) | Err(_) => unchecked.push(name),
            Ok(f) => {
                match &f {
                    Filter::PriceFilter(PriceFilter { tick_size, .. }) => tick = *tick_size,
                    Filter::LotSize(LotSize { step_size, min_qty: min, .. }) => (step, min_qty) = (*step_size, *min),
                    _ => {}
                }
                filters.push(f);
            }
        }
    }
    FuturesRules { trading: TradingRules::from_filters(symbol, filters), unchecked, tick, step, min_qty, min_notional }
}

impl FuturesRules {
    /// `price` moved down to a multiple of the tick size.
    pub fn floor_price(&self, price: Decimal) -> Decimal {
        if self.tick.is_zero() {
            price
        } else {
            (price / self.tick).floor() * self.tick
        }
    }

    /// The smallest valid quantity worth at least 10 % more than the minimum notional at `price`.
    pub fn small_qty(&self, price: Decimal) -> Decimal {
        let mut qty = if price.is_zero() { self.min_qty } else { self.min_notional * Decimal::new(11, 1) / price };
        qty = qty.max(self.min_qty);
        if !self.step.is_zero() {
            qty = (qty / self.step).ceil() * self.step;
        }
        qty.normalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry shaped like the futures exchangeInfo (the USDⓈ-M forms of MIN_NOTIONAL and MAX_NUM_ORDERS).
    #[test]
    fn futures_filters_are_read_in_their_futures_forms() {
        let entry = serde_json::json!({"symbol": "BTCUSDT", "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "1.00", "maxPrice": "4529764", "tickSize": "0.10"},
            {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
            {"filterType": "MARKET_LOT_SIZE", "minQty": "0.001", "maxQty": "120", "stepSize": "0.001"},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MIN_NOTIONAL", "notional": "100"}
        ]});
        let r = rules_from_entry("BTCUSDT", &entry);
        // The library reads the futures forms of MAX_NUM_ORDERS (`limit`) and MIN_NOTIONAL (`notional`) too.
        assert_eq!(r.trading.filters.len(), 5, "{r:?}");
        assert!(r.unchecked.is_empty(), "{r:?}");
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!((r.tick, r.step, r.min_qty, r.min_notional), (d("0.10"), d("0.001"), d("0.001"), d("100")));
        assert_eq!(r.floor_price(d("57912.37")), d("57912.3"));
        // 110 USDT at 50000 is 0.0022, rounded up to the step.
        assert_eq!(r.small_qty(d("50000")), d("0.003"));
    }
}
