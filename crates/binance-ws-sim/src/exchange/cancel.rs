//! Cancelling (one order, all of a symbol's, cancel-replace) and amending orders (keep priority).

use super::order::*;
use super::query::Amendment;
use super::validate::Checks;
use super::{
    AmendResult, CancelReplace, CancelReplaceResult, CancelResult, Exchange, Exec, NewOrderOutcome, UserEvent,
};
use rust_decimal::Decimal;

impl Exchange {
    /// order.cancel. Cancelling a leg of an order list cancels the whole list.
    pub fn cancel_order(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &OrderRef,
        new_client_order_id: Option<String>,
        restriction: Option<CancelRestriction>,
        now: u64,
    ) -> Result<CancelResult, Reject> {
        self.begin(now);
        let res = self.cancel_inner(account, symbol, r, new_client_order_id, restriction);
        self.end();
        res
    }

    fn cancel_inner(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &OrderRef,
        new_client_order_id: Option<String>,
        restriction: Option<CancelRestriction>,
    ) -> Result<CancelResult, Reject> {
        self.sym(symbol)?;
        if r.orig_client_order_id.as_deref() == Some("") {
            return Err(Reject::new(-1119, "Original client order ID was empty."));
        }
        if new_client_order_id.as_deref() == Some("") {
            return Err(Reject::new(-1118, "New client order ID was empty."));
        }
        let id = self.find_open(account, symbol, r, -2011)?;
        let o = self.orders[&id].clone();
        let allowed = match restriction {
            None => true,
            Some(CancelRestriction::OnlyNew) => o.status == OrderStatus::New,
            Some(CancelRestriction::OnlyPartiallyFilled) => o.status == OrderStatus::PartiallyFilled,
        };
        if !allowed {
            return Err(Reject::new(-2011, "Order was not canceled due to cancel restrictions."));
        }
        if o.order_list_id >= 0 {
            let list = o.order_list_id as u64;
            let leg = new_client_order_id.map(|n| (id, n));
            let origs = self.cancel_list_inner(list, None, leg);
            return Ok(CancelResult::List(self.list_report(list, origs)));
        }
        let new_id = new_client_order_id.unwrap_or_else(|| self.gen_id());
        self.rename(id, new_id);
        let x = Exec { orig_client_order_id: o.client_order_id.clone(), ..Exec::default() };
        self.close_order(id, OrderStatus::Canceled, ExecType::Canceled, None, x);
        Ok(CancelResult::Order {
            orig_client_order_id: o.client_order_id,
            order: self.orders[&id].clone(),
            transact_time: self.now,
        })
    }

    /// openOrders.cancelAll: every open order of the symbol (lists as lists). -2011 when there is none.
    pub fn cancel_all(&mut self, account: AccountId, symbol: &str, now: u64) -> Result<Vec<CancelResult>, Reject> {
        self.sym(symbol)?;
        let ids: Vec<u64> = self.open_orders(account, Some(symbol))?.iter().map(|o| o.order_id).collect();
        if ids.is_empty() {
            return Err(Reject::new(-2011, "Unknown order sent."));
        }
        self.begin(now);
        let mut out = Vec::new();
        for id in ids {
            if !self.orders[&id].status.is_open() {
                continue;
            }
            if let Ok(r) = self.cancel_inner(account, symbol, &OrderRef::id(id), None, None) {
                out.push(r);
            }
        }
        self.end();
        Ok(out)
    }

    /// order.cancelReplace. Filters of the new order are checked first (a failure there is a plain error);
    /// then the cancel, then (unless STOP_ON_FAILURE stopped it) the placement. Not transactional.
    pub fn cancel_replace(
        &mut self,
        account: AccountId,
        req: CancelReplace,
        now: u64,
    ) -> Result<CancelReplaceResult, Reject> {
        self.begin(now);
        let symbol = req.new_order.symbol.clone();
        let pre = (|| {
            if !self.sym(&symbol)?.cfg.cancel_replace_allowed {
                return Err(Reject::new(-2010, "Order cancel-replace is not supported for this symbol."));
            }
            self.validate(account, &req.new_order, Checks { trigger: false, maker: false }).map(|_| ())
        })();
        if let Err(e) = pre {
            self.end();
            return Err(e);
        }
        let cancel = self.cancel_inner(
            account,
            &symbol,
            &req.cancel,
            req.cancel_new_client_order_id.clone(),
            req.cancel_restrictions,
        );
        let new_order = if cancel.is_err() && req.mode == CancelReplaceMode::StopOnFailure {
            NewOrderOutcome::NotAttempted
        } else {
            self.settle();
            match self.place_inner(account, &req.new_order) {
                Ok(id) => {
                    self.settle();
                    NewOrderOutcome::Placed(self.place_result(id))
                }
                Err(e) => NewOrderOutcome::Failed(e),
            }
        };
        self.end();
        if let NewOrderOutcome::Placed(p) = &new_order {
            let id = p.order.order_id;
            return Ok(CancelReplaceResult { cancel, new_order: NewOrderOutcome::Placed(self.place_result(id)) });
        }
        Ok(CancelReplaceResult { cancel, new_order })
    }

