//! How a local exchange is set up: address, accounts and keys, Binance's limits (shortened for tests).

use std::time::Duration;

use rust_decimal::Decimal;

/// The API key of the default HMAC account: the example key of Binance's docs.
pub const DEFAULT_HMAC_API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
/// The secret of the default HMAC account: the example secret of Binance's docs (public, test only).
pub const DEFAULT_HMAC_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
/// The API key of the default Ed25519 account.
pub const DEFAULT_ED25519_API_KEY: &str = "simEd25519Key000000000000000000000000000000000000000000000000000";
/// The published Ed25519 test private key (PKCS#8 PEM) whose public key the default Ed25519 account holds.
pub const DEFAULT_ED25519_PRIVATE_PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
/// The public half of [`DEFAULT_ED25519_PRIVATE_PEM`].
pub const DEFAULT_ED25519_PUBLIC_PEM: &str =
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=\n-----END PUBLIC KEY-----\n";

/// The key an account signs with, as the exchange stores it.
#[derive(Debug, Clone)]
pub enum AccountKey {
    /// HMAC-SHA256 with this secret.
    Hmac(String),
    /// RSA or Ed25519 public key, SPKI PEM.
    PublicPem(String),
}

/// One account with its API key and starting balances.
#[derive(Debug, Clone)]
pub struct AccountConfig {
    /// The API key clients send.
    pub api_key: String,
    /// How its requests are verified.
    pub key: AccountKey,
    /// Starting balances (asset, amount).
    pub balances: Vec<(String, Decimal)>,
}

/// Everything a local exchange needs to start.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on; port 0 picks a free one.
    pub bind: std::net::SocketAddr,
    /// Accounts; the two defaults (HMAC and Ed25519 with the docs' keys) unless replaced.
    pub accounts: Vec<AccountConfig>,
    /// Server ping interval (Binance: 20 s).
    pub ping_interval: Duration,
    /// Disconnect when no pong arrived within this time after a ping (Binance: 1 minute).
    pub pong_timeout: Duration,
    /// Connection lifetime (Binance: 24 h).
    pub connection_lifetime: Duration,
    /// REQUEST_WEIGHT limit per minute per IP (Binance: 6000).
    pub weight_per_minute: u64,
    /// 429 answers in a row after which the IP is banned (418).
    pub violations_before_ban: u32,
    /// First ban length (Binance: from 2 minutes, growing for repeat offenders).
    pub ban_duration: Duration,
    /// ORDERS limit per 10 seconds per account (Binance: 50).
    pub orders_per_10s: u64,
    /// ORDERS limit per day per account (Binance: 160000).
    pub orders_per_day: u64,
    /// Seed of everything random (simulated traders, random faults).
    pub seed: u64,
    /// Flood mode for benchmarks: stream connections get pre-encoded frames instead of the live market.
    pub flood: Option<crate::flood::FloodConfig>,
    /// The simulated market: background traders placing and cancelling orders (None: a quiet exchange).
    pub activity: Option<Activity>,
    /// User data events queued per WebSocket API connection; a connection that falls this far behind is
    /// dropped rather than slowing the exchange down.
    pub user_stream_buffer: usize,
    /// USD-M and COIN-M futures: wallets, listenKey lifetime, limits, fees, position mode.
    pub futures: crate::futures::FuturesConfig,
    /// The spot symbols and commissions (default: BTCUSDT, ETHUSDT, BNBUSDT).
    pub exchange: crate::exchange::ExchangeConfig,
}

/// How busy the simulated market is.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Orders placed or cancelled per second, over all symbols.
    pub ops_per_sec: f64,
    /// Symbols the traders trade; empty means every symbol.
    pub symbols: Vec<String>,
    /// Number of simulated trader accounts.
    pub traders: usize,
}

impl Default for Activity {
    /// A modest pace that keeps streams moving: 4 traders, 5 operations per second over every symbol.
    fn default() -> Self {
        Activity { ops_per_sec: 5.0, symbols: Vec::new(), traders: 4 }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            accounts: default_accounts(),
            ping_interval: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(60),
            connection_lifetime: Duration::from_secs(24 * 3600),
            weight_per_minute: 6000,
            violations_before_ban: 3,
            ban_duration: Duration::from_secs(120),
            orders_per_10s: 50,
            orders_per_day: 160_000,
            seed: 42,
            flood: None,
            activity: Some(Activity::default()),
            user_stream_buffer: 4096,
            futures: crate::futures::FuturesConfig::default(),
            exchange: crate::exchange::ExchangeConfig::default(),
        }
    }
}

/// The two ready-to-trade accounts: the docs' HMAC key and the published Ed25519 key.
pub fn default_accounts() -> Vec<AccountConfig> {
    let balances = |btc: i64, usdt: i64| {
        vec![
            ("BTC".to_string(), Decimal::from(btc)),
            ("ETH".to_string(), Decimal::from(btc * 20)),
            ("BNB".to_string(), Decimal::from(btc * 100)),
            ("USDT".to_string(), Decimal::from(usdt)),
        ]
    };
    vec![
        AccountConfig {
            api_key: DEFAULT_HMAC_API_KEY.into(),
            key: AccountKey::Hmac(DEFAULT_HMAC_SECRET.into()),
            balances: balances(10, 1_000_000),
        },
        AccountConfig {
            api_key: DEFAULT_ED25519_API_KEY.into(),
            key: AccountKey::PublicPem(DEFAULT_ED25519_PUBLIC_PEM.into()),
            balances: balances(10, 1_000_000),
        },
    ]
}
