//! Checks whole requests (single orders and order lists) and the [`Validator`] a client holds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use super::order::{check_fields, sor};
use super::rules::Adds;
use super::{Context, ExchangeRules, OrderFields, ValidationError, Venue};
use crate::api::spot::{Api, ExchangeInfoRequest, Symbols};
use crate::api::Params;

impl OrderFields {
    /// The per-type rules only (no exchange filters): required, refused and out-of-range parameters.
    /// `ctx` is only used for futures `goodTillDate` (`now_ms`).
    pub fn check(&self, ctx: &Context) -> Result<(), ValidationError> {
        match self.check_all(ctx).into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every refusal of [`OrderFields::check`].
    pub fn check_all(&self, ctx: &Context) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        check_fields(self, ctx, &mut errors);
        errors
    }
}

const ABOVE_TYPES: &[&str] = &["STOP_LOSS_LIMIT", "STOP_LOSS", "LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"];
const BELOW_TYPES: &[&str] = &["STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"];
const WORKING_TYPES: &[&str] = &["LIMIT", "LIMIT_MAKER"];

/// One leg of an order list: prefix, side and quantity params, allowed types (empty: any),
/// whether the leg may be left out, whether its quantity is set by the list.
struct Leg {
    prefix: &'static str,
    side: &'static str,
    quantity: &'static str,
    types: &'static [&'static str],
    optional: bool,
    implied_qty: bool,
}

