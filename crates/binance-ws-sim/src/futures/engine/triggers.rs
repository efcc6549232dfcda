//! What happens after every operation until the exchange is quiet again: mark prices follow the book and the
//! index, conditional orders trigger on the mark or last price (trailing stops follow the best price since
//! placement), GTD orders expire, reduce-only orders whose position is gone expire, and accounts whose margin
//! balance fell to their maintenance margin are liquidated.

use rust_decimal::Decimal;

use super::events::{FMarketEvent, ForceOrder, MarkUpdate};
use super::position::round8;
use super::types::*;
use super::validate::triggers_at;
use super::Engine;
use crate::exchange::{AccountId, Side};

/// Funding is charged every 8 hours (00:00, 08:00, 16:00 UTC); the simulator reports a constant rate.
const FUNDING_PERIOD_MS: u64 = 8 * 3_600_000;

fn median(a: Decimal, b: Decimal, c: Decimal) -> Decimal {
    a.max(b).min(a.min(b).max(c))
}

impl Engine {
    /// Runs follow-ups until nothing changes.
    pub(crate) fn settle(&mut self) {
        for _ in 0..100_000 {
            self.refresh_marks();
            if let Some(id) = self.next_trigger() {
                self.trigger(id);
                continue;
            }
            if self.expire_due_gtd() || self.expire_orphan_reduce_only() || self.liquidate_one() {
                continue;
            }
            break;
        }
    }

    /// The mark price: the pinned one, else the median of the index, the book's mid and the last price
    /// (missing ones replaced by the index). A change is a MARK_PRICE tick and a mark price event.
    pub(crate) fn refresh_marks(&mut self) {
        let now = self.now;
        for st in self.symbols.values_mut() {
            let mark = match st.mark_override {
                Some(m) => m,
                None => {
                    let mid = st.mid().unwrap_or(st.index);
                    round8(median(st.index, mid, st.last_price.unwrap_or(st.index)))
                }
            };
            if mark == st.mark {
                continue;
            }
            st.mark = mark;
            st.ticks.push_back((WorkingType::MarkPrice, mark));
            self.market_out.push(FMarketEvent::Mark(MarkUpdate {
                symbol: st.spec.symbol.clone(),
                pair: st.spec.pair.clone(),
                mark,
                index: st.index,
                settle: st.index,
                funding_rate: Decimal::new(1, 4),
                next_funding_time: (now / FUNDING_PERIOD_MS + 1) * FUNDING_PERIOD_MS,
                time_ms: now,
            }));
        }
    }

    /// The next order to trigger: queued ones first, else the next price tick is checked against every
    /// conditional order of its symbol and working type (trailing extremes move with each tick).
    fn next_trigger(&mut self) -> Option<u64> {
        loop {
            if let Some(id) = self.trigger_queue.pop_front() {
                return Some(id);
            }
            let sym = self.symbols.iter().find(|(_, s)| !s.ticks.is_empty()).map(|(k, _)| k.clone())?;
            let st = self.symbols.get_mut(&sym)?;
            let (kind, price) = st.ticks.pop_front()?;
            let ids: Vec<u64> = st.conditionals.iter().copied().collect();
            for id in ids {
                let Some(o) = self.orders.get_mut(&id) else { continue };
                if o.working_type != kind {
                    continue;
                }
                let fire = if o.orig_type == FOrderType::TrailingStopMarket {
                    let extreme = match (o.side, o.trail_extreme) {
                        (Side::Buy, Some(x)) => x.min(price),
                        (Side::Sell, Some(x)) => x.max(price),
                        (_, None) => price,
                    };
                    o.trail_extreme = Some(extreme);
                    if !o.trail_active {
                        o.trail_active = match (o.side, o.activation_price) {
                            (_, None) => true,
                            (Side::Buy, Some(a)) => extreme <= a,
                            (Side::Sell, Some(a)) => extreme >= a,
                        };
                    }
                    if o.trail_active {
                        o.stop_price = Self::trailing_trigger(o, o.side, extreme);
                        match o.side {
                            Side::Buy => price >= o.stop_price,
                            Side::Sell => price <= o.stop_price,
                        }
                    } else {
                        false
                    }
                } else {
                    triggers_at(o.orig_type.is_stop(), o.side, o.stop_price, price)
                };
                if fire && !self.trigger_queue.contains(&id) {
                    self.trigger_queue.push_back(id);
                }
            }
        }
    }

    /// Turns a conditional order into the MARKET or LIMIT order it stands for (ORDER_TRADE_UPDATE NEW with the
    /// new type), sized by its position when it closes one, and matches it.
    fn trigger(&mut self, id: u64) {
        let Some(o) = self.orders.get(&id).cloned() else { return };
        if !o.status.is_open() || !o.is_untriggered() {
            return;
        }
        let st = &self.symbols[&o.symbol];
        if o.price_protect {
            // Not while the mark and the last price are further apart than triggerProtect.
            if let Some(last) = st.last_price {
                if !st.mark.is_zero() && ((st.mark - last).abs() / st.mark) > st.spec.trigger_protect {
                    return;
                }
            }
        }
        let matched_price = st.match_price(o.price_match, o.side);
        if let Some(st) = self.symbols.get_mut(&o.symbol) {
            st.conditionals.remove(&id);
        }
        let now = self.now;
        let reducible = self.reducible(o.account, &o.symbol, o.position_side, o.side);
        if let Some(x) = self.orders.get_mut(&id) {
            x.triggered = true;
            x.order_type = x.orig_type.triggered_as();
            x.update_time = now;
            if x.close_position {
                x.orig_qty = reducible;
            }
        }
        let closing = Self::reduce_only_order(&o);
        let price = match matched_price {
            Ok(Some(p)) => Some(p),
            Ok(None) => None,
            Err(_) => {
                self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
                return;
            }
        };
        if let (Some(p), Some(x)) = (price, self.orders.get_mut(&id)) {
            x.price = p;
        }
        if closing && reducible.is_zero() {
            self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
            return;
        }
        if !closing {
            let snapshot = self.orders[&id].clone();
            if self.check_margin(&snapshot).is_err() {
                self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
                return;
            }
        }
        // A triggered GTX order that would take, or FOK order that cannot fill at once, expires.
        let x = self.orders[&id].clone();
        let st = &self.symbols[&x.symbol];
        let gtx_takes = x.time_in_force == FTimeInForce::Gtx && st.book.crosses(x.side, Some(x.price));
        if gtx_takes || (x.time_in_force == FTimeInForce::Fok && self.fillable(&x) < x.remaining()) {
            self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
            return;
        }
        self.order_event(id, FExecType::New, None);
        self.execute_taker(id);
    }

