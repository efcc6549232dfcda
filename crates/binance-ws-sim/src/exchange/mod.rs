//! The exchange's state: books, matching, accounts, orders.
//!
//! [`Exchange`] is a synchronous, deterministic engine: every method takes the current time in epoch
//! milliseconds, and every change is recorded as market events (trades, depth diffs) and user events
//! (execution reports, balances, list statuses) drained by the callers.

pub mod account;
pub(crate) mod book;
mod cancel;
pub mod config;
pub mod events;
mod lists;
mod matching;
pub mod order;
pub mod query;
mod stp;
mod validate;

pub use account::{Balance, CommissionRates};
pub use config::{ExchangeConfig, SymbolConfig, SymbolFilter};
pub use events::{DepthDiff, DepthSnapshot, ExecutionReport, ListStatus, MarketEvent, Trade, UserEvent};
pub use lists::{ListLeg, ListReport, NewOco, NewOto, NewOtoco, OrderList, WorkingLeg};
pub use order::*;
pub use query::{AccountTrade, Amendment, PreventedMatch};

use account::Accounts;
use book::Book;
use events::{ListOrderRef, PreventionInfo};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The result of placing an order: the order after the operation and its immediate fills.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceResult {
    pub transact_time: u64,
    pub order: Order,
    pub fills: Vec<Fill>,
}

/// The result of cancelling an order: a single order's report, or the whole list's when the order was a leg.
// Results are built once per request and matched by the caller; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum CancelResult {
    /// `origClientOrderId` is the client order id before the cancel; `order.client_order_id` the new one.
    Order { orig_client_order_id: String, order: Order, transact_time: u64 },
    /// The list was cancelled.
    List(ListReport),
}

/// order.cancelReplace parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelReplace {
    pub mode: CancelReplaceMode,
    pub cancel: OrderRef,
    pub cancel_new_client_order_id: Option<String>,
    pub cancel_restrictions: Option<CancelRestriction>,
    /// The new order (its `symbol` is the request's symbol).
    pub new_order: NewOrder,
}

/// What happened to the new order of a cancel-replace.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum NewOrderOutcome {
    NotAttempted,
    Placed(PlaceResult),
    Failed(Reject),
}

/// The outcome of order.cancelReplace.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelReplaceResult {
    pub cancel: Result<CancelResult, Reject>,
    pub new_order: NewOrderOutcome,
}

impl CancelReplaceResult {
    /// None when both succeeded; else -2021 (one failed) or -2022 (both failed, or cancel failed and placement
    /// was not attempted), with the docs' messages. The `data` part is `self`.
    pub fn error(&self) -> Option<Reject> {
        let new_ok = matches!(self.new_order, NewOrderOutcome::Placed(_));
        match (self.cancel.is_ok(), new_ok) {
            (true, true) => None,
            (false, false) => Some(Reject::new(-2022, "Order cancel-replace failed.")),
            _ => Some(Reject::new(-2021, "Order cancel-replace partially failed.")),
        }
    }
    /// The HTTP-like status the docs give: 200, 400 (both failed / not attempted) or 409 (one failed).
    pub fn status(&self) -> u16 {
        match self.error() {
            None => 200,
            Some(e) if e.code == -2022 => 400,
            Some(_) => 409,
        }
    }
}

/// The result of order.amend.keepPriority.
#[derive(Debug, Clone, PartialEq)]
pub struct AmendResult {
    pub transact_time: u64,
    pub execution_id: u64,
    pub orig_client_order_id: String,
    pub amended_order: Order,
    /// Present when the order belongs to a list.
    pub list_status: Option<ListStatus>,
}

