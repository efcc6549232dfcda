//! The futures matching engine of one product: books (the spot engine's price-time book), orders, positions,
//! cross margin, mark prices, conditional orders and liquidations.
//!
//! Like the spot [`Exchange`](crate::exchange::Exchange) it is synchronous and deterministic: every operation
//! takes the current time, and records what it did as market events and user events that the caller drains.

pub mod account;
mod book_view;
pub mod errors;
pub mod events;
mod manage;
pub mod margin;
mod matching;
pub mod position;
mod triggers;
pub mod types;
mod validate;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use rust_decimal::Decimal;

pub use account::{FAccount, Wallet};
pub use events::{FMarketEvent, FUserEvent, ForceOrder, MarkUpdate, OrderUpdate, TradeLite};
pub use margin::{AssetSummary, PositionSummary};
pub use position::{Calc, Position};
pub use types::*;

use super::config::{ContractSpec, FuturesConfig, Product};
use crate::exchange::book::Book;
use crate::exchange::events::{DepthDiff, MarketEvent};
use crate::exchange::{AccountId, Reject};
use account::Touched;

/// The parts of [`FuturesConfig`] the engine uses.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub default_leverage: u32,
    pub maker_rate: Decimal,
    pub taker_rate: Decimal,
    pub hedge_mode: bool,
    pub margin_call_ratio: Decimal,
}

impl From<&FuturesConfig> for EngineSettings {
    fn from(c: &FuturesConfig) -> Self {
        EngineSettings {
            default_leverage: c.default_leverage,
            maker_rate: c.maker_commission,
            taker_rate: c.taker_commission,
            hedge_mode: c.hedge_mode,
            margin_call_ratio: c.margin_call_ratio,
        }
    }
}

/// One contract's live state.
pub(crate) struct FSymbol {
    pub spec: ContractSpec,
    pub calc: Calc,
    pub book: Book,
    pub update_id: u64,
    /// Time of the last book change (depth `T`).
    pub book_time: u64,
    pub next_trade_id: u64,
    pub last_price: Option<Decimal>,
    pub last_trade_time: u64,
    pub index: Decimal,
    pub mark: Decimal,
    pub mark_override: Option<Decimal>,
    /// Untriggered conditional orders.
    pub conditionals: BTreeSet<u64>,
    /// Prices seen since the last trigger check, in order.
    pub ticks: VecDeque<(WorkingType, Decimal)>,
}

/// What order.place returns: the order as accepted (ACK) and after the operation (RESULT).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub ack: FOrder,
    pub result: FOrder,
}

/// The futures engine of one product.
pub struct Engine {
    pub(crate) product: Product,
    pub(crate) settings: EngineSettings,
    pub(crate) symbols: BTreeMap<String, FSymbol>,
    pub(crate) accounts: BTreeMap<AccountId, FAccount>,
    pub(crate) orders: HashMap<u64, FOrder>,
    /// Open orders (resting, untriggered or being matched) per account.
    pub(crate) open: BTreeMap<AccountId, BTreeSet<u64>>,
    /// GTD orders by expiry.
    pub(crate) gtd: BTreeSet<(u64, u64)>,
    pub(crate) trigger_queue: VecDeque<u64>,
    pub(crate) next_order_id: u64,
    pub(crate) next_account: u64,
    pub(crate) id_counter: u64,
    pub(crate) now: u64,
    pub(crate) touched: BTreeMap<AccountId, Touched>,
    /// Accounts liquidated in the current operation (one attempt each).
    pub(crate) liquidated: BTreeSet<(AccountId, String)>,
    pub(crate) market_out: Vec<FMarketEvent>,
    pub(crate) user_out: Vec<(AccountId, FUserEvent)>,
}

impl Engine {
    /// An engine for `product` with these contracts and empty books; marks and indexes start at each contract's
    /// start price.
    pub fn new(product: Product, contracts: Vec<ContractSpec>, settings: EngineSettings) -> Engine {
        let symbols = contracts
            .into_iter()
            .map(|spec| {
                let calc = Calc { inverse: product.is_inverse(), contract_size: spec.contract_size };
                let st = FSymbol {
                    calc,
                    book: Book::default(),
                    update_id: 0,
                    book_time: 0,
                    next_trade_id: 1,
                    last_price: None,
                    last_trade_time: 0,
                    index: spec.start_price,
                    mark: spec.start_price,
                    mark_override: None,
                    conditionals: BTreeSet::new(),
                    ticks: VecDeque::new(),
                    spec,
                };
                (st.spec.symbol.clone(), st)
            })
            .collect();
        Engine {
            product,
            settings,
            symbols,
            accounts: BTreeMap::new(),
            orders: HashMap::new(),
            open: BTreeMap::new(),
            gtd: BTreeSet::new(),
            trigger_queue: VecDeque::new(),
            next_order_id: 1,
            next_account: 1_000_000,
            id_counter: 0,
            now: 0,
            touched: BTreeMap::new(),
            liquidated: BTreeSet::new(),
            market_out: Vec::new(),
            user_out: Vec::new(),
        }
    }

    /// The product.
    pub fn product(&self) -> Product {
        self.product
    }

