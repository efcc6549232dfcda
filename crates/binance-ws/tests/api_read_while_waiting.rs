//! Callers read the API socket themselves while they wait for their replies (`api/reader.rs`), against the
//! local exchange over real sockets: replies reach the right callers whoever reads them, a caller that
//! stops being polled or is dropped while waiting does not hold up anyone else's frames, and a delayed
//! reply still wakes the caller that waits for it.

use std::time::Duration;

use binance_ws::api::{ApiClient, ApiConfig, Params, Security};
use binance_ws_sim::{Sim, SimConfig};
use serde_json::{json, Value};

async fn quiet_sim() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.expect("local exchange starts")
}

fn config() -> ApiConfig {
    ApiConfig { request_timeout: Duration::from_secs(5), ..Default::default() }
}

fn weight(api: &ApiClient) -> u64 {
    api.rate_limits().request_weight().map_or(0, |w| w.0)
}

/// Waits (bounded) until the request weight the client has seen reaches `at_least`.
async fn weight_reaches(api: &ApiClient, at_least: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while weight(api) < at_least {
        assert!(tokio::time::Instant::now() < deadline, "weight stuck at {} (< {at_least})", weight(api));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_each_get_their_own_reply() {
    let sim = quiet_sim().await;
    let api = ApiClient::connect(&sim.api_url(), None, config()).await.unwrap();
    let mut tasks = Vec::new();
    for t in 0..4u64 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            let calls = (0..50u64).map(|i| {
                let api = api.clone();
                async move {
                    if (t + i) % 3 == 0 {
                        let v = api.call("time", Value::Null, Security::None).await.unwrap();
                        assert!(v["serverTime"].as_u64().is_some(), "a time reply: {v}");
                    } else {
                        let v = api.call("ping", Value::Null, Security::None).await.unwrap();
                        assert_eq!(v, json!({}), "a ping reply");
                    }
                }
            });
            futures::future::join_all(calls).await;
        }));
    }
    for t in tasks {
        t.await.expect("no caller panicked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_request_left_unpolled_does_not_hold_up_other_frames() {
    let sim = quiet_sim().await;
    let api = ApiClient::connect(&sim.api_url(), None, config()).await.unwrap();
    let before = weight(&api);
    // Polled once: written, and this task is now the one the socket wakes to read. (The delay keeps the
    // reply from being in before the poll returns.)
    sim.faults().delay_replies(Duration::from_millis(50));
    let mut kept = Box::pin(api.call("time", Value::Null, Security::None));
    assert!(futures::poll!(&mut kept).is_pending(), "a reply 50 ms away is not in yet");
    // A reply nobody waits for; while `kept` stays unpolled, this task is woken for the socket but does
    // not read it. The connection task must take the socket back and read both replies.
    api.send_no_wait("time", Params::new(), Security::None).await.unwrap();
    weight_reaches(&api, before + 2).await;
    let v = tokio::time::timeout(Duration::from_secs(5), kept).await.expect("the kept request ends").unwrap();
    assert!(v["serverTime"].as_u64().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_dropped_while_waiting_leave_the_socket_read() {
    let sim = quiet_sim().await;
    let api = ApiClient::connect(&sim.api_url(), None, config()).await.unwrap();
    // Give up on requests at every stage: before writing, while writing, while waiting, while reading.
    for i in 0..200u64 {
        let _ = tokio::time::timeout(Duration::from_micros(i * 5), api.call("ping", Value::Null, Security::None)).await;
    }
    let before = weight(&api);
    api.send_no_wait("time", Params::new(), Security::None).await.unwrap();
    weight_reaches(&api, before + 1).await;
    let v = api.call("time", Value::Null, Security::None).await.unwrap();
    assert!(v["serverTime"].as_u64().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delayed_reply_wakes_its_waiting_caller() {
    let sim = quiet_sim().await;
    let api = ApiClient::connect(&sim.api_url(), None, config()).await.unwrap();
    sim.faults().delay_replies(Duration::from_millis(200));
    let slow = api.call("time", Value::Null, Security::None);
    // Meanwhile another caller starts and finishes (its own reply is delayed the same way).
    let other = api.call("ping", Value::Null, Security::None);
    let (slow, other) = tokio::join!(slow, other);
    assert!(slow.unwrap()["serverTime"].as_u64().is_some());
    assert_eq!(other.unwrap(), json!({}));
    sim.faults().delay_replies(Duration::ZERO);
    assert_eq!(api.call("ping", Value::Null, Security::None).await.unwrap(), json!({}));
}

/// A request is fed to the socket at once but flushed one turn of its caller later (so that pipelined
/// requests share a write); a caller dropped in between still gets its request sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_caller_is_dropped_before_the_flush_is_still_sent() {
    let sim = quiet_sim().await;
    let api = ApiClient::connect(&sim.api_url(), None, config()).await.unwrap();
    api.call("time", Value::Null, Security::None).await.unwrap();
    let before = weight(&api);
    let mut call = Box::pin(api.call("time", Value::Null, Security::None));
    assert!(futures::poll!(&mut call).is_pending(), "the first poll writes and waits");
    drop(call);
    // Its reply carries the weight it cost, whoever reads it: the request reached the server.
    weight_reaches(&api, before + 1).await;
}
