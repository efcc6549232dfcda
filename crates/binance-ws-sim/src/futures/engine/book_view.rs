//! Reading the books: depth snapshots, best prices, price-match levels and the price a working type refers to.

use rust_decimal::Decimal;

use super::types::{PriceMatch, WorkingType};
use super::{Engine, FSymbol};
use crate::exchange::events::DepthSnapshot;
use crate::exchange::{Reject, Side};

impl FSymbol {
    /// The price a trigger of `working_type` compares with: the mark price, or the last trade price (the mark
    /// until the contract has traded).
    pub fn trigger_price(&self, working_type: WorkingType) -> Decimal {
        match working_type {
            WorkingType::MarkPrice => self.mark,
            WorkingType::ContractPrice => self.last_price.unwrap_or(self.mark),
        }
    }

    /// The book's mid price, when both sides have orders.
    pub fn mid(&self) -> Option<Decimal> {
        match (self.book.best(Side::Buy), self.book.best(Side::Sell)) {
            (Some(b), Some(a)) => Some((b + a) / Decimal::TWO),
            _ => None,
        }
    }

    /// The price `mode` picks for an order of `side`: the Nth best level of the opposite side (OPPONENT_N) or of
    /// its own side (QUEUE_N); -5041 when the book has no such level.
    pub fn match_price(&self, mode: PriceMatch, side: Side) -> Result<Option<Decimal>, Reject> {
        let Some((opposite, n)) = mode.level() else { return Ok(None) };
        let book_side = if opposite { side.opposite() } else { side };
        let levels = self.book.levels(book_side, n);
        if levels.len() < n {
            return Err(super::errors::no_depth_for_price_match());
        }
        Ok(levels.last().map(|(p, _)| *p))
    }
}

impl Engine {
    /// The top `limit` levels of each side with the book's last update id and the time of its last change.
    pub fn depth(&self, symbol: &str, limit: usize) -> Result<(DepthSnapshot, u64), Reject> {
        let st = self.sym(symbol)?;
        let snap = DepthSnapshot {
            last_update_id: st.update_id,
            bids: st.book.levels(Side::Buy, limit),
            asks: st.book.levels(Side::Sell, limit),
        };
        Ok((snap, st.book_time))
    }
}
