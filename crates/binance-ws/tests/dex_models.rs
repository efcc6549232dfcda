//! Every example payload of `dex-docs/ws-streams.md` decoded through the typed models, plus fee strings,
//! nanosecond timestamps and malformed frames.

use binance_ws::dex::{
    decode_frame, DepthLevels, DexEvent, Fee, KlineInterval, OrderStatus, OrderType, Side, TickType, TimeInForce, Topic,
};
use rust_decimal::Decimal;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/binance/dex-docs/ws-streams.md");

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[derive(Debug, PartialEq)]
enum Tok {
    Str(String),
    Lit(String),
    Punct(char),
}

/// Turns the docs' JavaScript-style examples (comments, trailing commas, a missing comma, `{ ... }`
/// placeholders) into JSON. Only the punctuation is repaired; no value is changed.
fn to_json(js: &str) -> String {
    let mut toks = Vec::new();
    let chars: Vec<char> = js.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            let mut s = String::from('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    s.push(chars[i]);
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            s.push('"');
            i += 1;
            toks.push(Tok::Str(s));
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if "{}[]:,".contains(c) {
            toks.push(Tok::Punct(c));
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            let mut s = String::new();
            while i < chars.len() && !(chars[i].is_whitespace() || "{}[]:,\"".contains(chars[i])) {
                s.push(chars[i]);
                i += 1;
            }
            toks.push(Tok::Lit(s));
        }
    }
    // `{ ... }` placeholders (and the comma before them) go.
    let mut cleaned: Vec<Tok> = Vec::new();
    let mut j = 0;
    while j < toks.len() {
        if toks[j] == Tok::Punct('{')
            && toks.get(j + 1) == Some(&Tok::Lit("...".into()))
            && toks.get(j + 2) == Some(&Tok::Punct('}'))
        {
            if cleaned.last() == Some(&Tok::Punct(',')) {
                cleaned.pop();
            }
            j += 3;
            continue;
        }
        cleaned.push(std::mem::replace(&mut toks[j], Tok::Punct(' ')));
        j += 1;
    }
    let mut out = String::new();
    for (k, t) in cleaned.iter().enumerate() {
        let next = cleaned.get(k + 1);
        match t {
            Tok::Punct(',') if matches!(next, Some(Tok::Punct('}')) | Some(Tok::Punct(']'))) => continue,
            Tok::Str(s) | Tok::Lit(s) => out.push_str(s),
            Tok::Punct(c) => out.push(*c),
        }
        let ends_value = matches!(t, Tok::Str(_) | Tok::Lit(_) | Tok::Punct('}') | Tok::Punct(']'));
        let starts_value = matches!(next, Some(Tok::Str(_)) | Some(Tok::Punct('{')));
        if ends_value && starts_value {
            out.push(','); // the docs' trades example lacks a comma after "ba"
        }
    }
    out
}

/// The "Received Payload" examples, in document order.
fn payloads() -> Option<Vec<String>> {
    let Ok(doc) = std::fs::read_to_string(DOC) else {
        eprintln!("SKIPPED: {DOC} is missing, the docs' examples cannot be checked");
        return None;
    };
    let mut out = Vec::new();
    for part in doc.split("**Received Payload:**").skip(1) {
        let start = part.find("```javascript").expect("code block") + "```javascript".len();
        let end = start + part[start..].find("```").expect("end of block");
        out.push(to_json(&part[start..end]));
    }
    Some(out)
}

