//! The futures products, their contracts (exchangeInfo-style filters, margin rates, leverage brackets) and the
//! settings a local exchange starts them with ([`FuturesConfig`], part of [`SimConfig`](crate::SimConfig)).
//!
//! Contract values follow the shape of Binance's exchangeInfo (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE,
//! MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, MIN_NOTIONAL, PERCENT_PRICE, triggerProtect); the numbers are the
//! simulator's choice, close to what Binance lists for these symbols.

use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::{json, Value};

/// USD-M (USDT-margined, linear) or COIN-M (coin-margined, inverse) futures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// `/ws-fapi/v1`, streams under `/fstream`.
    UsdM,
    /// `/ws-dapi/v1`, streams under `/dstream`.
    CoinM,
}

impl Product {
    /// The WebSocket API path.
    pub fn api_path(self) -> &'static str {
        match self {
            Product::UsdM => "/ws-fapi/v1",
            Product::CoinM => "/ws-dapi/v1",
        }
    }

    /// The prefix of the market and user data stream paths on the local exchange.
    pub fn stream_prefix(self) -> &'static str {
        match self {
            Product::UsdM => "/fstream",
            Product::CoinM => "/dstream",
        }
    }

    /// Whether contracts are inverse (quantity in contracts of `contractSize` USD, margin in the coin).
    pub fn is_inverse(self) -> bool {
        self == Product::CoinM
    }
}

/// One leverage bracket: positions up to `notional_cap` may use up to `max_leverage`.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverageBracket {
    /// Highest leverage allowed in the bracket.
    pub max_leverage: u32,
    /// Largest position notional (in the quote currency, USD for COIN-M) of the bracket.
    pub notional_cap: Decimal,
}

/// One perpetual contract.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSpec {
    /// `BTCUSDT`, `BTCUSD_PERP`.
    pub symbol: String,
    /// `BTCUSDT`, `BTCUSD`.
    pub pair: String,
    /// `PERPETUAL`.
    pub contract_type: String,
    /// `BTC`.
    pub base_asset: String,
    /// `USDT` or `USD`.
    pub quote_asset: String,
    /// The asset margin and PnL are kept in: `USDT` (USD-M) or the coin (COIN-M).
    pub margin_asset: String,
    /// USD per contract for COIN-M (100 for BTC); 1 for USD-M (quantity is in the base asset).
    pub contract_size: Decimal,
    /// Decimals of prices in responses.
    pub price_precision: u32,
    /// Decimals of quantities in responses.
    pub quantity_precision: u32,
    /// PRICE_FILTER.
    pub tick_size: Decimal,
    /// PRICE_FILTER.
    pub min_price: Decimal,
    /// PRICE_FILTER.
    pub max_price: Decimal,
    /// LOT_SIZE (and MARKET_LOT_SIZE) step.
    pub step_size: Decimal,
    /// LOT_SIZE.
    pub min_qty: Decimal,
    /// LOT_SIZE.
    pub max_qty: Decimal,
    /// MARKET_LOT_SIZE.
    pub market_min_qty: Decimal,
    /// MARKET_LOT_SIZE.
    pub market_max_qty: Decimal,
    /// MAX_NUM_ORDERS: open orders per account and symbol (conditional ones included).
    pub max_num_orders: usize,
    /// MAX_NUM_ALGO_ORDERS: open conditional orders per account and symbol.
    pub max_num_algo_orders: usize,
    /// MIN_NOTIONAL `notional` (USD-M only; zero: no such filter).
    pub min_notional: Decimal,
    /// PERCENT_PRICE: BUY price <= mark x multiplierUp.
    pub multiplier_up: Decimal,
    /// PERCENT_PRICE: SELL price >= mark x multiplierDown.
    pub multiplier_down: Decimal,
    /// PERCENT_PRICE `multiplierDecimal`.
    pub multiplier_decimal: u32,
    /// Largest |mark - last| / mark at which a `priceProtect` order may trigger.
    pub trigger_protect: Decimal,
    /// Maintenance margin rate (one tier).
    pub maint_margin_rate: Decimal,
    /// Leverage brackets, highest leverage first.
    pub brackets: Vec<LeverageBracket>,
    /// Liquidation fee rate (exchangeInfo `liquidationFee`).
    pub liquidation_fee: Decimal,
    /// exchangeInfo `marketTakeBound`.
    pub market_take_bound: Decimal,
    /// Where the simulated price starts (also the index price until the spot market has one).
    pub start_price: Decimal,
    /// The spot symbol whose book gives the index price.
    pub index_source: String,
}

fn d(s: &str) -> Decimal {
    s.parse().expect("valid decimal literal")
}

fn brackets(caps: &[(u32, &str)]) -> Vec<LeverageBracket> {
    caps.iter().map(|(l, c)| LeverageBracket { max_leverage: *l, notional_cap: d(c) }).collect()
}

