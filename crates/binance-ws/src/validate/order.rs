//! Per-order-type rules: which parameters each type needs, which it refuses, and value ranges.
//! Spot rules come from `web-socket-api.md` ("Place new order", order lists, SOR); futures rules
//! from the USDⓈ-M and COIN-M "New Order" pages.

use rust_decimal::Decimal;

use super::{Context, OrderFields, ValidationError, Venue};
use crate::model::Side;

const SPOT_TYPES: &str = "LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT or TAKE_PROFIT_LIMIT";
const FUTURES_TYPES: &str = "LIMIT, MARKET, STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET or TRAILING_STOP_MARKET";
const STP_MODES: [&str; 6] = ["NONE", "EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"];
const PRICE_MATCH: [&str; 8] =
    ["OPPONENT", "OPPONENT_5", "OPPONENT_10", "OPPONENT_20", "QUEUE", "QUEUE_5", "QUEUE_10", "QUEUE_20"];
/// `strategyType` values below this are reserved.
pub const MIN_STRATEGY_TYPE: i64 = 1_000_000;
/// Largest `pegOffsetValue`.
pub const MAX_PEG_OFFSET_VALUE: i64 = 100;
/// Largest `recvWindow`, in milliseconds.
pub const MAX_RECV_WINDOW_MS: u32 = 60_000;
/// `goodTillDate` must be below this (epoch ms).
pub const MAX_GOOD_TILL_DATE: i64 = 253_402_300_799_000;

/// Refusal helpers bound to one order (they name fields with the order's prefix).
pub(crate) struct Check<'a> {
    pub o: &'a OrderFields,
    pub errors: &'a mut Vec<ValidationError>,
}

impl Check<'_> {
    fn refuse(
        &mut self,
        name: &str,
        value: Option<impl ToString>,
        rule: impl Into<String>,
        accepted: impl Into<String>,
    ) {
        let field = self.o.key(name);
        self.errors.push(ValidationError::new(field, value, rule, accepted));
    }
    fn missing(&mut self, name: &str, accepted: impl Into<String>) {
        let rule = format!("is mandatory for {} orders", self.o.order_type);
        let field = self.o.key(name);
        self.errors.push(ValidationError::missing(field, rule, accepted));
    }
    fn not_used(&mut self, name: &str, value: Option<impl ToString>, used_with: &str) {
        let rule = format!("is not used by {} orders (only with {used_with})", self.o.order_type);
        self.refuse(name, value, rule, "leave it out");
    }
    fn positive(&mut self, name: &str, value: Option<Decimal>) {
        if let Some(v) = value {
            if v <= Decimal::ZERO {
                self.refuse(name, Some(v), "must be above zero", "a positive decimal");
            }
        }
    }
}

/// The per-type rules of `o`, appended to `errors`.
pub(crate) fn check_fields(o: &OrderFields, ctx: &Context, errors: &mut Vec<ValidationError>) {
    let mut c = Check { o, errors };
    match o.venue {
        Venue::Spot => spot(&mut c),
        Venue::UsdM | Venue::CoinM => futures(&mut c, ctx),
    }
}

