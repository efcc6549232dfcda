//! `result` objects of the futures methods, shaped as the USD-M and COIN-M pages show them.

use serde_json::{json, Map, Value};

use crate::futures::config::{ContractSpec, Product};
use crate::futures::engine::{FOrder, FOrderType};
use crate::futures::fmt::Fmt;

/// Which method an order object answers (the pages differ slightly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderView {
    /// order.place, order.modify, order.cancel.
    Change,
    /// order.status (adds `time`, leaves out `cumQty`).
    Status,
}

/// One order.
pub fn order_json(product: Product, spec: &ContractSpec, o: &FOrder, view: OrderView) -> Value {
    let f = Fmt::of(spec);
    let inverse = product.is_inverse();
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("orderId", json!(o.order_id));
    put("symbol", json!(o.symbol));
    if inverse {
        put("pair", json!(spec.pair));
    }
    put("status", json!(o.status.as_str()));
    put("clientOrderId", json!(o.client_order_id));
    put("price", json!(f.price(o.price)));
    put("avgPrice", json!(f.avg(o.avg_price(inverse, spec.contract_size))));
    put("origQty", json!(f.qty(o.orig_qty)));
    put("executedQty", json!(f.qty(o.executed_qty)));
    if view == OrderView::Change {
        put("cumQty", json!(f.qty(o.executed_qty)));
    }
    if inverse {
        put("cumBase", json!(crate::futures::fmt::money(o.cum_base)));
    } else {
        put("cumQuote", json!(crate::futures::fmt::money(o.cum_quote)));
    }
    put("timeInForce", json!(o.time_in_force.as_str()));
    put("type", json!(o.order_type.as_str()));
    put("reduceOnly", json!(o.reduce_only));
    put("closePosition", json!(o.close_position));
    put("side", json!(o.side.as_str()));
    put("positionSide", json!(o.position_side.as_str()));
    put("stopPrice", json!(f.price(o.stop_price)));
    put("workingType", json!(o.working_type.as_str()));
    put("priceProtect", json!(o.price_protect));
    put("origType", json!(o.orig_type.as_str()));
    if !inverse || view == OrderView::Status {
        put("priceMatch", json!(o.price_match.as_str()));
        put("selfTradePreventionMode", json!(o.stp.as_str()));
    }
    if !inverse {
        put("goodTillDate", json!(o.good_till_date));
    }
    if o.orig_type == FOrderType::TrailingStopMarket {
        if let Some(a) = o.activation_price {
            put("activatePrice", json!(f.price(a)));
        }
        if let Some(cr) = o.callback_rate {
            put("priceRate", json!(cr.to_string()));
        }
    }
    if view == OrderView::Status {
        put("time", json!(o.time));
    }
    put("updateTime", json!(o.update_time));
    Value::Object(m)
}