impl ContractSpec {
    /// A USD-M perpetual: `tick`/`step` as strings, `min_notional` in USDT.
    pub fn usdm(base: &str, tick: &str, step: &str, min_notional: &str, start: &str) -> ContractSpec {
        let tick = d(tick);
        let step = d(step);
        ContractSpec {
            symbol: format!("{base}USDT"),
            pair: format!("{base}USDT"),
            contract_type: "PERPETUAL".into(),
            base_asset: base.into(),
            quote_asset: "USDT".into(),
            margin_asset: "USDT".into(),
            contract_size: Decimal::ONE,
            price_precision: tick.scale().max(2),
            quantity_precision: step.scale(),
            tick_size: tick,
            min_price: tick * Decimal::from(10),
            max_price: d("4529764"),
            step_size: step,
            min_qty: step,
            max_qty: d("1000"),
            market_min_qty: step,
            market_max_qty: d("120"),
            max_num_orders: 200,
            max_num_algo_orders: 10,
            min_notional: d(min_notional),
            multiplier_up: d("1.0500"),
            multiplier_down: d("0.9500"),
            multiplier_decimal: 4,
            trigger_protect: d("0.0500"),
            maint_margin_rate: d("0.004"),
            brackets: brackets(&[
                (125, "50000"),
                (100, "600000"),
                (75, "3000000"),
                (50, "12000000"),
                (25, "70000000"),
                (20, "100000000"),
                (10, "230000000"),
                (5, "480000000"),
                (4, "600000000"),
                (3, "800000000"),
                (2, "1200000000"),
                (1, "1800000000"),
            ]),
            liquidation_fee: d("0.012500"),
            market_take_bound: d("0.05"),
            start_price: d(start),
            index_source: format!("{base}USDT"),
        }
    }

    /// A COIN-M perpetual with `contract_size` USD per contract.
    pub fn coinm(base: &str, tick: &str, contract_size: i64, start: &str) -> ContractSpec {
        let tick = d(tick);
        ContractSpec {
            symbol: format!("{base}USD_PERP"),
            pair: format!("{base}USD"),
            contract_type: "PERPETUAL".into(),
            base_asset: base.into(),
            quote_asset: "USD".into(),
            margin_asset: base.into(),
            contract_size: Decimal::from(contract_size),
            price_precision: tick.scale().max(1),
            quantity_precision: 0,
            tick_size: tick,
            min_price: tick * Decimal::from(10),
            max_price: d("4520958"),
            step_size: Decimal::ONE,
            min_qty: Decimal::ONE,
            max_qty: d("1000000"),
            market_min_qty: Decimal::ONE,
            market_max_qty: d("60000"),
            max_num_orders: 200,
            max_num_algo_orders: 20,
            min_notional: Decimal::ZERO,
            multiplier_up: d("1.0500"),
            multiplier_down: d("0.9500"),
            multiplier_decimal: 4,
            trigger_protect: d("0.0500"),
            maint_margin_rate: d("0.004"),
            brackets: brackets(&[
                (125, "50000"),
                (100, "250000"),
                (50, "1000000"),
                (20, "5000000"),
                (10, "20000000"),
                (5, "50000000"),
                (4, "100000000"),
                (3, "200000000"),
                (2, "300000000"),
                (1, "500000000"),
            ]),
            liquidation_fee: d("0.015000"),
            market_take_bound: d("0.05"),
            start_price: d(start),
            index_source: format!("{base}USDT"),
        }
    }

    /// The highest leverage the contract allows.
    pub fn max_leverage(&self) -> u32 {
        self.brackets.first().map(|b| b.max_leverage).unwrap_or(1)
    }

    /// The largest position notional allowed at `leverage` (USD).
    pub fn max_notional(&self, leverage: u32) -> Decimal {
        self.brackets.iter().rev().find(|b| b.max_leverage >= leverage).map(|b| b.notional_cap).unwrap_or_default()
    }