    /// Expires one GTD order whose time has come.
    fn expire_due_gtd(&mut self) -> bool {
        let Some(&(t, id)) = self.gtd.iter().next() else { return false };
        if t > self.now {
            return false;
        }
        self.gtd.remove(&(t, id));
        self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
        true
    }

    /// Expires one resting reduce-only order (or hedge-mode closing order) of a position this operation closed.
    fn expire_orphan_reduce_only(&mut self) -> bool {
        let touched: Vec<(AccountId, String, PositionSide)> = self
            .touched
            .iter()
            .flat_map(|(a, t)| t.positions.iter().map(move |(s, ps)| (*a, s.clone(), *ps)))
            .collect();
        for (account, symbol, ps) in touched {
            let found = self.open.get(&account).into_iter().flatten().copied().find(|id| {
                let o = &self.orders[id];
                o.symbol == symbol
                    && o.position_side == ps
                    && !o.is_untriggered()
                    && (o.reduce_only || (ps != PositionSide::Both && Self::reduce_only_order(o)))
                    && self.reducible(account, &symbol, ps, o.side).is_zero()
            });
            if let Some(id) = found {
                self.close_order(id, FOrderStatus::Expired, FExecType::Expired);
                return true;
            }
        }
        false
    }

    /// Liquidates the positions of one account whose margin balance fell to its maintenance margin: each becomes
    /// a LIQUIDATION order (client id `autoclose-...`) that takes the book, reported on `forceOrder`.
    fn liquidate_one(&mut self) -> bool {
        let candidates: Vec<(AccountId, String)> = self
            .accounts
            .iter()
            .filter(|(_, a)| a.has_positions())
            .flat_map(|(id, a)| a.wallets.keys().map(move |asset| (*id, asset.clone())))
            .filter(|k| !self.liquidated.contains(k))
            .collect();
        for (account, asset) in candidates {
            let Some(s) = self.asset_summary(account, &asset) else { continue };
            if s.maint_margin.is_zero() || s.margin_balance > s.maint_margin {
                continue;
            }
            self.liquidated.insert((account, asset.clone()));
            let positions: Vec<(String, PositionSide, Decimal)> = self.accounts[&account]
                .positions
                .iter()
                .filter(|((sym, _), p)| {
                    !p.amount.is_zero() && self.symbols.get(sym).is_some_and(|st| st.spec.margin_asset == asset)
                })
                .map(|((sym, ps), p)| (sym.clone(), *ps, p.amount))
                .collect();
            for (symbol, ps, amount) in positions {
                self.liquidate_position(account, &symbol, ps, amount);
            }
            return true;
        }
        false
    }

    fn liquidate_position(&mut self, account: AccountId, symbol: &str, ps: PositionSide, amount: Decimal) {
        let side = if amount.is_sign_positive() { Side::Sell } else { Side::Buy };
        let now = self.now;
        let o = FOrder {
            symbol: symbol.to_string(),
            order_id: 0,
            client_order_id: format!("autoclose-{now}"),
            account,
            side,
            position_side: ps,
            order_type: FOrderType::Liquidation,
            orig_type: FOrderType::Liquidation,
            time_in_force: FTimeInForce::Ioc,
            price: Decimal::ZERO,
            orig_qty: amount.abs(),
            executed_qty: Decimal::ZERO,
            cum_quote: Decimal::ZERO,
            cum_base: Decimal::ZERO,
            status: FOrderStatus::New,
            stop_price: Decimal::ZERO,
            activation_price: None,
            callback_rate: None,
            working_type: WorkingType::ContractPrice,
            price_protect: false,
            reduce_only: true,
            close_position: false,
            price_match: PriceMatch::None,
            stp: FStpMode::None,
            good_till_date: 0,
            time: now,
            update_time: now,
            triggered: false,
            trail_extreme: None,
            trail_active: false,
            modify_count: 0,
        };
        let id = self.admit(o);
        self.execute_taker(id);
        let o = self.orders[&id].clone();
        let st = &self.symbols[symbol];
        let avg = o.avg_price(st.calc.inverse, st.calc.contract_size);
        self.market_out.push(FMarketEvent::ForceOrder(ForceOrder {
            symbol: symbol.to_string(),
            pair: st.spec.pair.clone(),
            side,
            qty: o.orig_qty,
            price: avg,
            avg_price: avg,
            status: o.status.as_str(),
            last_qty: o.executed_qty,
            filled_qty: o.executed_qty,
            time_ms: now,
        }));
    }
}