    /// order.amend.keepPriority: lowers an open order's quantity in place. In an OCO both legs change.
    pub fn amend_order(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &OrderRef,
        new_qty: Decimal,
        new_client_order_id: Option<String>,
        now: u64,
    ) -> Result<AmendResult, Reject> {
        self.begin(now);
        let res = self.amend_inner(account, symbol, r, new_qty, new_client_order_id);
        self.end();
        res
    }

    fn amend_inner(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &OrderRef,
        new_qty: Decimal,
        new_client_order_id: Option<String>,
    ) -> Result<AmendResult, Reject> {
        let cfg = self.sym(symbol)?.cfg.clone();
        if !cfg.amend_allowed {
            return Err(Reject::new(-2038, "Order amend is not supported for this symbol."));
        }
        let id = self.find_open(account, symbol, r, -2038)?;
        let o = self.orders[&id].clone();
        if o.status == OrderStatus::PendingNew && o.order_list_id >= 0 {
            // Pending list orders may be amended like working ones.
        }
        if new_qty.normalize().scale() > cfg.base_asset_precision {
            return Err(Reject::precision("newQty"));
        }
        if new_qty == o.orig_qty {
            return Err(Reject::new(-2038, "The requested action would change no state; rejecting"));
        }
        if new_qty > o.orig_qty {
            return Err(Reject::new(-2038, "Order amend (quantity increase) is not supported."));
        }
        if new_qty <= o.executed_qty + o.prevented_qty {
            return Err(Reject::filter("LOT_SIZE"));
        }
        if let Some(l) = cfg.lot_size() {
            if new_qty < l.min_qty || (l.step_size > Decimal::ZERO && !(new_qty % l.step_size).is_zero()) {
                return Err(Reject::filter("LOT_SIZE"));
            }
        }
        if let Some(c) = &new_client_order_id {
            if c.is_empty() {
                return Err(Reject::new(-1118, "New client order ID was empty."));
            }
            if c != &o.client_order_id {
                self.check_client_id(account, c)?;
            }
        }
        let new_cl = new_client_order_id.unwrap_or_else(|| self.gen_id());
        let mut targets = vec![id];
        if let Some(s) = self.oco_sibling(id) {
            if self.orders[&s].status.is_open() {
                targets.push(s);
            }
        }
        let now = self.now;
        let mut execution_id = 0;
        for &t in &targets {
            let before = self.orders[&t].clone();
            if t == id {
                self.rename(t, new_cl.clone());
            }
            if let Some(m) = self.orders.get_mut(&t) {
                m.orig_qty = new_qty;
                m.update_time = now;
            }
            if before.is_working {
                let rem = self.orders[&t].remaining();
                if let Some(st) = self.symbols.get_mut(symbol) {
                    let visible = st.book.entries().find(|(_, _, e)| e.order_id == t).map(|(_, _, e)| e.visible);
                    if let Some(v) = visible {
                        if rem < v {
                            st.book.set_visible(before.side, before.price, t, rem);
                        }
                    }
                }
            }
            self.sync_lock(t);
            execution_id = self.next_execution_id;
            let x = Exec { orig_client_order_id: before.client_order_id.clone(), ..Exec::default() };
            self.report(t, ExecType::Replaced, x);
            let after = &self.orders[&t];
            self.amendments.entry(t).or_default().push(Amendment {
                symbol: symbol.to_string(),
                order_id: t,
                execution_id,
                orig_client_order_id: before.client_order_id.clone(),
                new_client_order_id: after.client_order_id.clone(),
                orig_qty: before.orig_qty,
                new_qty,
                time: now,
            });
        }
        let list_status = if o.order_list_id >= 0 {
            let lid = o.order_list_id as u64;
            let mut st = self.list_status(lid);
            if new_cl != o.client_order_id {
                st.list_status_type = super::order::ListStatusType::Updated;
                self.user_out.push((account, UserEvent::ListStatus(st.clone())));
            }
            Some(st)
        } else {
            None
        };
        Ok(AmendResult {
            transact_time: now,
            execution_id: self.amendments[&id].last().map(|a| a.execution_id).unwrap_or(execution_id),
            orig_client_order_id: o.client_order_id,
            amended_order: self.orders[&id].clone(),
            list_status,
        })
    }
}
