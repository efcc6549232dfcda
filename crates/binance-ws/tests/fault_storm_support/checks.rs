//! Matching what the clients reported with what the exchange did to them.
//!
//! The clients cannot know the exchange's connection numbers, so the storm aims every fault at a connection it
//! identified first (see `injector`): the exchange labels each connection with what it serves (a stream
//! connection's streams, an API connection's logged-on key), and the test knows which of its client connections
//! carries which streams (`StreamsHandle::connection_of`) and which API key. The exchange's log says when a
//! fault struck which connection; the clients' notices say when they saw it. Both use the same wall clock (one
//! process), so a notice is matched to a fault on the same client connection within a time window: generous,
//! because this machine is loaded, and bounded by how the client detects each kind (a drop at once, a lifetime
//! close after its delay, a stall only after the stall watchdog).
//!
//! Gaps are matched exactly, by update ids: the exchange logs which depth update it left out, and each book
//! reports which update ids it did not apply.

use binance_ws::book::ResyncReason;
use binance_ws::user_data::spot::MissedCause;
use binance_ws_sim::faults::{FaultKind, FaultRecord};
use binance_ws_sim::ConnFault;

use super::injector::{Injector, LONG_STALL};
use super::observe::{Note, Observer, Seen, Who};

/// Slack for reading a report after the fault that caused it (scheduling on a loaded 2-core machine).
pub const SLACK_MS: u64 = 5_000;
/// The clients' stall watchdog.
pub const STALL_TIMEOUT_MS: u64 = 3_000;
/// How long a connection may take to be replaced after `serverShutdown` (a refused attempt waits out the
/// backoff before the next).
const ROTATE_MS: u64 = 20_000;
/// How long after a loss the user data stream may take to say so (the restore waits for the reconnect).
const RESTORE_MS: u64 = 30_000;

/// Everything that did not match.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Client reports no injected fault explains.
    pub unexplained: Vec<String>,
    /// Faults that lost data without a client report.
    pub unreported: Vec<String>,
    /// Malformed frames sent on the clients' connections, how many the clients reported, and how many went
    /// unread because their connection was cut or retired right after.
    pub malformed_sent: u64,
    pub undecodable_reported: u64,
    pub malformed_unread: u64,
    /// Faults that cut a connection the client was reading, and gaps.
    pub lossy: u64,
    pub gaps: u64,
    /// Gaps whose updates the book applied all the same, from the other connection of a rotation.
    pub gaps_harmless: u64,
    /// Cuts of a rotation's new connection before the client switched to it.
    pub cuts_of_new_rotation_connections: u64,
}

/// Whether the connection `r` cut was the new one of a rotation the client had not finished: an older
/// connection of the same client connection got `serverShutdown` before, and the client reported neither the
/// switch nor a loss since.
fn rotation_in_progress(r: &FaultRecord, who: Who, effects: &[(&FaultRecord, Option<Who>)], obs: &Observer) -> bool {
    effects.iter().any(|(s, w)| {
        *w == Some(who)
            && s.kind == FaultKind::ServerShutdown
            && s.connection < r.connection
            && s.time_ms <= r.time_ms
            && !obs.notes.iter().any(|n| {
                n.who == who && matches!(n.seen, Seen::Lost(_) | Seen::Rotated(_)) && within(n.t, s.time_ms, r.time_ms)
            })
    })
}

/// How long after the fault `r` the client may report the loss it caused, or `None` when it loses nothing.
fn lossy(r: &FaultRecord, injector: &Injector) -> Option<u64> {
    match r.kind {
        FaultKind::Drop => Some(0),
        FaultKind::Lifetime => {
            let a = injector.aimed_at(r.connection, r.time_ms, |f| matches!(f, ConnFault::Lifetime(_)))?;
            let ConnFault::Lifetime(d) = a.fault else { return None };
            Some(d.as_millis() as u64)
        }
        FaultKind::Stall => {
            let a = injector.aimed_at(r.connection, r.time_ms, |f| matches!(f, ConnFault::Stall(_)))?;
            let ConnFault::Stall(d) = a.fault else { return None };
            (d >= LONG_STALL).then_some(STALL_TIMEOUT_MS)
        }
        _ => None,
    }
}

/// Whether the sorted ranges `spans` cover every id of `from..=to`.
pub fn covers(spans: &[(u64, u64)], from: u64, to: u64) -> bool {
    let mut next = from;
    for &(first, last) in spans {
        if first <= next && last >= next {
            next = last + 1;
        }
        if next > to {
            return true;
        }
    }
    false
}

fn within(t: u64, from: u64, to: u64) -> bool {
    from <= t && t <= to
}