const fn leg(prefix: &'static str, side: &'static str, quantity: &'static str, types: &'static [&'static str]) -> Leg {
    Leg { prefix, side, quantity, types, optional: false, implied_qty: false }
}

#[derive(Clone, Copy)]
enum ListKind {
    Oco,
    Oto,
    Opo,
}

/// See [`ExchangeRules::check_request`]; with `rules` `None` only the per-type rules apply.
pub(crate) fn check_request(
    rules: Option<&ExchangeRules>,
    method: &str,
    params: &Params,
    ctx: &Context,
) -> Result<(), ValidationError> {
    match check_request_all(rules, method, params, ctx).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every refusal of a request (the first one when its params cannot even be read).
pub(crate) fn check_request_all(
    rules: Option<&ExchangeRules>,
    method: &str,
    params: &Params,
    ctx: &Context,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let result = match method {
        "order.place" | "order.test" | "order.cancelReplace" | "sor.order.place" | "sor.order.test" => {
            single(rules, method, params, ctx, &mut errors)
        }
        "orderList.place.oco" => list(
            rules,
            ListKind::Oco,
            &[leg("above", "side", "quantity", ABOVE_TYPES), leg("below", "side", "quantity", BELOW_TYPES)],
            params,
            ctx,
            &mut errors,
        ),
        "orderList.place.oto" => list(
            rules,
            ListKind::Oto,
            &[
                leg("working", "workingSide", "workingQuantity", WORKING_TYPES),
                leg("pending", "pendingSide", "pendingQuantity", &[]),
            ],
            params,
            ctx,
            &mut errors,
        ),
        "orderList.place.otoco" => list(
            rules,
            ListKind::Oto,
            &[
                leg("working", "workingSide", "workingQuantity", WORKING_TYPES),
                leg("pendingAbove", "pendingSide", "pendingQuantity", ABOVE_TYPES),
                Leg { optional: true, ..leg("pendingBelow", "pendingSide", "pendingQuantity", BELOW_TYPES) },
            ],
            params,
            ctx,
            &mut errors,
        ),
        "orderList.place.opo" => list(
            rules,
            ListKind::Opo,
            &[
                leg("working", "workingSide", "workingQuantity", WORKING_TYPES),
                Leg { implied_qty: true, ..leg("pending", "pendingSide", "pendingQuantity", &[]) },
            ],
            params,
            ctx,
            &mut errors,
        ),
        "orderList.place.opoco" => list(
            rules,
            ListKind::Opo,
            &[
                leg("working", "workingSide", "workingQuantity", WORKING_TYPES),
                Leg { implied_qty: true, ..leg("pendingAbove", "pendingSide", "pendingQuantity", ABOVE_TYPES) },
                Leg {
                    implied_qty: true,
                    optional: true,
                    ..leg("pendingBelow", "pendingSide", "pendingQuantity", BELOW_TYPES)
                },
            ],
            params,
            ctx,
            &mut errors,
        ),
        _ => Ok(()),
    };
    if let Err(e) = result {
        errors.insert(0, e);
    }
    errors
}

fn single(
    rules: Option<&ExchangeRules>,
    method: &str,
    params: &Params,
    ctx: &Context,
    errors: &mut Vec<ValidationError>,
) -> Result<(), ValidationError> {
    let o = OrderFields::from_params(Venue::Spot, params)?;
    check_fields(&o, ctx, errors);
    if method.starts_with("sor.") {
        sor(&o, errors);
    }
    let symbol_rules = rules.and_then(|r| r.get(&o.symbol));
    if method == "order.cancelReplace" {
        if let Some(r) = symbol_rules.filter(|r| !r.cancel_replace_allowed) {
            errors.push(ValidationError::new(
                "symbol",
                Some(&o.symbol),
                format!("does not allow order.cancelReplace (cancelReplaceAllowed is false on {})", r.symbol),
                "order.cancel, then order.place",
            ));
        }
    }
    // order.cancelReplace cancels one order for the one it places: the open counts do not grow.
    let mut adds = Adds::default();
    if method != "order.cancelReplace" {
        adds.order(&o);
    }
    if let Some(rules) = rules {
        rules.check_symbol_and_counts(std::slice::from_ref(&o), adds, ctx, errors);
    }
    Ok(())
}

fn list(
    rules: Option<&ExchangeRules>,
    kind: ListKind,
    legs: &[Leg],
    params: &Params,
    ctx: &Context,
    errors: &mut Vec<ValidationError>,
) -> Result<(), ValidationError> {
    let mut orders = Vec::with_capacity(legs.len());
    for l in legs {
        let type_key = format!("{}Type", l.prefix);
        if l.optional && !params.contains_key(&type_key) {
            continue;
        }
        let mut o = OrderFields::from_leg(params, l.prefix, l.side, l.quantity)?;
        o.quantity_implied = l.implied_qty;
        if !l.types.is_empty() && !l.types.contains(&o.order_type.as_str()) {
            errors.push(ValidationError::new(
                type_key,
                Some(&o.order_type),
                format!("is not supported for the {} order of this list", l.prefix),
                l.types.join(", "),
            ));
        }
        check_fields(&o, ctx, errors);
        orders.push(o);
    }
    let Some(first) = orders.first() else { return Ok(()) };
    let Some(rules) = rules else { return Ok(()) };
    if let Some(r) = rules.get(&first.symbol) {
        let (allowed, name) = match kind {
            ListKind::Oco => (r.oco_allowed, "OCO (ocoAllowed)"),
            ListKind::Oto => (r.oto_allowed, "OTO (otoAllowed)"),
            ListKind::Opo => (r.opo_allowed, "OPO (opoAllowed)"),
        };
        if !allowed {
            errors.push(ValidationError::new(
                "symbol",
                Some(&first.symbol),
                format!("does not allow {name} order lists"),
                "single orders",
            ));
        }
    }
    let mut adds = Adds { order_lists: 1, ..Adds::default() };
    for o in &orders {
        adds.order(o);
    }
    rules.check_symbol_and_counts(&orders, adds, ctx, errors);
    Ok(())
}

/// The checks a client runs before sending: on by default, switchable off, with the exchange's
/// rules once loaded ([`Api::load_rules`]) and optional per-symbol [`Context`].
///
/// Cheap to clone: clones share the rules. Until a symbol's rules are loaded, its orders get the
/// per-type checks only.
#[derive(Clone, Default)]
pub struct Validator {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Which API's rules apply (spot unless built with [`Validator::new`]).
    venue: Venue,
    disabled: AtomicBool,
    rules: RwLock<ExchangeRules>,
    contexts: RwLock<HashMap<String, Context>>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("venue", &self.inner.venue)
            .field("enabled", &self.is_enabled())
            .field("symbols", &self.inner.rules.read().len())
            .finish()
    }
}

impl Validator {
    /// Checks for the requests of `venue`'s API (on, with no symbol rules yet). `Default` is spot.
    pub fn new(venue: Venue) -> Self {
        Validator { inner: Arc::new(Inner { venue, ..Inner::default() }) }
    }

    /// Which API's rules apply.
    pub fn venue(&self) -> Venue {
        self.inner.venue
    }

    /// Whether requests are checked before sending (default: yes).
    pub fn is_enabled(&self) -> bool {
        !self.inner.disabled.load(Ordering::Relaxed)
    }

    /// Switches the checks on or off (off: every request is sent as built).
    pub fn set_enabled(&self, on: bool) {
        self.inner.disabled.store(!on, Ordering::Relaxed);
    }

    /// Replaces the rules.
    pub fn set_rules(&self, rules: ExchangeRules) {
        *self.inner.rules.write() = rules;
    }

    /// Adds or replaces the symbols of an `exchangeInfo` response.
    pub fn update(&self, info: &crate::api::spot::ExchangeInfo) {
        self.inner.rules.write().update(info);
    }

    /// A copy of the current rules.
    pub fn rules(&self) -> ExchangeRules {
        self.inner.rules.read().clone()
    }

    /// Sets what is known about `symbol`'s market and the account's orders on it (average price,
    /// open counts, position); used for every later check of that symbol.
    pub fn set_context(&self, symbol: impl Into<String>, ctx: Context) {
        self.inner.contexts.write().insert(symbol.into(), ctx);
    }

    /// Checks a request; `Ok` when checks are off or the method places no order.
    pub fn check(&self, method: &str, params: &Params) -> crate::Result<()> {
        if !self.is_enabled() {
            return Ok(());
        }
        let mut ctx = params
            .get("symbol")
            .and_then(|s| s.as_str())
            .and_then(|s| self.inner.contexts.read().get(s).cloned())
            .unwrap_or_default();
        let rules = self.inner.rules.read();
        match self.inner.venue {
            Venue::Spot => check_request(Some(&rules), method, params, &ctx).map_err(Into::into),
            venue => {
                // goodTillDate must lie more than 600 s ahead: of the local clock unless the context says.
                ctx.now_ms = ctx.now_ms.or_else(|| Some(crate::api::client_now_ms()));
                super::check_futures_request(Some(&rules), venue, method, params, &ctx).map_err(Into::into)
            }
        }
    }
}

impl Api {
    /// The client-side order checks of this connection (on by default).
    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// Loads the trading rules of `symbols` (one `exchangeInfo` call, weight 20) into
    /// [`Api::validator`], so that orders are also checked against the symbols' filters.
    pub async fn load_rules(&self, symbols: impl Into<Symbols>) -> crate::Result<()> {
        let info = self.send(&ExchangeInfoRequest::new().symbols(symbols)).await?;
        self.validator.update(&info);
        Ok(())
    }

    /// Loads the trading rules of every symbol `exchangeInfo` lists by default.
    pub async fn load_all_rules(&self) -> crate::Result<()> {
        let info = self.send(&ExchangeInfoRequest::new()).await?;
        self.validator.update(&info);
        Ok(())
    }
}
