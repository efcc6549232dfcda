//! Order request checks: parameters per order type (the docs' "Place new order" table), precision, filters,
//! trigger and maker rules. Checks change nothing; a failed check is a [`Reject`].

use super::config::LotSize;
use super::order::*;
use super::{Exchange, SymbolState};
use rust_decimal::Decimal;

/// How strictly to check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checks {
    /// Reject conditional orders that would trigger at once (not for OCO legs and pending orders).
    pub trigger: bool,
    /// Reject LIMIT_MAKER orders that would match (not for pending orders).
    pub maker: bool,
}

impl Checks {
    pub const ALL: Checks = Checks { trigger: true, maker: true };
}

fn scale(d: Decimal) -> u32 {
    d.normalize().scale()
}

fn lot(l: &LotSize, q: Decimal, name: &str) -> Result<(), Reject> {
    if (l.min_qty > Decimal::ZERO && q < l.min_qty)
        || (l.max_qty > Decimal::ZERO && q > l.max_qty)
        || (l.step_size > Decimal::ZERO && !(q % l.step_size).is_zero())
    {
        return Err(Reject::filter(name));
    }
    Ok(())
}

fn type_supported_msg(t: OrderType) -> &'static str {
    match t {
        OrderType::Market => "Market orders are not supported for this symbol.",
        OrderType::StopLoss => "Stop loss orders are not supported for this symbol.",
        OrderType::StopLossLimit => "Stop loss limit orders are not supported for this symbol.",
        OrderType::TakeProfit => "Take profit orders are not supported for this symbol.",
        OrderType::TakeProfitLimit => "Take profit limit orders are not supported for this symbol.",
        _ => "Unsupported order combination",
    }
}

