//! Order lists: OCO (above/below pair), OTO (working + pending) and OTOCO (working + pending OCO pair).
//! One OCO leg starting to work (first fill or trigger) expires the other; a filled working order
//! activates its pending orders; cancelling any leg cancels the list.

use super::events::{ListOrderRef, ListStatus};
use super::order::*;
use super::query::HistoryQuery;
use super::validate::Checks;
use super::{Exchange, Exec, UserEvent};
use rust_decimal::Decimal;

/// One leg's own parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ListLeg {
    pub order_type: OrderType,
    pub client_order_id: Option<String>,
    pub price: Option<Decimal>,
    pub stop_price: Option<Decimal>,
    pub trailing_delta: Option<u64>,
    pub time_in_force: Option<TimeInForce>,
    pub iceberg_qty: Option<Decimal>,
    pub strategy_id: Option<i64>,
    pub strategy_type: Option<i64>,
}

impl ListLeg {
    /// A leg of `order_type` with nothing else set.
    pub fn new(order_type: OrderType) -> Self {
        ListLeg {
            order_type,
            client_order_id: None,
            price: None,
            stop_price: None,
            trailing_delta: None,
            time_in_force: None,
            iceberg_qty: None,
            strategy_id: None,
            strategy_type: None,
        }
    }
    /// Sets the price.
    pub fn price(mut self, p: Decimal) -> Self {
        self.price = Some(p);
        self
    }
    /// Sets the stop price.
    pub fn stop(mut self, p: Decimal) -> Self {
        self.stop_price = Some(p);
        self
    }
    /// Sets timeInForce.
    pub fn tif(mut self, t: TimeInForce) -> Self {
        self.time_in_force = Some(t);
        self
    }
}

/// A leg with its own side and quantity (OTO working and pending orders).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingLeg {
    pub side: Side,
    pub quantity: Decimal,
    pub leg: ListLeg,
}

/// orderList.place.oco.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOco {
    pub symbol: String,
    pub list_client_order_id: Option<String>,
    pub side: Side,
    pub quantity: Decimal,
    pub above: ListLeg,
    pub below: ListLeg,
    pub stp_mode: Option<StpMode>,
}

/// orderList.place.oto.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOto {
    pub symbol: String,
    pub list_client_order_id: Option<String>,
    pub stp_mode: Option<StpMode>,
    pub working: WorkingLeg,
    pub pending: WorkingLeg,
}

/// orderList.place.otoco.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOtoco {
    pub symbol: String,
    pub list_client_order_id: Option<String>,
    pub stp_mode: Option<StpMode>,
    pub working: WorkingLeg,
    pub pending_side: Side,
    pub pending_quantity: Decimal,
    pub pending_above: ListLeg,
    pub pending_below: ListLeg,
}

/// An order list's record.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderList {
    pub symbol: String,
    pub account: AccountId,
    pub order_list_id: u64,
    pub contingency_type: ContingencyType,
    pub list_status_type: ListStatusType,
    pub list_order_status: ListOrderStatus,
    pub list_client_order_id: String,
    pub transaction_time: u64,
    /// The orders, in the docs' order (above, below / working, pending...).
    pub order_ids: Vec<u64>,
    pub(crate) working: Option<u64>,
    pub(crate) pending: Vec<u64>,
    pub(crate) oco: Option<(u64, u64)>,
}

/// A list with its orders' reports (placement and cancellation responses).
#[derive(Debug, Clone, PartialEq)]
pub struct ListReport {
    pub status: ListStatus,
    pub orders: Vec<Order>,
    /// For cancellations: each order's client order id before the cancel (same order as `orders`).
    pub orig_client_order_ids: Vec<String>,
}

fn leg_request(symbol: &str, side: Side, qty: Decimal, leg: &ListLeg, stp: Option<StpMode>) -> NewOrder {
    NewOrder {
        symbol: symbol.to_string(),
        side,
        order_type: leg.order_type,
        time_in_force: leg.time_in_force,
        price: leg.price,
        quantity: Some(qty),
        quote_order_qty: None,
        new_client_order_id: leg.client_order_id.clone(),
        stop_price: leg.stop_price,
        trailing_delta: leg.trailing_delta,
        iceberg_qty: leg.iceberg_qty,
        strategy_id: leg.strategy_id,
        strategy_type: leg.strategy_type,
        stp_mode: stp,
    }
}

