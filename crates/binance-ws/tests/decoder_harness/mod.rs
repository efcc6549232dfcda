// Feeds one input to a family of decoders and checks what must hold for every input, however broken:
// no panic, and the few properties each decoder promises. Shared by the cargo-fuzz targets (fuzz/, nightly,
// `include!`d there) and by the stable test `tests/decoders_on_garbage.rs`, so both exercise the same code.
// Plain `//` comments: an `include!`d file may not carry inner doc comments.

#[allow(dead_code)]
pub mod decoders {
    use binance_ws::api::Params;
    use binance_ws::auth::{sign_params, signature_payload};
    use binance_ws::dex::{self, Topic};
    use binance_ws::streams::{decode_frame, decode_payload, Backend, Decoded, Stream};
    use binance_ws::{api, Credentials};
    use serde::de::IgnoredAny;
    use serde_json::Value;

    /// One family's check of one input.
    pub type Check = fn(&[u8]);

    /// The families, for the test to iterate over and the fuzz targets to pick one.
    pub const ALL: &[(&str, Check)] = &[
        ("api_reply", api_reply),
        ("spot_responses", spot_responses),
        ("market_frame", market_frame),
        ("dex_frame", dex_frame),
        ("user_data_push", user_data_push),
        ("sign_payload", sign_payload),
        ("pem_keys", pem_keys),
    ];

    /// A WebSocket API reply frame, as a waiting request decodes it (envelope, then `result`).
    pub fn api_reply(data: &[u8]) {
        let _ = api::decode_reply::<Value>(data);
        let _ = api::decode_reply::<IgnoredAny>(data);
    }

    /// The same frame into the typed response of every Spot API method.
    pub fn spot_responses(data: &[u8]) {
        use binance_ws::spot::*;
        macro_rules! each {
            ($($t:ty),* $(,)?) => { $( let _ = api::decode_reply::<$t>(data); )* };
        }
        each!(
            ServerTime,
            ExchangeInfo,
            DepthSnapshot,
            Vec<Trade>,
            Vec<AggTrade>,
            Vec<Kline>,
            AvgPrice,
            OneOrMany<WindowTicker>,
            OneOrMany<PriceTicker>,
            OneOrMany<BookTicker>,
            ReferencePrice,
            ReferencePriceCalculation,
            AccountInfo,
            AccountCommission,
            Vec<binance_ws::model::RateLimitCount>,
            QueriedOrder,
            Vec<QueriedOrder>,
            Vec<AccountTrade>,
            Vec<PreventedMatch>,
            Vec<Allocation>,
            Vec<OrderAmendment>,
            Vec<BlockTrade>,
            MyFilters,
            ExecutionRules,
            OrderResponse,
            Vec<OrderResponse>,
            TestOrderResponse,
            CancelReplaceResponse,
            CancelResult,
            Vec<CancelResult>,
            AmendResponse,
            OrderListResponse,
            OrderListStatus,
            Vec<OrderListStatus>,
            CanceledOrderList,
            SessionStatus,
            Subscription,
            Vec<Subscription>,
            Empty,
        );
    }

    /// A market stream frame with both JSON backends, its payload under a few stream names, and the frame's
    /// text as a stream name (names that parse must render back to themselves).
    pub fn market_frame(data: &[u8]) {
        for backend in [Backend::SerdeJson, Backend::SonicRs] {
            if let Ok(Decoded::Event { stream: Some(name), .. }) = decode_frame(data, backend) {
                // A stream name taken from a frame is a sub-slice or copy of valid UTF-8: use it as one.
                let _ = name.parse::<Stream>();
            }
            for stream in [None, Some("btcusdt@depth5"), Some("btcusdt@trade"), Some("!ticker@arr")] {
                let _ = decode_payload(stream, data, backend);
            }
        }
        if let Ok(text) = std::str::from_utf8(data) {
            if let Ok(stream) = text.parse::<Stream>() {
                let name = stream.name();
                let again: Stream = name.parse().unwrap_or_else(|e| panic!("{name:?} does not parse back: {e:?}"));
                assert_eq!(again.name(), name, "stream names are canonical after one round");
            }
        }
    }

    /// A DEX frame, and its text as the payload of every topic.
    pub fn dex_frame(data: &[u8]) {
        let _ = dex::decode_frame(data);
        let text = String::from_utf8_lossy(data);
        for topic in Topic::all() {
            let _ = dex::decode_payload(&topic, &text, data);
        }
        let _ = Topic::from_name(&text);
    }

