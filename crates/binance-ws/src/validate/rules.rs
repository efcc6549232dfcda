//! A symbol's trading rules from `exchangeInfo` ([`TradingRules`]), the cache of every symbol's
//! rules ([`ExchangeRules`]) and the filter checks of `filters.md`.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::order::check_fields;
use super::{OrderFields, ValidationError, Venue};
use crate::api::spot::{ExchangeInfo, SymbolInfo};
use crate::api::Params;
use crate::model::{Filter, LotSize, OrderType, PercentPrice, SelfTradePreventionMode, Side, SymbolStatus};

/// What the client knows about the market and the account when it checks an order. Every part is
/// optional: a filter that needs a missing part is skipped (the exchange still applies it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The symbol's reference or average price (`avgPrice`, `referencePrice`): used by
    /// `PERCENT_PRICE`, `PERCENT_PRICE_BY_SIDE` and, for `MARKET` orders, by `MIN_NOTIONAL`/`NOTIONAL`.
    pub avg_price: Option<Decimal>,
    /// The account's open orders on the order's symbol (`MAX_NUM_*` filters).
    pub symbol_open: Option<OpenCounts>,
    /// The account's open orders on the whole exchange (`EXCHANGE_MAX_NUM_*` filters).
    pub exchange_open: Option<OpenCounts>,
    /// The account's position in the base asset (free + locked + open `BUY` quantity), for `MAX_POSITION`.
    pub position: Option<Decimal>,
    /// The current time, epoch ms (futures `goodTillDate`).
    pub now_ms: Option<u64>,
}

impl Context {
    /// An empty context: only rules that need nothing else are checked.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the reference/average price.
    pub fn avg_price(mut self, v: Decimal) -> Self {
        self.avg_price = Some(v);
        self
    }
    /// Sets the open counts on the symbol.
    pub fn symbol_open(mut self, v: OpenCounts) -> Self {
        self.symbol_open = Some(v);
        self
    }
    /// Sets the open counts on the exchange.
    pub fn exchange_open(mut self, v: OpenCounts) -> Self {
        self.exchange_open = Some(v);
        self
    }
    /// Sets the base asset position.
    pub fn position(mut self, v: Decimal) -> Self {
        self.position = Some(v);
        self
    }
    /// Sets the current time.
    pub fn now_ms(mut self, v: u64) -> Self {
        self.now_ms = Some(v);
        self
    }
}

/// Open order counts, for the `MAX_NUM_*` and `EXCHANGE_MAX_NUM_*` filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenCounts {
    /// Open orders (algo orders included).
    pub orders: u32,
    /// Open `STOP_LOSS`, `STOP_LOSS_LIMIT`, `TAKE_PROFIT` and `TAKE_PROFIT_LIMIT` orders.
    pub algo_orders: u32,
    /// Open orders with `icebergQty` > 0.
    pub iceberg_orders: u32,
    /// Open order lists.
    pub order_lists: u32,
}

/// What one request adds to the open counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Adds {
    pub orders: u32,
    pub algo_orders: u32,
    pub iceberg_orders: u32,
    pub order_lists: u32,
}

impl Adds {
    pub(crate) fn order(&mut self, o: &OrderFields) {
        self.orders += 1;
        self.algo_orders += o.is_algo() as u32;
        self.iceberg_orders += o.is_iceberg() as u32;
    }
}

/// One symbol's trading rules: its `exchangeInfo` flags and filters.
///
/// Built from the typed `exchangeInfo` entry ([`TradingRules::from_symbol_info`]) or from filters
/// alone ([`TradingRules::from_filters`], which checks the filters and allows every order type).
#[derive(Debug, Clone, PartialEq)]
pub struct TradingRules {
    /// Symbol name.
    pub symbol: String,
    /// Trading status; new orders only while `TRADING`. `None`: not checked.
    pub status: Option<SymbolStatus>,
    /// Allowed order types. `None`: not checked.
    pub order_types: Option<Vec<OrderType>>,
    /// `icebergAllowed`
    pub iceberg_allowed: bool,
    /// `ocoAllowed`
    pub oco_allowed: bool,
    /// `otoAllowed`
    pub oto_allowed: bool,
    /// `opoAllowed`
    pub opo_allowed: bool,
    /// `quoteOrderQtyMarketAllowed`
    pub quote_order_qty_market_allowed: bool,
    /// `allowTrailingStop`
    pub allow_trailing_stop: bool,
    /// `cancelReplaceAllowed`
    pub cancel_replace_allowed: bool,
    /// `pegInstructionsAllowed`
    pub peg_instructions_allowed: bool,
    /// `allowedSelfTradePreventionModes`; empty: not checked.
    pub allowed_stp_modes: Vec<SelfTradePreventionMode>,
    /// Symbol filters.
    pub filters: Vec<Filter>,
}

