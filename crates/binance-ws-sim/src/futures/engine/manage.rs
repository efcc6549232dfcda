//! Everything after placement: order.cancel, order.modify, order.status, and what is set outside the
//! WebSocket API (leverage, position mode, deposits, index and mark prices, the passing of time).

use rust_decimal::Decimal;

use super::errors as e;
use super::events::{BalanceUpdate, FUserEvent};
use super::types::*;
use super::Engine;
use crate::exchange::{AccountId, Reject, Side};

impl Engine {
    /// Finds an account's order on a symbol by orderId (preferred) or origClientOrderId; open orders win over
    /// closed ones with the same client id.
    pub fn find_order(&self, account: AccountId, symbol: &str, r: &FOrderRef) -> Result<Option<u64>, Reject> {
        self.sym(symbol)?;
        if let Some(id) = r.order_id {
            return Ok(self.orders.get(&id).filter(|o| o.account == account && o.symbol == symbol).map(|o| o.order_id));
        }
        let Some(cid) = &r.orig_client_order_id else { return Err(e::either("orderId", "origClientOrderId")) };
        let mut found: Option<&FOrder> = None;
        for o in
            self.orders.values().filter(|o| o.account == account && o.symbol == symbol && &o.client_order_id == cid)
        {
            let better = match found {
                None => true,
                Some(f) => (o.status.is_open(), o.order_id) > (f.status.is_open(), f.order_id),
            };
            if better {
                found = Some(o);
            }
        }
        Ok(found.map(|o| o.order_id))
    }

    /// order.status: -2013 when there is no such order.
    pub fn query(&self, account: AccountId, symbol: &str, r: &FOrderRef) -> Result<FOrder, Reject> {
        let id = self.find_order(account, symbol, r)?.ok_or_else(e::no_such_order)?;
        Ok(self.orders[&id].clone())
    }

