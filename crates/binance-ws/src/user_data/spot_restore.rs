//! Subscribing, unsubscribing and restoring spot user data subscriptions after the API connection was
//! replaced. Every such request runs under the router's `op_lock`, so that a `subscriptionId` is never
//! acted on after its connection changed (ids restart at 0 on every connection).

use std::sync::Arc;
use std::time::Duration;

use super::spot_events::Notice;
use super::spot_queue::Item;
use super::spot_router::{Attach, Auth, SessionSubscriptions, Sub};
use crate::api::spot::{Empty, Subscription};
use crate::api::{ApiClient, Params, Security};
use crate::auth::sign_params;
use crate::{Error, Result};

/// First wait before a failed restore is tried again; doubles up to [`RETRY_CEILING`].
const RETRY_FLOOR: Duration = Duration::from_millis(250);
const RETRY_CEILING: Duration = Duration::from_secs(30);

/// `userDataStream.subscribe.signature` is refused when the account already has a subscription on the
/// connection (web-socket-api.md; errors.md -2035).
const ALREADY_ACTIVE: i64 = -2035;
/// The session is not logged on (after a reconnect whose `session.logon` failed or was not sent).
const NOT_AUTHORIZED: i64 = -1002;

/// Server time now, by the client's measured offset.
pub(crate) fn server_now_ms(client: &ApiClient) -> u64 {
    let local =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    (local + client.time_offset_ms()).max(0) as u64
}

/// Sends `method` signed with `auth`'s own credentials when it has some (the engine would sign with the
/// client's), or signed by the engine otherwise.
pub(crate) async fn signed_request<T: serde::de::DeserializeOwned>(
    client: &ApiClient,
    auth: &Auth,
    method: &str,
    mut params: Params,
) -> Result<T> {
    match auth {
        Auth::Logon => client.request(method, params, Security::Signed).await,
        Auth::Signature(credentials) => {
            sign_params(credentials, &mut params, server_now_ms(client), None, true);
            client.request(method, params, Security::None).await
        }
    }
}

/// One subscribe request; returns the new `subscriptionId`.
async fn subscribe_request(client: &ApiClient, auth: &Auth) -> Result<u64> {
    let s: Subscription = match auth {
        Auth::Logon => client.request("userDataStream.subscribe", Params::new(), Security::None).await?,
        Auth::Signature(_) => signed_request(client, auth, "userDataStream.subscribe.signature", Params::new()).await?,
    };
    Ok(s.subscription_id)
}

/// `userDataStream.unsubscribe` for one id of the current connection.
pub(crate) async fn unsubscribe_request(client: &ApiClient, subscription_id: u64) -> Result<()> {
    let mut params = Params::new();
    params.insert("subscriptionId".into(), subscription_id.into());
    client.request::<Empty>("userDataStream.unsubscribe", params, Security::None).await.map(|_| ())
}

/// Subscribes `sub` (its lock held by the caller) and routes it; the error when the request failed.
pub(crate) async fn subscribe(hub: &SessionSubscriptions, sub: &Sub, auth: &Auth) -> Result<Attach> {
    let epoch = hub.begin_subscribe();
    match subscribe_request(&sub.client, auth).await {
        Ok(id) => {
            let outcome = hub.attach(sub.local_id, epoch, id, server_now_ms(&sub.client));
            if outcome == Attach::Gone {
                // Dropped meanwhile: the id is on the current connection (the epoch did not change).
                let _ = unsubscribe_request(&sub.client, id).await;
            }
            Ok(outcome)
        }
        Err(e) => {
            hub.abandon_subscribe();
            Err(e)
        }
    }
}

/// Restores every subscription that lost its route when the connection changed to the one of `epoch`;
/// retries with backoff, each failure reported in the subscription's stream. Ends when all are restored or
/// a newer connection took over (its own restore then runs).
pub(crate) async fn restore(client: ApiClient, epoch: u64) {
    let hub = client.session_subscriptions();
    let mut delay = RETRY_FLOOR;
    loop {
        let failures = {
            let _op = hub.op_lock.lock().await;
            let Some(todo) = hub.unrouted_subscriptions(epoch) else { return };
            if todo.is_empty() {
                return;
            }
            let mut failures: Vec<(Arc<Sub>, Error)> = Vec::new();
            for (sub, auth) in todo {
                match subscribe(hub, &sub, &auth).await {
                    Ok(_) => {}
                    Err(e) => {
                        recover_from(hub, &sub, &auth, &e).await;
                        failures.push((sub, e));
                    }
                }
            }
            failures
        };
        if failures.is_empty() {
            continue; // One more pass: Stale outcomes are left to the newer restore, which the pass detects.
        }
        for (sub, e) in failures {
            tracing::warn!(error = %e, "user data subscription not restored yet");
            sub.queue.push(Item::Notice(Notice::RestoreFailed { error: e.to_string(), retry_in: delay }));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(RETRY_CEILING);
    }
}

/// Makes the next attempt able to succeed where the failure says how.
async fn recover_from(hub: &SessionSubscriptions, sub: &Sub, auth: &Auth, error: &Error) {
    match error.code() {
        // A subscription of ours whose reply came under an older epoch is still active here: unsubscribe
        // every id on this connection that no stream owns.
        Some(ALREADY_ACTIVE) => {
            let Ok(active) =
                sub.client.request::<Vec<Subscription>>("session.subscriptions", Params::new(), Security::None).await
            else {
                return;
            };
            let owned = hub.routed_ids();
            for s in active.into_iter().filter(|s| !owned.contains(&s.subscription_id)) {
                let _ = unsubscribe_request(&sub.client, s.subscription_id).await;
            }
        }
        // The new session is not logged on: subscribe by signature with the client's own key instead.
        Some(NOT_AUTHORIZED) if matches!(auth, Auth::Logon) => {
            if let Some(credentials) = sub.client.credentials() {
                hub.set_auth(sub.local_id, Auth::Signature(Box::new(credentials.clone())));
            }
        }
        _ => {}
    }
}