/// The price that places a leg above or below the market: a limit maker's price, else its stop price.
fn reference(o: &Order) -> Decimal {
    if o.order_type == OrderType::LimitMaker {
        o.price
    } else {
        o.stop_price.unwrap_or(o.price)
    }
}

impl Exchange {
    fn check_oco_types(side: Side, above: OrderType, below: OrderType) -> Result<(), Reject> {
        use OrderType::*;
        let ok = |t: OrderType| matches!(t, StopLoss | StopLossLimit | LimitMaker | TakeProfit | TakeProfitLimit);
        if !ok(above) || !ok(below) {
            return Err(Reject::new(-1158, "Order type not supported in OCO."));
        }
        if !above.is_stop_loss() && !below.is_stop_loss() && !above.is_take_profit() && !below.is_take_profit() {
            return Err(Reject::new(-1168, "At least one OCO order must be contingent."));
        }
        match side {
            Side::Sell => {
                if below == LimitMaker {
                    return Err(Reject::new(-1166, "A limit order in a sell OCO must be above."));
                }
                if above.is_stop_loss() {
                    return Err(Reject::new(-1197, "A stop loss order in a sell OCO must be below."));
                }
                if below.is_take_profit() {
                    return Err(Reject::new(-1199, "A take profit order in a sell OCO must be above."));
                }
            }
            Side::Buy => {
                if above == LimitMaker {
                    return Err(Reject::new(-1165, "A limit order in a buy OCO must be below."));
                }
                if below.is_stop_loss() {
                    return Err(Reject::new(-1196, "A stop loss order in a buy OCO must be above."));
                }
                if above.is_take_profit() {
                    return Err(Reject::new(-1198, "A take profit order in a buy OCO must be below."));
                }
            }
        }
        Ok(())
    }

    /// Checks an OCO pair and returns the two orders (not yet admitted) and the lock they share.
    #[allow(clippy::too_many_arguments)] // the OCO pair's fields, shared by OCO and OTOCO
    fn prepare_pair(
        &self,
        account: AccountId,
        symbol: &str,
        side: Side,
        qty: Decimal,
        above: &ListLeg,
        below: &ListLeg,
        stp: Option<StpMode>,
        vs_market: bool,
    ) -> Result<(Order, Order, Decimal), Reject> {
        Self::check_oco_types(side, above.order_type, below.order_type)?;
        let checks = Checks { trigger: false, maker: vs_market };
        let a = self.validate(account, &leg_request(symbol, side, qty, above, stp), checks)?;
        let b = self.validate(account, &leg_request(symbol, side, qty, below, stp), checks)?;
        let bad = || Reject::new(-2010, "The relationship of the prices for the orders is not correct.");
        let (ra, rb) = (reference(&a), reference(&b));
        if ra <= rb {
            return Err(bad());
        }
        if let (true, Some(last)) = (vs_market, self.sym(symbol)?.last_price) {
            if !(ra > last && last > rb) {
                return Err(bad());
            }
        }
        let lock = match side {
            Side::Sell => qty,
            Side::Buy => self.initial_lock(&a).unwrap_or_default().max(self.initial_lock(&b).unwrap_or_default()),
        };
        Ok((a, b, lock))
    }

    fn check_list_ids(&self, account: AccountId, list_id: &Option<String>, legs: &[&Order]) -> Result<(), Reject> {
        let dup = || Reject::new(-2010, "Duplicate order sent.");
        if let Some(l) = list_id {
            if l.is_empty() {
                return Err(Reject::new(-1118, "New client order ID was empty."));
            }
            if self.open_list_client_ids.contains_key(&(account, l.clone())) {
                return Err(dup());
            }
        }
        for (i, o) in legs.iter().enumerate() {
            self.check_client_id(account, &o.client_order_id)?;
            if !o.client_order_id.is_empty() && legs[..i].iter().any(|p| p.client_order_id == o.client_order_id) {
                return Err(dup());
            }
        }
        Ok(())
    }

