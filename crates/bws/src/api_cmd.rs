//! `bws api METHOD key=value...`: any WebSocket API method.

use anyhow::{bail, Context};
use binance_ws::api::{ApiClient, ApiConfig, Params, Security};
use binance_ws::env::{Env, Product};
use binance_ws::Credentials;
use binance_ws_sim::{Sim, SimConfig};
use serde_json::Value;

use crate::cli::{ApiArgs, Global};
use crate::style;

/// Where a command connects, and the local exchange it started if it started one.
pub struct Target {
    pub env: Env,
    pub credentials: Option<Credentials>,
    pub _sim: Option<Sim>,
}

/// Resolves `--env` and the credentials; `local` starts the exchange in-process with its test key.
pub async fn target(global: &Global) -> anyhow::Result<Target> {
    let mut credentials = credentials(global)?;
    let (env, sim) = match global.env.as_str() {
        "mainnet" => (Env::Mainnet, None),
        "testnet" => (Env::Testnet, None),
        "local" => {
            let sim = Sim::start(SimConfig::default()).await.context("starting the local exchange")?;
            if credentials.is_none() {
                credentials = Some(Credentials::from_pem(
                    binance_ws_sim::config::DEFAULT_ED25519_API_KEY,
                    binance_ws_sim::config::DEFAULT_ED25519_PRIVATE_PEM,
                )?);
            }
            (Env::Local(sim.base_url()), Some(sim))
        }
        url if url.starts_with("ws://") || url.starts_with("wss://") => (Env::Local(url.to_string()), None),
        other => bail!("unknown --env `{other}`: use mainnet, testnet, local or a ws:// URL"),
    };
    Ok(Target { env, credentials, _sim: sim })
}

fn credentials(global: &Global) -> anyhow::Result<Option<Credentials>> {
    let Some(key) = global.api_key.clone() else { return Ok(None) };
    Ok(Some(match (&global.secret_key, &global.private_key) {
        (Some(secret), None) => Credentials::hmac(key, secret.clone()),
        (None, Some(path)) => Credentials::from_pem_file(key, path)?,
        (Some(_), Some(_)) => bail!("give either --secret-key or --private-key, not both"),
        (None, None) => bail!("--api-key needs --secret-key (HMAC) or --private-key (Ed25519/RSA)"),
    }))
}

/// The security type of a method, from the docs' grouping.
pub fn security_of(method: &str) -> Security {
    let m = method.strip_prefix("v3/").unwrap_or(method);
    let public = [
        "ping",
        "time",
        "exchangeInfo",
        "executionRules",
        "depth",
        "trades.recent",
        "trades.historical",
        "trades.aggregate",
        "blockTrades.historical",
        "klines",
        "uiKlines",
        "avgPrice",
        "ticker.24hr",
        "ticker.tradingDay",
        "ticker",
        "ticker.price",
        "ticker.book",
        "referencePrice",
        "referencePrice.calculation",
        "session.status",
        "session.logout",
    ];
    if public.contains(&m) || m == "userDataStream.unsubscribe" || m == "session.subscriptions" {
        Security::None
    } else if m == "userDataStream.subscribe" {
        // Needs a logged-on session, not a signature.
        Security::None
    } else {
        Security::Signed
    }
}

/// Parses `key=value` pairs; values that are valid JSON numbers, booleans or arrays are sent as such.
pub fn parse_params(pairs: &[String]) -> anyhow::Result<Params> {
    let mut params = Params::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else { bail!("parameter `{pair}` is not key=value") };
        let value = match serde_json::from_str::<Value>(v) {
            Ok(j @ (Value::Number(_) | Value::Bool(_) | Value::Array(_))) if !looks_like_decimal(v) => j,
            _ => Value::String(v.to_string()),
        };
        params.insert(k.to_string(), value);
    }
    Ok(params)
}

/// Prices and quantities stay strings, as Binance's examples send them.
fn looks_like_decimal(v: &str) -> bool {
    v.contains('.')
}

pub async fn run(args: ApiArgs, global: &Global) -> anyhow::Result<i32> {
    let target = target(global).await?;
    let params = parse_params(&args.params)?;
    let security = if args.signed { Security::Signed } else { security_of(&args.method) };
    let url = target.env.api_url(Product::Spot);
    let api = ApiClient::connect(&url, target.credentials.clone(), ApiConfig::default())
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let result: Value = api.request(&args.method, params, security).await?;
    if global.quiet {
        return Ok(0);
    }
    if global.json {
        style::out(&serde_json::to_string(&result)?);
    } else {
        style::out(&serde_json::to_string_pretty(&result)?);
        if let Some((count, limit)) = api.rate_limits().request_weight() {
            eprintln!("{}", style::dim(&format!("request weight: {count}/{limit} per minute")));
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_decimals_as_strings_and_numbers_as_numbers() {
        let p = parse_params(&["symbol=BTCUSDT".into(), "limit=5".into(), "price=52000.00".into()]).unwrap();
        assert_eq!(p["symbol"], "BTCUSDT");
        assert_eq!(p["limit"], 5);
        assert_eq!(p["price"], "52000.00");
        assert!(parse_params(&["oops".into()]).is_err());
    }

    #[test]
    fn security_follows_the_docs_grouping() {
        assert_eq!(security_of("depth"), Security::None);
        assert_eq!(security_of("order.place"), Security::Signed);
        assert_eq!(security_of("account.status"), Security::Signed);
        assert_eq!(security_of("v3/time"), Security::None);
    }
}
