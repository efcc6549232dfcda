//! Which subscription a user data frame belongs to, across reconnects and rotations.
//!
//! The API connection task hands every user data frame here with the generation of the socket it came on
//! (`subscriptionId`s are per connection, so the same id can mean two subscriptions while a rotated
//! connection overlaps its replacement). Each subscription made with `Api::user_data` is an entry that maps
//! its current `(generation, subscriptionId)` to its reader's queue. When a connection is replaced, entries
//! lose their route and a restore task (`spot_restore`) subscribes them again; until it has, a rotated
//! connection is kept open (`holds`) so that its events keep flowing, and the two copies of each event
//! that arrive while both are subscribed are delivered once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Weak};

use bytes::Bytes;
use parking_lot::Mutex;

use super::spot_events::{peek_event_type, MissedCause, Notice};
use super::spot_queue::{Item, Queue};
use crate::api::ApiClient;
use crate::transport::ConnectionEvent;
use crate::Credentials;

/// Frames kept, while a subscribe request is in flight, for subscription ids not routed yet: the events
/// that follow a subscribe reply can be read before the waiting task has recorded the new id.
const UNROUTED_LIMIT: usize = 4096;

/// How a subscription is opened (and how its account is queried when reconciling).
#[derive(Clone)]
pub(crate) enum Auth {
    /// `userDataStream.subscribe` on the session logged on with the client's own (Ed25519) key.
    Logon,
    /// `userDataStream.subscribe.signature`, signed with these credentials on every (re)subscribe.
    Signature(Box<Credentials>),
}

/// What the reader and the restore task share about one subscription.
pub(crate) struct Sub {
    /// Key of its entry.
    pub local_id: u64,
    /// The connection it lives on (kept alive as long as the subscription is).
    pub client: ApiClient,
    /// Its events and notices.
    pub queue: Queue,
}

type Route = (u64, u64);

struct Entry {
    sub: Weak<Sub>,
    auth: Auth,
    /// `(generation, subscriptionId)` on the current connection, once subscribed there.
    route: Option<Route>,
    /// The subscription on a rotated-out connection, still delivering until that connection retires.
    old_route: Option<Route>,
    /// Set when the subscription's connection ended before a new subscription was made: why.
    gap: Option<String>,
    /// While two connections deliver the same events: each event seen from one of them and not yet from
    /// the other, with the generation it came from and how many identical copies are outstanding.
    overlap: Option<HashMap<Bytes, (u64, u32)>>,
    /// `unsubscribe` was called: do not restore.
    unsubscribing: bool,
}

#[derive(Default)]
struct Inner {
    /// Generation of the current connection.
    generation: u64,
    /// Counts connection changes; a subscribe answered under an older epoch may belong to a dead connection.
    epoch: u64,
    /// Why the last connection was lost (from `Reconnecting`).
    loss_reason: Option<String>,
    /// Set when the connection closed for good.
    closed: Option<String>,
    next_local: u64,
    entries: HashMap<u64, Entry>,
    routes: HashMap<Route, u64>,
    /// Subscribe requests in flight.
    awaiting: usize,
    unrouted: HashMap<Route, Vec<Bytes>>,
    unrouted_count: usize,
}

/// What became of a subscribe reply.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Attach {
    /// Routed.
    Attached,
    /// The connection changed meanwhile; the subscription is restored again on the new one.
    Stale,
    /// The subscription was dropped or unsubscribed meanwhile; the new id should be unsubscribed.
    Gone,
}

/// The spot user data subscriptions of one API connection.
#[derive(Default)]
pub(crate) struct SessionSubscriptions {
    inner: Mutex<Inner>,
    /// Serializes subscribing and unsubscribing, so that an id is never acted on after its connection
    /// was replaced (ids restart at 0 on every connection).
    pub(crate) op_lock: tokio::sync::Mutex<()>,
}

impl SessionSubscriptions {
    // ------------------------------------------------------------------ hooks of the connection task

    /// A user data frame's event arrived on the socket of `generation`.
    pub(crate) fn route(&self, generation: u64, subscription_id: Option<u64>, event: Bytes) {
        let Some(id) = subscription_id else { return };
        let mut inner = self.inner.lock();
        let key = (generation, id);
        match inner.routes.get(&key).copied() {
            Some(local) => inner.deliver(local, generation, event),
            None if inner.awaiting > 0 && generation == inner.generation && inner.unrouted_count < UNROUTED_LIMIT => {
                inner.unrouted.entry(key).or_default().push(event);
                inner.unrouted_count += 1;
            }
            None => {}
        }
    }

    /// The connection changed state (called for every `ConnectionEvent` the API client publishes).
    pub(crate) fn on_connection(&self, event: &ConnectionEvent) {
        let restore = {
            let mut inner = self.inner.lock();
            match event {
                ConnectionEvent::Reconnecting { reason, .. } => {
                    inner.loss_reason = Some(reason.clone());
                    None
                }
                ConnectionEvent::Connected { generation, .. } => inner.connection_replaced(*generation, false),
                ConnectionEvent::Rotated { generation, .. } => inner.connection_replaced(*generation, true),
                ConnectionEvent::Closed { reason } => {
                    inner.close_all(reason);
                    None
                }
            }
        };
        if let Some((client, epoch)) = restore {
            tokio::spawn(super::spot_restore::restore(client, epoch));
        }
    }

