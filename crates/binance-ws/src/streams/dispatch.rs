//! A callback API over [`Streams`]: handlers chosen by stream-name patterns such as `*@trade` or `btcusdt@*`.

use futures::future::BoxFuture;

use super::client::Streams;
use super::event::{MarketEvent, Notice, Tagged};

type Handler = Box<dyn FnMut(&str, &MarketEvent) + Send>;
type NoticeHandler = Box<dyn FnMut(&Notice) + Send>;

/// Calls handlers for the events whose stream name matches their pattern (`*` matches any run of
/// characters), and a notice handler for connection notices.
///
/// ```no_run
/// # async fn run(feed: binance_ws::streams::Streams) {
/// use binance_ws::streams::{Dispatcher, MarketEvent};
/// Dispatcher::new()
///     .on("*@trade", |stream, ev| if let MarketEvent::Trade(t) = ev { println!("{stream}: {}", t.price) })
///     .on("btcusdt@*", |stream, _| println!("something on {stream}"))
///     .on_notice(|n| eprintln!("{n:?}"))
///     .run(feed)
///     .await;
/// # }
/// ```
#[derive(Default)]
pub struct Dispatcher {
    handlers: Vec<(String, Handler)>,
    notice: Option<NoticeHandler>,
}

impl Dispatcher {
    /// No handlers yet.
    pub fn new() -> Dispatcher {
        Dispatcher::default()
    }

    /// Adds a handler for streams matching `pattern`.
    pub fn on(mut self, pattern: &str, f: impl FnMut(&str, &MarketEvent) + Send + 'static) -> Dispatcher {
        self.handlers.push((pattern.to_string(), Box::new(f)));
        self
    }

    /// Sets the handler of connection notices.
    pub fn on_notice(mut self, f: impl FnMut(&Notice) + Send + 'static) -> Dispatcher {
        self.notice = Some(Box::new(f));
        self
    }

    /// Calls the matching handlers for one event; returns how many were called.
    pub fn dispatch(&mut self, t: &Tagged) -> usize {
        if let MarketEvent::Notice(n) = &t.event {
            if let Some(f) = self.notice.as_mut() {
                f(n);
                return 1;
            }
            return 0;
        }
        let Some(stream) = t.stream.as_deref() else { return 0 };
        let mut n = 0;
        for (pattern, f) in self.handlers.iter_mut() {
            if glob(pattern, stream) {
                f(stream, &t.event);
                n += 1;
            }
        }
        n
    }

    /// Feeds every event of `feed` to the handlers until it ends.
    pub fn run(mut self, mut feed: Streams) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            while let Some(t) = feed.next_tagged().await {
                self.dispatch(&t);
            }
        })
    }
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn patterns() {
        assert!(glob("*@trade", "btcusdt@trade"));
        assert!(!glob("*@trade", "btcusdt@aggTrade"));
        assert!(glob("btcusdt@*", "btcusdt@depth@100ms"));
        assert!(!glob("btcusdt@*", "ethusdt@trade"));
        assert!(glob("*", "anything"));
        assert!(glob("*depth*", "btcusdt@depth5"));
        assert!(glob("!miniTicker@arr", "!miniTicker@arr"));
    }
}
