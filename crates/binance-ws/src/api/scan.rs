//! The fast path of reading a frame's envelope: where the top-level fields of a plain JSON object lie,
//! found in one pass without decoding their values. Each value is decoded (and so validated) by whoever
//! needs it: the waiting caller its `result`, the rate-limit log its `rateLimits` (after the reply is
//! handed over), the router the `error` of a failed request. On a ~150-byte reply this takes a fraction
//! of serde's full pass over the envelope, which sits on every request's round trip.
//!
//! Anything out of the ordinary (an escaped key, a known field twice, a status that is not a plain
//! number, a malformed token) returns `None`, and the frame is read by serde instead (`envelope.rs`).

use std::ops::Range;

/// Where the fields of an API frame lie. Ranges index the frame.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Fields {
    pub id: Option<Range<usize>>,
    pub status: Option<u16>,
    pub result: Option<Range<usize>>,
    pub error: Option<Range<usize>>,
    pub rate_limits: Option<Range<usize>>,
    pub event: Option<Range<usize>>,
    pub subscription_id: Option<u64>,
}

/// Finds the top-level fields of `frame`, a JSON object; `None` when the frame is not one this fast
/// path reads.
pub(crate) fn scan(frame: &[u8]) -> Option<Fields> {
    let mut f = Fields::default();
    // Known fields seen so far, one bit each: serde refuses a frame that repeats one.
    let mut seen = 0u8;
    let mut i = space(frame, 0);
    if frame.get(i) != Some(&b'{') {
        return None;
    }
    i = space(frame, i + 1);
    if frame.get(i) == Some(&b'}') {
        return only_space(frame, i + 1).then_some(f);
    }
    loop {
        if frame.get(i) != Some(&b'"') {
            return None;
        }
        let key_start = i + 1;
        let key_end = key_start + frame.get(key_start..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
        if frame[key_end] != b'"' {
            return None;
        }
        i = space(frame, key_end + 1);
        if frame.get(i) != Some(&b':') {
            return None;
        }
        let start = space(frame, i + 1);
        let end = skip_value(frame, start)?;
        let field = match &frame[key_start..key_end] {
            b"id" => Some((0, &mut f.id)),
            b"result" => Some((1, &mut f.result)),
            b"error" => Some((2, &mut f.error)),
            b"rateLimits" => Some((3, &mut f.rate_limits)),
            b"event" => Some((4, &mut f.event)),
            _ => None,
        };
        let number = match &frame[key_start..key_end] {
            b"status" => Some(5),
            b"subscriptionId" => Some(6),
            _ => None,
        };
        if let Some((bit, slot)) = field {
            once(&mut seen, bit)?;
            // As serde reads an `Option`: `null` is no value.
            if &frame[start..end] != b"null" {
                *slot = Some(start..end);
            }
        } else if let Some(bit) = number {
            once(&mut seen, bit)?;
            let n = match &frame[start..end] {
                b"null" => None,
                text => Some(uint(text)?),
            };
            if bit == 5 {
                f.status = n.map(u16::try_from).transpose().ok()?;
            } else {
                f.subscription_id = n;
            }
        }
        i = space(frame, end);
        match frame.get(i)? {
            b',' => i = space(frame, i + 1),
            b'}' => return only_space(frame, i + 1).then_some(f),
            _ => return None,
        }
    }
}

/// A plain JSON unsigned integer (no sign, fraction, exponent or leading zero) that fits a `u64`.
pub(crate) fn uint(text: &[u8]) -> Option<u64> {
    if text.is_empty() || (text.len() > 1 && text[0] == b'0') {
        return None;
    }
    text.iter().try_fold(0u64, |n, &c| {
        let digit = c.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Marks field `bit` seen; `None` when it was seen before (serde refuses such a frame).
fn once(seen: &mut u8, bit: u8) -> Option<()> {
    let mask = 1 << bit;
    if *seen & mask != 0 {
        return None;
    }
    *seen |= mask;
    Some(())
}

fn space(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

fn only_space(b: &[u8], i: usize) -> bool {
    space(b, i) == b.len()
}

/// The end of the JSON value starting at `i`. Strings and brackets are matched, scalars checked for the
/// characters they may hold; what lies inside an object or array is left to whoever decodes it.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let len = b[i..].iter().position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
            let end = len.map_or(b.len(), |n| i + n);
            let token = &b[i..end];
            let number = matches!(token.first(), Some(b'-' | b'0'..=b'9'))
                && token.iter().all(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'));
            (number || matches!(token, b"true" | b"false" | b"null")).then_some(end)
        }
    }
}

/// The end of the string whose opening quote is at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j += b.get(j..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
        if b[j] == b'"' {
            return Some(j + 1);
        }
        j += 2;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What serde finds in a frame, as `Fields`: the reference the fast path must agree with.
    fn by_serde(frame: &[u8]) -> Option<Fields> {
        crate::api::envelope::by_serde(frame).ok()
    }

    #[test]
    fn reads_replies_in_binance_order_and_in_sorted_order() {
        let f = br#"{"id":7,"status":200,"result":{"serverTime":1656400526260},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":70}]}"#;
        let fields = scan(f).expect("a plain reply");
        assert_eq!(&f[fields.id.clone().unwrap()], b"7");
        assert_eq!(fields.status, Some(200));
        assert_eq!(&f[fields.result.clone().unwrap()], br#"{"serverTime":1656400526260}"#);
        assert_eq!(Some(fields), by_serde(f));
        let sorted = br#"{"id":"x\"y","rateLimits":[],"result":[1,{"a":"]}"}],"status":400}"#;
        assert_eq!(scan(sorted), by_serde(sorted));
        let spaced = b" {\n \"event\" : {\"e\":\"serverShutdown\"} , \"subscriptionId\" : 3 }\n";
        assert_eq!(scan(spaced).and_then(|f| f.subscription_id), Some(3));
        assert_eq!(scan(spaced), by_serde(spaced));
        assert_eq!(scan(b"{}"), Some(Fields::default()));
        let nulls = br#"{"id":null,"status":null,"result":null,"subscriptionId":null}"#;
        assert_eq!(scan(nulls), Some(Fields::default()), "null is no value, as serde reads an Option");
        assert_eq!(scan(nulls), by_serde(nulls));
    }

    #[test]
    fn leaves_unusual_or_broken_frames_to_serde() {
        for f in [
            &br#"{"id":1,"id":2}"#[..],
            br#"{"st\u0061tus":200}"#,
            br#"{"status":200.0}"#,
            br#"{"status":070}"#,
            br#"{"status":70000}"#,
            br#"{"id":1,"result":{}"#,
            br#"{"id":1} x"#,
            br#"{"id":tru}"#,
            br#"{"id":1,}"#,
            br#"[1]"#,
            br#"{"id":]}"#,
            br#"{"id":}"#,
            b"",
            br#"{"result":"unterminated}"#,
        ] {
            assert_eq!(scan(f), None, "{}", String::from_utf8_lossy(f));
        }
        assert_eq!(uint(b"18446744073709551616"), None, "overflow");
        assert_eq!(uint(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(uint(b"0"), Some(0));
    }

    /// JSON values of the kinds API frames hold, escapes and brackets inside strings included.
    fn value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e9f64..1e9).prop_map(serde_json::Value::from),
            "[ -~\"\\\\{}\\[\\]\u{e9}\u{1F600}\n\t]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map("[a-zA-Z\"{]{0,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever the fast path reads, it reads as serde does; and it reads every compact frame made
        /// of distinct keys.
        #[test]
        fn agrees_with_serde(
            fields in prop::collection::vec(
                (prop::sample::select(vec!["id", "status", "result", "error", "rateLimits", "event", "subscriptionId", "other"]), value()),
                0..7,
            ),
            pretty in any::<bool>(),
            status in any::<u16>(),
        ) {
            let mut map = serde_json::Map::new();
            for (k, v) in fields {
                let v = match k { "status" => status.into(), "subscriptionId" => v.as_u64().unwrap_or(1).into(), _ => v };
                map.insert(k.to_string(), v);
            }
            let value = serde_json::Value::Object(map);
            let frame = if pretty { serde_json::to_vec_pretty(&value) } else { serde_json::to_vec(&value) }.unwrap();
            let fast = scan(&frame);
            prop_assert!(fast.is_some(), "{}", String::from_utf8_lossy(&frame));
            prop_assert_eq!(fast, by_serde(&frame));
        }

        /// Cut or garbled frames never make it panic, and whatever it accepts serde accepts alike.
        #[test]
        fn never_panics_on_broken_frames(value in value(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut frame = serde_json::to_vec(&serde_json::json!({"id": 1, "status": 200, "result": value})).unwrap();
            let at = cut.index(frame.len());
            frame[at] = byte;
            if let Some(fast) = scan(&frame) {
                if let Some(reference) = by_serde(&frame) {
                    prop_assert_eq!(fast, reference);
                }
            }
            frame.truncate(at);
            let _ = scan(&frame);
        }
    }
}