fn spot(c: &mut Check<'_>) {
    let o = c.o;
    let t = o.order_type.as_str();
    let (needs_tif, needs_price, is_stop) = match t {
        "LIMIT" => (true, true, false),
        "LIMIT_MAKER" => (false, true, false),
        "MARKET" => (false, false, false),
        "STOP_LOSS" | "TAKE_PROFIT" => (false, false, true),
        "STOP_LOSS_LIMIT" | "TAKE_PROFIT_LIMIT" => (true, true, true),
        _ => {
            c.refuse("type", Some(t), "is not a spot order type", SPOT_TYPES);
            return;
        }
    };
    let limit_types = "LIMIT, STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT";
    match &o.time_in_force {
        None if needs_tif => c.missing("timeInForce", "GTC, IOC or FOK"),
        Some(tif) if !needs_tif => c.not_used("timeInForce", Some(tif), limit_types),
        Some(tif) if !matches!(tif.as_str(), "GTC" | "IOC" | "FOK") => {
            c.refuse("timeInForce", Some(tif), "is not a time in force", "GTC, IOC or FOK")
        }
        _ => {}
    }
    // price: mandatory for limit types unless the order is pegged.
    match o.price {
        None if needs_price && o.peg_price_type.is_none() => {
            c.missing("price", "a price (or pegPriceType for a pegged order)")
        }
        Some(p) if !needs_price => {
            c.not_used("price", Some(p), "LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT")
        }
        _ => {}
    }
    // quantity / quoteOrderQty
    if t == "MARKET" {
        match (o.quantity, o.quote_order_qty) {
            (Some(_), Some(q)) => c.refuse(
                "quoteOrderQty",
                Some(q),
                "cannot be sent together with quantity in a MARKET order",
                "either quantity (base asset) or quoteOrderQty (quote asset)",
            ),
            (None, None) if !o.quantity_implied => {
                c.missing("quantity", "quantity (base asset) or quoteOrderQty (quote asset)")
            }
            _ => {}
        }
    } else {
        if o.quantity.is_none() && !o.quantity_implied {
            c.missing("quantity", "a base asset quantity");
        }
        if let Some(q) = o.quote_order_qty {
            c.not_used("quoteOrderQty", Some(q), "MARKET");
        }
    }
    // stopPrice / trailingDelta
    if is_stop {
        if o.stop_price.is_none() && o.trailing_delta.is_none() {
            c.missing("stopPrice", "stopPrice, trailingDelta, or both");
        }
    } else {
        let stop_types = "STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT or TAKE_PROFIT_LIMIT";
        if let Some(v) = o.stop_price {
            c.not_used("stopPrice", Some(v), stop_types);
        }
        if let Some(v) = o.trailing_delta {
            c.not_used("trailingDelta", Some(v), stop_types);
        }
    }
    if let Some(d) = o.trailing_delta {
        if d.fract() != Decimal::ZERO || d <= Decimal::ZERO {
            c.refuse(
                "trailingDelta",
                Some(d),
                "must be a positive whole number of basis points",
                "1 or more basis points (100 = 1%)",
            );
        }
    }
    // icebergQty: limit-style orders, GTC unless LIMIT_MAKER, below the quantity.
    if let Some(iq) = o.iceberg_qty {
        if !needs_price {
            c.not_used("icebergQty", Some(iq), "LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT");
        } else if t != "LIMIT_MAKER" && o.time_in_force.as_deref().is_some_and(|tif| tif != "GTC") {
            let tif = o.time_in_force.clone().unwrap_or_default();
            c.refuse(
                "icebergQty",
                Some(iq),
                format!("needs timeInForce GTC, but it is {tif}"),
                "timeInForce GTC, or no icebergQty",
            );
        }
        if let Some(q) = o.quantity {
            if iq >= q {
                c.refuse(
                    "icebergQty",
                    Some(iq),
                    format!("must be less than the order quantity {q}"),
                    format!("below {q}"),
                );
            }
        }
    }
    for (name, v) in [
        ("quantity", o.quantity),
        ("quoteOrderQty", o.quote_order_qty),
        ("price", o.price),
        ("stopPrice", o.stop_price),
        ("icebergQty", o.iceberg_qty),
    ] {
        c.positive(name, v);
    }
    if let Some(s) = o.strategy_type {
        if s < MIN_STRATEGY_TYPE {
            c.refuse(
                "strategyType",
                Some(s),
                format!("is reserved: values below {MIN_STRATEGY_TYPE} cannot be used"),
                format!("{MIN_STRATEGY_TYPE} or more"),
            );
        }
    }
    if let Some(m) = &o.self_trade_prevention_mode {
        if !STP_MODES.contains(&m.as_str()) {
            c.refuse("selfTradePreventionMode", Some(m), "is not an STP mode", STP_MODES.join(", "));
        }
    }
    peg(c, needs_price);
}

/// Pegged order parameters (spot).
fn peg(c: &mut Check<'_>, limit_style: bool) {
    let o = c.o;
    let peg_types = "LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT";
    if let Some(p) = &o.peg_price_type {
        if !limit_style {
            c.not_used("pegPriceType", Some(p), peg_types);
        } else if !matches!(p.as_str(), "PRIMARY_PEG" | "MARKET_PEG") {
            c.refuse("pegPriceType", Some(p), "is not a peg price type", "PRIMARY_PEG or MARKET_PEG");
        } else if p == "MARKET_PEG" && o.order_type == "LIMIT_MAKER" {
            c.refuse("pegPriceType", Some(p), "cannot be used with LIMIT_MAKER orders", "PRIMARY_PEG");
        }
    }
    match (&o.peg_offset_type, o.peg_offset_value) {
        (Some(t), None) => {
            c.refuse("pegOffsetType", Some(t), "must be sent together with pegOffsetValue", "both or neither")
        }
        (None, Some(v)) => {
            c.refuse("pegOffsetValue", Some(v), "must be sent together with pegOffsetType", "both or neither")
        }
        _ => {}
    }
    if let Some(t) = &o.peg_offset_type {
        if !limit_style {
            c.not_used("pegOffsetType", Some(t), peg_types);
        } else if t != "PRICE_LEVEL" {
            c.refuse("pegOffsetType", Some(t), "is not supported", "PRICE_LEVEL");
        }
    }
    if let Some(v) = o.peg_offset_value {
        if !(0..=MAX_PEG_OFFSET_VALUE).contains(&v) {
            c.refuse("pegOffsetValue", Some(v), "is out of range", format!("0 to {MAX_PEG_OFFSET_VALUE} price levels"));
        }
    }
}

