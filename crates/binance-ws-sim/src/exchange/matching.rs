//! Placing orders and matching them: price-time priority, takers trade at maker prices, fills move balances
//! and charge commissions in the received asset; conditional orders trigger on the last trade price.

use super::book::Entry;
use super::events::Trade;
use super::order::*;
use super::query::AccountTrade;
use super::validate::Checks;
use super::{floor_to, Exchange, Exec, MarketEvent, PlaceResult};
use rust_decimal::{Decimal, RoundingStrategy};

/// Why a taker stopped matching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stop {
    Done,
    NoLiquidity,
    Budget,
    Expired,
}

impl Exchange {
    /// order.place: validates, locks funds, matches, rests or expires the rest.
    pub fn place_order(&mut self, account: AccountId, req: NewOrder, now: u64) -> Result<PlaceResult, Reject> {
        self.begin(now);
        let r = self.place_inner(account, &req);
        self.end();
        let id = r?;
        Ok(self.place_result(id))
    }

    pub(crate) fn place_result(&self, id: u64) -> PlaceResult {
        let order = self.orders[&id].clone();
        let (base, quote) = self.assets(&order.symbol);
        let fills = self
            .account_trades
            .get(&(order.account, order.symbol.clone()))
            .map(|v| {
                v.iter()
                    .rev()
                    .take_while(|t| t.time == self.now)
                    .filter(|t| t.order_id == id)
                    .map(|t| Fill {
                        price: t.price,
                        qty: t.qty,
                        commission: t.commission,
                        commission_asset: if t.is_buyer { base.clone() } else { quote.clone() },
                        trade_id: t.id,
                    })
                    .collect::<Vec<_>>()
            })
            .map(|mut v| {
                v.reverse();
                v
            })
            .unwrap_or_default();
        PlaceResult { transact_time: self.now, order, fills }
    }

    pub(crate) fn place_inner(&mut self, account: AccountId, req: &NewOrder) -> Result<u64, Reject> {
        let o = self.validate(account, req, Checks::ALL)?;
        self.check_client_id(account, &o.client_order_id)?;
        self.check_max_orders(account, &o.symbol, 1)?;
        let lock = self.initial_lock(&o)?;
        let id = self.admit(o, lock)?;
        self.start(id);
        Ok(id)
    }

    /// Gives a checked order its id and client id, locks `lock`, records it and its NEW report.
    pub(crate) fn admit(&mut self, mut o: Order, lock: Decimal) -> Result<u64, Reject> {
        let asset = self.spend_asset(&o);
        self.accounts.lock(o.account, &asset, lock)?;
        o.order_id = self.next_order_id;
        self.next_order_id += 1;
        if o.client_order_id.is_empty() {
            o.client_order_id = self.gen_id();
        }
        o.locked = lock;
        if o.status != OrderStatus::PendingNew && !o.order_type.is_conditional() {
            o.working_time = Some(self.now);
        }
        let id = o.order_id;
        self.insert_order(o);
        self.report(id, ExecType::New, Exec::default());
        Ok(id)
    }

    /// Puts an admitted, active order to work: conditional orders wait for their trigger, LIMIT_MAKER rests,
    /// the others match as takers.
    pub(crate) fn start(&mut self, id: u64) {
        let Some(o) = self.orders.get(&id) else { return };
        if o.order_type.is_conditional() && !o.triggered {
            let sym = o.symbol.clone();
            if let Some(st) = self.symbols.get_mut(&sym) {
                st.stops.insert(id);
            }
            return;
        }
        if o.order_type == OrderType::LimitMaker {
            if self.symbols[&o.symbol].book.crosses(o.side, Some(o.price)) {
                let x = Exec { reject_reason: Some(RejectReason::WouldMatchImmediately), ..Exec::default() };
                self.close_order(id, OrderStatus::Expired, ExecType::Expired, Some(ExpiryReason::Rejected), x);
            } else {
                self.rest(id);
            }
            return;
        }
        self.execute_taker(id);
    }

