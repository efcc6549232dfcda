//! The DEX client against the local exchange over real sockets: every topic by URL and by subscribe
//! message, one-off reads, callbacks, keepAlive over a shortened window, reconnect with resubscription,
//! error answers and close.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::dex::{one_off, DepthLevels, DexClient, DexConfig, DexEnv, DexEvent, DexEvents, KlineInterval, Topic};
use binance_ws::transport::ConnectionEvent;
use binance_ws_sim::dex::{DexHub, DexSide, DexTimeInForce, TEST_ADDRESSES};
use binance_ws_sim::{Sim, SimConfig};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use tokio::time::{timeout, Instant};

const SYM: &str = "BNB_BTCB-1DE";

async fn sim() -> (Sim, DexEnv) {
    let sim = Sim::start(SimConfig::default()).await.expect("sim starts");
    let env = DexEnv::Local(sim.base_url());
    (sim, env)
}

fn config() -> DexConfig {
    let mut c = DexConfig::default();
    c.transport.backoff_floor = Duration::from_millis(50);
    c.transport.backoff_ceiling = Duration::from_millis(200);
    c
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Waits until the sim registered every stream (the server sends no subscribe confirmation).
async fn wait_subscribed(hub: &DexHub, streams: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !streams.iter().all(|s| hub.is_subscribed(s)) {
        assert!(Instant::now() < deadline, "not subscribed in time: {streams:?}, have {:?}", hub.subscriptions());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A maker order from one test address inside the spread, crossed by the other test address, then a
/// transfer back. Call with the generator off so that the maker is the best bid.
fn trade_and_transfer(hub: &DexHub) -> Decimal {
    let (a, b) = (TEST_ADDRESSES[0], TEST_ADDRESSES[1]);
    let (Some(bid), Some(ask)) = hub.best(SYM).unwrap() else { panic!("the seeded book has both sides") };
    let price = ((bid + ask) / Decimal::from(2)).round_dp(8);
    let maker = hub.place_order(a, SYM, DexSide::Buy, price, d("2"), DexTimeInForce::Gte).unwrap();
    assert_eq!(maker.status, "Ack");
    let taker = hub.place_order(b, SYM, DexSide::Sell, price, d("1"), DexTimeInForce::Gte).unwrap();
    assert_eq!(taker.status, "FullyFill");
    hub.transfer(b, a, "BNB", d("1.5"), "test memo").unwrap();
    price
}

fn every_topic() -> BTreeSet<Topic> {
    Topic::all().into_iter().collect()
}

/// Reads events until every topic in `want` was seen, triggering activity now and then.
async fn collect_topics(events: &mut DexEvents, hub: &DexHub, want: BTreeSet<Topic>) -> Vec<DexEvent> {
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut next_trigger = Instant::now();
    let mut saw_fill = false;
    while !(want.is_subset(&seen) && saw_fill) {
        if Instant::now() >= next_trigger {
            let price = trade_and_transfer(hub);
            kept.retain(|e| !matches!(e, DexEvent::Orders(_)));
            kept.push(DexEvent::Other { stream: Some("price".into()), raw: price.to_string() });
            next_trigger = Instant::now() + Duration::from_secs(2);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let missing: Vec<_> = want.difference(&seen).collect();
        let ev = timeout(left.min(Duration::from_millis(500)), events.next()).await;
        assert!(Instant::now() < deadline, "topics never seen: {missing:?}");
        let Ok(Some(ev)) = ev else { continue };
        if let DexEvent::Malformed(e) = &ev {
            panic!("the sim sent a frame the client cannot decode: {e}");
        }
        if let DexEvent::ServerError(e) = &ev {
            panic!("server error: {e}");
        }
        if let DexEvent::Orders(o) = &ev {
            saw_fill |= o.iter().any(|o| o.status == binance_ws::dex::OrderStatus::PartialFill);
        }
        if let Some(t) = ev.topic() {
            seen.insert(t);
            kept.push(ev);
        }
    }
    kept
}

fn check_contents(events: &[DexEvent]) {
    let mut saw_fill = false;
    let mut price = Decimal::ZERO;
    for ev in events {
        match ev {
            DexEvent::Other { raw, .. } => price = raw.parse().unwrap(),
            DexEvent::Orders(list) => {
                for o in list {
                    assert!(o.transaction_time > 1_000_000_000_000_000_000, "T in nanoseconds: {}", o.transaction_time);
                    if o.status == binance_ws::dex::OrderStatus::PartialFill {
                        saw_fill = true;
                        assert_eq!(o.last_price, price);
                        assert!(!o.fee.is_empty(), "a fill carries its fee");
                    }
                }
            }
            DexEvent::Transfers(t) => {
                assert_eq!(t[0].memo, "test memo");
                assert_eq!(t[0].outputs[0].coins[0].amount, d("1.5"));
            }
            DexEvent::Accounts(a) => assert!(a[0].balances.iter().any(|b| b.asset == "BNB")),
            DexEvent::MarketDepth { levels, book } => {
                assert!(book.bids.len() <= levels.count() && book.asks.len() <= levels.count());
                assert_eq!(book.symbol, SYM);
            }
            DexEvent::Kline(k) => assert_eq!(k.candle.symbol, SYM),
            DexEvent::AllTickers(t) => assert_eq!(t.len(), 3),
            DexEvent::AllMiniTickers(t) => assert_eq!(t.len(), 3),
            _ => {}
        }
    }
    assert!(saw_fill, "the maker's partial fill reached the address stream");
}

#[tokio::test]
async fn every_topic_by_url_streams() {
    let (sim, env) = sim().await;
    let hub = sim.dex();
    hub.set_generator(false);
    let mut streams: Vec<String> = vec![TEST_ADDRESSES[0].to_string()];
    for t in Topic::all() {
        if t.kind() != binance_ws::dex::TopicKind::Address {
            streams.push(t.stream(SYM));
        }
    }
    let client = DexClient::connect_streams(&env, streams.clone(), config()).await.unwrap();
    assert!(client.url().contains("/api/stream?streams="));
    let mut events = client.events().unwrap();
    assert!(client.events().is_none(), "the stream is handed out once");
    let registered: Vec<String> =
        streams.iter().map(|s| if s.starts_with("bnb1") { format!("{s}@orders") } else { s.clone() }).collect();
    wait_subscribed(hub, &registered).await;
    let got = collect_topics(&mut events, hub, every_topic()).await;
    check_contents(&got);
    client.close().await.unwrap();
}

#[tokio::test]
async fn every_topic_by_subscribe_messages() {
    let (sim, env) = sim().await;
    let hub = sim.dex();
    hub.set_generator(false);
    let client = DexClient::connect(&env, config()).await.unwrap();
    assert!(client.url().ends_with("/api/ws"));
    let mut events = client.events().unwrap();
    let mut registered = Vec::new();
    for t in Topic::all() {
        match t.kind() {
            binance_ws::dex::TopicKind::Address => {
                client.subscribe_address(t, TEST_ADDRESSES[0]).await.unwrap();
                registered.push(format!("{}@{t}", TEST_ADDRESSES[0]));
            }
            binance_ws::dex::TopicKind::All => {
                client.subscribe_all(t).await.unwrap();
                registered.push(t.stream(""));
            }
            binance_ws::dex::TopicKind::Symbol => {
                // Lower-case symbols are accepted ("All symbols in stream names are lowercase").
                client.subscribe(t, [SYM.to_lowercase()]).await.unwrap();
                registered.push(t.stream(SYM));
            }
        }
    }
    wait_subscribed(hub, &registered).await;
    let got = collect_topics(&mut events, hub, every_topic()).await;
    check_contents(&got);

    // Unsubscribing stops a topic.
    client.unsubscribe(Topic::Trades).await.unwrap();
    client.unsubscribe_symbols(Topic::MarketDiff, [SYM]).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while hub.is_subscribed(&Topic::Trades.stream(SYM)) || hub.is_subscribed(&Topic::MarketDiff.stream(SYM)) {
        assert!(Instant::now() < deadline, "unsubscribe not applied");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn one_off_reads_take_the_first_message() {
    let (sim, env) = sim().await;
    let t = Duration::from_secs(5);
    let ev = one_off(&env, "$all@blockheight", t).await.unwrap();
    let DexEvent::BlockHeight(h) = ev else { panic!("{ev:?}") };
    assert!(h.height >= 1);
    let ev = one_off(&env, &Topic::Ticker.stream(SYM), t).await.unwrap();
    assert!(matches!(ev, DexEvent::Ticker(ref x) if x.symbol == SYM), "{ev:?}");
    let ev = one_off(&env, &Topic::Kline(KlineInterval::Month1).stream(SYM), t).await.unwrap();
    let DexEvent::Kline(k) = ev else { panic!("{ev:?}") };
    assert_eq!(k.candle.interval(), Some(KlineInterval::Month1));
    assert!(k.candle.close_time > k.candle.open_time + 27 * 86_400_000);
    // A personal stream: its first message comes when something happens to the address.
    let hub = sim.dex().clone();
    let reader = tokio::spawn({
        let env = env.clone();
        async move { one_off(&env, TEST_ADDRESSES[0], Duration::from_secs(10)).await }
    });
    wait_subscribed(&hub, &[format!("{}@orders", TEST_ADDRESSES[0])]).await;
    hub.transfer(TEST_ADDRESSES[1], TEST_ADDRESSES[0], "BNB", d("1"), "").unwrap();
    let ev = reader.await.unwrap().unwrap();
    assert!(matches!(ev, DexEvent::Transfers(_) | DexEvent::Accounts(_)), "{ev:?}");
    // An invalid stream name is answered with an error naming it.
    let err = one_off(&env, &format!("{SYM}@bogusTopic"), t).await.unwrap_err();
    assert!(err.to_string().contains("bogusTopic"), "{err}");
    let err = one_off(&env, "NOPE_NOPE@trades", t).await.unwrap_err();
    assert!(err.to_string().contains("NOPE_NOPE"), "{err}");
}

#[tokio::test]
async fn callbacks_per_topic_and_for_connection_changes() {
    let (sim, env) = sim().await;
    let client = DexClient::connect(&env, config()).await.unwrap();
    let heights = Arc::new(AtomicU64::new(0));
    let orders = Arc::new(AtomicU64::new(0));
    let connected = Arc::new(AtomicU64::new(0));
    let h = heights.clone();
    client.on(Topic::BlockHeight, move |ev| {
        if let DexEvent::BlockHeight(b) = ev {
            h.store(b.height, Ordering::SeqCst);
        }
    });
    let o = orders.clone();
    client.on(Topic::Orders, move |ev| {
        if let DexEvent::Orders(list) = ev {
            o.fetch_add(list.len() as u64, Ordering::SeqCst);
        }
    });
    let c = connected.clone();
    let id = client.on_connection(move |ev| {
        if matches!(ev, ConnectionEvent::Connected { .. }) {
            c.fetch_add(1, Ordering::SeqCst);
        }
    });
    client.subscribe_all(Topic::BlockHeight).await.unwrap();
    client.subscribe_address(Topic::Orders, TEST_ADDRESSES[1]).await.unwrap();
    wait_subscribed(sim.dex(), &[format!("{}@orders", TEST_ADDRESSES[1]), "$all@blockheight".into()]).await;
    let height = sim.dex().advance_block();
    sim.dex().place_order(TEST_ADDRESSES[1], SYM, DexSide::Buy, d("0.00001"), d("1"), DexTimeInForce::Ioc).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while heights.load(Ordering::SeqCst) < height || orders.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "callbacks not called");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.remove_handler(id);
    client.close().await.unwrap();
}

#[tokio::test]
async fn keepalive_keeps_the_client_connected_and_a_silent_socket_is_closed() {
    let (sim, env) = sim().await;
    let hub = sim.dex();
    hub.set_keepalive_window(Duration::from_millis(1500));

    // The client sends keepAlive every 300 ms and stays connected well past the window.
    let mut cfg = config();
    cfg.keepalive_interval = Duration::from_millis(300);
    let client = DexClient::connect(&env, cfg).await.unwrap();
    let mut events = client.events().unwrap();
    client.subscribe_all(Topic::BlockHeight).await.unwrap();

    // A raw socket that never sends keepAlive is closed when the window ends.
    let url = format!("{}/api/ws/$all@blockheight", sim.base_url());
    let (mut raw, _) = tokio_websockets::ClientBuilder::from_uri(url.parse().unwrap()).connect().await.unwrap();
    let started = Instant::now();
    let reason = timeout(Duration::from_secs(5), async {
        while let Some(Ok(msg)) = raw.next().await {
            if let Some((code, reason)) = msg.as_close() {
                return (u16::from(code), reason.to_string());
            }
        }
        panic!("socket ended without a close frame");
    })
    .await
    .expect("closed within the window");
    assert!(started.elapsed() >= Duration::from_millis(1400), "closed too early: {:?}", started.elapsed());
    assert!(reason.1.contains("keepAlive"), "{reason:?}");

    // A socket without subscriptions is closed after the window even when it sends keepAlive.
    let url = format!("{}/api/ws", sim.base_url());
    let (mut idle, _) = tokio_websockets::ClientBuilder::from_uri(url.parse().unwrap()).connect().await.unwrap();
    let reason = timeout(Duration::from_secs(5), async {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    idle.send(tokio_websockets::Message::text(r#"{"method":"keepAlive"}"#)).await.unwrap();
                }
                msg = idle.next() => match msg {
                    Some(Ok(m)) => if let Some((_, r)) = m.as_close() { return r.to_string() },
                    _ => panic!("socket ended without a close frame"),
                }
            }
        }
    })
    .await
    .expect("closed");
    assert!(reason.contains("no subscriptions"), "{reason}");

    // Meanwhile the client never lost its connection and kept receiving blocks.
    let until = Instant::now() + Duration::from_secs(1);
    let mut heights = 0;
    while Instant::now() < until {
        if let Ok(Some(ev)) = timeout(Duration::from_millis(200), events.next()).await {
            match ev {
                DexEvent::Connection(ConnectionEvent::Connected { generation, .. }) => assert_eq!(generation, 0),
                DexEvent::Connection(other) => panic!("the client lost its connection: {other:?}"),
                DexEvent::BlockHeight(_) => heights += 1,
                _ => {}
            }
        }
    }
    assert!(heights > 0);
    assert!(hub.keepalives_received() >= 8, "keepAlive sent: {}", hub.keepalives_received());
    client.close().await.unwrap();
}

#[tokio::test]
async fn reconnects_and_resubscribes_after_the_server_drops_it() {
    let (sim, env) = sim().await;
    let hub = sim.dex();
    // URL stream + message subscriptions on one connection.
    let client = DexClient::connect_streams(&env, ["$all@blockheight"], config()).await.unwrap();
    let mut events = client.events().unwrap();
    client.subscribe(Topic::Trades, [SYM]).await.unwrap();
    client.subscribe(Topic::MarketDepth(DepthLevels::Top100), [SYM]).await.unwrap();
    client.subscribe_address(Topic::Orders, TEST_ADDRESSES[0]).await.unwrap();
    let wanted = [
        "$all@blockheight".to_string(),
        Topic::Trades.stream(SYM),
        Topic::MarketDepth(DepthLevels::Top100).stream(SYM),
        format!("{}@orders", TEST_ADDRESSES[0]),
    ];
    wait_subscribed(hub, &wanted).await;
    hub.drop_connections();
    let mut saw_reconnecting = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no reconnect");
        match timeout(Duration::from_secs(5), events.next()).await.unwrap().unwrap() {
            DexEvent::Connection(ConnectionEvent::Reconnecting { .. }) => saw_reconnecting = true,
            DexEvent::Connection(ConnectionEvent::Connected { generation: 1, .. }) => break,
            _ => {}
        }
    }
    assert!(saw_reconnecting);
    wait_subscribed(hub, &wanted).await;
    assert_eq!(hub.connections(), 1);
    let placed =
        hub.place_order(TEST_ADDRESSES[0], SYM, DexSide::Buy, d("0.00001"), d("1"), DexTimeInForce::Gte).unwrap();
    let mut topics = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while topics.len() < 3 {
        assert!(Instant::now() < deadline, "after the reconnect only {topics:?}");
        let Ok(Some(ev)) = timeout(Duration::from_secs(5), events.next()).await else { continue };
        match &ev {
            DexEvent::Orders(o) if o[0].order_id == placed.order_id => {
                topics.insert("orders");
            }
            DexEvent::MarketDepth { levels: DepthLevels::Top100, .. } => {
                topics.insert("depth");
            }
            DexEvent::BlockHeight(_) => {
                topics.insert("blockheight");
            }
            _ => {}
        }
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn malformed_and_unknown_messages_get_errors_that_name_them() {
    let (sim, env) = sim().await;
    let client = DexClient::connect(&env, config()).await.unwrap();
    let mut events = client.events().unwrap();
    let cases = [
        ("this is not json", "not valid JSON"),
        (r#"["subscribe"]"#, "JSON object"),
        (r#"{"topic":"trades"}"#, "missing \"method\""),
        (r#"{"method":"frobnicate"}"#, "frobnicate"),
        (r#"{"method":"subscribe","topic":"noSuchTopic","symbols":["BNB_BTCB-1DE"]}"#, "noSuchTopic"),
        (r#"{"method":"subscribe","topic":"trades","symbols":["XYZ_ABC"]}"#, "XYZ_ABC"),
        (r#"{"method":"subscribe","topic":"trades"}"#, "symbols"),
        (r#"{"method":"subscribe","topic":"orders"}"#, "address"),
        (r#"{"method":"subscribe","topic":"orders","address":"0xnotbnb"}"#, "0xnotbnb"),
        (r#"{"method":"subscribe","topic":"kline_2m","symbols":["BNB_BTCB-1DE"]}"#, "kline_2m"),
        (r#"{"method":"subscribe","topic":"allTickers","symbols":["BNB_BTCB-1DE"]}"#, "$all"),
    ];
    for (msg, needle) in cases {
        client.send_raw(msg).await.unwrap();
        let text = loop {
            match timeout(Duration::from_secs(5), events.next()).await.expect("an answer").unwrap() {
                DexEvent::ServerError(m) => break m,
                DexEvent::Connection(ConnectionEvent::Connected { .. }) => {}
                other => panic!("expected an error for {msg}, got {other:?}"),
            }
        };
        assert!(text.contains(needle), "answer to {msg}: {text:?} should name {needle:?}");
    }
    // The client's own checks refuse misuse before sending.
    assert!(client.subscribe(Topic::Orders, [SYM]).await.is_err());
    assert!(client.subscribe(Topic::Trades, Vec::<String>::new()).await.is_err());
    assert!(client.subscribe_address(Topic::Trades, TEST_ADDRESSES[0]).await.is_err());
    // `close` ends the connection for good.
    client.close().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.dex().connections() > 0 {
        assert!(Instant::now() < deadline, "server kept the connection");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    loop {
        match timeout(Duration::from_secs(5), events.next()).await.unwrap() {
            Some(DexEvent::Connection(ConnectionEvent::Closed { reason })) => {
                assert!(reason.contains("user"), "{reason}");
                break;
            }
            Some(_) => {}
            None => panic!("stream ended without a Closed event"),
        }
    }
}

#[tokio::test]
async fn the_close_method_closes_a_raw_connection() {
    let (sim, _env) = sim().await;
    let url = format!("{}/api/ws/{}", sim.base_url(), TEST_ADDRESSES[0]);
    let (mut raw, _) = tokio_websockets::ClientBuilder::from_uri(url.parse().unwrap()).connect().await.unwrap();
    raw.send(tokio_websockets::Message::text(r#"{"method":"close"}"#)).await.unwrap();
    let code = timeout(Duration::from_secs(5), async {
        while let Some(Ok(msg)) = raw.next().await {
            if let Some((code, _)) = msg.as_close() {
                return u16::from(code);
            }
        }
        0
    })
    .await
    .unwrap();
    assert_eq!(code, 1000);
}

#[tokio::test]
async fn the_generator_alone_produces_every_topic() {
    let (sim, env) = sim().await;
    let hub = sim.dex();
    // One connection per simulated trader (one address per connection), all market topics on the first.
    let mut market: Vec<String> = binance_ws_sim::dex::TRADER_ADDRESSES[..1].iter().map(|s| s.to_string()).collect();
    for t in Topic::all() {
        if t.kind() != binance_ws::dex::TopicKind::Address {
            market.push(t.stream(SYM));
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Topic>();
    let mut clients = Vec::new();
    for (i, addr) in binance_ws_sim::dex::TRADER_ADDRESSES.iter().enumerate() {
        let streams = if i == 0 { market.clone() } else { vec![addr.to_string()] };
        let client = DexClient::connect_streams(&env, streams, config()).await.unwrap();
        let tx = tx.clone();
        client.on_any(move |ev| {
            if let Some(t) = ev.topic() {
                let _ = tx.send(t);
            }
        });
        clients.push(client);
    }
    let want = every_topic();
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !want.is_subset(&seen) {
        let missing: Vec<_> = want.difference(&seen).collect();
        assert!(Instant::now() < deadline, "the generator never produced {missing:?}");
        if let Ok(Some(t)) = timeout(Duration::from_millis(500), rx.recv()).await {
            seen.insert(t);
        }
    }
    assert!(hub.height() > 1);
    for c in clients {
        c.close().await.unwrap();
    }
}
