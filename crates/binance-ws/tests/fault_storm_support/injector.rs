//! The storm itself: a seeded plan of faults, each aimed at one of the clients' live connections (the
//! newest the exchange lists for that client connection, which is the one the client reads from) or at the
//! whole server (reply delays, refused connections).
//!
//! The sequence of fault kinds and durations depends on the seed alone; which connection each one hits
//! depends on what is live at that moment.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use binance_ws_sim::clock::now_ms;
use binance_ws_sim::faults::ConnKind;
use binance_ws_sim::{ConnFault, Sim};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::observe::Who;

/// Stalls at least this long outlast the clients' stall watchdog: the connection is replaced.
pub const LONG_STALL: Duration = Duration::from_secs(5);

/// A fault aimed at one connection.
#[derive(Debug, Clone)]
pub struct Aimed {
    pub time_ms: u64,
    pub connection: u64,
    pub who: Who,
    pub fault: ConnFault,
}

/// Tells the exchange's connections apart by their labels (see `binance_ws_sim::faults::LiveConn::label`).
#[derive(Debug, Clone, Default)]
pub struct Labels {
    /// A stream connection's label (its streams, sorted, joined by `,`) -> the client connection it serves.
    pub streams: HashMap<String, Who>,
    /// The trading client's API key (its connections are labeled with it once logged on).
    pub trade_key: String,
}

impl Labels {
    /// The client connection a live exchange connection serves. The books' API connection never logs on, so its
    /// label stays empty; a trading connection is empty too until its `session.logon` (its first request) is
    /// handled, so an empty API label counts as the books' only once it is a second old.
    fn who(&self, kind: ConnKind, label: &str, age_ms: u64) -> Option<Who> {
        match kind {
            ConnKind::Stream => self.streams.get(label).copied(),
            ConnKind::Api if label == self.trade_key => Some(Who::TradeApi),
            ConnKind::Api if label.is_empty() && age_ms >= 1000 => Some(Who::BookApi),
            ConnKind::Api => None,
        }
    }
}

/// The seeded storm.
pub struct Injector {
    rng: StdRng,
    labels: Labels,
    /// Every fault aimed at a connection, in order.
    pub aimed: Vec<Aimed>,
    /// Steps that found no connection to aim at (a client was reconnecting everywhere).
    pub no_target: u64,
    delaying: bool,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Malformed,
    Gap,
    ShortStall(Duration),
    LongStall,
    Drop,
    Lifetime(Duration),
    Shutdown,
    Delay(Duration),
    Refuse(Duration),
}

impl Injector {
    pub fn new(seed: u64, labels: Labels) -> Injector {
        Injector { rng: StdRng::seed_from_u64(seed), labels, aimed: Vec::new(), no_target: 0, delaying: false }
    }

    /// Mostly cheap faults (malformed frames, gaps, short stalls and delays); drops, shutdowns, refusals and
    /// short lifetimes less often, so that the clients still make progress between them.
    fn pick(&mut self) -> Step {
        let ms = |rng: &mut StdRng, lo: u64, hi: u64| Duration::from_millis(rng.random_range(lo..=hi));
        match self.rng.random_range(0..100u32) {
            0..40 => Step::Malformed,
            40..58 => Step::Gap,
            58..73 => Step::ShortStall(ms(&mut self.rng, 50, 250)),
            73..83 => Step::Delay(ms(&mut self.rng, 10, 100)),
            83..87 => Step::Drop,
            87..91 => Step::Lifetime(ms(&mut self.rng, 100, 800)),
            91..95 => Step::Shutdown,
            95..98 => Step::Refuse(ms(&mut self.rng, 200, 800)),
            _ => Step::LongStall,
        }
    }

    /// Applies the next fault of the plan.
    pub fn step(&mut self, sim: &Sim) {
        // A reply delay lasts one step.
        if self.delaying {
            sim.faults().delay_replies(Duration::ZERO);
            self.delaying = false;
        }
        let step = self.pick();
        // Drawn whatever the step, so that the plan does not depend on timing.
        let pick: u64 = self.rng.random();
        let fault = match step {
            Step::Delay(d) => {
                sim.faults().delay_replies(d);
                self.delaying = true;
                return;
            }
            Step::Refuse(d) => return sim.faults().refuse_connections(d),
            Step::Malformed => ConnFault::Malformed,
            Step::Gap => ConnFault::SkipDepthUpdate,
            Step::ShortStall(d) => ConnFault::Stall(d),
            Step::LongStall => ConnFault::Stall(LONG_STALL),
            Step::Drop => ConnFault::Drop,
            Step::Lifetime(d) => ConnFault::Lifetime(d),
            Step::Shutdown => ConnFault::ServerShutdown,
        };
        let targets = self.targets(sim, matches!(step, Step::Gap));
        if targets.is_empty() {
            self.no_target += 1;
            return;
        }
        let (connection, who) = targets[(pick % targets.len() as u64) as usize];
        let time_ms = now_ms();
        sim.inject_into(connection, fault.clone());
        self.aimed.push(Aimed { time_ms, connection, who, fault });
    }

    /// Lifts a reply delay still in force.
    pub fn finish(&mut self, sim: &Sim) {
        if self.delaying {
            sim.faults().delay_replies(Duration::ZERO);
            self.delaying = false;
        }
    }

    /// The newest live connection of each client connection (books' streams only, for gaps).
    fn targets(&self, sim: &Sim, books_only: bool) -> Vec<(u64, Who)> {
        let now = now_ms();
        let mut newest: BTreeMap<Who, u64> = BTreeMap::new();
        for c in sim.faults().live_connections() {
            let Some(who) = self.labels.who(c.kind, &c.label, now.saturating_sub(c.opened_ms)) else { continue };
            let id = newest.entry(who).or_insert(c.id);
            *id = (*id).max(c.id);
        }
        newest.into_iter().filter(|(w, _)| !books_only || matches!(w, Who::Books(_))).map(|(w, id)| (id, w)).collect()
    }

    /// The fault aimed at `connection` of this kind most recently at or before `time_ms`.
    pub fn aimed_at(&self, connection: u64, time_ms: u64, same: impl Fn(&ConnFault) -> bool) -> Option<&Aimed> {
        self.aimed.iter().rev().find(|a| a.connection == connection && a.time_ms <= time_ms + 5 && same(&a.fault))
    }

    /// The client connection a faulted exchange connection served.
    pub fn who_of(&self, connection: u64) -> Option<Who> {
        self.aimed.iter().find(|a| a.connection == connection).map(|a| a.who)
    }
}
