//! Positions and balances that add up, USD-M and COIN-M, in one-way and in hedge mode, over real sockets: after
//! every step the client's `account.position`, `account.balance` and `account.status` agree with the fills and the
//! ACCOUNT_UPDATEs its user data stream delivered; reduce-only orders fill at most the position, closePosition
//! orders close all of it when triggered, and hedge mode refuses reduceOnly.

mod futures_e2e_common;

use binance_ws::api::futures::{CoinMargined, NewOrder, UsdMargined};
use binance_ws::model::{Decimal, Side};
use binance_ws::usdm::{
    ExecutionType as X, OrderStatus as S, OrderType as T, PositionSide as PS, UpdateReason, WorkingType,
};
use binance_ws::user_data::futures::{UserDataConfig, UserEvent};
use binance_ws_sim::config::DEFAULT_HMAC_API_KEY;
use futures_e2e_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_one_way_reduce_only_and_close_position() {
    one_way::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_one_way_reduce_only_and_close_position() {
    one_way::<CoinMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_hedge_mode_long_and_short_at_once() {
    hedge::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_hedge_mode_long_and_short_at_once() {
    hedge::<CoinMargined>().await;
}

/// Realized PnL less commission of every fill the events reported.
fn booked(log: &[UserEvent]) -> Decimal {
    log.iter()
        .filter_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) if u.order.execution_type == X::Trade => {
                Some(u.order.realized_profit - u.order.commission.unwrap_or_default())
            }
            _ => None,
        })
        .sum()
}

/// The last position of `side` the ACCOUNT_UPDATEs reported: (amount, entry price).
fn last_reported(log: &[UserEvent], symbol: &str, side: PS) -> Option<(Decimal, Decimal)> {
    log.iter().rev().find_map(|e| match e {
        UserEvent::AccountUpdate(a) => a
            .update
            .positions
            .iter()
            .find(|p| p.symbol == symbol && p.position_side == side)
            .map(|p| (p.position_amt, p.entry_price)),
        _ => None,
    })
}

/// The sum of the trader's signed fills of `side`, from the events.
fn filled(log: &[UserEvent], side: PS) -> Decimal {
    log.iter()
        .filter_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) if u.order.execution_type == X::Trade && u.order.position_side == side => {
                let q = u.order.last_filled_qty;
                Some(if u.order.side == Side::Buy { q } else { -q })
            }
            _ => None,
        })
        .sum()
}

/// account.position, account.status and account.balance agree with the events: each side's amount is the sum of
/// its fills and the last reported one, the entry prices match, and the wallet is the start plus what the fills
/// booked.
async fn assert_adds_up<P: Kit>(desk: &Desk<P>, feed: &mut Feed, start_wallet: Decimal, sides: &[PS]) {
    // Everything placed so far has been reported: the last order's final update is in, and its ACCOUNT_UPDATE.
    let positions = P::positions(&desk.me).await.unwrap();
    let (status_wallet, status_positions) = P::account(&desk.me).await.unwrap();
    let wallet = P::wallet(&desk.me).await.unwrap();
    assert_eq!(
        positions.iter().map(|p| p.side).collect::<Vec<_>>(),
        sides,
        "{}: account.position lists the mode's sides",
        P::NAME
    );
    for p in &positions {
        let from_fills = filled(&feed.log, p.side);
        assert_eq!(p.amount, from_fills, "{} {:?}: position = sum of fills", P::NAME, p.side);
        if let Some((amount, entry)) = last_reported(&feed.log, P::SYMBOL, p.side) {
            assert_eq!((p.amount, p.entry), (amount, entry), "{} {:?}: as last reported", P::NAME, p.side);
        }
        let in_status = status_positions.iter().find(|s| s.side == p.side).expect("account.status has the side");
        assert_eq!((in_status.amount, in_status.entry), (p.amount, p.entry), "account.status agrees");
    }
    assert_eq!(wallet, start_wallet + booked(&feed.log), "{}: wallet = start + PnL - commission", P::NAME);
    assert_eq!(status_wallet, wallet, "account.status and account.balance agree");
    let last_wb = feed.log.iter().rev().find_map(|e| match e {
        UserEvent::AccountUpdate(a) => {
            a.update.balances.iter().find(|b| b.asset == P::MARGIN).map(|b| b.wallet_balance)
        }
        _ => None,
    });
    assert_eq!(last_wb, Some(wallet), "the last ACCOUNT_UPDATE's wallet");
}