impl TradingRules {
    /// The rules of one `exchangeInfo` symbol.
    pub fn from_symbol_info(info: &SymbolInfo) -> Self {
        TradingRules {
            symbol: info.symbol.clone(),
            status: Some(info.status),
            order_types: Some(info.order_types.clone()),
            iceberg_allowed: info.iceberg_allowed,
            oco_allowed: info.oco_allowed,
            oto_allowed: info.oto_allowed,
            opo_allowed: info.opo_allowed,
            quote_order_qty_market_allowed: info.quote_order_qty_market_allowed,
            allow_trailing_stop: info.allow_trailing_stop,
            cancel_replace_allowed: info.cancel_replace_allowed,
            peg_instructions_allowed: info.peg_instructions_allowed,
            allowed_stp_modes: info.allowed_self_trade_prevention_modes.clone(),
            filters: info.filters.clone(),
        }
    }

    /// Rules made of filters only: every order type and feature is allowed, the filters apply.
    pub fn from_filters(symbol: impl Into<String>, filters: Vec<Filter>) -> Self {
        TradingRules {
            symbol: symbol.into(),
            status: None,
            order_types: None,
            iceberg_allowed: true,
            oco_allowed: true,
            oto_allowed: true,
            opo_allowed: true,
            quote_order_qty_market_allowed: true,
            allow_trailing_stop: true,
            cancel_replace_allowed: true,
            peg_instructions_allowed: true,
            allowed_stp_modes: Vec::new(),
            filters,
        }
    }

    /// Checks `order` against its type's rules, this symbol's flags and filters (including the
    /// symbol's `MAX_NUM_*` filters for one more order). Returns the first refusal.
    pub fn check(&self, order: &OrderFields, ctx: &Context) -> Result<(), ValidationError> {
        first(self.check_all(order, ctx))
    }

    /// Every refusal of [`TradingRules::check`], in order.
    pub fn check_all(&self, order: &OrderFields, ctx: &Context) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        check_fields(order, ctx, &mut errors);
        self.check_symbol(order, ctx, &mut errors);
        let mut adds = Adds::default();
        adds.order(order);
        counts(&self.symbol, &self.filters, ctx.symbol_open, adds, false, &mut errors);
        errors
    }

    /// The symbol's flags and per-order filters (not the count filters).
    pub(crate) fn check_symbol(&self, o: &OrderFields, ctx: &Context, errors: &mut Vec<ValidationError>) {
        let mut e = Errs { o, errors };
        if o.symbol != self.symbol {
            e.push(
                "symbol",
                Some(&o.symbol),
                format!("does not match the rules' symbol {}", self.symbol),
                self.symbol.clone(),
            );
            return;
        }
        if let Some(status) = self.status {
            if status != SymbolStatus::Trading {
                e.push(
                    "symbol",
                    Some(&o.symbol),
                    format!("is not trading (status {status})"),
                    "a symbol with status TRADING",
                );
            }
        }
        if let Some(types) = &self.order_types {
            if o.venue == Venue::Spot && !types.iter().any(|t| t.as_str() == o.order_type) {
                let list: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
                e.push("type", Some(&o.order_type), format!("is not supported on {}", self.symbol), list.join(", "));
            }
        }
        let flag =
            |on: bool, what: &str| (!on).then(|| format!("is not allowed: {what} are not enabled on {}", self.symbol));
        if let Some(iq) = o.iceberg_qty.filter(|_| o.is_iceberg()) {
            if let Some(rule) = flag(self.iceberg_allowed, "iceberg orders") {
                e.push("icebergQty", Some(iq), rule, "no icebergQty");
            }
        }
        if let Some(q) = o.quote_order_qty {
            if let Some(rule) = flag(self.quote_order_qty_market_allowed, "MARKET orders by quoteOrderQty") {
                e.push("quoteOrderQty", Some(q), rule, "quantity instead");
            }
        }
        if let Some(d) = o.trailing_delta {
            if let Some(rule) = flag(self.allow_trailing_stop, "trailing stops") {
                e.push("trailingDelta", Some(d), rule, "stopPrice instead");
            }
        }
        if let Some(p) = &o.peg_price_type {
            if let Some(rule) = flag(self.peg_instructions_allowed, "pegged orders") {
                e.push("pegPriceType", Some(p), rule, "an explicit price");
            }
        }
        if let Some(m) = &o.self_trade_prevention_mode {
            if !self.allowed_stp_modes.is_empty() && !self.allowed_stp_modes.iter().any(|a| a.as_str() == m) {
                let list: Vec<&str> = self.allowed_stp_modes.iter().map(|a| a.as_str()).collect();
                e.push(
                    "selfTradePreventionMode",
                    Some(m),
                    format!("is not allowed on {}", self.symbol),
                    list.join(", "),
                );
            }
        }
        for f in &self.filters {
            filter(f, &mut e, ctx);
        }
    }

    /// The filter of a type, if the symbol has one.
    pub fn filter(&self, filter_type: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.filter_type() == filter_type)
    }
}

