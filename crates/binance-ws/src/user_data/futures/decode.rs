//! One-pass decoding of a user data frame: peek at `e` (the first key in Binance's frames; a probing
//! parse otherwise), then deserialize the frame straight into that event's type.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::events::UserEvent;
use crate::streams::decode::{first_key, read_str, split_combined};

/// Decodes one text frame of a futures user data stream: a raw event (`/ws/<listenKey>`,
/// `/private/ws?listenKey=`) or a combined one (`{"stream":..,"data":{..}}`). An event type this
/// library does not know becomes [`UserEvent::Unknown`]; bytes that are not a JSON object with an `e`,
/// or a known event whose fields do not fit its type, give an error (the reason).
///
/// ```
/// use binance_ws::user_data::futures::{decode_event, UserEvent};
/// let ev = decode_event(br#"{"e":"listenKeyExpired","E":1576653824250,"listenKey":"WsCMN0a4"}"#).unwrap();
/// assert!(matches!(ev, UserEvent::ListenKeyExpired(k) if k.listen_key == "WsCMN0a4"));
/// let ev = decode_event(br#"{"e":"GRID_UPDATE","E":1,"gu":{}}"#).unwrap();
/// assert!(matches!(ev, UserEvent::Unknown { ref event_type, .. } if event_type == "GRID_UPDATE"));
/// ```
pub fn decode_event(frame: &[u8]) -> Result<UserEvent, String> {
    let text = std::str::from_utf8(frame).map_err(|e| e.to_string())?;
    let data = match first_key(text) {
        Some(("e", _)) => frame,
        Some(("stream", v)) => match split_combined(text, v) {
            Some((_, data)) => data.as_bytes(),
            None => combined_data(frame)?,
        },
        _ => combined_data(frame)?,
    };
    let kind = event_type(data)?;
    let ev = match kind.as_ref() {
        "ORDER_TRADE_UPDATE" => UserEvent::OrderTradeUpdate(parse(data)?),
        "TRADE_LITE" => UserEvent::TradeLite(parse(data)?),
        "ACCOUNT_UPDATE" => UserEvent::AccountUpdate(parse(data)?),
        "MARGIN_CALL" => UserEvent::MarginCall(parse(data)?),
        "ACCOUNT_CONFIG_UPDATE" => UserEvent::AccountConfigUpdate(parse(data)?),
        "listenKeyExpired" => UserEvent::ListenKeyExpired(parse(data)?),
        other => UserEvent::Unknown { event_type: other.to_owned(), raw: String::from_utf8_lossy(data).into_owned() },
    };
    Ok(ev)
}

/// The `data` of a combined frame whose keys are not in Binance's order, or the frame itself.
fn combined_data(frame: &[u8]) -> Result<&[u8], String> {
    #[derive(Deserialize)]
    struct Top<'a> {
        #[serde(borrow, default)]
        data: Option<&'a RawValue>,
    }
    let top: Top = serde_json::from_slice(frame).map_err(|e| e.to_string())?;
    Ok(match top.data {
        // `data` borrows from `frame`: find it there to return a slice of the frame.
        Some(raw) => {
            let start = raw.get().as_ptr() as usize - frame.as_ptr() as usize;
            &frame[start..start + raw.get().len()]
        }
        None => frame,
    })
}

fn parse<T: DeserializeOwned>(data: &[u8]) -> Result<T, String> {
    serde_json::from_slice(data).map_err(|e| e.to_string())
}

/// The `e` of an event object: read in place when it is the first key, else by a probing parse
/// (which also reaches the `data` of a combined frame whose keys came in another order).
fn event_type(data: &[u8]) -> Result<Cow<'_, str>, String> {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(("e", v)) = first_key(text) {
            if let Some((e, _)) = read_str(text, v) {
                return Ok(Cow::Borrowed(e));
            }
        }
    }
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        e: Option<Cow<'a, str>>,
    }
    let p: Probe = serde_json::from_slice(data).map_err(|e| e.to_string())?;
    p.e.ok_or_else(|| "no event type `e` in the frame".to_owned())
}
