//! How futures numbers are written: prices with the contract's price precision, quantities with its quantity
//! precision, average prices with three more places, money (balances, PnL, commissions) with 8 places.

use rust_decimal::{Decimal, RoundingStrategy};

use super::config::ContractSpec;
use crate::exchange::AccountId;

fn fixed(d: Decimal, dp: u32) -> String {
    let mut x = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(dp);
    x.to_string()
}

/// Number formatting of one contract.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    price_dp: u32,
    qty_dp: u32,
}

impl Fmt {
    /// The formats of `spec`.
    pub fn of(spec: &ContractSpec) -> Fmt {
        Fmt { price_dp: spec.price_precision, qty_dp: spec.quantity_precision }
    }

    /// A price; zero is `"0"` (no price).
    pub fn price(&self, d: Decimal) -> String {
        if d.is_zero() {
            "0".into()
        } else {
            fixed(d, self.price_dp)
        }
    }

    /// A price that is always shown with its places (book levels, tickers).
    pub fn level(&self, d: Decimal) -> String {
        fixed(d, self.price_dp)
    }

    /// A quantity.
    pub fn qty(&self, d: Decimal) -> String {
        fixed(d, self.qty_dp)
    }

    /// An average price (three more places than prices).
    pub fn avg(&self, d: Decimal) -> String {
        fixed(d, self.price_dp + 3)
    }
}

/// Money: 8 places.
pub fn money(d: Decimal) -> String {
    fixed(d, 8)
}

/// The account alias shown in balances and COIN-M events (`accountAlias`, `i`): letters derived from the id.
pub fn account_alias(account: AccountId) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = account.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
    (0..6)
        .map(|_| {
            let c = ALPHA[(x % ALPHA.len() as u64) as usize] as char;
            x /= ALPHA.len() as u64;
            c
        })
        .collect()
}
