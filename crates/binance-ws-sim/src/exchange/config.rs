//! Symbols, their filters and the exchange's configuration (what exchangeInfo renders).

use super::order::{OrderType, StpMode};
use rust_decimal::Decimal;
use std::str::FromStr;

/// PRICE_FILTER.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceFilter {
    pub min_price: Decimal,
    pub max_price: Decimal,
    pub tick_size: Decimal,
}

/// LOT_SIZE and MARKET_LOT_SIZE.
#[derive(Debug, Clone, PartialEq)]
pub struct LotSize {
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    pub step_size: Decimal,
}

/// NOTIONAL.
#[derive(Debug, Clone, PartialEq)]
pub struct NotionalFilter {
    pub min_notional: Decimal,
    pub apply_min_to_market: bool,
    pub max_notional: Decimal,
    pub apply_max_to_market: bool,
    pub avg_price_mins: u32,
}

/// PERCENT_PRICE_BY_SIDE.
#[derive(Debug, Clone, PartialEq)]
pub struct PercentPriceBySide {
    pub bid_multiplier_up: Decimal,
    pub bid_multiplier_down: Decimal,
    pub ask_multiplier_up: Decimal,
    pub ask_multiplier_down: Decimal,
    pub avg_price_mins: u32,
}

/// A symbol filter; absent filters are not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum SymbolFilter {
    PriceFilter(PriceFilter),
    LotSize(LotSize),
    MarketLotSize(LotSize),
    Notional(NotionalFilter),
    PercentPriceBySide(PercentPriceBySide),
    IcebergParts { limit: u32 },
    MaxNumOrders { max_num_orders: u32 },
}

impl SymbolFilter {
    /// The `filterType` name.
    pub fn filter_type(&self) -> &'static str {
        match self {
            Self::PriceFilter(_) => "PRICE_FILTER",
            Self::LotSize(_) => "LOT_SIZE",
            Self::MarketLotSize(_) => "MARKET_LOT_SIZE",
            Self::Notional(_) => "NOTIONAL",
            Self::PercentPriceBySide(_) => "PERCENT_PRICE_BY_SIDE",
            Self::IcebergParts { .. } => "ICEBERG_PARTS",
            Self::MaxNumOrders { .. } => "MAX_NUM_ORDERS",
        }
    }
}

/// One symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolConfig {
    pub symbol: String,
    /// `TRADING` etc.
    pub status: String,
    pub base_asset: String,
    pub base_asset_precision: u32,
    pub quote_asset: String,
    pub quote_precision: u32,
    pub quote_asset_precision: u32,
    pub base_commission_precision: u32,
    pub quote_commission_precision: u32,
    pub order_types: Vec<OrderType>,
    pub iceberg_allowed: bool,
    pub oco_allowed: bool,
    pub oto_allowed: bool,
    pub opo_allowed: bool,
    pub quote_order_qty_market_allowed: bool,
    pub allow_trailing_stop: bool,
    pub cancel_replace_allowed: bool,
    pub amend_allowed: bool,
    pub peg_instructions_allowed: bool,
    pub is_spot_trading_allowed: bool,
    pub is_margin_trading_allowed: bool,
    pub filters: Vec<SymbolFilter>,
    pub permission_sets: Vec<Vec<String>>,
    pub default_stp_mode: StpMode,
    pub allowed_stp_modes: Vec<StpMode>,
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

