//! A futures account: wallets per margin asset, positions, leverage per symbol, position mode, fee rates.
//! Margin is cross margin only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::position::Position;
use super::types::PositionSide;

/// One wallet (`walletBalance`, `crossWalletBalance`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wallet {
    pub balance: Decimal,
    pub update_time: u64,
}

/// An account of one futures product.
#[derive(Debug, Clone)]
pub struct FAccount {
    pub wallets: BTreeMap<String, Wallet>,
    /// Hedge mode (dual side position): LONG and SHORT positions instead of BOTH.
    pub hedge: bool,
    /// Leverage per symbol; symbols not listed use the default.
    pub leverage: HashMap<String, u32>,
    pub positions: BTreeMap<(String, PositionSide), Position>,
    pub maker_rate: Decimal,
    pub taker_rate: Decimal,
    /// Margin assets for which MARGIN_CALL was sent and the ratio has not come back below the threshold.
    pub margin_called: BTreeSet<String>,
}

impl FAccount {
    /// The position of a symbol and side (a flat one when none was ever held).
    pub fn position(&self, symbol: &str, side: PositionSide) -> Position {
        self.positions.get(&(symbol.to_string(), side)).cloned().unwrap_or_default()
    }

    /// The wallet balance of an asset.
    pub fn wallet(&self, asset: &str) -> Decimal {
        self.wallets.get(asset).map(|w| w.balance).unwrap_or_default()
    }

    /// Adds `delta` to a wallet.
    pub fn credit(&mut self, asset: &str, delta: Decimal, now: u64) {
        let w = self.wallets.entry(asset.to_string()).or_default();
        w.balance += delta;
        w.update_time = now;
    }

    /// Whether any position is open.
    pub fn has_positions(&self) -> bool {
        self.positions.values().any(|p| !p.amount.is_zero())
    }
}

/// What one engine operation changed in an account (for its ACCOUNT_UPDATE).
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// Assets whose wallet changed, with the change that was neither PnL nor commission (`bc`).
    pub assets: BTreeMap<String, Decimal>,
    pub positions: BTreeSet<(String, PositionSide)>,
}
