//! The futures WebSocket APIs (`/ws-fapi/v1`, `/ws-dapi/v1`): the same envelope and security as spot (request
//! `id`/`method`/`params`, replies with `status`, `result` or `error`, and `rateLimits`; HMAC, RSA and Ed25519
//! signatures, timestamp and recvWindow; session.logon), with the futures limits: REQUEST_WEIGHT per IP of each
//! product, ORDERS per account (USD-M 10 s and 1 minute, COIN-M 1 minute), and the methods each product's pages
//! list.

mod account;
mod json;
mod market;
mod session;
mod trade;
mod user_stream;

use serde_json::{json, Value};

use super::config::Product;
use super::venue::FuturesVenue;
use crate::exchange::AccountId;
use crate::ratelimit::Refusal;
use crate::server::SimShared;
use crate::wsapi::{ApiErr, Params, ParamsExt, Sec, Session};

/// A method's security type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FSec {
    /// Public.
    None,
    /// TRADE, USER_DATA: signed, or a logged-on session.
    Signed,
    /// session.logon.
    Logon,
    /// USER_STREAM: an API key (or a logged-on session), no signature.
    ApiKey,
}

/// What a handler sees.
pub struct FCtx<'a> {
    pub sim: &'a SimShared,
    pub venue: &'a FuturesVenue,
    pub session: &'a mut Session,
    pub now_ms: u64,
    pub api_key: Option<String>,
    /// Set by methods counted against ORDERS: the reply's `rateLimits` then shows the account's counts.
    pub orders_account: Option<AccountId>,
}

impl FCtx<'_> {
    /// The account the request acts for.
    pub fn account(&self) -> Result<AccountId, ApiErr> {
        self.api_key.as_deref().and_then(|k| self.sim.account_of(k)).ok_or_else(ApiErr::rejected_key)
    }

    /// Counts one new order against the account's ORDERS limits: 429 with -1015 when over.
    pub fn charge_orders(&mut self, account: AccountId) -> Result<(), ApiErr> {
        self.orders_account = Some(account);
        self.venue
            .orders
            .lock()
            .charge(account, 1, self.now_ms)
            .map_err(|msg| ApiErr { status: 429, ..ApiErr::new(-1015, msg) })
    }

    /// The product.
    pub fn product(&self) -> Product {
        self.venue.product()
    }
}

/// A method handler.
pub type FHandler = fn(&mut FCtx<'_>, &Params) -> Result<Value, ApiErr>;

/// One method.
pub struct FMethod {
    pub name: &'static str,
    pub security: FSec,
    pub weight: fn(&Params) -> u64,
    pub handler: FHandler,
}

fn find_method(product: Product, name: &str) -> Option<&'static FMethod> {
    let name = name.strip_prefix("v1/").unwrap_or(name);
    let tables: &[&[FMethod]] = match product {
        Product::UsdM => {
            &[session::METHODS, market::METHODS, trade::METHODS, account::USDM_METHODS, user_stream::METHODS]
        }
        Product::CoinM => &[session::METHODS, trade::METHODS, account::COINM_METHODS, user_stream::METHODS],
    };
    tables.iter().flat_map(|t| t.iter()).find(|m| m.name == name)
}

/// The API key a USER_STREAM request acts for: its `apiKey`, else the logged-on session's key.
fn authorize_api_key(sim: &SimShared, session: &Session, params: &Params) -> Result<Option<String>, ApiErr> {
    let key = match params.opt_str("apiKey")? {
        Some(k) => k,
        None => match &session.logged_on {
            Some((k, _)) => k.clone(),
            None => return Err(ApiErr::mandatory("apiKey")),
        },
    };
    if !sim.keys.contains_key(&key) {
        return Err(ApiErr::rejected_key());
    }
    Ok(Some(key))
}

