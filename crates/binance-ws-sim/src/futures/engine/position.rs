//! Contract arithmetic and positions: linear (USD-M: quantity in the base asset, value and PnL in USDT) and
//! inverse (COIN-M: quantity in contracts of a fixed USD size, value and PnL in the coin).

use rust_decimal::{Decimal, RoundingStrategy};

/// Places kept for money (wallets, PnL, commissions) and entry prices.
pub const MONEY_DP: u32 = 8;

/// Rounds to 8 decimals, half away from zero.
pub fn round8(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(MONEY_DP, RoundingStrategy::MidpointAwayFromZero)
}

/// The arithmetic of one contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calc {
    /// COIN-M.
    pub inverse: bool,
    /// USD per contract (COIN-M); 1 for USD-M.
    pub contract_size: Decimal,
}

impl Calc {
    /// What `qty` is worth at `price` in the margin asset: qty x price (USD-M) or qty x size / price (COIN-M).
    pub fn value(&self, qty: Decimal, price: Decimal) -> Decimal {
        if self.inverse {
            if price.is_zero() {
                return Decimal::ZERO;
            }
            qty * self.contract_size / price
        } else {
            qty * price
        }
    }

    /// The notional in the quote currency (USDT, or USD for COIN-M), for leverage brackets and MIN_NOTIONAL.
    pub fn quote_notional(&self, qty: Decimal, price: Decimal) -> Decimal {
        if self.inverse {
            qty * self.contract_size
        } else {
            qty * price
        }
    }

    /// Profit of a signed position `amount` entered at `entry`, valued at `price`, in the margin asset.
    pub fn pnl(&self, amount: Decimal, entry: Decimal, price: Decimal) -> Decimal {
        if amount.is_zero() || entry.is_zero() || price.is_zero() {
            return Decimal::ZERO;
        }
        if self.inverse {
            amount * self.contract_size * (Decimal::ONE / entry - Decimal::ONE / price)
        } else {
            amount * (price - entry)
        }
    }

    /// The entry price after adding `qty` at `price` to `held` (absolute amounts) entered at `entry`:
    /// the quantity-weighted mean (USD-M) or the harmonic mean (COIN-M), rounded to 8 decimals.
    pub fn entry_after_add(&self, held: Decimal, entry: Decimal, qty: Decimal, price: Decimal) -> Decimal {
        if held.is_zero() || entry.is_zero() {
            return price;
        }
        let total = held + qty;
        let e = if self.inverse { total / (held / entry + qty / price) } else { (held * entry + qty * price) / total };
        round8(e)
    }
}

/// One position of an account: `amount` is signed (negative: short; a hedge-mode SHORT position is negative).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Position {
    pub amount: Decimal,
    /// Zero when flat.
    pub entry: Decimal,
    /// Realized PnL accumulated over the position's life (ACCOUNT_UPDATE `cr`).
    pub realized: Decimal,
    pub update_time: u64,
}

impl Position {
    /// Applies a fill of signed `delta` at `price`; returns the realized PnL of the part that closed, rounded to
    /// 8 decimals (the amount booked to the wallet).
    pub fn apply(&mut self, calc: &Calc, delta: Decimal, price: Decimal, now: u64) -> Decimal {
        self.update_time = now;
        if self.amount.is_zero() || self.amount.is_sign_positive() == delta.is_sign_positive() {
            self.entry = calc.entry_after_add(self.amount.abs(), self.entry, delta.abs(), price);
            self.amount += delta;
            return Decimal::ZERO;
        }
        let closing = delta.abs().min(self.amount.abs());
        let closed = if self.amount.is_sign_positive() { closing } else { -closing };
        let pnl = round8(calc.pnl(closed, self.entry, price));
        self.realized += pnl;
        self.amount += delta;
        if self.amount.is_zero() {
            self.entry = Decimal::ZERO;
        } else if self.amount.is_sign_positive() == delta.is_sign_positive() {
            // The fill went through zero: the rest opened a new position at the fill price.
            self.entry = price;
        }
        pnl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn linear_positions_average_close_and_flip() {
        let c = Calc { inverse: false, contract_size: Decimal::ONE };
        let mut p = Position::default();
        assert_eq!(p.apply(&c, d("1"), d("100"), 1), Decimal::ZERO);
        assert_eq!(p.apply(&c, d("1"), d("110"), 2), Decimal::ZERO);
        assert_eq!(p.entry, d("105"));
        assert_eq!(p.apply(&c, d("-0.5"), d("120"), 3), d("7.5"));
        assert_eq!(p.amount, d("1.5"));
        // Through zero: 1.5 closes at 90 (-22.5), 0.5 opens short at 90.
        assert_eq!(p.apply(&c, d("-2"), d("90"), 4), d("-22.5"));
        assert_eq!((p.amount, p.entry, p.realized), (d("-0.5"), d("90"), d("-15")));
    }

    #[test]
    fn inverse_positions_use_the_harmonic_mean_and_pay_in_coin() {
        let c = Calc { inverse: true, contract_size: d("100") };
        let mut p = Position::default();
        p.apply(&c, d("10"), d("50000"), 1);
        p.apply(&c, d("10"), d("40000"), 2);
        // 20 contracts / (10/50000 + 10/40000) = 44444.44444444...
        assert_eq!(p.entry, d("44444.44444444"));
        let pnl = p.apply(&c, d("-20"), d("50000"), 3);
        // 20 x 100 x (1/44444.44444444 - 1/50000)
        assert_eq!(pnl, round8(d("2000") * (Decimal::ONE / d("44444.44444444") - Decimal::ONE / d("50000"))));
        assert_eq!(p.amount, Decimal::ZERO);
        assert_eq!(c.value(d("10"), d("50000")), d("0.02"));
    }
}
