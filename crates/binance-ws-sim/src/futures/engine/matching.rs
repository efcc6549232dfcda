//! Matching: price-time priority, takers trade at the maker's price; each fill moves both accounts' positions,
//! books realized PnL and commission to their wallets, and is reported as TRADE_LITE (USD-M) and
//! ORDER_TRADE_UPDATE. Reduce-only orders never fill beyond the position they close; self-trade prevention
//! follows the taker's mode.

use rust_decimal::Decimal;

use super::events::{FUserEvent, OrderUpdate, TradeLite};
use super::position::round8;
use super::types::*;
use super::Engine;
use crate::exchange::book::Entry;
use crate::exchange::events::{MarketEvent, Trade};
use crate::exchange::Side;
use crate::futures::config::Product;

impl Engine {
    /// Puts an admitted order to work: conditional orders wait for their trigger, the others match as takers.
    pub(crate) fn start(&mut self, id: u64) {
        let Some(o) = self.orders.get(&id) else { return };
        if o.is_untriggered() {
            let (sym, wt, side) = (o.symbol.clone(), o.working_type, o.side);
            let Some(st) = self.symbols.get_mut(&sym) else { return };
            let latest = st.trigger_price(wt);
            st.conditionals.insert(id);
            if let Some(o) = self.orders.get_mut(&id) {
                if o.orig_type == FOrderType::TrailingStopMarket {
                    o.trail_extreme = Some(latest);
                    o.trail_active = o.activation_price.is_none();
                    if o.trail_active {
                        o.stop_price = Self::trailing_trigger(o, side, latest);
                    }
                }
            }
            return;
        }
        self.execute_taker(id);
    }

    /// Where a trailing stop triggers given its extreme price.
    pub(crate) fn trailing_trigger(o: &FOrder, side: Side, extreme: Decimal) -> Decimal {
        let rate = o.callback_rate.unwrap_or_default() / Decimal::ONE_HUNDRED;
        let p = match side {
            Side::Buy => extreme * (Decimal::ONE + rate),
            Side::Sell => extreme * (Decimal::ONE - rate),
        };
        round8(p)
    }

    /// How much of an order may still fill: its remaining quantity, capped by the position it reduces.
    fn fillable_qty(&self, o: &FOrder) -> Decimal {
        let rem = o.remaining();
        if Self::reduce_only_order(o) {
            rem.min(self.reducible(o.account, &o.symbol, o.position_side, o.side))
        } else {
            rem
        }
    }

    /// Matches an order against the book, then rests, expires or completes it.
    pub(crate) fn execute_taker(&mut self, id: u64) {
        let Some(sym) = self.orders.get(&id).map(|o| o.symbol.clone()) else { return };
        loop {
            let o = self.orders[&id].clone();
            if !o.status.is_open() {
                return;
            }
            let want = self.fillable_qty(&o);
            if want <= Decimal::ZERO {
                break;
            }
            let Some((price, entry)) = self.symbols[&sym].book.front(o.side.opposite()) else { break };
            let limit = if o.order_type.is_market_like() { None } else { Some(o.price) };
            if let Some(l) = limit {
                if (o.side == Side::Buy && price > l) || (o.side == Side::Sell && price < l) {
                    break;
                }
            }
            let maker = self.orders[&entry.order_id].clone();
            let stp_applies = entry.account == o.account
                && o.stp != FStpMode::None
                && !matches!(o.time_in_force, FTimeInForce::Fok | FTimeInForce::Gtx);
            if stp_applies {
                if matches!(o.stp, FStpMode::ExpireMaker | FStpMode::ExpireBoth) {
                    self.close_order(maker.order_id, FOrderStatus::ExpiredInMatch, FExecType::Expired);
                }
                if matches!(o.stp, FStpMode::ExpireTaker | FStpMode::ExpireBoth) {
                    self.close_order(id, FOrderStatus::ExpiredInMatch, FExecType::Expired);
                    return;
                }
                continue;
            }
            // A resting reduce-only order fills at most what its position still holds.
            let maker_can = self.fillable_qty(&maker);
            if maker_can <= Decimal::ZERO {
                self.close_order(maker.order_id, FOrderStatus::Expired, FExecType::Expired);
                continue;
            }
            let q = entry.visible.min(want).min(maker_can);
            self.fill(id, maker.order_id, price, q);
        }
        let o = self.orders[&id].clone();
        if !o.status.is_open() {
            return;
        }
        if self.fillable_qty(&o).is_zero() && !o.remaining().is_zero() {
            // A reduce-only order whose position is gone.
            self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
            return;
        }
        if o.remaining().is_zero() {
            return;
        }
        if o.order_type.is_market_like() || matches!(o.time_in_force, FTimeInForce::Ioc | FTimeInForce::Fok) {
            self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
            return;
        }
        self.rest(id);
    }

    /// Puts the rest of an order on the book.
    pub(crate) fn rest(&mut self, id: u64) {
        let Some(o) = self.orders.get(&id) else { return };
        let (side, price, account, sym, visible) = (o.side, o.price, o.account, o.symbol.clone(), o.remaining());
        if let Some(st) = self.symbols.get_mut(&sym) {
            st.book.push(side, price, Entry { order_id: id, account, visible });
        }
    }

