//! The fault storm: one seeded run in which the local exchange injects more than a thousand faults (malformed
//! frames, sequence gaps, short stalls and reply delays; fewer drops, `serverShutdown`s, refused connections,
//! short connection lifetimes and stalls long enough to need a new connection) while the client holds 50 market
//! streams, 10 synced order books, a logged-on API session with a user data subscription, and places and
//! cancels orders. At the end:
//!
//! * every book equals the exchange's own book, level by level;
//! * every notice a client reported (streams, books, API sessions, user data) is explained by a fault the exchange
//!   logged on that client connection, and every fault that lost data was reported (see `checks`);
//! * no order was sent twice: the exchange received each client order id at most once, and the orders whose
//!   outcome the connection loss made unknown were resolved with `order.status`;
//! * nothing panicked, no stream connection was closed with 1008 for too many messages, memory stayed bounded
//!   and the event queues held no more than their capacity.
//!
//! The seed is fixed; `FAULT_STORM_SEED=<n>` tries another. A failure prints the seed.

mod book_common;
mod fault_storm_support;
mod user_data_common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::ApiConfig;
use binance_ws::book::{BookConfig, BookManager, SyncRule};
use binance_ws::env::Product;
use binance_ws::spot::Api;
use binance_ws::streams::{Interval, Stream, Streams, StreamsConfig};
use binance_ws::transport::TransportConfig;
use binance_ws::Env;
use binance_ws_sim::config::Activity;
use binance_ws_sim::exchange::{ExchangeConfig, SymbolConfig};
use binance_ws_sim::faults::FaultKind;
use binance_ws_sim::{Sim, SimConfig};
use book_common::{assert_matches_exchange, LIMIT};
use fault_storm_support::checks::{correlate, STALL_TIMEOUT_MS};
use fault_storm_support::injector::{Injector, Labels};
use fault_storm_support::observe::{Observer, Seen, Who};
use fault_storm_support::probes::{self, mib, Samples};
use fault_storm_support::trader;
use futures::StreamExt;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};
use user_data_common::{ed25519_credentials, ED_KEY};

const SEED: u64 = 20_240_611;
/// Faults to inject (counted from the exchange's own log).
const FAULTS: u64 = 1_000;
/// One fault per step.
const STEP: Duration = Duration::from_millis(40);
/// Bounds on the phases, only so that a broken client cannot hang the test.
const STORM_LIMIT: Duration = Duration::from_secs(300);
const RECOVERY_LIMIT: Duration = Duration::from_secs(90);
/// Generous: a debug build of the whole storm in one process.
const RSS_BOUND: u64 = 1024 * 1024 * 1024;

const SYMBOLS: [&str; 10] =
    ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "DOTUSDT", "LTCUSDT", "LINKUSDT"];

fn seed() -> u64 {
    std::env::var("FAULT_STORM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED)
}

/// Prints the seed when the test fails.
struct SeedOnFailure(u64);

impl Drop for SeedOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("fault storm FAILED with seed {0}; rerun with FAULT_STORM_SEED={0}", self.0);
        }
    }
}

/// Ten spot symbols: the three defaults and seven more.
fn exchange() -> ExchangeConfig {
    let mut config = ExchangeConfig::default();
    for base in ["SOL", "XRP", "ADA", "DOGE", "DOT", "LTC", "LINK"] {
        config.symbols.push(SymbolConfig::spot(base, "USDT", "0.01", "0.001", "5"));
    }
    config
}

/// Quick to notice a stall and to reconnect, so that the storm's losses are short.
fn transport() -> TransportConfig {
    TransportConfig {
        connect_timeout: Duration::from_secs(5),
        idle_ping: Duration::from_millis(500),
        stall_timeout: Duration::from_millis(STALL_TIMEOUT_MS),
        backoff_floor: Duration::from_millis(50),
        backoff_ceiling: Duration::from_millis(500),
        ..Default::default()
    }
}

