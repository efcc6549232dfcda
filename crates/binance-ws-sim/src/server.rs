//! The listener: accepts TCP, upgrades to WebSocket and routes by path to the API or the streams.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_websockets::ServerBuilder;

use crate::auth::KeyMaterial;
use crate::clock::Clock;
use crate::config::{AccountKey, SimConfig};
use crate::exchange::{AccountId, Exchange, ExchangeConfig};
use crate::faults::Faults;
use crate::market::MarketState;
use crate::ratelimit::WeightLimiter;
use crate::streams::{StreamHub, StreamServerConfig};

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
    pub clock: Clock,
    /// API keys.
    pub keys: HashMap<String, KeyEntry>,
    /// REQUEST_WEIGHT per IP.
    pub weights: Mutex<WeightLimiter>,
    /// Fault injection.
    pub faults: Faults,
    /// Market streams: the market state and the feed of market events.
    pub hub: StreamHub,
    /// The matching engine, accounts and orders.
    pub exchange: Mutex<Exchange>,
    /// The Binance DEX service (`/api/...`).
    pub dex: crate::dex::DexHub,
    conn_ids: AtomicU64,
}

impl SimShared {
    pub(crate) fn next_conn_id(&self) -> u64 {
        self.conn_ids.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// A running local exchange. Dropping it stops the listener (open connections end with their tasks).
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<SimShared>,
    accept: JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.accept.abort();
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
        let mut exchange = Exchange::new(ExchangeConfig::default());
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
        let listener =
            TcpListener::bind(config.bind).await.map_err(|source| StartError::Bind { addr: config.bind, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.bind, source })?;
        let hub = StreamHub::with_config(
            MarketState::default(),
            StreamServerConfig {
                ping_interval: config.ping_interval,
                pong_timeout: config.pong_timeout,
                max_lifetime: Some(config.connection_lifetime),
                ..Default::default()
            },
        );
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
            config,
            clock: Clock::default(),
            keys,
            faults: Faults::default(),
            conn_ids: AtomicU64::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        tracing::info!(%addr, "local exchange listening");
        Ok(Sim { addr, shared, accept })
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

    /// Fault injection and its log.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
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
}

async fn accept_loop(listener: TcpListener, shared: Arc<SimShared>) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else { continue };
        if shared.faults.refusing() {
            shared.faults.record(0, format!("refused connection from {peer}"));
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let Ok((request, ws)) = ServerBuilder::new().accept(tcp).await else { return };
            let path = request.uri().path().to_string();
            let query = request.uri().query().unwrap_or("").to_string();
            match path.as_str() {
                "/ws-api/v3" => crate::wsapi::serve(ws, shared, peer.ip(), &query).await,
                p if p == "/ws" || p.starts_with("/ws/") || p == "/stream" => {
                    let path_and_query = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(p);
                    crate::streams::serve_stream_connection(ws, path_and_query, shared.hub.clone()).await
                }
                p if p == "/api" || p.starts_with("/api/") => {
                    let path_and_query = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(p);
                    crate::dex::serve_dex_connection(ws, path_and_query, shared.dex.clone()).await
                }
                _ => {
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
