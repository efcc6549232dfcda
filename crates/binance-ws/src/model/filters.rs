//! Symbol, exchange and asset filters (`filters.md`), typed by `filterType`.

use rust_decimal::Decimal;
use serde::{de::Error as _, Deserialize, Deserializer};

/// A filter from `exchangeInfo` (symbol and exchange filters) or `myFilters` (also asset filters).
///
/// Decoded by its `filterType`; a type this library does not know yet is kept whole in
/// [`Filter::Unknown`] rather than failing the whole response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Filter {
    /// `PRICE_FILTER`
    PriceFilter(PriceFilter),
    /// `PERCENT_PRICE`
    PercentPrice(PercentPrice),
    /// `PERCENT_PRICE_BY_SIDE`
    PercentPriceBySide(PercentPriceBySide),
    /// `LOT_SIZE`
    LotSize(LotSize),
    /// `MIN_NOTIONAL`
    MinNotional(MinNotional),
    /// `NOTIONAL`
    Notional(Notional),
    /// `ICEBERG_PARTS`
    IcebergParts(IcebergParts),
    /// `MARKET_LOT_SIZE`
    MarketLotSize(LotSize),
    /// `MAX_NUM_ORDERS`
    MaxNumOrders(MaxNumOrders),
    /// `MAX_NUM_ALGO_ORDERS`
    MaxNumAlgoOrders(MaxNumAlgoOrders),
    /// `MAX_NUM_ICEBERG_ORDERS`
    MaxNumIcebergOrders(MaxNumIcebergOrders),
    /// `MAX_POSITION`
    MaxPosition(MaxPosition),
    /// `TRAILING_DELTA`
    TrailingDelta(TrailingDelta),
    /// `MAX_NUM_ORDER_AMENDS`
    MaxNumOrderAmends(MaxNumOrderAmends),
    /// `MAX_NUM_ORDER_LISTS`
    MaxNumOrderLists(MaxNumOrderLists),
    /// `EXCHANGE_MAX_NUM_ORDERS`
    ExchangeMaxNumOrders(MaxNumOrders),
    /// `EXCHANGE_MAX_NUM_ALGO_ORDERS`
    ExchangeMaxNumAlgoOrders(MaxNumAlgoOrders),
    /// `EXCHANGE_MAX_NUM_ICEBERG_ORDERS`
    ExchangeMaxNumIcebergOrders(MaxNumIcebergOrders),
    /// `EXCHANGE_MAX_NUM_ORDER_LISTS`
    ExchangeMaxNumOrderLists(MaxNumOrderLists),
    /// `MAX_ASSET` (asset filter, from `myFilters`)
    MaxAsset(MaxAsset),
    /// A filter type this library does not know: the raw object, `filterType` included.
    Unknown(serde_json::Value),
}

impl Filter {
    /// The `filterType` as Binance spells it (for [`Filter::Unknown`], the raw value's, or `""`).
    pub fn filter_type(&self) -> &str {
        match self {
            Filter::PriceFilter(_) => "PRICE_FILTER",
            Filter::PercentPrice(_) => "PERCENT_PRICE",
            Filter::PercentPriceBySide(_) => "PERCENT_PRICE_BY_SIDE",
            Filter::LotSize(_) => "LOT_SIZE",
            Filter::MinNotional(_) => "MIN_NOTIONAL",
            Filter::Notional(_) => "NOTIONAL",
            Filter::IcebergParts(_) => "ICEBERG_PARTS",
            Filter::MarketLotSize(_) => "MARKET_LOT_SIZE",
            Filter::MaxNumOrders(_) => "MAX_NUM_ORDERS",
            Filter::MaxNumAlgoOrders(_) => "MAX_NUM_ALGO_ORDERS",
            Filter::MaxNumIcebergOrders(_) => "MAX_NUM_ICEBERG_ORDERS",
            Filter::MaxPosition(_) => "MAX_POSITION",
            Filter::TrailingDelta(_) => "TRAILING_DELTA",
            Filter::MaxNumOrderAmends(_) => "MAX_NUM_ORDER_AMENDS",
            Filter::MaxNumOrderLists(_) => "MAX_NUM_ORDER_LISTS",
            Filter::ExchangeMaxNumOrders(_) => "EXCHANGE_MAX_NUM_ORDERS",
            Filter::ExchangeMaxNumAlgoOrders(_) => "EXCHANGE_MAX_NUM_ALGO_ORDERS",
            Filter::ExchangeMaxNumIcebergOrders(_) => "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
            Filter::ExchangeMaxNumOrderLists(_) => "EXCHANGE_MAX_NUM_ORDER_LISTS",
            Filter::MaxAsset(_) => "MAX_ASSET",
            Filter::Unknown(v) => v.get("filterType").and_then(|t| t.as_str()).unwrap_or(""),
        }
    }
}