    /// An account's open orders, oldest first, on one symbol or all.
    pub fn open_orders(&self, account: AccountId, symbol: Option<&str>) -> Vec<FOrder> {
        self.open
            .get(&account)
            .into_iter()
            .flatten()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| symbol.is_none_or(|s| s == o.symbol))
            .cloned()
            .collect()
    }

    /// order.cancel: -2011 when the order is unknown or no longer open.
    pub fn cancel(&mut self, account: AccountId, symbol: &str, r: &FOrderRef, now: u64) -> Result<FOrder, Reject> {
        self.begin(now);
        let found = self.find_order(account, symbol, r);
        let out = match found {
            Err(x) => Err(x),
            Ok(None) => Err(e::unknown_order()),
            Ok(Some(id)) if !self.orders[&id].status.is_open() => Err(e::unknown_order()),
            Ok(Some(id)) => {
                self.close_order(id, FOrderStatus::Canceled, FExecType::Canceled);
                Ok(self.orders[&id].clone())
            }
        };
        self.end();
        out
    }

    /// order.modify: a new price and quantity for an open LIMIT order. Filter failures leave the order as it was;
    /// a quantity at or below what already filled, or a GTX price that would take, cancel it. The order loses its
    /// place in the queue, its STP mode becomes NONE, and it may match at once.
    #[allow(clippy::too_many_arguments)]
    pub fn modify(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &FOrderRef,
        side: Side,
        quantity: Decimal,
        price: Option<Decimal>,
        price_match: Option<PriceMatch>,
        now: u64,
    ) -> Result<FOrder, Reject> {
        self.begin(now);
        let out = self.modify_inner(account, symbol, r, side, quantity, price, price_match);
        self.end();
        out.map(|id| self.orders[&id].clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn modify_inner(
        &mut self,
        account: AccountId,
        symbol: &str,
        r: &FOrderRef,
        side: Side,
        quantity: Decimal,
        price: Option<Decimal>,
        price_match: Option<PriceMatch>,
    ) -> Result<u64, Reject> {
        let id = self.find_order(account, symbol, r)?.ok_or_else(e::no_such_order)?;
        let o = self.orders[&id].clone();
        if !o.status.is_open() {
            return Err(e::no_such_order());
        }
        if o.order_type != FOrderType::Limit {
            return Err(e::limit_only());
        }
        if side != o.side {
            return Err(e::invalid("side"));
        }
        if o.modify_count >= 10_000 {
            return Err(e::modify_limit());
        }
        let st = &self.symbols[symbol];
        st.check_qty(quantity, false)?;
        let pm = price_match.unwrap_or(PriceMatch::None);
        let new_price = match (price, pm) {
            (Some(_), m) if m != PriceMatch::None => return Err(e::not_required("price")),
            (Some(p), _) => p,
            (None, PriceMatch::None) => return Err(e::mandatory("price")),
            (None, m) => st.match_price(m, side)?.unwrap_or_default(),
        };
        if new_price <= Decimal::ZERO {
            return Err(e::price_not_positive());
        }
        if new_price.normalize().scale() > st.spec.price_precision {
            return Err(e::precision());
        }
        if !(new_price / st.spec.tick_size).fract().is_zero() {
            return Err(e::tick());
        }
        st.check_percent_price(side, new_price)?;
        if new_price == o.price && quantity == o.orig_qty {
            return Err(e::same_order());
        }
        let now = self.now;
        if quantity > o.executed_qty && !Self::reduce_only_order(&o) {
            // Margin for the order at its new size and price, against what is available without the old one.
            let mut candidate = o.clone();
            candidate.orig_qty = quantity;
            candidate.price = new_price;
            if let Some(set) = self.open.get_mut(&account) {
                set.remove(&id);
            }
            let extra = self.extra_margin(&candidate);
            let asset = self.symbols[symbol].spec.margin_asset.clone();
            let available = self.asset_summary(account, &asset).map(|s| s.available).unwrap_or_default();
            self.open.entry(account).or_default().insert(id);
            if extra > available {
                return Err(e::margin_insufficient());
            }
        }
        // Off the book while it changes; back at the end of its new level's queue.
        if let Some(st) = self.symbols.get_mut(symbol) {
            st.book.remove(o.side, o.price, id);
        }
        let cancel = quantity <= o.executed_qty
            || (o.time_in_force == FTimeInForce::Gtx && self.symbols[symbol].book.crosses(side, Some(new_price)));
        if cancel {
            if let Some(x) = self.orders.get_mut(&id) {
                x.orig_qty = quantity.max(x.executed_qty);
            }
            self.close_order(id, FOrderStatus::Canceled, FExecType::Canceled);
            return Ok(id);
        }
        if let Some(x) = self.orders.get_mut(&id) {
            x.orig_qty = quantity;
            x.price = new_price;
            x.price_match = pm;
            x.stp = FStpMode::None;
            x.modify_count += 1;
            x.update_time = now;
        }
        self.order_event(id, FExecType::Amendment, None);
        self.execute_taker(id);
        Ok(id)
    }

    /// Sets an account's leverage on a symbol (1 up to the contract's maximum); sends ACCOUNT_CONFIG_UPDATE.
    /// -4028 for an invalid value, -2027 when the open position is too large for it.
    pub fn set_leverage(&mut self, account: AccountId, symbol: &str, leverage: u32, now: u64) -> Result<(), Reject> {
        self.begin(now);
        let out = (|| {
            self.acc(account)?;
            let st = self.sym(symbol)?;
            if leverage == 0 || leverage > st.spec.max_leverage() {
                return Err(e::invalid_leverage(leverage));
            }
            let held: Decimal =
                self.sides(account).iter().map(|ps| self.accounts[&account].position(symbol, *ps).amount.abs()).sum();
            if st.calc.quote_notional(held, st.mark) > st.spec.max_notional(leverage) {
                return Err(e::max_position());
            }
            if let Some(a) = self.accounts.get_mut(&account) {
                a.leverage.insert(symbol.to_string(), leverage);
            }
            self.user_out.push((account, FUserEvent::Leverage { time: now, symbol: symbol.to_string(), leverage }));
            Ok(())
        })();
        self.end();
        out
    }

    /// Switches between one-way (`hedge` false) and hedge mode; only without positions and open orders.
    pub fn set_hedge_mode(&mut self, account: AccountId, hedge: bool) -> Result<(), Reject> {
        let acc = self.acc(account)?;
        if acc.hedge == hedge {
            return Err(e::no_need_to_change_position_side());
        }
        if self.open.get(&account).is_some_and(|s| !s.is_empty()) {
            return Err(e::mode_change_open_orders());
        }
        if acc.has_positions() {
            return Err(e::mode_change_position());
        }
        if let Some(a) = self.accounts.get_mut(&account) {
            a.hedge = hedge;
        }
        Ok(())
    }

    /// Credits (or, negative, withdraws) a wallet; sends ACCOUNT_UPDATE with reason DEPOSIT or WITHDRAW.
    pub fn deposit(&mut self, account: AccountId, asset: &str, amount: Decimal, now: u64) -> Result<Decimal, Reject> {
        self.begin(now);
        let out = (|| {
            self.acc(account)?;
            if amount < Decimal::ZERO {
                let max = self.asset_summary(account, asset).map(|s| s.max_withdraw).unwrap_or_default();
                if -amount > max {
                    return Err(Reject::new(-2018, "Balance is insufficient."));
                }
            }
            let acc = self.accounts.get_mut(&account).expect("checked");
            acc.credit(asset, amount, now);
            let wallet = acc.wallet(asset);
            let reason = if amount < Decimal::ZERO { "WITHDRAW" } else { "DEPOSIT" };
            let balances =
                vec![BalanceUpdate { asset: asset.to_string(), wallet, cross_wallet: wallet, change: amount }];
            self.user_out.push((account, FUserEvent::Account { reason, time: now, balances, positions: Vec::new() }));
            Ok(wallet)
        })();
        self.end();
        out
    }

    /// Sets a contract's index price (the simulator follows the spot market's price of the same pair).
    pub fn set_index(&mut self, symbol: &str, index: Decimal, now: u64) -> Result<(), Reject> {
        self.begin(now);
        let r = self.symbols.get_mut(symbol).map(|s| s.index = index).ok_or_else(e::bad_symbol);
        self.end();
        r
    }

    /// Pins a contract's mark price (None: derived again from index, book and last price).
    pub fn set_mark_price(&mut self, symbol: &str, mark: Option<Decimal>, now: u64) -> Result<(), Reject> {
        self.begin(now);
        let r = self.symbols.get_mut(symbol).map(|s| s.mark_override = mark).ok_or_else(e::bad_symbol);
        self.end();
        r
    }

    /// Lets time pass: GTD expiries, and whatever follows from them.
    pub fn tick(&mut self, now: u64) {
        self.begin(now);
        self.end();
    }
}
