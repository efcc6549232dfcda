//! `bws diagnose`: one check per category against any endpoint, each a tick or a cross with its timing and,
//! on failure, the reason; then a summary. The exit code is the number of failed checks.

use std::time::{Duration, Instant};

use binance_ws::env::Product;
use clap::Args;
use serde_json::json;

use crate::cli::Global;
use crate::diagnose_checks::{Category, Ctx, Outcome};
use crate::diagnose_futures::Setup;
use crate::progress::Spinner;
use crate::{api_cmd, market, style};

/// `bws diagnose`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws diagnose                       # the embedded local exchange: every check passes
  bws diagnose --env testnet         # without keys the account, trading and user data checks are skipped
  bws diagnose --env ws://127.0.0.1:9443 --json

Categories: connection, general, market data, account, trading, user data, streams, order book,
USD-M futures, COIN-M futures, DEX. Trading uses order.test only (nothing is placed), except on the
embedded exchange (--env local), where the user data and futures checks also place and cancel one order
far from the market each.")]
pub struct DiagnoseArgs {
    /// The symbol the market data, trading, streams and order book checks use.
    #[arg(long, default_value = "BTCUSDT")]
    pub symbol: String,
    /// The USDⓈ-M futures symbol the futures check uses.
    #[arg(long, default_value = "BTCUSDT")]
    pub usdm_symbol: String,
    /// The COIN-M futures symbol the futures check uses.
    #[arg(long, default_value = "BTCUSD_PERP")]
    pub coinm_symbol: String,
    /// How long a check may wait for an answer or an event.
    #[arg(long, default_value = "10s", value_parser = crate::limits::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(args: DiagnoseArgs, global: &Global) -> anyhow::Result<i32> {
    let target = api_cmd::target(global).await?;
    let in_process = target._sim.is_some();
    let mut ctx = Ctx::new(target.env.clone(), target.credentials.clone(), &args.symbol, args.timeout, in_process);
    let (usdm_symbol, coinm_symbol) = (args.usdm_symbol.to_ascii_uppercase(), args.coinm_symbol.to_ascii_uppercase());
    ctx.futures = Setup {
        usdm_rules: target._sim.as_ref().and_then(|s| market::embedded_rules(s, Product::UsdM, &usdm_symbol)),
        coinm_rules: target._sim.as_ref().and_then(|s| market::embedded_rules(s, Product::CoinM, &coinm_symbol)),
        usdm_symbol,
        coinm_symbol,
    };
    style::status(global.quiet, &format!("diagnosing {}", ctx.describe()));
    let started = Instant::now();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for category in Category::ALL {
        let spinner = Spinner::start(format!("checking {}", category.name()), global.quiet);
        let t0 = Instant::now();
        let outcome = category.run(&mut ctx).await;
        let elapsed = t0.elapsed();
        drop(spinner);
        match outcome {
            Outcome::Pass(_) => passed += 1,
            Outcome::Fail(_) => failed += 1,
            Outcome::Skip(_) => skipped += 1,
        }
        print_check(global, category, &outcome, elapsed);
    }
    let total = started.elapsed();
    if global.json && !global.quiet {
        style::out(
            &json!({"passed": passed, "failed": failed, "skipped": skipped, "ms": total.as_millis() as u64})
                .to_string(),
        );
    } else if !global.quiet {
        let failed_text = format!("{failed} failed");
        let failed_text = if failed > 0 { style::red(&failed_text) } else { failed_text };
        style::out(&format!(
            "\n{} checks: {} passed, {failed_text}, {skipped} skipped in {:.1?}",
            Category::ALL.len(),
            passed,
            total
        ));
    }
    Ok(failed)
}

fn print_check(global: &Global, category: Category, outcome: &Outcome, elapsed: Duration) {
    if global.quiet {
        return;
    }
    let (status, detail) = match outcome {
        Outcome::Pass(d) => ("pass", d),
        Outcome::Fail(d) => ("fail", d),
        Outcome::Skip(d) => ("skip", d),
    };
    if global.json {
        let ms = elapsed.as_secs_f64() * 1000.0;
        style::out(
            &json!({"check": category.name(), "status": status, "ms": (ms * 10.0).round() / 10.0, "detail": detail})
                .to_string(),
        );
        return;
    }
    let mark = match outcome {
        Outcome::Pass(_) => style::green("✔"),
        Outcome::Fail(_) => style::red("✘"),
        Outcome::Skip(_) => style::yellow("-"),
    };
    let time = match outcome {
        Outcome::Skip(_) => String::new(),
        _ => format!("{elapsed:.1?}"),
    };
    let detail = match outcome {
        Outcome::Skip(d) => style::yellow(&format!("skipped: {d}")),
        Outcome::Fail(d) => style::red(d),
        Outcome::Pass(d) => d.clone(),
    };
    style::out(&format!("  {mark} {:<14} {:>9}  {detail}", category.name(), time));
}
