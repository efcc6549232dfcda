//! One-pass frame decoding: peek at the routing field with a few byte comparisons (`stream` for combined
//! frames, `e` for raw payloads, `result`/`error`/`id` for control replies; payloads without `e` are recognised
//! by their first key or by the stream name), then deserialize the payload bytes straight into the final
//! type. Field orders other than Binance's fall back to a slower probing parse, never to a failure.

use std::borrow::Cow;
use std::ops::Range;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::event::*;
use super::fast;

/// Which JSON parser decodes payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// `serde_json`.
    SerdeJson,
    /// `sonic-rs` (SIMD), the default. (Whichever backend is chosen, spot `trade`, `aggTrade`, `bookTicker`
    /// and `depthUpdate` payloads in Binance's own compact key order are read by fixed-order readers first;
    /// the backend decodes everything else.) `cargo bench -p binance-ws --bench decode_streams` on the 2-core dev
    /// machine under load (load average 7.5, so +-30 % noise): a 20-level depth diff decodes in 8.1 us vs
    /// 10.6 us with serde_json (combined: 9.3 vs 10.8 us); trade and bookTicker frames were within noise of
    /// each other (0.56 vs 0.65 us raw trade, 0.98 vs 0.99 us bookTicker).
    #[default]
    SonicRs,
}

/// A reply to a control message (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ControlReply {
    /// The request id it answers (`null` for errors about unparsable requests).
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    /// The result (`null` for success of non-query requests).
    #[serde(default)]
    pub result: Option<serde_json::Value>,
    /// The error, if the request failed.
    #[serde(default)]
    pub error: Option<ControlError>,
}

/// The `error` object of a control reply.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ControlError {
    /// Error code (0, 1, 2, 3; see web-socket-streams.md "Error Messages").
    pub code: i64,
    /// Message.
    pub msg: String,
}

/// What one frame is.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Decoded<'a> {
    /// A market event, with the stream name for combined frames.
    Event {
        /// `stream` of a combined frame.
        stream: Option<Cow<'a, str>>,
        /// The event.
        event: MarketEvent,
    },
    /// A reply to a control message.
    Reply(ControlReply),
    /// `serverShutdown`: the server will close this connection soon.
    ServerShutdown,
}

/// Decodes one text frame. An unknown event becomes [`MarketEvent::Other`]; only bytes that are not UTF-8
/// JSON, or a known event whose fields do not fit its type, give an error (the reason).
pub fn decode_frame(frame: &[u8], backend: Backend) -> Result<Decoded<'_>, String> {
    decode_text(std::str::from_utf8(frame).map_err(|e| format!("frame is not UTF-8: {e}"))?, backend)
}

/// [`decode_frame`] for text already known to be UTF-8 (a WebSocket text message), which is not checked again.
///
/// ```
/// use binance_ws::streams::{decode_text, Backend, Decoded, MarketEvent};
///
/// let frame = r#"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1,"s":"BNBBTC","t":2,"p":"0.001","q":"100","T":1,"m":true,"M":true}}"#;
/// let Ok(Decoded::Event { stream, event: MarketEvent::Trade(t) }) = decode_text(frame, Backend::default()) else {
///     panic!("not a trade")
/// };
/// assert_eq!(stream.as_deref(), Some("bnbbtc@trade"));
/// assert_eq!(t.symbol, "BNBBTC");
/// assert_eq!(t.price.to_string(), "0.001");
/// ```
pub fn decode_text(frame: &str, backend: Backend) -> Result<Decoded<'_>, String> {
    match first_key(frame) {
        Some(("stream", v)) => {
            if let Some((name, data)) = split_combined(frame, v) {
                if let Ok(d) = decode_data(Some(name), data, backend) {
                    return Ok(tag(Some(Cow::Borrowed(name)), d));
                }
            }
            slow_frame(frame, backend)
        }
        Some(("result" | "error" | "id", _)) => {
            serde_json::from_str::<ControlReply>(frame).map(Decoded::Reply).map_err(|e| e.to_string())
        }
        Some(("e" | "u" | "lastUpdateId", _)) => decode_data(None, frame, backend).map(|d| tag(None, d)),
        Some(_) => slow_frame(frame, backend),
        None => decode_data(None, frame, backend).map(|d| tag(None, d)),
    }
}

