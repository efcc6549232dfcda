//! The rows `bws user-data` prints: one per typed user data event (spot: `binance_ws::spot::UserEvent`;
//! futures: `binance_ws::user_data::futures::UserEvent`) with the fields that say what happened, and one per
//! notice about the stream itself (events possibly missed, moved to a new connection, listen key renewed, ...),
//! marked as a notice so that nothing is lost silently.

use binance_ws::user_data::futures::{self as fut, UserEvent as FuturesEvent};
use binance_ws::user_data::spot::{MissedCause, Notice, UserEvent};

use crate::market_rows::truncate;
use crate::table::Row;

/// The row of a spot user data item.
pub fn spot_row(source: &str, event: &UserEvent) -> Row {
    let row = |kind: &str| Row::new(event.event_time(), source, kind);
    match event {
        UserEvent::ExecutionReport(r) => row("executionReport")
            .with("symbol", &r.symbol)
            .with("side", r.side.to_string())
            .with("type", r.order_type.to_string())
            .with("exec", r.execution_type.to_string())
            .with("status", r.status.to_string())
            .with("price", r.price)
            .with("qty", r.quantity)
            .with("filled", r.cumulative_qty)
            .with("orderId", r.order_id)
            .with("clientId", &r.client_order_id),
        UserEvent::AccountPosition(p) => {
            let balances: Vec<String> =
                p.balances.iter().map(|b| format!("{}:{}/{}", b.asset, b.free, b.locked)).collect();
            row("outboundAccountPosition").with("balances(free/locked)", balances.join(","))
        }
        UserEvent::BalanceUpdate(b) => row("balanceUpdate").with("asset", &b.asset).with("delta", b.delta),
        UserEvent::ExternalLockUpdate(x) => row("externalLockUpdate").with("asset", &x.asset).with("delta", x.delta),
        UserEvent::ListStatus(l) => row("listStatus")
            .with("symbol", &l.symbol)
            .with("listId", l.order_list_id)
            .with("contingency", l.contingency_type.to_string())
            .with("status", l.list_order_status.to_string())
            .with("clientId", &l.list_client_order_id),
        UserEvent::StreamTerminated(_) => row("eventStreamTerminated"),
        UserEvent::Other { event_type, raw } => row(event_type).with("raw", truncate(raw, 160)),
        UserEvent::Notice(n) => spot_notice(source, n),
        #[allow(unreachable_patterns)]
        other => Row::notice(source, "unknown").with("debug", truncate(&format!("{other:?}"), 160)),
    }
}

fn spot_notice(source: &str, n: &Notice) -> Row {
    match n {
        Notice::Missed(m) => {
            let row = Row::notice(source, "missed").with("from", m.from_ms).with("until", m.until_ms);
            match &m.cause {
                MissedCause::Reconnected { reason, subscription_id } => {
                    row.with("cause", "reconnected").with("reason", reason).with("subscriptionId", subscription_id)
                }
                MissedCause::Overflow { dropped } => row.with("cause", "overflow").with("dropped", dropped),
                #[allow(unreachable_patterns)]
                other => row.with("cause", format!("{other:?}")),
            }
        }
        Notice::Moved { subscription_id } => Row::notice(source, "moved").with("subscriptionId", subscription_id),
        Notice::RestoreFailed { error, retry_in } => {
            Row::notice(source, "restore-failed").with("error", error).with("retryIn", format!("{retry_in:?}"))
        }
        Notice::Undecodable { reason, frame } => {
            Row::notice(source, "undecodable").with("reason", reason).with("frame", truncate(frame, 80))
        }
        Notice::Closed { reason } => Row::notice(source, "closed").with("reason", reason),
        #[allow(unreachable_patterns)]
        other => Row::notice(source, "notice").with("debug", format!("{other:?}")),
    }
}

