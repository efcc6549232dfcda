//! Account methods through the typed client, compared with the exchange's truth: balances, commission
//! rates, ORDERS counts, filters and self-trade prevention records.

mod spot_e2e_common;

use binance_ws::model::{Filter, OrderStatus, RateLimitInterval, RateLimitType, SelfTradePreventionMode, Side};
use binance_ws::spot::*;
use spot_e2e_common::*;

#[tokio::test]
async fn account_reads_agree_with_the_exchange() {
    let sim = quiet_sim().await;
    let api = ed25519(&sim).await;
    let mut cov = Coverage::new();

    // account.status: every balance as the exchange holds it, before and after a deposit and a trade.
    let check_balances = |info: &AccountInfo| {
        let truth = sim.balances(ED_KEY).unwrap();
        assert_eq!(info.balances.len(), truth.len());
        for (asset, b) in truth {
            let got = info.balances.iter().find(|x| x.asset == asset).unwrap_or_else(|| panic!("{asset}"));
            assert_eq!((got.free, got.locked), (b.free, b.locked), "{asset}");
        }
    };
    let info = api.account_status().await.unwrap();
    check_balances(&info);
    assert!(info.can_trade && info.account_type == "SPOT");
    sim.deposit(ED_KEY, "ETH", d("-200")).unwrap(); // ETH to zero
    sim.deposit(ED_KEY, "USDT", d("12.34")).unwrap();
    api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("40000.00"))).await.unwrap(); // locks 400 USDT
    let info = api.account_status().await.unwrap();
    check_balances(&info);
    let usdt = info.balances.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!((usdt.free, usdt.locked), (d("1000012.34") - d("400"), d("400")));
    let nonzero = api.account_status().omit_zero_balances(true).await.unwrap();
    assert!(nonzero.balances.iter().all(|b| b.asset != "ETH"), "{:?}", nonzero.balances);
    assert_eq!(nonzero.balances.len(), info.balances.len() - 1);
    cov.hit::<AccountStatus>();

    // account.commission: the exchange's rates for this account and symbol.
    let account = sim.shared().account_of(ED_KEY).unwrap();
    let rates = sim.with_exchange(|ex, _| ex.commission_rates(account, "BTCUSDT")).unwrap();
    let c = api.account_commission("BTCUSDT").await.unwrap();
    assert_eq!(c.symbol, "BTCUSDT");
    assert_eq!((c.standard_commission.maker, c.standard_commission.taker), (rates.maker, rates.taker));
    assert_eq!((info.commission_rates.maker, info.commission_rates.taker), (rates.maker, rates.taker));
    assert_code(&api.account_commission("NOPEUSDT").await.unwrap_err(), -1121);
    cov.hit::<AccountCommissionRequest>();

    // account.rateLimits.orders: the ORDERS counts after two more orders (three in all).
    api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("40000.00"))).await.unwrap();
    api.place_order(NewOrder::limit("ETHUSDT", Side::Buy, d("0.1000"), d("1000.00"))).await.unwrap();
    let counts = api.account_rate_limits_orders().await.unwrap();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(counts.iter().all(|c| c.rate_limit_type == RateLimitType::Orders && c.count == 3), "{counts:?}");
    let ten_s = counts.iter().find(|c| c.interval == RateLimitInterval::Second).unwrap();
    assert_eq!((ten_s.interval_num, ten_s.limit), (10, 50));
    let day = counts.iter().find(|c| c.interval == RateLimitInterval::Day).unwrap();
    assert_eq!((day.interval_num, day.limit), (1, 160_000));
    cov.hit::<UnfilledOrderCount>();

    // myFilters: the symbol's filters as exchangeInfo lists them.
    let mine = api.my_filters("BTCUSDT").await.unwrap();
    let info = api.exchange_info().symbols("BTCUSDT").await.unwrap();
    assert_eq!(mine.symbol_filters, info.symbols[0].filters);
    assert!(mine.symbol_filters.iter().any(|f| matches!(f, Filter::PriceFilter(p) if p.tick_size == d("0.01"))));
    cov.hit::<MyFiltersRequest>();

    // myPreventedMatches: this account's buy meets its own ask; EXPIRE_MAKER (the default) expires the ask.
    let ask = api.place_order(NewOrder::limit("BNBUSDT", Side::Sell, d("1.000"), d("600.00"))).await.unwrap();
    let bid = api.place_order(NewOrder::limit("BNBUSDT", Side::Buy, d("1.000"), d("600.00"))).await.unwrap();
    assert_eq!(bid.status, Some(OrderStatus::New), "nothing traded: {bid:?}");
    let expired = api.order_status("BNBUSDT", ask.order_id).await.unwrap();
    assert_eq!(expired.status, OrderStatus::ExpiredInMatch);
    let pm = api.my_prevented_matches("BNBUSDT").order_id(bid.order_id).await.unwrap();
    assert_eq!(pm.len(), 1, "{pm:?}");
    let p = &pm[0];
    assert_eq!((p.taker_order_id, p.maker_order_id, p.maker_symbol.as_str()), (bid.order_id, ask.order_id, "BNBUSDT"));
    assert_eq!((p.price, p.maker_prevented_quantity), (d("600"), d("1")));
    assert_eq!(p.self_trade_prevention_mode, SelfTradePreventionMode::ExpireMaker);
    assert_eq!(expired.conditional.prevented_match_id, Some(p.prevented_match_id));
    let one = api.my_prevented_matches("BNBUSDT").prevented_match_id(p.prevented_match_id).await.unwrap();
    assert_eq!(one, pm);
    assert!(sim.depth("BNBUSDT", 5).unwrap().asks.is_empty(), "the ask left the book");
    cov.hit::<MyPreventedMatches>();
    cov.finish("spot_e2e_account::account_reads_agree_with_the_exchange");
}
