//! The listener: accepts TCP, upgrades to WebSocket and routes by path to the API or the streams.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_websockets::ServerBuilder;

use crate::auth::KeyMaterial;
use crate::clock::Clock;
use crate::config::{AccountKey, SimConfig};
use crate::exchange::{AccountId, Balance, DepthSnapshot, Exchange, ExecType, Order, Reject, Side, UserEvent};
use crate::faults::Faults;
use crate::futures::traders::FuturesTraders;
use crate::futures::{FuturesVenue, Product};
use crate::market::MarketState;
use crate::ratelimit::WeightLimiter;
use crate::streams::{StreamHub, StreamServerConfig};
use crate::user_data::{event_json, Allocation, SorInfo, UserStreams};
use crate::wsapi::{Frontend, OrderLimiter};

/// An API key the exchange knows.
pub struct KeyEntry {
    /// How its signatures are checked.
    pub material: KeyMaterial,
    /// The account it acts for.
    pub account: AccountId,
}

/// State shared by every connection of one exchange.
pub struct SimShared {
    /// The configuration it started with.
    pub config: SimConfig,
    /// Server time.
    pub clock: Arc<Clock>,
    /// API keys.
    pub keys: HashMap<String, KeyEntry>,
    /// REQUEST_WEIGHT per IP.
    pub weights: Mutex<WeightLimiter>,
    /// Fault injection.
    pub faults: Arc<Faults>,
    /// Market streams: the market state and the feed of market events.
    pub hub: StreamHub,
    /// The matching engine, accounts and orders. Change it through [`SimShared::with_exchange`], so that
    /// streams and user data streams see every change.
    pub exchange: Mutex<Exchange>,
    /// The Binance DEX service (`/api/...`).
    pub dex: crate::dex::DexHub,
    /// User data stream subscriptions and each API connection's outgoing queue.
    pub user_streams: Mutex<UserStreams>,
    /// ORDERS rate limits per account.
    pub order_counts: Mutex<OrderLimiter>,
    /// SOR allocations, oldest first.
    pub allocations: Mutex<Vec<Allocation>>,
    /// Whether the simulated traders are paused.
    pub market_paused: AtomicBool,
    /// USD-M futures.
    pub usdm: FuturesVenue,
    /// COIN-M futures.
    pub coinm: FuturesVenue,
    /// Every trading request received on the Spot WebSocket API, in order.
    pub order_requests: Mutex<Vec<OrderRequest>>,
}

/// A trading request as the exchange received it (before any check), for tests that prove a client never sent
/// an order twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// Server epoch ms.
    pub time_ms: u64,
    /// The connection it came on.
    pub connection: u64,
    /// The method (`order.place`, `order.cancel`, ...).
    pub method: String,
    /// Its `newClientOrderId`, if it had one.
    pub new_client_order_id: Option<String>,
    /// Its `origClientOrderId`, if it had one.
    pub orig_client_order_id: Option<String>,
}

impl SimShared {
    /// Applies `fault` to every live connection: the WebSocket APIs' and the streams' (spot and futures).
    pub fn inject(&self, fault: crate::faults::ConnFault) {
        self.faults.inject(fault.clone());
        self.hub.inject(fault.clone());
        for venue in [&self.usdm, &self.coinm] {
            venue.hub().inject(fault.clone());
            venue.user_hub().inject(fault.clone());
        }
    }

    /// Applies `fault` to the one live connection `connection` (a number from
    /// [`Faults::live_connections`]), whichever service it speaks; logged as an injection aimed at it.
    pub fn inject_into(&self, connection: u64, fault: crate::faults::ConnFault) {
        self.faults.inject_into(connection, fault.clone());
        self.hub.inject_into(connection, fault.clone());
        for venue in [&self.usdm, &self.coinm] {
            venue.hub().inject_into(connection, fault.clone());
            venue.user_hub().inject_into(connection, fault.clone());
        }
    }