/// Every symbol's [`TradingRules`] and the exchange filters, filled from `exchangeInfo`.
///
/// Orders on a symbol with no rules here get the per-type checks only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExchangeRules {
    symbols: HashMap<String, TradingRules>,
    /// Exchange filters (`EXCHANGE_MAX_NUM_*`).
    pub exchange_filters: Vec<Filter>,
}

impl ExchangeRules {
    /// No rules yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rules of every symbol of an `exchangeInfo` response.
    pub fn from_exchange_info(info: &ExchangeInfo) -> Self {
        let mut r = Self::new();
        r.update(info);
        r
    }

    /// Adds or replaces the symbols of `info` and takes its exchange filters.
    pub fn update(&mut self, info: &ExchangeInfo) {
        for s in &info.symbols {
            self.insert(TradingRules::from_symbol_info(s));
        }
        self.exchange_filters = info.exchange_filters.clone();
    }

    /// Adds or replaces one symbol's rules.
    pub fn insert(&mut self, rules: TradingRules) {
        self.symbols.insert(rules.symbol.clone(), rules);
    }

    /// One symbol's rules.
    pub fn get(&self, symbol: &str) -> Option<&TradingRules> {
        self.symbols.get(symbol)
    }

    /// How many symbols have rules.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether no symbol has rules.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Checks one order (per-type rules, then its symbol's rules when known, then the count filters).
    pub fn check_order(&self, order: &OrderFields, ctx: &Context) -> Result<(), ValidationError> {
        first(self.check_order_all(order, ctx))
    }

    /// Every refusal of [`ExchangeRules::check_order`].
    pub fn check_order_all(&self, order: &OrderFields, ctx: &Context) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        check_fields(order, ctx, &mut errors);
        let mut adds = Adds::default();
        adds.order(order);
        self.check_symbol_and_counts(std::slice::from_ref(order), adds, ctx, &mut errors);
        errors
    }

    /// Checks the params of a Spot API request before it is sent: `order.place`, `order.test`,
    /// `order.cancelReplace`, `sor.order.place`, `sor.order.test` and `orderList.place.*` (the
    /// new forms). Other methods pass unchecked.
    pub fn check_request(&self, method: &str, params: &Params, ctx: &Context) -> Result<(), ValidationError> {
        super::request::check_request(Some(self), method, params, ctx)
    }

    pub(crate) fn check_symbol_and_counts(
        &self,
        orders: &[OrderFields],
        adds: Adds,
        ctx: &Context,
        errors: &mut Vec<ValidationError>,
    ) {
        let Some(first) = orders.first() else { return };
        if let Some(rules) = self.get(&first.symbol) {
            for o in orders {
                rules.check_symbol(o, ctx, errors);
            }
            counts(&rules.symbol, &rules.filters, ctx.symbol_open, adds, false, errors);
        }
        counts(&first.symbol, &self.exchange_filters, ctx.exchange_open, adds, true, errors);
    }
}