    /// Ends an order: off the book and the trigger list, status set, ORDER_TRADE_UPDATE recorded.
    pub(crate) fn close_order(&mut self, id: u64, status: FOrderStatus, exec_type: FExecType) {
        let Some(o) = self.orders.get_mut(&id) else { return };
        if !o.status.is_open() {
            return;
        }
        o.status = status;
        o.update_time = self.now;
        let (sym, side, price, account, gtd) = (o.symbol.clone(), o.side, o.price, o.account, o.good_till_date);
        if let Some(st) = self.symbols.get_mut(&sym) {
            st.book.remove(side, price, id);
            st.conditionals.remove(&id);
        }
        self.gtd.remove(&(gtd, id));
        if let Some(set) = self.open.get_mut(&account) {
            set.remove(&id);
        }
        self.order_event(id, exec_type, None);
    }

    /// One trade between a taker and the first maker of the opposite side.
    pub(crate) fn fill(&mut self, taker: u64, maker: u64, price: Decimal, qty: Decimal) {
        let sym = self.orders[&taker].symbol.clone();
        let now = self.now;
        let (calc, margin_asset) = {
            let st = &self.symbols[&sym];
            (st.calc, st.spec.margin_asset.clone())
        };
        let trade_id = {
            let st = self.symbols.get_mut(&sym).expect("symbol exists");
            let t = st.next_trade_id;
            st.next_trade_id += 1;
            st.last_price = Some(price);
            st.last_trade_time = now;
            st.ticks.push_back((WorkingType::ContractPrice, price));
            t
        };
        let mut updates = Vec::with_capacity(2);
        for (id, is_maker) in [(taker, false), (maker, true)] {
            let o = self.orders[&id].clone();
            let acc = self.accounts.get_mut(&o.account).expect("order's account exists");
            let rate = if is_maker { acc.maker_rate } else { acc.taker_rate };
            let delta = if o.side == Side::Buy { qty } else { -qty };
            let pos = acc.positions.entry((sym.clone(), o.position_side)).or_default();
            let realized = pos.apply(&calc, delta, price, now);
            let commission = round8(calc.value(qty, price) * rate);
            acc.credit(&margin_asset, realized - commission, now);
            self.touch_asset(o.account, &margin_asset, Decimal::ZERO);
            self.touch_position(o.account, &sym, o.position_side);
            let ord = self.orders.get_mut(&id).expect("order exists");
            ord.executed_qty += qty;
            ord.cum_quote += qty * price;
            ord.cum_base += calc.value(qty, price) * Decimal::from(calc.inverse as u8);
            ord.update_time = now;
            ord.status = if ord.remaining().is_zero() { FOrderStatus::Filled } else { FOrderStatus::PartiallyFilled };
            updates.push((id, is_maker, realized, commission));
        }
        // The maker's place in the book.
        let m = self.orders[&maker].clone();
        if let Some(st) = self.symbols.get_mut(&sym) {
            if m.remaining().is_zero() {
                st.book.remove(m.side, m.price, maker);
            } else {
                st.book.set_visible(m.side, m.price, maker, m.remaining());
            }
        }
        let t = &self.orders[&taker];
        let (buyer, seller) = if t.side == Side::Buy { (taker, maker) } else { (maker, taker) };
        self.market_out.push(super::FMarketEvent::Market(MarketEvent::Trade(Trade {
            symbol: sym.clone(),
            id: trade_id,
            price,
            qty,
            quote_qty: if calc.inverse { calc.value(qty, price) } else { qty * price },
            time_ms: now,
            buyer_order_id: buyer,
            seller_order_id: seller,
            buyer_is_maker: buyer == maker,
        })));
        for (id, is_maker, realized, commission) in updates {
            let o = self.orders[&id].clone();
            if o.status == FOrderStatus::Filled {
                if let Some(set) = self.open.get_mut(&o.account) {
                    set.remove(&id);
                }
                self.gtd.remove(&(o.good_till_date, id));
            }
            if self.product == Product::UsdM && o.orig_type != FOrderType::Liquidation {
                let lite = TradeLite {
                    symbol: sym.clone(),
                    orig_qty: o.orig_qty,
                    orig_price: o.price,
                    is_maker,
                    client_order_id: o.client_order_id.clone(),
                    side: o.side,
                    last_price: price,
                    last_qty: qty,
                    trade_id,
                    order_id: id,
                    time: now,
                };
                self.user_out.push((o.account, FUserEvent::TradeLite(Box::new(lite))));
            }
            let exec = if o.orig_type == FOrderType::Liquidation { FExecType::Calculated } else { FExecType::Trade };
            let fill = OrderUpdate {
                order: o.clone(),
                exec_type: exec,
                transact_time: now,
                last_qty: qty,
                last_price: price,
                commission: (!commission.is_zero()).then(|| (margin_asset.clone(), commission)),
                trade_id,
                is_maker,
                realized_profit: realized,
                bids_notional: Decimal::ZERO,
                asks_notional: Decimal::ZERO,
            };
            self.order_event(id, exec, Some(fill));
        }
    }
}
