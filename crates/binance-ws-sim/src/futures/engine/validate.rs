//! order.place: the checks of a new order (parameters per type, position mode, filters, reduce-only and
//! close-position rules, trigger prices, margin) and its admission.

use rust_decimal::Decimal;

use super::errors as e;
use super::events::{FUserEvent, OrderUpdate};
use super::types::*;
use super::{Engine, FSymbol, Placed};
use crate::exchange::{AccountId, Reject, Side};

/// `^[\.A-Z\:/a-z0-9_-]{1,36}$`
fn valid_client_id(id: &str) -> bool {
    (1..=36).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'_' | b'-'))
}

/// Latest time a GTD order may expire (UTC 9999-12-31 23:59:59).
const MAX_GTD: u64 = 253_402_300_799_000;
/// GTD orders must live at least this long.
const MIN_GTD_AHEAD_MS: u64 = 600_000;

/// Whether a stop (`is_stop`) or take-profit order of `side` triggers at `price`.
pub(crate) fn triggers_at(is_stop: bool, side: Side, stop: Decimal, price: Decimal) -> bool {
    match (is_stop, side) {
        (true, Side::Buy) | (false, Side::Sell) => price >= stop,
        (true, Side::Sell) | (false, Side::Buy) => price <= stop,
    }
}

impl FSymbol {
    /// PRICE_FILTER and precision for a price-like parameter; `codes` gives the not-positive and above-max
    /// rejections of that parameter.
    fn check_price(&self, p: Decimal, not_positive: fn() -> Reject, above_max: fn() -> Reject) -> Result<(), Reject> {
        let s = &self.spec;
        if p <= Decimal::ZERO {
            return Err(not_positive());
        }
        if p.normalize().scale() > s.price_precision {
            return Err(e::precision());
        }
        if p < s.min_price {
            return Err(e::price_below_min());
        }
        if p > s.max_price {
            return Err(above_max());
        }
        if !(p / s.tick_size).fract().is_zero() {
            return Err(e::tick());
        }
        Ok(())
    }

    /// LOT_SIZE (or MARKET_LOT_SIZE for orders that execute at market) and precision.
    pub(crate) fn check_qty(&self, q: Decimal, market: bool) -> Result<(), Reject> {
        let s = &self.spec;
        if q <= Decimal::ZERO {
            return Err(e::qty_not_positive());
        }
        if q.normalize().scale() > s.quantity_precision {
            return Err(e::precision());
        }
        let (min, max) = if market { (s.market_min_qty, s.market_max_qty) } else { (s.min_qty, s.max_qty) };
        if q < min {
            return Err(e::qty_below_min());
        }
        if q > max {
            return Err(e::qty_above_max());
        }
        if !((q - min) / s.step_size).fract().is_zero() {
            return Err(e::step());
        }
        Ok(())
    }

    /// PERCENT_PRICE: a BUY may not be above mark x multiplierUp, a SELL not below mark x multiplierDown.
    pub(crate) fn check_percent_price(&self, side: Side, price: Decimal) -> Result<(), Reject> {
        let s = &self.spec;
        match side {
            Side::Buy if price > self.mark * s.multiplier_up => Err(e::above_multiplier_up()),
            Side::Sell if price < self.mark * s.multiplier_down => Err(e::below_multiplier_down()),
            _ => Ok(()),
        }
    }
}

impl Engine {
    /// order.place: validates, admits (ORDER_TRADE_UPDATE NEW), then matches, rests, or waits for the trigger.
    pub fn place(&mut self, account: AccountId, req: NewFOrder, now: u64) -> Result<Placed, Reject> {
        self.begin(now);
        let r = self.place_inner(account, &req);
        self.end();
        let (id, ack) = r?;
        Ok(Placed { ack, result: self.orders[&id].clone() })
    }

    fn place_inner(&mut self, account: AccountId, req: &NewFOrder) -> Result<(u64, FOrder), Reject> {
        let o = self.check_new(account, req)?;
        let id = self.admit(o);
        let ack = self.orders[&id].clone();
        self.start(id);
        Ok((id, ack))
    }

    /// The size of the position an order of `side` on `ps` would reduce (zero: it would open or grow one).
    pub(crate) fn reducible(&self, account: AccountId, symbol: &str, ps: PositionSide, side: Side) -> Decimal {
        let Some(acc) = self.accounts.get(&account) else { return Decimal::ZERO };
        let amount = acc.position(symbol, ps).amount;
        match (ps, side) {
            (PositionSide::Both, Side::Buy) | (PositionSide::Short, Side::Buy) => (-amount).max(Decimal::ZERO),
            (PositionSide::Both, Side::Sell) | (PositionSide::Long, Side::Sell) => amount.max(Decimal::ZERO),
            _ => Decimal::ZERO,
        }
    }