    /// Runs `f` on the exchange at the current server time, then publishes what it did: market events to the
    /// stream hub and user events to the subscribed connections, in the order the engine recorded them. The
    /// exchange stays locked until both are queued, so concurrent operations never interleave their events.
    pub fn with_exchange<R>(&self, f: impl FnOnce(&mut Exchange, u64) -> R) -> R {
        let mut ex = self.exchange.lock();
        let now = self.clock.now_ms();
        let out = f(&mut ex, now);
        let market = ex.drain_market_events();
        let user = ex.drain_user_events();
        if !market.is_empty() {
            self.hub.publish(market);
        }
        if !user.is_empty() {
            let mut streams = self.user_streams.lock();
            let mut dropped = Vec::new();
            for (account, ev) in user {
                let sor = self.sor_info(&ex, &streams, &ev);
                if streams.wants(account) {
                    dropped.extend(streams.deliver(account, &event_json(&ev, sor)));
                }
            }
            drop(streams);
            for conn in dropped {
                self.faults.record(
                    conn,
                    crate::faults::FaultKind::SlowConsumer,
                    "dropped: user data stream queue full".into(),
                );
            }
        }
        out
    }

    /// SOR fields of an event; records an allocation for each fill of an SOR order.
    fn sor_info(&self, ex: &Exchange, streams: &UserStreams, ev: &UserEvent) -> SorInfo {
        let UserEvent::Execution(r) = ev else { return SorInfo::default() };
        if !streams.sor_orders.contains(&r.order.order_id) {
            return SorInfo::default();
        }
        let mut allocation_id = None;
        if r.exec_type == ExecType::Trade {
            let mut allocs = self.allocations.lock();
            let id = allocs.iter().filter(|a| a.symbol == r.order.symbol).count() as u64;
            let (base, quote) =
                ex.symbol(&r.order.symbol).map(|c| (c.base_asset.clone(), c.quote_asset.clone())).unwrap_or_default();
            let is_buyer = r.order.side == Side::Buy;
            allocs.push(Allocation {
                account: r.order.account,
                symbol: r.order.symbol.clone(),
                allocation_id: id,
                order_id: r.order.order_id,
                order_list_id: r.order.order_list_id,
                price: r.last_price,
                qty: r.last_qty,
                quote_qty: r.last_quote_qty,
                commission: r.commission,
                commission_asset: r.commission_asset.clone().unwrap_or(if is_buyer { base } else { quote }),
                time: r.transact_time,
                is_buyer,
                is_maker: r.is_maker,
            });
            allocation_id = Some(id);
        }
        SorInfo { used_sor: true, allocation_id }
    }

    /// The account an API key acts for.
    pub fn account_of(&self, api_key: &str) -> Option<AccountId> {
        self.keys.get(api_key).map(|k| k.account)
    }

    /// A futures product.
    pub fn futures(&self, product: Product) -> &FuturesVenue {
        match product {
            Product::UsdM => &self.usdm,
            Product::CoinM => &self.coinm,
        }
    }
}

/// A running local exchange. Dropping it stops the listener (open connections end with their tasks).
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<SimShared>,
    accept: JoinHandle<()>,
    traders: Option<JoinHandle<()>>,
    /// Futures traders and index updaters.
    background: Vec<JoinHandle<()>>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.accept.abort();
        if let Some(t) = &self.traders {
            t.abort();
        }
        for t in &self.background {
            t.abort();
        }
    }
}

/// Errors starting the exchange.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// An account's key could not be read.
    #[error("account {api_key}: {reason}")]
    Key {
        /// Which account.
        api_key: String,
        /// Why.
        reason: String,
    },
}

