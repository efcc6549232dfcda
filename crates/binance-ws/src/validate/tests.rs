//! Unit tests: every rule accepts what it should and refuses with field, value and accepted set.

use std::str::FromStr;

use serde_json::json;

use super::*;
use crate::api::spot::{ApiRequest, NewOrder, SorOrder};
use crate::model::{Decimal, Filter, OrderType, PegOffsetType, PegPriceType, Side, SymbolStatus, TimeInForce};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn params(v: serde_json::Value) -> Params {
    v.as_object().unwrap().clone()
}

fn f(v: serde_json::Value) -> Filter {
    serde_json::from_value(v).unwrap()
}

/// Rules for BTCUSDT made of `filters`.
fn rules(filters: Vec<Filter>) -> ExchangeRules {
    let mut r = ExchangeRules::new();
    r.insert(TradingRules::from_filters("BTCUSDT", filters));
    r
}

fn ctx() -> Context {
    Context::new()
}

/// Asserts a refusal of `field` with `value`, a rule containing `rule` and accepted containing `accepted`.
#[track_caller]
fn refused(
    r: Result<(), ValidationError>,
    field: &str,
    value: Option<&str>,
    rule: &str,
    accepted: &str,
) -> ValidationError {
    let e = r.expect_err("should be refused");
    assert_eq!(e.field, field, "{e}");
    assert_eq!(e.value.as_deref(), value, "{e}");
    assert!(e.rule.contains(rule), "rule {:?} lacks {rule:?}", e.rule);
    assert!(e.accepted.contains(accepted), "accepted {:?} lacks {accepted:?}", e.accepted);
    let text = e.to_string();
    assert!(text.starts_with(field), "{text}");
    if let Some(v) = value {
        assert!(text.contains(v), "{text}");
    }
    e
}

fn spot(o: &NewOrder) -> Result<(), ValidationError> {
    check_request("order.place", &o.params(), &ctx())
}

fn with(r: &ExchangeRules, o: &NewOrder, c: &Context) -> Result<(), ValidationError> {
    r.check_request("order.place", &o.params(), c)
}

// ------------------------------------------------------------------ per-type rules (spot)

#[test]
fn limit_needs_tif_price_quantity() {
    assert!(spot(&NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("10"))).is_ok());
    let mut o = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("10"));
    o.time_in_force = None;
    let e = refused(spot(&o), "timeInForce", None, "is mandatory for LIMIT orders", "GTC, IOC or FOK");
    assert_eq!(e.to_string(), "timeInForce (not sent) is mandatory for LIMIT orders; accepted: GTC, IOC or FOK");
    let o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Limit).time_in_force(TimeInForce::Gtc).quantity(d("1"));
    refused(spot(&o), "price", None, "mandatory", "pegPriceType");
    let o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Limit).time_in_force(TimeInForce::Gtc).price(d("1"));
    refused(spot(&o), "quantity", None, "mandatory", "quantity");
    // pegged: price optional
    let o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Limit)
        .time_in_force(TimeInForce::Gtc)
        .quantity(d("1"))
        .peg_price_type(PegPriceType::PrimaryPeg);
    assert!(spot(&o).is_ok());
}

#[test]
fn limit_maker_takes_no_tif() {
    assert!(spot(&NewOrder::limit_maker("BTCUSDT", Side::Sell, d("1"), d("10"))).is_ok());
    let o = NewOrder::limit_maker("BTCUSDT", Side::Sell, d("1"), d("10")).time_in_force(TimeInForce::Gtc);
    refused(spot(&o), "timeInForce", Some("GTC"), "is not used by LIMIT_MAKER orders", "leave it out");
    let mut o = NewOrder::limit_maker("BTCUSDT", Side::Sell, d("1"), d("10"));
    o.price = None;
    refused(spot(&o), "price", None, "mandatory for LIMIT_MAKER", "price");
}

#[test]
fn market_quantity_xor_quote_order_qty() {
    assert!(spot(&NewOrder::market("BTCUSDT", Side::Buy, d("1"))).is_ok());
    assert!(spot(&NewOrder::market_quote("BTCUSDT", Side::Buy, d("100"))).is_ok());
    let both = NewOrder::market("BTCUSDT", Side::Buy, d("1")).quote_order_qty(d("100"));
    refused(spot(&both), "quoteOrderQty", Some("100"), "cannot be sent together with quantity", "either quantity");
    let none = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Market);
    refused(spot(&none), "quantity", None, "mandatory for MARKET", "quoteOrderQty");
    let priced = NewOrder::market("BTCUSDT", Side::Buy, d("1")).price(d("5"));
    refused(spot(&priced), "price", Some("5"), "is not used by MARKET orders", "leave it out");
    let tif = NewOrder::market("BTCUSDT", Side::Buy, d("1")).time_in_force(TimeInForce::Ioc);
    refused(spot(&tif), "timeInForce", Some("IOC"), "not used by MARKET", "leave it out");
    let quote_on_limit = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("2")).quote_order_qty(d("3"));
    refused(spot(&quote_on_limit), "quoteOrderQty", Some("3"), "not used by LIMIT", "leave it out");
}