    /// Whether an order may only reduce a position: reduceOnly, closePosition, or a hedge-mode closing order.
    pub(crate) fn reduce_only_order(o: &FOrder) -> bool {
        o.reduce_only
            || o.close_position
            || matches!((o.position_side, o.side), (PositionSide::Long, Side::Sell) | (PositionSide::Short, Side::Buy))
    }

    fn check_new(&self, account: AccountId, req: &NewFOrder) -> Result<FOrder, Reject> {
        let acc = self.acc(account)?;
        let st = self.sym(&req.symbol)?;
        let spec = &st.spec;
        let t = req.order_type;
        if t == FOrderType::Liquidation {
            return Err(Reject::new(-1116, "Invalid orderType."));
        }
        let position_side = match (acc.hedge, req.position_side) {
            (false, None | Some(PositionSide::Both)) => PositionSide::Both,
            (true, Some(ps @ (PositionSide::Long | PositionSide::Short))) => ps,
            _ => return Err(e::position_side_mismatch()),
        };
        if acc.hedge && req.reduce_only.is_some() {
            return Err(e::not_required("reduceOnly"));
        }
        let close_position = req.close_position.unwrap_or(false);
        if close_position {
            if !matches!(t, FOrderType::StopMarket | FOrderType::TakeProfitMarket) {
                return Err(e::not_required("closePosition"));
            }
            if req.quantity.is_some() {
                return Err(e::quantity_with_close_position());
            }
            if req.reduce_only.is_some() {
                return Err(e::not_required("reduceOnly"));
            }
            if matches!((position_side, req.side), (PositionSide::Long, Side::Buy) | (PositionSide::Short, Side::Sell))
            {
                return Err(e::reduce_only_rejected());
            }
        }
        let price_match = req.price_match.unwrap_or(PriceMatch::None);
        if price_match != PriceMatch::None {
            if !matches!(t, FOrderType::Limit | FOrderType::Stop | FOrderType::TakeProfit) {
                return Err(e::price_match_order_type());
            }
            if req.price.is_some() {
                return Err(e::not_required("price"));
            }
        }
        let tif = match (t, req.time_in_force) {
            (FOrderType::Limit, None) => return Err(e::mandatory("timeInForce")),
            (FOrderType::Limit | FOrderType::Stop | FOrderType::TakeProfit, Some(tif)) => tif,
            _ => FTimeInForce::Gtc,
        };
        let good_till_date = match (tif, req.good_till_date) {
            (FTimeInForce::Gtd, None) => return Err(e::mandatory("goodTillDate")),
            (FTimeInForce::Gtd, Some(g)) => {
                // Only second precision is kept.
                let g = g / 1000 * 1000;
                if g <= self.now + MIN_GTD_AHEAD_MS || g >= MAX_GTD {
                    return Err(e::good_till_date());
                }
                g
            }
            (_, Some(_)) => return Err(e::not_required("goodTillDate")),
            (_, None) => 0,
        };
        let market = t.is_market_like();
        let qty = if close_position {
            Decimal::ZERO
        } else {
            let q = req.quantity.ok_or_else(|| e::mandatory("quantity"))?;
            st.check_qty(q, market)?;
            q
        };
        let needs_price = matches!(t, FOrderType::Limit | FOrderType::Stop | FOrderType::TakeProfit);
        let mut price = Decimal::ZERO;
        if needs_price && price_match == PriceMatch::None {
            price = req.price.ok_or_else(|| e::mandatory("price"))?;
            st.check_price(price, e::price_not_positive, e::price_above_max)?;
        } else if !needs_price && req.price.is_some() {
            return Err(e::not_required("price"));
        }
        let needs_stop = matches!(
            t,
            FOrderType::Stop | FOrderType::StopMarket | FOrderType::TakeProfit | FOrderType::TakeProfitMarket
        );
        let mut stop_price = Decimal::ZERO;
        if needs_stop {
            stop_price = req.stop_price.ok_or_else(|| e::mandatory("stopPrice"))?;
            st.check_price(stop_price, e::stop_price_not_positive, e::stop_price_above_max)?;
        } else if req.stop_price.is_some() {
            return Err(e::not_required("stopPrice"));
        }
        let working_type = req.working_type.unwrap_or(WorkingType::ContractPrice);
        let latest = st.trigger_price(working_type);
        let (mut callback_rate, mut activation_price) = (None, None);
        if t == FOrderType::TrailingStopMarket {
            let cr = req.callback_rate.ok_or_else(|| e::mandatory("callbackRate"))?;
            if cr < Decimal::new(1, 1) || cr > Decimal::TEN || !(cr * Decimal::TEN).fract().is_zero() {
                return Err(e::invalid("callbackRate"));
            }
            callback_rate = Some(cr);
            if let Some(a) = req.activation_price {
                st.check_price(a, e::invalid_activation_price, e::invalid_activation_price)?;
                let immediate = match req.side {
                    Side::Buy => a >= latest,
                    Side::Sell => a <= latest,
                };
                if immediate {
                    return Err(e::would_trigger());
                }
                activation_price = Some(a);
            }
        } else if req.callback_rate.is_some() {
            return Err(e::not_required("callbackRate"));
        } else if req.activation_price.is_some() {
            return Err(e::not_required("activationPrice"));
        }
        if needs_stop && triggers_at(t.is_stop(), req.side, stop_price, latest) {
            return Err(e::would_trigger());
        }
        let client_order_id = match &req.new_client_order_id {
            Some(id) if !valid_client_id(id) => return Err(e::client_order_id()),
            Some(id) => {
                let duplicate = self
                    .open
                    .get(&account)
                    .into_iter()
                    .flatten()
                    .any(|oid| self.orders.get(oid).is_some_and(|o| &o.client_order_id == id));
                if duplicate {
                    return Err(e::duplicate_client_order_id());
                }
                id.clone()
            }
            None => String::new(),
        };
        // LIMIT orders with priceMatch take their price from the book now.
        if t == FOrderType::Limit {
            if let Some(p) = st.match_price(price_match, req.side)? {
                price = p;
            }
            st.check_percent_price(req.side, price)?;
        }
        let reduce_only = req.reduce_only.unwrap_or(false);
        let o = FOrder {
            symbol: req.symbol.clone(),
            order_id: 0,
            client_order_id,
            account,
            side: req.side,
            position_side,
            order_type: t,
            orig_type: t,
            time_in_force: tif,
            price,
            orig_qty: qty,
            executed_qty: Decimal::ZERO,
            cum_quote: Decimal::ZERO,
            cum_base: Decimal::ZERO,
            status: FOrderStatus::New,
            stop_price,
            activation_price,
            callback_rate,
            working_type,
            price_protect: req.price_protect.unwrap_or(false),
            reduce_only,
            close_position,
            price_match,
            stp: req.stp.unwrap_or(FStpMode::None),
            good_till_date,
            time: self.now,
            update_time: self.now,
            triggered: false,
            trail_extreme: None,
            trail_active: false,
            modify_count: 0,
        };
        self.check_limits(&o)?;
        let closing = Self::reduce_only_order(&o);
        if !t.is_conditional() {
            let mut reducible = self.reducible(account, &o.symbol, position_side, o.side);
            if position_side != PositionSide::Both {
                // Hedge mode: what other open closing orders of the side already cover is not available.
                let pending: Decimal = self
                    .open_orders(account, Some(&o.symbol))
                    .iter()
                    .filter(|x| x.position_side == position_side && x.side == o.side && !x.is_untriggered())
                    .map(|x| x.remaining())
                    .sum();
                reducible = (reducible - pending).max(Decimal::ZERO);
            }
            if closing && (reducible.is_zero() || (position_side != PositionSide::Both && qty > reducible)) {
                return Err(e::reduce_only_rejected());
            }
            if t == FOrderType::Limit && tif == FTimeInForce::Gtx && st.book.crosses(o.side, Some(price)) {
                return Err(e::gtx_rejected());
            }
            if tif == FTimeInForce::Fok && self.fillable(&o) < qty {
                return Err(e::fok_rejected());
            }
        }
        if !closing && !spec.min_notional.is_zero() {
            let reference = if !price.is_zero() {
                price
            } else if !stop_price.is_zero() {
                stop_price
            } else {
                st.mark
            };
            if st.calc.quote_notional(qty, reference) < spec.min_notional {
                return Err(e::min_notional(spec.min_notional));
            }
        }
        if !closing && !t.is_conditional() {
            self.check_margin(&o)?;
        }
        Ok(o)
    }

