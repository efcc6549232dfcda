//! Decodes the `exchangeInfo` example of Binance's `web-socket-api.md` into the typed response,
//! builds validation rules from it and checks orders against its BNBBTC filters and flags.

use std::str::FromStr;

use binance_ws::model::{Decimal, OrderType, Side, TimeInForce};
use binance_ws::spot::{ApiRequest, ExchangeInfo, NewOrder};
use binance_ws::validate::{Context, ExchangeRules};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/binance/spot-docs/web-socket-api.md");

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Removes `//` comments that are outside strings.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let bytes = line.as_bytes();
        let (mut in_str, mut escaped, mut cut) = (false, false, line.len());
        for (i, &c) in bytes.iter().enumerate() {
            if in_str {
                match c {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_str = false,
                    _ => {}
                }
            } else if c == b'"' {
                in_str = true;
            } else if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
                cut = i;
                break;
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The `result` of the response example under "### Exchange information".
fn docs_exchange_info() -> Option<ExchangeInfo> {
    let Ok(doc) = std::fs::read_to_string(DOC) else {
        eprintln!("skipped: {DOC} is missing (the shared Binance reference is not checked out)");
        return None;
    };
    let section = doc.split("### Exchange information").nth(1).expect("section in the docs");
    let response = section.split("**Response:**").nth(1).expect("a response example");
    let block = response.split("```javascript").nth(1).and_then(|b| b.split("```").next()).expect("code block");
    let value: serde_json::Value =
        serde_json::from_str(&strip_comments(block)).expect("example is JSON once comments go");
    Some(serde_json::from_value(value["result"].clone()).expect("decodes into ExchangeInfo"))
}

#[test]
fn docs_exchange_info_rules_validate_orders() {
    let Some(info) = docs_exchange_info() else { return };
    let rules = ExchangeRules::from_exchange_info(&info);
    assert_eq!(rules.len(), 1);
    let bnb = rules.get("BNBBTC").expect("BNBBTC");
    assert_eq!(bnb.filters.len(), 2, "PRICE_FILTER and LOT_SIZE");
    let ctx = Context::new();
    let check = |o: &NewOrder| rules.check_request("order.place", &o.params(), &ctx);

    // On the tick (0.000001) and the step (0.001), inside the ranges.
    assert!(check(&NewOrder::limit("BNBBTC", Side::Buy, d("1.001"), d("0.012345"))).is_ok());
    assert!(check(&NewOrder::market("BNBBTC", Side::Sell, d("0.001"))).is_ok());
    assert!(check(&NewOrder::market_quote("BNBBTC", Side::Buy, d("0.5"))).is_ok(), "quoteOrderQtyMarketAllowed");

    // PRICE_FILTER: tick 0.000001, min 0.000001, max 100000.
    let e = check(&NewOrder::limit("BNBBTC", Side::Buy, d("1"), d("0.0123455"))).unwrap_err();
    assert_eq!((e.field.as_str(), e.value.as_deref(), e.filter()), ("price", Some("0.0123455"), Some("PRICE_FILTER")));
    assert_eq!(e.accepted, "0.012345 or 0.012346 (nearest multiples)");
    let e = check(&NewOrder::limit("BNBBTC", Side::Buy, d("1"), d("100000.000001"))).unwrap_err();
    assert!(e.rule.contains("above maxPrice 100000"), "{e}");
    assert_eq!(e.accepted, "0.000001 to 100000");

    // LOT_SIZE: step 0.001, min 0.001, max 100000.
    let e = check(&NewOrder::limit("BNBBTC", Side::Buy, d("0.0015"), d("0.01"))).unwrap_err();
    assert_eq!((e.field.as_str(), e.value.as_deref(), e.filter()), ("quantity", Some("0.0015"), Some("LOT_SIZE")));
    assert_eq!(e.accepted, "0.001 or 0.002 (nearest multiples)");
    let e = check(&NewOrder::market("BNBBTC", Side::Sell, d("0.0009"))).unwrap_err();
    assert!(e.rule.contains("below minQty 0.001 (LOT_SIZE)"), "{e}");

    // orderTypes has no STOP_LOSS / TAKE_PROFIT.
    let e = check(&NewOrder::stop_loss("BNBBTC", Side::Sell, d("1"), d("0.01"))).unwrap_err();
    assert_eq!((e.field.as_str(), e.value.as_deref()), ("type", Some("STOP_LOSS")));
    assert_eq!(e.accepted, "LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT");
    assert!(check(
        &NewOrder::stop_loss_limit("BNBBTC", Side::Sell, d("1"), d("0.01"), d("0.011")).time_in_force(TimeInForce::Gtc)
    )
    .is_ok());

    // allowedSelfTradePreventionModes is ["NONE"].
    let e = check(
        &NewOrder::limit("BNBBTC", Side::Buy, d("1"), d("0.01"))
            .self_trade_prevention_mode(binance_ws::model::SelfTradePreventionMode::ExpireMaker),
    )
    .unwrap_err();
    assert_eq!((e.field.as_str(), e.accepted.as_str()), ("selfTradePreventionMode", "NONE"));

    // Unknown symbols get the per-type rules only.
    assert!(check(&NewOrder::limit("ETHBTC", Side::Buy, d("1.00001"), d("0.0000001"))).is_ok());
    let e = check(&NewOrder::new("ETHBTC", Side::Buy, OrderType::Limit).quantity(d("1"))).unwrap_err();
    assert_eq!(e.field, "timeInForce");
}