#[test]
fn every_documented_payload_decodes_into_its_type() {
    let Some(p) = payloads() else { return };
    assert_eq!(p.len(), 12, "one example per topic");
    let ev = |i: usize| decode_frame(p[i].as_bytes()).unwrap_or_else(|e| panic!("payload {i}: {e}\n{}", p[i]));

    // 1. Orders: numeric codes in the first report, names in the second.
    let DexEvent::Orders(orders) = ev(0) else { panic!("orders") };
    assert_eq!(orders.len(), 2);
    let o = &orders[0];
    assert_eq!(o.event_type, "executionReport");
    assert_eq!(o.height, 1499405658658);
    assert_eq!(o.symbol, "ETH_BTC");
    assert_eq!((o.side, &o.order_type, &o.time_in_force), (Side::Buy, &OrderType::Limit, &TimeInForce::GoodTillExpire));
    assert_eq!((o.quantity, o.price), (d("1.00000000"), d("0.10264410")));
    assert_eq!((o.execution_type.as_str(), &o.status), ("NEW", &OrderStatus::Ack));
    assert_eq!(o.order_id, "91D9...7E18-2317");
    assert_eq!(o.fee.items.len(), 1);
    assert_eq!((o.fee.items[0].asset.as_str(), o.fee.items[0].amount), ("BNB", d("10000")));
    assert_eq!((o.transaction_time, o.created_time, o.trade_id.as_str()), (1499405658657, 1499405658657, "TRD1"));
    let o = &orders[1];
    assert_eq!((o.side, &o.order_type, &o.time_in_force), (Side::Buy, &OrderType::Limit, &TimeInForce::GoodTillExpire));
    assert_eq!((o.order_id.as_str(), o.trade_id.as_str()), ("4293154", "TRD2"));

    // 2. Accounts.
    let DexEvent::Accounts(acc) = ev(1) else { panic!("accounts") };
    assert_eq!(acc[0].event_type, "outboundAccountInfo");
    assert_eq!(acc[0].height, 1499405658849);
    assert_eq!(acc[0].balances.len(), 3);
    assert_eq!((acc[0].balances[1].asset.as_str(), acc[0].balances[1].locked), ("BTC", d("2.19464093")));
    assert_eq!(acc[0].balances[0].free, d("17366.18538083"));

    // 3. Transfers.
    let DexEvent::Transfers(t) = ev(2) else { panic!("transfers") };
    let t = &t[0];
    assert_eq!((t.height, t.memo.as_str()), (12893, "123456789"));
    assert_eq!(t.tx_hash, "0434786487A1F4AE35D49FAE3C6F012A2AAF8DD59EC860DC7E77123B761DD91B");
    assert_eq!(t.from, "bnb1z220ps26qlwfgz5dew9hdxe8m5malre3qy6zr9");
    assert_eq!(t.outputs[0].to, "bnb1xngdalruw8g23eqvpx9klmtttwvnlk2x4lfccu");
    assert_eq!((t.outputs[0].coins[0].asset.as_str(), t.outputs[0].coins[0].amount), ("BNB", d("100.00000000")));

    // 4. Trades.
    let DexEvent::Trades(tr) = ev(3) else { panic!("trades") };
    assert_eq!(tr.len(), 2);
    assert_eq!((tr[0].trade_id.as_str(), tr[0].price, tr[0].quantity), ("12345", d("0.001"), d("100")));
    assert_eq!((tr[0].buyer_order_id.as_str(), tr[0].seller_order_id.as_str()), ("88", "50"));
    assert_eq!(tr[0].time, 123456785);
    assert_eq!(tr[0].seller_address, "bnb1me5u083m2spzt8pw8vunprnctc8syy64hegrcp");
    assert_eq!(tr[0].buyer_address, "bnb1kdr00ydr8xj3ydcd3a8ej2xxn8lkuja7mdunr5");
    assert_eq!(tr[0].tick_type, TickType::SellTaker);
    assert_eq!(tr[1].seller_order_id, "52");

    // 5. marketDiff.
    let DexEvent::MarketDiff(diff) = ev(4) else { panic!("marketDiff") };
    assert_eq!((diff.event_type.as_str(), diff.time, diff.symbol.as_str()), ("depthUpdate", 123456789, "BNB_BTC"));
    assert_eq!((diff.bids[0].price, diff.bids[0].quantity), (d("0.0024"), d("10")));
    assert_eq!((diff.asks[0].price, diff.asks[0].quantity), (d("0.0026"), d("100")));

    // 6. marketDepth.
    let DexEvent::MarketDepth { levels, book } = ev(5) else { panic!("marketDepth") };
    assert_eq!(levels, DepthLevels::Top20);
    assert_eq!((book.last_update_id, book.symbol.as_str()), (160, "BNB_BTC"));
    assert_eq!(book.asks[0].quantity, d("100"));

    // 7. Kline.
    let e = ev(6);
    assert_eq!(e.topic(), Some(Topic::Kline(KlineInterval::M1)));
    let DexEvent::Kline(k) = e else { panic!("kline") };
    let c = &k.candle;
    assert_eq!((k.time, k.symbol.as_str()), (123456789, "BNBBTC"));
    assert_eq!((c.open_time, c.close_time, c.interval()), (123400000, 123460000, Some(KlineInterval::M1)));
    assert_eq!((c.first_trade_id.as_str(), c.last_trade_id.as_str(), c.trades, c.closed), ("100", "200", 100, false));
    assert_eq!((c.open, c.close, c.high, c.low), (d("0.0010"), d("0.0020"), d("0.0025"), d("0.0015")));
    assert_eq!((c.volume, c.quote_volume), (d("1000"), d("1.0000")));

    // 8. Ticker.
    let DexEvent::Ticker(t) = ev(7) else { panic!("ticker") };
    assert_eq!((t.event_type.as_str(), t.symbol.as_str()), ("24hrTicker", "ABC_0DX-BNB"));
    assert_eq!((t.price_change, t.price_change_percent, t.weighted_avg_price), (d("0.0015"), d("250.00"), d("0.0018")));
    assert_eq!((t.prev_close, t.close, t.close_quantity), (d("0.0009"), d("0.0025"), d("10")));
    assert_eq!(
        (t.bid_price, t.bid_quantity, t.ask_price, t.ask_quantity),
        (d("0.0024"), d("10"), d("0.0026"), d("100"))
    );
    assert_eq!(
        (t.open_time, t.close_time, t.first_trade_id.as_str(), t.last_trade_id.as_str()),
        (0, 86400000, "0", "18150")
    );
    assert_eq!((t.trades, t.volume, t.quote_volume), (18151, d("10000"), d("18")));

    // 9. allTickers (the "..." placeholder element is dropped).
    let DexEvent::AllTickers(all) = ev(8) else { panic!("allTickers") };
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].trades, 18151);

    // 10. miniTicker.
    let DexEvent::MiniTicker(m) = ev(9) else { panic!("miniTicker") };
    assert_eq!(
        (m.event_type.as_str(), m.close, m.open, m.volume, m.quote_volume),
        ("24hrMiniTicker", d("0.0025"), d("0.0010"), d("10000"), d("18"))
    );

    // 11. allMiniTickers.
    let DexEvent::AllMiniTickers(all) = ev(10) else { panic!("allMiniTickers") };
    assert_eq!((all.len(), all[0].high, all[0].low), (1, d("0.0025"), d("0.0010")));

    // 12. blockheight.
    let DexEvent::BlockHeight(h) = ev(11) else { panic!("blockheight") };
    assert_eq!(h.height, 123456789);
}