pub(crate) struct SymbolState {
    pub cfg: SymbolConfig,
    pub book: Book,
    /// Untriggered conditional orders, by id.
    pub stops: BTreeSet<u64>,
    pub update_id: u64,
    pub next_trade_id: u64,
    pub next_prevented_id: u64,
    pub last_price: Option<Decimal>,
    /// (time, price, qty) of recent trades, for the average price.
    pub recent: std::collections::VecDeque<(u64, Decimal, Decimal)>,
    pub avg_price_override: Option<Decimal>,
    pub prevented: Vec<PreventedMatch>,
}

/// Extra fields of one execution report.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exec {
    pub orig_client_order_id: String,
    pub reject_reason: Option<RejectReason>,
    pub last_qty: Decimal,
    pub last_price: Decimal,
    pub commission: Decimal,
    pub commission_asset: Option<String>,
    pub trade_id: Option<u64>,
    pub is_maker: bool,
    pub prevention: Option<PreventionInfo>,
}

/// The local exchange's matching engine and accounts.
pub struct Exchange {
    pub(crate) symbols: BTreeMap<String, SymbolState>,
    pub(crate) accounts: Accounts,
    pub(crate) default_rates: CommissionRates,
    pub(crate) orders: HashMap<u64, Order>,
    pub(crate) by_account_symbol: HashMap<(AccountId, String), Vec<u64>>,
    pub(crate) open: BTreeMap<AccountId, BTreeSet<u64>>,
    pub(crate) open_client_ids: HashMap<(AccountId, String), u64>,
    pub(crate) lists: BTreeMap<u64, OrderList>,
    pub(crate) open_list_client_ids: HashMap<(AccountId, String), u64>,
    pub(crate) account_trades: HashMap<(AccountId, String), Vec<AccountTrade>>,
    pub(crate) amendments: HashMap<u64, Vec<Amendment>>,
    pub(crate) commissions: BTreeMap<String, Decimal>,
    pub(crate) next_order_id: u64,
    pub(crate) next_list_id: u64,
    pub(crate) next_execution_id: u64,
    pub(crate) id_counter: u64,
    pub(crate) now: u64,
    pub(crate) list_queue: BTreeSet<u64>,
    pub(crate) market_out: Vec<MarketEvent>,
    pub(crate) user_out: Vec<(AccountId, UserEvent)>,
}

pub(crate) fn floor_to(x: Decimal, step: Decimal) -> Decimal {
    if step <= Decimal::ZERO {
        return x;
    }
    ((x / step).floor() * step).normalize()
}

impl Exchange {
    /// A new exchange with the configured symbols and empty books.
    pub fn new(config: ExchangeConfig) -> Self {
        let symbols = config
            .symbols
            .into_iter()
            .map(|cfg| {
                let st = SymbolState {
                    cfg,
                    book: Book::default(),
                    stops: BTreeSet::new(),
                    update_id: 0,
                    next_trade_id: 1,
                    next_prevented_id: 1,
                    last_price: None,
                    recent: Default::default(),
                    avg_price_override: None,
                    prevented: Vec::new(),
                };
                (st.cfg.symbol.clone(), st)
            })
            .collect();
        Exchange {
            symbols,
            accounts: Accounts::default(),
            default_rates: CommissionRates { maker: config.maker_commission, taker: config.taker_commission },
            orders: HashMap::new(),
            by_account_symbol: HashMap::new(),
            open: BTreeMap::new(),
            open_client_ids: HashMap::new(),
            lists: BTreeMap::new(),
            open_list_client_ids: HashMap::new(),
            account_trades: HashMap::new(),
            amendments: HashMap::new(),
            commissions: BTreeMap::new(),
            next_order_id: 1,
            next_list_id: 1,
            next_execution_id: 1,
            id_counter: 0,
            now: 0,
            list_queue: BTreeSet::new(),
            market_out: Vec::new(),
            user_out: Vec::new(),
        }
    }

    // ----- configuration, accounts -----

    /// All symbols' configurations (for exchangeInfo).
    pub fn symbols(&self) -> impl Iterator<Item = &SymbolConfig> {
        self.symbols.values().map(|s| &s.cfg)
    }