    /// Whether the rotated-out connection of `generation` must stay open: a subscription on it has not
    /// moved to the new connection yet.
    pub(crate) fn holds(&self, generation: u64) -> bool {
        let inner = self.inner.lock();
        inner.entries.values().any(|e| e.route.is_none() && e.old_route.is_some_and(|(g, _)| g == generation))
    }

    /// The rotated-out connection of `generation` is closed.
    pub(crate) fn retired(&self, generation: u64) {
        let mut inner = self.inner.lock();
        let inner = &mut *inner;
        inner.routes.retain(|(g, _), _| *g != generation);
        inner.unrouted.retain(|(g, _), _| *g != generation);
        let mut ended = Vec::new();
        for (local, e) in inner.entries.iter_mut() {
            if e.old_route.is_some_and(|(g, _)| g == generation) {
                e.old_route = None;
                e.overlap = None;
                if e.unsubscribing && e.route.is_none() {
                    // Its subscription ended with the connection.
                    ended.push(*local);
                } else if e.route.is_none() {
                    e.gap.get_or_insert_with(|| "the rotated connection closed before the subscription moved".into());
                }
            }
        }
        for local in ended {
            inner.end(local);
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /// A new entry, not routed yet.
    pub(crate) fn register(&self, auth: Auth, client: ApiClient) -> Arc<Sub> {
        let mut inner = self.inner.lock();
        inner.next_local += 1;
        let sub = Arc::new(Sub { local_id: inner.next_local, client, queue: Queue::default() });
        inner.entries.insert(
            sub.local_id,
            Entry {
                sub: Arc::downgrade(&sub),
                auth,
                route: None,
                old_route: None,
                gap: None,
                overlap: None,
                unsubscribing: false,
            },
        );
        sub
    }

    /// A subscribe request is about to be sent: keep unrouted frames until it is answered. Returns the
    /// current epoch.
    pub(crate) fn begin_subscribe(&self) -> u64 {
        let mut inner = self.inner.lock();
        inner.awaiting += 1;
        inner.epoch
    }

    /// The subscribe request failed.
    pub(crate) fn abandon_subscribe(&self) {
        self.inner.lock().end_subscribe();
    }

    /// The subscribe request sent under `epoch` for `local` was answered with `subscription_id`.
    /// `now_ms` is the server time (the end of any gap).
    pub(crate) fn attach(&self, local: u64, epoch: u64, subscription_id: u64, now_ms: u64) -> Attach {
        let mut inner = self.inner.lock();
        let inner = &mut *inner;
        let early = inner.unrouted.remove(&(inner.generation, subscription_id)).unwrap_or_default();
        inner.unrouted_count -= early.len();
        inner.end_subscribe();
        if epoch != inner.epoch {
            if let Some(e) = inner.entries.get_mut(&local) {
                if e.route.is_none() {
                    e.gap.get_or_insert_with(|| "the connection changed while subscribing".into());
                }
            }
            return Attach::Stale;
        }
        let Some(e) = inner.entries.get_mut(&local).filter(|e| !e.unsubscribing) else { return Attach::Gone };
        let key = (inner.generation, subscription_id);
        e.route = Some(key);
        let notice = match e.gap.take() {
            Some(reason) => {
                Some(Item::Missed { until_ms: now_ms, cause: MissedCause::Reconnected { reason, subscription_id } })
            }
            None => e.old_route.is_some().then_some(Item::Notice(Notice::Moved { subscription_id })),
        };
        if let (Some(item), Some(sub)) = (notice, e.sub.upgrade()) {
            sub.queue.push(item);
        }
        inner.routes.insert(key, local);
        // Events of the new subscription that were read before this reply was handled come first.
        for event in early {
            inner.deliver(local, key.0, event);
        }
        Attach::Attached
    }

    /// Live entries without a route, when `epoch` is still current (`None`: a newer restore took over).
    pub(crate) fn unrouted_subscriptions(&self, epoch: u64) -> Option<Vec<(Arc<Sub>, Auth)>> {
        let inner = self.inner.lock();
        if inner.epoch != epoch || inner.closed.is_some() {
            return None;
        }
        Some(
            inner
                .entries
                .values()
                .filter(|e| e.route.is_none() && !e.unsubscribing)
                .filter_map(|e| Some((e.sub.upgrade()?, e.auth.clone())))
                .collect(),
        )
    }

    /// Changes how an entry subscribes from now on.
    pub(crate) fn set_auth(&self, local: u64, auth: Auth) {
        if let Some(e) = self.inner.lock().entries.get_mut(&local) {
            e.auth = auth;
        }
    }

    /// The subscription ids on the current connection that belong to an entry.
    pub(crate) fn routed_ids(&self) -> HashSet<u64> {
        let inner = self.inner.lock();
        inner.routes.keys().filter(|(g, _)| *g == inner.generation).map(|(_, id)| *id).collect()
    }

    /// Forgets an entry (its reader was dropped). Returns its `(generation, subscriptionId)` on the current
    /// connection, which should be unsubscribed while that connection is still current.
    pub(crate) fn remove(&self, local: u64) -> Option<(u64, u64)> {
        let mut inner = self.inner.lock();
        let e = inner.entries.remove(&local)?;
        inner.routes.retain(|_, l| *l != local);
        e.route.filter(|(g, _)| *g == inner.generation)
    }

    /// The generation of the current connection.
    pub(crate) fn generation(&self) -> u64 {
        self.inner.lock().generation
    }

    /// An entry's `subscriptionId` on the current connection.
    pub(crate) fn subscription_id(&self, local: u64) -> Option<u64> {
        let inner = self.inner.lock();
        inner.entries.get(&local)?.route.filter(|(g, _)| *g == inner.generation).map(|(_, id)| id)
    }

    /// `unsubscribe` was called: no more restores. Returns the subscription id on the current connection;
    /// without one the reader's stream ends now.
    pub(crate) fn mark_unsubscribing(&self, local: u64) -> Option<u64> {
        let mut inner = self.inner.lock();
        let generation = inner.generation;
        let e = inner.entries.get_mut(&local)?;
        e.unsubscribing = true;
        match e.route.filter(|(g, _)| *g == generation) {
            Some((_, id)) => Some(id),
            None => {
                inner.end(local);
                None
            }
        }
    }
}

impl Inner {
    fn end_subscribe(&mut self) {
        self.awaiting = self.awaiting.saturating_sub(1);
        if self.awaiting == 0 {
            self.unrouted.clear();
            self.unrouted_count = 0;
        }
    }

    /// Queues an event for `local`, once, and ends the entry on `eventStreamTerminated`.
    fn deliver(&mut self, local: u64, generation: u64, event: Bytes) {
        let Some(e) = self.entries.get_mut(&local) else { return };
        let Some(sub) = e.sub.upgrade() else { return };
        if let Some(seen) = e.overlap.as_mut() {
            match seen.get_mut(&event) {
                Some((g, n)) if *g != generation => {
                    // The other connection delivered this one already.
                    *n -= 1;
                    if *n == 0 {
                        seen.remove(&event);
                    }
                    return;
                }
                Some((_, n)) => *n += 1,
                None => {
                    seen.insert(event.clone(), (generation, 1));
                }
            }
        }
        let terminated = peek_event_type(&event) == Some("eventStreamTerminated");
        sub.queue.push_event(event, super::spot_restore::server_now_ms(&sub.client));
        if terminated {
            self.end(local);
        }
    }

    /// Forgets an entry whose subscription is over; its reader gets what is queued, then the end.
    fn end(&mut self, local: u64) {
        if let Some(sub) = self.entries.remove(&local).and_then(|e| e.sub.upgrade()) {
            sub.queue.close();
        }
        self.routes.retain(|_, l| *l != local);
    }

    /// A new connection of `generation` is current: after a reconnect the old subscriptions are gone; after
    /// a rotation they still deliver until the old connection retires. Returns what the restore task needs.
    fn connection_replaced(&mut self, generation: u64, rotated: bool) -> Option<(ApiClient, u64)> {
        self.generation = generation;
        self.epoch += 1;
        let reason = self.loss_reason.take().unwrap_or_else(|| "connection lost".into());
        if !rotated {
            self.routes.retain(|(g, _), _| *g >= generation);
            self.unrouted.clear();
            self.unrouted_count = 0;
        }
        let mut ended = Vec::new();
        let mut client = None;
        for (local, e) in self.entries.iter_mut() {
            let Some(sub) = e.sub.upgrade() else { continue };
            let stale = e.route.filter(|(g, _)| *g < generation);
            if rotated {
                if stale.is_some() {
                    e.old_route = stale;
                    e.route = None;
                    e.overlap = Some(HashMap::new());
                }
            } else {
                if stale.is_some() || e.old_route.is_some() {
                    e.route = None;
                    e.old_route = None;
                    e.overlap = None;
                    e.gap.get_or_insert_with(|| reason.clone());
                }
                if e.unsubscribing {
                    // Its connection, and with it the subscription, is gone.
                    ended.push(*local);
                    continue;
                }
            }
            if e.route.is_none() && !e.unsubscribing {
                client.get_or_insert_with(|| sub.client.clone());
            }
        }
        for local in ended {
            self.end(local);
        }
        client.map(|c| (c, self.epoch))
    }

    /// The connection closed for good: every reader ends.
    fn close_all(&mut self, reason: &str) {
        self.closed = Some(reason.to_string());
        for e in self.entries.values() {
            if let Some(sub) = e.sub.upgrade() {
                sub.queue.push(Item::Notice(Notice::Closed { reason: reason.to_string() }));
                sub.queue.close();
            }
        }
        self.entries.clear();
        self.routes.clear();
    }
}