    /// The symbol's entry of an exchangeInfo `symbols` array (the futures WebSocket APIs have no exchangeInfo
    /// method; [`crate::futures::FuturesVenue::exchange_info`] serves it to tests and tools).
    pub fn exchange_info_json(&self, inverse: bool) -> Value {
        let mut filters = vec![
            json!({"filterType": "PRICE_FILTER", "minPrice": self.min_price.to_string(),
                   "maxPrice": self.max_price.to_string(), "tickSize": self.tick_size.to_string()}),
            json!({"filterType": "LOT_SIZE", "minQty": self.min_qty.to_string(), "maxQty": self.max_qty.to_string(),
                   "stepSize": self.step_size.to_string()}),
            json!({"filterType": "MARKET_LOT_SIZE", "minQty": self.market_min_qty.to_string(),
                   "maxQty": self.market_max_qty.to_string(), "stepSize": self.step_size.to_string()}),
            json!({"filterType": "MAX_NUM_ORDERS", "limit": self.max_num_orders}),
            json!({"filterType": "MAX_NUM_ALGO_ORDERS", "limit": self.max_num_algo_orders}),
        ];
        if !self.min_notional.is_zero() {
            filters.push(json!({"filterType": "MIN_NOTIONAL", "notional": self.min_notional.to_string()}));
        }
        filters.push(json!({"filterType": "PERCENT_PRICE", "multiplierUp": self.multiplier_up.to_string(),
                             "multiplierDown": self.multiplier_down.to_string(),
                             "multiplierDecimal": self.multiplier_decimal.to_string()}));
        let mut v = json!({
            "symbol": self.symbol,
            "pair": self.pair,
            "contractType": self.contract_type,
            "contractStatus": "TRADING",
            "status": "TRADING",
            "baseAsset": self.base_asset,
            "quoteAsset": self.quote_asset,
            "marginAsset": self.margin_asset,
            "pricePrecision": self.price_precision,
            "quantityPrecision": self.quantity_precision,
            "baseAssetPrecision": 8,
            "quotePrecision": 8,
            "maintMarginPercent": (self.maint_margin_rate * Decimal::ONE_HUNDRED).to_string(),
            "triggerProtect": self.trigger_protect.to_string(),
            "liquidationFee": self.liquidation_fee.to_string(),
            "marketTakeBound": self.market_take_bound.to_string(),
            "filters": filters,
            "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                           "TRAILING_STOP_MARKET"],
            "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
        });
        if inverse {
            v["contractSize"] = json!(self.contract_size.to_string().parse::<i64>().unwrap_or(0));
        }
        v
    }
}

/// The contracts of a product as the local exchange lists them.
pub fn default_contracts(product: Product) -> Vec<ContractSpec> {
    match product {
        Product::UsdM => vec![
            ContractSpec::usdm("BTC", "0.10", "0.001", "100", "60000"),
            ContractSpec::usdm("ETH", "0.01", "0.001", "20", "3000"),
        ],
        Product::CoinM => {
            vec![ContractSpec::coinm("BTC", "0.1", 100, "60000"), ContractSpec::coinm("ETH", "0.01", 10, "3000")]
        }
    }
}

/// How the futures side of a local exchange starts.
#[derive(Debug, Clone)]
pub struct FuturesConfig {
    /// Every configured account's starting USD-M wallet.
    pub usdm_balances: Vec<(String, Decimal)>,
    /// Every configured account's starting COIN-M wallet.
    pub coinm_balances: Vec<(String, Decimal)>,
    /// How long a listenKey lives without `userDataStream.ping` (Binance: 60 minutes).
    pub listen_key_ttl: Duration,
    /// REQUEST_WEIGHT per minute and IP of each futures WebSocket API (the docs' examples show 2400).
    pub weight_per_minute: u64,
    /// USD-M ORDERS limit per 10 seconds (the docs' examples: 300).
    pub usdm_orders_per_10s: u64,
    /// ORDERS limit per minute, both products (the docs' examples: 1200).
    pub orders_per_minute: u64,
    /// The futures WebSocket API pings this often (COIN-M general info: every 3 minutes).
    pub api_ping_interval: Duration,
    /// ... and disconnects when no pong came within this (COIN-M general info: 10 minutes).
    pub api_pong_timeout: Duration,
    /// Leverage of every symbol until changed (Binance's default for new accounts is 20x).
    pub default_leverage: u32,
    /// Maker commission rate.
    pub maker_commission: Decimal,
    /// Taker commission rate.
    pub taker_commission: Decimal,
    /// Whether accounts start in hedge mode (dual side position).
    pub hedge_mode: bool,
    /// How often index and mark prices are refreshed from the spot market.
    pub mark_interval: Duration,
    /// Margin ratio (maintenance margin / margin balance) at which `MARGIN_CALL` is sent.
    pub margin_call_ratio: Decimal,
}

impl Default for FuturesConfig {
    fn default() -> Self {
        FuturesConfig {
            usdm_balances: vec![("USDT".into(), Decimal::from(1_000_000)), ("BNB".into(), Decimal::ZERO)],
            coinm_balances: vec![("BTC".into(), Decimal::from(10)), ("ETH".into(), Decimal::from(100))],
            listen_key_ttl: Duration::from_secs(60 * 60),
            weight_per_minute: 2400,
            usdm_orders_per_10s: 300,
            orders_per_minute: 1200,
            api_ping_interval: Duration::from_secs(180),
            api_pong_timeout: Duration::from_secs(600),
            default_leverage: 20,
            maker_commission: d("0.0002"),
            taker_commission: d("0.0005"),
            hedge_mode: false,
            mark_interval: Duration::from_secs(1),
            margin_call_ratio: d("0.8"),
        }
    }
}