/// Extra limits of `sor.order.place`/`sor.order.test`: `LIMIT` and `MARKET` only, no `quoteOrderQty`.
pub(crate) fn sor(o: &OrderFields, errors: &mut Vec<ValidationError>) {
    let mut c = Check { o, errors };
    if !matches!(o.order_type.as_str(), "LIMIT" | "MARKET") {
        c.refuse("type", Some(&o.order_type), "is not supported by SOR orders", "LIMIT or MARKET");
    }
    if let Some(q) = o.quote_order_qty {
        c.refuse("quoteOrderQty", Some(q), "is not supported by SOR orders", "quantity");
    }
}

fn futures(c: &mut Check<'_>, ctx: &Context) {
    let o = c.o;
    let t = o.order_type.as_str();
    let (needs_qty, needs_price, needs_stop) = match t {
        "LIMIT" => (true, true, false),
        "MARKET" => (true, false, false),
        "STOP" | "TAKE_PROFIT" => (true, true, true),
        "STOP_MARKET" | "TAKE_PROFIT_MARKET" => (false, false, true),
        "TRAILING_STOP_MARKET" => (false, false, false),
        _ => {
            c.refuse("type", Some(t), "is not a futures order type", FUTURES_TYPES);
            return;
        }
    };
    if t == "LIMIT" && o.time_in_force.is_none() {
        c.missing("timeInForce", "a time in force, e.g. GTC");
    }
    let close_all = o.close_position == Some(true);
    if needs_qty && o.quantity.is_none() {
        c.missing("quantity", "a quantity");
    }
    // priceMatch NONE is no price match (the docs' order.modify example sends it with a price).
    let price_match = o.price_match.as_deref().filter(|m| *m != "NONE");
    if needs_price {
        match (o.price, price_match) {
            (None, None) => c.missing("price", "price or priceMatch"),
            (Some(p), Some(_)) => {
                c.refuse("price", Some(p), "cannot be sent together with priceMatch", "either price or priceMatch")
            }
            _ => {}
        }
    } else if let Some(p) = o.price {
        c.not_used("price", Some(p), "LIMIT, STOP or TAKE_PROFIT");
    }
    match o.stop_price {
        None if needs_stop => c.missing("stopPrice", "a trigger price"),
        Some(s) if !needs_stop => {
            c.not_used("stopPrice", Some(s), "STOP, STOP_MARKET, TAKE_PROFIT or TAKE_PROFIT_MARKET")
        }
        _ => {}
    }
    // closePosition: STOP_MARKET / TAKE_PROFIT_MARKET only, never with quantity or reduceOnly.
    if close_all {
        if !matches!(t, "STOP_MARKET" | "TAKE_PROFIT_MARKET") {
            c.not_used("closePosition", Some(true), "STOP_MARKET or TAKE_PROFIT_MARKET");
        }
        if let Some(q) = o.quantity {
            c.refuse(
                "quantity",
                Some(q),
                "cannot be sent with closePosition=true",
                "no quantity (close-all closes the whole position)",
            );
        }
        if let Some(r) = o.reduce_only {
            c.refuse("reduceOnly", Some(r), "cannot be sent with closePosition=true", "leave it out");
        }
        match (o.side, o.position_side.as_deref()) {
            (Side::Buy, Some("LONG")) | (Side::Sell, Some("SHORT")) => c.refuse(
                "closePosition",
                Some(true),
                format!(
                    "cannot be used with {} orders on the {} position side",
                    o.side,
                    o.position_side.as_deref().unwrap_or("")
                ),
                "BUY with SHORT, SELL with LONG",
            ),
            _ => {}
        }
    }
    if let Some(ps) = &o.position_side {
        if !matches!(ps.as_str(), "BOTH" | "LONG" | "SHORT") {
            c.refuse("positionSide", Some(ps), "is not a position side", "BOTH, LONG or SHORT");
        } else if ps != "BOTH" {
            if let Some(r) = o.reduce_only {
                c.refuse(
                    "reduceOnly",
                    Some(r),
                    "cannot be sent in Hedge Mode (positionSide LONG or SHORT)",
                    "leave it out",
                );
            }
        }
    }
    // TRAILING_STOP_MARKET: callbackRate 0.1 ..= 10, activationPrice.
    if t == "TRAILING_STOP_MARKET" {
        match o.callback_rate {
            None => c.missing("callbackRate", "0.1 to 10 (percent)"),
            Some(r) if r < Decimal::new(1, 1) || r > Decimal::TEN => {
                c.refuse("callbackRate", Some(r), "is out of range", "0.1 to 10 (1 for 1%)")
            }
            _ => {}
        }
    } else {
        if let Some(r) = o.callback_rate {
            c.not_used("callbackRate", Some(r), "TRAILING_STOP_MARKET");
        }
        if let Some(a) = o.activation_price {
            c.not_used("activationPrice", Some(a), "TRAILING_STOP_MARKET");
        }
    }
    if o.price_protect == Some(true) && !needs_stop {
        c.not_used("priceProtect", Some(true), "STOP, STOP_MARKET, TAKE_PROFIT or TAKE_PROFIT_MARKET");
    }
    if let Some(m) = price_match {
        if !needs_price {
            c.not_used("priceMatch", Some(m), "LIMIT, STOP or TAKE_PROFIT");
        } else if !PRICE_MATCH.contains(&m) {
            c.refuse("priceMatch", Some(m), "is not a price match mode", PRICE_MATCH.join(", "));
        }
    }
    if let Some(w) = &o.working_type {
        if !matches!(w.as_str(), "MARK_PRICE" | "CONTRACT_PRICE") {
            c.refuse("workingType", Some(w), "is not a working type", "MARK_PRICE or CONTRACT_PRICE");
        }
    }
    if o.venue == Venue::UsdM {
        good_till_date(c, ctx);
    }
    if let Some(id) = &o.new_client_order_id {
        if !futures_client_id_ok(id) {
            c.refuse(
                "newClientOrderId",
                Some(id),
                "does not match ^[\\.A-Z\\:/a-z0-9_-]{1,36}$",
                "1 to 36 of A-Z a-z 0-9 . : / _ -",
            );
        }
    }
    for (name, v) in [
        ("quantity", o.quantity),
        ("price", o.price),
        ("stopPrice", o.stop_price),
        ("activationPrice", o.activation_price),
    ] {
        c.positive(name, v);
    }
}