#[test]
fn the_docs_stream_names_are_the_topics() {
    let Some(p) = payloads() else { return };
    let topics: Vec<Option<Topic>> = p.iter().map(|x| decode_frame(x.as_bytes()).unwrap().topic()).collect();
    use Topic::*;
    let want = [
        Orders,
        Accounts,
        Transfers,
        Trades,
        MarketDiff,
        MarketDepth(DepthLevels::Top20),
        Kline(KlineInterval::M1),
        Ticker,
        AllTickers,
        MiniTicker,
        AllMiniTickers,
        BlockHeight,
    ];
    assert_eq!(topics, want.map(Some).to_vec());
}

#[test]
fn fee_strings_in_every_form() {
    let f = Fee::parse("BNB:0.00039999").unwrap();
    assert_eq!(f.items.len(), 1);
    assert_eq!((f.items[0].asset.as_str(), f.items[0].amount), ("BNB", d("0.00039999")));
    let f = Fee::parse("1.00000000BNB;0.00001000BTC;0.00050000ETH").unwrap();
    let parts: Vec<(&str, Decimal)> = f.items.iter().map(|i| (i.asset.as_str(), i.amount)).collect();
    assert_eq!(parts, vec![("BNB", d("1.00000000")), ("BTC", d("0.00001000")), ("ETH", d("0.00050000"))]);
    assert_eq!(f.amount_of("BTC"), d("0.00001"));
    let f = Fee::parse("10000BNB").unwrap();
    assert_eq!(f.items[0].amount, Decimal::from(10000));
    // DEX asset names carry suffixes with digits, dots and dashes.
    let f = Fee::parse("0.00750000USDT.B-B7C;BTCB-1DE:0.1").unwrap();
    assert_eq!(f.items[0].asset, "USDT.B-B7C");
    assert_eq!((f.items[1].asset.as_str(), f.items[1].amount), ("BTCB-1DE", d("0.1")));
    assert!(Fee::parse("").unwrap().is_empty());
    for bad in ["BNB", "1.2.3BNB", "BNB:abc", ":5", "0.1"] {
        assert!(Fee::parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn nanosecond_timestamps_are_kept_exactly() {
    // 2024-01-01T00:00:00.123456789Z in nanoseconds: more digits than an f64 holds exactly.
    let ns: u64 = 1_704_067_200_123_456_789;
    assert_ne!(ns as f64 as u64, ns, "the value must be one f64 cannot represent");
    let frame = format!(
        r#"{{"stream":"orders","data":[{{"e":"executionReport","E":77,"s":"BNB_BTCB-1DE","S":2,"o":2,"f":3,
        "q":"1.00000000","p":"0.00750000","x":"TRADE","X":"IocNoFill","i":"ABC-1","l":"0","z":"0","L":"0",
        "n":"BNB:0.00039999","T":{ns},"t":"","O":{}}}]}}"#,
        ns - 1
    );
    let DexEvent::Orders(o) = decode_frame(frame.as_bytes()).unwrap() else { panic!() };
    assert_eq!((o[0].transaction_time, o[0].created_time), (ns, ns - 1));
    assert_eq!(
        (o[0].side, &o[0].time_in_force, &o[0].status),
        (Side::Sell, &TimeInForce::ImmediateOrCancel, &OrderStatus::IocNoFill)
    );
    let trade = format!(
        r#"{{"stream":"trades","data":[{{"e":"trade","E":1,"s":"X_Y","t":"1-1","p":"1","q":"1","b":"b","a":"a","T":{ns},"sa":"s","ba":"b","tt":2}}]}}"#
    );
    let DexEvent::Trades(t) = decode_frame(trade.as_bytes()).unwrap() else { panic!() };
    assert_eq!((t[0].time, t[0].tick_type), (ns, TickType::BuyTaker));
}

