//! Connecting the commands: the Spot API with a spinner and a clear error, and the credentials check that
//! runs before anything is sent.

use anyhow::Context;
use binance_ws::env::{Env, Product};
use binance_ws::spot::Api;
use binance_ws::Credentials;

use crate::api_cmd::Target;
use crate::progress::Spinner;

/// The credentials a command needs, or an error naming the command and how to give them.
pub fn require_credentials(target: &Target, command: &str) -> anyhow::Result<Credentials> {
    target.credentials.clone().with_context(|| format!("`{command}` needs an API key"))
}

/// Connects to the Spot WebSocket API of the target (logging on when the key allows it).
pub async fn connect_api(target: &Target, credentials: Option<Credentials>, quiet: bool) -> anyhow::Result<Api> {
    let url = target.env.api_url(Product::Spot);
    let _spinner = Spinner::start(format!("connecting to {url}"), quiet);
    Api::connect(&target.env, credentials).await.with_context(|| format!("connecting to {url}"))
}

/// True for Binance's own endpoints, where orders are real and the DEX is gone.
pub fn is_binance(env: &Env) -> bool {
    matches!(env, Env::Mainnet | Env::Testnet)
}