fn refusal_error(limit: u64, refusal: Refusal) -> ApiErr {
    match refusal {
        Refusal::TooMuchWeight { .. } => ApiErr {
            status: 429,
            ..ApiErr::new(
                -1003,
                format!(
                    "Too many requests; current limit is {limit} requests per minute. Please use the websocket for live updates to avoid polling the API."
                ),
            )
        },
        Refusal::Banned { until } => ApiErr {
            status: 418,
            ..ApiErr::new(
                -1003,
                format!("Way too many requests; IP banned until {until}. Please use the websocket for live updates to avoid bans."),
            )
        },
    }
}

/// Handles one request frame of `product`; returns the reply frame.
pub fn handle_text(sim: &SimShared, product: Product, session: &mut Session, text: &str) -> String {
    let venue = sim.futures(product);
    let now_ms = sim.clock.now_ms();
    let request: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => return reply(product, &Value::Null, Err(ApiErr::new(-1135, "Invalid JSON Request")), None),
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let params: Params = match request.get("params") {
        None | Some(Value::Null) => Params::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => return reply(product, &id, Err(ApiErr::new(-1135, "Invalid JSON Request")), None),
    };
    let Some(name) = request.get("method").and_then(Value::as_str) else {
        return reply(product, &id, Err(ApiErr::mandatory("method")), None);
    };
    let show_limits = params.opt_bool("returnRateLimits").ok().flatten().unwrap_or(session.return_rate_limits);
    let Some(method) = find_method(product, name) else {
        return reply(product, &id, Err(ApiErr::new(-1020, "This operation is not supported.")), None);
    };
    let charge = venue.weights.lock().charge(session.ip, (method.weight)(&params), now_ms);
    if let Err(refusal) = charge {
        let weights = venue.weights.lock();
        let limits = show_limits.then(|| json!([weights.usage_json(session.ip, now_ms)]));
        return reply(product, &id, Err(refusal_error(weights.limit(), refusal)), limits);
    }
    let mut orders_account = None;
    let auth = match method.security {
        FSec::None => Ok(None),
        FSec::Signed => crate::wsapi::security::authorize(sim, session, Sec::Signed, &params, now_ms),
        FSec::Logon => crate::wsapi::security::authorize(sim, session, Sec::Logon, &params, now_ms),
        FSec::ApiKey => authorize_api_key(sim, session, &params),
    };
    let outcome = auth.and_then(|api_key| {
        let mut ctx = FCtx { sim, venue, session, now_ms, api_key, orders_account: None };
        let mut params = params.clone();
        for meta in ["returnRateLimits", "signature", "apiKey", "timestamp", "recvWindow"] {
            params.remove(meta);
        }
        let out = (method.handler)(&mut ctx, &params);
        orders_account = ctx.orders_account;
        out
    });
    let limits = show_limits.then(|| {
        let weight = venue.weights.lock().usage_json(session.ip, now_ms);
        let orders = orders_account.map(|a| venue.orders.lock().usage_json(a, now_ms)).unwrap_or_default();
        // The docs' examples list ORDERS first on USD-M and REQUEST_WEIGHT first on COIN-M.
        let all: Vec<Value> = match product {
            Product::UsdM => orders.into_iter().chain(std::iter::once(weight)).collect(),
            Product::CoinM => std::iter::once(weight).chain(orders).collect(),
        };
        Value::Array(all)
    });
    reply(product, &id, outcome, limits)
}

fn reply(_product: Product, id: &Value, outcome: Result<Value, ApiErr>, limits: Option<Value>) -> String {
    let mut out = match outcome {
        Ok(result) => json!({"id": id, "status": 200, "result": result}),
        Err(e) => {
            let mut error = json!({"code": e.code, "msg": e.msg});
            if let Some(data) = e.data {
                error["data"] = data;
            }
            json!({"id": id, "status": e.status, "error": error})
        }
    };
    if let Some(limits) = limits {
        out["rateLimits"] = limits;
    }
    out.to_string()
}

/// The `symbol` parameter, which must name a listed contract.
pub(crate) fn symbol_param(ctx: &FCtx<'_>, p: &Params) -> Result<String, ApiErr> {
    let s = p.req_str("symbol")?;
    if ctx.venue.read(|e| e.contract(&s).is_none()) {
        return Err(ApiErr::bad_symbol());
    }
    Ok(s)
}