#[test]
fn stop_types_need_stop_price_or_trailing_delta() {
    for t in [OrderType::StopLoss, OrderType::TakeProfit] {
        let base = NewOrder::new("BTCUSDT", Side::Sell, t).quantity(d("1"));
        assert!(spot(&base.clone().stop_price(d("9"))).is_ok());
        assert!(spot(&base.clone().trailing_delta(100)).is_ok());
        assert!(spot(&base.clone().stop_price(d("9")).trailing_delta(100)).is_ok(), "both are allowed");
        refused(spot(&base), "stopPrice", None, "mandatory", "stopPrice, trailingDelta, or both");
        refused(spot(&base.clone().stop_price(d("9")).price(d("9"))), "price", Some("9"), "not used", "leave it out");
    }
    for t in [OrderType::StopLossLimit, OrderType::TakeProfitLimit] {
        let ok = NewOrder::new("BTCUSDT", Side::Sell, t)
            .quantity(d("1"))
            .price(d("9"))
            .time_in_force(TimeInForce::Gtc)
            .trailing_delta(50);
        assert!(spot(&ok).is_ok());
        let mut no_tif = ok.clone();
        no_tif.time_in_force = None;
        refused(spot(&no_tif), "timeInForce", None, "mandatory", "GTC");
        let mut no_stop = ok.clone();
        no_stop.trailing_delta = None;
        refused(spot(&no_stop), "stopPrice", None, "mandatory", "trailingDelta");
    }
    let limit_with_stop = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("2")).stop_price(d("3"));
    refused(spot(&limit_with_stop), "stopPrice", Some("3"), "not used by LIMIT", "leave it out");
    let limit_with_delta = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("2")).trailing_delta(5);
    refused(spot(&limit_with_delta), "trailingDelta", Some("5"), "not used by LIMIT", "leave it out");
    let zero = NewOrder::new("BTCUSDT", Side::Sell, OrderType::StopLoss).quantity(d("1")).trailing_delta(0);
    refused(spot(&zero), "trailingDelta", Some("0"), "positive whole number", "basis points");
}

#[test]
fn iceberg_rules() {
    let ok = NewOrder::limit("BTCUSDT", Side::Buy, d("10"), d("1")).iceberg_qty(d("2"));
    assert!(spot(&ok).is_ok());
    assert!(spot(&NewOrder::limit_maker("BTCUSDT", Side::Buy, d("10"), d("1")).iceberg_qty(d("2"))).is_ok());
    let ioc = ok.clone().time_in_force(TimeInForce::Ioc);
    refused(spot(&ioc), "icebergQty", Some("2"), "needs timeInForce GTC, but it is IOC", "timeInForce GTC");
    let market = NewOrder::market("BTCUSDT", Side::Buy, d("10")).iceberg_qty(d("2"));
    refused(spot(&market), "icebergQty", Some("2"), "not used by MARKET", "leave it out");
    let too_big = NewOrder::limit("BTCUSDT", Side::Buy, d("10"), d("1")).iceberg_qty(d("10"));
    refused(spot(&too_big), "icebergQty", Some("10"), "must be less than the order quantity 10", "below 10");
}