impl Exchange {
    /// Checks a request and builds the order it would create (id 0, client id possibly empty).
    pub(crate) fn validate(&self, account: AccountId, r: &NewOrder, checks: Checks) -> Result<Order, Reject> {
        let st = self.sym(&r.symbol)?;
        let cfg = &st.cfg;
        self.accounts.get(account)?;
        if cfg.status != "TRADING" {
            return Err(Reject::new(-2010, "Market is closed."));
        }
        let t = r.order_type;
        if !cfg.order_types.contains(&t) {
            return Err(Reject::new(-2010, type_supported_msg(t)));
        }
        // Mandatory and forbidden parameters per type.
        let needs_tif = matches!(t, OrderType::Limit | OrderType::StopLossLimit | OrderType::TakeProfitLimit);
        if needs_tif && r.time_in_force.is_none() {
            return Err(Reject::mandatory("timeInForce"));
        }
        if !needs_tif && r.time_in_force.is_some() {
            return Err(Reject::not_required("timeInForce"));
        }
        if t.has_price() && r.price.is_none() {
            return Err(Reject::mandatory("price"));
        }
        if !t.has_price() && r.price.is_some() {
            return Err(Reject::not_required("price"));
        }
        if t == OrderType::Market {
            match (r.quantity, r.quote_order_qty) {
                (None, None) => return Err(Reject::either("quantity", "quoteOrderQty")),
                (Some(_), Some(_)) => return Err(Reject::not_required("quoteOrderQty")),
                _ => {}
            }
            if r.quote_order_qty.is_some() && !cfg.quote_order_qty_market_allowed {
                return Err(Reject::new(-2010, "Quote order qty market orders are not support for this symbol."));
            }
        } else {
            if r.quantity.is_none() {
                return Err(Reject::mandatory("quantity"));
            }
            if r.quote_order_qty.is_some() {
                return Err(Reject::not_required("quoteOrderQty"));
            }
        }
        if t.is_conditional() {
            if r.stop_price.is_none() && r.trailing_delta.is_none() {
                return Err(Reject::either("stopPrice", "trailingDelta"));
            }
        } else {
            if r.stop_price.is_some() {
                return Err(Reject::not_required("stopPrice"));
            }
            if r.trailing_delta.is_some() {
                return Err(Reject::not_required("trailingDelta"));
            }
        }
        if r.trailing_delta.is_some() && !cfg.allow_trailing_stop {
            return Err(Reject::new(-2010, "Trailing stop orders are not supported for this symbol."));
        }
        if let Some(iq) = r.iceberg_qty {
            if !cfg.iceberg_allowed {
                return Err(Reject::new(-2010, "Iceberg orders are not supported for this symbol."));
            }
            if !t.has_price() {
                return Err(Reject::not_required("icebergQty"));
            }
            if r.time_in_force.unwrap_or(TimeInForce::Gtc) != TimeInForce::Gtc {
                return Err(Reject::new(-2010, "Unsupported order combination"));
            }
            if iq >= r.quantity.unwrap_or_default() {
                return Err(Reject::new(-2010, "IcebergQty exceeds QTY."));
            }
        }
        if let Some(s) = r.strategy_type {
            if s < 1_000_000 {
                return Err(Reject::new(-1134, "strategyType was less than 1000000."));
            }
        }
        let stp = r.stp_mode.unwrap_or(cfg.default_stp_mode);
        if !cfg.allowed_stp_modes.contains(&stp) {
            return Err(Reject::invalid("selfTradePreventionMode"));
        }
        if let Some(c) = &r.new_client_order_id {
            if c.is_empty() {
                return Err(Reject::new(-1118, "New client order ID was empty."));
            }
        }
        // Precision.
        for (name, v) in [("price", r.price), ("stopPrice", r.stop_price), ("quoteOrderQty", r.quote_order_qty)] {
            if v.is_some_and(|v| scale(v) > cfg.quote_precision) {
                return Err(Reject::precision(name));
            }
        }
        for (name, v) in [("quantity", r.quantity), ("icebergQty", r.iceberg_qty)] {
            if v.is_some_and(|v| scale(v) > cfg.base_asset_precision) {
                return Err(Reject::precision(name));
            }
        }
        self.check_filters(st, r)?;
        // Trigger and maker rules against the market.
        let last = st.last_price;
        if let (true, Some(stop), Some(last)) = (checks.trigger && t.is_conditional(), r.stop_price, last) {
            if Self::would_trigger(t, r.side, stop, last) {
                return Err(Reject::new(-2010, "Order would trigger immediately."));
            }
        }
        if checks.maker && t == OrderType::LimitMaker && st.book.crosses(r.side, r.price) {
            return Err(Reject::new(-2010, "Order would immediately match and take."));
        }
        if t == OrderType::Market && r.quote_order_qty.is_some() && st.book.best(r.side.opposite()).is_none() {
            return Err(Reject::new(-2010, "Order book liquidity is less than symbol minimum quantity."));
        }
        let now = self.now;
        Ok(Order {
            symbol: r.symbol.clone(),
            order_id: 0,
            order_list_id: -1,
            client_order_id: r.new_client_order_id.clone().unwrap_or_default(),
            account,
            side: r.side,
            order_type: t,
            time_in_force: r.time_in_force.unwrap_or(TimeInForce::Gtc),
            price: r.price.unwrap_or_default(),
            orig_qty: r.quantity.unwrap_or_default(),
            executed_qty: Decimal::ZERO,
            cumulative_quote_qty: Decimal::ZERO,
            orig_quote_order_qty: r.quote_order_qty.unwrap_or_default(),
            status: OrderStatus::New,
            stop_price: r.stop_price,
            trailing_delta: r.trailing_delta,
            trailing_time: r.trailing_delta.map(|_| -1),
            iceberg_qty: r.iceberg_qty,
            strategy_id: r.strategy_id,
            strategy_type: r.strategy_type,
            stp_mode: stp,
            prevented_qty: Decimal::ZERO,
            prevented_match_id: None,
            time: now,
            update_time: now,
            working_time: None,
            is_working: false,
            expiry_reason: None,
            locked: Decimal::ZERO,
            triggered: false,
        })
    }

    pub(crate) fn would_trigger(t: OrderType, side: Side, stop: Decimal, last: Decimal) -> bool {
        let up = (t.is_stop_loss() && side == Side::Buy) || (t.is_take_profit() && side == Side::Sell);
        if up {
            last >= stop
        } else {
            last <= stop
        }
    }