/// The row of a futures user data item.
pub fn futures_row(source: &str, event: &FuturesEvent) -> Row {
    match event {
        FuturesEvent::OrderTradeUpdate(u) => {
            let o = &u.order;
            Row::new(Some(u.event_time), source, "ORDER_TRADE_UPDATE")
                .with("symbol", &o.symbol)
                .with("side", o.side.to_string())
                .with("type", o.order_type.to_string())
                .with("exec", o.execution_type.to_string())
                .with("status", o.status.to_string())
                .with("price", o.price)
                .with("qty", o.orig_qty)
                .with("filled", o.filled_qty)
                .with("last", format!("{}@{}", o.last_filled_qty, o.last_filled_price))
                .with("positionSide", o.position_side.to_string())
                .with("orderId", o.order_id)
                .with("clientId", &o.client_order_id)
        }
        FuturesEvent::TradeLite(t) => Row::new(Some(t.event_time), source, "TRADE_LITE")
            .with("symbol", &t.symbol)
            .with("side", t.side.to_string())
            .with("last", format!("{}@{}", t.last_filled_qty, t.last_filled_price))
            .with("maker", t.is_maker)
            .with("orderId", t.order_id)
            .with("clientId", &t.client_order_id),
        FuturesEvent::AccountUpdate(a) => {
            let balances: Vec<String> = a
                .update
                .balances
                .iter()
                .map(|b| format!("{}:{}({:+})", b.asset, b.wallet_balance, b.balance_change))
                .collect();
            let positions: Vec<String> = a
                .update
                .positions
                .iter()
                .map(|p| format!("{}/{}:{}@{}", p.symbol, p.position_side, p.position_amt, p.entry_price))
                .collect();
            Row::new(Some(a.event_time), source, "ACCOUNT_UPDATE")
                .with("reason", a.update.reason.to_string())
                .with("balances(wallet(change))", balances.join(","))
                .with("positions(amt@entry)", positions.join(","))
        }
        FuturesEvent::MarginCall(m) => {
            let positions: Vec<String> =
                m.positions.iter().map(|p| format!("{}:{} mm {}", p.symbol, p.position_amt, p.maint_margin)).collect();
            Row::new(Some(m.event_time), source, "MARGIN_CALL")
                .with_opt("crossWallet", m.cross_wallet_balance)
                .with("positions", positions.join(","))
        }
        FuturesEvent::AccountConfigUpdate(c) => {
            let row = Row::new(Some(c.event_time), source, "ACCOUNT_CONFIG_UPDATE");
            let row = match &c.leverage {
                Some(l) => row.with("symbol", &l.symbol).with("leverage", l.leverage),
                None => row,
            };
            match &c.multi_assets {
                Some(m) => row.with("multiAssets", m.multi_assets_margin),
                None => row,
            }
        }
        // The listen key itself is not shown: whoever holds it can read the account's events.
        FuturesEvent::ListenKeyExpired(k) => Row::new(Some(k.event_time), source, "listenKeyExpired"),
        FuturesEvent::Unknown { event_type, raw } => {
            Row::new(None, source, event_type.as_str()).with("raw", truncate(raw, 160))
        }
        FuturesEvent::Notice(n) => futures_notice(source, n),
        #[allow(unreachable_patterns)]
        other => Row::notice(source, "unknown").with("debug", truncate(&format!("{other:?}"), 160)),
    }
}