async fn one_way<P: Kit>() {
    let sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60000"))).unwrap();
    let mut desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let q = P::unit();
    let start = P::wallet(&desk.me).await.unwrap();

    // A long of 2 units at 60010.
    desk.quote(Side::Sell, "60010", q * d("3")).await;
    desk.quote(Side::Buy, "59990", q * d("5")).await;
    let open = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, q * d("2"))).await;
    feed.until_settled(open.order_id).await;
    assert_adds_up(&desk, &mut feed, start, &[PS::Both]).await;
    assert_eq!(P::positions(&desk.me).await.unwrap()[0].entry, d("60010"));

    if P::SIM == binance_ws_sim::futures::Product::UsdM {
        // 0.001 x 60100 is under MIN_NOTIONAL (100 USDT): refused unless it only reduces the position.
        let small = || NewOrder::<P>::limit(P::SYMBOL, Side::Sell, d("0.001"), d("60100"));
        let err = desk.me.send(&small()).await.unwrap_err();
        assert!(matches!(&err, binance_ws::Error::Validation(v) if v.filter() == Some("MIN_NOTIONAL")), "{err}");
        let ro = desk.place(small().reduce_only(true)).await;
        assert_eq!(
            (ro.status, ro.reduce_only),
            (S::New, true),
            "reduce-only is exempt, for the client and the exchange"
        );
        P::cancel(&desk.me, ro.order_id).await.unwrap();
        feed.until_final(ro.order_id).await;
    }

    // reduceOnly for 3 units fills the 2 the position holds and expires the rest.
    let reduce = desk.place(NewOrder::market(P::SYMBOL, Side::Sell, q * d("3")).reduce_only(true)).await;
    feed.until_settled(reduce.order_id).await;
    let flow: Vec<_> = updates(&feed.log, reduce.order_id).iter().map(|u| (u.execution_type, u.status)).collect();
    assert_eq!(flow, vec![(X::New, S::New), (X::Trade, S::PartiallyFilled), (X::Expired, S::Expired)]);
    let status = P::status(&desk.me, reduce.order_id).await.unwrap();
    assert_eq!((status.status, status.executed, status.reduce_only), (S::Expired, q * d("2"), true));
    assert_adds_up(&desk, &mut feed, start, &[PS::Both]).await;
    assert_eq!(P::positions(&desk.me).await.unwrap()[0].amount, Decimal::ZERO);

    // With no position, a reduce-only order is refused by the exchange (-2022); nothing happens.
    let err = desk.me.send(&NewOrder::<P>::market(P::SYMBOL, Side::Sell, q).reduce_only(true)).await.unwrap_err();
    assert_eq!(err.code(), Some(-2022), "{err}");

    // closePosition: a STOP_MARKET without a quantity closes the whole long when the mark reaches its stop.
    let open = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, q)).await;
    feed.until_settled(open.order_id).await;
    let close = desk
        .place(
            NewOrder::stop_market(P::SYMBOL, Side::Sell, q, d("59900"))
                .close_position()
                .working_type(WorkingType::MarkPrice),
        )
        .await;
    assert!(close.close_position);
    feed.until_update(close.order_id, X::New, S::New).await;
    // The position grows after the stop was placed: it closes what is there when it triggers.
    desk.quote(Side::Sell, "60010", q).await;
    let more = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, q)).await;
    feed.until_settled(more.order_id).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("59900"))).unwrap();
    feed.until_settled(close.order_id).await;
    let ups = updates(&feed.log, close.order_id);
    let flow: Vec<_> = ups.iter().map(|u| (u.execution_type, u.status, u.order_type)).collect();
    assert_eq!(
        flow,
        vec![(X::New, S::New, T::StopMarket), (X::New, S::New, T::Market), (X::Trade, S::Filled, T::Market)]
    );
    assert!(ups.iter().all(|u| u.close_position), "`cp` is true on every update");
    assert_eq!(ups.last().unwrap().filled_qty, q * d("2"), "it closed both units");
    assert_adds_up(&desk, &mut feed, start, &[PS::Both]).await;
    assert_eq!(P::positions(&desk.me).await.unwrap()[0].amount, Decimal::ZERO);
}