#[test]
fn values_strategy_type_peg_and_stp() {
    let neg = NewOrder::limit("BTCUSDT", Side::Buy, d("-1"), d("1"));
    refused(spot(&neg), "quantity", Some("-1"), "must be above zero", "positive");
    let zero_price = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("0"));
    refused(spot(&zero_price), "price", Some("0"), "above zero", "positive");
    let base = || NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("1"));
    assert!(spot(&base().strategy_type(1_000_000)).is_ok());
    refused(spot(&base().strategy_type(999_999)), "strategyType", Some("999999"), "reserved", "1000000 or more");
    let peg = base().peg_offset_type(PegOffsetType::PriceLevel).peg_offset_value(100);
    assert!(spot(&peg).is_ok());
    refused(
        spot(&base().peg_offset_type(PegOffsetType::PriceLevel).peg_offset_value(101)),
        "pegOffsetValue",
        Some("101"),
        "out of range",
        "0 to 100",
    );
    refused(
        spot(&base().peg_offset_value(3)),
        "pegOffsetValue",
        Some("3"),
        "together with pegOffsetType",
        "both or neither",
    );
    let maker_market_peg =
        NewOrder::limit_maker("BTCUSDT", Side::Buy, d("1"), d("1")).peg_price_type(PegPriceType::MarketPeg);
    refused(spot(&maker_market_peg), "pegPriceType", Some("MARKET_PEG"), "LIMIT_MAKER", "PRIMARY_PEG");
    let market_peg = NewOrder::market("BTCUSDT", Side::Buy, d("1")).peg_price_type(PegPriceType::PrimaryPeg);
    refused(spot(&market_peg), "pegPriceType", Some("PRIMARY_PEG"), "not used by MARKET", "leave it out");
    // unknown values coming through the raw params
    let p =
        params(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTX","price":"1","quantity":"1"}));
    refused(
        check_request("order.place", &p, &ctx()),
        "timeInForce",
        Some("GTX"),
        "not a time in force",
        "GTC, IOC or FOK",
    );
    let p = params(json!({"symbol":"BTCUSDT","side":"BUY","type":"STOP","quantity":"1"}));
    refused(check_request("order.place", &p, &ctx()), "type", Some("STOP"), "not a spot order type", "LIMIT_MAKER");
    let p = params(json!({"symbol":"BTCUSDT","side":"HOLD","type":"MARKET","quantity":"1"}));
    refused(check_request("order.place", &p, &ctx()), "side", Some("HOLD"), "not an order side", "BUY or SELL");
    let p = params(json!({"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"1.2.3"}));
    refused(check_request("order.place", &p, &ctx()), "quantity", Some("1.2.3"), "not a decimal", "0.001");
    let p = params(json!({"side":"BUY","type":"MARKET","quantity":"1"}));
    refused(check_request("order.place", &p, &ctx()), "symbol", None, "mandatory", "symbol");
    let p = params(
        json!({"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"1","selfTradePreventionMode":"NOPE"}),
    );
    refused(
        check_request("order.place", &p, &ctx()),
        "selfTradePreventionMode",
        Some("NOPE"),
        "not an STP mode",
        "EXPIRE_MAKER",
    );
}

#[test]
fn recv_window_limit() {
    assert!(check_recv_window(60000.0).is_ok());
    assert!(check_recv_window(6000.346).is_ok());
    refused(check_recv_window(60000.5), "recvWindow", Some("60000.5"), "greater than 60000", "at most 60000");
    refused(check_recv_window(100.0001), "recvWindow", Some("100.0001"), "three decimal places", "6000.346");
}

#[test]
fn sor_limits() {
    let ok = SorOrder::limit("BTCUSDT", Side::Buy, d("1"), d("2"));
    assert!(check_request("sor.order.place", &ok.params(), &ctx()).is_ok());
    let p = params(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT_MAKER","quantity":"1","price":"2"}));
    refused(
        check_request("sor.order.test", &p, &ctx()),
        "type",
        Some("LIMIT_MAKER"),
        "not supported by SOR",
        "LIMIT or MARKET",
    );
    let p = params(json!({"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quoteOrderQty":"10"}));
    refused(
        check_request("sor.order.place", &p, &ctx()),
        "quoteOrderQty",
        Some("10"),
        "not supported by SOR",
        "quantity",
    );
}

#[test]
fn other_methods_pass() {
    assert!(check_request("depth", &params(json!({"symbol":"X"})), &ctx()).is_ok());
    assert!(check_request("order.cancel", &params(json!({"symbol":"X","orderId":1})), &ctx()).is_ok());
}

// ------------------------------------------------------------------ filters

fn price_filter(min: &str, max: &str, tick: &str) -> Filter {
    f(json!({"filterType":"PRICE_FILTER","minPrice":min,"maxPrice":max,"tickSize":tick}))
}

#[test]
fn price_filter_rules_and_message() {
    let r = rules(vec![price_filter("0.01000000", "1000.00000000", "0.01000000")]);
    let lim = |p: &str| NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d(p));
    assert!(with(&r, &lim("100.01"), &ctx()).is_ok());
    assert!(with(&r, &lim("100.010000"), &ctx()).is_ok(), "trailing zeros are exact multiples");
    assert!(with(&r, &lim("0.01"), &ctx()).is_ok(), "min is inclusive");
    assert!(with(&r, &lim("1000"), &ctx()).is_ok(), "max is inclusive");
    let e = refused(
        with(&r, &lim("100.005"), &ctx()),
        "price",
        Some("100.005"),
        "is not a multiple of tickSize 0.01 (PRICE_FILTER)",
        "100.00 or 100.01",
    );
    assert_eq!(
        e.to_string(),
        "price 100.005 is not a multiple of tickSize 0.01 (PRICE_FILTER); accepted: 100.00 or 100.01 (nearest multiples)"
    );
    assert_eq!(e.filter(), Some("PRICE_FILTER"));
    refused(
        with(&r, &lim("0.009"), &ctx()),
        "price",
        Some("0.009"),
        "below minPrice 0.01 (PRICE_FILTER)",
        "0.01 to 1000",
    );
    refused(
        with(&r, &lim("1000.01"), &ctx()),
        "price",
        Some("1000.01"),
        "above maxPrice 1000 (PRICE_FILTER)",
        "0.01 to 1000",
    );
    // stopPrice too
    let stop = NewOrder::stop_loss("BTCUSDT", Side::Sell, d("1"), d("5.555"));
    refused(with(&r, &stop, &ctx()), "stopPrice", Some("5.555"), "tickSize 0.01", "5.55 or 5.56");
    // the nearest multiple above max is not offered
    let r2 = rules(vec![price_filter("1", "10", "3")]);
    refused(with(&r2, &lim("10"), &ctx()), "price", Some("10"), "tickSize 3", "9 (nearest multiple)");
}

#[test]
fn price_filter_zero_disables_each_part() {
    let lim = |p: &str| NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d(p));
    let no_min = rules(vec![price_filter("0", "10", "0.5")]);
    assert!(with(&no_min, &lim("0.5"), &ctx()).is_ok());
    refused(with(&no_min, &lim("11"), &ctx()), "price", Some("11"), "above maxPrice 10", "at most 10");
    let no_max = rules(vec![price_filter("1", "0", "0.5")]);
    assert!(with(&no_max, &lim("123456789.5"), &ctx()).is_ok());
    refused(with(&no_max, &lim("0.5"), &ctx()), "price", Some("0.5"), "below minPrice 1", "at least 1");
    let no_tick = rules(vec![price_filter("1", "10", "0")]);
    assert!(with(&no_tick, &lim("3.14159265358979"), &ctx()).is_ok());
    let all_off = rules(vec![price_filter("0", "0", "0")]);
    assert!(with(&all_off, &lim("0.0000000000001"), &ctx()).is_ok());
}

#[test]
fn many_decimal_places_and_min_equals_max() {
    let r = rules(vec![
        price_filter("0.00000001", "100000", "0.00000001"),
        f(json!({"filterType":"LOT_SIZE","minQty":"5","maxQty":"5","stepSize":"0.00000001"})),
    ]);
    let o = NewOrder::limit("BTCUSDT", Side::Buy, d("5"), d("0.00012345"));
    assert!(with(&r, &o, &ctx()).is_ok());
    let o = NewOrder::limit("BTCUSDT", Side::Buy, d("5"), d("0.000123455"));
    refused(with(&r, &o, &ctx()), "price", Some("0.000123455"), "tickSize 0.00000001", "0.00012345 or 0.00012346");
    let o = NewOrder::limit("BTCUSDT", Side::Buy, d("5.00000001"), d("1"));
    refused(with(&r, &o, &ctx()), "quantity", Some("5.00000001"), "above maxQty 5 (LOT_SIZE)", "5 to 5");
    let o = NewOrder::limit("BTCUSDT", Side::Buy, d("4.99999999"), d("1"));
    refused(with(&r, &o, &ctx()), "quantity", Some("4.99999999"), "below minQty 5 (LOT_SIZE)", "5 to 5");
}

#[test]
fn lot_size_quantity_and_iceberg() {
    let r = rules(vec![f(
        json!({"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"100.00000000","stepSize":"0.00100000"}),
    )]);
    let lim = |q: &str| NewOrder::limit("BTCUSDT", Side::Buy, d(q), d("1"));
    assert!(with(&r, &lim("0.001"), &ctx()).is_ok());
    assert!(with(&r, &lim("100"), &ctx()).is_ok());
    refused(
        with(&r, &lim("0.0015"), &ctx()),
        "quantity",
        Some("0.0015"),
        "not a multiple of stepSize 0.001 (LOT_SIZE)",
        "0.001 or 0.002",
    );
    refused(with(&r, &lim("0.0005"), &ctx()), "quantity", Some("0.0005"), "below minQty 0.001", "0.001 to 100");
    refused(with(&r, &lim("100.001"), &ctx()), "quantity", Some("100.001"), "above maxQty 100", "0.001 to 100");
    let ice = lim("1").iceberg_qty(d("0.0101"));
    refused(with(&r, &ice, &ctx()), "icebergQty", Some("0.0101"), "stepSize 0.001 (LOT_SIZE)", "0.010 or 0.011");
    // applies to MARKET too
    refused(
        with(&r, &NewOrder::market("BTCUSDT", Side::Sell, d("0.0001")), &ctx()),
        "quantity",
        Some("0.0001"),
        "LOT_SIZE",
        "0.001",
    );
}

#[test]
fn market_lot_size_applies_to_market_only() {
    let r = rules(vec![f(json!({"filterType":"MARKET_LOT_SIZE","minQty":"1","maxQty":"10","stepSize":"1"}))]);
    assert!(with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("10")), &ctx()).is_ok());
    refused(
        with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("11")), &ctx()),
        "quantity",
        Some("11"),
        "above maxQty 10 (MARKET_LOT_SIZE)",
        "1 to 10",
    );
    refused(
        with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("1.5")), &ctx()),
        "quantity",
        Some("1.5"),
        "stepSize 1 (MARKET_LOT_SIZE)",
        "1 or 2",
    );
    assert!(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("11.5"), d("1")), &ctx()).is_ok(),
        "LIMIT is not a MARKET order"
    );
    assert!(with(&r, &NewOrder::market_quote("BTCUSDT", Side::Buy, d("1000")), &ctx()).is_ok(), "no quantity sent");
}

