//! userDataStream.start, userDataStream.ping, userDataStream.stop (USER_STREAM: an API key, no signature).
//! The events then flow on a separate connection to the stream endpoint with the listenKey.

use serde_json::{json, Value};

use super::{FCtx, FMethod, FSec};
use crate::wsapi::{ApiErr, Params};

pub const METHODS: &[FMethod] = &[
    FMethod { name: "userDataStream.start", security: FSec::ApiKey, weight: |_| 1, handler: start },
    FMethod { name: "userDataStream.ping", security: FSec::ApiKey, weight: |_| 1, handler: ping },
    FMethod { name: "userDataStream.stop", security: FSec::ApiKey, weight: |_| 1, handler: stop },
];

fn start(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let key = ctx.venue.listen_keys().lock().start(account, ctx.now_ms);
    Ok(json!({"listenKey": key}))
}

fn ping(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let key = ctx.venue.listen_keys().lock().ping(account, ctx.now_ms).map_err(ApiErr::from)?;
    Ok(json!({"listenKey": key}))
}

fn stop(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    ctx.venue.listen_keys().lock().stop(account, ctx.now_ms).map_err(ApiErr::from)?;
    Ok(json!({}))
}