    /// One symbol's configuration.
    pub fn symbol(&self, symbol: &str) -> Option<&SymbolConfig> {
        self.symbols.get(symbol).map(|s| &s.cfg)
    }

    /// Opens an account with initial free balances and the default commission rates.
    pub fn add_account<S: Into<String>>(&mut self, balances: impl IntoIterator<Item = (S, Decimal)>) -> AccountId {
        let map = balances.into_iter().map(|(a, f)| (a.into(), Balance { free: f, locked: Decimal::ZERO })).collect();
        self.accounts.add(map, self.default_rates)
    }

    /// Sets an account's maker/taker commission rates.
    pub fn set_commission_rates(&mut self, account: AccountId, rates: CommissionRates) -> Result<(), Reject> {
        self.accounts.get(account)?;
        if let Some(a) = self.accounts.accounts.get_mut(&account) {
            a.rates = rates;
        }
        Ok(())
    }

    /// Adds `delta` (negative: withdraws from free) to an asset; records `balanceUpdate` and `outboundAccountPosition`.
    pub fn adjust_balance(
        &mut self,
        account: AccountId,
        asset: &str,
        delta: Decimal,
        now: u64,
    ) -> Result<Balance, Reject> {
        self.begin(now);
        self.accounts.get(account)?;
        if self.accounts.balance(account, asset).free + delta < Decimal::ZERO {
            return Err(Reject::insufficient());
        }
        self.accounts.credit(account, asset, delta);
        self.user_out.push((
            account,
            UserEvent::BalanceUpdate { event_time: now, asset: asset.to_string(), delta, clear_time: now },
        ));
        self.end();
        Ok(self.accounts.balance(account, asset))
    }

    /// Locks `delta` of `asset` for a system outside spot trading (negative `delta`: releases it), as when
    /// the balance backs margin collateral (user-data-stream.md, "External Lock Update"). Fails, changing
    /// nothing, when free (or, to release, locked) is short. Subscribers get `externalLockUpdate` and
    /// `outboundAccountPosition`.
    pub fn external_lock(
        &mut self,
        account: AccountId,
        asset: &str,
        delta: Decimal,
        now: u64,
    ) -> Result<Balance, Reject> {
        self.begin(now);
        self.accounts.get(account)?;
        if delta >= Decimal::ZERO {
            self.accounts.lock(account, asset, delta)?;
        } else {
            if self.accounts.balance(account, asset).locked < -delta {
                return Err(Reject::insufficient());
            }
            self.accounts.unlock(account, asset, -delta);
        }
        self.user_out.push((
            account,
            UserEvent::ExternalLock { event_time: now, asset: asset.to_string(), delta, transaction_time: now },
        ));
        self.end();
        Ok(self.accounts.balance(account, asset))
    }

    /// An account's balances (every asset it ever held).
    pub fn balances(&self, account: AccountId) -> Result<Vec<(String, Balance)>, Reject> {
        Ok(self.accounts.get(account)?.balances.iter().map(|(a, b)| (a.clone(), *b)).collect())
    }

    /// One asset's balance.
    pub fn balance(&self, account: AccountId, asset: &str) -> Balance {
        self.accounts.balance(account, asset)
    }

    /// The account's commission rates on a symbol.
    pub fn commission_rates(&self, account: AccountId, symbol: &str) -> Result<CommissionRates, Reject> {
        self.sym(symbol)?;
        Ok(self.accounts.get(account)?.rates)
    }

    /// Commissions collected so far, per asset.
    pub fn commissions_collected(&self) -> &BTreeMap<String, Decimal> {
        &self.commissions
    }

    /// Sets (or clears) the average price used by NOTIONAL/PERCENT_PRICE_BY_SIDE; otherwise the exchange
    /// takes the volume-weighted price of its own trades over `avgPriceMins`, else the last price.
    pub fn set_avg_price(&mut self, symbol: &str, price: Option<Decimal>) -> Result<(), Reject> {
        self.symbols.get_mut(symbol).ok_or_else(Reject::bad_symbol)?.avg_price_override = price;
        Ok(())
    }