    /// MAX_NUM_ORDERS and MAX_NUM_ALGO_ORDERS.
    fn check_limits(&self, o: &FOrder) -> Result<(), Reject> {
        let spec = &self.symbols[&o.symbol].spec;
        let mine: Vec<&FOrder> = self
            .open
            .get(&o.account)
            .into_iter()
            .flatten()
            .filter_map(|id| self.orders.get(id))
            .filter(|x| x.symbol == o.symbol)
            .collect();
        if mine.len() >= spec.max_num_orders {
            return Err(e::max_open_orders());
        }
        if o.orig_type.is_conditional()
            && mine.iter().filter(|x| x.is_untriggered()).count() >= spec.max_num_algo_orders
        {
            return Err(e::max_stop_orders());
        }
        Ok(())
    }

    /// -2019 when the order's extra margin exceeds the available balance; -2027 when the position could grow past
    /// what the leverage allows.
    pub(crate) fn check_margin(&self, o: &FOrder) -> Result<(), Reject> {
        let st = &self.symbols[&o.symbol];
        let extra = self.extra_margin(o);
        let available = self.asset_summary(o.account, &st.spec.margin_asset).map(|s| s.available).unwrap_or_default();
        if extra > available {
            return Err(e::margin_insufficient());
        }
        let acc = &self.accounts[&o.account];
        let amount = acc.position(&o.symbol, o.position_side).amount;
        let signed = if o.side == Side::Buy { o.remaining() } else { -o.remaining() };
        let reference = if o.price.is_zero() { st.book.best(o.side.opposite()).unwrap_or(st.mark) } else { o.price };
        let after = st.calc.quote_notional((amount + signed).abs(), reference);
        let leverage = self.leverage(o.account, &o.symbol);
        if (amount + signed).abs() > amount.abs() && after > st.spec.max_notional(leverage) {
            return Err(e::max_position());
        }
        Ok(())
    }

