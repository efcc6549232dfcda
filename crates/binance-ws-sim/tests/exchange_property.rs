//! Seeded random trading by several accounts; checks conservation of assets, an uncrossed book, diff replay
//! against depth(), and that every locked amount belongs to an open order.

use binance_ws_sim::exchange::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

type Levels = BTreeMap<Decimal, Decimal>;

fn apply(book: &mut (Levels, Levels), diff: &DepthDiff) {
    for (side, levels) in [(&mut book.0, &diff.bids), (&mut book.1, &diff.asks)] {
        for (p, q) in levels {
            if q.is_zero() {
                side.remove(p);
            } else {
                side.insert(*p, *q);
            }
        }
    }
}

fn random_order(rng: &mut StdRng, symbol: &str, mid: i64) -> NewOrder {
    let side = if rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
    let ticks: i64 = rng.random_range(-300..300);
    let price = Decimal::new(mid * 100 + ticks, 2);
    let qty = Decimal::new(rng.random_range(20..5000), 5);
    let stp = [StpMode::None, StpMode::ExpireTaker, StpMode::ExpireMaker, StpMode::ExpireBoth, StpMode::Decrement]
        [rng.random_range(0..5)];
    let o = match rng.random_range(0..10) {
        0..=4 => NewOrder::limit(symbol, side, qty, price),
        5 => NewOrder::limit(symbol, side, qty, price).tif(TimeInForce::Ioc),
        6 => NewOrder::limit(symbol, side, qty, price).tif(TimeInForce::Fok),
        7 => NewOrder::market(symbol, side, qty),
        8 => NewOrder::new(symbol, side, OrderType::LimitMaker).qty(qty).price(price),
        _ => {
            let t = [OrderType::StopLoss, OrderType::TakeProfitLimit][rng.random_range(0..2)];
            let mut o = NewOrder::new(symbol, side, t).qty(qty).stop(price);
            if t == OrderType::TakeProfitLimit {
                o = o.price(price).tif(TimeInForce::Gtc);
            }
            o
        }
    };
    let mut o = o.stp(stp);
    if o.order_type == OrderType::Limit && o.time_in_force == Some(TimeInForce::Gtc) && rng.random_bool(0.1) {
        o.iceberg_qty = Some((qty / Decimal::from(3)).round_dp(5).max(d("0.00001")));
    }
    o
}

#[test]
fn random_trading_keeps_the_books_and_balances_consistent() {
    let mut rng = StdRng::seed_from_u64(0x5EED);
    let mut ex = Exchange::new(ExchangeConfig::default());
    let symbols = [("BTCUSDT", 30000i64), ("ETHUSDT", 2000i64)];
    let mut initial: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut accounts = Vec::new();
    for _ in 0..5 {
        let bal = [("BTC", d("5")), ("ETH", d("50")), ("USDT", d("200000"))];
        for (a, q) in bal {
            *initial.entry(a.to_string()).or_default() += q;
        }
        accounts.push(ex.add_account(bal));
    }
    let mut books: BTreeMap<&str, (Levels, Levels)> = symbols.iter().map(|(s, _)| (*s, Default::default())).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for step in 0..4000u64 {
        let now = 1_000_000 + step * 100;
        let acc = accounts[rng.random_range(0..accounts.len())];
        let (sym, mid) = symbols[rng.random_range(0..symbols.len())];
        let action = rng.random_range(0..20);
        let res: Result<(), Reject> = match action {
            0..=11 => ex.place_order(acc, random_order(&mut rng, sym, mid), now).map(|_| ()),
            12..=14 => {
                let open = ex.open_orders(acc, Some(sym)).unwrap();
                if open.is_empty() {
                    Ok(())
                } else {
                    let o = &open[rng.random_range(0..open.len())];
                    ex.cancel_order(acc, sym, &OrderRef::id(o.order_id), None, None, now).map(|_| ())
                }
            }
            15 => {
                let open = ex.open_orders(acc, Some(sym)).unwrap();
                match open.first() {
                    Some(o) => {
                        let q = (o.orig_qty / Decimal::from(2)).round_dp(5);
                        ex.amend_order(acc, sym, &OrderRef::id(o.order_id), q, None, now).map(|_| ())
                    }
                    None => Ok(()),
                }
            }
            16 => {
                let open = ex.open_orders(acc, Some(sym)).unwrap();
                let id = open.last().map(|o| o.order_id).unwrap_or(0);
                let req = CancelReplace {
                    mode: if rng.random_bool(0.5) {
                        CancelReplaceMode::AllowFailure
                    } else {
                        CancelReplaceMode::StopOnFailure
                    },
                    cancel: OrderRef::id(id),
                    cancel_new_client_order_id: None,
                    cancel_restrictions: None,
                    new_order: random_order(&mut rng, sym, mid),
                };
                ex.cancel_replace(acc, req, now).map(|_| ())
            }
            17 => {
                let last = ex.last_price(sym).unwrap_or(Decimal::from(mid));
                let side = if rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
                let off = Decimal::new(rng.random_range(1..200), 2);
                let (hi, lo) = (last + off, last - off);
                let (above, below) = match side {
                    Side::Sell => (
                        ListLeg::new(OrderType::LimitMaker).price(hi),
                        ListLeg::new(OrderType::StopLossLimit).price(lo).stop(lo).tif(TimeInForce::Gtc),
                    ),
                    Side::Buy => {
                        (ListLeg::new(OrderType::StopLoss).stop(hi), ListLeg::new(OrderType::LimitMaker).price(lo))
                    }
                };
                let oco = NewOco {
                    symbol: sym.into(),
                    list_client_order_id: None,
                    side,
                    quantity: Decimal::new(rng.random_range(100..2000), 5),
                    above,
                    below,
                    stp_mode: None,
                };
                ex.place_oco(acc, oco, now).map(|_| ())
            }
            18 => {
                let price = Decimal::new(mid * 100 + rng.random_range(-200..0), 2);
                let oto = NewOto {
                    symbol: sym.into(),
                    list_client_order_id: None,
                    stp_mode: Some(StpMode::ExpireTaker),
                    working: WorkingLeg {
                        side: Side::Buy,
                        quantity: d("0.01"),
                        leg: ListLeg::new(OrderType::Limit).price(price).tif(TimeInForce::Gtc),
                    },
                    pending: WorkingLeg {
                        side: Side::Sell,
                        quantity: d("0.01"),
                        leg: ListLeg::new(OrderType::Limit).price(price + d("50")).tif(TimeInForce::Gtc),
                    },
                };
                ex.place_oto(acc, oto, now).map(|_| ())
            }
            _ => {
                if ex.open_orders(acc, Some(sym)).unwrap().is_empty() {
                    Ok(())
                } else {
                    ex.cancel_all(acc, sym, now).map(|_| ())
                }
            }
        };
        *counts.entry(if res.is_ok() { "ok" } else { "rejected" }).or_default() += 1;
        if let Err(e) = &res {
            assert!(e.code < 0 && !e.msg.is_empty());
        }
        for ev in ex.drain_market_events() {
            match ev {
                MarketEvent::Depth(diff) => {
                    let book = books.get_mut(diff.symbol.as_str()).unwrap();
                    apply(book, &diff);
                }
                MarketEvent::Trade(_) => *counts.entry("trades").or_default() += 1,
            }
        }
        ex.drain_user_events();
        if step % 50 == 0 || step == 3999 {
            check(&ex, &accounts, &initial, &books);
        }
    }
    eprintln!("{counts:?}");
    assert!(counts["trades"] > 500, "{counts:?}");
}

