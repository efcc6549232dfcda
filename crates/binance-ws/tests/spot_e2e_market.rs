//! General and market data methods through the typed client against the local exchange, each
//! reply compared with the exchange's own state (its book, its symbol configs, the trades made here).

mod spot_e2e_common;

use binance_ws::model::{Filter, Interval, NewOrderRespType, Side, SymbolStatus};
use binance_ws::spot::*;
use rust_decimal::Decimal;
use spot_e2e_common::*;

#[tokio::test]
async fn general_methods() {
    let sim = quiet_sim().await;
    let api = Api::connect(&env(&sim), None).await.unwrap();
    let mut cov = Coverage::new();

    api.ping().await.unwrap();
    cov.hit::<Ping>();

    let before = sim.clock().now_ms();
    let time = api.time().await.unwrap();
    assert!(time.server_time >= before && time.server_time <= sim.clock().now_ms(), "{time:?}");
    cov.hit::<Time>();

    // All symbols, then one, then several: names and filters as the exchange configured them.
    let truth: Vec<_> = sim.with_exchange(|ex, _| ex.symbols().cloned().collect());
    let info = api.exchange_info().await.unwrap();
    assert_eq!(info.timezone, "UTC");
    let names: Vec<_> = info.symbols.iter().map(|s| s.symbol.clone()).collect();
    let truth_names: Vec<_> = truth.iter().map(|c| c.symbol.clone()).collect();
    assert_eq!(names, truth_names);
    assert!(!info.rate_limits.is_empty());
    let one = api.exchange_info().symbols("BTCUSDT").await.unwrap();
    assert_eq!(one.symbols.len(), 1);
    let btc = &one.symbols[0];
    let conf = truth.iter().find(|c| c.symbol == "BTCUSDT").unwrap();
    assert_eq!(
        (btc.base_asset.as_str(), btc.quote_asset.as_str()),
        (conf.base_asset.as_str(), conf.quote_asset.as_str())
    );
    assert_eq!(btc.status, SymbolStatus::Trading);
    assert_eq!(btc.oco_allowed, conf.oco_allowed);
    assert_eq!(btc.opo_allowed, conf.opo_allowed);
    assert_eq!(btc.amend_allowed, conf.amend_allowed);
    assert_eq!(btc.filters.len(), conf.filters.len());
    let tick = btc.filters.iter().find_map(|f| match f {
        Filter::PriceFilter(p) => Some(p.tick_size),
        _ => None,
    });
    assert_eq!(tick, Some(d("0.01")));
    let step = btc.filters.iter().find_map(|f| match f {
        Filter::LotSize(l) => Some(l.step_size),
        _ => None,
    });
    assert_eq!(step, Some(d("0.00001")));
    let two = api.exchange_info().symbols(["ETHUSDT", "BNBUSDT"]).await.unwrap();
    assert_eq!(two.symbols.iter().map(|s| s.symbol.as_str()).collect::<Vec<_>>(), ["ETHUSDT", "BNBUSDT"]);
    cov.hit::<ExchangeInfoRequest>();

    let rules = api.execution_rules().symbols("BTCUSDT").await.unwrap();
    assert_eq!(rules.symbol_rules.len(), 1);
    assert_eq!(rules.symbol_rules[0].symbol, "BTCUSDT");
    let all_rules = api.execution_rules().await.unwrap();
    assert_eq!(all_rules.symbol_rules.len(), truth.len());
    cov.hit::<ExecutionRulesRequest>();

    // Unknown symbol: -1121 through the typed API.
    let err = api.exchange_info().symbols("NOPEUSDT").await.unwrap_err();
    assert_code(&err, -1121);
    cov.finish("spot_e2e_market::general_methods");
}

/// Makes a book and some trades: the HMAC account rests asks and bids, the Ed25519 account takes.
async fn make_market(sim: &binance_ws_sim::Sim) -> (Api, Api, Vec<OrderResponse>) {
    let maker = hmac(sim).await;
    let taker = ed25519(sim).await;
    for (side, qty, price) in [
        (Side::Sell, "0.10000", "50000.00"),
        (Side::Sell, "0.20000", "50010.00"),
        (Side::Sell, "0.30000", "50020.00"),
        (Side::Buy, "0.10000", "49990.00"),
        (Side::Buy, "0.40000", "49980.00"),
    ] {
        let o = maker.place_order(NewOrder::limit("BTCUSDT", side, d(qty), d(price))).await.unwrap();
        assert_eq!(o.status, Some(binance_ws::model::OrderStatus::New));
    }
    // Two taker buys: the first takes 0.05 at 50000, the second 0.05 at 50000 and 0.1 at 50010.
    let mut fills = Vec::new();
    for qty in ["0.05000", "0.15000"] {
        let o = taker
            .place_order(NewOrder::market("BTCUSDT", Side::Buy, d(qty)).new_order_resp_type(NewOrderRespType::Full))
            .await
            .unwrap();
        assert_eq!(o.status, Some(binance_ws::model::OrderStatus::Filled));
        fills.push(o);
    }
    (maker, taker, fills)
}

