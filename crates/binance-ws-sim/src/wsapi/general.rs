//! General requests: ping, time (exchangeInfo lands with the exchange).

use serde_json::{json, Value};

use super::{ApiErr, Ctx, Method, Params, Sec};

pub const METHODS: &[Method] = &[
    Method { name: "ping", security: Sec::None, weight: |_| 1, handler: ping },
    Method { name: "time", security: Sec::None, weight: |_| 1, handler: time },
];

fn ping(_: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    Ok(json!({}))
}

fn time(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    Ok(json!({"serverTime": ctx.now_ms}))
}
