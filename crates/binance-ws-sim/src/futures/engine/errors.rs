//! Futures rejections with Binance's codes and messages.
//!
//! The reference folder names only -2021 ("Order would immediately trigger.") for futures; the other codes and
//! messages come from Binance's USDⓈ-M "Error Codes" page (a public copy of developers.binance.com), where they
//! are listed as the futures APIs' codes. The reports list which ones were taken from there.

use rust_decimal::Decimal;

use crate::exchange::Reject;

pub(crate) fn bad_symbol() -> Reject {
    Reject::new(-1121, "Invalid symbol.")
}
pub(crate) fn mandatory(param: &str) -> Reject {
    Reject::new(-1102, format!("Mandatory parameter '{param}' was not sent, was empty/null, or malformed."))
}
pub(crate) fn either(a: &str, b: &str) -> Reject {
    Reject::new(-1102, format!("Param '{a}' or '{b}' must be sent, but both were empty/null!"))
}
pub(crate) fn not_required(param: &str) -> Reject {
    Reject::new(-1106, format!("Parameter '{param}' sent when not required."))
}
pub(crate) fn invalid(param: &str) -> Reject {
    Reject::new(-1130, format!("Data sent for parameter '{param}' is not valid."))
}
pub(crate) fn precision() -> Reject {
    Reject::new(-1111, "Precision is over the maximum defined for this asset.")
}
pub(crate) fn unknown_order() -> Reject {
    Reject::new(-2011, "Unknown order sent.")
}
pub(crate) fn no_such_order() -> Reject {
    Reject::new(-2013, "Order does not exist.")
}
pub(crate) fn margin_insufficient() -> Reject {
    Reject::new(-2019, "Margin is insufficient.")
}
pub(crate) fn would_trigger() -> Reject {
    Reject::new(-2021, "Order would immediately trigger.")
}
pub(crate) fn reduce_only_rejected() -> Reject {
    Reject::new(-2022, "ReduceOnly Order is rejected.")
}
pub(crate) fn max_open_orders() -> Reject {
    Reject::new(-2025, "Reach max open order limit.")
}
pub(crate) fn max_position() -> Reject {
    Reject::new(-2027, "Exceeded the maximum allowable position at current leverage.")
}
pub(crate) fn price_not_positive() -> Reject {
    Reject::new(-4001, "Price less than 0.")
}
pub(crate) fn price_above_max() -> Reject {
    Reject::new(-4002, "Price greater than max price.")
}
pub(crate) fn qty_not_positive() -> Reject {
    Reject::new(-4003, "Quantity less than or equal to zero.")
}
pub(crate) fn qty_below_min() -> Reject {
    Reject::new(-4004, "Quantity less than min quantity.")
}
pub(crate) fn qty_above_max() -> Reject {
    Reject::new(-4005, "Quantity greater than max quantity.")
}
pub(crate) fn stop_price_not_positive() -> Reject {
    Reject::new(-4006, "Stop price less than zero.")
}
pub(crate) fn stop_price_above_max() -> Reject {
    Reject::new(-4007, "Stop price greater than max price.")
}
pub(crate) fn price_below_min() -> Reject {
    Reject::new(-4013, "Price less than min price.")
}
pub(crate) fn tick() -> Reject {
    Reject::new(-4014, "Price not increased by tick size.")
}
pub(crate) fn client_order_id() -> Reject {
    Reject::new(-4015, "Client order id is not valid.")
}
pub(crate) fn above_multiplier_up() -> Reject {
    Reject::new(-4016, "Price is higher than mark price multiplier cap.")
}
pub(crate) fn step() -> Reject {
    Reject::new(-4023, "Qty not increased by step size.")
}
pub(crate) fn below_multiplier_down() -> Reject {
    Reject::new(-4024, "Price is lower than mark price multiplier floor.")
}
pub(crate) fn invalid_leverage(n: u32) -> Reject {
    Reject::new(-4028, format!("Leverage {n} is not valid"))
}
pub(crate) fn max_stop_orders() -> Reject {
    Reject::new(-4045, "Reach max stop order limit.")
}
pub(crate) fn no_need_to_change_position_side() -> Reject {
    Reject::new(-4059, "No need to change position side.")
}
pub(crate) fn position_side_mismatch() -> Reject {
    Reject::new(-4061, "Order's position side does not match user's setting.")
}
pub(crate) fn mode_change_open_orders() -> Reject {
    Reject::new(-4067, "Position side cannot be changed if there exists open orders.")
}
pub(crate) fn mode_change_position() -> Reject {
    Reject::new(-4068, "Position side cannot be changed if there exists position.")
}
pub(crate) fn duplicate_client_order_id() -> Reject {
    Reject::new(-4116, "clientOrderId is duplicated.")
}
pub(crate) fn invalid_activation_price() -> Reject {
    Reject::new(-4135, "Invalid activation price")
}
pub(crate) fn quantity_with_close_position() -> Reject {
    Reject::new(-4137, "Quantity must be zero with closePosition equals true")
}
pub(crate) fn min_notional(n: Decimal) -> Reject {
    Reject::new(
        -4164,
        format!("Order's notional must be no smaller than {} (unless you choose reduce only)", n.normalize()),
    )
}
pub(crate) fn fok_rejected() -> Reject {
    Reject::new(-5021, "Due to the order could not be filled immediately, the FOK order has been rejected.")
}
pub(crate) fn gtx_rejected() -> Reject {
    Reject::new(-5022, "Due to the order could not be executed as maker, the Post Only order will be rejected.")
}
pub(crate) fn limit_only() -> Reject {
    Reject::new(-5025, "Only limit order is supported.")
}
pub(crate) fn modify_limit() -> Reject {
    Reject::new(-5026, "Exceed maximum modify order limit.")
}
pub(crate) fn same_order() -> Reject {
    Reject::new(-5027, "No need to modify the order.")
}
pub(crate) fn price_match_order_type() -> Reject {
    Reject::new(-5038, "Price match only supports order type: LIMIT, STOP AND TAKE_PROFIT")
}
pub(crate) fn good_till_date() -> Reject {
    Reject::new(
        -5040,
        "The goodTillDate timestamp must be greater than the current time plus 600 seconds and smaller than 253402300799000 (UTC 9999-12-31 23:59:59)",
    )
}
pub(crate) fn no_depth_for_price_match() -> Reject {
    Reject::new(-5041, "No depth matches this BBO order")
}