    fn new_list(
        &mut self,
        account: AccountId,
        symbol: &str,
        ct: ContingencyType,
        list_client_id: Option<String>,
    ) -> OrderList {
        let id = self.next_list_id;
        self.next_list_id += 1;
        OrderList {
            symbol: symbol.to_string(),
            account,
            order_list_id: id,
            contingency_type: ct,
            list_status_type: ListStatusType::ExecStarted,
            list_order_status: ListOrderStatus::Executing,
            list_client_order_id: list_client_id.unwrap_or_else(|| self.gen_id()),
            transaction_time: self.now,
            order_ids: Vec::new(),
            working: None,
            pending: Vec::new(),
            oco: None,
        }
    }

    fn admit_leg(&mut self, mut o: Order, list_id: u64, lock: Decimal, pending: bool) -> Result<u64, Reject> {
        o.order_list_id = list_id as i64;
        if pending {
            o.status = OrderStatus::PendingNew;
        }
        self.admit(o, lock)
    }

    fn register_list(&mut self, list: OrderList) -> u64 {
        let id = list.order_list_id;
        self.open_list_client_ids.insert((list.account, list.list_client_order_id.clone()), id);
        let acc = list.account;
        self.lists.insert(id, list);
        let st = self.list_status(id);
        self.user_out.push((acc, UserEvent::ListStatus(st)));
        id
    }

    /// orderList.place.oco.
    pub fn place_oco(&mut self, account: AccountId, r: NewOco, now: u64) -> Result<ListReport, Reject> {
        self.begin(now);
        let res = (|| {
            if !self.sym(&r.symbol)?.cfg.oco_allowed {
                return Err(Reject::new(-2010, "OCO orders are not supported for this symbol"));
            }
            let (a, b, lock) =
                self.prepare_pair(account, &r.symbol, r.side, r.quantity, &r.above, &r.below, r.stp_mode, true)?;
            self.check_list_ids(account, &r.list_client_order_id, &[&a, &b])?;
            self.check_max_orders(account, &r.symbol, 2)?;
            let asset = self.spend_asset(&a);
            if self.accounts.balance(account, &asset).free < lock {
                return Err(Reject::insufficient());
            }
            let mut list = self.new_list(account, &r.symbol, ContingencyType::Oco, r.list_client_order_id.clone());
            let ia = self.admit_leg(a, list.order_list_id, lock, false)?;
            let ib = self.admit_leg(b, list.order_list_id, Decimal::ZERO, false)?;
            list.order_ids = vec![ia, ib];
            list.oco = Some((ia, ib));
            let id = self.register_list(list);
            self.start(ia);
            self.start(ib);
            Ok(id)
        })();
        self.end();
        Ok(self.list_report(res?, Vec::new()))
    }

    /// orderList.place.oto.
    pub fn place_oto(&mut self, account: AccountId, r: NewOto, now: u64) -> Result<ListReport, Reject> {
        self.begin(now);
        let res = (|| {
            let w = self.prepare_working(account, &r.symbol, &r.working, r.stp_mode)?;
            let p = &r.pending;
            let req = leg_request(&r.symbol, p.side, p.quantity, &p.leg, r.stp_mode);
            let po = self.validate(account, &req, Checks { trigger: false, maker: false })?;
            self.check_list_ids(account, &r.list_client_order_id, &[&w, &po])?;
            self.check_max_orders(account, &r.symbol, 2)?;
            let lock = self.initial_lock(&w)?;
            let mut list = self.new_list(account, &r.symbol, ContingencyType::Oto, r.list_client_order_id.clone());
            let iw = self.admit_leg(w, list.order_list_id, lock, false)?;
            let ip = self.admit_leg(po, list.order_list_id, Decimal::ZERO, true)?;
            list.order_ids = vec![iw, ip];
            list.working = Some(iw);
            list.pending = vec![ip];
            let id = self.register_list(list);
            self.start(iw);
            Ok(id)
        })();
        self.end();
        Ok(self.list_report(res?, Vec::new()))
    }

