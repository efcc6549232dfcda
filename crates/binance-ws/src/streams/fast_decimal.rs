//! Exact decimal reading for the fixed-order readers. Binance sends prices and quantities as plain digit
//! strings (`"25000.01"`, `"0.50000000"`); `Decimal::from_str` handles every form (signs, exponents,
//! underscores, rounding past 28 digits) and costs several times more than these need. This reads
//! `digits[.digits]` of at most 19 significant characters straight into a 64-bit mantissa and a scale,
//! which is exactly what `Decimal::from_str` makes of them (same value, same scale: `"0.50000000"` keeps
//! its 8 places); anything else is left to `Decimal::from_str` (see the proptests below).

use std::str::FromStr;

use rust_decimal::Decimal;

/// Up to 19 bytes hold at most 19 digits, which a u64 holds (10^19 - 1 < 2^64), and a scale of at most 18,
/// which a `Decimal` holds.
const MAX_LEN: usize = 19;

/// Reads `s` as `Decimal::from_str` does, quickly when it is plain digits with at most one inner dot.
pub(super) fn parse(s: &str) -> Option<Decimal> {
    match prefix(s.as_bytes()) {
        Some((d, n)) if n == s.len() => Some(d),
        _ => Decimal::from_str(s).ok(),
    }
}

/// The plain decimal (`digits` or `digits.digits`, at most [`MAX_LEN`] bytes) that `b` starts with, read up to
/// the first byte that is neither a digit nor a dot, and how many bytes it took; `None` when that run is not
/// plain (empty, too long, a dot at either end or twice). What follows is the caller's to check: the value is
/// `Decimal::from_str`'s only when the run is the whole text.
pub(super) fn prefix(b: &[u8]) -> Option<(Decimal, usize)> {
    let mut mantissa: u64 = 0;
    let mut dot = usize::MAX;
    let mut n = 0;
    while let Some(&c) = b.get(n) {
        let digit = c.wrapping_sub(b'0');
        if digit < 10 {
            if n == MAX_LEN {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(digit);
        } else if c == b'.' && dot == usize::MAX && n < MAX_LEN {
            dot = n;
        } else {
            break;
        }
        n += 1;
    }
    let scale = match dot {
        usize::MAX if n > 0 => 0,
        usize::MAX => return None,
        d if d > 0 && d + 1 < n => (n - d - 1) as u32,
        _ => return None,
    };
    Some((Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale), n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Same value and same scale: the 16-byte representation is identical.
    fn same(s: &str) {
        let want = Decimal::from_str(s).ok().map(|d| d.serialize());
        assert_eq!(parse(s).map(|d| d.serialize()), want, "{s:?}");
    }

    #[test]
    fn edge_cases_read_as_from_str_reads_them() {
        for s in [
            "0",
            "00",
            "0.00000000",
            "0.50000000",
            "25000.01",
            "24999.00",
            "007.0700",
            "1",
            "9999999999999999999",
            "999999999.999999999",
            "0.000000000000000001",
            "1234567890123456789",
            "18446744073709551615",
            "99999999999999999999",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000001",
            "123456789012345678901234567890",
            "1.",
            ".5",
            ".",
            "",
            "-1.5",
            "+1.5",
            "-0",
            "1e-3",
            "1_000",
            "1..2",
            "1.2.3",
            " 1",
            "1 ",
            "abc",
            "٣",
        ] {
            same(s);
        }
    }

    #[test]
    fn the_fast_path_takes_plain_digits_up_to_the_first_other_byte() {
        let read = |s: &str| prefix(s.as_bytes()).map(|(d, n)| (d.to_string(), n));
        assert_eq!(read("25000.01000000\""), Some(("25000.01000000".into(), 14)));
        assert_eq!(read("0.00000000"), Some(("0.00000000".into(), 10)));
        assert_eq!(read("1234567890123456789"), Some(("1234567890123456789".into(), 19)));
        assert_eq!(read("1e3"), Some(("1".into(), 1)), "the caller sees the run end before its quote");
        assert_eq!(read("12345678901234567890"), None, "20 digits go to from_str");
        assert_eq!(read("123456789012345678.9"), None, "so do 20 bytes with a dot");
        assert_eq!(read("1.2.3"), Some(("1.2".into(), 3)), "a second dot ends the run");
        for s in ["", "\"", ".5", "1.", "1.\"", "."] {
            assert_eq!(read(s), None, "{s:?}");
        }
        assert_eq!(parse("0.50000000").map(|d| d.to_string()).as_deref(), Some("0.50000000"));
    }

    proptest! {
        #[test]
        fn digit_strings_agree(int in "[0-9]{1,30}", frac in proptest::option::of("[0-9]{0,30}")) {
            let s = match frac {
                Some(f) => format!("{int}.{f}"),
                None => int,
            };
            same(&s);
        }

        #[test]
        fn any_short_text_agrees(s in "[-+0-9._eE ]{0,24}") {
            same(&s);
        }

        #[test]
        fn any_mantissa_and_scale_agree(m in any::<u64>(), scale in 0u32..=19) {
            let s = Decimal::from_i128_with_scale(i128::from(m), scale.min(28)).to_string();
            same(&s);
        }
    }
}