/// `goodTillDate` (USDⓈ-M): mandatory with `GTD`, later than now + 600 s, below 253402300799000.
fn good_till_date(c: &mut Check<'_>, ctx: &Context) {
    let o = c.o;
    let gtd = o.time_in_force.as_deref() == Some("GTD");
    match o.good_till_date {
        None if gtd => c.missing("goodTillDate", "an epoch ms timestamp more than 600 s ahead"),
        Some(g) if !gtd => c.refuse(
            "goodTillDate",
            Some(g),
            "is only used with timeInForce GTD",
            "timeInForce GTD, or no goodTillDate",
        ),
        Some(g) => {
            if g >= MAX_GOOD_TILL_DATE {
                c.refuse(
                    "goodTillDate",
                    Some(g),
                    format!("must be smaller than {MAX_GOOD_TILL_DATE}"),
                    format!("below {MAX_GOOD_TILL_DATE}"),
                );
            }
            if let Some(now) = ctx.now_ms {
                let earliest = now as i64 + 600_000;
                if g <= earliest {
                    c.refuse(
                        "goodTillDate",
                        Some(g),
                        format!("must be later than now + 600 s ({earliest})"),
                        format!("above {earliest}"),
                    );
                }
            }
        }
        None => {}
    }
}

/// `^[\.A-Z\:/a-z0-9_-]{1,36}$`
fn futures_client_id_ok(id: &str) -> bool {
    (1..=36).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'_' | b'-'))
}

/// Checks a `recvWindow` (milliseconds with up to three decimals): not negative, at most 60000.
pub fn check_recv_window(ms: f64) -> Result<(), ValidationError> {
    if !(0.0..=MAX_RECV_WINDOW_MS as f64).contains(&ms) {
        return Err(ValidationError::new(
            "recvWindow",
            Some(ms),
            format!("cannot be greater than {MAX_RECV_WINDOW_MS} ms"),
            "at most 60000 (5000 or less is recommended)",
        ));
    }
    let micros = ms * 1000.0;
    if (micros - micros.round()).abs() > 1e-6 {
        return Err(ValidationError::new(
            "recvWindow",
            Some(ms),
            "has more than three decimal places",
            "milliseconds with up to 3 decimals, e.g. 6000.346",
        ));
    }
    Ok(())
}