pub fn correlate(log: &[FaultRecord], injector: &Injector, obs: &Observer) -> Verdict {
    let mut v = Verdict::default();
    // What the faults did to connections (the injections themselves are the `injected` records).
    let effects: Vec<(&FaultRecord, Option<Who>)> =
        log.iter().filter(|r| !r.injected && r.connection != 0).map(|r| (r, injector.who_of(r.connection))).collect();
    let refusals: Vec<u64> =
        log.iter().filter(|r| !r.injected && r.kind == FaultKind::Refuse).map(|r| r.time_ms).collect();
    for (r, who) in &effects {
        if matches!(r.kind, FaultKind::TooManyMessages) {
            v.unexplained.push(format!(
                "{who:?}: the exchange closed connection {} for too many messages at {}\n{}",
                r.connection,
                r.time_ms,
                who.map(|w| context(w, r.time_ms, &effects, obs)).unwrap_or_default()
            ));
        } else if who.is_none() || matches!(r.kind, FaultKind::SlowConsumer | FaultKind::DropAfterFrames) {
            v.unexplained.push(format!("the exchange cut a connection no fault was aimed at: {r:?}"));
        }
    }
    let notes_of = |who: Who| obs.notes.iter().filter(move |n| n.who == who);

    // Every report is explained by a fault.
    let mut malformed_used = vec![false; effects.len()];
    for n in &obs.notes {
        let explained = match &n.seen {
            Seen::Lost(_) => effects.iter().any(|(r, w)| {
                *w == Some(n.who)
                    && lossy(r, injector).is_some_and(|after| within(n.t, r.time_ms, r.time_ms + after + SLACK_MS))
            }),
            Seen::Retry(_) => refusals.iter().any(|&t| within(t, n.t.saturating_sub(SLACK_MS), n.t + 5)),
            Seen::Back => notes_of(n.who).any(|l| matches!(l.seen, Seen::Lost(_)) && l.t <= n.t),
            Seen::Rotated(_) => effects.iter().any(|(r, w)| {
                *w == Some(n.who)
                    && r.kind == FaultKind::ServerShutdown
                    && within(n.t, r.time_ms, r.time_ms + ROTATE_MS)
            }),
            Seen::Undecodable => {
                v.undecodable_reported += 1;
                let hit = effects.iter().enumerate().position(|(i, (r, w))| {
                    !malformed_used[i]
                        && *w == Some(n.who)
                        && r.kind == FaultKind::Malformed
                        && within(n.t, r.time_ms, r.time_ms + SLACK_MS)
                });
                hit.map(|i| malformed_used[i] = true).is_some()
            }
            // The consumer (this test) fell behind: not a fault, and counted in the figures; a book that lost
            // events this way shows an unexplained gap below.
            Seen::Lagged(_) => true,
            Seen::SnapshotFailed(_) => {
                effects.iter().any(|(r, w)| {
                    *w == Some(Who::BookApi)
                        && matches!(r.kind, FaultKind::Drop | FaultKind::Lifetime | FaultKind::Stall)
                        && within(n.t, r.time_ms, r.time_ms + ROTATE_MS)
                }) || refusals.iter().any(|&t| within(t, n.t.saturating_sub(ROTATE_MS), n.t + 5))
            }
            // The ids the book missed are exactly ones the exchange left out (one update, or two in a row).
            Seen::OutOfSync(symbol, ResyncReason::Gap { last_update_id, first_update_id }) => {
                let mut left_out: Vec<(u64, u64)> = effects
                    .iter()
                    .filter_map(|(r, _)| r.skipped.as_ref())
                    .filter(|s| s.symbol == *symbol)
                    .map(|s| (s.first_update_id, s.last_update_id))
                    .collect();
                left_out.sort();
                covers(&left_out, last_update_id + 1, first_update_id - 1)
            }
            Seen::OutOfSync(_, ResyncReason::Disconnected(_)) => notes_of(n.who)
                .any(|l| matches!(l.seen, Seen::Lost(_)) && within(l.t, n.t.saturating_sub(SLACK_MS), n.t + SLACK_MS)),
            Seen::OutOfSync(..) => false,
            Seen::Missed(MissedCause::Reconnected { .. }) => notes_of(Who::TradeApi)
                .any(|l| matches!(l.seen, Seen::Lost(_)) && within(l.t, n.t.saturating_sub(RESTORE_MS), n.t)),
            Seen::Missed(_) => false,
            Seen::Moved => notes_of(Who::TradeApi)
                .any(|l| matches!(l.seen, Seen::Rotated(_)) && within(l.t, n.t.saturating_sub(RESTORE_MS), n.t)),
            Seen::RestoreFailed(_) => {
                effects.iter().any(|(r, w)| *w == Some(Who::TradeApi) && within(n.t, r.time_ms, r.time_ms + RESTORE_MS))
                    || refusals.iter().any(|&t| within(t, n.t.saturating_sub(RESTORE_MS), n.t + 5))
            }
            Seen::Unexpected(_) => false,
        };
        if !explained {
            v.unexplained.push(format!("{}\n{}", describe(n), context(n.who, n.t, &effects, obs)));
        }
    }

    // Every malformed frame was reported, unless its connection was cut, or retired by a rotation, before the
    // client read it.
    for (i, (r, who)) in effects.iter().enumerate() {
        if r.kind != FaultKind::Malformed || who.is_none() || malformed_used[i] {
            continue;
        }
        let ended = effects.iter().any(|(e, _)| {
            e.connection == r.connection
                && ((e.kind == FaultKind::ServerShutdown && e.time_ms <= r.time_ms + SLACK_MS)
                    || lossy(e, injector)
                        .is_some_and(|after| within(e.time_ms, r.time_ms, r.time_ms + after + SLACK_MS)))
        });
        if ended {
            v.malformed_unread += 1;
        } else {
            v.unreported
                .push(format!("{who:?}: {} on connection {} at {}, never reported", r.what, r.connection, r.time_ms));
        }
    }

    // Every fault that lost data was reported: the client says it lost the connection, or that it switched to
    // the new connection of a rotation (which it does at once, without loss, when the old one ends while the new
    // one is ready). A report up to a second before the cut counts (the client was already leaving it). The
    // new connection of a rotation still being set up carries nothing the client delivers yet, so cutting it
    // loses nothing: the client abandons it and rotates again later.
    for (r, who) in &effects {
        let Some(who) = *who else { continue };
        if let Some(after) = lossy(r, injector) {
            if rotation_in_progress(r, who, &effects, obs) {
                v.cuts_of_new_rotation_connections += 1;
                continue;
            }
            v.lossy += 1;
            let reported = notes_of(who).any(|n| {
                matches!(n.seen, Seen::Lost(_) | Seen::Rotated(_))
                    && within(n.t, r.time_ms.saturating_sub(1_000), r.time_ms + after + SLACK_MS)
            });
            if !reported {
                v.unreported.push(format!("{who:?}: {} on connection {} at {}", r.what, r.connection, r.time_ms));
            }
        }
        if r.kind == FaultKind::Malformed {
            v.malformed_sent += 1;
        }
        if let Some(s) = &r.skipped {
            v.gaps += 1;
            let fate = obs.books.get(&s.symbol).and_then(|b| b.fate(s.first_update_id, s.last_update_id));
            if fate == Some(false) {
                v.gaps_harmless += 1;
            }
            if fate.is_none() {
                v.unreported.push(format!(
                    "{}: update {}..={} left out on connection {} at {}, never reported by the book",
                    s.symbol, s.first_update_id, s.last_update_id, r.connection, r.time_ms
                ));
            }
        }
    }
    // The user data subscription lives on the trading connection: each loss of it says events may be missing.
    for lost in notes_of(Who::TradeApi).filter(|n| matches!(n.seen, Seen::Lost(_))) {
        let said = notes_of(Who::TradeApi).any(|n| matches!(n.seen, Seen::Missed(_)) && n.t >= lost.t);
        if !said {
            v.unreported.push(format!("user data: no Missed after the trading connection was lost at {}", lost.t));
        }
    }
    for (symbol, track) in &obs.books {
        for s in &track.silent {
            v.unreported.push(format!("{symbol}: {s} (a discontinuity without OutOfSync)"));
        }
    }
    v
}

/// What happened on `who` in the ten seconds before `t`: the faults the exchange logged and the client's reports.
fn context(who: Who, t: u64, effects: &[(&FaultRecord, Option<Who>)], obs: &Observer) -> String {
    let from = t.saturating_sub(10_000);
    let mut lines: Vec<(u64, String)> = effects
        .iter()
        .filter(|(r, w)| *w == Some(who) && within(r.time_ms, from, t + 1_000))
        .map(|(r, _)| (r.time_ms, format!("    {} exchange, connection {}: {}", r.time_ms, r.connection, r.what)))
        .collect();
    lines.extend(
        obs.notes
            .iter()
            .filter(|n| n.who == who && within(n.t, from, t + 1_000))
            .map(|n| (n.t, format!("    {} client: {:?}", n.t, n.seen))),
    );
    lines.sort();
    lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>().join("\n")
}

fn describe(n: &Note) -> String {
    format!("{:?} at {}: {:?}", n.who, n.t, n.seen)
}