impl<'de> Deserialize<'de> for Filter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("filterType")
            .and_then(|t| t.as_str())
            .ok_or_else(|| D::Error::custom("filter object without a string `filterType`"))?
            .to_owned();
        fn typed<T: for<'a> Deserialize<'a>, E: serde::de::Error>(
            v: serde_json::Value,
            tag: &str,
            wrap: fn(T) -> Filter,
        ) -> Result<Filter, E> {
            T::deserialize(v).map(wrap).map_err(|e| E::custom(format_args!("filter {tag}: {e}")))
        }
        match tag.as_str() {
            "PRICE_FILTER" => typed(value, &tag, Filter::PriceFilter),
            "PERCENT_PRICE" => typed(value, &tag, Filter::PercentPrice),
            "PERCENT_PRICE_BY_SIDE" => typed(value, &tag, Filter::PercentPriceBySide),
            "LOT_SIZE" => typed(value, &tag, Filter::LotSize),
            "MIN_NOTIONAL" => typed(value, &tag, Filter::MinNotional),
            "NOTIONAL" => typed(value, &tag, Filter::Notional),
            "ICEBERG_PARTS" => typed(value, &tag, Filter::IcebergParts),
            "MARKET_LOT_SIZE" => typed(value, &tag, Filter::MarketLotSize),
            "MAX_NUM_ORDERS" => typed(value, &tag, Filter::MaxNumOrders),
            "MAX_NUM_ALGO_ORDERS" => typed(value, &tag, Filter::MaxNumAlgoOrders),
            "MAX_NUM_ICEBERG_ORDERS" => typed(value, &tag, Filter::MaxNumIcebergOrders),
            "MAX_POSITION" => typed(value, &tag, Filter::MaxPosition),
            "TRAILING_DELTA" => typed(value, &tag, Filter::TrailingDelta),
            "MAX_NUM_ORDER_AMENDS" => typed(value, &tag, Filter::MaxNumOrderAmends),
            "MAX_NUM_ORDER_LISTS" => typed(value, &tag, Filter::MaxNumOrderLists),
            "EXCHANGE_MAX_NUM_ORDERS" => typed(value, &tag, Filter::ExchangeMaxNumOrders),
            "EXCHANGE_MAX_NUM_ALGO_ORDERS" => typed(value, &tag, Filter::ExchangeMaxNumAlgoOrders),
            "EXCHANGE_MAX_NUM_ICEBERG_ORDERS" => typed(value, &tag, Filter::ExchangeMaxNumIcebergOrders),
            "EXCHANGE_MAX_NUM_ORDER_LISTS" => typed(value, &tag, Filter::ExchangeMaxNumOrderLists),
            "MAX_ASSET" => typed(value, &tag, Filter::MaxAsset),
            _ => Ok(Filter::Unknown(value)),
        }
    }
}

/// `PRICE_FILTER`: price range and tick size (a zero disables that rule).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceFilter {
    /// Lowest allowed price.
    pub min_price: Decimal,
    /// Highest allowed price.
    pub max_price: Decimal,
    /// Price step.
    pub tick_size: Decimal,
}

/// `PERCENT_PRICE`: price within multipliers of the average price (spot) or of the mark price (futures,
/// whose filter has no `avgPriceMins` but a `multiplierDecimal`; a futures BUY is only bounded above, a SELL
/// only below).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PercentPrice {
    /// Upper multiplier.
    pub multiplier_up: Decimal,
    /// Lower multiplier.
    pub multiplier_down: Decimal,
    /// Minutes of the average price (0 = last price; futures filters have none).
    #[serde(default)]
    pub avg_price_mins: u32,
}

/// `PERCENT_PRICE_BY_SIDE`: like `PERCENT_PRICE`, per side.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PercentPriceBySide {
    /// Bid upper multiplier.
    pub bid_multiplier_up: Decimal,
    /// Bid lower multiplier.
    pub bid_multiplier_down: Decimal,
    /// Ask upper multiplier.
    pub ask_multiplier_up: Decimal,
    /// Ask lower multiplier.
    pub ask_multiplier_down: Decimal,
    /// Minutes of the average price.
    pub avg_price_mins: u32,
}

/// `LOT_SIZE` and `MARKET_LOT_SIZE`: quantity range and step.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LotSize {
    /// Smallest quantity.
    pub min_qty: Decimal,
    /// Largest quantity.
    pub max_qty: Decimal,
    /// Quantity step.
    pub step_size: Decimal,
}

/// `MIN_NOTIONAL`: minimum price x quantity. Futures exchangeInfo spells it `{"notional": "100"}` (no
/// `applyToMarket`: it applies to every order that is not reduce-only).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinNotional {
    /// Minimum notional value (`minNotional`; futures: `notional`).
    #[serde(alias = "notional")]
    pub min_notional: Decimal,
    /// Whether it applies to market orders (absent from futures filters, where it does).
    #[serde(default = "applies")]
    pub apply_to_market: bool,
    /// Minutes of the average price used for market orders (absent from futures filters).
    #[serde(default)]
    pub avg_price_mins: u32,
}

