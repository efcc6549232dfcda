//! Self-trade prevention: what happens when a taker meets a maker of the same account (the simulator's
//! trade group is the account), following the taker's `selfTradePreventionMode`.

use super::book::Entry;
use super::events::PreventionInfo;
use super::order::*;
use super::query::PreventedMatch;
use super::{Exchange, Exec};
use rust_decimal::Decimal;

impl Exchange {
    /// Applies STP between `taker` and the maker at the front of the book; `would_qty` is what would have traded.
    pub(crate) fn prevent(&mut self, taker: u64, maker: u64, price: Decimal, would_qty: Decimal) {
        let t = self.orders[&taker].clone();
        let m = self.orders[&maker].clone();
        let quote_taker = t.orig_quote_order_qty > Decimal::ZERO && t.orig_qty.is_zero();
        let mut mode = t.stp_mode;
        if quote_taker && mode == StpMode::Decrement {
            mode = StpMode::ExpireTaker;
        }
        let (t_rem, m_rem) = (if quote_taker { would_qty } else { t.remaining() }, m.remaining());
        let (t_prev, m_prev) = match mode {
            StpMode::ExpireTaker => (t_rem, Decimal::ZERO),
            StpMode::ExpireMaker => (Decimal::ZERO, m_rem),
            StpMode::ExpireBoth => (t_rem, m_rem),
            StpMode::Decrement => {
                let q = t_rem.min(m_rem);
                (q, q)
            }
            StpMode::None => return,
        };
        let sym = t.symbol.clone();
        let pm_id = {
            let Some(st) = self.symbols.get_mut(&sym) else { return };
            let id = st.next_prevented_id;
            st.next_prevented_id += 1;
            st.prevented.push(PreventedMatch {
                symbol: sym.clone(),
                prevented_match_id: id,
                taker_order_id: taker,
                maker_symbol: sym.clone(),
                maker_order_id: maker,
                trade_group_id: t.account.0 as i64,
                self_trade_prevention_mode: mode,
                price,
                maker_prevented_quantity: m_prev,
                transact_time: self.now,
                taker_account: t.account,
                maker_account: m.account,
            });
            id
        };
        let info = |own: Decimal, counter: u64| PreventionInfo {
            prevented_match_id: pm_id,
            last_prevented_qty: own,
            trade_group_id: t.account.0 as i64,
            counter_order_id: counter,
            counter_symbol: sym.clone(),
            prevented_execution_qty: would_qty,
            prevented_execution_price: price,
            prevented_execution_quote_qty: would_qty * price,
        };
        let now = self.now;
        // Maker first: it leaves (or shrinks in) the book.
        if m_prev > Decimal::ZERO {
            let mi = info(m_prev, taker);
            if let Some(o) = self.orders.get_mut(&maker) {
                o.prevented_qty += m_prev;
                o.update_time = now;
                o.prevented_match_id = Some(pm_id);
            }
            let x = Exec { prevention: Some(mi), ..Exec::default() };
            if self.orders[&maker].remaining().is_zero() {
                self.close_order(maker, OrderStatus::ExpiredInMatch, ExecType::TradePrevention, None, x);
            } else {
                self.shrink_resting(maker, m_prev);
                self.sync_lock(maker);
                self.report(maker, ExecType::TradePrevention, x);
            }
        }
        if t_prev > Decimal::ZERO {
            let ti = info(t_prev, maker);
            if let Some(o) = self.orders.get_mut(&taker) {
                o.prevented_qty += t_prev;
                o.update_time = now;
                o.prevented_match_id = Some(pm_id);
            }
            let x = Exec { prevention: Some(ti), ..Exec::default() };
            if quote_taker || self.orders[&taker].remaining().is_zero() {
                self.close_order(taker, OrderStatus::ExpiredInMatch, ExecType::TradePrevention, None, x);
            } else {
                self.sync_lock(taker);
                self.report(taker, ExecType::TradePrevention, x);
            }
        }
    }

    /// Takes `qty` off a resting order's visible quantity, reloading an iceberg's next part when it runs out.
    pub(crate) fn shrink_resting(&mut self, id: u64, qty: Decimal) {
        let o = self.orders[&id].clone();
        if !o.is_working {
            return;
        }
        let Some(st) = self.symbols.get_mut(&o.symbol) else { return };
        let Some(visible) = st.book.entries().find(|(_, _, e)| e.order_id == id).map(|(_, _, e)| e.visible) else {
            return;
        };
        let rem = o.remaining();
        let left = (visible - qty).max(Decimal::ZERO).min(rem);
        if left.is_zero() {
            st.book.remove(o.side, o.price, id);
            let next = o.iceberg_qty.map(|i| i.min(rem)).unwrap_or(rem);
            st.book.push(o.side, o.price, Entry { order_id: id, account: o.account, visible: next });
        } else {
            st.book.set_visible(o.side, o.price, id, left);
        }
    }
}