fn check(
    ex: &Exchange,
    accounts: &[AccountId],
    initial: &BTreeMap<String, Decimal>,
    books: &BTreeMap<&str, (Levels, Levels)>,
) {
    // Conservation: balances + commissions == initial.
    let mut total: BTreeMap<String, Decimal> = BTreeMap::new();
    for acc in accounts {
        for (asset, b) in ex.balances(*acc).unwrap() {
            assert!(b.free >= Decimal::ZERO && b.locked >= Decimal::ZERO, "{asset} {b:?}");
            *total.entry(asset).or_default() += b.free + b.locked;
        }
    }
    for (asset, c) in ex.commissions_collected() {
        *total.entry(asset.clone()).or_default() += *c;
    }
    assert_eq!(&total, initial);
    // Locked = what open orders hold.
    for acc in accounts {
        let mut held: BTreeMap<String, Decimal> = BTreeMap::new();
        for o in ex.open_orders(*acc, None).unwrap() {
            let cfg = ex.symbol(&o.symbol).unwrap();
            let asset = if o.side == Side::Buy { &cfg.quote_asset } else { &cfg.base_asset };
            *held.entry(asset.clone()).or_default() += o.locked;
            assert!(o.locked >= Decimal::ZERO);
            // OCO legs share one lock (held by one leg), so the per-order bound applies to single orders.
            if o.is_working && o.order_list_id < 0 && o.side == Side::Sell {
                assert!(o.locked >= o.remaining(), "{o:?}");
            }
            if o.is_working && o.order_list_id < 0 && o.side == Side::Buy {
                assert!(o.locked >= o.remaining() * o.price, "{o:?}");
            }
        }
        for (asset, b) in ex.balances(*acc).unwrap() {
            assert_eq!(b.locked, held.get(&asset).copied().unwrap_or_default(), "{acc:?} {asset}");
        }
    }
    for (sym, (bids, asks)) in books {
        let depth = ex.depth(sym, 100_000).unwrap();
        // Not crossed.
        if let (Some(b), Some(a)) = (depth.bids.first(), depth.asks.first()) {
            assert!(b.0 < a.0, "{sym} crossed: {b:?} {a:?}");
        }
        // Snapshot 0 (empty) + all diffs == depth().
        let rb: Vec<_> = bids.iter().rev().map(|(p, q)| (*p, *q)).collect();
        let ra: Vec<_> = asks.iter().map(|(p, q)| (*p, *q)).collect();
        assert_eq!(rb, depth.bids, "{sym} bids");
        assert_eq!(ra, depth.asks, "{sym} asks");
    }
}
