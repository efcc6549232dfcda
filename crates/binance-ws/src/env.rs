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

    /// The market stream base URL of a product (raw streams go under `/ws`, combined under `/stream`).
    pub fn stream_base(&self, product: Product) -> String {
        match (self, product) {
            (Env::Mainnet, Product::Spot) => "wss://stream.binance.com:9443".into(),
            (Env::Testnet, Product::Spot) => "wss://stream.testnet.binance.vision".into(),
            (Env::Mainnet, Product::UsdM) => "wss://fstream.binance.com".into(),
            (Env::Testnet, Product::UsdM) => "wss://stream.binancefuture.com".into(),
            (Env::Mainnet, Product::CoinM) => "wss://dstream.binance.com".into(),
            (Env::Testnet, Product::CoinM) => "wss://dstream.binancefuture.com".into(),
            (Env::Local(base), _) | (Env::Custom(base), _) => base.trim_end_matches('/').to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_get_the_product_path() {
        let env = Env::Local("ws://127.0.0.1:9443/".into());
        assert_eq!(env.api_url(Product::Spot), "ws://127.0.0.1:9443/ws-api/v3");
        assert_eq!(env.api_url(Product::UsdM), "ws://127.0.0.1:9443/ws-fapi/v1");
        assert_eq!(Env::Mainnet.api_url(Product::Spot), "wss://ws-api.binance.com:443/ws-api/v3");
    }
}
