//! One futures product as the local exchange runs it: the engine, the market stream hub, the user data feed
//! with its listenKeys, and the WebSocket API's rate limiters. Every change goes through
//! [`FuturesVenue::with_engine`], so streams and listenKey connections see everything, in order.

use std::sync::Arc;

use parking_lot::Mutex;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::config::{default_contracts, FuturesConfig, Product};
use super::engine::{Engine, EngineSettings, FMarketEvent, MarkUpdate};
use super::listen_key::ListenKeys;
use super::market::FuturesMarket;
use super::order_limits::{OrderLimits, OrderWindow};
use super::streams::{UserFeed, UserFrame};
use super::user_data::event_json;
use crate::clock::Clock;
use crate::exchange::AccountId;
use crate::faults::Faults;
use crate::ratelimit::WeightLimiter;
use crate::streams::{Hub, SessionConfig, StreamServerConfig};

/// Incoming messages per second a futures stream connection may send (the streams specs: 10).
pub const FUTURES_STREAM_MESSAGES_PER_SEC: usize = 10;

/// One futures product of a running exchange.
pub struct FuturesVenue {
    product: Product,
    engine: Mutex<Engine>,
    hub: Hub<FuturesMarket>,
    user_hub: Hub<UserFeed>,
    keys: Arc<Mutex<ListenKeys>>,
    clock: Arc<Clock>,
    /// REQUEST_WEIGHT per IP of this product's WebSocket API.
    pub weights: Mutex<WeightLimiter>,
    /// ORDERS per account.
    pub orders: Mutex<OrderLimits>,
}

impl FuturesVenue {
    /// A venue with the product's default contracts and the given stream timings (their session limits become
    /// the futures ones: 1024 streams, 10 incoming messages per second), request weights counted by `weights`, and
    /// its stream connections listed in the exchange's fault log `log`.
    pub fn new(
        product: Product,
        cfg: &FuturesConfig,
        mut streams: StreamServerConfig,
        weights: WeightLimiter,
        seed: u64,
        clock: Arc<Clock>,
        log: Arc<Faults>,
    ) -> FuturesVenue {
        let now_ms = clock.now_ms();
        let mut engine = Engine::new(product, default_contracts(product), EngineSettings::from(cfg));
        engine.tick(now_ms);
        let marks: Vec<MarkUpdate> = engine
            .contracts()
            .map(|c| MarkUpdate {
                symbol: c.symbol.clone(),
                pair: c.pair.clone(),
                mark: c.start_price,
                index: c.start_price,
                settle: c.start_price,
                funding_rate: Decimal::new(1, 4),
                next_funding_time: (now_ms / 28_800_000 + 1) * 28_800_000,
                time_ms: now_ms,
            })
            .collect();
        streams.session = SessionConfig { max_streams: 1024, max_incoming_per_sec: FUTURES_STREAM_MESSAGES_PER_SEC };
        let windows = match product {
            Product::UsdM => vec![
                OrderWindow { interval: "SECOND", num: 10, ms: 10_000, limit: cfg.usdm_orders_per_10s },
                OrderWindow { interval: "MINUTE", num: 1, ms: 60_000, limit: cfg.orders_per_minute },
            ],
            Product::CoinM => {
                vec![OrderWindow { interval: "MINUTE", num: 1, ms: 60_000, limit: cfg.orders_per_minute }]
            }
        };
        FuturesVenue {
            product,
            engine: Mutex::new(engine),
            hub: Hub::with_fault_log(FuturesMarket::new(marks), streams.clone(), log.clone()),
            user_hub: Hub::with_fault_log(UserFeed, streams, log),
            keys: Arc::new(Mutex::new(ListenKeys::new(cfg.listen_key_ttl.as_millis() as u64, seed))),
            clock,
            weights: Mutex::new(weights),
            orders: Mutex::new(OrderLimits::new(windows)),
        }
    }

    /// The product.
    pub fn product(&self) -> Product {
        self.product
    }

    /// The market stream hub.
    pub fn hub(&self) -> &Hub<FuturesMarket> {
        &self.hub
    }

    /// The user data feed of the listenKey connections.
    pub fn user_hub(&self) -> &Hub<UserFeed> {
        &self.user_hub
    }

    /// The exchange's clock (listenKeys expire by it).
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// The listenKeys.
    pub fn listen_keys(&self) -> &Arc<Mutex<ListenKeys>> {
        &self.keys
    }

    /// Runs `f` on the engine at `now_ms`, then publishes what it did: market events to the stream hub and user
    /// events to the listenKey connections of their accounts, in the order the engine recorded them. The engine
    /// stays locked until both are queued.
    pub fn with_engine<R>(&self, now_ms: u64, f: impl FnOnce(&mut Engine, u64) -> R) -> R {
        let mut engine = self.engine.lock();
        let out = f(&mut engine, now_ms);
        let market: Vec<FMarketEvent> = engine.drain_market_events();
        let user = engine.drain_user_events();
        if !market.is_empty() {
            self.hub.publish(market);
        }
        if !user.is_empty() && self.user_hub.connections() > 0 {
            let frames = user
                .iter()
                .map(|(account, ev)| UserFrame {
                    account: *account,
                    frame: event_json(&engine, *account, ev, now_ms).to_string(),
                })
                .collect();
            self.user_hub.publish(frames);
        }
        out
    }

    /// Reads the engine without changing it.
    pub fn read<R>(&self, f: impl FnOnce(&Engine) -> R) -> R {
        f(&self.engine.lock())
    }

    /// The exchangeInfo `symbols` entries of the product's contracts (the futures WebSocket APIs have no
    /// exchangeInfo method; tests and tools read the filters here).
    pub fn exchange_info(&self) -> Value {
        let inverse = self.product.is_inverse();
        self.read(|e| json!({"symbols": e.contracts().map(|c| c.exchange_info_json(inverse)).collect::<Vec<_>>()}))
    }

    /// Opens the product's account for a key's account id with these wallets.
    pub fn open_account(&self, account: AccountId, wallets: &[(String, Decimal)]) {
        self.engine.lock().add_account(Some(account), wallets.iter().cloned());
    }
}