impl SymbolConfig {
    /// A spot symbol with every order type, STP mode and feature this exchange supports, and standard filters.
    pub fn spot(base: &str, quote: &str, tick: &str, step: &str, min_notional: &str) -> Self {
        SymbolConfig {
            symbol: format!("{base}{quote}"),
            status: "TRADING".into(),
            base_asset: base.into(),
            base_asset_precision: 8,
            quote_asset: quote.into(),
            quote_precision: 8,
            quote_asset_precision: 8,
            base_commission_precision: 8,
            quote_commission_precision: 8,
            order_types: vec![
                OrderType::Limit,
                OrderType::LimitMaker,
                OrderType::Market,
                OrderType::StopLoss,
                OrderType::StopLossLimit,
                OrderType::TakeProfit,
                OrderType::TakeProfitLimit,
            ],
            iceberg_allowed: true,
            oco_allowed: true,
            oto_allowed: true,
            opo_allowed: false,
            quote_order_qty_market_allowed: true,
            allow_trailing_stop: false,
            cancel_replace_allowed: true,
            amend_allowed: true,
            peg_instructions_allowed: false,
            is_spot_trading_allowed: true,
            is_margin_trading_allowed: false,
            filters: vec![
                SymbolFilter::PriceFilter(PriceFilter {
                    min_price: d(tick),
                    max_price: d("1000000"),
                    tick_size: d(tick),
                }),
                SymbolFilter::LotSize(LotSize { min_qty: d(step), max_qty: d("9000"), step_size: d(step) }),
                SymbolFilter::IcebergParts { limit: 10 },
                SymbolFilter::MarketLotSize(LotSize { min_qty: d("0"), max_qty: d("100"), step_size: d("0") }),
                SymbolFilter::PercentPriceBySide(PercentPriceBySide {
                    bid_multiplier_up: d("5"),
                    bid_multiplier_down: d("0.2"),
                    ask_multiplier_up: d("5"),
                    ask_multiplier_down: d("0.2"),
                    avg_price_mins: 5,
                }),
                SymbolFilter::Notional(NotionalFilter {
                    min_notional: d(min_notional),
                    apply_min_to_market: true,
                    max_notional: d("9000000"),
                    apply_max_to_market: false,
                    avg_price_mins: 5,
                }),
                SymbolFilter::MaxNumOrders { max_num_orders: 200 },
            ],
            permission_sets: vec![vec!["SPOT".into()]],
            default_stp_mode: StpMode::ExpireMaker,
            allowed_stp_modes: vec![
                StpMode::None,
                StpMode::ExpireTaker,
                StpMode::ExpireMaker,
                StpMode::ExpireBoth,
                StpMode::Decrement,
            ],
        }
    }

    pub(crate) fn price_filter(&self) -> Option<&PriceFilter> {
        self.filters.iter().find_map(|f| if let SymbolFilter::PriceFilter(p) = f { Some(p) } else { None })
    }
    pub(crate) fn lot_size(&self) -> Option<&LotSize> {
        self.filters.iter().find_map(|f| if let SymbolFilter::LotSize(p) = f { Some(p) } else { None })
    }
    pub(crate) fn market_lot_size(&self) -> Option<&LotSize> {
        self.filters.iter().find_map(|f| if let SymbolFilter::MarketLotSize(p) = f { Some(p) } else { None })
    }
    pub(crate) fn notional(&self) -> Option<&NotionalFilter> {
        self.filters.iter().find_map(|f| if let SymbolFilter::Notional(p) = f { Some(p) } else { None })
    }
    pub(crate) fn percent_price(&self) -> Option<&PercentPriceBySide> {
        self.filters.iter().find_map(|f| if let SymbolFilter::PercentPriceBySide(p) = f { Some(p) } else { None })
    }
    pub(crate) fn iceberg_parts(&self) -> Option<u32> {
        self.filters.iter().find_map(|f| if let SymbolFilter::IcebergParts { limit } = f { Some(*limit) } else { None })
    }
    pub(crate) fn max_num_orders(&self) -> Option<u32> {
        self.filters.iter().find_map(|f| {
            if let SymbolFilter::MaxNumOrders { max_num_orders } = f {
                Some(*max_num_orders)
            } else {
                None
            }
        })
    }
    /// The step used to round computed quantities (LOT_SIZE step, else MARKET_LOT_SIZE step).
    pub(crate) fn qty_step(&self) -> Decimal {
        let s = self.lot_size().map(|l| l.step_size).unwrap_or_default();
        if s > Decimal::ZERO {
            s
        } else {
            Decimal::new(1, self.base_asset_precision)
        }
    }
    /// The minutes over which the average price is taken (from NOTIONAL or PERCENT_PRICE_BY_SIDE).
    pub(crate) fn avg_price_mins(&self) -> u32 {
        self.notional().map(|n| n.avg_price_mins).or(self.percent_price().map(|p| p.avg_price_mins)).unwrap_or(5)
    }
}

/// The exchange's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeConfig {
    pub symbols: Vec<SymbolConfig>,
    /// Default maker commission rate for new accounts (e.g. 0.001 = 0.1%).
    pub maker_commission: Decimal,
    /// Default taker commission rate for new accounts.
    pub taker_commission: Decimal,
}

impl Default for ExchangeConfig {
    /// BTCUSDT, ETHUSDT and BNBUSDT with tick 0.01, step 0.00001 (BNB 0.001), min notional 5, commissions 0.1%.
    fn default() -> Self {
        ExchangeConfig {
            symbols: vec![
                SymbolConfig::spot("BTC", "USDT", "0.01", "0.00001", "5"),
                SymbolConfig::spot("ETH", "USDT", "0.01", "0.0001", "5"),
                SymbolConfig::spot("BNB", "USDT", "0.01", "0.001", "5"),
            ],
            maker_commission: d("0.001"),
            taker_commission: d("0.001"),
        }
    }
}
