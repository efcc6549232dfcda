//! The chaos machinery a fault storm relies on: every kind of fault can be scheduled, each injection is counted
//! by kind, a reply delay lasts until the next fault, and the lifetime fault closes live connections early.

use std::collections::BTreeMap;
use std::time::Duration;

use binance_ws_sim::chaos::{Chaos, ChaosKind};
use binance_ws_sim::faults::FaultKind;
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::{SinkExt, StreamExt};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const BOUND: Duration = Duration::from_secs(20);

async fn quiet() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap()
}

async fn client(url: &str) -> Client {
    ClientBuilder::new().uri(url).unwrap().connect().await.expect("connects").0
}

/// Reads until the connection ends; returns the close frame's code and reason if there was one.
async fn until_closed(c: &mut Client) -> Option<(u16, String)> {
    tokio::time::timeout(BOUND, async {
        while let Some(Ok(msg)) = c.next().await {
            if let Some((code, reason)) = msg.as_close() {
                return Some((code.into(), reason.to_string()));
            }
        }
        None
    })
    .await
    .expect("the connection ends in time")
}

const ALL_KINDS: &str = "drop+stall:40ms+malformed+shutdown+gap+refuse:20ms+delay:10ms+lifetime:60ms";

#[tokio::test]
async fn every_kind_a_storm_needs_is_scheduled_and_each_injection_counted() {
    let sim = quiet().await;
    // Live connections for the faults to hit, kept open by reconnecting when they end.
    let keep = {
        let (api, streams) = (sim.api_url(), format!("{}/stream?streams=btcusdt@depth@100ms", sim.base_url()));
        tokio::spawn(async move {
            loop {
                for url in [&api, &streams] {
                    if let Ok(Ok((mut c, _))) =
                        tokio::time::timeout(Duration::from_secs(1), ClientBuilder::new().uri(url).unwrap().connect())
                            .await
                    {
                        tokio::spawn(async move { while let Some(Ok(_)) = c.next().await {} });
                    }
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };
    let chaos: Chaos = format!("every=15ms,seed=11,limit=80,kinds={ALL_KINDS}").parse().unwrap();
    let plan = chaos.plan(80);
    let mut want: BTreeMap<FaultKind, u64> = BTreeMap::new();
    for (_, k) in &plan {
        *want.entry(k.kind()).or_insert(0) += 1;
    }
    assert_eq!(want.len(), 8, "the plan holds every kind: {want:?}");
    let applied = tokio::time::timeout(BOUND, chaos.spawn(sim.shared().clone())).await.expect("in time").unwrap();
    keep.abort();
    assert_eq!(applied, 80);
    assert_eq!(sim.faults().counts(), want, "injections counted by kind, exactly as planned");
    for (kind, n) in &want {
        assert_eq!(sim.faults().count(*kind), *n, "{kind}");
    }
    // The connections were hit, and that is logged per connection too.
    let log = sim.faults().log();
    assert!(log.iter().any(|r| !r.injected && r.connection > 0 && r.kind == FaultKind::Drop), "{log:?}");
}

#[tokio::test]
async fn a_reply_delay_lasts_until_the_next_fault() {
    let sim = quiet().await;
    let chaos: Chaos = "every=5ms,seed=5,limit=30,kinds=delay:10ms+malformed".parse().unwrap();
    let plan = chaos.plan(30);
    tokio::time::timeout(BOUND, chaos.spawn(sim.shared().clone())).await.expect("in time").unwrap();
    // Server-wide records in order: every delay is lifted before the next fault is injected.
    let mut in_force = false;
    for r in sim.faults().log().iter().filter(|r| r.connection == 0) {
        match (r.kind, r.injected) {
            (FaultKind::Delay, true) => in_force = true,
            (FaultKind::Delay, false) => in_force = false,
            (_, true) => assert!(!in_force, "a fault was injected while the previous delay was still on: {r:?}"),
            _ => {}
        }
    }
    let last_is_delay = matches!(plan.last(), Some((_, ChaosKind::Delay(_))));
    assert_eq!(sim.faults().reply_delay().is_some(), last_is_delay);
}

#[tokio::test]
async fn the_lifetime_fault_closes_live_api_and_stream_connections() {
    let sim = quiet().await;
    let mut api = client(&sim.api_url()).await;
    let mut stream = client(&format!("{}/ws/btcusdt@trade", sim.base_url())).await;
    // Both answer before the fault.
    api.send(Message::text(r#"{"id":1,"method":"ping"}"#)).await.unwrap();
    let reply = tokio::time::timeout(BOUND, api.next()).await.unwrap().unwrap().unwrap();
    assert!(reply.as_text().unwrap().contains("\"status\":200"));
    sim.inject(ConnFault::Lifetime(Duration::from_millis(200)));
    assert!(until_closed(&mut api).await.is_some(), "the API connection is closed with a close frame");
    let (code, reason) = until_closed(&mut stream).await.expect("a close frame");
    assert_eq!((code, reason.as_str()), (1001, "Connection lifetime exceeded"));
    assert_eq!(sim.faults().count(FaultKind::Lifetime), 1);
    // New connections get the normal lifetime again.
    let mut fresh = client(&sim.api_url()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    fresh.send(Message::text(r#"{"id":2,"method":"ping"}"#)).await.unwrap();
    let reply = tokio::time::timeout(BOUND, fresh.next()).await.unwrap().unwrap().unwrap();
    assert!(reply.as_text().unwrap().contains("\"status\":200"));
}

#[test]
fn schedules_name_every_kind() {
    let c: Chaos = format!("kinds={ALL_KINDS}").parse().unwrap();
    assert_eq!(c.kinds.len(), 8);
    assert_eq!(c.kinds[7], ChaosKind::Lifetime(Duration::from_millis(60)));
    assert_eq!("kinds=lifetime".parse::<Chaos>().unwrap().kinds, vec![ChaosKind::Lifetime(Duration::from_secs(1))]);
    assert!("kinds=forever".parse::<Chaos>().unwrap_err().contains("lifetime"));
}
