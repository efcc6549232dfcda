//! Read-only queries: orders, open orders, order history, account trades, prevented matches, amendments.

use super::order::*;
use super::Exchange;
use rust_decimal::Decimal;

/// One of the account's trades (myTrades).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountTrade {
    pub symbol: String,
    pub id: u64,
    pub order_id: u64,
    pub order_list_id: i64,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: u64,
    pub is_buyer: bool,
    pub is_maker: bool,
    pub is_best_match: bool,
}

/// A prevented match (myPreventedMatches).
#[derive(Debug, Clone, PartialEq)]
pub struct PreventedMatch {
    pub symbol: String,
    pub prevented_match_id: u64,
    pub taker_order_id: u64,
    pub maker_symbol: String,
    pub maker_order_id: u64,
    pub trade_group_id: i64,
    pub self_trade_prevention_mode: StpMode,
    pub price: Decimal,
    pub maker_prevented_quantity: Decimal,
    pub transact_time: u64,
    pub taker_account: AccountId,
    pub maker_account: AccountId,
}

/// One amendment of an order (order.amendments).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub symbol: String,
    pub order_id: u64,
    pub execution_id: u64,
    pub orig_client_order_id: String,
    pub new_client_order_id: String,
    pub orig_qty: Decimal,
    pub new_qty: Decimal,
    pub time: u64,
}

/// How to select from a history: from an id, or a time range, with a limit (default 500, max 1000).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    pub from_id: Option<u64>,
    pub start_time: Option<u64>,
    pub end_time: Option<u64>,
    pub limit: Option<u32>,
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

fn check_limit(q: &HistoryQuery) -> Result<usize, Reject> {
    let limit = q.limit.unwrap_or(500);
    if limit == 0 || limit > 1000 {
        return Err(Reject::invalid("limit"));
    }
    if let (Some(s), Some(e)) = (q.start_time, q.end_time) {
        if e < s {
            return Err(Reject::invalid("endTime"));
        }
        if e - s > DAY_MS {
            return Err(Reject::new(-1127, "More than 24 hours between startTime and endTime."));
        }
    }
    Ok(limit as usize)
}

/// Selects from items sorted by id: from an id (ascending, first `limit`), a time range (first `limit` from
/// `startTime`, else the last `limit` before `endTime`), or the most recent `limit`.
fn select<T: Clone>(items: &[T], q: &HistoryQuery, id: impl Fn(&T) -> u64, time: impl Fn(&T) -> u64) -> Vec<T> {
    let limit = q.limit.unwrap_or(500) as usize;
    if q.start_time.is_some() || q.end_time.is_some() {
        let v: Vec<T> = items
            .iter()
            .filter(|t| q.start_time.is_none_or(|s| time(t) >= s) && q.end_time.is_none_or(|e| time(t) <= e))
            .cloned()
            .collect();
        if q.start_time.is_some() {
            v.into_iter().take(limit).collect()
        } else {
            let skip = v.len().saturating_sub(limit);
            v.into_iter().skip(skip).collect()
        }
    } else if let Some(from) = q.from_id {
        items.iter().filter(|t| id(t) >= from).take(limit).cloned().collect()
    } else {
        items[items.len().saturating_sub(limit)..].to_vec()
    }
}

impl Exchange {
    /// order.status: by orderId, or by clientOrderId (the latest order that had it). -2013 when unknown.
    pub fn query_order(&self, account: AccountId, symbol: &str, r: &OrderRef) -> Result<Order, Reject> {
        self.sym(symbol)?;
        let missing = || Reject::new(-2013, "Order does not exist.");
        let o = match (&r.order_id, &r.orig_client_order_id) {
            (Some(id), cl) => {
                let o =
                    self.orders.get(id).filter(|o| o.account == account && o.symbol == symbol).ok_or_else(missing)?;
                if cl.as_ref().is_some_and(|c| c != &o.client_order_id) {
                    return Err(Reject::new(-2039, "Client order ID is not correct for this order ID."));
                }
                o
            }
            (None, Some(cl)) => self
                .by_account_symbol
                .get(&(account, symbol.to_string()))
                .and_then(|ids| ids.iter().rev().filter_map(|i| self.orders.get(i)).find(|o| &o.client_order_id == cl))
                .ok_or_else(missing)?,
            (None, None) => return Err(Reject::either("orderId", "origClientOrderId")),
        };
        Ok(o.clone())
    }