    /// The average price the filters use at `now` (None when the symbol never traded).
    pub fn avg_price(&self, symbol: &str, now: u64) -> Option<Decimal> {
        let st = self.symbols.get(symbol)?;
        if let Some(p) = st.avg_price_override {
            return Some(p);
        }
        let from = now.saturating_sub(st.cfg.avg_price_mins() as u64 * 60_000);
        let (mut qty, mut quote) = (Decimal::ZERO, Decimal::ZERO);
        for (t, p, q) in st.recent.iter().rev() {
            if *t < from {
                break;
            }
            qty += *q;
            quote += *p * *q;
        }
        if qty > Decimal::ZERO {
            Some((quote / qty).round_dp_with_strategy(st.cfg.quote_precision, RoundingStrategy::MidpointNearestEven))
        } else {
            st.last_price
        }
    }

    /// The last trade price.
    pub fn last_price(&self, symbol: &str) -> Option<Decimal> {
        self.symbols.get(symbol)?.last_price
    }

    // ----- market data -----

    /// The top `limit` levels of each side and the book's last update id.
    pub fn depth(&self, symbol: &str, limit: usize) -> Result<DepthSnapshot, Reject> {
        let st = self.sym(symbol)?;
        Ok(DepthSnapshot {
            last_update_id: st.update_id,
            bids: st.book.levels(Side::Buy, limit),
            asks: st.book.levels(Side::Sell, limit),
        })
    }

    /// order.test: checks a request as order.place would (parameters, filters, trigger and maker rules)
    /// without placing it or changing anything.
    pub fn check_order(&self, account: AccountId, req: &NewOrder) -> Result<(), Reject> {
        self.validate(account, req, validate::Checks::ALL).map(|_| ())
    }

    /// An account's last balance update time (epoch ms; 0 before any).
    pub fn account_update_time(&self, account: AccountId) -> u64 {
        self.accounts.accounts.get(&account).map(|a| a.update_time).unwrap_or(0)
    }

    /// Takes the recorded trades and depth diffs, in order.
    pub fn drain_market_events(&mut self) -> Vec<MarketEvent> {
        std::mem::take(&mut self.market_out)
    }

    /// Takes the recorded user data events, in order.
    pub fn drain_user_events(&mut self) -> Vec<(AccountId, UserEvent)> {
        std::mem::take(&mut self.user_out)
    }

    // ----- internals -----

    pub(crate) fn sym(&self, symbol: &str) -> Result<&SymbolState, Reject> {
        self.symbols.get(symbol).ok_or_else(Reject::bad_symbol)
    }

    pub(crate) fn begin(&mut self, now: u64) {
        self.now = now;
        self.accounts.touched.clear();
    }

    /// Finishes an operation: runs triggers and list follow-ups, records depth diffs and balance events.
    pub(crate) fn end(&mut self) {
        self.settle();
        let now = self.now;
        for st in self.symbols.values_mut() {
            let (bids, asks) = st.book.take_changes();
            if bids.is_empty() && asks.is_empty() {
                continue;
            }
            let first = st.update_id + 1;
            st.update_id += (bids.len() + asks.len()) as u64;
            self.market_out.push(MarketEvent::Depth(DepthDiff {
                symbol: st.cfg.symbol.clone(),
                first_update_id: first,
                final_update_id: st.update_id,
                time_ms: now,
                bids,
                asks,
            }));
        }
        let touched = std::mem::take(&mut self.accounts.touched);
        for (acc, assets) in touched {
            let Some(a) = self.accounts.accounts.get_mut(&acc) else { continue };
            a.update_time = now;
            let balances = assets.iter().map(|s| (s.clone(), a.balances.get(s).copied().unwrap_or_default())).collect();
            self.user_out.push((acc, UserEvent::AccountPosition { event_time: now, last_update_time: now, balances }));
        }
    }

