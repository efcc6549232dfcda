//! The Binance DEX (Binance Chain) WebSocket service, served at `/api/ws`, `/api/ws/<stream>` and
//! `/api/stream?streams=<a>/<b>` (`dex-docs/ws-connection.md`).
//!
//! The real service was shut down; this module serves its protocol from the docs: a simulated chain
//! whose block height ticks, DEX-style trading pairs (`BNB_BTCB-1DE`) with a price-time order book each,
//! balances, orders and transfers of `bnb1...` addresses, and a seeded generator of activity so that
//! every topic produces events. Tests drive it deterministically through [`DexHub`]'s control methods.
//!
//! Choices where the docs are silent (all documented on the items):
//! * a successful `subscribe`/`unsubscribe`/`keepAlive` gets no reply (the docs show none);
//! * a malformed or unknown message is answered with `{"error": "<what is wrong>"}` and the connection stays open;
//! * every message is wrapped as `{"stream": <topic name>, "data": ...}`, on path connections too;
//! * `E` is the block height for orders, accounts, transfers and trades (the docs call it "Event height")
//!   and epoch milliseconds for marketDiff, klines and tickers ("Event time"); `T`/`O` of orders and `T` of
//!   trades are nanoseconds since the epoch;
//! * `marketDepth*` snapshots are pushed whenever the symbol's book changes; klines and tickers every
//!   `ticker_interval` (1 s, as the docs say);
//! * `marketDepth1000` is served without permessage-deflate (the WebSocket library has no compression).

mod chain;
mod server;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use tokio::sync::{broadcast, watch};

pub use chain::{
    amt, interval_bounds, Chain, DexBalance, DexError, DexFeed, DexPair, DexSide, DexTimeInForce, PlacedOrder,
    INTERVALS,
};
pub use server::serve_dex_connection;

/// Addresses the activity generator trades and transfers with (addresses that appear in the docs).
pub const TRADER_ADDRESSES: [&str; 4] = [
    "bnb1me5u083m2spzt8pw8vunprnctc8syy64hegrcp",
    "bnb1kdr00ydr8xj3ydcd3a8ej2xxn8lkuja7mdunr5",
    "bnb1xngdalruw8g23eqvpx9klmtttwvnlk2x4lfccu",
    "bnb17zw3mqjx64x4dxtwqjqz5tssql6qp2m0cgv06x",
];

/// Funded addresses the generator never touches: theirs are only the events tests cause.
pub const TEST_ADDRESSES: [&str; 2] =
    ["bnb1m4m9etgf3ca5wpgkqe5nr6r33a4ynxfln3yz4v", "bnb1z220ps26qlwfgz5dew9hdxe8m5malre3qy6zr9"];

/// How the DEX service is set up.
#[derive(Debug, Clone)]
pub struct DexConfig {
    /// Trading pairs.
    pub pairs: Vec<DexPair>,
    /// Funded addresses and their starting coins.
    pub funded: Vec<(String, Vec<(String, Decimal)>)>,
    /// Run the activity generator.
    pub generator: bool,
    /// Seed of the generator.
    pub seed: u64,
    /// Timings (all adjustable later through [`DexHub`]).
    pub timings: DexTimings,
}

/// The adjustable timings.
#[derive(Debug, Clone, Copy)]
pub struct DexTimings {
    /// A new block every this long.
    pub block_interval: Duration,
    /// A connection is closed when no `keepAlive` arrived for this long (docs: 30 minutes), and a connection
    /// without subscriptions is closed after this long regardless of keepAlive.
    pub keepalive_window: Duration,
    /// Klines and tickers are pushed this often (docs: every second).
    pub ticker_interval: Duration,
    /// The server pings this often (docs: 30 seconds).
    pub ping_interval: Duration,
    /// A connection whose pings went unanswered this long is closed.
    pub pong_timeout: Duration,
}