#[allow(clippy::large_enum_variant)]
enum Data {
    Event(MarketEvent),
    Shutdown,
}

fn tag(stream: Option<Cow<'_, str>>, d: Data) -> Decoded<'_> {
    match d {
        Data::Event(event) => Decoded::Event { stream, event },
        Data::Shutdown => Decoded::ServerShutdown,
    }
}

/// A frame whose keys are not in Binance's order: find the routing fields with a full parse first.
fn slow_frame(frame: &str, backend: Backend) -> Result<Decoded<'_>, String> {
    #[derive(Deserialize)]
    struct Top<'a> {
        #[serde(borrow, default)]
        stream: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        data: Option<&'a RawValue>,
        #[serde(default)]
        id: Option<IgnoredAny>,
        #[serde(default)]
        result: Option<IgnoredAny>,
        #[serde(default)]
        error: Option<IgnoredAny>,
    }
    let top: Top = serde_json::from_str(frame).map_err(|e| e.to_string())?;
    if let (Some(stream), Some(data)) = (top.stream, top.data) {
        let d = decode_data(Some(&stream), data.get(), backend)?;
        return Ok(match d {
            Data::Event(event) => Decoded::Event { stream: Some(Cow::Owned(stream.into_owned())), event },
            Data::Shutdown => Decoded::ServerShutdown,
        });
    }
    if top.id.is_some() || top.result.is_some() || top.error.is_some() {
        return serde_json::from_str::<ControlReply>(frame).map(Decoded::Reply).map_err(|e| e.to_string());
    }
    decode_data(None, frame, backend).map(|d| tag(None, d))
}

/// For the connection task: the byte ranges of the stream name and of the payload of a combined frame that
/// carries a market event, which may then be decoded later, on the consumer's thread (see `item.rs`). `None`:
/// decode the frame now with [`decode_text`]: control replies, `serverShutdown` (stream `!serverShutdown`, or
/// a payload whose first key says so), raw frames and frames not in the `{"stream":..,"data":..}` layout.
pub(crate) fn split_event(frame: &str) -> Option<(Range<usize>, Range<usize>)> {
    let ("stream", v) = first_key(frame)? else { return None };
    let (name, data) = split_combined(frame, v)?;
    if name == "!serverShutdown" {
        return None;
    }
    if let Some(("e", v)) = first_key(data) {
        if read_str(data, v)?.0 == "serverShutdown" {
            return None;
        }
    }
    // Both are slices of `frame`.
    let at = |part: &str| {
        let start = part.as_ptr() as usize - frame.as_ptr() as usize;
        start..start + part.len()
    };
    Some((at(name), at(data)))
}

/// Decodes what [`split_event`] set aside: the payload at `data` of `frame`, which came on stream `name`. Gives
/// what [`decode_text`] gives for the whole frame.
pub(crate) fn decode_split(
    frame: &str,
    name: &str,
    data: Range<usize>,
    backend: Backend,
) -> Result<MarketEvent, String> {
    if let Ok(Data::Event(event)) = decode_data(Some(name), frame.get(data).unwrap_or(""), backend) {
        return Ok(event);
    }
    match slow_frame(frame, backend)? {
        Decoded::Event { event, .. } => Ok(event),
        Decoded::Reply(_) | Decoded::ServerShutdown => Err("not a market event".into()),
    }
}

/// Decodes a payload (the `data` of a combined frame, or a raw frame) into a market event.
pub fn decode_payload(stream: Option<&str>, data: &[u8], backend: Backend) -> Result<MarketEvent, String> {
    let data = std::str::from_utf8(data).map_err(|e| format!("payload is not UTF-8: {e}"))?;
    match decode_data(stream, data, backend)? {
        Data::Event(e) => Ok(e),
        Data::Shutdown => Ok(MarketEvent::Other { stream: stream.map(Into::into), raw: data.to_string() }),
    }
}

fn parse<T: DeserializeOwned>(s: &str, backend: Backend) -> Result<T, String> {
    match backend {
        Backend::SerdeJson => serde_json::from_str(s).map_err(|e| e.to_string()),
        Backend::SonicRs => sonic_rs::from_str(s).map_err(|e| e.to_string()),
    }
}

