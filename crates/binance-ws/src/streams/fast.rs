//! Fixed-order readers for the busiest payloads (spot `trade`, `aggTrade`, `bookTicker`, `depthUpdate`),
//! exactly as Binance sends them: compact, keys in the order of web-socket-streams.md's examples, strings
//! without escapes. Anything else (another key order, whitespace, escapes, numbers where strings are
//! expected, futures' extra fields) makes a reader return `None` and the frame goes to the serde decoder,
//! so these readers only ever accept input that the serde decoder reads to the same value (see the tests).
//! Why not serde for these too: its per-field visitor machinery costs more than the scan itself, and these
//! four kinds are most of a busy feed.

use rust_decimal::Decimal;

use super::event::{AggTrade, BookTicker, DepthUpdate, Level, SmolStr, Trade};
use super::fast_decimal;
use super::level_list::LevelList;

/// A position in the payload; every method consumes what it expects or returns `None`.
struct Cur<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Cur<'a> {
        Cur { s, b: s.as_bytes(), i: 0 }
    }

    fn lit(&mut self, s: &[u8]) -> Option<()> {
        let end = self.i.checked_add(s.len())?;
        (self.b.get(self.i..end)? == s).then(|| self.i = end)
    }

    fn byte(&mut self, c: u8) -> Option<()> {
        (*self.b.get(self.i)? == c).then(|| self.i += 1)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// `,"k":` (or `"k":` for the first key, with `first`).
    fn key(&mut self, k: &[u8], first: bool) -> Option<()> {
        if !first {
            self.byte(b',')?;
        }
        self.byte(b'"')?;
        self.lit(k)?;
        self.lit(b"\":")
    }

    /// A string without escapes whose bytes are printable ASCII; its contents.
    fn str(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let start = self.i;
        let len = self.b[start..].iter().position(|&c| c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c))?;
        self.i = start + len;
        self.byte(b'"')?;
        // Both ends are ASCII, so char boundaries: no second UTF-8 check.
        self.s.get(start..start + len)
    }

    /// A JSON integer that fits a u64: digits, no sign, no leading zero, no fraction or exponent.
    fn u64(&mut self) -> Option<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        let ok = len > 0 && !(len > 1 && self.b[start] == b'0') && !matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        ok.then_some(v)
    }

    fn bool(&mut self) -> Option<bool> {
        if self.lit(b"true").is_some() {
            Some(true)
        } else {
            self.lit(b"false").map(|_| false)
        }
    }

    /// A decimal in a string, read as the serde path reads it: plain digits straight from the bytes, anything
    /// else through `Decimal::from_str`.
    fn dec(&mut self) -> Option<Decimal> {
        let open = self.i;
        self.byte(b'"')?;
        if let Some((d, n)) = fast_decimal::prefix(&self.b[self.i..]) {
            if self.b.get(self.i + n) == Some(&b'"') {
                self.i += n + 1;
                return Some(d);
            }
        }
        self.i = open;
        fast_decimal::parse(self.str()?)
    }

    /// `[["price","qty"],...]`
    fn levels(&mut self) -> Option<LevelList> {
        self.byte(b'[')?;
        let mut out = LevelList::recycled();
        if self.byte(b']').is_some() {
            return Some(out);
        }
        loop {
            self.byte(b'[')?;
            let price = self.dec()?;
            self.byte(b',')?;
            let qty = self.dec()?;
            self.byte(b']')?;
            out.push(Level { price, qty });
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// The closing brace, and nothing after it.
    fn end(&mut self) -> Option<()> {
        self.byte(b'}')?;
        (self.i == self.b.len()).then_some(())
    }
}

/// `{"e":"trade","E":..,"s":..,"t":..,"p":..,"q":..,["b":..,"a":..,]"T":..,"m":..,"M":..}`
pub(super) fn trade(b: &str) -> Option<Trade> {
    let mut c = Cur::new(b);
    c.byte(b'{')?;
    c.key(b"e", true)?;
    c.lit(b"\"trade\"")?;
    c.key(b"E", false)?;
    let event_time = c.u64()?;
    c.key(b"s", false)?;
    let symbol = SmolStr::new(c.str()?);
    c.key(b"t", false)?;
    let trade_id = c.u64()?;
    c.key(b"p", false)?;
    let price = c.dec()?;
    c.key(b"q", false)?;
    let qty = c.dec()?;
    let (mut buyer_order_id, mut seller_order_id) = (None, None);
    let before = c.i;
    if c.key(b"b", false).is_some() {
        buyer_order_id = Some(c.u64()?);
        c.key(b"a", false)?;
        seller_order_id = Some(c.u64()?);
    } else {
        c.i = before;
    }
    c.key(b"T", false)?;
    let trade_time = c.u64()?;
    c.key(b"m", false)?;
    let buyer_is_maker = c.bool()?;
    c.key(b"M", false)?;
    c.bool()?;
    c.end()?;
    Some(Trade {
        event_time,
        symbol,
        trade_id,
        price,
        qty,
        buyer_order_id,
        seller_order_id,
        trade_time,
        buyer_is_maker,
    })
}

/// `{"e":"aggTrade","E":..,"s":..,"a":..,"p":..,"q":..,"f":..,"l":..,"T":..,"m":..,"M":..}`
pub(super) fn agg_trade(b: &str) -> Option<AggTrade> {
    let mut c = Cur::new(b);
    c.byte(b'{')?;
    c.key(b"e", true)?;
    c.lit(b"\"aggTrade\"")?;
    c.key(b"E", false)?;
    let event_time = c.u64()?;
    c.key(b"s", false)?;
    let symbol = SmolStr::new(c.str()?);
    c.key(b"a", false)?;
    let agg_id = c.u64()?;
    c.key(b"p", false)?;
    let price = c.dec()?;
    c.key(b"q", false)?;
    let qty = c.dec()?;
    c.key(b"f", false)?;
    let first_trade_id = c.u64()?;
    c.key(b"l", false)?;
    let last_trade_id = c.u64()?;
    c.key(b"T", false)?;
    let trade_time = c.u64()?;
    c.key(b"m", false)?;
    let buyer_is_maker = c.bool()?;
    c.key(b"M", false)?;
    c.bool()?;
    c.end()?;
    Some(AggTrade { event_time, symbol, agg_id, price, qty, first_trade_id, last_trade_id, trade_time, buyer_is_maker })
}

/// Spot `{"u":..,"s":..,"b":..,"B":..,"a":..,"A":..}`
pub(super) fn book_ticker(b: &str) -> Option<BookTicker> {
    let mut c = Cur::new(b);
    c.byte(b'{')?;
    c.key(b"u", true)?;
    let update_id = c.u64()?;
    c.key(b"s", false)?;
    let symbol = SmolStr::new(c.str()?);
    c.key(b"b", false)?;
    let bid_price = c.dec()?;
    c.key(b"B", false)?;
    let bid_qty = c.dec()?;
    c.key(b"a", false)?;
    let ask_price = c.dec()?;
    c.key(b"A", false)?;
    let ask_qty = c.dec()?;
    c.end()?;
    Some(BookTicker {
        update_id,
        symbol,
        pair: None,
        bid_price,
        bid_qty,
        ask_price,
        ask_qty,
        event_time: None,
        transaction_time: None,
    })
}

/// Spot `{"e":"depthUpdate","E":..,"s":..,"U":..,"u":..,"b":[..],"a":[..]}`
pub(super) fn depth_update(b: &str) -> Option<DepthUpdate> {
    let mut c = Cur::new(b);
    c.byte(b'{')?;
    c.key(b"e", true)?;
    c.lit(b"\"depthUpdate\"")?;
    c.key(b"E", false)?;
    let event_time = c.u64()?;
    c.key(b"s", false)?;
    let symbol = SmolStr::new(c.str()?);
    c.key(b"U", false)?;
    let first_update_id = c.u64()?;
    c.key(b"u", false)?;
    let final_update_id = c.u64()?;
    c.key(b"b", false)?;
    let bids = c.levels()?;
    c.key(b"a", false)?;
    let asks = c.levels()?;
    c.end()?;
    Some(DepthUpdate {
        event_time,
        transaction_time: None,
        symbol,
        pair: None,
        first_update_id,
        final_update_id,
        prev_final_update_id: None,
        bids,
        asks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

    /// Every input either falls through (`None`) or reads to exactly what serde reads.
    fn agrees<T: DeserializeOwned + PartialEq + std::fmt::Debug>(fast: fn(&str) -> Option<T>, json: &str) -> bool {
        let serde: Result<T, _> = serde_json::from_str(json);
        match fast(json) {
            Some(v) => {
                assert_eq!(Ok(&v), serde.as_ref().map_err(|e| e.to_string()), "fast path disagrees on {json}");
                true
            }
            None => false,
        }
    }

    const TRADE: &str = r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}"#;
    const AGG: &str = r#"{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}"#;
    const BOOK: &str =
        r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;
    const DEPTH: &str = r#"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"],["0.0027","0.00000000"]]}"#;

    #[test]
    fn binance_order_is_read_and_agrees_with_serde() {
        assert!(agrees(trade, TRADE));
        assert!(agrees(trade, &TRADE.replace(r#""q":"100","#, r#""q":"100","b":88,"a":50,"#)));
        assert!(agrees(trade, &TRADE.replace(r#""m":true"#, r#""m":false"#)));
        assert!(agrees(agg_trade, AGG));
        assert!(agrees(book_ticker, BOOK));
        assert!(agrees(depth_update, DEPTH));
        assert!(agrees(depth_update, &DEPTH.replace(r#"[["0.0024","10"]]"#, "[]")));
        assert!(agrees(trade, &TRADE.replace("12345", "0")));
        // Whatever text Decimal::from_str takes, both paths take alike.
        assert!(agrees(trade, &TRADE.replace(r#""0.001""#, r#""1e-3""#)));
        assert!(agrees(trade, &TRADE.replace("12345", &u64::MAX.to_string())));
    }

    #[test]
    fn anything_else_falls_through_to_serde() {
        let variants = [
            TRADE.replace(r#"{"e":"trade","E":1672515782136,"#, r#"{"E":1672515782136,"e":"trade","#),
            TRADE.replace(",", ", "),
            TRADE.replace(r#""BNBBTC""#, r#""BNB\u0042TC""#),
            TRADE.replace(r#""BNBBTC""#, "\"BNB\u{e9}TC\""),
            TRADE.replace(r#""0.001""#, "0.001"),
            TRADE.replace("12345", "012345"),
            TRADE.replace("12345", "12345.0"),
            TRADE.replace("12345", "-1"),
            TRADE.replace("12345", "18446744073709551616"),
            TRADE.replace(r#""m":true"#, r#""m":1"#),
            TRADE.replace(r#""M":true}"#, r#""M":true,"x":1}"#),
            TRADE.replace(r#""M":true}"#, r#""M":true} "#),
            TRADE.replace(r#""M":true}"#, r#""M":true"#),
            TRADE.replace(r#""e":"trade""#, r#""e":"aggTrade""#),
            TRADE.replace(r#""q":"100","#, r#""q":"100","b":88,"#),
            TRADE.replace(r#""p":"0.001""#, r#""p":"abc""#),
            TRADE[..40].to_string(),
        ];
        for v in &variants {
            assert!(!agrees(trade, v), "accepted {v}");
        }
        let futures_book = r#"{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;
        assert!(!agrees(book_ticker, futures_book));
        let futures_depth = r#"{"e":"depthUpdate","E":123456789,"T":123456788,"s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#;
        assert!(!agrees(depth_update, futures_depth));
        for bad in [r#"[["0.0024","10"],]"#, r#"[["0.0024"]]"#, r#"[["0.0024","10","1"]]"#, r#"[["0.0024","10"]"#] {
            assert!(!agrees(depth_update, &DEPTH.replace(r#"[["0.0024","10"]]"#, bad)), "accepted {bad}");
        }
        for cut in 0..DEPTH.len() {
            assert!(!agrees(depth_update, &DEPTH[..cut]));
        }
    }
}
