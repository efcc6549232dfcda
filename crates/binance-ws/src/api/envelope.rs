//! Reading a WebSocket API frame once: which request it answers (or which event it carries), its
//! status, and where its `result`, `error` and `rateLimits` lie in the frame, so that each is decoded
//! only by whoever needs it: the waiting caller decodes the result straight into its own type, and the
//! rate limits are decoded after the reply is handed over (`ratelimit.rs`). The fast path (`scan.rs`)
//! reads plain frames; serde reads the rest.

use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::scan::{scan, uint, Fields};

/// The top level of any frame on a WebSocket API connection: where its fields lie.
pub(crate) struct Envelope(Fields);

/// Binance's `error` object.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct ErrorBody {
    pub code: i64,
    pub msg: String,
    #[serde(default)]
    pub data: Option<ErrorData>,
}

/// Extra data some errors carry (rate limits: when requests are accepted again).
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct ErrorData {
    #[serde(default, rename = "retryAfter")]
    pub retry_after: Option<u64>,
}

/// The envelope as serde reads it, for frames the fast path leaves alone.
#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
    #[serde(default, borrow)]
    error: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "rateLimits")]
    rate_limits: Option<&'a RawValue>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
    #[serde(default, rename = "subscriptionId")]
    subscription_id: Option<u64>,
}

impl Envelope {
    pub fn parse(frame: &[u8]) -> Result<Self, serde_json::Error> {
        if let Some(fields) = scan(frame) {
            // The scanner skips over values without checking them; a pushed event is kept whole and
            // handed on raw, so it must be JSON: one that is not goes to serde, which reports it.
            let event_ok = fields
                .event
                .as_ref()
                .is_none_or(|r| serde_json::from_slice::<serde::de::IgnoredAny>(&frame[r.clone()]).is_ok());
            if event_ok {
                return Ok(Envelope(fields));
            }
        }
        by_serde(frame).map(Envelope)
    }

    /// Our request ids are unsigned integers; anything else answers no request of ours.
    pub fn numeric_id(&self, frame: &[u8]) -> Option<u64> {
        uint(&frame[self.0.id.clone()?])
    }

    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    pub fn subscription_id(&self) -> Option<u64> {
        self.0.subscription_id
    }

    /// The `error` object, if there is one and it reads as Binance's.
    pub fn error(&self, frame: &[u8]) -> Option<ErrorBody> {
        serde_json::from_slice(&frame[self.0.error.clone()?]).ok()
    }

    /// Where `result` lies inside the frame.
    pub fn result_range(&self) -> Option<Range<usize>> {
        self.0.result.clone()
    }

    /// Where `rateLimits` lies inside the frame.
    pub fn rate_limits_range(&self) -> Option<Range<usize>> {
        self.0.rate_limits.clone()
    }

    /// Where `event` lies inside the frame.
    pub fn event_range(&self) -> Option<Range<usize>> {
        self.0.event.clone()
    }
}

/// A frame the server pushed on its own (not a reply): a user data event, or the announcement that the
/// server will close the connection soon.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    /// `{"event":{"e":"serverShutdown",..}}`: rotate to a fresh connection.
    ServerShutdown,
    /// A user data stream event.
    Event {
        /// The subscription it belongs to (`subscriptionId`).
        subscription_id: Option<u64>,
        /// The event's `e` field (empty when missing).
        event_type: String,
        /// The event object's JSON.
        raw: Arc<str>,
    },
}

impl Envelope {
    /// The pushed event this frame carries, if it is one (the path every user data event takes).
    pub fn push(&self, frame: &[u8]) -> Option<Push> {
        let event = &frame[self.event_range()?];
        let event_type = event_type(event).unwrap_or_default();
        if event_type == "serverShutdown" {
            return Some(Push::ServerShutdown);
        }
        let raw: Arc<str> = String::from_utf8_lossy(event).into();
        Some(Push::Event { subscription_id: self.subscription_id(), event_type, raw })
    }
}

/// Where the envelope's fields lie, as serde reads them: for frames the fast path leaves alone, and the
/// reference the fast path is tested against.
pub(crate) fn by_serde(frame: &[u8]) -> Result<Fields, serde_json::Error> {
    let raw: Raw = serde_json::from_slice(frame)?;
    let span = |v: Option<&RawValue>| v.map(|v| span_in(frame, v.get()));
    Ok(Fields {
        id: span(raw.id),
        status: raw.status,
        result: span(raw.result),
        error: span(raw.error),
        rate_limits: span(raw.rate_limits),
        event: span(raw.event),
        subscription_id: raw.subscription_id,
    })
}

/// The byte range of `inner`, a slice borrowed from `outer`.
fn span_in(outer: &[u8], inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

/// Peeks at `"e":"<type>"` of an event object without a full parse.
pub(crate) fn event_type(event: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Head {
        e: String,
    }
    serde_json::from_slice::<Head>(event).ok().map(|h| h.e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_result_of_a_success_and_the_error_of_a_failure() {
        let ok = br#"{"id":7,"status":200,"result":{"serverTime":1656400526260},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":70}]}"#;
        let env = Envelope::parse(ok).unwrap();
        assert_eq!(env.numeric_id(ok), Some(7));
        assert_eq!(env.status(), Some(200));
        let range = env.result_range().unwrap();
        assert_eq!(&ok[range], br#"{"serverTime":1656400526260}"#);
        let limits = &ok[env.rate_limits_range().unwrap()];
        assert!(limits.starts_with(b"[{\"rateLimitType\"") && limits.ends_with(b"\"count\":70}]"));

        let err = br#"{"id":"fc93","status":418,"error":{"code":-1003,"msg":"banned","data":{"serverTime":1,"retryAfter":1659146400000}}}"#;
        let env = Envelope::parse(err).unwrap();
        assert_eq!(env.numeric_id(err), None, "string ids are not ours");
        let e = env.error(err).unwrap();
        assert_eq!((e.code, e.data.unwrap().retry_after), (-1003, Some(1659146400000)));
        // The same frames with an escaped key go through serde, with the same answers.
        let escaped = br#"{"id":7,"status":429,"error":{"code":-1003,"msg":"too many"}}"#;
        let env = Envelope::parse(escaped).unwrap();
        assert_eq!((env.numeric_id(escaped), env.status()), (Some(7), Some(429)));
        assert_eq!(env.error(escaped).unwrap().msg, "too many");
        assert!(Envelope::parse(br#"{"id":7,"status":"#).is_err(), "a cut frame is refused");
    }

    #[test]
    fn events_are_found_with_their_subscription() {
        let f = br#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}}"#;
        let env = Envelope::parse(f).unwrap();
        assert_eq!(env.subscription_id(), Some(0));
        let r = env.event_range().unwrap();
        assert_eq!(event_type(&f[r]).as_deref(), Some("outboundAccountPosition"));
        assert_eq!(env.numeric_id(f), None);
        // Found by decoders_on_garbage: an event that is not JSON inside a well-formed frame is refused,
        // never handed on raw.
        let bad = br#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","u":15640345710?3,"B":[]}}"#;
        assert!(Envelope::parse(bad).is_err());
    }
}
