//! Seeded, repeatable fault schedules ("chaos"): at random intervals around a mean, one fault picked from
//! the enabled kinds is applied to the live connections. Used by `bws sim --faults` and by fault-storm tests.
//!
//! Every fault applied is logged by kind ([`Faults::counts`]), so that a test can set what its client saw
//! against what was done.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::faults::{ConnFault, FaultKind, Faults};
use crate::server::SimShared;

/// One kind of fault a schedule may pick.
#[derive(Debug, Clone, PartialEq)]
pub enum ChaosKind {
    /// Drop every live connection.
    Drop,
    /// Stall every live connection for this long.
    Stall(Duration),
    /// Send one malformed frame.
    Malformed,
    /// Announce `serverShutdown`.
    ServerShutdown,
    /// Leave out one depth update on every stream connection (a sequence gap).
    Gap,
    /// Refuse new connections for this long.
    Refuse(Duration),
    /// Delay API replies by this much, until the next fault.
    Delay(Duration),
    /// Close every live connection this long from now, as at the end of its lifetime.
    Lifetime(Duration),
}

impl ChaosKind {
    /// The kind its injection is counted under in [`Faults::counts`].
    pub fn kind(&self) -> FaultKind {
        match self {
            ChaosKind::Drop => FaultKind::Drop,
            ChaosKind::Stall(_) => FaultKind::Stall,
            ChaosKind::Malformed => FaultKind::Malformed,
            ChaosKind::ServerShutdown => FaultKind::ServerShutdown,
            ChaosKind::Gap => FaultKind::Gap,
            ChaosKind::Refuse(_) => FaultKind::Refuse,
            ChaosKind::Delay(_) => FaultKind::Delay,
            ChaosKind::Lifetime(_) => FaultKind::Lifetime,
        }
    }
}

/// A fault schedule: `every=200ms,seed=7,kinds=drop+stall:2s+malformed+shutdown+gap+refuse:500ms+delay:50ms+lifetime:1s`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// Mean time between faults (intervals are uniform in [mean/2, 3*mean/2]).
    pub every: Duration,
    /// Seed of the schedule.
    pub seed: u64,
    /// Kinds to pick from, uniformly.
    pub kinds: Vec<ChaosKind>,
    /// Stop after this many faults (None: never).
    pub limit: Option<u64>,
}

fn duration(text: &str) -> Result<Duration, String> {
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = num.parse().map_err(|_| format!("bad duration `{text}`"))?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        _ => return Err(format!("bad duration unit in `{text}` (use ms, s or m)")),
    })
}

impl FromStr for ChaosKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (name, arg) = s.split_once(':').unwrap_or((s, ""));
        let arg_or = |d: u64| if arg.is_empty() { Ok(Duration::from_millis(d)) } else { duration(arg) };
        Ok(match name {
            "drop" => ChaosKind::Drop,
            "stall" => ChaosKind::Stall(arg_or(2000)?),
            "malformed" => ChaosKind::Malformed,
            "shutdown" => ChaosKind::ServerShutdown,
            "gap" => ChaosKind::Gap,
            "refuse" => ChaosKind::Refuse(arg_or(500)?),
            "delay" => ChaosKind::Delay(arg_or(50)?),
            "lifetime" => ChaosKind::Lifetime(arg_or(1000)?),
            other => {
                return Err(format!(
                    "unknown fault `{other}` (drop, stall[:D], malformed, shutdown, gap, refuse[:D], delay[:D], \
                     lifetime[:D])"
                ))
            }
        })
    }
}

impl FromStr for Chaos {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut chaos = Chaos { every: Duration::from_secs(1), seed: 42, kinds: vec![], limit: None };
        for part in s.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("`{part}` is not key=value"))?;
            match k {
                "every" => chaos.every = duration(v)?,
                "seed" => chaos.seed = v.parse().map_err(|_| format!("bad seed `{v}`"))?,
                "limit" => chaos.limit = Some(v.parse().map_err(|_| format!("bad limit `{v}`"))?),
                "kinds" => chaos.kinds = v.split('+').map(str::parse).collect::<Result<_, _>>()?,
                other => return Err(format!("unknown key `{other}` (every, seed, limit, kinds)")),
            }
        }
        if chaos.kinds.is_empty() {
            return Err("no fault kinds: add kinds=drop+stall+...".into());
        }
        Ok(chaos)
    }
}

impl Chaos {
    /// The schedule's first `n` (delay, kind) pairs: the same for the same seed.
    pub fn plan(&self, n: usize) -> Vec<(Duration, ChaosKind)> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        (0..n).map(|_| self.next(&mut rng)).collect()
    }

    fn next(&self, rng: &mut StdRng) -> (Duration, ChaosKind) {
        let mean = self.every.as_micros() as u64;
        let wait = Duration::from_micros(rng.random_range(mean / 2..=mean + mean / 2));
        (wait, self.kinds[rng.random_range(0..self.kinds.len())].clone())
    }

    /// Applies the schedule to an exchange's connections until its limit, in a background task;
    /// the task returns how many faults it applied.
    pub fn spawn(self, sim: Arc<SimShared>) -> tokio::task::JoinHandle<u64> {
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(self.seed);
            let mut applied = 0u64;
            while self.limit.is_none_or(|l| applied < l) {
                let (wait, kind) = self.next(&mut rng);
                tokio::time::sleep(wait).await;
                let f: &Faults = &sim.faults;
                // A reply delay lasts until the next fault.
                if f.reply_delay().is_some() {
                    f.delay_replies(Duration::ZERO);
                }
                match kind {
                    ChaosKind::Drop => sim.inject(ConnFault::Drop),
                    ChaosKind::Stall(d) => sim.inject(ConnFault::Stall(d)),
                    ChaosKind::Malformed => sim.inject(ConnFault::Malformed),
                    ChaosKind::ServerShutdown => sim.inject(ConnFault::ServerShutdown),
                    ChaosKind::Gap => sim.inject(ConnFault::SkipDepthUpdate),
                    ChaosKind::Refuse(d) => f.refuse_connections(d),
                    ChaosKind::Delay(d) => f.delay_replies(d),
                    ChaosKind::Lifetime(d) => sim.inject(ConnFault::Lifetime(d)),
                }
                applied += 1;
            }
            applied
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_schedule_and_plans_the_same_faults_for_the_same_seed() {
        let c: Chaos = "every=200ms,seed=7,limit=10,kinds=drop+stall:2s+malformed+shutdown+refuse:500ms+delay+gap"
            .parse()
            .unwrap();
        assert_eq!(c.every, Duration::from_millis(200));
        assert_eq!(c.kinds.len(), 7);
        assert_eq!(c.kinds[1], ChaosKind::Stall(Duration::from_secs(2)));
        assert_eq!(c.kinds[5], ChaosKind::Delay(Duration::from_millis(50)));
        let a = c.plan(50);
        assert_eq!(a, c.plan(50));
        assert!(a.iter().all(|(d, _)| *d >= Duration::from_millis(100) && *d <= Duration::from_millis(300)));
        assert!(a.iter().any(|(_, k)| *k == ChaosKind::Drop) && a.iter().any(|(_, k)| *k == ChaosKind::Malformed));
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        assert!("kinds=explode".parse::<Chaos>().unwrap_err().contains("unknown fault `explode`"));
        assert!("every=5h,kinds=drop".parse::<Chaos>().unwrap_err().contains("unit"));
        assert!("every=1s".parse::<Chaos>().unwrap_err().contains("no fault kinds"));
    }
}
