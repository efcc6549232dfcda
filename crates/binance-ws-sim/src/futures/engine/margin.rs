//! Cross margin: what positions and open orders tie up, what is left (available balance), liquidation prices,
//! MARGIN_CALL, and the ACCOUNT_UPDATE an operation produces.
//!
//! Per margin asset: marginBalance = wallet + unrealized PnL (at the mark price); initialMargin = position initial
//! margin (|notional at mark| / leverage) + open order initial margin (the part of open orders that would grow a
//! position, valued at the order price, / leverage); availableBalance = marginBalance - initialMargin;
//! maintMargin = |notional at mark| x maintenance rate.

use rust_decimal::Decimal;

use super::events::{BalanceUpdate, FUserEvent, PositionUpdate};
use super::position::round8;
use super::types::{FOrder, PositionSide};
use super::{Engine, FSymbol};
use crate::exchange::{AccountId, Side};

/// One margin asset of an account, as account.balance / account.status report it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetSummary {
    pub asset: String,
    pub wallet: Decimal,
    pub unrealized: Decimal,
    pub margin_balance: Decimal,
    pub maint_margin: Decimal,
    pub position_initial_margin: Decimal,
    pub open_order_initial_margin: Decimal,
    pub initial_margin: Decimal,
    pub available: Decimal,
    pub max_withdraw: Decimal,
    pub update_time: u64,
}

/// One position, as account.position / account.status report it.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionSummary {
    pub symbol: String,
    pub side: PositionSide,
    pub amount: Decimal,
    pub entry: Decimal,
    pub break_even: Decimal,
    pub mark: Decimal,
    pub unrealized: Decimal,
    /// Signed value at the mark price in the margin asset (USD-M `notional`, COIN-M `notionalValue`).
    pub notional: Decimal,
    pub leverage: u32,
    pub initial_margin: Decimal,
    pub maint_margin: Decimal,
    pub open_order_initial_margin: Decimal,
    /// Zero when there is no position (or no price would liquidate it).
    pub liquidation_price: Decimal,
    /// Largest position notional at this leverage (USD).
    pub max_notional: Decimal,
    pub bid_notional: Decimal,
    pub ask_notional: Decimal,
    pub realized: Decimal,
    pub margin_asset: String,
    pub update_time: u64,
}

impl Engine {
    /// What an open order is worth: at its price, or (market-like) at the best opposite price, else the mark.
    pub(crate) fn order_value(&self, st: &FSymbol, o: &FOrder, qty: Decimal) -> Decimal {
        let price = if o.price.is_zero() { st.book.best(o.side.opposite()).unwrap_or(st.mark) } else { o.price };
        st.calc.value(qty, price)
    }