fn applies() -> bool {
    true
}

/// `NOTIONAL`: notional value range.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notional {
    /// Minimum notional value.
    pub min_notional: Decimal,
    /// Whether the minimum applies to market orders.
    pub apply_min_to_market: bool,
    /// Maximum notional value.
    pub max_notional: Decimal,
    /// Whether the maximum applies to market orders.
    pub apply_max_to_market: bool,
    /// Minutes of the average price used for market orders.
    pub avg_price_mins: u32,
}

/// `ICEBERG_PARTS`: most parts an iceberg order may have.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IcebergParts {
    /// The limit.
    pub limit: u32,
}

/// `MAX_NUM_ORDERS` and `EXCHANGE_MAX_NUM_ORDERS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxNumOrders {
    /// Most open orders (`maxNumOrders`; futures exchangeInfo: `limit`).
    #[serde(alias = "limit")]
    pub max_num_orders: u32,
}

/// `MAX_NUM_ALGO_ORDERS` and `EXCHANGE_MAX_NUM_ALGO_ORDERS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxNumAlgoOrders {
    /// Most open stop/take-profit orders (`maxNumAlgoOrders`; futures exchangeInfo: `limit`).
    #[serde(alias = "limit")]
    pub max_num_algo_orders: u32,
}

/// `MAX_NUM_ICEBERG_ORDERS` and `EXCHANGE_MAX_NUM_ICEBERG_ORDERS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxNumIcebergOrders {
    /// Most open iceberg orders.
    pub max_num_iceberg_orders: u32,
}

/// `MAX_POSITION`: largest position (balance plus open buy orders) allowed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxPosition {
    /// The limit.
    pub max_position: Decimal,
}

/// `TRAILING_DELTA`: allowed trailing delta range, in basis points.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailingDelta {
    /// Minimum delta above the market.
    pub min_trailing_above_delta: u32,
    /// Maximum delta above the market.
    pub max_trailing_above_delta: u32,
    /// Minimum delta below the market.
    pub min_trailing_below_delta: u32,
    /// Maximum delta below the market.
    pub max_trailing_below_delta: u32,
}

/// `MAX_NUM_ORDER_AMENDS`: most amendments per order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxNumOrderAmends {
    /// The limit.
    pub max_num_order_amends: u32,
}

/// `MAX_NUM_ORDER_LISTS` and `EXCHANGE_MAX_NUM_ORDER_LISTS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaxNumOrderLists {
    /// Most open order lists.
    pub max_num_order_lists: u32,
}

/// `MAX_ASSET`: largest quantity of an asset an account may trade for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MaxAsset {
    /// The asset.
    pub asset: String,
    /// The limit.
    pub limit: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_filters() {
        let f: Filter = serde_json::from_str(
            r#"{"filterType":"PRICE_FILTER","minPrice":"0.00000100","maxPrice":"100000.00000000","tickSize":"0.00000100"}"#,
        )
        .unwrap();
        assert_eq!(f.filter_type(), "PRICE_FILTER");
        let Filter::PriceFilter(p) = f else { panic!("wrong variant") };
        assert_eq!(p.tick_size.to_string(), "0.00000100");
        let f: Filter = serde_json::from_str(r#"{"filterType":"NEW_ONE","x":1}"#).unwrap();
        assert!(matches!(f, Filter::Unknown(_)));
        assert_eq!(f.filter_type(), "NEW_ONE");
        assert!(serde_json::from_str::<Filter>(r#"{"filterType":"LOT_SIZE","minQty":"x"}"#).is_err());
    }

    #[test]
    fn futures_spellings_of_shared_filters() {
        // Binance's futures exchangeInfo: counts under `limit`, MIN_NOTIONAL as `notional`, PERCENT_PRICE with
        // `multiplierDecimal` and no `avgPriceMins`.
        let v: Vec<Filter> = serde_json::from_str(
            r#"[{"filterType":"MAX_NUM_ORDERS","limit":200},{"filterType":"MAX_NUM_ALGO_ORDERS","limit":10},
                {"filterType":"MIN_NOTIONAL","notional":"100"},
                {"filterType":"PERCENT_PRICE","multiplierUp":"1.0500","multiplierDown":"0.9500","multiplierDecimal":"4"}]"#,
        )
        .unwrap();
        assert_eq!(v[0], Filter::MaxNumOrders(MaxNumOrders { max_num_orders: 200 }));
        assert_eq!(v[1], Filter::MaxNumAlgoOrders(MaxNumAlgoOrders { max_num_algo_orders: 10 }));
        let Filter::MinNotional(m) = &v[2] else { panic!("{:?}", v[2]) };
        assert_eq!((m.min_notional, m.apply_to_market), (Decimal::ONE_HUNDRED, true));
        let Filter::PercentPrice(p) = &v[3] else { panic!("{:?}", v[3]) };
        assert_eq!((p.multiplier_up.to_string().as_str(), p.avg_price_mins), ("1.0500", 0));
    }
}