impl Default for DexTimings {
    fn default() -> Self {
        DexTimings {
            block_interval: Duration::from_millis(500),
            keepalive_window: Duration::from_secs(30 * 60),
            ticker_interval: Duration::from_secs(1),
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(90),
        }
    }
}

impl Default for DexConfig {
    fn default() -> Self {
        let d = |s: &str| s.parse::<Decimal>().expect("decimal literal");
        let pairs = vec![
            DexPair::new("BNB", "BTCB-1DE", d("0.00750000")),
            DexPair::new("BNB", "USDT.B-B7C", d("300.00000000")),
            DexPair::new("BTCB-1DE", "USDT.B-B7C", d("40000.00000000")),
        ];
        let coins = |n: i64| {
            vec![
                ("BNB".to_string(), Decimal::from(n)),
                ("BTCB-1DE".to_string(), Decimal::from(n / 100)),
                ("USDT.B-B7C".to_string(), Decimal::from(n * 300)),
            ]
        };
        let mut funded: Vec<(String, Vec<(String, Decimal)>)> =
            TRADER_ADDRESSES.iter().map(|a| (a.to_string(), coins(1_000_000))).collect();
        funded.extend(TEST_ADDRESSES.iter().map(|a| (a.to_string(), coins(10_000))));
        DexConfig { pairs, funded, generator: true, seed: 42, timings: DexTimings::default() }
    }
}

pub(crate) struct HubInner {
    pub(crate) chain: Mutex<Chain>,
    pub(crate) tx: broadcast::Sender<Arc<DexFeed>>,
    pub(crate) timings: Mutex<DexTimings>,
    generator: AtomicBool,
    rng: Mutex<StdRng>,
    /// Bumped to make every connection drop (tests of reconnects).
    pub(crate) kick: watch::Sender<u64>,
    /// Streams subscribed per connection, for tests to wait on.
    pub(crate) subscriptions: Mutex<HashMap<u64, Vec<String>>>,
    pub(crate) conn_ids: AtomicU64,
    /// Messages the connections received, for tests (method names, and `keepAlive` counts).
    pub(crate) keepalives: AtomicU64,
}

/// The DEX service shared by all its connections, with the control API tests use.
#[derive(Clone)]
pub struct DexHub {
    pub(crate) inner: Arc<HubInner>,
}

