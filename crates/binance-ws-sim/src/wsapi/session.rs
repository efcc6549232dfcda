//! Session authentication: session.logon (Ed25519 keys only), session.status, session.logout.

use serde_json::{json, Value};

use super::{ApiErr, Ctx, Method, Params, Sec};
use crate::auth::KeyMaterial;

pub const METHODS: &[Method] = &[
    Method { name: "session.logon", security: Sec::Logon, weight: |_| 2, handler: logon },
    Method { name: "session.status", security: Sec::None, weight: |_| 2, handler: status },
    Method { name: "session.logout", security: Sec::None, weight: |_| 2, handler: logout },
];

fn logon(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let key = ctx.api_key.clone().ok_or_else(|| ApiErr::mandatory("apiKey"))?;
    let is_ed25519 = ctx.sim.keys.get(&key).is_some_and(|k| matches!(k.material, KeyMaterial::Ed25519 { .. }));
    if !is_ed25519 {
        // Session authentication works with Ed25519 keys only.
        return Err(ApiErr::new(-1020, "This operation is not supported."));
    }
    ctx.session.logged_on = Some((key, ctx.now_ms));
    status(ctx, &Params::new())
}

fn status(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let (api_key, since) = match &ctx.session.logged_on {
        Some((k, t)) => (json!(k), json!(t)),
        None => (Value::Null, Value::Null),
    };
    Ok(json!({
        "apiKey": api_key,
        "authorizedSince": since,
        "connectedSince": ctx.session.connected_since,
        "returnRateLimits": ctx.session.return_rate_limits,
        "serverTime": ctx.now_ms,
        "userDataStream": !ctx.sim.user_streams.lock().subscriptions(ctx.session.id).is_empty(),
    }))
}

/// Also closes the subscription opened with `userDataStream.subscribe` (not those opened by signature).
fn logout(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    ctx.session.logged_on = None;
    let conn = ctx.session.id;
    let mut streams = ctx.sim.user_streams.lock();
    for s in streams.unsubscribe(conn, |s| s.via_logon) {
        streams.send(conn, crate::user_data::terminated_frame(s.id, ctx.now_ms));
    }
    drop(streams);
    status(ctx, &Params::new())
}
