//! The in-flight map: every request that waits for its reply, the connection it was written on and
//! when it times out. Replies are routed through it by the connection task; one timer task
//! ([`expire_requests`]) fails the requests whose time is up, so a request costs no timer of its own.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::time::{sleep_until, Instant};

use super::client::{Reply, Shared};
use crate::{Error, Result};

/// What the in-flight map knows about a request.
pub(crate) struct Pending {
    pub method: String,
    pub changes_state: bool,
    pub client_order_id: Option<String>,
    /// The connection the request was written on; `None` while it waits to be written.
    pub generation: Option<u64>,
    /// When it fails with [`Error::Timeout`] if no reply came.
    pub deadline: Instant,
    /// Where the reply goes. `None` for the task's own requests (logon); closed once a
    /// fire-and-forget caller has returned.
    pub reply: Option<oneshot::Sender<Result<Reply>>>,
}

impl Pending {
    /// True while someone still waits for this reply.
    fn awaited(&self) -> bool {
        self.reply.as_ref().is_some_and(|tx| !tx.is_closed())
    }
}

/// What a handle may do with a request it is about to write (see [`InFlight::claim`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Write it now on the connection of this generation.
    Write,
    /// No connection takes requests now: queue it for the next one.
    Queue,
    /// It timed out or failed already: never send it.
    Gone,
}

/// The requests awaiting replies, and which connection takes new ones.
#[derive(Default)]
pub(crate) struct InFlight {
    /// Keyed by our own request ids (no untrusted keys), so a fast hash rather than SipHash: each request
    /// looks itself up three times.
    requests: HashMap<u64, Pending, foldhash::fast::FixedState>,
    /// The connection requests may be written on now; `None` while (re)connecting or after a loss.
    writable: Option<u64>,
    /// The connection task has ended: nothing more is accepted.
    closed: bool,
}

impl InFlight {
    /// Registers a request; fails once the client is closed.
    pub fn insert(&mut self, id: u64, pending: Pending) -> Result<()> {
        if self.closed {
            return Err(Error::Closed);
        }
        self.requests.insert(id, pending);
        Ok(())
    }

    pub fn remove(&mut self, id: u64) -> Option<Pending> {
        self.requests.remove(&id)
    }

    /// Decides, for a handle holding the writer whose connection is `generation`, whether request `id`
    /// is written now (and records that it was written there), queued, or dropped.
    pub fn claim(&mut self, id: u64, generation: Option<u64>) -> Claim {
        let Some(p) = self.requests.get_mut(&id) else { return Claim::Gone };
        match generation {
            Some(g) if self.writable == Some(g) => {
                p.generation = Some(g);
                Claim::Write
            }
            _ => Claim::Queue,
        }
    }

    /// Records that the connection task writes request `id` on `generation`; false if it is gone.
    pub fn mark_written(&mut self, id: u64, generation: u64) -> bool {
        match self.requests.get_mut(&id) {
            Some(p) => {
                p.generation = Some(generation);
                true
            }
            None => false,
        }
    }

    /// Opens (`Some`) or stops (`None`) the direct writes of the handles.
    pub fn set_writable(&mut self, generation: Option<u64>) {
        self.writable = generation;
    }

    /// Takes every request written on `generation`; `closing` also stops direct writes to it.
    pub fn take_generation(&mut self, generation: u64) -> Vec<Pending> {
        if self.writable == Some(generation) {
            self.writable = None;
        }
        let ids: Vec<u64> =
            self.requests.iter().filter(|(_, p)| p.generation == Some(generation)).map(|(id, _)| *id).collect();
        ids.into_iter().filter_map(|id| self.requests.remove(&id)).collect()
    }

    /// Marks the client closed and takes everything still waiting.
    pub fn close(&mut self) -> Vec<Pending> {
        self.closed = true;
        self.writable = None;
        self.requests.drain().map(|(_, p)| p).collect()
    }

    /// True while a request written on `generation` still has a caller waiting for its reply.
    pub fn owes(&self, generation: u64) -> bool {
        self.requests.values().any(|p| p.generation == Some(generation) && p.awaited())
    }