fn other(stream: Option<&str>, data: &str) -> Data {
    Data::Event(MarketEvent::Other { stream: stream.map(Into::into), raw: data.to_string() })
}

fn decode_data(stream: Option<&str>, data: &str, backend: Backend) -> Result<Data, String> {
    let i = skip_ws(data.as_bytes(), 0);
    match data.as_bytes().get(i) {
        Some(b'{') => {
            match first_key(data) {
                Some(("e", v)) => {
                    if let Some((e, _)) = read_str(data, v) {
                        return by_type(e, stream, data, backend);
                    }
                }
                Some(("u", _)) => {
                    let t = match fast::book_ticker(data) {
                        Some(t) => t,
                        None => parse(data, backend)?,
                    };
                    return Ok(Data::Event(MarketEvent::BookTicker(t)));
                }
                Some(("lastUpdateId", _)) => return partial_depth(stream, data, backend),
                _ => {}
            }
            probe_object(stream, data, backend)
        }
        Some(b'[') => {
            let j = skip_ws(data.as_bytes(), i + 1);
            if data.as_bytes().get(j) == Some(&b']') {
                return Ok(empty_array(stream).unwrap_or_else(|| other(stream, data)));
            }
            let rest = data.get(j..).unwrap_or("");
            match first_key(rest) {
                Some(("e", v)) => match read_str(rest, v) {
                    Some((e, _)) => by_array_type(e, stream, data, backend),
                    None => Ok(other(stream, data)),
                },
                _ => {
                    // `e` is not the first key: find it with a probing parse of the elements.
                    #[derive(Deserialize)]
                    struct E<'a> {
                        #[serde(borrow, default)]
                        e: Option<Cow<'a, str>>,
                    }
                    let items: Vec<E> = serde_json::from_str(data).map_err(|e| e.to_string())?;
                    match items.first().and_then(|i| i.e.as_deref()) {
                        Some(e) => by_array_type(e, stream, data, backend),
                        None => Ok(other(stream, data)),
                    }
                }
            }
        }
        _ => Err("not a JSON object or array".into()),
    }
}

/// An object whose first key is not the routing one.
fn probe_object(stream: Option<&str>, data: &str, backend: Backend) -> Result<Data, String> {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        e: Option<Cow<'a, str>>,
        #[serde(rename = "lastUpdateId", default)]
        last_update_id: Option<IgnoredAny>,
        #[serde(default)]
        u: Option<IgnoredAny>,
        #[serde(default)]
        b: Option<IgnoredAny>,
    }
    let p: Probe = serde_json::from_str(data).map_err(|e| e.to_string())?;
    if let Some(e) = p.e {
        return by_type(&e, stream, data, backend);
    }
    if p.last_update_id.is_some() {
        return partial_depth(stream, data, backend);
    }
    if p.u.is_some() && p.b.is_some() {
        return Ok(Data::Event(MarketEvent::BookTicker(parse(data, backend)?)));
    }
    Ok(other(stream, data))
}

fn partial_depth(stream: Option<&str>, data: &str, backend: Backend) -> Result<Data, String> {
    let mut d: PartialDepth = parse(data, backend)?;
    d.symbol = stream.and_then(|s| s.split_once('@')).map(|(sym, _)| SmolStr::from(sym.to_ascii_uppercase()));
    Ok(Data::Event(MarketEvent::PartialDepth(d)))
}

