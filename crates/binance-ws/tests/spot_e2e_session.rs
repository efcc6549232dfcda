//! Session methods through the typed client: explicit `session.logon`, `session.status` and
//! `session.logout` on an Ed25519 key, checked against what the exchange then allows.

mod spot_e2e_common;

use binance_ws::spot::*;
use binance_ws::Credentials;
use binance_ws_sim::config::DEFAULT_ED25519_PRIVATE_PEM;
use spot_e2e_common::*;

#[tokio::test]
async fn logon_status_logout() {
    let sim = quiet_sim().await;
    let creds = Credentials::from_pem(ED_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap();
    let config = ApiConfig { auto_logon: false, ..Default::default() };
    let api = Api::connect_with(&env(&sim), Some(creds), config).await.unwrap();
    let mut cov = Coverage::new();
    let t0 = sim.clock().now_ms();

    let s = api.session_status().await.unwrap();
    assert_eq!((s.api_key.as_deref(), s.authorized_since), (None, None));
    assert!(s.connected_since <= t0 && s.server_time >= t0, "{s:?}");
    // Not logged on: the logon-only subscription is refused.
    assert!(api.user_data_stream_subscribe().await.is_err());

    let s = api.session_logon().await.unwrap();
    assert_eq!(s.api_key.as_deref(), Some(ED_KEY));
    let since = s.authorized_since.expect("authorized");
    assert!(since >= t0);
    cov.hit::<SessionLogon>();
    let s = api.session_status().await.unwrap();
    assert_eq!((s.api_key.as_deref(), s.authorized_since), (Some(ED_KEY), Some(since)));
    assert_eq!(s.user_data_stream, Some(false));
    cov.hit::<SessionStatusRequest>();
    // Logged on, the logon subscription works.
    let sub = api.user_data_stream_subscribe().await.unwrap();
    assert_eq!(api.session_status().await.unwrap().user_data_stream, Some(true));

    let mut events = Events::of(&api);
    let s = api.session_logout().await.unwrap();
    assert_eq!((s.api_key.as_deref(), s.authorized_since), (None, None));
    // user-data-stream.md: a logon subscription ends with eventStreamTerminated after session.logout.
    let (sid, e) = events.next().await.expect("eventStreamTerminated");
    assert_eq!((sid, e["e"].as_str()), (Some(sub.subscription_id), Some("eventStreamTerminated")));
    let s = api.session_status().await.unwrap();
    assert_eq!(s.api_key, None);
    cov.hit::<SessionLogout>();
    // Signed requests still work: the client signs them again.
    let account = api.account_status().await.unwrap();
    assert_eq!(account.balances.len(), sim.balances(ED_KEY).unwrap().len());
    cov.finish("spot_e2e_session::logon_status_logout");
}