fn streams_config(per_connection: usize, queue_capacity: usize) -> StreamsConfig {
    StreamsConfig {
        transport: transport(),
        max_streams_per_connection: per_connection,
        rotation_overlap: Duration::from_millis(300),
        queue_capacity,
        ..Default::default()
    }
}

/// The market consumer is slow on purpose now and then: it reads nothing for `SLOW_FOR` in every `SLOW_EVERY`, so
/// that its small queue fills and the client must drop (and report) rather than grow.
const MARKET_QUEUE: usize = 128;
const SLOW_EVERY: Duration = Duration::from_secs(8);
const SLOW_FOR: Duration = Duration::from_secs(2);
/// Notices may exceed a full queue's capacity by this much; events never do (see `streams::queue`).
const NOTICE_ROOM: usize = 64;

fn api_config() -> ApiConfig {
    // A large event channel: a connection event the test read too late would blind the correlation.
    ApiConfig { transport: transport(), event_capacity: 1 << 16, ..Default::default() }
}

/// Five streams of each symbol: 50 in all.
fn market_streams() -> Vec<Stream> {
    SYMBOLS
        .iter()
        .flat_map(|s| {
            [
                Stream::trade(s),
                Stream::agg_trade(s),
                Stream::book_ticker(s),
                Stream::mini_ticker(s),
                Stream::kline(s, Interval::M1),
            ]
        })
        .collect()
}