fn by_type(e: &str, stream: Option<&str>, data: &str, backend: Backend) -> Result<Data, String> {
    use MarketEvent as M;
    let ev = match e {
        "trade" => M::Trade(fast::trade(data).map_or_else(|| parse(data, backend), Ok)?),
        "aggTrade" => M::AggTrade(fast::agg_trade(data).map_or_else(|| parse(data, backend), Ok)?),
        "depthUpdate" => M::DepthUpdate(fast::depth_update(data).map_or_else(|| parse(data, backend), Ok)?),
        "bookTicker" => M::BookTicker(parse(data, backend)?),
        "kline" => M::Kline(parse(data, backend)?),
        "24hrMiniTicker" => M::MiniTicker(parse(data, backend)?),
        "24hrTicker" => M::Ticker(parse(data, backend)?),
        "1hTicker" | "4hTicker" | "1dTicker" => M::RollingTicker(parse(data, backend)?),
        "avgPrice" => M::AvgPrice(parse(data, backend)?),
        "blockTrade" => M::BlockTrade(parse(data, backend)?),
        "referencePrice" => M::ReferencePrice(parse(data, backend)?),
        "markPriceUpdate" => M::MarkPrice(parse(data, backend)?),
        "indexPriceUpdate" => M::IndexPrice(parse(data, backend)?),
        "continuous_kline" => M::ContinuousKline(parse(data, backend)?),
        "indexPrice_kline" => M::IndexPriceKline(parse(data, backend)?),
        "markPrice_kline" => M::MarkPriceKline(parse(data, backend)?),
        "forceOrder" => M::ForceOrder(parse(data, backend)?),
        "compositeIndex" => M::CompositeIndex(parse(data, backend)?),
        "contractInfo" => M::ContractInfo(parse(data, backend)?),
        "assetIndexUpdate" => M::AssetIndex(parse(data, backend)?),
        "serverShutdown" => return Ok(Data::Shutdown),
        _ => return Ok(other(stream, data)),
    };
    Ok(Data::Event(ev))
}

fn by_array_type(e: &str, stream: Option<&str>, data: &str, backend: Backend) -> Result<Data, String> {
    use MarketEvent as M;
    let ev = match e {
        "24hrMiniTicker" => M::MiniTickers(parse(data, backend)?),
        "24hrTicker" => M::Tickers(parse(data, backend)?),
        "1hTicker" | "4hTicker" | "1dTicker" => M::RollingTickers(parse(data, backend)?),
        "markPriceUpdate" => M::MarkPrices(parse(data, backend)?),
        "assetIndexUpdate" => M::AssetIndexes(parse(data, backend)?),
        "forceOrder" => M::ForceOrders(parse(data, backend)?),
        "bookTicker" => M::BookTickers(parse(data, backend)?),
        _ => return Ok(other(stream, data)),
    };
    Ok(Data::Event(ev))
}

fn empty_array(stream: Option<&str>) -> Option<Data> {
    let s = stream?;
    let ev = if s == "!miniTicker@arr" {
        MarketEvent::MiniTickers(Vec::new())
    } else if s == "!ticker@arr" {
        MarketEvent::Tickers(Vec::new())
    } else if s.starts_with("!ticker_") {
        MarketEvent::RollingTickers(Vec::new())
    } else if s.starts_with("!markPrice@arr") {
        MarketEvent::MarkPrices(Vec::new())
    } else if s == "!assetIndex@arr" {
        MarketEvent::AssetIndexes(Vec::new())
    } else {
        return None;
    };
    Some(Data::Event(ev))
}

// ---- byte-level peeking ----

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// A string without escapes starting at `i` (which must be the opening quote): its text and the index after it.
pub(crate) fn read_str(s: &str, i: usize) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let len = b.get(start..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
    if b[start + len] != b'"' {
        return None;
    }
    // Both ends are ASCII quotes, so char boundaries.
    Some((s.get(start..start + len)?, start + len + 1))
}

/// The first key of a JSON object and the index where its value starts.
pub(crate) fn first_key(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let (key, after) = read_str(s, skip_ws(b, i + 1))?;
    let colon = skip_ws(b, after);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    Some((key, skip_ws(b, colon + 1)))
}

