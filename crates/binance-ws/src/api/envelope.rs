//! Reading a WebSocket API frame once: which request it answers (or which event it carries),
//! its status, error and rate limits, and where its `result` lies in the frame, so the waiting caller
//! can decode the result straight into its own type without a second parse of the envelope.

use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::RateLimitUsage;

/// The top level of any frame on a WebSocket API connection.
#[derive(Deserialize)]
pub(crate) struct Envelope<'a> {
    #[serde(default, borrow)]
    pub id: Option<&'a RawValue>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default, borrow)]
    pub result: Option<&'a RawValue>,
    #[serde(default)]
    pub error: Option<ErrorBody>,
    #[serde(default, rename = "rateLimits")]
    pub rate_limits: Option<Vec<RateLimitUsage>>,
    #[serde(default, borrow)]
    pub event: Option<&'a RawValue>,
    #[serde(default, rename = "subscriptionId")]
    pub subscription_id: Option<u64>,
}

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

impl<'a> Envelope<'a> {
    pub fn parse(frame: &'a [u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(frame)
    }

    /// Our request ids are unsigned integers; anything else answers no request of ours.
    pub fn numeric_id(&self) -> Option<u64> {
        self.id.and_then(|raw| raw.get().parse().ok())
    }

    /// Where `result` lies inside `frame`.
    pub fn result_range(&self, frame: &[u8]) -> Option<Range<usize>> {
        self.result.map(|raw| span_in(frame, raw.get()))
    }

    /// Where `event` lies inside `frame`.
    pub fn event_range(&self, frame: &[u8]) -> Option<Range<usize>> {
        self.event.map(|raw| span_in(frame, raw.get()))
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

impl Envelope<'_> {
    /// The pushed event this frame carries, if it is one (the path every user data event takes).
    pub fn push(&self, frame: &[u8]) -> Option<Push> {
        let event = &frame[self.event_range(frame)?];
        let event_type = event_type(event).unwrap_or_default();
        if event_type == "serverShutdown" {
            return Some(Push::ServerShutdown);
        }
        let raw: Arc<str> = String::from_utf8_lossy(event).into();
        Some(Push::Event { subscription_id: self.subscription_id, event_type, raw })
    }
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
        assert_eq!(env.numeric_id(), Some(7));
        assert_eq!(env.status, Some(200));
        let range = env.result_range(ok).unwrap();
        assert_eq!(&ok[range], br#"{"serverTime":1656400526260}"#);
        assert_eq!(env.rate_limits.unwrap()[0].count, 70);

        let err = br#"{"id":"fc93","status":418,"error":{"code":-1003,"msg":"banned","data":{"serverTime":1,"retryAfter":1659146400000}}}"#;
        let env = Envelope::parse(err).unwrap();
        assert_eq!(env.numeric_id(), None, "string ids are not ours");
        let e = env.error.unwrap();
        assert_eq!((e.code, e.data.unwrap().retry_after), (-1003, Some(1659146400000)));
    }

    #[test]
    fn events_are_found_with_their_subscription() {
        let f = br#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}}"#;
        let env = Envelope::parse(f).unwrap();
        assert_eq!(env.subscription_id, Some(0));
        let r = env.event_range(f).unwrap();
        assert_eq!(event_type(&f[r]).as_deref(), Some("outboundAccountPosition"));
        assert!(env.id.is_none());
    }
}