    /// Quantity the book would give an order now (FOK check; self-trade prevention does not apply to FOK).
    pub(crate) fn fillable(&self, o: &FOrder) -> Decimal {
        let st = &self.symbols[&o.symbol];
        let limit = if o.order_type.is_market_like() { None } else { Some(o.price) };
        st.book
            .levels(o.side.opposite(), usize::MAX)
            .into_iter()
            .take_while(|(p, _)| match (o.side, limit) {
                (_, None) => true,
                (Side::Buy, Some(l)) => *p <= l,
                (Side::Sell, Some(l)) => *p >= l,
            })
            .map(|(_, q)| q)
            .sum()
    }

    /// Gives a checked order its id and client id, records it and its NEW update.
    pub(crate) fn admit(&mut self, mut o: FOrder) -> u64 {
        o.order_id = self.next_order_id;
        self.next_order_id += 1;
        if o.client_order_id.is_empty() {
            o.client_order_id = self.gen_client_id();
        }
        let id = o.order_id;
        if o.good_till_date > 0 {
            self.gtd.insert((o.good_till_date, id));
        }
        let account = o.account;
        let silent = o.orig_type == FOrderType::Liquidation;
        self.open.entry(account).or_default().insert(id);
        self.orders.insert(id, o);
        if !silent {
            self.order_event(id, FExecType::New, None);
        }
        id
    }

    /// Records an ORDER_TRADE_UPDATE of an order as it is now (`fill` carries the trade fields).
    pub(crate) fn order_event(&mut self, id: u64, exec_type: FExecType, fill: Option<OrderUpdate>) {
        let Some(o) = self.orders.get(&id) else { return };
        let (bids, asks) = self
            .position_summary(o.account, &o.symbol, o.position_side)
            .map(|p| (p.bid_notional, p.ask_notional))
            .unwrap_or_default();
        let account = o.account;
        let update = match fill {
            Some(mut f) => {
                f.order = o.clone();
                f.exec_type = exec_type;
                f.bids_notional = bids;
                f.asks_notional = asks;
                f
            }
            None => OrderUpdate {
                order: o.clone(),
                exec_type,
                transact_time: self.now,
                last_qty: Decimal::ZERO,
                last_price: Decimal::ZERO,
                commission: None,
                trade_id: 0,
                is_maker: false,
                realized_profit: Decimal::ZERO,
                bids_notional: bids,
                asks_notional: asks,
            },
        };
        self.user_out.push((account, FUserEvent::Order(Box::new(update))));
    }
}
