//! Prices as integer ticks: `price × 10^scale` in an `i64`, at one scale per book. Integer keys compare in one
//! instruction, where two [`Decimal`]s of different scales must be rescaled first.
//!
//! The scale starts at the scale of the first price seen (Binance prints every price of a symbol with the same
//! number of decimals, so the fast path is a plain copy of the mantissa) and grows when a finer price arrives.

use rust_decimal::Decimal;

/// Largest scale a [`Decimal`] can have.
const MAX_SCALE: u32 = 28;

/// Why a price has no tick at the book's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TickError {
    /// The price has more significant decimals than the scale: the book needs this scale.
    TooFine(u32),
    /// `price × 10^scale` does not fit an `i64`.
    OutOfRange,
}

/// `10^n` for `n <= 28`.
fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// The tick of `price` at `scale`.
#[inline]
pub(crate) fn to_ticks(price: Decimal, scale: u32) -> Result<i64, TickError> {
    let (m, s) = (price.mantissa(), price.scale());
    let v = if s == scale {
        m
    } else if s < scale {
        m.checked_mul(pow10(scale - s)).ok_or(TickError::OutOfRange)?
    } else {
        let d = pow10(s - scale);
        if m % d != 0 {
            return Err(TickError::TooFine(finest_scale(m, s)));
        }
        m / d
    };
    i64::try_from(v).map_err(|_| TickError::OutOfRange)
}

/// The smallest scale at which `mantissa / 10^scale` is still exact.
fn finest_scale(mut m: i128, mut s: u32) -> u32 {
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    s
}

/// The scale a book starts with for its first price (capped at what a `Decimal` allows).
pub(crate) fn initial_scale(price: Decimal) -> u32 {
    price.scale().min(MAX_SCALE)
}

/// The price of `ticks` at `scale`.
#[inline]
pub(crate) fn from_ticks(ticks: i64, scale: u32) -> Decimal {
    Decimal::new(ticks, scale)
}

/// Converts a tick from scale `from` to the finer scale `to`.
pub(crate) fn rescale(ticks: i64, from: u32, to: u32) -> Result<i64, TickError> {
    let v = (ticks as i128).checked_mul(pow10(to - from)).ok_or(TickError::OutOfRange)?;
    i64::try_from(v).map_err(|_| TickError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn same_scale_copies_the_mantissa() {
        assert_eq!(to_ticks(d("25000.01000000"), 8), Ok(2_500_001_000_000));
        assert_eq!(from_ticks(2_500_001_000_000, 8), d("25000.01"));
    }

    #[test]
    fn coarser_and_finer_prices() {
        assert_eq!(to_ticks(d("1.5"), 8), Ok(150_000_000));
        assert_eq!(to_ticks(d("1.50000000"), 2), Ok(150));
        assert_eq!(to_ticks(d("1.50000001"), 2), Err(TickError::TooFine(8)));
        assert_eq!(to_ticks(d("1.25000"), 1), Err(TickError::TooFine(2)));
    }

    #[test]
    fn out_of_range_is_an_error() {
        assert_eq!(to_ticks(d("79228162514264337593543950335"), 0), Err(TickError::OutOfRange));
        assert_eq!(to_ticks(d("100000000000"), 8), Err(TickError::OutOfRange));
        assert_eq!(rescale(i64::MAX / 2, 0, 1), Err(TickError::OutOfRange));
        assert_eq!(rescale(12, 2, 4), Ok(1200));
    }
}
