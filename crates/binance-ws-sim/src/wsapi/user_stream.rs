//! User Data Stream requests: subscribe on a logged-on session or by signature, unsubscribe, list.
//! Events then arrive on this connection as `{"subscriptionId": N, "event": {...}}`.

use serde_json::{json, Value};

use super::{ApiErr, Ctx, Method, Params, ParamsExt, Sec};
use crate::user_data::{terminated_frame, SubscribeError};

pub const METHODS: &[Method] = &[
    Method { name: "userDataStream.subscribe", security: Sec::None, weight: |_| 2, handler: subscribe },
    Method {
        name: "userDataStream.subscribe.signature",
        security: Sec::Logon,
        weight: |_| 2,
        handler: subscribe_signature,
    },
    Method { name: "userDataStream.unsubscribe", security: Sec::None, weight: |_| 2, handler: unsubscribe },
    Method { name: "session.subscriptions", security: Sec::None, weight: |_| 2, handler: subscriptions },
];

fn open(ctx: &mut Ctx<'_>, account: crate::exchange::AccountId, via_logon: bool) -> Result<Value, ApiErr> {
    match ctx.sim.user_streams.lock().subscribe(ctx.session.id, account, via_logon) {
        Ok(id) => Ok(json!({"subscriptionId": id})),
        Err(SubscribeError::AlreadyActive) => Err(ApiErr::new(-2035, "User Data Stream subscription already active.")),
        Err(SubscribeError::Exhausted) => {
            Err(ApiErr::new(-2042, "Maximum subscription ID reached for this connection."))
        }
        Err(SubscribeError::Closed) => Err(ApiErr::new(-2036, "User Data Stream subscription not active.")),
    }
}

/// Needs a session logged on with `session.logon`; it streams that account's events.
fn subscribe(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let Some((key, _)) = ctx.session.logged_on.clone() else {
        return Err(ApiErr { status: 401, ..ApiErr::new(-1002, "You are not authorized to execute this request.") });
    };
    let account = ctx.sim.account_of(&key).ok_or_else(ApiErr::rejected_key)?;
    open(ctx, account, true)
}

/// Any connection, any account whose key signed the request.
fn subscribe_signature(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    open(ctx, account, false)
}

/// Closes one subscription (`subscriptionId`) or all; each closed one ends with `eventStreamTerminated`.
fn unsubscribe(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let which = p.opt_u64("subscriptionId")?;
    let conn = ctx.session.id;
    let mut streams = ctx.sim.user_streams.lock();
    for s in streams.unsubscribe(conn, |s| which.is_none_or(|id| s.id == id)) {
        streams.send(conn, terminated_frame(s.id, ctx.now_ms));
    }
    Ok(json!({}))
}

fn subscriptions(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let subs = ctx.sim.user_streams.lock().subscriptions(ctx.session.id);
    Ok(Value::Array(subs.iter().map(|s| json!({"subscriptionId": s.id})).collect()))
}