    /// Takes the requests due at `now`; returns them and the earliest deadline of the rest.
    fn take_expired(&mut self, now: Instant) -> (Vec<Pending>, Option<Instant>) {
        let mut next: Option<Instant> = None;
        let mut due = Vec::new();
        for (id, p) in &self.requests {
            if p.deadline <= now {
                due.push(*id);
            } else {
                next = Some(next.map_or(p.deadline, |n| n.min(p.deadline)));
            }
        }
        (due.into_iter().filter_map(|id| self.requests.remove(&id)).collect(), next)
    }
}

/// Fails requests whose deadline passed with [`Error::Timeout`], from one timer for the whole client.
///
/// Every request gets the same timeout, so a request registered after this task went to sleep has a
/// later deadline than the one it sleeps until: the timer never needs to be moved earlier, and
/// registering a request costs no wake-up. Ends when the client is closed.
pub(crate) async fn expire_requests(shared: Arc<Shared>) {
    let timeout = shared.config.request_timeout;
    loop {
        let now = Instant::now();
        let (expired, next) = {
            let mut inflight = shared.pending.lock();
            if inflight.closed {
                return;
            }
            inflight.take_expired(now)
        };
        for p in expired {
            // A request still waiting to be written (no connection took it) is dropped from the map here,
            // so it is never written later: it cannot have executed.
            let may_have_executed = p.changes_state && p.generation.is_some();
            if let Some(tx) = p.reply {
                let _ = tx.send(Err(Error::Timeout { method: p.method, timeout, may_have_executed }));
            }
        }
        sleep_until(next.unwrap_or(now + timeout)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(deadline: Instant) -> (Pending, oneshot::Receiver<Result<Reply>>) {
        let (tx, rx) = oneshot::channel();
        let p = Pending {
            method: "time".into(),
            changes_state: false,
            client_order_id: None,
            generation: None,
            deadline,
            reply: Some(tx),
        };
        (p, rx)
    }

    #[test]
    fn requests_are_written_only_on_the_writable_connection_and_never_once_gone() {
        let now = Instant::now();
        let mut f = InFlight::default();
        let (p, _rx) = pending(now);
        f.insert(1, p).unwrap();
        assert_eq!(f.claim(1, Some(0)), Claim::Queue, "nothing is writable yet");
        f.set_writable(Some(0));
        assert_eq!(f.claim(1, None), Claim::Queue, "no connection in the writer");
        assert_eq!(f.claim(1, Some(1)), Claim::Queue, "a connection other than the writable one");
        assert_eq!(f.claim(1, Some(0)), Claim::Write);
        assert!(f.owes(0));
        let lost = f.take_generation(0);
        assert_eq!(lost.len(), 1);
        assert_eq!(f.claim(1, Some(0)), Claim::Gone, "a failed request is never written later");
        let (p, _rx) = pending(now);
        f.insert(2, p).unwrap();
        assert_eq!(f.claim(2, Some(0)), Claim::Queue, "a lost connection stops direct writes");
    }

    #[test]
    fn expiry_takes_due_requests_and_reports_the_next_deadline() {
        let now = Instant::now();
        let later = now + std::time::Duration::from_secs(5);
        let mut f = InFlight::default();
        let (p, _a) = pending(now);
        f.insert(1, p).unwrap();
        let (p, _b) = pending(later);
        f.insert(2, p).unwrap();
        let (due, next) = f.take_expired(now);
        assert_eq!(due.len(), 1);
        assert_eq!(next, Some(later));
        assert_eq!(f.claim(1, None), Claim::Gone, "a timed-out request is never written later");
        assert!(f.close().len() == 1 && f.insert(3, pending(later).0).is_err(), "closed clients take nothing");
    }

    #[test]
    fn fire_and_forget_replies_are_not_owed() {
        let mut f = InFlight::default();
        f.set_writable(Some(0));
        let (p, rx) = pending(Instant::now());
        f.insert(1, p).unwrap();
        assert_eq!(f.claim(1, Some(0)), Claim::Write);
        assert!(f.owes(0));
        drop(rx);
        assert!(!f.owes(0), "nobody waits for a fire-and-forget reply");
    }
}