#[test]
fn percent_price_needs_average_price() {
    let r = rules(vec![f(
        json!({"filterType":"PERCENT_PRICE","multiplierUp":"1.3000","multiplierDown":"0.7000","avgPriceMins":5}),
    )]);
    let lim = |p: &str| NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d(p));
    assert!(with(&r, &lim("1000"), &ctx()).is_ok(), "skipped without an average price");
    let c = ctx().avg_price(d("100"));
    assert!(with(&r, &lim("130"), &c).is_ok());
    assert!(with(&r, &lim("70"), &c).is_ok());
    refused(
        with(&r, &lim("130.01"), &c),
        "price",
        Some("130.01"),
        "above multiplierUp 1.3 x average price 100 = 130 (PERCENT_PRICE)",
        "70 to 130",
    );
    refused(with(&r, &lim("69.99"), &c), "price", Some("69.99"), "below multiplierDown 0.7", "70 to 130");
}

#[test]
fn percent_price_by_side() {
    let r = rules(vec![f(
        json!({"filterType":"PERCENT_PRICE_BY_SIDE","bidMultiplierUp":"1.2","bidMultiplierDown":"0.2","askMultiplierUp":"5","askMultiplierDown":"0.8","avgPriceMins":1}),
    )]);
    let c = ctx().avg_price(d("10"));
    assert!(with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("12")), &c).is_ok());
    refused(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("13")), &c),
        "price",
        Some("13"),
        "bidMultiplierUp 1.2",
        "2 to 12",
    );
    assert!(with(&r, &NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("13")), &c).is_ok());
    refused(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("7.9")), &c),
        "price",
        Some("7.9"),
        "askMultiplierDown 0.8 x average price 10 = 8 (PERCENT_PRICE_BY_SIDE)",
        "8 to 50",
    );
}

#[test]
fn min_notional() {
    let filter = |apply: bool| {
        rules(vec![f(
            json!({"filterType":"MIN_NOTIONAL","minNotional":"10.00000000","applyToMarket":apply,"avgPriceMins":5}),
        )])
    };
    let r = filter(true);
    assert!(with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("2"), d("5")), &ctx()).is_ok(), "exactly the minimum");
    refused(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("1.99"), d("5")), &ctx()),
        "quantity",
        Some("1.99"),
        "notional 9.95 is below minNotional 10 (MIN_NOTIONAL)",
        "at least 10",
    );
    let m = NewOrder::market("BTCUSDT", Side::Buy, d("1"));
    assert!(with(&r, &m, &ctx()).is_ok(), "no average price: skipped");
    refused(
        with(&r, &m, &ctx().avg_price(d("9"))),
        "quantity",
        Some("1"),
        "x average price = notional 9",
        "at least 10",
    );
    refused(
        with(&r, &NewOrder::market_quote("BTCUSDT", Side::Buy, d("9")), &ctx()),
        "quoteOrderQty",
        Some("9"),
        "below minNotional 10",
        "at least 10",
    );
    assert!(with(&filter(false), &m, &ctx().avg_price(d("9"))).is_ok(), "applyToMarket false");
}

#[test]
fn notional_min_max_and_market_flags() {
    let filter = |min_m: bool, max_m: bool| {
        rules(vec![f(
            json!({"filterType":"NOTIONAL","minNotional":"10","applyMinToMarket":min_m,"maxNotional":"100","applyMaxToMarket":max_m,"avgPriceMins":5}),
        )])
    };
    let r = filter(false, false);
    assert!(with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("10"), d("10")), &ctx()).is_ok(), "max inclusive");
    refused(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("10.1"), d("10")), &ctx()),
        "quantity",
        Some("10.1"),
        "above maxNotional 100 (NOTIONAL)",
        "from 10 to 100",
    );
    refused(
        with(&r, &NewOrder::limit("BTCUSDT", Side::Buy, d("0.9"), d("10")), &ctx()),
        "quantity",
        Some("0.9"),
        "below minNotional 10 (NOTIONAL)",
        "from 10 to 100",
    );
    let c = ctx().avg_price(d("10"));
    let small = NewOrder::market("BTCUSDT", Side::Buy, d("0.5"));
    let big = NewOrder::market("BTCUSDT", Side::Buy, d("50"));
    assert!(with(&r, &small, &c).is_ok() && with(&r, &big, &c).is_ok(), "neither applies to MARKET");
    refused(with(&filter(true, false), &small, &c), "quantity", Some("0.5"), "below minNotional 10", "10 to 100");
    assert!(with(&filter(true, false), &big, &c).is_ok());
    refused(with(&filter(false, true), &big, &c), "quantity", Some("50"), "above maxNotional 100", "10 to 100");
}