fn first(errors: Vec<ValidationError>) -> Result<(), ValidationError> {
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Errs<'a, 'b> {
    o: &'a OrderFields,
    errors: &'b mut Vec<ValidationError>,
}

impl Errs<'_, '_> {
    fn push(&mut self, name: &str, value: Option<impl ToString>, rule: impl Into<String>, accepted: impl Into<String>) {
        self.errors.push(ValidationError::new(self.o.key(name), value, rule, accepted));
    }
}

/// A decimal without trailing zeros (`0.01000000` -> `0.01`).
pub(crate) fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// "a to b", "at least a", "at most b" or "any" for a range whose zero ends are disabled.
fn range(min: Decimal, max: Decimal, zero_disables: bool) -> String {
    let has_min = !(zero_disables && min.is_zero());
    let has_max = !(zero_disables && max.is_zero());
    match (has_min, has_max) {
        (true, true) => format!("{} to {}", n(min), n(max)),
        (true, false) => format!("at least {}", n(min)),
        (false, true) => format!("at most {}", n(max)),
        (false, false) => "any value".into(),
    }
}

/// The multiples of `step` nearest to `v`, within `[min, max]` where those are enabled.
fn nearest(v: Decimal, step: Decimal, min: Option<Decimal>, max: Option<Decimal>) -> String {
    let scale = step.normalize().scale();
    let rem = v.checked_rem(step).unwrap_or_default();
    let lower = v - rem;
    let upper = lower + step;
    let fmt = |mut d: Decimal| {
        d.rescale(scale);
        d.to_string()
    };
    let ok = |d: Decimal| d > Decimal::ZERO && min.is_none_or(|m| d >= m) && max.is_none_or(|m| d <= m);
    match (ok(lower), ok(upper)) {
        (true, true) => format!("{} or {} (nearest multiples)", fmt(lower), fmt(upper)),
        (true, false) => format!("{} (nearest multiple)", fmt(lower)),
        (false, true) => format!("{} (nearest multiple)", fmt(upper)),
        (false, false) => format!("a multiple of {}", n(step)),
    }
}

/// `PRICE_FILTER`/`LOT_SIZE`/`MARKET_LOT_SIZE`-style checks of one value.
#[allow(clippy::too_many_arguments)]
fn min_max_step(
    e: &mut Errs<'_, '_>,
    name: &str,
    v: Decimal,
    (min, max, step): (Decimal, Decimal, Decimal),
    (min_name, max_name, step_name): (&str, &str, &str),
    filter: &str,
    zero_disables: bool,
) {
    let min_on = !(zero_disables && min.is_zero());
    let max_on = !(zero_disables && max.is_zero());
    if min_on && v < min {
        e.push(name, Some(v), format!("is below {min_name} {} ({filter})", n(min)), range(min, max, zero_disables));
    } else if max_on && v > max {
        e.push(name, Some(v), format!("is above {max_name} {} ({filter})", n(max)), range(min, max, zero_disables));
    } else if !step.is_zero() && !v.checked_rem(step).unwrap_or_default().is_zero() {
        let accepted = nearest(v, step, min_on.then_some(min), max_on.then_some(max));
        e.push(name, Some(v), format!("is not a multiple of {step_name} {} ({filter})", n(step)), accepted);
    }
}

fn lot(e: &mut Errs<'_, '_>, name: &str, v: Decimal, l: &LotSize, filter: &str) {
    min_max_step(e, name, v, (l.min_qty, l.max_qty, l.step_size), ("minQty", "maxQty", "stepSize"), filter, false);
}

/// The notional of an order for `MIN_NOTIONAL`/`NOTIONAL`, and whether it is a `MARKET` order.
/// `None` when it cannot be known here.
fn notional(o: &OrderFields, ctx: &Context) -> Option<(Decimal, bool)> {
    match o.order_type.as_str() {
        "MARKET" => match (o.quantity, o.quote_order_qty) {
            (_, Some(quote)) => Some((quote, true)),
            (Some(q), None) => ctx.avg_price.and_then(|p| p.checked_mul(q)).map(|v| (v, true)),
            _ => None,
        },
        "LIMIT" | "LIMIT_MAKER" | "STOP_LOSS_LIMIT" | "TAKE_PROFIT_LIMIT" => {
            o.price.zip(o.quantity).and_then(|(p, q)| p.checked_mul(q)).map(|v| (v, false))
        }
        // Futures STOP and TAKE_PROFIT are limit orders once triggered.
        "STOP" | "TAKE_PROFIT" if o.venue != Venue::Spot => {
            o.price.zip(o.quantity).and_then(|(p, q)| p.checked_mul(q)).map(|v| (v, false))
        }
        _ => None,
    }
}

fn filter(f: &Filter, e: &mut Errs<'_, '_>, ctx: &Context) {
    let o = e.o;
    match f {
        Filter::PriceFilter(p) => {
            // A futures trailing stop's activationPrice is a price like the others (-4135 otherwise).
            for (name, v) in [("price", o.price), ("stopPrice", o.stop_price), ("activationPrice", o.activation_price)]
            {
                if let Some(v) = v {
                    let names = ("minPrice", "maxPrice", "tickSize");
                    min_max_step(e, name, v, (p.min_price, p.max_price, p.tick_size), names, "PRICE_FILTER", true);
                }
            }
        }
        Filter::PercentPrice(p) => {
            if let (Some(price), Some(avg)) = (o.price, ctx.avg_price) {
                if o.venue == Venue::Spot {
                    let names = ("multiplierDown", "multiplierUp");
                    percent(e, price, avg, p.multiplier_down, p.multiplier_up, names, "PERCENT_PRICE");
                } else {
                    percent_of_mark(e, price, avg, p);
                }
            }
        }
        Filter::PercentPriceBySide(p) => {
            if let (Some(price), Some(avg)) = (o.price, ctx.avg_price) {
                let (down, up, names) = match o.side {
                    Side::Buy => (p.bid_multiplier_down, p.bid_multiplier_up, ("bidMultiplierDown", "bidMultiplierUp")),
                    Side::Sell => {
                        (p.ask_multiplier_down, p.ask_multiplier_up, ("askMultiplierDown", "askMultiplierUp"))
                    }
                };
                percent(e, price, avg, down, up, names, "PERCENT_PRICE_BY_SIDE");
            }
        }
        Filter::LotSize(l) => {
            if let Some(q) = o.quantity {
                lot(e, "quantity", q, l, "LOT_SIZE");
            }
            if let Some(iq) = o.iceberg_qty.filter(|_| o.is_iceberg()) {
                lot(e, "icebergQty", iq, l, "LOT_SIZE");
            }
        }
        Filter::MarketLotSize(l) => {
            // Futures orders that execute at market once triggered are held to it as well.
            let market = match o.order_type.as_str() {
                "MARKET" => true,
                "STOP_MARKET" | "TAKE_PROFIT_MARKET" | "TRAILING_STOP_MARKET" => o.venue != Venue::Spot,
                _ => false,
            };
            if let (Some(q), true) = (o.quantity, market) {
                lot(e, "quantity", q, l, "MARKET_LOT_SIZE");
            }
        }
        // Futures orders that only reduce a position are exempt ("unless you choose reduce only").
        Filter::MinNotional(_)
            if o.venue != Venue::Spot && (o.reduce_only == Some(true) || o.close_position == Some(true)) => {}
        Filter::MinNotional(m) => {
            if let Some((value, market)) = notional(o, ctx) {
                if (!market || m.apply_to_market) && value < m.min_notional {
                    notional_refusal(
                        e,
                        value,
                        market,
                        format!("is below minNotional {} (MIN_NOTIONAL)", n(m.min_notional)),
                        format!("price x quantity of at least {}", n(m.min_notional)),
                    );
                }
            }
        }
        Filter::Notional(m) => {
            if let Some((value, market)) = notional(o, ctx) {
                let accepted = format!("price x quantity from {} to {}", n(m.min_notional), n(m.max_notional));
                if (!market || m.apply_min_to_market) && value < m.min_notional {
                    notional_refusal(
                        e,
                        value,
                        market,
                        format!("is below minNotional {} (NOTIONAL)", n(m.min_notional)),
                        accepted,
                    );
                } else if (!market || m.apply_max_to_market) && value > m.max_notional {
                    notional_refusal(
                        e,
                        value,
                        market,
                        format!("is above maxNotional {} (NOTIONAL)", n(m.max_notional)),
                        accepted,
                    );
                }
            }
        }
        Filter::IcebergParts(p) => {
            if let (Some(q), Some(iq)) = (o.quantity, o.iceberg_qty.filter(|_| o.is_iceberg())) {
                if let Some(ratio) = q.checked_div(iq) {
                    let parts = ratio.ceil();
                    if parts > Decimal::from(p.limit) {
                        let least = q.checked_div(Decimal::from(p.limit.max(1))).unwrap_or(q);
                        e.push(
                            "icebergQty",
                            Some(iq),
                            format!(
                                "splits quantity {q} into {} parts, more than limit {} (ICEBERG_PARTS)",
                                parts.normalize(),
                                p.limit
                            ),
                            format!(
                                "icebergQty of at least {} (at most {} parts)",
                                n(least.round_sf(12).unwrap_or(least)),
                                p.limit
                            ),
                        );
                    }
                }
            }
        }
        Filter::TrailingDelta(t) => {
            if let Some(d) = o.trailing_delta {
                let above = matches!(
                    (o.order_type.as_str(), o.side),
                    ("STOP_LOSS" | "STOP_LOSS_LIMIT", Side::Buy) | ("TAKE_PROFIT" | "TAKE_PROFIT_LIMIT", Side::Sell)
                );
                let (min, max, names) = if above {
                    (
                        t.min_trailing_above_delta,
                        t.max_trailing_above_delta,
                        ("minTrailingAboveDelta", "maxTrailingAboveDelta"),
                    )
                } else {
                    (
                        t.min_trailing_below_delta,
                        t.max_trailing_below_delta,
                        ("minTrailingBelowDelta", "maxTrailingBelowDelta"),
                    )
                };
                let (min_d, max_d) = (Decimal::from(min), Decimal::from(max));
                let accepted = format!("{min} to {max} basis points for {} {} orders", o.order_type, o.side);
                if d < min_d {
                    e.push("trailingDelta", Some(d), format!("is below {} {min} (TRAILING_DELTA)", names.0), accepted);
                } else if d > max_d {
                    e.push("trailingDelta", Some(d), format!("is above {} {max} (TRAILING_DELTA)", names.1), accepted);
                }
            }
        }
        Filter::MaxPosition(m) => {
            if let (Side::Buy, Some(q), Some(pos)) = (o.side, o.quantity, ctx.position) {
                let after = pos + q;
                if after > m.max_position {
                    let room = (m.max_position - pos).max(Decimal::ZERO);
                    e.push(
                        "quantity",
                        Some(q),
                        format!(
                            "would bring the position from {} to {} above maxPosition {} (MAX_POSITION)",
                            n(pos),
                            n(after),
                            n(m.max_position)
                        ),
                        format!("a BUY quantity of at most {}", n(room)),
                    );
                }
            }
        }
        _ => {}
    }
}

fn percent(
    e: &mut Errs<'_, '_>,
    price: Decimal,
    avg: Decimal,
    down: Decimal,
    up: Decimal,
    names: (&str, &str),
    filter: &str,
) {
    let (lo, hi) = (avg * down, avg * up);
    let accepted = format!("{} to {} (average price {} x {} .. x {})", n(lo), n(hi), n(avg), n(down), n(up));
    if price > hi {
        e.push(
            "price",
            Some(price),
            format!("is above {} {} x average price {} = {} ({filter})", names.1, n(up), n(avg), n(hi)),
            accepted,
        );
    } else if price < lo {
        e.push(
            "price",
            Some(price),
            format!("is below {} {} x average price {} = {} ({filter})", names.0, n(down), n(avg), n(lo)),
            accepted,
        );
    }
}

/// Futures `PERCENT_PRICE`: a BUY may not be above mark x multiplierUp, a SELL not below mark x multiplierDown
/// (the mark price is the context's `avg_price`).
fn percent_of_mark(e: &mut Errs<'_, '_>, price: Decimal, mark: Decimal, p: &PercentPrice) {
    let side = e.o.side;
    let (bound, name, m) = match side {
        Side::Buy => (mark * p.multiplier_up, "multiplierUp", p.multiplier_up),
        Side::Sell => (mark * p.multiplier_down, "multiplierDown", p.multiplier_down),
    };
    let (wrong, how, accepted) = match side {
        Side::Buy => (price > bound, "above", format!("a BUY price of at most {}", n(bound))),
        Side::Sell => (price < bound, "below", format!("a SELL price of at least {}", n(bound))),
    };
    if wrong {
        let rule = format!("is {how} {name} {} x mark price {} = {} (PERCENT_PRICE)", n(m), n(mark), n(bound));
        e.push("price", Some(price), rule, accepted);
    }
}

fn notional_refusal(e: &mut Errs<'_, '_>, value: Decimal, market: bool, rule: String, accepted: String) {
    let o = e.o;
    if let Some(q) = o.quote_order_qty.filter(|_| market) {
        e.push("quoteOrderQty", Some(q), rule, accepted);
    } else {
        let how = if market { "x average price" } else { "x price" };
        let q = o.quantity.unwrap_or_default();
        e.push("quantity", Some(q), format!("{how} = notional {} {rule}", n(value)), accepted);
    }
}

/// The `MAX_NUM_*` (symbol) or `EXCHANGE_MAX_NUM_*` (exchange) filters for a request adding `adds`.
pub(crate) fn counts(
    symbol: &str,
    filters: &[Filter],
    open: Option<OpenCounts>,
    adds: Adds,
    exchange: bool,
    errors: &mut Vec<ValidationError>,
) {
    let Some(open) = open else { return };
    let scope = if exchange { "on the exchange".to_owned() } else { format!("on {symbol}") };
    let mut check = |what: &str, have: u32, add: u32, max: u32, filter: &str| {
        if add > 0 && have.saturating_add(add) > max {
            errors.push(ValidationError::new(
                what,
                Some(have),
                format!("open {scope} plus {add} new would exceed {max} ({filter})"),
                format!("at most {} open before this request; wait for fills or cancel some", max.saturating_sub(add)),
            ));
        }
    };
    for f in filters {
        match (f, exchange) {
            (Filter::MaxNumOrders(m), false) => {
                check("openOrders", open.orders, adds.orders, m.max_num_orders, "MAX_NUM_ORDERS")
            }
            (Filter::MaxNumAlgoOrders(m), false) => check(
                "openAlgoOrders",
                open.algo_orders,
                adds.algo_orders,
                m.max_num_algo_orders,
                "MAX_NUM_ALGO_ORDERS",
            ),
            (Filter::MaxNumIcebergOrders(m), false) => check(
                "openIcebergOrders",
                open.iceberg_orders,
                adds.iceberg_orders,
                m.max_num_iceberg_orders,
                "MAX_NUM_ICEBERG_ORDERS",
            ),
            (Filter::MaxNumOrderLists(m), false) => check(
                "openOrderLists",
                open.order_lists,
                adds.order_lists,
                m.max_num_order_lists,
                "MAX_NUM_ORDER_LISTS",
            ),
            (Filter::ExchangeMaxNumOrders(m), true) => {
                check("openOrders", open.orders, adds.orders, m.max_num_orders, "EXCHANGE_MAX_NUM_ORDERS")
            }
            (Filter::ExchangeMaxNumAlgoOrders(m), true) => check(
                "openAlgoOrders",
                open.algo_orders,
                adds.algo_orders,
                m.max_num_algo_orders,
                "EXCHANGE_MAX_NUM_ALGO_ORDERS",
            ),
            (Filter::ExchangeMaxNumIcebergOrders(m), true) => check(
                "openIcebergOrders",
                open.iceberg_orders,
                adds.iceberg_orders,
                m.max_num_iceberg_orders,
                "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
            ),
            (Filter::ExchangeMaxNumOrderLists(m), true) => check(
                "openOrderLists",
                open.order_lists,
                adds.order_lists,
                m.max_num_order_lists,
                "EXCHANGE_MAX_NUM_ORDER_LISTS",
            ),
            _ => {}
        }
    }
}
