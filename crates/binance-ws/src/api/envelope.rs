//! Reading a WebSocket API frame once: which request it answers (or which event it carries),
//! its status and error, and where its `result` and `rateLimits` lie in the frame, so the waiting caller
//! can decode the result straight into its own type without a second parse of the envelope, and the
//! rate limits can be read after the reply is handed over (`ratelimit.rs`).

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

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
    #[serde(default, borrow, rename = "rateLimits")]
    pub rate_limits: Option<&'a RawValue>,
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

    /// Where `rateLimits` lies inside `frame`.
    pub fn rate_limits_range(&self, frame: &[u8]) -> Option<Range<usize>> {
        self.rate_limits.map(|raw| span_in(frame, raw.get()))
    }

    /// Where `event` lies inside `frame`.
    pub fn event_range(&self, frame: &[u8]) -> Option<Range<usize>> {
        self.event.map(|raw| span_in(frame, raw.get()))
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
        let limits = &ok[env.rate_limits_range(ok).unwrap()];
        assert!(limits.starts_with(b"[{\"rateLimitType\"") && limits.ends_with(b"\"count\":70}]"));

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