    /// Opens an account with these wallets: under `id` (an account the spot side knows too) or a fresh id.
    pub fn add_account<S: Into<String>>(
        &mut self,
        id: Option<AccountId>,
        wallets: impl IntoIterator<Item = (S, Decimal)>,
    ) -> AccountId {
        let id = id.unwrap_or_else(|| {
            self.next_account += 1;
            AccountId(self.next_account)
        });
        let wallets = wallets.into_iter().map(|(a, b)| (a.into(), Wallet { balance: b, update_time: 0 })).collect();
        self.accounts.insert(
            id,
            FAccount {
                wallets,
                hedge: self.settings.hedge_mode,
                leverage: HashMap::new(),
                positions: BTreeMap::new(),
                maker_rate: self.settings.maker_rate,
                taker_rate: self.settings.taker_rate,
                margin_called: BTreeSet::new(),
            },
        );
        id
    }

    /// The contracts, in symbol order.
    pub fn contracts(&self) -> impl Iterator<Item = &ContractSpec> {
        self.symbols.values().map(|s| &s.spec)
    }

    /// One contract.
    pub fn contract(&self, symbol: &str) -> Option<&ContractSpec> {
        self.symbols.get(symbol).map(|s| &s.spec)
    }

    /// An account, if it exists.
    pub fn account(&self, id: AccountId) -> Option<&FAccount> {
        self.accounts.get(&id)
    }

    /// The current mark price.
    pub fn mark_price(&self, symbol: &str) -> Option<Decimal> {
        self.symbols.get(symbol).map(|s| s.mark)
    }

    /// The current index price.
    pub fn index_price(&self, symbol: &str) -> Option<Decimal> {
        self.symbols.get(symbol).map(|s| s.index)
    }

    /// The last trade price and time.
    pub fn last_trade(&self, symbol: &str) -> Option<(Decimal, u64)> {
        let s = self.symbols.get(symbol)?;
        s.last_price.map(|p| (p, s.last_trade_time))
    }

    /// An order by id.
    pub fn order(&self, id: u64) -> Option<&FOrder> {
        self.orders.get(&id)
    }

    /// Takes the recorded market events, in order.
    pub fn drain_market_events(&mut self) -> Vec<FMarketEvent> {
        std::mem::take(&mut self.market_out)
    }

    /// Takes the recorded user events, in order.
    pub fn drain_user_events(&mut self) -> Vec<(AccountId, FUserEvent)> {
        std::mem::take(&mut self.user_out)
    }

    // ----- operation bracket -----

    pub(crate) fn begin(&mut self, now: u64) {
        self.now = now;
        self.touched.clear();
        self.liquidated.clear();
    }

    /// Finishes an operation: triggers, expiries and liquidations until nothing changes, then the depth diffs,
    /// ACCOUNT_UPDATE per changed account and MARGIN_CALL where margin runs low.
    pub(crate) fn end(&mut self) {
        self.settle();
        self.flush_depth();
        self.flush_account_updates();
        self.check_margin_calls();
    }

    fn flush_depth(&mut self) {
        let now = self.now;
        for st in self.symbols.values_mut() {
            let (bids, asks) = st.book.take_changes();
            if bids.is_empty() && asks.is_empty() {
                continue;
            }
            let first = st.update_id + 1;
            st.update_id += (bids.len() + asks.len()) as u64;
            st.book_time = now;
            self.market_out.push(FMarketEvent::Market(MarketEvent::Depth(DepthDiff {
                symbol: st.spec.symbol.clone(),
                first_update_id: first,
                final_update_id: st.update_id,
                time_ms: now,
                bids,
                asks,
            })));
        }
    }

    pub(crate) fn sym(&self, symbol: &str) -> Result<&FSymbol, Reject> {
        self.symbols.get(symbol).ok_or_else(errors::bad_symbol)
    }

    pub(crate) fn acc(&self, account: AccountId) -> Result<&FAccount, Reject> {
        self.accounts.get(&account).ok_or_else(|| Reject::new(-2015, "Invalid API-key, IP, or permissions for action."))
    }

    pub(crate) fn touch_asset(&mut self, account: AccountId, asset: &str, change: Decimal) {
        *self.touched.entry(account).or_default().assets.entry(asset.to_string()).or_default() += change;
    }

    pub(crate) fn touch_position(&mut self, account: AccountId, symbol: &str, side: PositionSide) {
        self.touched.entry(account).or_default().positions.insert((symbol.to_string(), side));
    }

    /// Leverage of an account on a symbol.
    pub fn leverage(&self, account: AccountId, symbol: &str) -> u32 {
        self.accounts
            .get(&account)
            .and_then(|a| a.leverage.get(symbol).copied())
            .unwrap_or(self.settings.default_leverage)
    }

    pub(crate) fn gen_client_id(&mut self) -> String {
        const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        self.id_counter += 1;
        let mut x = self.id_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
        let mut s = String::with_capacity(22);
        for i in 0..22 {
            if i == 11 {
                x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ self.id_counter;
            }
            s.push(ALPHA[(x % 62) as usize] as char);
            x /= 62;
            if x == 0 {
                x = self.id_counter.wrapping_mul(0x94D0_49BB_1331_11EB) | 1;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