    /// The path every user data event takes on an API connection: the pushed event is found, its type read,
    /// and the event object kept; what is kept is exactly the frame's `event` value.
    pub fn user_data_push(data: &[u8]) {
        if let Ok(Some(api::Push::Event { raw, .. })) = api::decode_push(data) {
            let parsed: Result<IgnoredAny, _> = serde_json::from_str(&raw);
            assert!(parsed.is_ok(), "the kept event is not JSON: {raw:?}");
        }
    }

    /// Request parameters built from the input: the payload is canonical (sorted by bytes, `signature` left
    /// out, the same for any insertion order), and signing adds exactly what it should with a signature over
    /// that payload.
    pub fn sign_payload(data: &[u8]) {
        let params = params_from(data);
        let payload = signature_payload(&params);
        assert_eq!(payload, reference_payload(&params), "payload is not canonical");
        let mut reversed = Params::new();
        for (k, v) in params.iter().rev() {
            reversed.insert(k.clone(), v.clone());
        }
        assert_eq!(signature_payload(&reversed), payload, "payload depends on insertion order");

        let creds = Credentials::hmac("fuzzKey", String::from_utf8_lossy(data));
        let seed = data.iter().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(*b as u64));
        let window = match seed % 5 {
            0 => None,
            1 => Some(f64::from_bits(seed)),
            2 => Some(f64::NAN),
            3 => Some((seed % 70_000) as f64 / 7.0),
            _ => Some(-((seed % 1000) as f64)),
        };
        let mut signed = params.clone();
        sign_params(&creds, &mut signed, seed, window, seed % 2 == 0);
        assert_eq!(signed.get("timestamp"), Some(&Value::from(seed)));
        let signature = signed.get("signature").and_then(Value::as_str).expect("a signature string").to_owned();
        assert_eq!(signature, creds.sign(signature_payload(&signed).as_bytes()), "signature over another payload");
        assert_eq!(signature.len(), 64, "HMAC-SHA256 in hex");
        // A window given in a form Binance reads is sent as such; otherwise the caller's parameter stays as it was.
        match window.map(api::recv_window_value).filter(|v| !v.is_null()) {
            Some(w) => {
                assert_eq!(signed.get("recvWindow"), Some(&w));
                let text = w.to_string();
                let decimals = text.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
                assert!(decimals <= 3 && !text.contains('e') && !text.contains('E'), "recvWindow {text}");
            }
            None => assert_eq!(signed.get("recvWindow"), params.get("recvWindow")),
        }
        // Nothing else of the caller's parameters changes.
        for (k, v) in &params {
            if !matches!(k.as_str(), "apiKey" | "timestamp" | "recvWindow" | "signature") {
                assert_eq!(signed.get(k), Some(v), "{k} changed");
            }
        }
    }

    /// A private key file's text: every bad key is an error value; a key that loads signs in its documented
    /// encoding (base64 of 64 bytes for Ed25519, of the modulus length for RSA).
    pub fn pem_keys(data: &[u8]) {
        use base64::Engine as _;
        use binance_ws::auth::KeyType;
        let Ok(creds) = Credentials::from_pem("fuzzKey", &String::from_utf8_lossy(data)) else { return };
        let signature = creds.sign(b"timestamp=1");
        let bytes = base64::engine::general_purpose::STANDARD.decode(&signature).expect("signatures are base64");
        match creds.key_type() {
            KeyType::Ed25519 => assert_eq!(bytes.len(), 64),
            KeyType::Rsa => assert!(bytes.len() >= 256, "{} bytes", bytes.len()),
            KeyType::Hmac => panic!("a PEM never gives an HMAC key"),
        }
    }

    /// The input as a JSON object when it is one, else split into `key=value` pairs at `&` (lossy UTF-8).
    fn params_from(data: &[u8]) -> Params {
        if let Ok(p) = serde_json::from_slice::<Params>(data) {
            return p;
        }
        let text = String::from_utf8_lossy(data);
        text.split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), Value::String(v.to_string()))
            })
            .collect()
    }

    /// The payload as web-socket-api.md defines it, written independently of the library's code.
    fn reference_payload(params: &Params) -> String {
        let mut names: Vec<&String> = params.keys().filter(|k| *k != "signature").collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let parts: Vec<String> = names
            .into_iter()
            .map(|k| match &params[k.as_str()] {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={}", serde_json::to_string(other).expect("a Value serializes")),
            })
            .collect();
        parts.join("&")
    }
}