    /// orderList.place.otoco.
    pub fn place_otoco(&mut self, account: AccountId, r: NewOtoco, now: u64) -> Result<ListReport, Reject> {
        self.begin(now);
        let res = (|| {
            let w = self.prepare_working(account, &r.symbol, &r.working, r.stp_mode)?;
            if !self.sym(&r.symbol)?.cfg.oco_allowed {
                return Err(Reject::new(-2010, "OCO orders are not supported for this symbol"));
            }
            let (a, b, _) = self.prepare_pair(
                account,
                &r.symbol,
                r.pending_side,
                r.pending_quantity,
                &r.pending_above,
                &r.pending_below,
                r.stp_mode,
                false,
            )?;
            self.check_list_ids(account, &r.list_client_order_id, &[&w, &a, &b])?;
            self.check_max_orders(account, &r.symbol, 3)?;
            let lock = self.initial_lock(&w)?;
            let mut list = self.new_list(account, &r.symbol, ContingencyType::Oto, r.list_client_order_id.clone());
            let iw = self.admit_leg(w, list.order_list_id, lock, false)?;
            let ia = self.admit_leg(a, list.order_list_id, Decimal::ZERO, true)?;
            let ib = self.admit_leg(b, list.order_list_id, Decimal::ZERO, true)?;
            list.order_ids = vec![iw, ia, ib];
            list.working = Some(iw);
            list.pending = vec![ia, ib];
            list.oco = Some((ia, ib));
            let id = self.register_list(list);
            self.start(iw);
            Ok(id)
        })();
        self.end();
        Ok(self.list_report(res?, Vec::new()))
    }

    fn prepare_working(
        &self,
        account: AccountId,
        symbol: &str,
        w: &WorkingLeg,
        stp: Option<StpMode>,
    ) -> Result<Order, Reject> {
        if !self.sym(symbol)?.cfg.oto_allowed {
            return Err(Reject::new(-2010, "Unsupported order combination"));
        }
        if !matches!(w.leg.order_type, OrderType::Limit | OrderType::LimitMaker) {
            return Err(Reject::invalid("workingType"));
        }
        self.validate(account, &leg_request(symbol, w.side, w.quantity, &w.leg, stp), Checks::ALL)
    }

    /// orderList.cancel: by orderListId or listClientOrderId.
    pub fn cancel_order_list(
        &mut self,
        account: AccountId,
        symbol: &str,
        order_list_id: Option<u64>,
        list_client_order_id: Option<&str>,
        new_client_order_id: Option<String>,
        now: u64,
    ) -> Result<ListReport, Reject> {
        self.sym(symbol)?;
        let unknown = || Reject::new(-2011, "Order list does not exist.");
        let id = match (order_list_id, list_client_order_id) {
            (Some(id), _) => id,
            (None, Some(c)) => *self.open_list_client_ids.get(&(account, c.to_string())).ok_or_else(unknown)?,
            (None, None) => return Err(Reject::either("orderListId", "listClientOrderId")),
        };
        match self.lists.get(&id) {
            Some(l)
                if l.account == account && l.symbol == symbol && l.list_order_status != ListOrderStatus::AllDone => {}
            _ => return Err(unknown()),
        }
        self.begin(now);
        let report = self.cancel_list_inner(id, new_client_order_id, None);
        self.end();
        Ok(self.list_report(id, report))
    }

    /// Cancels every open order of a list; returns each order's previous client order id.
    pub(crate) fn cancel_list_inner(
        &mut self,
        list_id: u64,
        new_list_client_id: Option<String>,
        leg_new_id: Option<(u64, String)>,
    ) -> Vec<String> {
        let Some(list) = self.lists.get(&list_id).cloned() else { return Vec::new() };
        let new_list_id = new_list_client_id.unwrap_or_else(|| self.gen_id());
        let mut origs = Vec::new();
        for &oid in &list.order_ids {
            let orig = self.orders[&oid].client_order_id.clone();
            origs.push(orig.clone());
            if !self.orders[&oid].status.is_open() {
                continue;
            }
            let new_id = match &leg_new_id {
                Some((id, n)) if *id == oid => n.clone(),
                _ => new_list_id.clone(),
            };
            self.rename(oid, new_id);
            let x = Exec { orig_client_order_id: orig, ..Exec::default() };
            self.close_order(oid, OrderStatus::Canceled, ExecType::Canceled, None, x);
        }
        self.open_list_client_ids.remove(&(list.account, list.list_client_order_id.clone()));
        if let Some(l) = self.lists.get_mut(&list_id) {
            l.list_client_order_id = new_list_id;
        }
        self.list_queue.insert(list_id);
        self.settle();
        origs
    }