    /// Puts the rest of an order on the book.
    fn rest(&mut self, id: u64) {
        let Some(o) = self.orders.get_mut(&id) else { return };
        let rem = o.remaining();
        let visible = o.iceberg_qty.map(|i| i.min(rem)).unwrap_or(rem);
        o.is_working = true;
        o.working_time.get_or_insert(self.now);
        let (side, price, acc, sym) = (o.side, o.price, o.account, o.symbol.clone());
        if let Some(st) = self.symbols.get_mut(&sym) {
            st.book.push(side, price, Entry { order_id: id, account: acc, visible });
        }
    }

    fn is_quote_order(o: &Order) -> bool {
        o.orig_quote_order_qty > Decimal::ZERO && o.orig_qty.is_zero()
    }

    /// Matches an order against the opposite side, then rests, expires or completes it.
    pub(crate) fn execute_taker(&mut self, id: u64) {
        let Some(o) = self.orders.get(&id).cloned() else { return };
        let sym = o.symbol.clone();
        let step = self.symbols[&sym].cfg.qty_step();
        let limit = if o.order_type.is_market_like() { None } else { Some(o.price) };
        if o.time_in_force == TimeInForce::Fok && !o.order_type.is_market_like() {
            let avail: Decimal = self.symbols[&sym]
                .book
                .crossing_orders(o.side, limit)
                .iter()
                .filter_map(|m| self.orders.get(m))
                .map(|m| m.remaining())
                .sum();
            if avail < o.remaining() {
                self.close_order(
                    id,
                    OrderStatus::Expired,
                    ExecType::Expired,
                    Some(ExpiryReason::UnfilledFokOrderExpired),
                    Exec::default(),
                );
                return;
            }
        }
        let mut stop = Stop::Done;
        loop {
            let t = &self.orders[&id];
            if !t.status.is_open() {
                stop = Stop::Expired;
                break;
            }
            let quote_order = Self::is_quote_order(t);
            if !quote_order && t.remaining() <= Decimal::ZERO {
                break;
            }
            let book = &self.symbols[&sym].book;
            let Some((price, entry)) = book.front(o.side.opposite()) else {
                stop = Stop::NoLiquidity;
                break;
            };
            if let Some(l) = limit {
                if (o.side == Side::Buy && price > l) || (o.side == Side::Sell && price < l) {
                    stop = Stop::NoLiquidity;
                    break;
                }
            }
            let mut q = entry.visible;
            if quote_order {
                let left = t.orig_quote_order_qty - t.cumulative_quote_qty;
                q = q.min(floor_to(left / price, step));
            } else {
                q = q.min(t.remaining());
            }
            if t.order_type.is_market_like() {
                let cap = match o.side {
                    Side::Buy => floor_to(t.locked / price, step),
                    Side::Sell => t.locked,
                };
                q = q.min(cap);
            }
            if entry.account == o.account && o.stp_mode != StpMode::None {
                let want = if quote_order { q } else { entry.visible.min(t.remaining()) };
                self.prevent(id, entry.order_id, price, want);
                continue;
            }
            if q <= Decimal::ZERO {
                stop = Stop::Budget;
                break;
            }
            self.fill(id, entry.order_id, price, q);
        }
        let t = self.orders[&id].clone();
        if !t.status.is_open() {
            return;
        }
        if Self::is_quote_order(&t) {
            let status = if stop == Stop::Budget && t.executed_qty > Decimal::ZERO {
                OrderStatus::Filled
            } else {
                OrderStatus::Expired
            };
            let (et, reason) = if status == OrderStatus::Filled {
                (ExecType::Trade, None)
            } else {
                (ExecType::Expired, Some(ExpiryReason::InsufficientLiquidity))
            };
            if status == OrderStatus::Filled {
                // Quote orders end when the budget is spent; the last TRADE report already went out.
                self.finish_silently(id, status);
            } else {
                self.close_order(id, status, et, reason, Exec::default());
            }
            return;
        }
        if t.remaining() <= Decimal::ZERO {
            return;
        }
        if t.order_type.is_market_like() {
            self.close_order(
                id,
                OrderStatus::Expired,
                ExecType::Expired,
                Some(ExpiryReason::InsufficientLiquidity),
                Exec::default(),
            );
            return;
        }
        match t.time_in_force {
            TimeInForce::Gtc => {
                self.rest(id);
                self.sync_lock(id);
            }
            TimeInForce::Ioc => self.close_order(
                id,
                OrderStatus::Expired,
                ExecType::Expired,
                Some(ExpiryReason::UnfilledIocQuantityExpired),
                Exec::default(),
            ),
            TimeInForce::Fok => self.close_order(
                id,
                OrderStatus::Expired,
                ExecType::Expired,
                Some(ExpiryReason::UnfilledFokOrderExpired),
                Exec::default(),
            ),
        }
    }