    /// Orders of an account on a symbol that count for margin: open, not reduce-only, not waiting for a trigger.
    fn margin_orders<'a>(&'a self, account: AccountId, symbol: &'a str) -> impl Iterator<Item = &'a FOrder> + 'a {
        self.open
            .get(&account)
            .into_iter()
            .flatten()
            .filter_map(|id| self.orders.get(id))
            .filter(move |o| o.symbol == symbol && !o.reduce_only && !o.close_position && !o.is_untriggered())
    }

    /// Open order initial margin of one position side, with `extra` counted as if it were open too.
    pub(crate) fn open_order_margin(
        &self,
        account: AccountId,
        symbol: &str,
        side: PositionSide,
        extra: Option<&FOrder>,
    ) -> Decimal {
        let (Some(st), Some(acc)) = (self.symbols.get(symbol), self.accounts.get(&account)) else {
            return Decimal::ZERO;
        };
        let leverage = Decimal::from(self.leverage(account, symbol));
        let orders: Vec<&FOrder> = self.margin_orders(account, symbol).chain(extra).collect();
        if side != PositionSide::Both {
            // Hedge mode: BUY on LONG and SELL on SHORT open; the others close and need no margin.
            let opening = if side == PositionSide::Long { Side::Buy } else { Side::Sell };
            let value: Decimal = orders
                .iter()
                .filter(|o| o.position_side == side && o.side == opening)
                .map(|o| self.order_value(st, o, o.remaining()))
                .sum();
            return value / leverage;
        }
        let amount = acc.position(symbol, PositionSide::Both).amount;
        let mut margin = Decimal::ZERO;
        for (side, offset) in [(Side::Buy, (-amount).max(Decimal::ZERO)), (Side::Sell, amount.max(Decimal::ZERO))] {
            let mine: Vec<&&FOrder> = orders.iter().filter(|o| o.side == side).collect();
            let qty: Decimal = mine.iter().map(|o| o.remaining()).sum();
            if qty.is_zero() {
                continue;
            }
            let value: Decimal = mine.iter().map(|o| self.order_value(st, o, o.remaining())).sum();
            // The part of the orders that would only close the opposite position needs no margin.
            let opening = (qty - offset).max(Decimal::ZERO);
            margin += value * opening / qty;
        }
        margin / leverage
    }

    /// The position sides an account shows: BOTH in one-way mode, LONG and SHORT in hedge mode.
    pub(crate) fn sides(&self, account: AccountId) -> &'static [PositionSide] {
        if self.accounts.get(&account).is_some_and(|a| a.hedge) {
            &[PositionSide::Long, PositionSide::Short]
        } else {
            &[PositionSide::Both]
        }
    }

    /// One position's figures at the current mark price.
    pub fn position_summary(&self, account: AccountId, symbol: &str, side: PositionSide) -> Option<PositionSummary> {
        let st = self.symbols.get(symbol)?;
        let acc = self.accounts.get(&account)?;
        let pos = acc.position(symbol, side);
        let leverage = self.leverage(account, symbol);
        let lev = Decimal::from(leverage);
        let notional = round8(st.calc.value(pos.amount, st.mark));
        let unrealized = round8(st.calc.pnl(pos.amount, pos.entry, st.mark));
        let break_even = if pos.amount.is_zero() {
            Decimal::ZERO
        } else if pos.amount.is_sign_positive() {
            round8(pos.entry * (Decimal::ONE + acc.taker_rate))
        } else {
            round8(pos.entry * (Decimal::ONE - acc.taker_rate))
        };
        let (mut bids, mut asks) = (Decimal::ZERO, Decimal::ZERO);
        for o in self.margin_orders(account, symbol) {
            let v = self.order_value(st, o, o.remaining());
            match o.side {
                Side::Buy => bids += v,
                Side::Sell => asks += v,
            }
        }
        Some(PositionSummary {
            symbol: symbol.to_string(),
            side,
            amount: pos.amount,
            entry: pos.entry,
            break_even,
            mark: st.mark,
            unrealized,
            notional,
            leverage,
            initial_margin: round8(notional.abs() / lev),
            maint_margin: round8(notional.abs() * st.spec.maint_margin_rate),
            open_order_initial_margin: round8(self.open_order_margin(account, symbol, side, None)),
            liquidation_price: self.liquidation_price(account, symbol, side),
            max_notional: st.spec.max_notional(leverage),
            bid_notional: round8(bids),
            ask_notional: round8(asks),
            realized: pos.realized,
            margin_asset: st.spec.margin_asset.clone(),
            update_time: pos.update_time,
        })
    }

    /// The positions of an account in its mode's sides, for one symbol or all.
    pub fn positions(&self, account: AccountId, symbol: Option<&str>) -> Vec<PositionSummary> {
        let mut out = Vec::new();
        for sym in self.symbols.keys().filter(|s| symbol.is_none_or(|x| x == s.as_str())) {
            for side in self.sides(account) {
                out.extend(self.position_summary(account, sym, *side));
            }
        }
        out
    }

    /// An account's figures in one margin asset.
    pub fn asset_summary(&self, account: AccountId, asset: &str) -> Option<AssetSummary> {
        let acc = self.accounts.get(&account)?;
        let (mut unrealized, mut pos_im, mut oo_im, mut maint) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for st in self.symbols.values().filter(|s| s.spec.margin_asset == asset) {
            for side in self.sides(account) {
                if let Some(p) = self.position_summary(account, &st.spec.symbol, *side) {
                    unrealized += p.unrealized;
                    pos_im += p.initial_margin;
                    oo_im += p.open_order_initial_margin;
                    maint += p.maint_margin;
                }
            }
        }
        let wallet = acc.wallet(asset);
        let margin_balance = wallet + unrealized;
        let initial = pos_im + oo_im;
        let available = margin_balance - initial;
        Some(AssetSummary {
            asset: asset.to_string(),
            wallet,
            unrealized,
            margin_balance,
            maint_margin: maint,
            position_initial_margin: pos_im,
            open_order_initial_margin: oo_im,
            initial_margin: initial,
            available,
            max_withdraw: available.min(wallet).max(Decimal::ZERO),
            update_time: acc.wallets.get(asset).map(|w| w.update_time).unwrap_or(0),
        })
    }

    /// Every wallet of an account.
    pub fn asset_summaries(&self, account: AccountId) -> Vec<AssetSummary> {
        let Some(acc) = self.accounts.get(&account) else { return Vec::new() };
        acc.wallets.keys().filter_map(|a| self.asset_summary(account, a)).collect()
    }

    /// The mark price at which the account's margin balance in the position's asset would equal the position's
    /// maintenance margin, the other positions held at their current PnL; zero when flat or unreachable.
    fn liquidation_price(&self, account: AccountId, symbol: &str, side: PositionSide) -> Decimal {
        let (Some(st), Some(acc)) = (self.symbols.get(symbol), self.accounts.get(&account)) else {
            return Decimal::ZERO;
        };
        let pos = acc.position(symbol, side);
        if pos.amount.is_zero() {
            return Decimal::ZERO;
        }
        let asset = &st.spec.margin_asset;
        let mut others = Decimal::ZERO;
        for ((sym, ps), p) in &acc.positions {
            if (sym.as_str(), *ps) == (symbol, side) {
                continue;
            }
            if let Some(o) = self.symbols.get(sym).filter(|o| &o.spec.margin_asset == asset) {
                others += o.calc.pnl(p.amount, p.entry, o.mark);
            }
        }
        let balance = acc.wallet(asset) + others;
        let (a, e, mmr) = (pos.amount, pos.entry, st.spec.maint_margin_rate);
        let price = if st.calc.inverse {
            let cs = st.calc.contract_size;
            let den = balance + a * cs / e;
            if den <= Decimal::ZERO {
                return Decimal::ZERO;
            }
            cs * (a.abs() * mmr + a) / den
        } else {
            let den = a.abs() * mmr - a;
            if den.is_zero() {
                return Decimal::ZERO;
            }
            (balance - a * e) / den
        };
        if price <= Decimal::ZERO {
            Decimal::ZERO
        } else {
            round8(price)
        }
    }

    /// Margin a new order would tie up beyond what the account's open orders already do.
    pub(crate) fn extra_margin(&self, o: &FOrder) -> Decimal {
        let before = self.open_order_margin(o.account, &o.symbol, o.position_side, None);
        let after = self.open_order_margin(o.account, &o.symbol, o.position_side, Some(o));
        (after - before).max(Decimal::ZERO)
    }

    /// The position update entries of ACCOUNT_UPDATE and MARGIN_CALL.
    pub(crate) fn position_update(
        &self,
        account: AccountId,
        symbol: &str,
        side: PositionSide,
    ) -> Option<PositionUpdate> {
        let p = self.position_summary(account, symbol, side)?;
        Some(PositionUpdate {
            symbol: p.symbol,
            side,
            amount: p.amount,
            entry_price: p.entry,
            break_even_price: p.break_even,
            accumulated_realized: p.realized,
            unrealized: p.unrealized,
            margin_asset: p.margin_asset,
            mark_price: p.mark,
            maint_margin: p.maint_margin,
        })
    }

    /// One ACCOUNT_UPDATE (reason ORDER) per account the operation changed.
    pub(crate) fn flush_account_updates(&mut self) {
        let touched = std::mem::take(&mut self.touched);
        for (account, t) in touched {
            let Some(acc) = self.accounts.get(&account) else { continue };
            let balances = t
                .assets
                .iter()
                .map(|(a, change)| BalanceUpdate {
                    asset: a.clone(),
                    wallet: acc.wallet(a),
                    cross_wallet: acc.wallet(a),
                    change: *change,
                })
                .collect();
            let positions = t.positions.iter().filter_map(|(s, ps)| self.position_update(account, s, *ps)).collect();
            self.user_out.push((account, FUserEvent::Account { reason: "ORDER", time: self.now, balances, positions }));
        }
    }

    /// Sends MARGIN_CALL when an account's maintenance margin reaches the configured share of its margin balance
    /// (once, until the ratio falls back below it).
    pub(crate) fn check_margin_calls(&mut self) {
        let threshold = self.settings.margin_call_ratio;
        let accounts: Vec<AccountId> = self
            .accounts
            .iter()
            .filter(|(_, a)| a.has_positions() || !a.margin_called.is_empty())
            .map(|(id, _)| *id)
            .collect();
        for account in accounts {
            let assets: Vec<String> = self.accounts[&account].wallets.keys().cloned().collect();
            for asset in assets {
                let Some(s) = self.asset_summary(account, &asset) else { continue };
                let low = !s.maint_margin.is_zero()
                    && (s.margin_balance <= Decimal::ZERO || s.maint_margin >= s.margin_balance * threshold);
                let called = self.accounts[&account].margin_called.contains(&asset);
                if low && !called {
                    let positions: Vec<PositionUpdate> = self
                        .symbols
                        .values()
                        .filter(|st| st.spec.margin_asset == asset)
                        .flat_map(|st| {
                            self.sides(account)
                                .iter()
                                .filter_map(|ps| self.position_update(account, &st.spec.symbol, *ps))
                                .collect::<Vec<_>>()
                        })
                        .filter(|p| !p.amount.is_zero())
                        .collect();
                    self.user_out
                        .push((account, FUserEvent::MarginCall { time: self.now, cross_wallet: s.wallet, positions }));
                    if let Some(a) = self.accounts.get_mut(&account) {
                        a.margin_called.insert(asset);
                    }
                } else if !low && called {
                    if let Some(a) = self.accounts.get_mut(&account) {
                        a.margin_called.remove(&asset);
                    }
                }
            }
        }
    }
}