#[tokio::test]
async fn market_data_agrees_with_the_book_and_the_trades() {
    let sim = quiet_sim().await;
    let (_maker, _taker, orders) = make_market(&sim).await;
    let api = Api::connect(&env(&sim), None).await.unwrap();
    let mut cov = Coverage::new();
    let trades_made: Vec<_> = orders.iter().flat_map(|o| o.fills.clone().unwrap()).collect();
    assert_eq!(trades_made.len(), 3, "{trades_made:?}");
    let volume: Decimal = trades_made.iter().map(|f| f.qty).sum();
    let quote_volume: Decimal = trades_made.iter().map(|f| f.qty * f.price).sum();
    assert_eq!(volume, d("0.2"));

    // depth: every level equals the exchange's book.
    let book = api.depth("BTCUSDT").limit(10).await.unwrap();
    let truth = sim.depth("BTCUSDT", 10).unwrap();
    assert_eq!(book.last_update_id, truth.last_update_id);
    let levels = |v: &[PriceLevel]| v.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>();
    assert_eq!(levels(&book.bids), truth.bids);
    assert_eq!(levels(&book.asks), truth.asks);
    assert_eq!(levels(&book.asks), vec![(d("50010"), d("0.1")), (d("50020"), d("0.3"))]);
    let top = api.depth("BTCUSDT").limit(1).await.unwrap();
    assert_eq!((top.bids.len(), top.asks.len()), (1, 1));
    cov.hit::<Depth>();

    // trades.recent / trades.historical: the three trades, ids in order, prices and quantities.
    let recent = api.trades_recent("BTCUSDT").await.unwrap();
    let pq = |v: &[Trade]| v.iter().map(|t| (t.price, t.qty)).collect::<Vec<_>>();
    let made: Vec<_> = trades_made.iter().map(|f| (f.price, f.qty)).collect();
    assert_eq!(pq(&recent), made);
    assert!(recent.iter().all(|t| !t.is_buyer_maker), "the buyer took");
    assert_eq!(
        recent.iter().map(|t| t.id as i64).collect::<Vec<_>>(),
        trades_made.iter().map(|f| f.trade_id).collect::<Vec<_>>()
    );
    assert!(recent.iter().all(|t| t.quote_qty == t.price * t.qty));
    let last_two = api.trades_recent("BTCUSDT").limit(2).await.unwrap();
    assert_eq!(pq(&last_two), made[1..]);
    cov.hit::<RecentTrades>();
    let hist = api.trades_historical("BTCUSDT").from_id(recent[1].id).await.unwrap();
    assert_eq!(hist, recent[1..]);
    cov.hit::<HistoricalTrades>();

    let blocks = api.block_trades_historical("BTCUSDT", 0).await.unwrap();
    assert!(blocks.is_empty(), "the exchange makes no block trades");
    cov.hit::<HistoricalBlockTrades>();

    // trades.aggregate: the trades of one taker order at one price aggregate; quantities add up.
    let agg = api.trades_aggregate("BTCUSDT").await.unwrap();
    assert_eq!(agg.iter().map(|a| a.qty).sum::<Decimal>(), volume);
    assert_eq!(agg.first().unwrap().first_trade_id, recent[0].id);
    assert_eq!(agg.last().unwrap().last_trade_id, recent[2].id);
    cov.hit::<AggregateTrades>();

    // klines and uiKlines: the candles (one, unless the trades straddled a minute) carry the trades'
    // open/high/low/close and volume.
    for ui in [false, true] {
        let ks = if ui {
            api.ui_klines("BTCUSDT", Interval::M1).await.unwrap()
        } else {
            api.klines("BTCUSDT", Interval::M1).await.unwrap()
        };
        let (first, last) = (ks.first().expect("a candle"), ks.last().unwrap());
        let high = ks.iter().map(|k| k.high).max().unwrap();
        let low = ks.iter().map(|k| k.low).min().unwrap();
        assert_eq!((first.open, high, low, last.close), (d("50000"), d("50010"), d("50000"), d("50010")));
        let sum = |f: fn(&Kline) -> Decimal| ks.iter().map(f).sum::<Decimal>();
        assert_eq!((sum(|k| k.volume), sum(|k| k.quote_volume)), (volume, quote_volume));
        assert_eq!(ks.iter().map(|k| k.trades).sum::<u64>(), 3);
        assert!(ks.iter().all(|k| k.close_time == k.open_time + 59_999));
    }
    cov.hit::<Klines>();
    cov.hit::<UiKlines>();

    let avg = api.avg_price("BTCUSDT").await.unwrap();
    assert_eq!(avg.price.round_dp(8), (quote_volume / volume).round_dp(8), "{avg:?}");
    cov.hit::<AvgPriceRequest>();

    // Tickers: last price and volume from the trades, best bid/ask from the book.
    let t = match api.ticker_24hr().symbols("BTCUSDT").await.unwrap() {
        OneOrMany::One(t) => t,
        other => panic!("one symbol gives one object: {other:?}"),
    };
    assert_eq!((t.last_price, t.volume, t.count), (d("50010"), volume, 3));
    assert_eq!((t.open_price, t.high_price, t.low_price), (d("50000"), d("50010"), d("50000")));
    assert_eq!((t.bid_price, t.ask_price), (Some(d("49990")), Some(d("50010"))));
    assert_eq!((t.first_id, t.last_id), (recent[0].id as i64, recent[2].id as i64));
    let all = api.ticker_24hr().ticker_type(TickerType::Mini).await.unwrap().into_vec();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|t| t.bid_price.is_none()), "MINI has no best bid");
    cov.hit::<Ticker24hrRequest>();

    let day = api.ticker_trading_day("BTCUSDT").await.unwrap().into_vec();
    assert_eq!((day[0].last_price, day[0].volume, day[0].count), (d("50010"), volume, 3));
    let days = api.ticker_trading_day(["BTCUSDT", "ETHUSDT"]).await.unwrap();
    assert!(matches!(&days, OneOrMany::Many(v) if v.len() == 2 && v[1].count == 0), "{days:?}");
    cov.hit::<TradingDayTicker>();

    let rolling = api.ticker("BTCUSDT").window_size("1h").await.unwrap().into_vec();
    assert_eq!((rolling[0].last_price, rolling[0].volume, rolling[0].count), (d("50010"), volume, 3));
    assert_eq!(rolling[0].quote_volume, quote_volume);
    cov.hit::<RollingTicker>();

    let price = api.ticker_price().symbols("BTCUSDT").await.unwrap().into_vec();
    assert_eq!(price[0].price, d("50010"));
    let prices = api.ticker_price().await.unwrap().into_vec();
    assert_eq!(prices.len(), 3);
    cov.hit::<TickerPrice>();

    let bt = api.ticker_book().symbols("BTCUSDT").await.unwrap().into_vec();
    let truth = sim.depth("BTCUSDT", 1).unwrap();
    assert_eq!((bt[0].bid_price, bt[0].bid_qty), truth.bids[0]);
    assert_eq!((bt[0].ask_price, bt[0].ask_qty), truth.asks[0]);
    cov.hit::<TickerBook>();

    // Unknown symbol: -1121.
    assert_code(&api.depth("NOPEUSDT").await.unwrap_err(), -1121);
    assert_code(&api.trades_recent("NOPEUSDT").await.unwrap_err(), -1121);
    cov.finish("spot_e2e_market::market_data_agrees_with_the_book_and_the_trades");
}

#[tokio::test]
async fn reference_price_is_never_set() {
    let sim = quiet_sim().await;
    let api = Api::connect(&env(&sim), None).await.unwrap();
    let mut cov = Coverage::new();
    // web-socket-api.md, "Query Reference Price": "If no reference price has ever been set", status 200
    // with `{"code": -2043, "msg": "This symbol doesn't have a reference price."}` as the result.
    let err = api.reference_price("BTCUSDT").await.unwrap_err();
    assert_code(&err, -2043);
    assert!(err.to_string().contains("This symbol doesn't have a reference price."), "{err}");
    cov.hit::<ReferencePriceRequest>();
    // "Query Reference Price Calculation": the same condition as status 400 with -2043.
    let err = api.reference_price_calculation("BTCUSDT").await.unwrap_err();
    assert_code(&err, -2043);
    let binance_ws::Error::Api(e) = &err else { panic!("{err}") };
    assert_eq!(e.status, 400);
    cov.hit::<ReferencePriceCalculationRequest>();
    assert_code(&api.reference_price("NOPEUSDT").await.unwrap_err(), -1121);
    cov.finish("spot_e2e_market::reference_price_is_never_set");
}