async fn hedge<P: Kit>() {
    let sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60000"))).unwrap();
    sim.set_position_mode(P::SIM, DEFAULT_HMAC_API_KEY, true).unwrap();
    let mut desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let q = P::unit();
    let start = P::wallet(&desk.me).await.unwrap();
    desk.quote(Side::Sell, "60010", q * d("10")).await;
    desk.quote(Side::Buy, "59990", q * d("10")).await;

    // In hedge mode an order must name its side, and reduceOnly is not taken.
    let err = desk.me.send(&NewOrder::<P>::market(P::SYMBOL, Side::Buy, q)).await.unwrap_err();
    assert_eq!(err.code(), Some(-4061), "{err}");
    let ro = NewOrder::<P>::market(P::SYMBOL, Side::Sell, q).position_side(PS::Long).reduce_only(true);
    let err = desk.me.send(&ro).await.unwrap_err();
    assert!(
        matches!(&err, binance_ws::Error::Validation(v) if v.field == "reduceOnly"),
        "refused before sending: {err}"
    );
    desk.me.validator().set_enabled(false);
    let err = desk.me.send(&ro).await.unwrap_err();
    assert_eq!(err.code(), Some(-1106), "and by the exchange: {err}");
    desk.me.validator().set_enabled(true);

    // Long 2 and short 1 at the same time.
    let long = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, q * d("2")).position_side(PS::Long)).await;
    feed.until_settled(long.order_id).await;
    let short = desk.place(NewOrder::market(P::SYMBOL, Side::Sell, q).position_side(PS::Short)).await;
    feed.until_settled(short.order_id).await;
    assert_adds_up(&desk, &mut feed, start, &[PS::Long, PS::Short]).await;
    let pos = P::positions(&desk.me).await.unwrap();
    let get = |side| pos.iter().find(|p| p.side == side).map(|p| (p.amount, p.entry)).unwrap();
    assert_eq!(get(PS::Long), (q * d("2"), d("60010")));
    assert_eq!(get(PS::Short), (-q, d("59990")));

    // Selling the LONG side closes part of the long and leaves the short alone.
    let part = desk.place(NewOrder::market(P::SYMBOL, Side::Sell, q).position_side(PS::Long)).await;
    feed.until_settled(part.order_id).await;
    let fill = updates(&feed.log, part.order_id).into_iter().find(|u| u.execution_type == X::Trade).unwrap();
    assert_eq!(fill.realized_profit, P::pnl(q, d("60010"), d("59990"), true));
    assert_adds_up(&desk, &mut feed, start, &[PS::Long, PS::Short]).await;

    // closing more of a side than it holds is refused (-2022).
    let over = NewOrder::<P>::market(P::SYMBOL, Side::Buy, q * d("2")).position_side(PS::Short);
    assert_eq!(desk.me.send(&over).await.unwrap_err().code(), Some(-2022));

    // closePosition on the SHORT side: a TAKE_PROFIT_MARKET BUY triggered by the mark.
    let close = desk
        .place(
            NewOrder::take_profit_market(P::SYMBOL, Side::Buy, q, d("59950"))
                .close_position()
                .position_side(PS::Short)
                .working_type(WorkingType::MarkPrice),
        )
        .await;
    feed.until_update(close.order_id, X::New, S::New).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("59950"))).unwrap();
    feed.until_settled(close.order_id).await;
    let last = final_update(&feed.log, close.order_id).unwrap();
    assert_eq!((last.status, last.position_side, last.filled_qty), (S::Filled, PS::Short, q));
    assert_adds_up(&desk, &mut feed, start, &[PS::Long, PS::Short]).await;
    let pos = P::positions(&desk.me).await.unwrap();
    assert_eq!(pos.iter().map(|p| p.amount).collect::<Vec<_>>(), vec![q, Decimal::ZERO]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_leverage_transfers_and_margin_call_events() {
    account_events::<UsdMargined>("2000").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_leverage_transfers_and_margin_call_events() {
    account_events::<CoinMargined>("0.004").await;
}

/// Changes made outside trading reach the stream as typed events and show in the account: a leverage change
/// (ACCOUNT_CONFIG_UPDATE), a deposit and a withdrawal (ACCOUNT_UPDATE DEPOSIT/WITHDRAW), and a falling mark price
/// under a leveraged long (MARGIN_CALL before any liquidation).
async fn account_events<P: Kit>(keep: &str) {
    let sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60000"))).unwrap();
    let mut desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;

    sim.set_leverage(P::SIM, DEFAULT_HMAC_API_KEY, P::SYMBOL, 50).unwrap();
    feed.until("the leverage change", |l| {
        l.iter().any(|e| matches!(e, UserEvent::AccountConfigUpdate(c) if c.leverage.as_ref().is_some_and(|x| x.symbol == P::SYMBOL && x.leverage == 50)))
    })
    .await;

    let start = P::wallet(&desk.me).await.unwrap();
    sim.futures_deposit(P::SIM, DEFAULT_HMAC_API_KEY, P::MARGIN, d("1.5")).unwrap();
    let out = start + d("1.5") - d(keep);
    sim.futures_deposit(P::SIM, DEFAULT_HMAC_API_KEY, P::MARGIN, -out).unwrap();
    feed.until("the deposit and the withdrawal", |l| {
        let reasons: Vec<(UpdateReason, Decimal)> = l
            .iter()
            .filter_map(|e| match e {
                UserEvent::AccountUpdate(a) => {
                    a.update.balances.iter().find(|b| b.asset == P::MARGIN).map(|b| (a.update.reason, b.balance_change))
                }
                _ => None,
            })
            .collect();
        reasons == vec![(UpdateReason::Deposit, d("1.5")), (UpdateReason::Withdraw, -out)]
    })
    .await;
    assert_eq!(P::wallet(&desk.me).await.unwrap(), d(keep));

    // A leveraged long, then the mark price falls step by step until maintenance reaches 80% of the margin balance.
    let size = P::unit() * d("100");
    desk.quote(Side::Sell, "60000", size).await;
    let long = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, size)).await;
    feed.until_settled(long.order_id).await;
    let summary = || {
        sim.futures_balances(P::SIM, DEFAULT_HMAC_API_KEY).unwrap().into_iter().find(|a| a.asset == P::MARGIN).unwrap()
    };
    let mut mark = d("60000");
    let mut steps = 0;
    loop {
        let s = summary();
        assert!(s.margin_balance > s.maint_margin, "liquidated before any margin call: {s:?}");
        if s.maint_margin >= s.margin_balance * d("0.8") {
            break;
        }
        assert!(steps < 1000, "the margin never ran low: {s:?}");
        mark -= d("20");
        steps += 1;
        sim.set_mark_price(P::SIM, P::SYMBOL, Some(mark)).unwrap();
    }
    feed.until("a MARGIN_CALL", |l| l.iter().any(|e| matches!(e, UserEvent::MarginCall(_)))).await;
    let call = feed.log.iter().find_map(|e| match e {
        UserEvent::MarginCall(c) => Some(c),
        _ => None,
    });
    let call = call.unwrap();
    let p = call.positions.iter().find(|p| p.symbol == P::SYMBOL).expect("the long is named");
    assert_eq!((p.position_amt, p.position_side, p.mark_price), (size, PS::Both, mark), "{call:?}");
    assert!(p.unrealized_pnl < Decimal::ZERO && p.maint_margin > Decimal::ZERO);
    assert_eq!(call.cross_wallet_balance, Some(d(keep) - sum_commissions(&feed.log)));
    desk.clear_quotes().await;
}

