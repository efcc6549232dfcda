//! listenKey connections (`{prefix}/ws/<listenKey>`, USD-M also `{prefix}/private/ws?listenKey=<key>`): the
//! account's user data events while the key is valid; when it expires the connection gets `listenKeyExpired` and
//! is closed; when it is closed with `userDataStream.stop` the connection is closed.

use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::json;

use crate::clock::Clock;
use crate::exchange::AccountId;
use crate::futures::listen_key::{KeyStatus, ListenKeys};
use crate::futures::user_data::listen_key_expired;
use crate::streams::control::{handle_control, IncomingLimiter, Subscriptions};
use crate::streams::{CloseReason, HubState, StreamConn};

/// One formatted user data event for one account.
#[derive(Debug, Clone)]
pub struct UserFrame {
    pub account: AccountId,
    pub frame: String,
}

/// The user data feed: it keeps no state, connections pick their account's frames.
#[derive(Debug, Default)]
pub struct UserFeed;

impl HubState for UserFeed {
    type Event = UserFrame;
    fn apply(&mut self, _: &UserFrame) {}
}

/// One listenKey connection.
pub struct UserSession {
    key: String,
    account: AccountId,
    keys: Arc<Mutex<ListenKeys>>,
    /// The exchange's clock: keys expire by it, not by the connection's wall time.
    clock: Arc<Clock>,
    max_incoming_per_sec: usize,
    incoming: IncomingLimiter,
    closing: Option<CloseReason>,
    combined: bool,
}

impl UserSession {
    /// A connection for `key`, which must be active (the caller refuses the others).
    pub fn new(
        key: String,
        account: AccountId,
        keys: Arc<Mutex<ListenKeys>>,
        clock: Arc<Clock>,
        max_incoming_per_sec: usize,
    ) -> Self {
        UserSession {
            key,
            account,
            keys,
            clock,
            max_incoming_per_sec,
            incoming: IncomingLimiter::default(),
            closing: None,
            combined: false,
        }
    }

    fn check(&mut self) -> Vec<String> {
        if self.closing.is_some() {
            return Vec::new();
        }
        let now_ms = self.clock.now_ms();
        let status = self.keys.lock().status(&self.key, now_ms);
        match status {
            KeyStatus::Active(_) => Vec::new(),
            KeyStatus::Expired(_) => {
                self.closing = Some(CloseReason { code: 1000, reason: "listenKey expired".into() });
                vec![listen_key_expired(&self.key, now_ms).to_string()]
            }
            KeyStatus::Closed | KeyStatus::Unknown => {
                self.closing = Some(CloseReason { code: 1000, reason: "listenKey closed".into() });
                Vec::new()
            }
        }
    }
}

/// A listenKey connection has no market streams to subscribe to.
impl Subscriptions for UserSession {
    type Sub = ();
    fn parse(&self, _: &str, _: u64) -> Option<()> {
        None
    }
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
    fn add(&mut self, _: Vec<(String, ())>, _: u64) {}
    fn remove(&mut self, _: &[String]) {}
    fn combined(&self) -> bool {
        self.combined
    }
    fn set_combined(&mut self, combined: bool) {
        self.combined = combined;
    }
    fn max_streams(&self) -> usize {
        0
    }
}

impl StreamConn<UserFeed> for UserSession {
    fn on_incoming(&mut self, now_ms: u64) -> Result<(), CloseReason> {
        self.incoming.count(now_ms, self.max_incoming_per_sec)
    }
    fn on_text(&mut self, text: &str, now_ms: u64) -> String {
        handle_control(self, text, now_ms)
    }
    fn frames_for(&mut self, ev: &UserFrame, _: &UserFeed, _: u64) -> Vec<String> {
        if ev.account != self.account {
            return Vec::new();
        }
        let mut out = self.check();
        if self.closing.is_none() {
            out.push(ev.frame.clone());
        }
        out
    }
    fn on_tick(&mut self, _: &UserFeed, _: u64) -> Vec<String> {
        self.check()
    }
    fn shutdown_frame(&self, now_ms: u64) -> String {
        json!({"e": "serverShutdown", "E": now_ms}).to_string()
    }
    fn closing(&mut self, _: u64) -> Option<CloseReason> {
        self.closing.clone()
    }
    /// The listenKey: the one stream such a connection carries.
    fn label(&self) -> String {
        self.key.clone()
    }
}
