//! Reconciling after events may have been missed: the account's balances, its open orders and order lists,
//! and every order that changed since a given time, fetched over the same connection (and for the same
//! account) as the subscription.

use std::collections::{BTreeMap, BTreeSet};

use super::spot_restore::{server_now_ms, signed_request};
use super::spot_stream::UserDataStream;
use crate::api::spot::{
    AccountInfo, AccountStatus, AllOrders, ApiRequest, OpenOrderListsStatus, OpenOrdersStatus, OrderListStatus,
    QueriedOrder,
};
use crate::Result;

/// `allOrders` accepts at most 24 hours between `startTime` and `endTime`, and at most 1000 orders a page.
const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const PAGE: u32 = 1000;

/// The account's state, fetched to repair what missed events would have said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// Server time (epoch ms) just before the queries; events after it arrive in the stream.
    pub as_of_ms: u64,
    /// Balances and account flags (`account.status`).
    pub account: AccountInfo,
    /// Every open order, all symbols (`openOrders.status`).
    pub open_orders: Vec<QueriedOrder>,
    /// Every open order list (`openOrderLists.status`).
    pub open_order_lists: Vec<OrderListStatus>,
    /// Every order whose last update is at or after `since_ms`, open or not (`allOrders` by time range), on
    /// the symbols of `symbols`. Orders that filled or were canceled during a gap are here.
    pub changed_orders: Vec<QueriedOrder>,
    /// The start of the time range of `changed_orders`.
    pub since_ms: u64,
    /// The symbols searched for `changed_orders`.
    pub symbols: BTreeSet<String>,
}

impl UserDataStream {
    /// Fetches the account's state to reconcile with after a [`Notice::Missed`](super::spot::Notice::Missed):
    /// balances, open orders and order lists, and the orders changed since the start of the latest gap (or
    /// since the subscription started, when there was none), on every symbol this stream has seen an event
    /// for or has an open order on.
    ///
    /// An order on a symbol this stream never saw, placed and finished entirely within a gap, is found only
    /// by naming its symbol: use [`UserDataStream::reconcile_since`].
    ///
    /// ```no_run
    /// # async fn run(mut mine: binance_ws::user_data::spot::UserDataStream) -> binance_ws::Result<()> {
    /// let state = mine.reconcile().await?;
    /// for o in &state.changed_orders {
    ///     println!("{} {} is now {:?} ({} filled)", o.symbol, o.order_id, o.status, o.executed_qty);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reconcile(&self) -> Result<Reconciliation> {
        let since = self.last_missed().map(|m| m.from_ms).unwrap_or(self.subscribed_at_ms);
        self.reconcile_since(since, std::iter::empty::<String>()).await
    }

    /// Like [`UserDataStream::reconcile`], with the start of `changed_orders` and more symbols to search.
    ///
    /// ```no_run
    /// # async fn run(mine: binance_ws::user_data::spot::UserDataStream, gap_start: u64) -> binance_ws::Result<()> {
    /// let state = mine.reconcile_since(gap_start, ["ETHBTC"]).await?;
    /// println!("{} orders changed", state.changed_orders.len());
    /// # Ok(()) }
    /// ```
    pub async fn reconcile_since<S: Into<String>>(
        &self,
        since_ms: u64,
        symbols: impl IntoIterator<Item = S>,
    ) -> Result<Reconciliation> {
        let as_of_ms = server_now_ms(&self.sub.client);
        let account = self.send(&AccountStatus::new()).await?;
        let open_orders = self.send(&OpenOrdersStatus::new()).await?;
        let open_order_lists = self.send(&OpenOrderListsStatus::new()).await?;
        let mut all: BTreeSet<String> = self.symbols.iter().cloned().collect();
        all.extend(symbols.into_iter().map(Into::into));
        all.extend(open_orders.iter().map(|o| o.symbol.clone()));
        let mut changed = BTreeMap::new();
        for symbol in &all {
            self.changed_orders(symbol, since_ms, as_of_ms, &mut changed).await?;
        }
        Ok(Reconciliation {
            as_of_ms,
            account,
            open_orders,
            open_order_lists,
            changed_orders: changed.into_values().collect(),
            since_ms,
            symbols: all,
        })
    }

    /// Orders of `symbol` last updated in `[since, until]` (plus a second's margin for clock skew), by
    /// day-long windows and 1000-order pages.
    async fn changed_orders(
        &self,
        symbol: &str,
        since: u64,
        until: u64,
        out: &mut BTreeMap<(String, u64), QueriedOrder>,
    ) -> Result<()> {
        let end = until + 1000;
        let mut start = since.saturating_sub(1000);
        while start <= end {
            let window_end = end.min(start + DAY_MS - 1);
            let page = self.send(&AllOrders::new(symbol).start_time(start).end_time(window_end).limit(PAGE)).await?;
            let full = page.len() as u32 == PAGE;
            let latest = page.iter().map(|o| o.update_time).max();
            for o in page {
                out.insert((o.symbol.clone(), o.order_id), o);
            }
            start = match (full, latest) {
                // A full page: go on from its latest update (repeats are merged by order id).
                (true, Some(t)) if t > start => t,
                _ => window_end + 1,
            };
        }
        Ok(())
    }

    /// Sends a signed request for this stream's account.
    async fn send<R: ApiRequest>(&self, request: &R) -> Result<R::Response> {
        signed_request(&self.sub.client, &self.auth, R::METHOD, request.params()).await
    }
}
