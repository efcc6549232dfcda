//! Every example payload of user-data-stream.md (and the user data event of web-socket-api.md's "Event
//! format"), and every user data event schema of the spot AsyncAPI spec (built from its field examples),
//! decodes into its typed event, with the documented values exact.

mod user_data_common;

use binance_ws::model::{ExecutionType, ListStatusType, OrderStatus, SelfTradePreventionMode, Side};
use binance_ws::user_data::spot::{decode_frame, OrderRejectReason, UserEvent};
use serde_json::Value;
use user_data_common::docs::{example, javascript_examples, parse_yaml, reference, Y};

fn decode(v: &Value) -> (Option<u64>, UserEvent) {
    let frame = v.to_string();
    let (sub, ev) = decode_frame(frame.as_bytes()).unwrap_or_else(|e| panic!("{frame}: {e}"));
    assert!(!matches!(ev, UserEvent::Other { .. } | UserEvent::Notice(_)), "untyped: {frame}");
    (sub, ev)
}

#[test]
fn every_example_in_user_data_stream_md_decodes() {
    let Some(md) = reference("spot-docs/user-data-stream.md") else { return };
    let examples: Vec<Value> = javascript_examples(&md).into_iter().filter(|v| v.get("event").is_some()).collect();
    let mut kinds = Vec::new();
    for v in &examples {
        let (sub, ev) = decode(v);
        assert_eq!(sub, Some(0));
        kinds.push(v["event"]["e"].as_str().unwrap().to_string());
        match ev {
            UserEvent::ExecutionReport(r) => {
                assert_eq!((r.symbol.as_str(), r.client_order_id.as_str()), ("ETHBTC", "mUvoqJxFIILMdfAW5iGSOW"));
                assert_eq!((r.side, r.execution_type, r.status), (Side::Buy, ExecutionType::New, OrderStatus::New));
                assert_eq!((r.quantity.to_string(), r.price.to_string()), ("1.00000000".into(), "0.10264410".into()));
                assert_eq!((r.order_list_id, r.trade_id, r.order_id, r.execution_id), (-1, -1, 4293153, 8641984));
                assert_eq!((r.reject_reason, r.commission_asset.clone()), (OrderRejectReason::None, None));
                assert_eq!((r.prevented_match_id, r.working_time), (Some(3), Some(1499405658657)));
                assert_eq!(r.self_trade_prevention_mode, SelfTradePreventionMode::None);
                assert!(r.is_working && !r.is_maker);
            }
            UserEvent::AccountPosition(p) => {
                assert_eq!((p.event_time, p.last_update_time), (1564034571105, 1564034571073));
                assert_eq!(
                    (p.balances[0].asset.as_str(), p.balances[0].free.to_string()),
                    ("ETH", "10000.000000".into())
                );
            }
            UserEvent::BalanceUpdate(b) => {
                assert_eq!((b.asset.as_str(), b.delta.to_string()), ("BTC", "100.00000000".into()))
            }
            UserEvent::ListStatus(l) => {
                assert_eq!((l.order_list_id, l.list_status_type), (2, ListStatusType::ExecStarted));
                assert_eq!(l.orders.iter().map(|o| o.order_id).collect::<Vec<_>>(), [17, 18]);
            }
            UserEvent::ExternalLockUpdate(x) => {
                assert_eq!((x.asset.as_str(), x.delta.to_string()), ("NEO", "10.00000000".into()))
            }
            UserEvent::StreamTerminated(t) => assert_eq!(t.event_time, 1728973001334),
            other => panic!("{other:?}"),
        }
    }
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "balanceUpdate",
            "eventStreamTerminated",
            "executionReport",
            "externalLockUpdate",
            "listStatus",
            "outboundAccountPosition"
        ],
        "one example per event type"
    );
}

#[test]
fn the_event_format_example_of_web_socket_api_md_decodes() {
    let Some(md) = reference("spot-docs/web-socket-api.md") else { return };
    let section = &md[md.find("## Event format").expect("section")..];
    let v = javascript_examples(section).into_iter().next().expect("example");
    let (_, UserEvent::AccountPosition(p)) = decode(&v) else { panic!("{v}") };
    assert_eq!(p.balances[1].locked.to_string(), "70.00000000");
}

/// The AsyncAPI field examples are every field at once, conditional ones included.
#[test]
fn every_user_data_event_schema_of_the_asyncapi_spec_decodes() {
    let Some(src) = reference("asyncapi/spot.yaml") else { return };
    let root = parse_yaml(&src);
    let components = root.get("components").expect("components");
    let schemas = components.get("schemas").expect("schemas");
    let Some(Y::Map(messages)) = components.get("messages") else { panic!("messages") };
    let mut n = 0;
    for (name, msg) in messages {
        if msg.get("x-event").and_then(Y::str) != Some("true") {
            continue;
        }
        let v = example(msg.get("payload").expect("payload"), schemas);
        let (_, ev) = decode(&v);
        if let UserEvent::ExecutionReport(r) = ev {
            // Every conditional field of the docs' table is read.
            assert_eq!((r.trailing_delta, r.trailing_time), (Some(4), Some(1668680518494)), "{name}");
            assert_eq!((r.strategy_id, r.strategy_type), (Some(1), Some(1000000)));
            assert_eq!((r.prevented_match_id, r.trade_group_id, r.counter_order_id), (Some(3), Some(1), Some(37)));
            assert_eq!(r.counter_symbol.as_deref(), Some("BTCUSDT"));
            let dec = |d: Option<binance_ws::model::Decimal>| d.map(|d| d.to_string());
            assert_eq!(
                (dec(r.prevented_qty), dec(r.last_prevented_qty)),
                (Some("3.000000".into()), Some("3.000000".into()))
            );
            assert_eq!(
                (
                    dec(r.prevented_execution_qty),
                    dec(r.prevented_execution_price),
                    dec(r.prevented_execution_quote_qty)
                ),
                (Some("2.123456".into()), Some("0.10000001".into()), Some("0.21234562".into()))
            );
            assert_eq!((r.allocation_id, r.used_sor), (Some(1234), Some(true)));
            assert!(r.match_type.is_some() && r.working_floor.is_some());
            assert_eq!((r.peg_offset_value, dec(r.pegged_price)), (Some(5), Some("0.12345678".into())));
            // The spec's examples for these two are placeholders ("POLICY_A", "TYPE_X"): kept as Unknown.
            assert!(r.peg_price_type.is_some() && r.peg_offset_type.is_some());
        }
        n += 1;
    }
    assert_eq!(n, 6, "user data event schemas decoded");
}
