//! Shared enums and types: order sides, types and statuses, kline intervals, rate limits and
//! exchange filters. Values and spellings come from Binance's `enums.md` and `filters.md`.
//!
//! Prices and quantities everywhere are [`Decimal`], never floating point.

mod enums;
mod filters;
pub mod futures;

pub use enums::*;
pub use filters::*;
/// Exact decimal numbers for prices and quantities (Binance sends them as JSON strings).
pub use rust_decimal::Decimal;