    /// Closes an order whose last report was its final trade: the report's snapshot gets the final state.
    fn finish_silently(&mut self, id: u64, status: OrderStatus) {
        let n = self.user_out.len();
        self.close_order(id, status, ExecType::Trade, None, Exec::default());
        self.user_out.truncate(n);
        let order = self.orders[&id].clone();
        for (_, ev) in self.user_out.iter_mut().rev() {
            if let super::UserEvent::Execution(r) = ev {
                if r.order.order_id == id {
                    r.order = order;
                    break;
                }
            }
        }
    }

    /// One trade between a taker and the maker at the front of the book.
    pub(crate) fn fill(&mut self, taker: u64, maker: u64, price: Decimal, qty: Decimal) {
        self.oco_activated(taker);
        self.oco_activated(maker);
        let sym = self.orders[&taker].symbol.clone();
        let (base, quote) = self.assets(&sym);
        let (base_prec, quote_prec) = {
            let c = &self.symbols[&sym].cfg;
            (c.base_commission_precision, c.quote_commission_precision)
        };
        let quote_qty = price * qty;
        let now = self.now;
        let trade_id = {
            let st = self.symbols.get_mut(&sym).expect("symbol exists");
            let t = st.next_trade_id;
            st.next_trade_id += 1;
            st.last_price = Some(price);
            st.recent.push_back((now, price, qty));
            while st.recent.len() > 10_000 {
                st.recent.pop_front();
            }
            t
        };
        let mut commissions = [(Decimal::ZERO, String::new()), (Decimal::ZERO, String::new())];
        for (i, &(id, is_maker)) in [(taker, false), (maker, true)].iter().enumerate() {
            let o = &self.orders[&id];
            let acc = o.account;
            let rates = self.accounts.rates(acc);
            let rate = if is_maker { rates.maker } else { rates.taker };
            let (comm, comm_asset) = if o.side == Side::Buy {
                let c = (qty * rate).round_dp_with_strategy(base_prec, RoundingStrategy::ToZero);
                self.accounts.spend_locked(acc, &quote, quote_qty);
                self.accounts.credit(acc, &base, qty - c);
                (c, base.clone())
            } else {
                let c = (quote_qty * rate).round_dp_with_strategy(quote_prec, RoundingStrategy::ToZero);
                self.accounts.spend_locked(acc, &base, qty);
                self.accounts.credit(acc, &quote, quote_qty - c);
                (c, quote.clone())
            };
            *self.commissions.entry(comm_asset.clone()).or_default() += comm;
            let o = self.orders.get_mut(&id).expect("order exists");
            o.locked -= if o.side == Side::Buy { quote_qty } else { qty };
            o.executed_qty += qty;
            o.cumulative_quote_qty += quote_qty;
            o.update_time = now;
            // FILLED is set by close_order below, which also releases what is left of the lock.
            o.status = OrderStatus::PartiallyFilled;
            let is_buyer = o.side == Side::Buy;
            let trade = AccountTrade {
                symbol: sym.clone(),
                id: trade_id,
                order_id: id,
                order_list_id: o.order_list_id,
                price,
                qty,
                quote_qty,
                commission: comm,
                commission_asset: comm_asset.clone(),
                time: now,
                is_buyer,
                is_maker,
                is_best_match: true,
            };
            self.account_trades.entry((acc, sym.clone())).or_default().push(trade);
            commissions[i] = (comm, comm_asset);
        }
        // The maker's place in the book.
        let m = self.orders[&maker].clone();
        if let Some(st) = self.symbols.get_mut(&sym) {
            if m.remaining().is_zero() {
                st.book.remove(m.side, m.price, maker);
            } else if let Some((_, e)) = st.book.front(m.side).filter(|(_, e)| e.order_id == maker) {
                let visible = e.visible - qty;
                if visible.is_zero() {
                    // Iceberg: reload the next visible part at the back of the level.
                    st.book.remove(m.side, m.price, maker);
                    let next = m.iceberg_qty.map(|i| i.min(m.remaining())).unwrap_or(m.remaining());
                    st.book.push(m.side, m.price, Entry { order_id: maker, account: m.account, visible: next });
                } else {
                    st.book.set_visible(m.side, m.price, maker, visible);
                }
            }
        }
        let t = &self.orders[&taker];
        let (buyer, seller) = if t.side == Side::Buy { (taker, maker) } else { (maker, taker) };
        self.market_out.push(MarketEvent::Trade(Trade {
            symbol: sym.clone(),
            id: trade_id,
            price,
            qty,
            quote_qty,
            time_ms: now,
            buyer_order_id: buyer,
            seller_order_id: seller,
            buyer_is_maker: buyer == maker,
        }));
        for (i, &(id, is_maker)) in [(taker, false), (maker, true)].iter().enumerate() {
            let (c, a) = commissions[i].clone();
            let x = Exec {
                last_qty: qty,
                last_price: price,
                commission: c,
                commission_asset: Some(a),
                trade_id: Some(trade_id),
                is_maker,
                ..Exec::default()
            };
            let done = {
                let o = &self.orders[&id];
                !Self::is_quote_order(o) && o.remaining().is_zero()
            };
            if done {
                let n = self.user_out.len();
                self.close_order(id, OrderStatus::Filled, ExecType::Trade, None, Exec::default());
                self.user_out.truncate(n);
            } else {
                self.sync_lock(id);
            }
            self.report(id, ExecType::Trade, x);
        }
    }