    fn check_filters(&self, st: &SymbolState, r: &NewOrder) -> Result<(), Reject> {
        let cfg = &st.cfg;
        let t = r.order_type;
        if let Some(pf) = cfg.price_filter() {
            for p in [r.price, r.stop_price].into_iter().flatten() {
                if (pf.min_price > Decimal::ZERO && p < pf.min_price)
                    || (pf.max_price > Decimal::ZERO && p > pf.max_price)
                    || (pf.tick_size > Decimal::ZERO && !(p % pf.tick_size).is_zero())
                    || p <= Decimal::ZERO
                {
                    return Err(Reject::filter("PRICE_FILTER"));
                }
            }
        }
        let avg = self.avg_price(&cfg.symbol, self.now);
        if let (Some(pp), Some(avg), Some(price)) = (cfg.percent_price(), avg, r.price) {
            let (up, down) = match r.side {
                Side::Buy => (pp.bid_multiplier_up, pp.bid_multiplier_down),
                Side::Sell => (pp.ask_multiplier_up, pp.ask_multiplier_down),
            };
            if price > avg * up || price < avg * down {
                return Err(Reject::filter("PERCENT_PRICE_BY_SIDE"));
            }
        }
        if let Some(q) = r.quantity {
            if q <= Decimal::ZERO {
                return Err(Reject::filter("LOT_SIZE"));
            }
            if let Some(l) = cfg.lot_size() {
                lot(l, q, "LOT_SIZE")?;
                if let Some(iq) = r.iceberg_qty {
                    lot(l, iq, "LOT_SIZE")?;
                }
            }
            if t.is_market_like() {
                if let Some(l) = cfg.market_lot_size() {
                    lot(l, q, "MARKET_LOT_SIZE")?;
                }
            }
        }
        if let (Some(iq), Some(limit), Some(q)) = (r.iceberg_qty, cfg.iceberg_parts(), r.quantity) {
            if iq <= Decimal::ZERO || (q / iq).ceil() > Decimal::from(limit) {
                return Err(Reject::filter("ICEBERG_PARTS"));
            }
        }
        if let Some(q) = r.quote_order_qty {
            if q <= Decimal::ZERO {
                return Err(Reject::new(-2010, "Price * QTY is zero or less."));
            }
        }
        if let Some(n) = cfg.notional() {
            let (notional, is_market) = if t.has_price() {
                (r.price.zip(r.quantity).map(|(p, q)| p * q), false)
            } else if let Some(qq) = r.quote_order_qty {
                (Some(qq), true)
            } else if t == OrderType::Market {
                (avg.zip(r.quantity).map(|(p, q)| p * q), true)
            } else {
                (r.stop_price.or(avg).zip(r.quantity).map(|(p, q)| p * q), true)
            };
            if let Some(v) = notional {
                if (!is_market || n.apply_min_to_market) && v < n.min_notional {
                    return Err(Reject::filter("NOTIONAL"));
                }
                if (!is_market || n.apply_max_to_market) && n.max_notional > Decimal::ZERO && v > n.max_notional {
                    return Err(Reject::filter("NOTIONAL"));
                }
            }
        }
        Ok(())
    }

    /// Open orders (including pending and untriggered ones) of an account on a symbol.
    pub(crate) fn open_count(&self, account: AccountId, symbol: &str) -> usize {
        self.open
            .get(&account)
            .map(|s| s.iter().filter(|id| self.orders.get(id).is_some_and(|o| o.symbol == symbol)).count())
            .unwrap_or(0)
    }

    /// MAX_NUM_ORDERS for `adding` new orders.
    pub(crate) fn check_max_orders(&self, account: AccountId, symbol: &str, adding: usize) -> Result<(), Reject> {
        if let Some(max) = self.sym(symbol)?.cfg.max_num_orders() {
            if self.open_count(account, symbol) + adding > max as usize {
                return Err(Reject::filter("MAX_NUM_ORDERS"));
            }
        }
        Ok(())
    }

    /// A client order id must be unique among the account's open orders.
    pub(crate) fn check_client_id(&self, account: AccountId, id: &str) -> Result<(), Reject> {
        if !id.is_empty() && self.open_client_ids.contains_key(&(account, id.to_string())) {
            return Err(Reject::new(-2010, "Duplicate order sent."));
        }
        Ok(())
    }

    /// What placing the order locks now: SELL the quantity, BUY limit price x quantity, MARKET BUY its
    /// quoteOrderQty or (by quantity) every free quote, MARKET SELL by quoteOrderQty every free base,
    /// untriggered stop-market BUY nothing. Fails with -2010 when free is short.
    pub(crate) fn initial_lock(&self, o: &Order) -> Result<Decimal, Reject> {
        let free = self.accounts.balance(o.account, &self.spend_asset(o)).free;
        let market_now = o.order_type == OrderType::Market || (o.order_type.is_market_like() && o.triggered);
        let need = match o.side {
            Side::Sell if o.orig_quote_order_qty > Decimal::ZERO => {
                if free <= Decimal::ZERO {
                    return Err(Reject::insufficient());
                }
                free
            }
            Side::Sell => o.orig_qty,
            Side::Buy if o.orig_quote_order_qty > Decimal::ZERO => o.orig_quote_order_qty,
            Side::Buy if market_now => {
                if free <= Decimal::ZERO {
                    return Err(Reject::insufficient());
                }
                free
            }
            Side::Buy if o.order_type.is_market_like() => Decimal::ZERO,
            Side::Buy => o.price * o.orig_qty,
        };
        if need > free {
            return Err(Reject::insufficient());
        }
        Ok(need)
    }
}