    pub(crate) fn gen_id(&mut self) -> String {
        const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        self.id_counter += 1;
        let mut x = self.id_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B;
        let mut s = String::with_capacity(22);
        for i in 0..22 {
            if i == 11 {
                x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ self.id_counter;
            }
            s.push(ALPHA[(x % 62) as usize] as char);
            x /= 62;
            x = x.rotate_left(7) ^ (i as u64);
        }
        s
    }

    pub(crate) fn assets(&self, symbol: &str) -> (String, String) {
        self.symbols.get(symbol).map(|s| (s.cfg.base_asset.clone(), s.cfg.quote_asset.clone())).unwrap_or_default()
    }

    /// The asset an order spends.
    pub(crate) fn spend_asset(&self, o: &Order) -> String {
        let (b, q) = self.assets(&o.symbol);
        if o.side == Side::Buy {
            q
        } else {
            b
        }
    }

    /// How much an open order must keep locked; None = keep everything (market buys, shared OCO locks with
    /// a market leg).
    pub(crate) fn required_lock(&self, id: u64) -> Option<Decimal> {
        let o = self.orders.get(&id)?;
        let own = Self::own_requirement(o)?;
        match self.oco_sibling(id).and_then(|s| self.orders.get(&s)) {
            Some(s) if s.status.is_open() => Some(own.max(Self::own_requirement(s)?)),
            _ => Some(own),
        }
    }

    fn own_requirement(o: &Order) -> Option<Decimal> {
        if !o.status.is_open() {
            return Some(Decimal::ZERO);
        }
        match o.side {
            Side::Sell if o.orig_quote_order_qty > Decimal::ZERO => None,
            Side::Sell => Some(o.remaining()),
            Side::Buy if o.order_type.is_market_like() => None,
            Side::Buy => Some(o.price * o.remaining()),
        }
    }

    /// Releases whatever an order holds beyond its requirement.
    pub(crate) fn sync_lock(&mut self, id: u64) {
        let Some(req) = self.required_lock(id) else { return };
        let Some(o) = self.orders.get(&id) else { return };
        if o.locked > req {
            let extra = o.locked - req;
            let (acc, asset) = (o.account, self.spend_asset(o));
            self.accounts.unlock(acc, &asset, extra);
            if let Some(o) = self.orders.get_mut(&id) {
                o.locked = req;
            }
        }
    }

    pub(crate) fn report(&mut self, id: u64, exec_type: ExecType, x: Exec) {
        let Some(mut order) = self.orders.get(&id).cloned() else { return };
        // A GTC limit order is on the book from its acceptance (user-data-stream.md's NEW example: LIMIT GTC
        // with "w": true and a working time), although the engine matches it before it rests.
        if exec_type == ExecType::New
            && order.working_time.is_some()
            && order.time_in_force == TimeInForce::Gtc
            && matches!(order.order_type, OrderType::Limit | OrderType::LimitMaker)
        {
            order.is_working = true;
        }
        let execution_id = self.next_execution_id;
        self.next_execution_id += 1;
        let report = ExecutionReport {
            transact_time: self.now,
            exec_type,
            orig_client_order_id: x.orig_client_order_id,
            reject_reason: x.reject_reason.unwrap_or(RejectReason::None),
            last_qty: x.last_qty,
            last_price: x.last_price,
            last_quote_qty: x.last_qty * x.last_price,
            commission: x.commission,
            commission_asset: x.commission_asset,
            trade_id: x.trade_id.map(|t| t as i64).unwrap_or(-1),
            execution_id,
            is_maker: x.is_maker,
            prevention: x.prevention,
            order: order.clone(),
        };
        self.user_out.push((order.account, UserEvent::Execution(Box::new(report))));
    }