#[test]
fn iceberg_parts() {
    let r = rules(vec![f(json!({"filterType":"ICEBERG_PARTS","limit":10}))]);
    let o = |ice: &str| NewOrder::limit("BTCUSDT", Side::Buy, d("10"), d("1")).iceberg_qty(d(ice));
    assert!(with(&r, &o("1"), &ctx()).is_ok(), "exactly 10 parts");
    refused(
        with(&r, &o("0.99"), &ctx()),
        "icebergQty",
        Some("0.99"),
        "into 11 parts, more than limit 10 (ICEBERG_PARTS)",
        "at least 1",
    );
}

#[test]
fn trailing_delta_above_and_below() {
    let r = rules(vec![f(
        json!({"filterType":"TRAILING_DELTA","minTrailingAboveDelta":10,"maxTrailingAboveDelta":2000,"minTrailingBelowDelta":20,"maxTrailingBelowDelta":1000}),
    )]);
    let o = |t: OrderType, side: Side, delta: u64| {
        let o = NewOrder::new("BTCUSDT", side, t).quantity(d("1")).trailing_delta(delta);
        if matches!(t, OrderType::StopLossLimit | OrderType::TakeProfitLimit) {
            o.price(d("1")).time_in_force(TimeInForce::Gtc)
        } else {
            o
        }
    };
    // above: STOP_LOSS BUY, STOP_LOSS_LIMIT BUY, TAKE_PROFIT SELL, TAKE_PROFIT_LIMIT SELL
    for (t, s) in [
        (OrderType::StopLoss, Side::Buy),
        (OrderType::StopLossLimit, Side::Buy),
        (OrderType::TakeProfit, Side::Sell),
        (OrderType::TakeProfitLimit, Side::Sell),
    ] {
        assert!(with(&r, &o(t, s, 10), &ctx()).is_ok());
        assert!(with(&r, &o(t, s, 2000), &ctx()).is_ok());
        refused(
            with(&r, &o(t, s, 2001), &ctx()),
            "trailingDelta",
            Some("2001"),
            "above maxTrailingAboveDelta 2000 (TRAILING_DELTA)",
            "10 to 2000",
        );
    }
    for (t, s) in [
        (OrderType::StopLoss, Side::Sell),
        (OrderType::StopLossLimit, Side::Sell),
        (OrderType::TakeProfit, Side::Buy),
        (OrderType::TakeProfitLimit, Side::Buy),
    ] {
        refused(
            with(&r, &o(t, s, 10), &ctx()),
            "trailingDelta",
            Some("10"),
            "below minTrailingBelowDelta 20",
            "20 to 1000",
        );
        refused(
            with(&r, &o(t, s, 1001), &ctx()),
            "trailingDelta",
            Some("1001"),
            "above maxTrailingBelowDelta 1000",
            "20 to 1000",
        );
    }
}

#[test]
fn max_position_for_buys() {
    let r = rules(vec![f(json!({"filterType":"MAX_POSITION","maxPosition":"10.00000000"}))]);
    let c = ctx().position(d("8"));
    assert!(with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("2")), &c).is_ok());
    refused(
        with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("2.5")), &c),
        "quantity",
        Some("2.5"),
        "from 8 to 10.5 above maxPosition 10 (MAX_POSITION)",
        "at most 2",
    );
    assert!(with(&r, &NewOrder::market("BTCUSDT", Side::Sell, d("20")), &c).is_ok(), "sells are not limited");
    assert!(with(&r, &NewOrder::market("BTCUSDT", Side::Buy, d("20")), &ctx()).is_ok(), "no position known");
}

#[test]
fn count_filters_symbol_and_exchange() {
    let mut r = rules(vec![
        f(json!({"filterType":"MAX_NUM_ORDERS","maxNumOrders":25})),
        f(json!({"filterType":"MAX_NUM_ALGO_ORDERS","maxNumAlgoOrders":5})),
        f(json!({"filterType":"MAX_NUM_ICEBERG_ORDERS","maxNumIcebergOrders":1})),
        f(json!({"filterType":"MAX_NUM_ORDER_LISTS","maxNumOrderLists":2})),
    ]);
    r.exchange_filters = vec![f(json!({"filterType":"EXCHANGE_MAX_NUM_ORDERS","maxNumOrders":100}))];
    let lim = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("1"));
    let open = |orders, algo, ice| OpenCounts { orders, algo_orders: algo, iceberg_orders: ice, order_lists: 0 };
    assert!(with(&r, &lim, &ctx().symbol_open(open(24, 0, 0))).is_ok());
    refused(
        with(&r, &lim, &ctx().symbol_open(open(25, 0, 0))),
        "openOrders",
        Some("25"),
        "on BTCUSDT plus 1 new would exceed 25 (MAX_NUM_ORDERS)",
        "at most 24",
    );
    let algo = NewOrder::stop_loss("BTCUSDT", Side::Sell, d("1"), d("1"));
    assert!(with(&r, &algo, &ctx().symbol_open(open(5, 4, 0))).is_ok());
    refused(
        with(&r, &algo, &ctx().symbol_open(open(5, 5, 0))),
        "openAlgoOrders",
        Some("5"),
        "MAX_NUM_ALGO_ORDERS",
        "at most 4",
    );
    assert!(with(&r, &lim, &ctx().symbol_open(open(5, 5, 0))).is_ok(), "a LIMIT is no algo order");
    let ice = lim.clone().iceberg_qty(d("0.5"));
    refused(
        with(&r, &ice, &ctx().symbol_open(open(1, 0, 1))),
        "openIcebergOrders",
        Some("1"),
        "MAX_NUM_ICEBERG_ORDERS",
        "at most 0",
    );
    let mut replace = lim.params();
    replace.insert("cancelReplaceMode".into(), json!("STOP_ON_FAILURE"));
    replace.insert("cancelOrderId".into(), json!(1));
    assert!(r.check_request("order.cancelReplace", &replace, &ctx().symbol_open(open(25, 0, 0))).is_ok(), "net zero");
    refused(
        with(&r, &lim, &ctx().exchange_open(open(100, 0, 0))),
        "openOrders",
        Some("100"),
        "on the exchange plus 1 new would exceed 100 (EXCHANGE_MAX_NUM_ORDERS)",
        "at most 99",
    );
}