    /// The other leg of an OCO pair.
    pub(crate) fn oco_sibling(&self, id: u64) -> Option<u64> {
        let o = self.orders.get(&id)?;
        if o.order_list_id < 0 {
            return None;
        }
        let (a, b) = self.lists.get(&(o.order_list_id as u64))?.oco?;
        if a == id {
            Some(b)
        } else if b == id {
            Some(a)
        } else {
            None
        }
    }

    /// An OCO leg starts working (first fill or trigger): the other leg expires, handing over the shared lock.
    pub(crate) fn oco_activated(&mut self, id: u64) {
        let Some(s) = self.oco_sibling(id) else { return };
        let sib = &self.orders[&s];
        if !matches!(sib.status, OrderStatus::New | OrderStatus::PartiallyFilled) || !self.orders[&id].status.is_open()
        {
            return;
        }
        let moved = sib.locked;
        if let Some(o) = self.orders.get_mut(&s) {
            o.locked = Decimal::ZERO;
        }
        if let Some(o) = self.orders.get_mut(&id) {
            o.locked += moved;
        }
        self.close_order(s, OrderStatus::Expired, ExecType::Expired, Some(ExpiryReason::OcoTrigger), Exec::default());
    }

    /// Follow-ups of a list after one of its orders changed.
    pub(crate) fn process_list(&mut self, list_id: u64) {
        let Some(l) = self.lists.get(&list_id).cloned() else { return };
        if l.list_order_status == ListOrderStatus::AllDone {
            return;
        }
        if let Some(w) = l.working {
            let ws = self.orders[&w].status;
            let waiting = l.pending.iter().any(|p| self.orders[p].status == OrderStatus::PendingNew);
            if waiting && ws == OrderStatus::Filled {
                self.activate_pending(&l);
            } else if waiting && !ws.is_open() {
                for &p in &l.pending {
                    self.close_order(
                        p,
                        OrderStatus::Expired,
                        ExecType::Expired,
                        Some(ExpiryReason::OtoPhaseOneExpired),
                        Exec::default(),
                    );
                }
            }
        }
        if let Some((a, b)) = l.oco {
            for (x, y) in [(a, b), (b, a)] {
                let (ox, oy) = (&self.orders[&x], &self.orders[&y]);
                let idle = !oy.triggered && oy.executed_qty.is_zero();
                if !ox.status.is_open() && matches!(oy.status, OrderStatus::New | OrderStatus::PartiallyFilled) && idle
                {
                    self.close_order(
                        y,
                        OrderStatus::Expired,
                        ExecType::Expired,
                        Some(ExpiryReason::OcoTrigger),
                        Exec::default(),
                    );
                }
            }
        }
        let done = l.order_ids.iter().all(|o| !self.orders[o].status.is_open());
        if done {
            self.open_list_client_ids.remove(&(l.account, l.list_client_order_id.clone()));
            let now = self.now;
            if let Some(m) = self.lists.get_mut(&list_id) {
                m.list_status_type = ListStatusType::AllDone;
                m.list_order_status = ListOrderStatus::AllDone;
                m.transaction_time = now;
            }
            let st = self.list_status(list_id);
            self.user_out.push((l.account, UserEvent::ListStatus(st)));
        }
    }