    /// Registers a new order (open or pending) in the indexes.
    pub(crate) fn insert_order(&mut self, o: Order) {
        let id = o.order_id;
        self.by_account_symbol.entry((o.account, o.symbol.clone())).or_default().push(id);
        if o.status.is_open() {
            self.open.entry(o.account).or_default().insert(id);
            self.open_client_ids.insert((o.account, o.client_order_id.clone()), id);
        }
        self.orders.insert(id, o);
    }

    /// Ends an order: off the book and trigger list, lock released, indexes updated, report recorded.
    pub(crate) fn close_order(
        &mut self,
        id: u64,
        status: OrderStatus,
        exec_type: ExecType,
        reason: Option<ExpiryReason>,
        x: Exec,
    ) {
        let Some(o) = self.orders.get(&id).cloned() else { return };
        if !o.status.is_open() {
            return;
        }
        if o.is_working {
            let price = o.price;
            if let Some(st) = self.symbols.get_mut(&o.symbol) {
                st.book.remove(o.side, price, id);
            }
        }
        if let Some(st) = self.symbols.get_mut(&o.symbol) {
            st.stops.remove(&id);
        }
        let asset = self.spend_asset(&o);
        self.accounts.unlock(o.account, &asset, o.locked);
        if let Some(set) = self.open.get_mut(&o.account) {
            set.remove(&id);
        }
        if self.open_client_ids.get(&(o.account, o.client_order_id.clone())) == Some(&id) {
            self.open_client_ids.remove(&(o.account, o.client_order_id.clone()));
        }
        let now = self.now;
        if let Some(m) = self.orders.get_mut(&id) {
            m.locked = Decimal::ZERO;
            m.status = status;
            m.is_working = false;
            m.update_time = now;
            if reason.is_some() {
                m.expiry_reason = reason;
            }
            if m.orig_quote_order_qty > Decimal::ZERO && m.orig_qty.is_zero() {
                m.orig_qty = m.executed_qty;
            }
        }
        self.report(id, exec_type, x);
        if o.order_list_id >= 0 {
            self.list_queue.insert(o.order_list_id as u64);
        }
    }

    /// Replaces an open order's client order id (cancel and amend), keeping the index right.
    pub(crate) fn rename(&mut self, id: u64, new_id: String) {
        let Some(o) = self.orders.get_mut(&id) else { return };
        let old = std::mem::replace(&mut o.client_order_id, new_id.clone());
        let acc = o.account;
        let open = o.status.is_open();
        if self.open_client_ids.get(&(acc, old.clone())) == Some(&id) {
            self.open_client_ids.remove(&(acc, old));
        }
        if open {
            self.open_client_ids.insert((acc, new_id), id);
        }
    }

    pub(crate) fn list_ref(&self, id: u64) -> ListOrderRef {
        let o = &self.orders[&id];
        ListOrderRef { symbol: o.symbol.clone(), order_id: id, client_order_id: o.client_order_id.clone() }
    }

    /// Finds an open order of `account` on `symbol`.
    pub(crate) fn find_open(&self, account: AccountId, symbol: &str, r: &OrderRef, code: i64) -> Result<u64, Reject> {
        let unknown = || Reject::new(code, "Unknown order sent.");
        let id = match (&r.order_id, &r.orig_client_order_id) {
            (Some(id), cl) => {
                let o =
                    self.orders.get(id).filter(|o| o.account == account && o.symbol == symbol).ok_or_else(unknown)?;
                if let Some(cl) = cl {
                    if &o.client_order_id != cl {
                        return Err(unknown());
                    }
                }
                *id
            }
            (None, Some(cl)) => *self.open_client_ids.get(&(account, cl.clone())).ok_or_else(unknown)?,
            (None, None) => return Err(Reject::either("orderId", "origClientOrderId")),
        };
        match self.orders.get(&id) {
            Some(o) if o.status.is_open() && o.symbol == symbol => Ok(id),
            _ => Err(unknown()),
        }
    }
}
