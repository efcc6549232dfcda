//! Accounts: free and locked balances per asset, commission rates, and which assets an operation touched.

use super::order::{AccountId, Reject};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// One asset's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    pub free: Decimal,
    pub locked: Decimal,
}

/// Maker and taker commission rates of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionRates {
    pub maker: Decimal,
    pub taker: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub balances: BTreeMap<String, Balance>,
    pub rates: CommissionRates,
    pub update_time: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Accounts {
    pub accounts: BTreeMap<AccountId, Account>,
    /// Assets changed during the current operation, per account.
    pub touched: BTreeMap<AccountId, BTreeSet<String>>,
    next_id: u64,
}

fn unknown_account() -> Reject {
    Reject::new(-2015, "Invalid API-key, IP, or permissions for action.")
}

impl Accounts {
    pub fn add(&mut self, balances: BTreeMap<String, Balance>, rates: CommissionRates) -> AccountId {
        self.next_id += 1;
        let id = AccountId(self.next_id);
        self.accounts.insert(id, Account { balances, rates, update_time: 0 });
        id
    }

    pub fn get(&self, id: AccountId) -> Result<&Account, Reject> {
        self.accounts.get(&id).ok_or_else(unknown_account)
    }

    pub fn balance(&self, id: AccountId, asset: &str) -> Balance {
        self.accounts.get(&id).and_then(|a| a.balances.get(asset)).copied().unwrap_or_default()
    }

    fn bal_mut(&mut self, id: AccountId, asset: &str) -> Option<&mut Balance> {
        let acc = self.accounts.get_mut(&id)?;
        self.touched.entry(id).or_default().insert(asset.to_string());
        Some(acc.balances.entry(asset.to_string()).or_default())
    }

    /// Moves `amount` from free to locked; fails (changing nothing) when free is short.
    pub fn lock(&mut self, id: AccountId, asset: &str, amount: Decimal) -> Result<(), Reject> {
        if amount <= Decimal::ZERO {
            return Ok(());
        }
        if self.balance(id, asset).free < amount {
            return Err(Reject::insufficient());
        }
        let b = self.bal_mut(id, asset).ok_or_else(unknown_account)?;
        b.free -= amount;
        b.locked += amount;
        Ok(())
    }

    /// Moves `amount` from locked back to free.
    pub fn unlock(&mut self, id: AccountId, asset: &str, amount: Decimal) {
        if amount <= Decimal::ZERO {
            return;
        }
        if let Some(b) = self.bal_mut(id, asset) {
            b.locked -= amount;
            b.free += amount;
        }
    }

    /// Takes `amount` out of locked (spent in a trade).
    pub fn spend_locked(&mut self, id: AccountId, asset: &str, amount: Decimal) {
        if let Some(b) = self.bal_mut(id, asset) {
            b.locked -= amount;
        }
    }

    /// Adds `amount` (may be negative) to free.
    pub fn credit(&mut self, id: AccountId, asset: &str, amount: Decimal) {
        if let Some(b) = self.bal_mut(id, asset) {
            b.free += amount;
        }
    }

    pub fn rates(&self, id: AccountId) -> CommissionRates {
        self.accounts
            .get(&id)
            .map(|a| a.rates)
            .unwrap_or(CommissionRates { maker: Decimal::ZERO, taker: Decimal::ZERO })
    }
}
