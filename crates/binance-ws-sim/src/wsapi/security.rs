//! Who may call a method: signature over the sorted params, timestamp inside recvWindow, or a
//! logged-on session (web-socket-api.md, "Request security", "Timing security", "Session Authentication").

use super::{ApiErr, Params, ParamsExt, Sec, Session};
use crate::auth::signature_payload;
use crate::server::SimShared;

/// Returns the API key the request acts for (None for public methods).
pub fn authorize(
    sim: &SimShared,
    session: &Session,
    security: Sec,
    params: &Params,
    now_ms: u64,
) -> Result<Option<String>, ApiErr> {
    if security == Sec::None {
        return Ok(None);
    }
    let signature = params.opt_str("signature")?;
    let api_key = match (params.opt_str("apiKey")?, &session.logged_on, &signature) {
        (Some(key), _, _) => key,
        (None, Some((key, _)), None) if security == Sec::Signed => key.clone(),
        (None, Some((key, _)), Some(_)) if security == Sec::Signed => key.clone(),
        _ => return Err(ApiErr::mandatory("apiKey")),
    };
    check_timestamp(params, now_ms)?;
    let Some(key) = sim.keys.get(&api_key) else {
        return Err(if api_key.len() == 64 {
            ApiErr::rejected_key()
        } else {
            ApiErr { status: 401, ..ApiErr::new(-2014, "API-key format invalid.") }
        });
    };
    match signature {
        Some(sig) => {
            if !key.material.verify(signature_payload(params).as_bytes(), &sig) {
                return Err(ApiErr::bad_signature());
            }
        }
        // No signature is fine only on a session logged on with this very key.
        None if security == Sec::Signed && session.logged_on.as_ref().is_some_and(|(k, _)| *k == api_key) => {}
        None => return Err(ApiErr::mandatory("signature")),
    }
    Ok(Some(api_key))
}

/// `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow` (default 5000, at most 60000).
fn check_timestamp(params: &Params, now_ms: u64) -> Result<(), ApiErr> {
    let ts = params.req_u64("timestamp")?;
    // Timestamps may be sent in microseconds.
    let ts_ms = if ts > 100_000_000_000_000 { ts as f64 / 1000.0 } else { ts as f64 };
    let window = match params.opt_decimal("recvWindow")? {
        None => 5000.0,
        Some(d) => match d.to_string().parse::<f64>() {
            Ok(w) if (0.0..=60000.0).contains(&w) => w,
            _ => {
                return Err(ApiErr::new(
                    -1102,
                    "'recvWindow' contains unexpected value. Cannot be greater than 60000.".to_string(),
                ))
            }
        },
    };
    let now = now_ms as f64;
    if ts_ms >= now + 1000.0 {
        return Err(ApiErr::new(-1021, "Timestamp for this request was 1000ms ahead of the server's time."));
    }
    if now - ts_ms > window {
        return Err(ApiErr::new(-1021, "Timestamp for this request is outside of the recvWindow."));
    }
    Ok(())
}
