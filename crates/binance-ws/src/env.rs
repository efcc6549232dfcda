//! Endpoints per product and environment.

/// Where to connect: Binance's mainnet or testnet, the local exchange, or any URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Env {
    /// Binance production.
    Mainnet,
    /// Binance's testnet.
    Testnet,
    /// A local exchange (`binance-ws-sim`) at this base URL, such as `ws://127.0.0.1:9443`.
    Local(String),
    /// Exactly this URL for the endpoint asked for (no path is appended).
    Custom(String),
}

/// The Binance products with WebSocket interfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// Spot.
    Spot,
    /// USD-M futures.
    UsdM,
    /// COIN-M futures.
    CoinM,
}

impl Env {
    /// The WebSocket API URL of a product.
    pub fn api_url(&self, product: Product) -> String {
        match (self, product) {
            (Env::Mainnet, Product::Spot) => "wss://ws-api.binance.com:443/ws-api/v3".into(),
            (Env::Testnet, Product::Spot) => "wss://ws-api.testnet.binance.vision/ws-api/v3".into(),
            (Env::Mainnet, Product::UsdM) => "wss://ws-fapi.binance.com/ws-fapi/v1".into(),
            (Env::Testnet, Product::UsdM) => "wss://testnet.binancefuture.com/ws-fapi/v1".into(),
            (Env::Mainnet, Product::CoinM) => "wss://ws-dapi.binance.com/ws-dapi/v1".into(),
            (Env::Testnet, Product::CoinM) => "wss://testnet.binancefuture.com/ws-dapi/v1".into(),
            (Env::Local(base), p) => format!("{}{}", base.trim_end_matches('/'), api_path(p)),
            (Env::Custom(url), _) => url.clone(),
        }
    }

    /// The market stream base URL of a product (raw streams go under `/ws`, combined under `/stream`;
    /// USD-M's split routes under `/public` and `/market`, its user data under `/private`).
    ///
    /// A local exchange serves all three products on one port: spot streams at its base URL, USD-M
    /// under `/fstream` and COIN-M under `/dstream`.
    ///
    /// ```
    /// use binance_ws::env::{Env, Product};
    /// let local = Env::Local("ws://127.0.0.1:9443".into());
    /// assert_eq!(local.stream_base(Product::Spot), "ws://127.0.0.1:9443");
    /// assert_eq!(local.stream_base(Product::UsdM), "ws://127.0.0.1:9443/fstream");
    /// assert_eq!(local.stream_base(Product::CoinM), "ws://127.0.0.1:9443/dstream");
    /// ```
    pub fn stream_base(&self, product: Product) -> String {
        match (self, product) {
            (Env::Mainnet, Product::Spot) => "wss://stream.binance.com:9443".into(),
            (Env::Testnet, Product::Spot) => "wss://stream.testnet.binance.vision".into(),
            (Env::Mainnet, Product::UsdM) => "wss://fstream.binance.com".into(),
            (Env::Testnet, Product::UsdM) => "wss://stream.binancefuture.com".into(),
            (Env::Mainnet, Product::CoinM) => "wss://dstream.binance.com".into(),
            (Env::Testnet, Product::CoinM) => "wss://dstream.binancefuture.com".into(),
            (Env::Local(base), p) => format!("{}{}", base.trim_end_matches('/'), local_stream_path(p)),
            (Env::Custom(base), _) => base.trim_end_matches('/').to_string(),
        }
    }
}

fn api_path(product: Product) -> &'static str {
    match product {
        Product::Spot => "/ws-api/v3",
        Product::UsdM => "/ws-fapi/v1",
        Product::CoinM => "/ws-dapi/v1",
    }
}

/// Where a local exchange serves each product's streams (one port for all three).
fn local_stream_path(product: Product) -> &'static str {
    match product {
        Product::Spot => "",
        Product::UsdM => "/fstream",
        Product::CoinM => "/dstream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_get_the_product_path() {
        let env = Env::Local("ws://127.0.0.1:9443/".into());
        assert_eq!(env.api_url(Product::Spot), "ws://127.0.0.1:9443/ws-api/v3");
        assert_eq!(env.api_url(Product::UsdM), "ws://127.0.0.1:9443/ws-fapi/v1");
        assert_eq!(env.api_url(Product::CoinM), "ws://127.0.0.1:9443/ws-dapi/v1");
        assert_eq!(Env::Mainnet.api_url(Product::Spot), "wss://ws-api.binance.com:443/ws-api/v3");
    }

    #[test]
    fn local_streams_share_one_port_with_a_prefix_per_futures_product() {
        let env = Env::Local("ws://127.0.0.1:9443/".into());
        assert_eq!(env.stream_base(Product::Spot), "ws://127.0.0.1:9443");
        assert_eq!(env.stream_base(Product::UsdM), "ws://127.0.0.1:9443/fstream");
        assert_eq!(env.stream_base(Product::CoinM), "ws://127.0.0.1:9443/dstream");
        // A custom URL is taken as it is, for every product.
        let custom = Env::Custom("ws://h:1/x/".into());
        assert_eq!(custom.stream_base(Product::UsdM), "ws://h:1/x");
        assert_eq!(Env::Mainnet.stream_base(Product::UsdM), "wss://fstream.binance.com");
        assert_eq!(Env::Testnet.stream_base(Product::CoinM), "wss://dstream.binancefuture.com");
    }
}