fn futures_notice(source: &str, n: &fut::Notice) -> Row {
    use fut::Notice as N;
    match n {
        N::Connected { reconnects } => Row::notice(source, "connected").with("reconnects", reconnects),
        N::Disconnected { reason } => Row::notice(source, "disconnected").with("reason", reason),
        N::EventsMayBeMissing { reason, since_ms, down_for } => Row::notice(source, "missed")
            .with("since", since_ms)
            .with("reason", reason)
            .with_opt("downFor", down_for.map(|d| format!("{d:.1?}"))),
        N::ListenKeyRenewed { reason } => Row::notice(source, "listen-key-renewed").with("reason", reason),
        N::KeepaliveFailed { error } => Row::notice(source, "keepalive-failed").with("error", error),
        N::Lagged { dropped } => Row::notice(source, "lagged").with("dropped", dropped),
        N::Malformed { error, frame } => {
            Row::notice(source, "undecodable").with("reason", error).with("frame", truncate(frame, 80))
        }
        N::Closed { reason } => Row::notice(source, "closed").with("reason", reason),
        #[allow(unreachable_patterns)]
        other => Row::notice(source, "notice").with("debug", format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use binance_ws::user_data::spot::decode_event;

    use super::*;
    use crate::table::Cell;

    /// The executionReport example of user-data-stream.md.
    #[test]
    fn a_documented_execution_report_shows_what_happened_to_the_order() {
        let raw = r#"{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY",
            "o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"",
            "x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0",
            "N":null,"T":1499405658657,"t":-1,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,
            "Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}"#;
        let event = decode_event(raw.as_bytes()).expect("the documented event decodes");
        let row = spot_row("userData#0", &event);
        assert_eq!(
            (row.time_ms, row.source.as_str(), row.kind.as_str()),
            (Some(1499405658658), "userData#0", "executionReport")
        );
        for expected in [("symbol", "ETHBTC"), ("status", "NEW"), ("price", "0.10264410")] {
            assert!(row.fields.contains(&(expected.0, expected.1.into())), "{expected:?} in {row:?}");
        }
        assert!(row.fields.contains(&("orderId", Cell::Int(4293153))), "{row:?}");
    }

    /// The outboundAccountPosition example of user-data-stream.md.
    #[test]
    fn a_documented_account_position_lists_the_balances() {
        let raw = r#"{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,
            "B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}"#;
        let row = spot_row("userData", &decode_event(raw.as_bytes()).unwrap());
        assert_eq!(row.fields, vec![("balances(free/locked)", "ETH:10000.000000/0.000000".into())]);
    }

    #[test]
    fn notices_are_marked_and_say_what_may_be_missing() {
        let missed = UserEvent::Notice(Notice::Missed(binance_ws::user_data::spot::Missed {
            from_ms: 10,
            until_ms: 20,
            cause: MissedCause::Reconnected { reason: "dropped".into(), subscription_id: 3 },
        }));
        let row = spot_row("userData#1", &missed);
        assert!(row.notice && row.kind == "missed", "{row:?}");
        assert!(
            row.fields.contains(&("until", Cell::Int(20))) && row.fields.contains(&("subscriptionId", Cell::Int(3)))
        );
        let moved = spot_row("userData#1", &UserEvent::Notice(Notice::Moved { subscription_id: 4 }));
        assert!(moved.notice && moved.kind == "moved", "{moved:?}");
        let gap = FuturesEvent::Notice(fut::Notice::EventsMayBeMissing {
            reason: "reconnected".into(),
            since_ms: 5,
            down_for: Some(std::time::Duration::from_millis(1500)),
        });
        let row = futures_row("usdm", &gap);
        assert!(row.notice && row.kind == "missed" && row.fields.contains(&("downFor", "1.5s".into())), "{row:?}");
    }

    /// The ORDER_TRADE_UPDATE example of the USDⓈ-M user data docs (as the library's decoder reads it).
    #[test]
    fn a_futures_order_update_shows_the_order_and_its_fill() {
        let raw = r#"{"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT",
            "c":"TEST","S":"SELL","o":"TRAILING_STOP_MARKET","f":"GTC","q":"0.001","p":"0","ap":"0","sp":"7103.04",
            "x":"NEW","X":"NEW","i":8886774,"l":"0","z":"0","L":"0","N":"USDT","n":"0","T":1568879465650,"t":0,
            "b":"0","a":"9.91","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"TRAILING_STOP_MARKET","ps":"LONG",
            "cp":false,"AP":"7476.89","cr":"5.0","pP":false,"si":0,"ss":0,"rp":"0","V":"EXPIRE_TAKER","pm":"OPPONENT",
            "gtd":0}}"#;
        let event = fut::decode_event(raw.as_bytes()).expect("the documented event decodes");
        let row = futures_row("usdm userData", &event);
        assert_eq!((row.kind.as_str(), row.time_ms), ("ORDER_TRADE_UPDATE", Some(1568879465651)));
        for expected in
            [("symbol", "BTCUSDT"), ("type", "TRAILING_STOP_MARKET"), ("exec", "NEW"), ("positionSide", "LONG")]
        {
            assert!(row.fields.contains(&(expected.0, expected.1.into())), "{expected:?} in {row:?}");
        }
        assert!(row.fields.contains(&("orderId", Cell::Int(8886774))), "{row:?}");
    }
}