#[test]
fn symbol_flags() {
    let mut t = TradingRules::from_filters("BTCUSDT", vec![]);
    t.status = Some(SymbolStatus::Halt);
    t.order_types = Some(vec![OrderType::Limit, OrderType::Market]);
    t.iceberg_allowed = false;
    t.quote_order_qty_market_allowed = false;
    t.allow_trailing_stop = false;
    t.peg_instructions_allowed = false;
    t.allowed_stp_modes = vec![crate::model::SelfTradePreventionMode::ExpireMaker];
    let c = ctx();
    let lim = NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("1"));
    refused(
        t.check(&OrderFields::from_params(Venue::Spot, &lim.params()).unwrap(), &c),
        "symbol",
        Some("BTCUSDT"),
        "not trading (status HALT)",
        "TRADING",
    );
    t.status = Some(SymbolStatus::Trading);
    let chk = |o: &NewOrder| t.check(&OrderFields::from_params(Venue::Spot, &o.params()).unwrap(), &c);
    assert!(chk(&lim).is_ok());
    refused(
        chk(&NewOrder::limit_maker("BTCUSDT", Side::Buy, d("1"), d("1"))),
        "type",
        Some("LIMIT_MAKER"),
        "not supported on BTCUSDT",
        "LIMIT, MARKET",
    );
    refused(
        chk(&lim.clone().iceberg_qty(d("0.5"))),
        "icebergQty",
        Some("0.5"),
        "iceberg orders are not enabled",
        "no icebergQty",
    );
    refused(
        chk(&NewOrder::market_quote("BTCUSDT", Side::Buy, d("5"))),
        "quoteOrderQty",
        Some("5"),
        "not enabled",
        "quantity",
    );
    refused(
        chk(&lim.clone().peg_price_type(PegPriceType::PrimaryPeg)),
        "pegPriceType",
        Some("PRIMARY_PEG"),
        "pegged orders",
        "explicit price",
    );
    refused(
        chk(&lim.clone().self_trade_prevention_mode(crate::model::SelfTradePreventionMode::ExpireBoth)),
        "selfTradePreventionMode",
        Some("EXPIRE_BOTH"),
        "not allowed on BTCUSDT",
        "EXPIRE_MAKER",
    );
    let trailing = NewOrder::new("BTCUSDT", Side::Sell, OrderType::StopLoss).quantity(d("1")).trailing_delta(10);
    let mut t3 = t.clone();
    t3.order_types = None;
    refused(
        t3.check(&OrderFields::from_params(Venue::Spot, &trailing.params()).unwrap(), &c),
        "trailingDelta",
        Some("10"),
        "trailing stops",
        "stopPrice",
    );
    // cancelReplace flag
    let mut r = ExchangeRules::new();
    let mut t2 = TradingRules::from_filters("BTCUSDT", vec![]);
    t2.cancel_replace_allowed = false;
    r.insert(t2);
    let mut p = lim.params();
    p.insert("cancelReplaceMode".into(), json!("STOP_ON_FAILURE"));
    p.insert("cancelOrderId".into(), json!(1));
    refused(
        r.check_request("order.cancelReplace", &p, &c),
        "symbol",
        Some("BTCUSDT"),
        "cancelReplaceAllowed is false",
        "order.cancel",
    );
}

#[test]
fn all_errors_are_reported() {
    let r = rules(vec![price_filter("1", "100", "1")]);
    let o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Limit).price(d("0.5"));
    let all = check_request_all(Some(&r), "order.place", &o.params(), &ctx());
    let fields: Vec<&str> = all.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["timeInForce", "quantity", "price"]);
}

// ------------------------------------------------------------------ order lists

#[test]
fn order_list_legs_are_checked_with_prefixes() {
    use crate::api::spot::{OcoOrderList, OrderListLeg, OtoOrderList};
    let r = rules(vec![
        price_filter("0.01", "1000", "0.01"),
        f(json!({"filterType":"MAX_NUM_ORDER_LISTS","maxNumOrderLists":1})),
    ]);
    let oco = OcoOrderList::new(
        "BTCUSDT",
        Side::Sell,
        d("1"),
        OrderListLeg::limit_maker(d("110")),
        OrderListLeg::stop_loss(d("90")),
    );
    assert!(r.check_request("orderList.place.oco", &oco.params(), &ctx()).is_ok());
    let bad = OcoOrderList::new(
        "BTCUSDT",
        Side::Sell,
        d("1"),
        OrderListLeg::limit_maker(d("110.001")),
        OrderListLeg::stop_loss(d("90")),
    );
    refused(
        r.check_request("orderList.place.oco", &bad.params(), &ctx()),
        "abovePrice",
        Some("110.001"),
        "tickSize 0.01",
        "110.00 or 110.01",
    );
    let wrong_type = OcoOrderList::new(
        "BTCUSDT",
        Side::Sell,
        d("1"),
        OrderListLeg::limit_maker(d("110")),
        OrderListLeg::limit_maker(d("90")),
    );
    refused(
        r.check_request("orderList.place.oco", &wrong_type.params(), &ctx()),
        "belowType",
        Some("LIMIT_MAKER"),
        "not supported for the below order",
        "STOP_LOSS",
    );
    let no_tif = OcoOrderList::new(
        "BTCUSDT",
        Side::Sell,
        d("1"),
        OrderListLeg::limit_maker(d("110")),
        OrderListLeg::new(OrderType::StopLossLimit).price(d("89")).stop_price(d("90")),
    );
    refused(
        r.check_request("orderList.place.oco", &no_tif.params(), &ctx()),
        "belowTimeInForce",
        None,
        "mandatory for STOP_LOSS_LIMIT",
        "GTC",
    );
    let lists = OpenCounts { order_lists: 1, ..OpenCounts::default() };
    refused(
        r.check_request("orderList.place.oco", &oco.params(), &ctx().symbol_open(lists)),
        "openOrderLists",
        Some("1"),
        "MAX_NUM_ORDER_LISTS",
        "at most 0",
    );
    let oto = OtoOrderList::new(
        "BTCUSDT",
        Side::Buy,
        d("1"),
        OrderListLeg::limit(d("100")),
        Side::Sell,
        d("1"),
        OrderListLeg::new(OrderType::Limit).price(d("120")),
    );
    refused(
        r.check_request("orderList.place.oto", &oto.params(), &ctx()),
        "pendingTimeInForce",
        None,
        "mandatory for LIMIT",
        "GTC",
    );
    let mut t = TradingRules::from_filters("BTCUSDT", vec![]);
    t.oco_allowed = false;
    let mut r2 = ExchangeRules::new();
    r2.insert(t);
    refused(
        r2.check_request("orderList.place.oco", &oco.params(), &ctx()),
        "symbol",
        Some("BTCUSDT"),
        "does not allow OCO (ocoAllowed)",
        "single orders",
    );
}