    /// openOrders.status: open orders (including pending list orders), of one symbol or all, by order id.
    pub fn open_orders(&self, account: AccountId, symbol: Option<&str>) -> Result<Vec<Order>, Reject> {
        if let Some(s) = symbol {
            self.sym(s)?;
        }
        Ok(self
            .open
            .get(&account)
            .map(|ids| {
                ids.iter()
                    .filter_map(|i| self.orders.get(i))
                    .filter(|o| symbol.is_none_or(|s| o.symbol == s))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    /// allOrders: `from_id` is `orderId`; a time range filters by the last update time and overrides it.
    pub fn all_orders(&self, account: AccountId, symbol: &str, q: &HistoryQuery) -> Result<Vec<Order>, Reject> {
        self.sym(symbol)?;
        check_limit(q)?;
        let ids = self.by_account_symbol.get(&(account, symbol.to_string())).cloned().unwrap_or_default();
        let orders: Vec<Order> = ids.iter().filter_map(|i| self.orders.get(i)).cloned().collect();
        Ok(select(&orders, q, |o| o.order_id, |o| o.update_time))
    }

    /// myTrades: optional `order_id` (not with a time range), `from_id` (not with a time range).
    pub fn my_trades(
        &self,
        account: AccountId,
        symbol: &str,
        order_id: Option<u64>,
        q: &HistoryQuery,
    ) -> Result<Vec<AccountTrade>, Reject> {
        self.sym(symbol)?;
        check_limit(q)?;
        let timed = q.start_time.is_some() || q.end_time.is_some();
        if timed && (q.from_id.is_some() || order_id.is_some()) {
            return Err(Reject::new(-1128, "Combination of optional parameters invalid."));
        }
        let all = self.account_trades.get(&(account, symbol.to_string())).cloned().unwrap_or_default();
        let trades: Vec<AccountTrade> = all.into_iter().filter(|t| order_id.is_none_or(|o| t.order_id == o)).collect();
        Ok(select(&trades, q, |t| t.id, |t| t.time))
    }

    /// myPreventedMatches: by `prevented_match_id`, or by `order_id` (taker or maker) from `from_id`.
    pub fn prevented_matches(
        &self,
        account: AccountId,
        symbol: &str,
        prevented_match_id: Option<u64>,
        order_id: Option<u64>,
        from_id: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<PreventedMatch>, Reject> {
        let st = self.sym(symbol)?;
        let limit = limit.unwrap_or(500).min(1000) as usize;
        let mine = st.prevented.iter().filter(|p| p.taker_account == account || p.maker_account == account);
        Ok(match (prevented_match_id, order_id) {
            (Some(id), _) => mine.filter(|p| p.prevented_match_id == id).cloned().collect(),
            (None, Some(o)) => mine
                .filter(|p| p.taker_order_id == o || p.maker_order_id == o)
                .filter(|p| from_id.is_none_or(|f| p.prevented_match_id >= f))
                .take(limit)
                .cloned()
                .collect(),
            (None, None) => return Err(Reject::either("preventedMatchId", "orderId")),
        })
    }

    /// order.amendments of one order, from an execution id.
    pub fn order_amendments(
        &self,
        account: AccountId,
        symbol: &str,
        order_id: u64,
        from_execution_id: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<Amendment>, Reject> {
        self.sym(symbol)?;
        match self.orders.get(&order_id) {
            Some(o) if o.account == account && o.symbol == symbol => {}
            _ => return Err(Reject::new(-2013, "Order does not exist.")),
        }
        let limit = limit.unwrap_or(500).min(1000) as usize;
        Ok(self
            .amendments
            .get(&order_id)
            .map(|v| {
                v.iter()
                    .filter(|a| from_execution_id.is_none_or(|f| a.execution_id >= f))
                    .take(limit)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The account's open orders on a symbol (what MAX_NUM_ORDERS counts).
    pub fn open_order_count(&self, account: AccountId, symbol: &str) -> usize {
        self.open_count(account, symbol)
    }
}