#[test]
fn every_status_value_of_the_docs() {
    for (wire, st) in [
        ("Ack", OrderStatus::Ack),
        ("Canceled", OrderStatus::Canceled),
        ("Expired", OrderStatus::Expired),
        ("IocNoFill", OrderStatus::IocNoFill),
        ("PartialFill", OrderStatus::PartialFill),
        ("FullyFill", OrderStatus::FullyFill),
        ("FailedBlocking", OrderStatus::FailedBlocking),
        ("FailedMatching", OrderStatus::FailedMatching),
        ("Unknown", OrderStatus::Unknown),
    ] {
        assert_eq!(OrderStatus::from_wire(wire), st);
    }
    assert_eq!(OrderStatus::from_wire("Brand new"), OrderStatus::Other("Brand new".into()));
}

#[test]
fn unknown_and_malformed_frames_are_values_not_panics() {
    let ev = decode_frame(br#"{"stream":"newTopic","data":{"x":1}}"#).unwrap();
    assert!(matches!(ev, DexEvent::Other { stream: Some(ref s), .. } if s == "newTopic"));
    let ev = decode_frame(br#"{"something":"else"}"#).unwrap();
    assert!(matches!(ev, DexEvent::Other { stream: None, .. }));
    let ev = decode_frame(br#"{"error":"unknown topic \"x\""}"#).unwrap();
    assert!(matches!(ev, DexEvent::ServerError(ref m) if m.contains("unknown topic")));
    for bad in [
        &b"not json"[..],
        br#"{"stream":"orders","data":[{"e":"executionReport"}]}"#,
        br#"{"stream":"trades","data":[{"e":"trade","E":1,"s":"X","t":"1","p":"one","q":"1","b":"1","a":"2","T":1}]}"#,
        br#"{"stream":"orders","data":[{"e":"executionReport","E":1,"s":"X","S":9,"o":2,"f":1,"q":"1","p":"1","x":"NEW","X":"Ack","i":"1","l":"0","z":"0","L":"0","n":"","T":1,"t":"","O":1}]}"#,
        br#"{"stream":"blockheight","data":{"h":-1}}"#,
        b"\xff\xfe",
        b"",
    ] {
        let err = decode_frame(bad).expect_err("must be an error");
        assert!(matches!(err, binance_ws::Error::Decode { .. }), "{err}");
    }
}