/// `{"stream":"<name>","data":<payload>}` with `v` at the stream value: the name and the payload bytes.
pub(crate) fn split_combined(s: &str, v: usize) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let (name, after) = read_str(s, v)?;
    let comma = skip_ws(b, after);
    if b.get(comma) != Some(&b',') {
        return None;
    }
    let (key, after_key) = read_str(s, skip_ws(b, comma + 1))?;
    if key != "data" {
        return None;
    }
    let colon = skip_ws(b, after_key);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    let start = skip_ws(b, colon + 1);
    let mut end = b.len();
    while end > start && matches!(b[end - 1], b' ' | b'\n' | b'\r' | b'\t') {
        end -= 1;
    }
    if end <= start || b[end - 1] != b'}' {
        return None;
    }
    Some((name, s.get(start..end - 1)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    const TRADE: &str = r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}"#;

    #[test]
    fn raw_and_combined_trade_decode_with_both_backends() {
        for backend in [Backend::SerdeJson, Backend::SonicRs] {
            let Decoded::Event { stream, event: MarketEvent::Trade(t) } =
                decode_frame(TRADE.as_bytes(), backend).unwrap()
            else {
                panic!("not a trade")
            };
            assert!(stream.is_none());
            assert_eq!(t.price, Decimal::from_str("0.001").unwrap());
            assert_eq!(t.trade_id, 12345);
            let combined = format!(r#"{{"stream":"bnbbtc@trade","data":{TRADE}}}"#);
            let Decoded::Event { stream, event: MarketEvent::Trade(t2) } =
                decode_frame(combined.as_bytes(), backend).unwrap()
            else {
                panic!("not a trade")
            };
            assert_eq!(stream.as_deref(), Some("bnbbtc@trade"));
            assert_eq!(t, t2);
        }
    }

    #[test]
    fn other_key_orders_still_route() {
        let f = r#"{"data":{"s":"BNBBTC","e":"trade","E":1,"t":2,"p":"1","q":"2","T":3,"m":false},"stream":"bnbbtc@trade"}"#;
        let Decoded::Event { stream, event: MarketEvent::Trade(_) } =
            decode_frame(f.as_bytes(), Backend::SonicRs).unwrap()
        else {
            panic!("not routed")
        };
        assert_eq!(stream.as_deref(), Some("bnbbtc@trade"));
        let r = decode_frame(br#"{"id":3,"result":["a@trade"]}"#, Backend::SonicRs).unwrap();
        assert!(matches!(r, Decoded::Reply(ControlReply { result: Some(_), .. })));
        let snap = r#"{"bids":[["1.0","2"]],"asks":[],"lastUpdateId":7}"#;
        let Decoded::Event { event: MarketEvent::PartialDepth(d), .. } =
            decode_frame(snap.as_bytes(), Backend::SerdeJson).unwrap()
        else {
            panic!("not a snapshot")
        };
        assert_eq!(d.last_update_id, 7);
    }

    #[test]
    fn unknown_is_other_and_garbage_is_an_error() {
        let f = br#"{"e":"brandNew","E":1,"x":[1,2]}"#;
        assert!(matches!(
            decode_frame(f, Backend::SonicRs).unwrap(),
            Decoded::Event { event: MarketEvent::Other { .. }, .. }
        ));
        assert!(decode_frame(b"not json", Backend::SonicRs).is_err());
        assert!(decode_frame(br#"{"e":"trade","E":"x"}"#, Backend::SonicRs).is_err());
        assert!(decode_frame(br#"{"stream":"a@trade","data":{"e":"trade""#, Backend::SonicRs).is_err());
        assert_eq!(
            decode_frame(br#"{"e":"serverShutdown","E":1}"#, Backend::SonicRs).unwrap(),
            Decoded::ServerShutdown
        );
    }

    #[test]
    fn only_market_events_of_combined_frames_are_set_aside() {
        let trade = format!(r#"{{"stream":"bnbbtc@trade","data":{TRADE}}}"#);
        let (name, data) = split_event(&trade).expect("a combined trade");
        assert_eq!((&trade[name], &trade[data.clone()]), ("bnbbtc@trade", TRADE));
        assert_eq!(
            decode_split(&trade, "bnbbtc@trade", data, Backend::SonicRs),
            decode_payload(None, TRADE.as_bytes(), Backend::SonicRs)
        );
        for later in [
            r#"{"stream":"bnbusdt@bookTicker","data":{"u":1,"s":"BNBUSDT","b":"1","B":"2","a":"3","A":"4"}}"#,
            r#"{"stream":"bnbbtc@depth5","data":{"lastUpdateId":1,"bids":[],"asks":[]}}"#,
            r#"{"stream":"!miniTicker@arr","data":[]}"#,
            r#"{"stream":"bnbbtc@trade","data":{"E":1,"e":"trade"}}"#,
        ] {
            assert!(split_event(later).is_some(), "{later}");
        }
        for now in [
            TRADE,
            r#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}"#,
            r#"{"stream":"x","data":{"e":"serverShutdown","E":1}}"#,
            r#"{"result":null,"id":1}"#,
            r#"{"data":{"e":"trade"},"stream":"bnbbtc@trade"}"#,
            "not json",
        ] {
            assert!(split_event(now).is_none(), "{now}");
        }
    }
}
