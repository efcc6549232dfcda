//! [`UserDataStream`]: one spot user data subscription over the API session as a `futures::Stream` of typed
//! events, and the [`Api`] methods that open it.

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures::Stream;

use super::spot_events::{decode_event, Missed, Notice, UserEvent};
use super::spot_queue::Item;
use super::spot_restore::{self, server_now_ms};
use super::spot_router::{Auth, Sub};
use crate::api::spot::Api;
use crate::{Credentials, Error, Result};

impl Api {
    /// Subscribes to the user data stream of this connection's account and returns its events.
    ///
    /// On a session logged on with an Ed25519 key this is `userDataStream.subscribe`; otherwise (HMAC or
    /// RSA keys) `userDataStream.subscribe.signature`, signed with the client's key. The subscription is
    /// restored by itself after a reconnect, with a [`Notice::Missed`] in the stream that says between
    /// which times events may be missing ([`UserDataStream::reconcile`] fetches the account's state), and
    /// moves without loss when the connection is rotated ([`Notice::Moved`]). Dropping the stream, or
    /// [`UserDataStream::unsubscribe`], ends the subscription.
    ///
    /// Binance allows one subscription per account and connection: a second call for the same account
    /// fails with error -2035 while the first stream lives.
    ///
    /// ```no_run
    /// # async fn run(api: binance_ws::spot::Api) -> binance_ws::Result<()> {
    /// use binance_ws::user_data::spot::{Notice, UserEvent};
    /// use futures::StreamExt;
    ///
    /// let mut mine = api.user_data().await?;
    /// while let Some(event) = mine.next().await {
    ///     match event {
    ///         UserEvent::ExecutionReport(r) => println!("{} {} {:?} {}", r.symbol, r.order_id, r.status, r.cumulative_qty),
    ///         UserEvent::AccountPosition(p) => println!("{} balances changed", p.balances.len()),
    ///         UserEvent::Notice(Notice::Missed(gap)) => {
    ///             let now = mine.reconcile().await?;
    ///             println!("missed {}..{}; {} open orders", gap.from_ms, gap.until_ms, now.open_orders.len());
    ///         }
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn user_data(&self) -> Result<UserDataStream> {
        let client = self.client();
        let Some(credentials) = client.credentials() else {
            return Err(Error::NoCredentials { method: "userDataStream.subscribe".into() });
        };
        let auth = if client.is_logged_on() { Auth::Logon } else { Auth::Signature(Box::new(credentials.clone())) };
        UserDataStream::open(self, auth, credentials.api_key().to_string()).await
    }

    /// Subscribes to the user data stream of another account on this connection, by signature with
    /// `credentials` (`userDataStream.subscribe.signature`). Each account's events arrive only in its own
    /// stream; [`UserDataStream::reconcile`] queries that account.
    ///
    /// ```no_run
    /// # async fn run(api: binance_ws::spot::Api) -> binance_ws::Result<()> {
    /// use binance_ws::Credentials;
    /// let other = Credentials::hmac("other-api-key", "other-secret");
    /// let theirs = api.user_data_with(other).await?;
    /// println!("subscription {:?}", theirs.subscription_id());
    /// # Ok(()) }
    /// ```
    pub async fn user_data_with(&self, credentials: Credentials) -> Result<UserDataStream> {
        let api_key = credentials.api_key().to_string();
        UserDataStream::open(self, Auth::Signature(Box::new(credentials)), api_key).await
    }
}

/// The events of one spot user data subscription, in the order the exchange sent them; see
/// [`Api::user_data`].
///
/// Yields [`UserEvent`]s: typed account events, unknown events kept raw, and [`Notice`]s about the
/// subscription itself (events possibly missed, moved to a new connection, restore failures). Ends after
/// [`UserEvent::StreamTerminated`] or [`Notice::Closed`]. It keeps its connection open while it lives,
/// even when every [`Api`] handle is gone.
///
/// ```no_run
/// # async fn run(api: binance_ws::spot::Api) -> binance_ws::Result<()> {
/// use binance_ws::{model::Decimal, spot::UserEvent};
/// use futures::StreamExt;
///
/// let mut mine = api.user_data().await?;
/// // Only this account's fills, as they happen.
/// let mut fills = std::pin::pin!((&mut mine).filter_map(|ev| async move {
///     match ev {
///         UserEvent::ExecutionReport(r) if r.last_qty > Decimal::ZERO => Some(r),
///         _ => None,
///     }
/// }));
/// while let Some(fill) = fills.next().await {
///     println!("{} {} {} at {}", fill.symbol, fill.side, fill.last_qty, fill.last_price);
/// }
/// # Ok(()) }
/// ```
pub struct UserDataStream {
    pub(crate) sub: Arc<Sub>,
    pub(crate) auth: Auth,
    api_key: String,
    pub(crate) subscribed_at_ms: u64,
    last_event_ms: Option<u64>,
    last_missed: Option<Missed>,
    pub(crate) symbols: BTreeSet<String>,
    unsubscribed: bool,
}

