//! `--count` and `--duration`: when a command that follows events stops (Ctrl-C always stops it too).

use std::time::Duration;

use clap::Args;
use tokio::time::Instant;

/// Stop conditions shared by the commands that follow events.
#[derive(Args, Debug, Clone, Default)]
pub struct Limits {
    /// Stop after this many events (connection notices not counted).
    #[arg(short = 'n', long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long, e.g. `30s`, `500ms`, `2m`.
    #[arg(short = 'd', long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<Duration>,
}

/// Parses `30s`, `500ms`, `2m`, `1h 30m` (humantime's syntax).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (examples: 30s, 500ms, 2m)"))
}

impl Limits {
    /// When the command must stop, if `--duration` was given.
    pub fn deadline(&self) -> Option<Instant> {
        self.duration.map(|d| Instant::now() + d)
    }

    /// True once `seen` events reach `--count`.
    pub fn reached(&self, seen: u64) -> bool {
        self.count.is_some_and(|n| seen >= n)
    }
}

/// Waits until `deadline`, or forever without one (for `tokio::select!`).
pub async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_counts_stop() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("soon").is_err());
        let limits = Limits { count: Some(3), duration: None };
        assert!(!limits.reached(2));
        assert!(limits.reached(3));
        assert!(!Limits::default().reached(u64::MAX));
    }
}