/// The exchange's label of each of a client's stream connections (its streams, sorted, joined by `,`).
async fn stream_labels(
    streams: &Streams,
    subscribed: &[Stream],
    who: fn(usize) -> Who,
    out: &mut HashMap<String, Who>,
) {
    let mut by_shard: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for s in subscribed {
        let shard = streams.handle().connection_of(s).await.expect("subscribed");
        by_shard.entry(shard).or_default().push(s.name());
    }
    for (shard, mut names) in by_shard {
        names.sort();
        out.insert(names.join(","), who(shard));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_storm() {
    let seed = seed();
    let _report_seed = SeedOnFailure(seed);
    probes::count_panics();
    let started = Instant::now();
    let sim = Sim::start(SimConfig {
        activity: Some(Activity { ops_per_sec: 100.0, symbols: Vec::new(), traders: 4 }),
        exchange: exchange(),
        // Trading and snapshots go on all through the storm: Binance's ORDERS and weight limits would stop them.
        orders_per_10s: 10_000_000,
        weight_per_minute: 100_000_000,
        seed,
        ..Default::default()
    })
    .await
    .expect("local exchange starts");
    let env = Env::Local(sim.base_url());

    // The clients.
    let mut market =
        Streams::connect_with(env.clone(), Product::Spot, streams_config(10, MARKET_QUEUE)).await.expect("streams");
    let subscribed = market_streams();
    market.subscribe(subscribed.clone()).await.expect("50 streams");
    let book_streams =
        Streams::connect_with(env.clone(), Product::Spot, streams_config(4, 65_536)).await.expect("streams");
    let book_api = Api::connect_with(&env, None, api_config()).await.expect("books' API");
    let mut book_api_events = book_api.client().events();
    let book_cfg = BookConfig {
        rule: SyncRule::Spot,
        retry_floor: Duration::from_millis(50),
        retry_ceiling: Duration::from_millis(500),
        first_event_wait: Duration::from_millis(500),
        ..Default::default()
    };
    let mut books = BookManager::new(book_streams, book_api, book_cfg.clone());
    let handles = books.watch(SYMBOLS).await.expect("10 books");
    let api = Api::connect_with(&env, Some(ed25519_credentials()), api_config()).await.expect("trading API");
    assert!(api.client().is_logged_on(), "the Ed25519 session logs on");
    let mut trade_events = api.client().events();
    let mut mine = api.user_data().await.expect("user data subscription");

    // Which exchange connection serves which client connection.
    let mut labels = Labels { streams: HashMap::new(), trade_key: ED_KEY.to_string() };
    stream_labels(&market, &subscribed, Who::Market, &mut labels.streams).await;
    let depth: Vec<Stream> = SYMBOLS.iter().map(|s| Stream::diff_depth(s, book_cfg.speed)).collect();
    stream_labels(books.streams(), &depth, Who::Books, &mut labels.streams).await;
    let mut obs = Observer::default();
    for (symbol, stream) in SYMBOLS.iter().zip(&depth) {
        let shard = books.streams().handle().connection_of(stream).await.expect("subscribed");
        obs.book_shard.insert(symbol.to_string(), shard);
    }
    let market_shards = market.handle().connections().await;
    let book_shards = books.streams().handle().connections().await;

    // Every book in sync before the storm.
    let synced_by = Instant::now() + LIMIT;
    while !handles.iter().all(|b| b.is_synced()) {
        tokio::select! {
            Some(ev) = books.next() => obs.book(ev),
            Some(ev) = market.next() => obs.market(ev),
            Some(ev) = mine.next() => obs.user(ev),
            _ = sleep_until(synced_by) => panic!("books not synced before the storm"),
        }
    }
    let mut samples = Samples { rss_start: probes::rss_bytes(), ..Default::default() };
    let setup = started.elapsed();

    // The storm.
    let stop = Arc::new(AtomicBool::new(false));
    let trading = trader::spawn(api.clone(), stop.clone());
    let mut injector = Injector::new(seed, labels);
    let mut step = interval(STEP);
    step.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut sample = interval(Duration::from_millis(250));
    let storm_started = Instant::now();
    let storm_deadline = storm_started + STORM_LIMIT;
    let injected = |sim: &Sim| sim.faults().counts().values().sum::<u64>();
    while injected(&sim) < FAULTS {
        let reading_market = storm_started.elapsed().as_millis() % SLOW_EVERY.as_millis() >= SLOW_FOR.as_millis();
        tokio::select! {
            Some(ev) = market.next(), if reading_market => obs.market(ev),
            Some(ev) = books.next() => obs.book(ev),
            Some(ev) = mine.next() => obs.user(ev),
            ev = trade_events.recv() => obs.api(Who::TradeApi, ev),
            ev = book_api_events.recv() => obs.api(Who::BookApi, ev),
            _ = step.tick() => injector.step(&sim),
            _ = sample.tick() => samples.sample(market.handle().queued(), books.streams().handle().queued()),
            _ = sleep_until(storm_deadline) => panic!("the storm did not reach {FAULTS} faults in {STORM_LIMIT:?}"),
        }
    }
    injector.finish(&sim);
    let storm = storm_started.elapsed();
    stop.store(true, Ordering::Relaxed);

    // Recovery: the clients settle with the market still moving (so that any gap still pending is sent and
    // seen), then the trader resolves what it left unknown.
    let recovered_by = Instant::now() + RECOVERY_LIMIT;
    let quiet_until = Instant::now() + Duration::from_secs(3);
    let mut trading = std::pin::pin!(trading);
    let mut trade_stats = None;
    loop {
        let all_up = [market_shards, book_shards].iter().enumerate().all(|(i, &n)| {
            (0..n).all(|shard| {
                let who = if i == 0 { Who::Market(shard) } else { Who::Books(shard) };
                let last =
                    obs.notes.iter().rev().find(|n| n.who == who && matches!(n.seen, Seen::Lost(_) | Seen::Back));
                !matches!(last.map(|n| &n.seen), Some(Seen::Lost(_)))
            })
        });
        if Instant::now() >= quiet_until
            && trade_stats.is_some()
            && all_up
            && api.client().is_logged_on()
            && handles.iter().all(|b| b.is_synced())
        {
            break;
        }
        tokio::select! {
            Some(ev) = market.next() => obs.market(ev),
            Some(ev) = books.next() => obs.book(ev),
            Some(ev) = mine.next() => obs.user(ev),
            ev = trade_events.recv() => obs.api(Who::TradeApi, ev),
            ev = book_api_events.recv() => obs.api(Who::BookApi, ev),
            stats = &mut trading, if trade_stats.is_none() => trade_stats = Some(stats.expect("the trader did not panic")),
            _ = sample.tick() => samples.sample(market.handle().queued(), books.streams().handle().queued()),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            _ = sleep_until(recovered_by) => panic!("the clients did not recover within {RECOVERY_LIMIT:?}"),
        }
    }
    let trade_stats = trade_stats.expect("trader finished");

    // 1. Every book equals the exchange's, level by level.
    sim.pause_market();
    let mut book_log = Vec::new();
    for b in &handles {
        assert_matches_exchange(&sim, &mut books, &mut book_log, b).await;
    }
    for ev in book_log {
        obs.book(ev);
    }
    // Reports still queued.
    while let Some(Some(ev)) = futures::FutureExt::now_or_never(market.next()) {
        obs.market(ev);
    }
    while let Some(Some(ev)) = futures::FutureExt::now_or_never(mine.next()) {
        obs.user(ev);
    }
    while let Ok(ev) = trade_events.try_recv() {
        obs.api(Who::TradeApi, Ok(ev));
    }
    while let Ok(ev) = book_api_events.try_recv() {
        obs.api(Who::BookApi, Ok(ev));
    }
    let elapsed = started.elapsed();

    // 2. Reports and faults match.
    let log = sim.faults().log();
    let verdict = correlate(&log, &injector, &obs);

    // 3. No order sent twice, and every unknown outcome resolved by looking the order up.
    let requests = sim.order_requests();
    let mut sent_times: BTreeMap<&str, u32> = BTreeMap::new();
    for r in requests.iter().filter(|r| r.method == "order.place") {
        *sent_times.entry(r.new_client_order_id.as_deref().unwrap_or("")).or_insert(0) += 1;
    }
    let twice: Vec<_> = sent_times.iter().filter(|(_, n)| **n > 1).collect();
    let place_requests: u32 = sent_times.values().sum();

    // Figures.
    let counts = sim.faults().counts();
    let total: u64 = counts.values().sum();
    let reconnects = |f: fn(&Who) -> bool| obs.count(|n| f(&n.who) && n.seen == Seen::Back);
    let rotations = |f: fn(&Who) -> bool| obs.count(|n| f(&n.who) && matches!(n.seen, Seen::Rotated(_)));
    let streams_side = |w: &Who| matches!(w, Who::Market(_) | Who::Books(_));
    let api_side = |w: &Who| matches!(w, Who::BookApi | Who::TradeApi);
    let resyncs: u64 = obs.books.values().map(|b| b.resyncs).sum();
    let gap_resyncs = obs.count(|n| matches!(&n.seen, Seen::OutOfSync(_, binance_ws::book::ResyncReason::Gap { .. })));
    let lagged: u64 = obs.notes.iter().map(|n| if let Seen::Lagged(d) = n.seen { d } else { 0 }).sum();
    let long_stalls = injector
        .aimed
        .iter()
        .filter(|a| matches!(a.fault, binance_ws_sim::ConnFault::Stall(d) if d >= fault_storm_support::injector::LONG_STALL))
        .count();
    let peak = probes::rss_peak_bytes();
    println!("fault storm: seed {seed}, {} build", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!(
        "  time: {:.1} s in all (setup {:.1} s, storm {:.1} s, recovery and checks {:.1} s)",
        elapsed.as_secs_f64(),
        setup.as_secs_f64(),
        storm.as_secs_f64(),
        (elapsed - setup - storm).as_secs_f64()
    );
    println!(
        "  faults injected: {total} ({counts:?}); {long_stalls} of the stalls long enough to replace the connection"
    );
    println!(
        "  aimed at one connection: {}; steps without a connection to aim at: {}",
        injector.aimed.len(),
        injector.no_target
    );
    println!(
        "  faults that lost data: {} cuts of a connection in use (and {} of a rotation's new connection before the \
         switch), {} gaps (of which {} on a connection whose updates also came over another during a rotation); \
         malformed frames: {}, reported as undecodable: {}, unread as their connection ended: {}",
        verdict.lossy,
        verdict.cuts_of_new_rotation_connections,
        verdict.gaps,
        verdict.gaps_harmless,
        verdict.malformed_sent,
        verdict.undecodable_reported,
        verdict.malformed_unread
    );
    println!(
        "  reconnects: {} stream connections, {} API connections; rotations: {} stream, {} API; book resyncs: {} \
         ({} after gaps); snapshot failures: {}",
        reconnects(streams_side),
        reconnects(api_side),
        rotations(streams_side),
        rotations(api_side),
        resyncs,
        gap_resyncs,
        obs.count(|n| matches!(n.seen, Seen::SnapshotFailed(_)))
    );
    println!(
        "  user data: {} Missed, {} Moved, {} restore failures",
        obs.count(|n| matches!(n.seen, Seen::Missed(_))),
        obs.count(|n| n.seen == Seen::Moved),
        obs.count(|n| matches!(n.seen, Seen::RestoreFailed(_)))
    );
    println!(
        "  events delivered: {} market events, {} book updates ({} level updates), {} user data events ({} execution \
         reports); lagged: {lagged}",
        obs.market_events, obs.book_updates, obs.level_updates, obs.user_events, obs.execution_reports
    );
    println!(
        "  orders: {} sent, {} placed, {} canceled, {} with unknown outcome ({} found by order.status, {} absent), {} \
         refused; order.place requests at the exchange: {place_requests}",
        trade_stats.sent.len(),
        trade_stats.placed,
        trade_stats.canceled,
        trade_stats.unknown,
        trade_stats.found,
        trade_stats.absent,
        trade_stats.refused.len()
    );
    println!(
        "  memory: RSS {:.0} MiB before the storm, {:.0} MiB at most sampled, peak (VmHWM) {:.0} MiB; queues at most \
         {} (market) and {} (books) events; panics: {}; 1008 closes: {}",
        samples.rss_start.map_or(f64::NAN, mib),
        samples.rss_max.map_or(f64::NAN, mib),
        peak.map_or(f64::NAN, mib),
        samples.market_queue_max,
        samples.book_queue_max,
        probes::panics(),
        sim.faults().rate_limit_closes()
    );

    // The checks.
    assert!(total >= FAULTS, "{total} faults injected");
    for kind in [
        FaultKind::Drop,
        FaultKind::Stall,
        FaultKind::Delay,
        FaultKind::Malformed,
        FaultKind::Gap,
        FaultKind::ServerShutdown,
        FaultKind::Refuse,
        FaultKind::Lifetime,
    ] {
        assert!(counts.get(&kind).copied().unwrap_or(0) > 0, "no {kind} fault injected: {counts:?}");
    }
    assert!(long_stalls > 0, "no stall long enough to replace a connection");
    assert_eq!(obs.api_events_lagged, 0, "connection events were missed by the test");
    assert!(twice.is_empty(), "orders sent more than once: {twice:?}");
    assert!(trade_stats.unresolved.is_empty(), "unknown outcomes never resolved: {:?}", trade_stats.unresolved);
    assert!(trade_stats.placed > 0 && trade_stats.canceled > 0, "{trade_stats:?}");
    assert_eq!(probes::panics(), 0, "something panicked (see the output above)");
    assert_eq!(sim.faults().rate_limit_closes(), 0, "a stream connection was closed for too many messages");
    assert!(lagged > 0, "the slow consumer never made the market queue overflow: {samples:?}");
    assert!(samples.market_queue_max <= MARKET_QUEUE + NOTICE_ROOM, "market queue grew past its capacity: {samples:?}");
    assert!(samples.book_queue_max <= 65_536, "{samples:?}");
    match peak.or(samples.rss_max) {
        Some(peak) => assert!(peak < RSS_BOUND, "peak RSS {:.0} MiB", mib(peak)),
        None => println!("  (no /proc here: memory not checked)"),
    }
    assert!(
        verdict.unexplained.is_empty() && verdict.unreported.is_empty(),
        "{} client reports no fault explains:\n{}\n{} faults lost data without a report:\n{}",
        verdict.unexplained.len(),
        verdict.unexplained.join("\n"),
        verdict.unreported.len(),
        verdict.unreported.join("\n")
    );
}