impl DexHub {
    /// Builds the hub and starts the block ticker (and the generator when enabled). Needs a tokio runtime.
    pub fn start(config: DexConfig) -> DexHub {
        let (tx, _) = broadcast::channel(65_536);
        let (kick, _) = watch::channel(0);
        let hub = DexHub {
            inner: Arc::new(HubInner {
                chain: Mutex::new(Chain::new(&config.pairs, &config.funded)),
                tx,
                timings: Mutex::new(config.timings),
                generator: AtomicBool::new(config.generator),
                rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
                kick,
                subscriptions: Mutex::new(HashMap::new()),
                conn_ids: AtomicU64::new(0),
                keepalives: AtomicU64::new(0),
            }),
        };
        if config.generator {
            hub.seed_books();
        }
        let weak = Arc::downgrade(&hub.inner);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let interval = inner.timings.lock().block_interval;
                drop(inner);
                tokio::time::sleep(interval).await;
                let Some(inner) = weak.upgrade() else { return };
                let hub = DexHub { inner };
                hub.advance_block();
                if hub.inner.generator.load(Ordering::Relaxed) {
                    hub.generate();
                }
            }
        });
        hub
    }

    fn publish(&self, feeds: Vec<DexFeed>) {
        for f in feeds {
            let _ = self.inner.tx.send(Arc::new(f));
        }
    }

    /// Runs `f` on the chain and publishes what it returns, under the chain lock so that order is kept.
    fn with_chain<T>(&self, f: impl FnOnce(&mut Chain) -> Result<(T, Vec<DexFeed>), DexError>) -> Result<T, DexError> {
        let mut chain = self.inner.chain.lock();
        let (value, feeds) = f(&mut chain)?;
        self.publish(feeds);
        Ok(value)
    }

    /// Places a limit order for `address` (it matches at once against the book).
    pub fn place_order(
        &self,
        address: &str,
        symbol: &str,
        side: DexSide,
        price: Decimal,
        qty: Decimal,
        tif: DexTimeInForce,
    ) -> Result<PlacedOrder, DexError> {
        self.with_chain(|c| c.place(address, symbol, side, price, qty, tif))
    }

    /// Cancels an open order.
    pub fn cancel_order(&self, address: &str, symbol: &str, order_id: &str) -> Result<(), DexError> {
        self.with_chain(|c| c.cancel(address, symbol, order_id).map(|f| ((), f)))
    }

    /// Transfers `amount` of `asset` from one address to another; returns the transaction hash.
    pub fn transfer(&self, from: &str, to: &str, asset: &str, amount: Decimal, memo: &str) -> Result<String, DexError> {
        self.multi_send(from, &[(to.to_string(), vec![(asset.to_string(), amount)])], memo)
    }

    /// A multi-send: several receivers and coins in one transaction; returns the transaction hash.
    pub fn multi_send(
        &self,
        from: &str,
        outputs: &[(String, Vec<(String, Decimal)>)],
        memo: &str,
    ) -> Result<String, DexError> {
        self.with_chain(|c| c.transfer(from, outputs, memo))
    }

    /// Credits coins to an address (publishes its account update).
    pub fn fund(&self, address: &str, asset: &str, amount: Decimal) {
        let _ = self.with_chain(|c| Ok(((), c.fund(address, asset, amount))));
    }

    /// Produces the next block now; returns its height.
    pub fn advance_block(&self) -> u64 {
        self.with_chain(|c| {
            let feed = c.advance();
            Ok((c.height(), vec![feed]))
        })
        .unwrap_or(0)
    }

    /// The current block height.
    pub fn height(&self) -> u64 {
        self.inner.chain.lock().height()
    }

    /// Listed symbols.
    pub fn symbols(&self) -> Vec<String> {
        self.inner.chain.lock().symbols()
    }

    /// Best bid and ask of a symbol (`None` for an unknown symbol).
    pub fn best(&self, symbol: &str) -> Option<(Option<Decimal>, Option<Decimal>)> {
        let chain = self.inner.chain.lock();
        chain.best(&chain.find_symbol(symbol)?)
    }

    /// Balances of an address.
    pub fn balances(&self, address: &str) -> std::collections::BTreeMap<String, DexBalance> {
        self.inner.chain.lock().balances(address)
    }

    /// Switches the activity generator on or off.
    pub fn set_generator(&self, on: bool) {
        self.inner.generator.store(on, Ordering::Relaxed);
    }

    /// The current timings.
    pub fn timings(&self) -> DexTimings {
        *self.inner.timings.lock()
    }

    /// Changes the timings (open connections pick them up within a tick).
    pub fn set_timings(&self, t: DexTimings) {
        *self.inner.timings.lock() = t;
    }

    /// Shortens or lengthens the keepAlive window.
    pub fn set_keepalive_window(&self, window: Duration) {
        self.inner.timings.lock().keepalive_window = window;
    }

    /// Drops every open DEX connection (close code 1001), as a server restart would.
    pub fn drop_connections(&self) {
        self.inner.kick.send_modify(|n| *n += 1);
    }

    /// The streams each open connection is subscribed to (names as in URLs: `<symbol>@<topic>`,
    /// `$all@<topic>`, `<address>@<topic>` for personal topics).
    pub fn subscriptions(&self) -> Vec<Vec<String>> {
        self.inner.subscriptions.lock().values().cloned().collect()
    }

    /// True when some connection is subscribed to `stream` (same naming as [`DexHub::subscriptions`]).
    pub fn is_subscribed(&self, stream: &str) -> bool {
        self.inner.subscriptions.lock().values().any(|s| s.iter().any(|x| x == stream))
    }

    /// Number of open DEX connections.
    pub fn connections(&self) -> usize {
        self.inner.subscriptions.lock().len()
    }

    /// Number of `keepAlive` messages received so far.
    pub fn keepalives_received(&self) -> u64 {
        self.inner.keepalives.load(Ordering::Relaxed)
    }

    /// Puts a few orders on both sides of every book so that depth streams have something to show.
    fn seed_books(&self) {
        let symbols = self.symbols();
        for (i, s) in symbols.iter().enumerate() {
            let Some(mid) = self.inner.chain.lock().last_price(s) else { continue };
            for k in 1..=5u32 {
                let step = mid * Decimal::new(k as i64, 3);
                let q = Decimal::from(k);
                let _ = self.place_order(TRADER_ADDRESSES[i % 2], s, DexSide::Buy, mid - step, q, DexTimeInForce::Gte);
                let _ =
                    self.place_order(TRADER_ADDRESSES[2 + i % 2], s, DexSide::Sell, mid + step, q, DexTimeInForce::Gte);
            }
        }
    }

    /// One block's worth of simulated activity: a resting order, often a crossing one, now and then a
    /// transfer, and housekeeping so the books stay small.
    fn generate(&self) {
        let symbols = self.symbols();
        if symbols.is_empty() {
            return;
        }
        let (symbol, maker, taker, side, ticks, qty, cross, transfer, amount) = {
            let mut rng = self.inner.rng.lock();
            let maker = rng.random_range(0..TRADER_ADDRESSES.len());
            let taker = (maker + 1 + rng.random_range(0..TRADER_ADDRESSES.len() - 1)) % TRADER_ADDRESSES.len();
            (
                symbols[rng.random_range(0..symbols.len())].clone(),
                maker,
                taker,
                if rng.random_bool(0.5) { DexSide::Buy } else { DexSide::Sell },
                rng.random_range(1..=5i64),
                Decimal::from(rng.random_range(1..=20i64)),
                rng.random_bool(0.7),
                rng.random_bool(0.25),
                Decimal::new(rng.random_range(1..=1000i64), 2),
            )
        };
        let Some(mid) = self.inner.chain.lock().last_price(&symbol) else { return };
        let offset = mid * Decimal::new(ticks, 4);
        let price = if side == DexSide::Buy { mid - offset } else { mid + offset };
        let _ = self.place_order(TRADER_ADDRESSES[maker], &symbol, side, price, qty, DexTimeInForce::Gte);
        if cross {
            let best = self.inner.chain.lock().best(&symbol);
            let opposite = match (side, best) {
                (DexSide::Buy, Some((Some(bid), _))) => Some((DexSide::Sell, bid)),
                (DexSide::Sell, Some((_, Some(ask)))) => Some((DexSide::Buy, ask)),
                _ => None,
            };
            if let Some((s, p)) = opposite {
                let tif = if ticks == 5 { DexTimeInForce::Ioc } else { DexTimeInForce::Gte };
                let _ = self.place_order(TRADER_ADDRESSES[taker], &symbol, s, p, qty / Decimal::from(2), tif);
            }
        }
        if transfer {
            let _ = self.transfer(TRADER_ADDRESSES[maker], TRADER_ADDRESSES[taker], "BNB", amount, "sim");
        }
        for s in [DexSide::Buy, DexSide::Sell] {
            let (bids, asks) = self.inner.chain.lock().open_orders(&symbol);
            let n = if s == DexSide::Buy { bids } else { asks };
            if n > 30 {
                let oldest = self.inner.chain.lock().oldest_order(&symbol, s);
                if let Some((addr, id)) = oldest {
                    let _ = self.cancel_order(&addr, &symbol, &id);
                }
            }
        }
    }
}