#[test]
fn opo_pending_quantity_is_implied() {
    let p = params(json!({
        "symbol": "BTCUSDT", "workingType": "LIMIT", "workingSide": "BUY", "workingPrice": "100",
        "workingQuantity": "1", "workingTimeInForce": "GTC", "pendingType": "MARKET", "pendingSide": "SELL"
    }));
    assert!(check_request("orderList.place.opo", &p, &ctx()).is_ok());
    let mut oto = p.clone();
    assert!(check_request("orderList.place.oto", &oto, &ctx()).is_err(), "OTO needs pendingQuantity");
    oto.insert("pendingQuantity".into(), json!("1"));
    assert!(check_request("orderList.place.oto", &oto, &ctx()).is_ok());
}

// ------------------------------------------------------------------ futures

fn fut(venue: Venue, v: serde_json::Value) -> Result<(), ValidationError> {
    let c = ctx().now_ms(1_700_000_000_000);
    OrderFields::from_params(venue, &params(v)).and_then(|o| o.check(&c))
}

#[test]
fn futures_mandatory_per_type() {
    let um = |v| fut(Venue::UsdM, v);
    assert!(um(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"1","price":"1"}))
        .is_ok());
    assert!(um(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"1","priceMatch":"QUEUE_5"})).is_ok());
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":"1","price":"1"})),
        "timeInForce",
        None,
        "mandatory for LIMIT",
        "GTC",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"1"})),
        "price",
        None,
        "mandatory",
        "price or priceMatch",
    );
    refused(
        um(
            json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"1","price":"1","priceMatch":"OPPONENT"}),
        ),
        "price",
        Some("1"),
        "together with priceMatch",
        "either price or priceMatch",
    );
    refused(
        um(
            json!({"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"1","priceMatch":"BEST"}),
        ),
        "priceMatch",
        Some("BEST"),
        "not a price match",
        "QUEUE_20",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"MARKET"})),
        "quantity",
        None,
        "mandatory for MARKET",
        "quantity",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"1","priceMatch":"QUEUE"})),
        "priceMatch",
        Some("QUEUE"),
        "not used by MARKET",
        "leave it out",
    );
    assert!(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"STOP","quantity":"1","price":"1","stopPrice":"2"})).is_ok()
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"STOP","quantity":"1","price":"1"})),
        "stopPrice",
        None,
        "mandatory for STOP",
        "trigger",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"BUY","type":"TAKE_PROFIT","quantity":"1","stopPrice":"2"})),
        "price",
        None,
        "mandatory",
        "priceMatch",
    );
    assert!(um(json!({"symbol":"BTCUSDT","side":"SELL","type":"STOP_MARKET","stopPrice":"2","closePosition":"true"}))
        .is_ok());
    refused(
        um(json!({"symbol":"BTCUSDT","side":"SELL","type":"TAKE_PROFIT_MARKET","quantity":"1"})),
        "stopPrice",
        None,
        "mandatory",
        "trigger",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"SELL","type":"LIMIT_MAKER","quantity":"1"})),
        "type",
        Some("LIMIT_MAKER"),
        "not a futures order type",
        "TRAILING_STOP_MARKET",
    );
    refused(
        um(json!({"symbol":"BTCUSDT","side":"SELL","type":"MARKET","quantity":"1","stopPrice":"3"})),
        "stopPrice",
        Some("3"),
        "not used by MARKET",
        "leave it out",
    );
}

#[test]
fn futures_close_position_reduce_only_and_hedge_mode() {
    let um = |v| fut(Venue::UsdM, v);
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"STOP_MARKET","stopPrice":"2","closePosition":"true","quantity":"1"}),
        ),
        "quantity",
        Some("1"),
        "closePosition=true",
        "no quantity",
    );
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"STOP_MARKET","stopPrice":"2","closePosition":true,"reduceOnly":"false"}),
        ),
        "reduceOnly",
        Some("false"),
        "closePosition=true",
        "leave it out",
    );
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","closePosition":"true"})),
        "closePosition",
        Some("true"),
        "not used by MARKET",
        "leave it out",
    );
    refused(
        um(
            json!({"symbol":"B","side":"BUY","type":"STOP_MARKET","stopPrice":"2","closePosition":"true","positionSide":"LONG"}),
        ),
        "closePosition",
        Some("true"),
        "BUY orders on the LONG position side",
        "SELL with LONG",
    );
    assert!(um(json!({"symbol":"B","side":"SELL","type":"STOP_MARKET","stopPrice":"2","closePosition":"true","positionSide":"LONG"})).is_ok());
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","positionSide":"SHORT","reduceOnly":"true"}),
        ),
        "reduceOnly",
        Some("true"),
        "Hedge Mode",
        "leave it out",
    );
    assert!(um(
        json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","positionSide":"BOTH","reduceOnly":"true"})
    )
    .is_ok());
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","positionSide":"UP"})),
        "positionSide",
        Some("UP"),
        "not a position side",
        "BOTH, LONG or SHORT",
    );
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","reduceOnly":"maybe"})),
        "reduceOnly",
        Some("\"maybe\""),
        "not a boolean",
        "true or false",
    );
}

