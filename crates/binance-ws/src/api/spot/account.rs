//! Account requests (security `USER_DATA`, signed by the engine).

use super::models::{
    AccountCommission, AccountInfo, AccountTrade, Allocation, MyFilters, OrderAmendment, OrderListStatus,
    PreventedMatch, QueriedOrder,
};
use super::{requests, OrderRef};
use crate::model::RateLimitCount;

requests! {
    api: crate::api::spot::Api;

    /// Account information: balances, commissions, permissions.
    account_status => AccountStatus("account.status", Signed) -> AccountInfo {
        opt omit_zero_balances: val bool = "omitZeroBalances"; "Only non-zero balances (default false).",
    }

    /// The account's unfilled order count per interval.
    account_rate_limits_orders => UnfilledOrderCount("account.rateLimits.orders", Signed) -> Vec<RateLimitCount> {}

    /// The account's commission rates on a symbol.
    account_commission => AccountCommissionRequest("account.commission", Signed) -> AccountCommission {
        req symbol: into String = "symbol"; "Symbol.",
    }

    /// One order's execution status, by `orderId` ([`OrderRef::Id`]) or `origClientOrderId`
    /// ([`OrderRef::ClientId`]).
    order_status => OrderStatusRequest("order.status", Signed) -> QueriedOrder {
        req symbol: into String = "symbol"; "Symbol.",
        req order: into OrderRef = "orderId|origClientOrderId"; "The order: `orderId` or `origClientOrderId`.",
    }

    /// All open orders, of one symbol or of all.
    open_orders_status => OpenOrdersStatus("openOrders.status", Signed) -> Vec<QueriedOrder> {
        opt symbol: into String = "symbol"; "Only this symbol (default: all symbols).",
    }

    /// All orders of a symbol (active, canceled, filled), by id or time range (at most 24 h).
    all_orders => AllOrders("allOrders", Signed) -> Vec<QueriedOrder> {
        req symbol: into String = "symbol"; "Symbol.",
        opt order_id: val u64 = "orderId"; "Start at this order id (ignored with a time range).",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms.",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// One order list's status, by `orderListId` ([`OrderRef::Id`]) or its
    /// `listClientOrderId`, sent as `origClientOrderId` ([`OrderRef::ClientId`]).
    order_list_status => OrderListStatusRequest("orderList.status", Signed) -> OrderListStatus {
        req order_list: into OrderRef = "orderListId|origClientOrderId"; "The list: `orderListId` or `origClientOrderId`.",
    }

    /// All open order lists.
    open_order_lists_status => OpenOrderListsStatus("openOrderLists.status", Signed) -> Vec<OrderListStatus> {}

    /// All order lists, by id or time range (at most 24 h).
    all_order_lists => AllOrderLists("allOrderLists", Signed) -> Vec<OrderListStatus> {
        opt from_id: val u64 = "fromId"; "Start at this order list id (ignored with a time range).",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms.",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// The account's trades on a symbol.
    my_trades => MyTrades("myTrades", Signed) -> Vec<AccountTrade> {
        req symbol: into String = "symbol"; "Symbol.",
        opt order_id: val u64 = "orderId"; "Only trades of this order.",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms.",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms.",
        opt from_id: val u64 = "fromId"; "Start at this trade id.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Orders expired by self-trade prevention.
    my_prevented_matches => MyPreventedMatches("myPreventedMatches", Signed) -> Vec<PreventedMatch> {
        req symbol: into String = "symbol"; "Symbol.",
        opt prevented_match_id: val u64 = "preventedMatchId"; "One prevented match.",
        opt order_id: val u64 = "orderId"; "Prevented matches of this order.",
        opt from_prevented_match_id: val u64 = "fromPreventedMatchId"; "Start at this prevented match id (with `orderId`).",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Allocations from SOR order placement.
    my_allocations => MyAllocations("myAllocations", Signed) -> Vec<Allocation> {
        req symbol: into String = "symbol"; "Symbol.",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms.",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms.",
        opt from_allocation_id: val u64 = "fromAllocationId"; "Start at this allocation id.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
        opt order_id: val u64 = "orderId"; "Only allocations of this order.",
    }

    /// All amendments of one order.
    order_amendments => OrderAmendments("order.amendments", Signed) -> Vec<OrderAmendment> {
        req symbol: into String = "symbol"; "Symbol.",
        req order_id: val u64 = "orderId"; "Order id.",
        opt from_execution_id: val u64 = "fromExecutionId"; "Start at this execution id.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// The filters relevant to the account on a symbol (the only way to see `MAX_ASSET`).
    my_filters => MyFiltersRequest("myFilters", Signed) -> MyFilters {
        req symbol: into String = "symbol"; "Symbol.",
    }
}
