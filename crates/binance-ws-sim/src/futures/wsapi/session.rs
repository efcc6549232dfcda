//! session.logon (Ed25519 keys only), session.status, session.logout.

use serde_json::{json, Value};

use super::{FCtx, FMethod, FSec};
use crate::auth::KeyMaterial;
use crate::wsapi::{ApiErr, Params};

pub const METHODS: &[FMethod] = &[
    FMethod { name: "session.logon", security: FSec::Logon, weight: |_| 2, handler: logon },
    FMethod { name: "session.status", security: FSec::None, weight: |_| 2, handler: status },
    FMethod { name: "session.logout", security: FSec::None, weight: |_| 2, handler: logout },
];

fn logon(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let key = ctx.api_key.clone().ok_or_else(|| ApiErr::mandatory("apiKey"))?;
    let ed25519 = ctx.sim.keys.get(&key).is_some_and(|k| matches!(k.material, KeyMaterial::Ed25519 { .. }));
    if !ed25519 {
        // "Only Ed25519 keys are supported for this feature."
        return Err(ApiErr::new(-1020, "This operation is not supported."));
    }
    ctx.session.logged_on = Some((key, ctx.now_ms));
    status(ctx, &Params::new())
}

fn status(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
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
    }))
}

fn logout(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    ctx.session.logged_on = None;
    status(ctx, &Params::new())
}