    fn activate_pending(&mut self, l: &OrderList) {
        let now = self.now;
        for &p in &l.pending {
            if let Some(o) = self.orders.get_mut(&p) {
                o.status = OrderStatus::New;
                o.update_time = now;
            }
        }
        let first = self.orders[&l.pending[0]].clone();
        let lock = if l.pending.len() == 2 && first.side == Side::Sell {
            Ok(first.orig_qty)
        } else {
            l.pending
                .iter()
                .map(|p| self.initial_lock(&self.orders[p]))
                .try_fold(Decimal::ZERO, |m, x| x.map(|x| m.max(x)))
        };
        let asset = self.spend_asset(&first);
        let locked = lock.and_then(|amount| self.accounts.lock(l.account, &asset, amount).map(|_| amount));
        match locked {
            Ok(amount) => {
                if let Some(o) = self.orders.get_mut(&l.pending[0]) {
                    o.locked = amount;
                }
                for &p in &l.pending {
                    if let Some(o) = self.orders.get_mut(&p) {
                        if !o.order_type.is_conditional() {
                            o.working_time = Some(now);
                        }
                    }
                    self.report(p, ExecType::New, Exec::default());
                }
                for &p in &l.pending {
                    if self.orders[&p].status.is_open() {
                        self.start(p);
                    }
                }
            }
            Err(_) => {
                for &p in &l.pending {
                    let x = Exec { reject_reason: Some(RejectReason::InsufficientBalances), ..Exec::default() };
                    self.close_order(p, OrderStatus::Expired, ExecType::Expired, Some(ExpiryReason::Rejected), x);
                }
            }
        }
    }

    /// A list's current status.
    pub(crate) fn list_status(&self, id: u64) -> ListStatus {
        let l = &self.lists[&id];
        ListStatus {
            symbol: l.symbol.clone(),
            order_list_id: id,
            contingency_type: l.contingency_type,
            list_status_type: l.list_status_type,
            list_order_status: l.list_order_status,
            list_reject_reason: RejectReason::None,
            list_client_order_id: l.list_client_order_id.clone(),
            transaction_time: l.transaction_time,
            orders: l.order_ids.iter().map(|o| self.list_ref(*o)).collect::<Vec<ListOrderRef>>(),
        }
    }

    pub(crate) fn list_report(&self, id: u64, origs: Vec<String>) -> ListReport {
        let orders = self.lists[&id].order_ids.iter().map(|o| self.orders[o].clone()).collect();
        ListReport { status: self.list_status(id), orders, orig_client_order_ids: origs }
    }

    /// orderList.status: by id or listClientOrderId (the latest list that had it).
    pub fn query_order_list(
        &self,
        account: AccountId,
        order_list_id: Option<u64>,
        list_client_order_id: Option<&str>,
    ) -> Result<ListStatus, Reject> {
        let missing = || Reject::new(-2011, "Order list does not exist.");
        let id = match (order_list_id, list_client_order_id) {
            (Some(id), _) => id,
            (None, Some(c)) => {
                *self
                    .lists
                    .iter()
                    .rev()
                    .find(|(_, l)| l.account == account && l.list_client_order_id == c)
                    .ok_or_else(missing)?
                    .0
            }
            (None, None) => return Err(Reject::either("orderListId", "listClientOrderId")),
        };
        match self.lists.get(&id) {
            Some(l) if l.account == account => Ok(self.list_status(id)),
            _ => Err(missing()),
        }
    }

    /// openOrderLists.status.
    pub fn open_order_lists(&self, account: AccountId) -> Vec<ListStatus> {
        self.lists
            .iter()
            .filter(|(_, l)| l.account == account && l.list_order_status != ListOrderStatus::AllDone)
            .map(|(id, _)| self.list_status(*id))
            .collect()
    }

    /// allOrderLists: from an id or a time range (by transaction time).
    pub fn all_order_lists(&self, account: AccountId, q: &HistoryQuery) -> Vec<ListStatus> {
        let limit = q.limit.unwrap_or(500).min(1000) as usize;
        let all: Vec<ListStatus> =
            self.lists.iter().filter(|(_, l)| l.account == account).map(|(id, _)| self.list_status(*id)).collect();
        let v: Vec<ListStatus> = all
            .into_iter()
            .filter(|l| q.from_id.is_none_or(|f| l.order_list_id >= f))
            .filter(|l| q.start_time.is_none_or(|s| l.transaction_time >= s))
            .filter(|l| q.end_time.is_none_or(|e| l.transaction_time <= e))
            .collect();
        if q.from_id.is_some() || q.start_time.is_some() {
            v.into_iter().take(limit).collect()
        } else {
            let skip = v.len().saturating_sub(limit);
            v.into_iter().skip(skip).collect()
        }
    }
}