impl Sim {
    /// Starts an exchange in this process and returns once it listens.
    pub async fn start(config: SimConfig) -> Result<Sim, StartError> {
        let mut exchange = Exchange::new(config.exchange.clone());
        let mut keys = HashMap::new();
        for account in &config.accounts {
            let material = match &account.key {
                AccountKey::Hmac(secret) => KeyMaterial::hmac(secret.clone()),
                AccountKey::PublicPem(pem) => KeyMaterial::from_public_pem(pem)
                    .map_err(|reason| StartError::Key { api_key: account.api_key.clone(), reason })?,
            };
            let id = exchange.add_account(account.balances.iter().map(|(a, q)| (a.clone(), *q)));
            keys.insert(account.api_key.clone(), KeyEntry { material, account: id });
        }
        let traders = config.activity.as_ref().map(|a| crate::traders::Traders::new(&mut exchange, a, config.seed));
        let listener =
            TcpListener::bind(config.bind).await.map_err(|source| StartError::Bind { addr: config.bind, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.bind, source })?;
        let stream_cfg = StreamServerConfig {
            ping_interval: config.ping_interval,
            pong_timeout: config.pong_timeout,
            max_lifetime: Some(config.connection_lifetime),
            ..Default::default()
        };
        let faults = Arc::new(Faults::default());
        let hub = StreamHub::with_fault_log(MarketState::default(), stream_cfg.clone(), faults.clone());
        let clock = Arc::new(Clock::default());
        let now = clock.now_ms();
        let ban_ms = config.ban_duration.as_millis() as u64;
        let venue = |product: Product, seed: u64| {
            FuturesVenue::new(
                product,
                &config.futures,
                stream_cfg.clone(),
                crate::ratelimit::WeightLimiter::new(
                    config.futures.weight_per_minute,
                    config.violations_before_ban,
                    ban_ms,
                ),
                seed,
                clock.clone(),
                faults.clone(),
            )
        };
        let (usdm, coinm) = (venue(Product::UsdM, config.seed ^ 0x55), venue(Product::CoinM, config.seed ^ 0xC0));
        for entry in keys.values() {
            usdm.open_account(entry.account, &config.futures.usdm_balances);
            coinm.open_account(entry.account, &config.futures.coinm_balances);
        }
        let futures_traders: Vec<FuturesTraders> = match &config.activity {
            Some(a) => [&usdm, &coinm]
                .iter()
                .map(|v| v.with_engine(now, |e, _| FuturesTraders::new(e, a, config.seed)))
                .collect(),
            None => Vec::new(),
        };
        let dex = crate::dex::DexHub::start(crate::dex::DexConfig { seed: config.seed, ..Default::default() });
        let shared = Arc::new(SimShared {
            hub,
            exchange: Mutex::new(exchange),
            dex,
            weights: Mutex::new(WeightLimiter::new(
                config.weight_per_minute,
                config.violations_before_ban,
                config.ban_duration.as_millis() as u64,
            )),
            user_streams: Mutex::new(UserStreams::default()),
            order_counts: Mutex::new(OrderLimiter::new(config.orders_per_10s, config.orders_per_day)),
            allocations: Mutex::new(Vec::new()),
            market_paused: AtomicBool::new(false),
            usdm,
            coinm,
            config,
            clock,
            keys,
            faults,
            order_requests: Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        let traders = traders.map(|t| tokio::spawn(t.run(shared.clone())));
        let mut background: Vec<JoinHandle<()>> =
            futures_traders.into_iter().map(|t| tokio::spawn(t.run(shared.clone()))).collect();
        let mark_interval = shared.config.futures.mark_interval;
        for product in [Product::UsdM, Product::CoinM] {
            background.push(tokio::spawn(crate::futures::traders::run_index(shared.clone(), product, mark_interval)));
        }
        tracing::info!(%addr, "local exchange listening");
        Ok(Sim { addr, shared, accept, traders, background })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://ADDR`, the base URL for clients (`Env::Local`).
    pub fn base_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The Spot WebSocket API endpoint.
    pub fn api_url(&self) -> String {
        format!("ws://{}/ws-api/v3", self.addr)
    }

    /// Applies `fault` to every live connection, API and streams alike (see [`SimShared::inject`]).
    pub fn inject(&self, fault: crate::faults::ConnFault) {
        self.shared.inject(fault);
    }

    /// Applies `fault` to one live connection (see [`SimShared::inject_into`]).
    pub fn inject_into(&self, connection: u64, fault: crate::faults::ConnFault) {
        self.shared.inject_into(connection, fault);
    }

    /// Fault injection and its log.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every trading request the Spot WebSocket API received so far, in order.
    pub fn order_requests(&self) -> Vec<OrderRequest> {
        self.shared.order_requests.lock().clone()
    }

    /// The exchange clock (shift it to test clock skew).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The market stream hub: publish market events to every stream connection.
    pub fn hub(&self) -> &StreamHub {
        &self.shared.hub
    }

    /// The Binance DEX service served at `/api/...`: its chain and control API.
    pub fn dex(&self) -> &crate::dex::DexHub {
        &self.shared.dex
    }

    /// Everything shared by the connections.
    pub fn shared(&self) -> &Arc<SimShared> {
        &self.shared
    }

    fn account(&self, api_key: &str) -> Result<AccountId, Reject> {
        self.shared
            .account_of(api_key)
            .ok_or_else(|| Reject { code: -2015, msg: "Invalid API-key, IP, or permissions for action.".into() })
    }

    /// The true book: the top `limit` levels of each side and the last update id.
    pub fn depth(&self, symbol: &str, limit: usize) -> Result<DepthSnapshot, Reject> {
        self.shared.exchange.lock().depth(symbol, limit)
    }

    /// The balances of the account behind `api_key` (every asset it ever held).
    pub fn balances(&self, api_key: &str) -> Result<Vec<(String, Balance)>, Reject> {
        let account = self.account(api_key)?;
        self.shared.exchange.lock().balances(account)
    }

    /// The open orders of the account behind `api_key`, all symbols.
    pub fn open_orders(&self, api_key: &str) -> Result<Vec<Order>, Reject> {
        let account = self.account(api_key)?;
        self.shared.exchange.lock().open_orders(account, None)
    }

    /// Credits `amount` of `asset` (negative: withdraws); subscribers get `balanceUpdate` and
    /// `outboundAccountPosition`.
    pub fn deposit(&self, api_key: &str, asset: &str, amount: rust_decimal::Decimal) -> Result<Balance, Reject> {
        let account = self.account(api_key)?;
        self.shared.with_exchange(|ex, now| ex.adjust_balance(account, asset, amount, now))
    }

    /// Locks `delta` of `asset` from outside spot trading (negative: releases it); subscribers get
    /// `externalLockUpdate` and `outboundAccountPosition`.
    pub fn external_lock(&self, api_key: &str, asset: &str, delta: rust_decimal::Decimal) -> Result<Balance, Reject> {
        let account = self.account(api_key)?;
        self.shared.with_exchange(|ex, now| ex.external_lock(account, asset, delta, now))
    }

    /// Commissions the exchange collected so far, per asset.
    pub fn commissions_collected(&self) -> std::collections::BTreeMap<String, rust_decimal::Decimal> {
        self.shared.exchange.lock().commissions_collected().clone()
    }

    /// Pauses the simulated traders (the book keeps its orders).
    pub fn pause_market(&self) {
        self.shared.market_paused.store(true, Ordering::Relaxed);
    }

    /// Resumes the simulated traders.
    pub fn resume_market(&self) {
        self.shared.market_paused.store(false, Ordering::Relaxed);
    }

    /// The WebSocket API endpoint of a futures product (`ws://ADDR/ws-fapi/v1`, `ws://ADDR/ws-dapi/v1`).
    pub fn futures_api_url(&self, product: Product) -> String {
        format!("ws://{}{}", self.addr, product.api_path())
    }

    /// The stream base of a futures product (`ws://ADDR/fstream`, `ws://ADDR/dstream`).
    pub fn futures_stream_url(&self, product: Product) -> String {
        format!("ws://{}{}", self.addr, product.stream_prefix())
    }

    /// A futures product: its engine, stream hubs and listenKeys.
    pub fn futures(&self, product: Product) -> &FuturesVenue {
        self.shared.futures(product)
    }

    /// Switches an account between one-way (`hedge` false) and hedge mode (the WebSocket APIs cannot);
    /// -4059 when already in that mode, -4067/-4068 with open orders or positions.
    pub fn set_position_mode(&self, product: Product, api_key: &str, hedge: bool) -> Result<(), Reject> {
        let account = self.account(api_key)?;
        self.futures(product).with_engine(self.shared.clock.now_ms(), |e, _| e.set_hedge_mode(account, hedge))
    }

    /// Sets an account's leverage on a symbol; listenKey connections get ACCOUNT_CONFIG_UPDATE.
    pub fn set_leverage(&self, product: Product, api_key: &str, symbol: &str, leverage: u32) -> Result<(), Reject> {
        let account = self.account(api_key)?;
        self.futures(product)
            .with_engine(self.shared.clock.now_ms(), |e, now| e.set_leverage(account, symbol, leverage, now))
    }

    /// Pins a futures contract's mark price (None: derived again from the index, the book and the last price).
    /// Conditional orders working on the mark price trigger at once if it crosses their stop.
    pub fn set_mark_price(
        &self,
        product: Product,
        symbol: &str,
        mark: Option<rust_decimal::Decimal>,
    ) -> Result<(), Reject> {
        self.futures(product).with_engine(self.shared.clock.now_ms(), |e, now| e.set_mark_price(symbol, mark, now))
    }

    /// Credits (negative: withdraws) a futures wallet; listenKey connections get ACCOUNT_UPDATE (DEPOSIT or
    /// WITHDRAW). Returns the new wallet balance.
    pub fn futures_deposit(
        &self,
        product: Product,
        api_key: &str,
        asset: &str,
        amount: rust_decimal::Decimal,
    ) -> Result<rust_decimal::Decimal, Reject> {
        let account = self.account(api_key)?;
        self.futures(product).with_engine(self.shared.clock.now_ms(), |e, now| e.deposit(account, asset, amount, now))
    }

    /// An account's futures positions (its mode's sides of every contract) at the current mark prices.
    pub fn futures_positions(
        &self,
        product: Product,
        api_key: &str,
    ) -> Result<Vec<crate::futures::engine::PositionSummary>, Reject> {
        let account = self.account(api_key)?;
        Ok(self.futures(product).read(|e| e.positions(account, None)))
    }

    /// An account's futures wallets with margin figures.
    pub fn futures_balances(
        &self,
        product: Product,
        api_key: &str,
    ) -> Result<Vec<crate::futures::engine::AssetSummary>, Reject> {
        let account = self.account(api_key)?;
        Ok(self.futures(product).read(|e| e.asset_summaries(account)))
    }

    /// Runs `f` on the exchange; market and user events it causes are published as for API requests.
    pub fn with_exchange<R>(&self, f: impl FnOnce(&mut Exchange, u64) -> R) -> R {
        self.shared.with_exchange(f)
    }
}

/// The futures product whose stream prefix (`/fstream`, `/dstream`) starts `path`.
fn futures_prefix(path: &str) -> Option<(Product, &'static str)> {
    [Product::UsdM, Product::CoinM].into_iter().find_map(|p| {
        let prefix = p.stream_prefix();
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some((p, prefix))
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<SimShared>) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else { continue };
        if shared.faults.refusing() {
            shared.faults.record(0, crate::faults::FaultKind::Refuse, format!("refused connection from {peer}"));
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            // Listen to every stream feed before the handshake completes (its path is not known yet): a client
            // may act as soon as it is connected, and its connection must see what that causes.
            let spot = shared.hub.listen();
            let [usdm, coinm] = [Product::UsdM, Product::CoinM].map(|p| {
                let venue = shared.futures(p);
                (venue.hub().listen(), venue.user_hub().listen())
            });
            let Ok((request, ws)) = ServerBuilder::new().accept(tcp).await else { return };
            let path = request.uri().path().to_string();
            let query = request.uri().query().unwrap_or("").to_string();
            // Each arm keeps the listener it serves from and drops the others at once (held, they would count
            // as listening connections).
            match path.as_str() {
                "/ws-api/v3" => {
                    drop((spot, usdm, coinm));
                    crate::wsapi::serve(ws, shared, peer.ip(), &query).await
                }
                "/ws-fapi/v1" => {
                    drop((spot, usdm, coinm));
                    crate::wsapi::serve_api(ws, shared, peer.ip(), &query, Frontend::Futures(Product::UsdM)).await
                }
                "/ws-dapi/v1" => {
                    drop((spot, usdm, coinm));
                    crate::wsapi::serve_api(ws, shared, peer.ip(), &query, Frontend::Futures(Product::CoinM)).await
                }
                p if futures_prefix(p).is_some() => {
                    let (product, prefix) = futures_prefix(p).expect("checked");
                    let path_and_query = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(p);
                    let rest = &path_and_query[prefix.len()..];
                    let rest =
                        if rest.is_empty() || rest.starts_with('?') { format!("/ws{rest}") } else { rest.to_string() };
                    let (early, other) = match product {
                        Product::UsdM => (usdm, coinm),
                        Product::CoinM => (coinm, usdm),
                    };
                    drop((spot, other));
                    crate::futures::streams::serve_futures_stream(ws, &rest, shared.futures(product), early).await
                }
                p if p == "/ws" || p.starts_with("/ws/") || p == "/stream" => {
                    let path_and_query = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(p);
                    drop((usdm, coinm));
                    match &shared.config.flood {
                        Some(flood) => {
                            drop(spot);
                            crate::flood::serve_flood(ws, path_and_query, flood.clone()).await
                        }
                        None => crate::streams::serve_stream_connection(ws, path_and_query, spot).await,
                    }
                }
                p if p == "/api" || p.starts_with("/api/") => {
                    let path_and_query = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(p);
                    drop((spot, usdm, coinm));
                    crate::dex::serve_dex_connection(ws, path_and_query, shared.dex.clone()).await
                }
                _ => {
                    drop((spot, usdm, coinm));
                    let mut ws = ws;
                    let _ = futures::SinkExt::send(
                        &mut ws,
                        tokio_websockets::Message::close(
                            Some(tokio_websockets::CloseCode::POLICY_VIOLATION),
                            "unknown path",
                        ),
                    )
                    .await;
                }
            }
        });
    }
}