    // ----- triggers and follow-ups -----

    /// Runs list follow-ups and triggers until nothing changes.
    pub(crate) fn settle(&mut self) {
        for _ in 0..1_000_000 {
            if let Some(list) = self.list_queue.pop_first() {
                self.process_list(list);
                continue;
            }
            if let Some(id) = self.next_triggered() {
                self.trigger(id);
                continue;
            }
            break;
        }
    }

    fn next_triggered(&self) -> Option<u64> {
        for st in self.symbols.values() {
            let Some(last) = st.last_price else { continue };
            for id in &st.stops {
                let o = &self.orders[id];
                if let Some(stop) = o.stop_price {
                    if Self::would_trigger(o.order_type, o.side, stop, last) {
                        return Some(*id);
                    }
                }
            }
        }
        None
    }

    fn trigger(&mut self, id: u64) {
        let sym = self.orders[&id].symbol.clone();
        if let Some(st) = self.symbols.get_mut(&sym) {
            st.stops.remove(&id);
        }
        self.oco_activated(id);
        let now = self.now;
        let Some(o) = self.orders.get_mut(&id) else { return };
        o.triggered = true;
        o.working_time = Some(now);
        o.update_time = now;
        let o = self.orders[&id].clone();
        if o.side == Side::Buy && o.order_type.is_market_like() {
            // A market buy spends what the account has: reserve it all until the order ends.
            let (acc, asset) = (o.account, self.spend_asset(&o));
            let free = self.accounts.balance(acc, &asset).free;
            if self.accounts.lock(acc, &asset, free).is_ok() {
                if let Some(o) = self.orders.get_mut(&id) {
                    o.locked += free;
                }
            }
        }
        self.execute_taker(id);
    }
}
