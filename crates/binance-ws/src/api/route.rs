//! Routing one text frame read from the API socket, by whoever read it (the connection task, or a
//! caller reading while it waits, see `reader.rs`): a reply goes to its waiter through the in-flight map,
//! a user data event to its subscription and the event channel; rate limits, 429/418 back-offs and the
//! session's logon state are updated on the way.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::client::{ApiEvent, Reply, Shared};
use super::envelope::{Envelope, Push};

/// Ids of requests the connection task sends for itself (logon) live above this, never colliding with
/// the handles'.
pub(crate) const INTERNAL_IDS: u64 = 1 << 62;

/// What became of a frame.
pub(crate) enum Routed {
    /// Delivered, or nothing to deliver.
    Done,
    /// The server announced its shutdown: the connection task rotates.
    Rotate(String),
    /// The reply to the reader's own request, handed back rather than sent to itself.
    Mine(Reply),
}

/// Routes one text frame that arrived on the socket of `generation`, read by the waiter of request
/// `mine` (if any).
pub(crate) fn route_frame(shared: &Shared, frame: Bytes, generation: u64, mine: Option<u64>) -> Routed {
    let env = match Envelope::parse(&frame) {
        Ok(env) => env,
        Err(e) => {
            let start = String::from_utf8_lossy(&frame[..frame.len().min(200)]).into_owned();
            tracing::warn!(error = %e, frame = %start, "undecodable API frame");
            shared.publish(ApiEvent::Undecodable { reason: e.to_string(), frame: start });
            return Routed::Done;
        }
    };
    if let Some(range) = env.rate_limits_range() {
        shared.rate_limits.lock().record(frame.slice(range));
    }
    match env.push(&frame) {
        Some(Push::ServerShutdown) => return Routed::Rotate("server announced shutdown".into()),
        Some(Push::Event { subscription_id, event_type, raw }) => {
            if let Some(range) = env.event_range() {
                shared.user_data.route(generation, subscription_id, frame.slice(range));
            }
            shared.publish(ApiEvent::UserData { subscription_id, event_type, raw });
            return Routed::Done;
        }
        None => {}
    }
    let status = env.status().unwrap_or(0);
    let error = env.error(&frame).map(|e| (e.code, e.msg, e.data.and_then(|d| d.retry_after)));
    if status == 418 || status == 429 {
        let until = error.as_ref().and_then(|e| e.2).unwrap_or_else(|| Shared::now_ms() + 60_000);
        let kind = if status == 418 { "IP ban (418)" } else { "rate limit (429)" };
        *shared.blocked.lock() = Some((until, kind));
    }
    let Some(id) = env.numeric_id(&frame) else {
        if let Some((code, msg, _)) = error {
            // `id: null` errors concern the session itself (e.g. a revoked key).
            tracing::warn!(code, %msg, "session-level error from the server");
            if code == -2015 {
                shared.logged_on.store(false, Ordering::Release);
            }
        }
        return Routed::Done;
    };
    let result = env.result_range();
    let Some(pending) = shared.pending.lock().remove(id) else { return Routed::Done };
    if id >= INTERNAL_IDS {
        if pending.method == "session.logon" {
            let ok = status == 200;
            shared.logged_on.store(ok, Ordering::Release);
            if !ok {
                tracing::error!(?error, "session.logon refused; signing every request instead");
            }
        }
        return Routed::Done;
    }
    // A user's own logon/logout changes how later requests must be signed.
    match (pending.method.as_str(), status) {
        ("session.logout", 200) => shared.logged_on.store(false, Ordering::Release),
        ("session.logon", 200) => shared.logged_on.store(true, Ordering::Release),
        _ => {}
    }
    let reply = Reply { frame, status, result, error };
    if mine == Some(id) {
        return Routed::Mine(reply);
    }
    if let Some(tx) = pending.reply {
        let _ = tx.send(Ok(reply));
    }
    Routed::Done
}