fn sum_commissions(log: &[UserEvent]) -> Decimal {
    log.iter()
        .filter_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) => u.order.commission,
            _ => None,
        })
        .sum()
}

/// USD-M's second views of the same account (`v2/account.position`, `v2/account.status`, `v2/account.balance`) and
/// its market data methods agree with the first ones and with the exchange; stopping the user data stream closes
/// the listenKey.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_v2_views_tickers_and_stream_stop() {
    type P = UsdMargined;
    let sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60000"))).unwrap();
    let mut desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let q = P::unit();
    desk.quote(Side::Sell, "60010", q * d("3")).await;
    desk.quote(Side::Buy, "59990", q).await;
    let open = desk.place(NewOrder::market(P::SYMBOL, Side::Buy, q * d("2"))).await;
    feed.until_settled(open.order_id).await;

    let v1 = P::positions(&desk.me).await.unwrap();
    let v2 = desk.me.account_position_v2().symbol(P::SYMBOL).await.unwrap();
    assert_eq!(v2.len(), 1);
    assert_eq!((v2[0].position_side, v2[0].position_amt, v2[0].entry_price), (v1[0].side, v1[0].amount, v1[0].entry));
    assert_eq!(v2[0].margin_asset, "USDT");
    let status = desk.me.account_status().await.unwrap();
    let status_v2 = desk.me.account_status_v2().await.unwrap();
    assert_eq!(status_v2.totals, status.totals, "both versions total the same");
    let open_v2: Vec<_> = status_v2.positions.iter().filter(|p| p.symbol == P::SYMBOL).collect();
    assert_eq!(open_v2.len(), 1, "v2 lists the open position");
    assert_eq!(open_v2[0].position_amt, q * d("2"));
    let wallet = P::wallet(&desk.me).await.unwrap();
    let v2_balance = desk.me.account_balance_v2().await.unwrap();
    assert_eq!(v2_balance.iter().find(|b| b.asset == "USDT").map(|b| b.balance), Some(wallet));
    assert_eq!(status.totals.total_wallet_balance, wallet, "single-asset mode: the USDT wallet");

    let price = desk.me.ticker_price().symbol(P::SYMBOL).await.unwrap().into_vec();
    assert_eq!(price[0].price, d("60010"), "the last trade");
    let book = desk.me.ticker_book().symbol(P::SYMBOL).await.unwrap().into_vec();
    assert_eq!((book[0].bid_price, book[0].ask_price, book[0].ask_qty), (d("59990"), d("60010"), q));
    let depth = desk.me.depth(P::SYMBOL).limit(5).await.unwrap();
    let (truth, _) = sim.futures(P::SIM).read(|e| e.depth(P::SYMBOL, 5)).unwrap();
    assert_eq!(depth.last_update_id, truth.last_update_id);
    assert_eq!(depth.bids.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>(), truth.bids);
    assert_eq!(depth.asks.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>(), truth.asks);

    let account = sim.shared().account_of(DEFAULT_HMAC_API_KEY).unwrap();
    let keys = sim.futures(P::SIM).listen_keys().clone();
    let (key, _) = keys.lock().active(account, sim.clock().now_ms()).expect("the stream's key is active");
    feed.stream.stop().await.expect("userDataStream.stop");
    use binance_ws_sim::futures::listen_key::KeyStatus;
    assert_eq!(keys.lock().status(&key, sim.clock().now_ms()), KeyStatus::Closed);
    desk.clear_quotes().await;
}