impl std::fmt::Debug for UserDataStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key: String = self.api_key.chars().take(4).collect();
        f.debug_struct("UserDataStream")
            .field("api_key", &format!("{key}…"))
            .field("subscription_id", &self.subscription_id())
            .finish_non_exhaustive()
    }
}

impl UserDataStream {
    async fn open(api: &Api, auth: Auth, api_key: String) -> Result<UserDataStream> {
        let client = api.client().clone();
        let hub = client.session_subscriptions();
        let _op = hub.op_lock.lock().await;
        let sub = hub.register(auth.clone(), client.clone());
        if let Err(e) = spot_restore::subscribe(hub, &sub, &auth).await {
            hub.remove(sub.local_id);
            return Err(e);
        }
        let subscribed_at_ms = server_now_ms(&client);
        Ok(UserDataStream {
            sub,
            auth,
            api_key,
            subscribed_at_ms,
            last_event_ms: None,
            last_missed: None,
            symbols: BTreeSet::new(),
            unsubscribed: false,
        })
    }

    /// The `subscriptionId` on the current connection; `None` while it is being restored.
    pub fn subscription_id(&self) -> Option<u64> {
        self.sub.client.session_subscriptions().subscription_id(self.sub.local_id)
    }

    /// The API key of the account whose events these are.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The most recent [`Notice::Missed`] this stream delivered.
    pub fn last_missed(&self) -> Option<&Missed> {
        self.last_missed.as_ref()
    }

    /// Ends the subscription (`userDataStream.unsubscribe`). The stream then yields the events still on
    /// their way, [`UserEvent::StreamTerminated`], and ends (at once, without `StreamTerminated`, when
    /// the subscription was being restored after a reconnect and so had no id to unsubscribe).
    ///
    /// ```no_run
    /// # async fn run(api: binance_ws::spot::Api) -> binance_ws::Result<()> {
    /// use futures::StreamExt;
    /// let mut mine = api.user_data().await?;
    /// mine.unsubscribe().await?;
    /// while let Some(ev) = mine.next().await {
    ///     println!("{ev:?}"); // ... the last one is StreamTerminated
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe(&mut self) -> Result<()> {
        let hub = self.sub.client.session_subscriptions();
        let _op = hub.op_lock.lock().await;
        self.unsubscribed = true;
        match hub.mark_unsubscribing(self.sub.local_id) {
            Some(id) => spot_restore::unsubscribe_request(&self.sub.client, id).await,
            None => Ok(()),
        }
    }

    /// Records what reconciling needs: the time of the latest event and the symbols traded.
    fn observe(&mut self, event: &UserEvent) {
        if let Some(t) = event.event_time() {
            self.last_event_ms = Some(self.last_event_ms.map_or(t, |l| l.max(t)));
        }
        match event {
            UserEvent::ExecutionReport(r) if !self.symbols.contains(&r.symbol) => {
                self.symbols.insert(r.symbol.clone());
            }
            UserEvent::ListStatus(l) => {
                for o in &l.orders {
                    if !self.symbols.contains(&o.symbol) {
                        self.symbols.insert(o.symbol.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

impl Stream for UserDataStream {
    type Item = UserEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<UserEvent>> {
        let item = ready!(self.sub.queue.poll_pop(cx));
        Poll::Ready(item.map(|item| match item {
            Item::Event(bytes) => match decode_event(&bytes) {
                Ok(event) => {
                    self.observe(&event);
                    event
                }
                Err(e) => {
                    let cut = bytes.len().min(256);
                    UserEvent::Notice(Notice::Undecodable {
                        reason: e.to_string(),
                        frame: String::from_utf8_lossy(&bytes[..cut]).into_owned(),
                    })
                }
            },
            Item::Missed { until_ms, cause } => {
                let from_ms = self.last_event_ms.unwrap_or(self.subscribed_at_ms);
                let missed = Missed { from_ms, until_ms: until_ms.max(from_ms), cause };
                self.last_missed = Some(missed.clone());
                UserEvent::Notice(Notice::Missed(missed))
            }
            Item::Notice(n) => UserEvent::Notice(n),
        }))
    }
}

impl Drop for UserDataStream {
    fn drop(&mut self) {
        let client = self.sub.client.clone();
        let Some((generation, id)) = client.session_subscriptions().remove(self.sub.local_id) else { return };
        if self.unsubscribed {
            return;
        }
        // Unsubscribe in the background, under the lock that keeps ids from outliving their connection.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let hub = client.session_subscriptions();
                let _op = hub.op_lock.lock().await;
                if hub.generation() == generation {
                    let _ = spot_restore::unsubscribe_request(&client, id).await;
                }
            });
        }
    }
}