#[test]
fn futures_trailing_stop_price_protect_gtd_and_client_id() {
    let um = |v| fut(Venue::UsdM, v);
    let cm = |v| fut(Venue::CoinM, v);
    assert!(um(json!({"symbol":"B","side":"SELL","type":"TRAILING_STOP_MARKET","callbackRate":"0.1","quantity":"1"}))
        .is_ok());
    assert!(um(
        json!({"symbol":"B","side":"SELL","type":"TRAILING_STOP_MARKET","callbackRate":"10","activationPrice":"5"})
    )
    .is_ok());
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"TRAILING_STOP_MARKET"})),
        "callbackRate",
        None,
        "mandatory",
        "0.1 to 10",
    );
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"TRAILING_STOP_MARKET","callbackRate":"0.09"})),
        "callbackRate",
        Some("0.09"),
        "out of range",
        "0.1 to 10",
    );
    refused(
        cm(json!({"symbol":"B","side":"SELL","type":"TRAILING_STOP_MARKET","callbackRate":"10.01"})),
        "callbackRate",
        Some("10.01"),
        "out of range",
        "0.1 to 10",
    );
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","callbackRate":"1"})),
        "callbackRate",
        Some("1"),
        "not used by MARKET",
        "leave it out",
    );
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"LIMIT","timeInForce":"GTC","quantity":"1","price":"1","activationPrice":"1"}),
        ),
        "activationPrice",
        Some("1"),
        "TRAILING_STOP_MARKET",
        "leave it out",
    );
    assert!(um(
        json!({"symbol":"B","side":"SELL","type":"STOP_MARKET","stopPrice":"1","quantity":"1","priceProtect":"TRUE"})
    )
    .is_ok());
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"LIMIT","timeInForce":"GTC","quantity":"1","price":"1","priceProtect":"TRUE"}),
        ),
        "priceProtect",
        Some("true"),
        "not used by LIMIT",
        "leave it out",
    );
    // goodTillDate: now = 1_700_000_000_000
    let gtd = |g: i64| {
        um(
            json!({"symbol":"B","side":"SELL","type":"LIMIT","timeInForce":"GTD","quantity":"1","price":"1","goodTillDate":g}),
        )
    };
    assert!(gtd(1_700_000_600_001).is_ok());
    refused(
        gtd(1_700_000_600_000),
        "goodTillDate",
        Some("1700000600000"),
        "later than now + 600 s",
        "above 1700000600000",
    );
    refused(gtd(253_402_300_799_000), "goodTillDate", Some("253402300799000"), "smaller than 253402300799000", "below");
    refused(
        um(json!({"symbol":"B","side":"SELL","type":"LIMIT","timeInForce":"GTD","quantity":"1","price":"1"})),
        "goodTillDate",
        None,
        "mandatory",
        "600 s",
    );
    refused(
        um(
            json!({"symbol":"B","side":"SELL","type":"LIMIT","timeInForce":"GTC","quantity":"1","price":"1","goodTillDate":1_800_000_000_000_i64}),
        ),
        "goodTillDate",
        Some("1800000000000"),
        "only used with timeInForce GTD",
        "GTD",
    );
    let id = |s: &str| um(json!({"symbol":"B","side":"SELL","type":"MARKET","quantity":"1","newClientOrderId":s}));
    assert!(id("my.order:1/a_b-C").is_ok());
    assert!(id(&"x".repeat(36)).is_ok());
    refused(id(&"x".repeat(37)), "newClientOrderId", Some(&"x".repeat(37)), "{1,36}", "1 to 36");
    refused(id("has space"), "newClientOrderId", Some("has space"), "does not match", "A-Z a-z 0-9");
    refused(id(""), "newClientOrderId", Some(""), "does not match", "1 to 36");
}

#[test]
fn order_fields_from_new_order_round_trip() {
    let o = NewOrder::stop_loss_limit("ETHBTC", Side::Sell, d("0.5"), d("0.05"), d("0.051"))
        .iceberg_qty(d("0.1"))
        .new_client_order_id("abc")
        .strategy_type(1_000_001);
    let fields = OrderFields::from_params(Venue::Spot, &o.params()).unwrap();
    assert_eq!(fields.symbol, "ETHBTC");
    assert_eq!(fields.side, Side::Sell);
    assert_eq!(fields.order_type, "STOP_LOSS_LIMIT");
    assert_eq!(fields.time_in_force.as_deref(), Some("GTC"));
    assert_eq!((fields.quantity, fields.price, fields.stop_price), (Some(d("0.5")), Some(d("0.05")), Some(d("0.051"))));
    assert_eq!(fields.iceberg_qty, Some(d("0.1")));
    assert_eq!(fields.new_client_order_id.as_deref(), Some("abc"));
    assert_eq!(fields.strategy_type, Some(1_000_001));
    assert!(fields.is_algo() && fields.is_iceberg());
    assert_eq!(fields.key("price"), "price");
    let leg = OrderFields::from_leg(
        &params(json!({"symbol":"X","side":"BUY","quantity":"1","aboveType":"LIMIT_MAKER","abovePrice":"1"})),
        "above",
        "side",
        "quantity",
    )
    .unwrap();
    assert_eq!(
        (leg.key("price"), leg.key("quantity"), leg.key("stopPrice")),
        ("abovePrice".into(), "quantity".into(), "aboveStopPrice".into())
    );
}

#[test]
fn error_converts_into_crate_error() {
    let e = ValidationError::new("price", Some("1.5"), "is odd (PRICE_FILTER)", "1 or 2");
    let err: crate::Error = e.clone().into();
    assert_eq!(err.to_string(), "not sent: price 1.5 is odd (PRICE_FILTER); accepted: 1 or 2");
    assert!(matches!(err, crate::Error::Validation(b) if *b == e));
}
