//! One DEX connection: the URL's streams, `subscribe`/`unsubscribe`/`keepAlive`/`close` messages, pings,
//! the keepAlive window, and the messages of subscribed topics.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::broadcast;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_websockets::{CloseCode, Message, WebSocketStream};

use super::chain::{Chain, DexFeed, INTERVALS};
use super::DexHub;

/// A topic of `ws-streams.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Topic {
    Orders,
    Accounts,
    Transfers,
    Trades,
    MarketDiff,
    /// Levels: 20 (`marketDepth`), 100, 500, 1000.
    MarketDepth(u16),
    /// Index into [`INTERVALS`].
    Kline(usize),
    Ticker,
    AllTickers,
    MiniTicker,
    AllMiniTickers,
    BlockHeight,
}

#[derive(PartialEq)]
enum Kind {
    Personal,
    Symbol,
    All,
}

const PERSONAL: [Topic; 3] = [Topic::Orders, Topic::Accounts, Topic::Transfers];

impl Topic {
    fn parse(s: &str) -> Option<Topic> {
        let fixed = [
            ("orders", Topic::Orders),
            ("accounts", Topic::Accounts),
            ("transfers", Topic::Transfers),
            ("trades", Topic::Trades),
            ("marketDiff", Topic::MarketDiff),
            ("marketDepth", Topic::MarketDepth(20)),
            ("marketDepth100", Topic::MarketDepth(100)),
            ("marketDepth500", Topic::MarketDepth(500)),
            ("marketDepth1000", Topic::MarketDepth(1000)),
            ("ticker", Topic::Ticker),
            ("allTickers", Topic::AllTickers),
            ("miniTicker", Topic::MiniTicker),
            ("allMiniTickers", Topic::AllMiniTickers),
            ("blockheight", Topic::BlockHeight),
        ];
        if let Some((_, t)) = fixed.iter().find(|(n, _)| *n == s) {
            return Some(*t);
        }
        // Interval codes are case-sensitive (`1m` minute, `1M` month).
        if let Some(i) = s.strip_prefix("kline_") {
            return INTERVALS.iter().position(|x| *x == i).map(Topic::Kline);
        }
        fixed.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)).map(|(_, t)| *t)
    }

    fn name(self) -> String {
        match self {
            Topic::Orders => "orders".into(),
            Topic::Accounts => "accounts".into(),
            Topic::Transfers => "transfers".into(),
            Topic::Trades => "trades".into(),
            Topic::MarketDiff => "marketDiff".into(),
            Topic::MarketDepth(20) => "marketDepth".into(),
            Topic::MarketDepth(n) => format!("marketDepth{n}"),
            Topic::Kline(i) => format!("kline_{}", INTERVALS[i]),
            Topic::Ticker => "ticker".into(),
            Topic::AllTickers => "allTickers".into(),
            Topic::MiniTicker => "miniTicker".into(),
            Topic::AllMiniTickers => "allMiniTickers".into(),
            Topic::BlockHeight => "blockheight".into(),
        }
    }

    fn kind(self) -> Kind {
        match self {
            Topic::Orders | Topic::Accounts | Topic::Transfers => Kind::Personal,
            Topic::AllTickers | Topic::AllMiniTickers | Topic::BlockHeight => Kind::All,
            _ => Kind::Symbol,
        }
    }
}

fn is_address(s: &str) -> bool {
    (s.starts_with("bnb1") || s.starts_with("tbnb1"))
        && (20..=90).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[derive(Default)]
struct Session {
    address: Option<String>,
    personal: BTreeSet<Topic>,
    symbols: BTreeMap<Topic, BTreeSet<String>>,
    all: BTreeSet<Topic>,
}

/// What a client message asked for.
enum Action {
    None,
    KeepAlive,
    Close,
}

impl Session {
    fn is_empty(&self) -> bool {
        self.personal.is_empty() && self.symbols.is_empty() && self.all.is_empty()
    }

    /// Stream names, for the hub's registry.
    fn streams(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.address {
            out.extend(self.personal.iter().map(|t| format!("{a}@{}", t.name())));
        }
        for (t, syms) in &self.symbols {
            out.extend(syms.iter().map(|s| format!("{s}@{}", t.name())));
        }
        out.extend(self.all.iter().map(|t| format!("$all@{}", t.name())));
        out
    }

    fn set_address(&mut self, address: &str) {
        if self.address.as_deref() != Some(address) {
            // One address per connection: a new one replaces the previous one's subscriptions.
            self.personal.clear();
            self.address = Some(address.to_string());
        }
    }

    /// Adds one stream given by name in a URL.
    fn add_stream(&mut self, name: &str, chain: &Chain) -> Result<(), String> {
        let Some((target, topic_name)) = name.split_once('@') else {
            if is_address(name) {
                self.set_address(name);
                self.personal.extend(PERSONAL);
                return Ok(());
            }
            return Err(format!(
                "invalid stream name {name:?}: expected an address (bnb1...), <symbol>@<topic> or $all@<topic>"
            ));
        };
        let topic =
            Topic::parse(topic_name).ok_or_else(|| format!("unknown topic {topic_name:?} in stream {name:?}"))?;
        match topic.kind() {
            Kind::Personal => Err(format!(
                "topic {topic_name:?} is personal: connect to /ws/<address> or subscribe with an \"address\""
            )),
            Kind::All => {
                if target != "$all" {
                    return Err(format!("topic {topic_name:?} is for all symbols: use $all@{topic_name}"));
                }
                self.all.insert(topic);
                Ok(())
            }
            Kind::Symbol => {
                let symbol = chain.find_symbol(target).ok_or_else(|| format!("unknown symbol {target:?}"))?;
                self.symbols.entry(topic).or_default().insert(symbol);
                Ok(())
            }
        }
    }

    /// Handles one text message. Errors are answered to the client with the returned text.
    fn on_text(&mut self, text: &str, chain: &Chain) -> Result<Action, String> {
        let msg: Value = serde_json::from_str(text).map_err(|e| format!("malformed message: not valid JSON ({e})"))?;
        let Some(obj) = msg.as_object() else {
            return Err("malformed message: expected a JSON object with a \"method\"".into());
        };
        let method = match obj.get("method") {
            Some(Value::String(m)) => m.as_str(),
            Some(_) => return Err("malformed message: \"method\" must be a string".into()),
            None => return Err("malformed message: missing \"method\"".into()),
        };
        match method {
            "keepAlive" => Ok(Action::KeepAlive),
            "close" => Ok(Action::Close),
            "subscribe" | "unsubscribe" => {
                let topic_name = match obj.get("topic") {
                    Some(Value::String(t)) => t.as_str(),
                    Some(_) => return Err(format!("{method}: \"topic\" must be a string")),
                    None => return Err(format!("{method}: missing \"topic\"")),
                };
                let topic =
                    Topic::parse(topic_name).ok_or_else(|| format!("{method}: unknown topic {topic_name:?}"))?;
                let symbols = match obj.get("symbols") {
                    None | Some(Value::Null) => None,
                    Some(Value::Array(list)) => {
                        let mut out = Vec::new();
                        for s in list {
                            let s = s.as_str().ok_or_else(|| format!("{method}: \"symbols\" must be strings"))?;
                            out.push(s.to_string());
                        }
                        Some(out)
                    }
                    Some(_) => return Err(format!("{method}: \"symbols\" must be an array of strings")),
                };
                if method == "subscribe" {
                    self.subscribe(topic, obj.get("address"), symbols, chain)
                } else {
                    self.unsubscribe(topic, symbols, chain)
                }
                .map(|_| Action::None)
            }
            other => Err(format!("unknown method {other:?}: expected subscribe, unsubscribe, keepAlive or close")),
        }
    }

    fn subscribe(
        &mut self,
        topic: Topic,
        address: Option<&Value>,
        symbols: Option<Vec<String>>,
        chain: &Chain,
    ) -> Result<(), String> {
        let name = topic.name();
        match topic.kind() {
            Kind::Personal => {
                let address = match address {
                    Some(Value::String(a)) => a.as_str(),
                    Some(_) => return Err(format!("subscribe {name}: \"address\" must be a string")),
                    None => return Err(format!("subscribe {name}: missing \"address\" (personal topic)")),
                };
                if !is_address(address) {
                    return Err(format!("subscribe {name}: invalid address {address:?}"));
                }
                self.set_address(address);
                self.personal.insert(topic);
            }
            Kind::All => {
                if let Some(list) = &symbols {
                    if let Some(bad) = list.iter().find(|s| *s != "$all") {
                        return Err(format!("subscribe {name}: symbols must be [\"$all\"], got {bad:?}"));
                    }
                }
                self.all.insert(topic);
            }
            Kind::Symbol => {
                let list = symbols.unwrap_or_default();
                if list.is_empty() {
                    return Err(format!("subscribe {name}: missing \"symbols\""));
                }
                let mut found = Vec::new();
                for s in &list {
                    found.push(chain.find_symbol(s).ok_or_else(|| format!("subscribe {name}: unknown symbol {s:?}"))?);
                }
                self.symbols.entry(topic).or_default().extend(found);
            }
        }
        Ok(())
    }

    fn unsubscribe(&mut self, topic: Topic, symbols: Option<Vec<String>>, chain: &Chain) -> Result<(), String> {
        match topic.kind() {
            Kind::Personal => {
                self.personal.remove(&topic);
            }
            Kind::All => {
                self.all.remove(&topic);
            }
            Kind::Symbol => match symbols {
                None => {
                    self.symbols.remove(&topic);
                }
                Some(list) => {
                    let name = topic.name();
                    let mut found = Vec::new();
                    for s in &list {
                        found.push(
                            chain.find_symbol(s).ok_or_else(|| format!("unsubscribe {name}: unknown symbol {s:?}"))?,
                        );
                    }
                    if let Some(set) = self.symbols.get_mut(&topic) {
                        for s in found {
                            set.remove(&s);
                        }
                        if set.is_empty() {
                            self.symbols.remove(&topic);
                        }
                    }
                }
            },
        }
        Ok(())
    }

    /// The frames one published event turns into for this connection.
    fn frames_for(&self, feed: &DexFeed, chain: &Chain) -> Vec<String> {
        let mine = |a: &str, t: Topic| self.address.as_deref() == Some(a) && self.personal.contains(&t);
        let has = |t: Topic, s: &str| self.symbols.get(&t).is_some_and(|set| set.contains(s));
        match feed {
            DexFeed::Orders { address, data } if mine(address, Topic::Orders) => vec![frame("orders", data)],
            DexFeed::Account { address, data } if mine(address, Topic::Accounts) => {
                vec![frame("accounts", &json!([data]))]
            }
            DexFeed::Transfer { parties, data } if parties.iter().any(|p| mine(p, Topic::Transfers)) => {
                vec![frame("transfers", data)]
            }
            DexFeed::Trades { symbol, data } if has(Topic::Trades, symbol) => vec![frame("trades", data)],
            DexFeed::Diff { symbol, data } if has(Topic::MarketDiff, symbol) => vec![frame("marketDiff", data)],
            DexFeed::DepthChanged { symbol } => self
                .symbols
                .iter()
                .filter_map(|(t, set)| match t {
                    Topic::MarketDepth(n) if set.contains(symbol) => {
                        Some(frame(&t.name(), &chain.depth(symbol, *n as usize)))
                    }
                    _ => None,
                })
                .collect(),
            DexFeed::Block { height } if self.all.contains(&Topic::BlockHeight) => {
                vec![frame("blockheight", &json!({ "h": height }))]
            }
            _ => Vec::new(),
        }
    }

    /// The time-driven frames: klines and tickers.
    fn periodic(&self, chain: &Chain, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        for (t, set) in &self.symbols {
            for s in set {
                let data = match t {
                    Topic::Kline(i) => chain.kline(s, INTERVALS[*i], now_ms),
                    Topic::Ticker => chain.ticker(s, now_ms),
                    Topic::MiniTicker => chain.mini_ticker(s, now_ms),
                    _ => None,
                };
                if let Some(d) = data {
                    out.push(frame(&t.name(), &d));
                }
            }
        }
        for t in &self.all {
            let list: Vec<Value> = match t {
                Topic::AllTickers => chain.symbols().iter().filter_map(|s| chain.ticker(s, now_ms)).collect(),
                Topic::AllMiniTickers => chain.symbols().iter().filter_map(|s| chain.mini_ticker(s, now_ms)).collect(),
                _ => continue,
            };
            out.push(frame(&t.name(), &Value::Array(list)));
        }
        out
    }
}

fn frame(stream: &str, data: &Value) -> String {
    json!({ "stream": stream, "data": data }).to_string()
}

fn error_frame(msg: &str) -> String {
    json!({ "error": msg }).to_string()
}

fn now_ms() -> u64 {
    super::chain::now_ns() / 1_000_000
}

async fn close<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocketStream<S>, code: CloseCode, reason: &str) {
    let mut cut = reason.len().min(120);
    while !reason.is_char_boundary(cut) {
        cut -= 1;
    }
    let _ = ws.send(Message::close(Some(code), &reason[..cut])).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async { while let Some(Ok(_)) = ws.next().await {} }).await;
}

/// Removes the connection from the hub's registry when it ends.
struct Registration<'a> {
    hub: &'a DexHub,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.hub.inner.subscriptions.lock().remove(&self.id);
    }
}

/// Parses the path (after the HTTP upgrade) into the initial streams: `/api/ws`, `/api/ws/<stream>`,
/// `/api/stream?streams=<a>/<b>`.
fn initial_streams(path_and_query: &str) -> Result<Vec<String>, String> {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let rest = path.strip_prefix("/api").ok_or_else(|| format!("unknown path {path:?}"))?;
    let decode = |s: &str| s.replace("%24", "$").replace("%40", "@").replace("%2F", "/").replace("%2f", "/");
    match rest {
        "/ws" | "/ws/" => Ok(Vec::new()),
        "/stream" | "/stream/" => {
            let streams = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("streams="))
                .ok_or_else(|| "missing streams=<stream>/<stream> in /api/stream".to_string())?;
            let list: Vec<String> = decode(streams).split('/').filter(|s| !s.is_empty()).map(String::from).collect();
            if list.is_empty() {
                return Err("empty streams= in /api/stream".into());
            }
            Ok(list)
        }
        r => match r.strip_prefix("/ws/") {
            Some(name) if !name.contains('/') => Ok(vec![decode(name)]),
            _ => Err(format!("unknown path {path:?}: expected /api/ws, /api/ws/<stream> or /api/stream?streams=...")),
        },
    }
}

/// Serves one DEX connection after the HTTP upgrade, until it closes.
///
/// * The URL's streams are subscribed first; an invalid URL is answered with `{"error": ...}` and closed (1008).
/// * Messages: `subscribe`, `unsubscribe`, `keepAlive`, `close` as `ws-connection.md` describes; anything else
///   gets `{"error": "<what is wrong>"}` and the connection stays open.
/// * Closed (1000) when no `keepAlive` arrived within the keepAlive window, or when it had no subscriptions
///   for that long.
/// * Pings every `ping_interval`; closed (1001) when no pong came within `pong_timeout`.
pub async fn serve_dex_connection<S: AsyncRead + AsyncWrite + Unpin + Send>(
    mut ws: WebSocketStream<S>,
    path_and_query: &str,
    hub: DexHub,
) {
    let mut rx = hub.inner.tx.subscribe();
    let mut kick = hub.inner.kick.subscribe();
    let id = hub.inner.conn_ids.fetch_add(1, Ordering::Relaxed);
    let mut session = Session::default();
    let setup = initial_streams(path_and_query).and_then(|names| {
        let chain = hub.inner.chain.lock();
        names.iter().try_for_each(|n| session.add_stream(n, &chain))
    });
    if let Err(e) = setup {
        let _ = ws.send(Message::text(error_frame(&e))).await;
        close(&mut ws, CloseCode::POLICY_VIOLATION, &e).await;
        return;
    }
    hub.inner.subscriptions.lock().insert(id, session.streams());
    let _registration = Registration { hub: &hub, id };

    let started = Instant::now();
    let mut last_keepalive = started;
    let mut empty_since = session.is_empty().then_some(started);
    let mut last_periodic = started;
    let mut last_ping = started;
    let mut awaiting_pong: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);

    loop {
        tokio::select! {
            msg = ws.next() => {
                let Some(Ok(msg)) = msg else { return };
                if msg.is_close() {
                    let _ = ws.flush().await;
                    return;
                }
                if msg.is_ping() {
                    if ws.flush().await.is_err() {
                        return;
                    }
                    continue;
                }
                if msg.is_pong() {
                    awaiting_pong = None;
                    continue;
                }
                let result = match msg.as_text() {
                    Some(text) => {
                        let chain = hub.inner.chain.lock();
                        session.on_text(text, &chain)
                    }
                    None => Err("binary frames are not supported: send JSON text messages".into()),
                };
                match result {
                    Ok(Action::None) => {}
                    Ok(Action::KeepAlive) => {
                        last_keepalive = Instant::now();
                        hub.inner.keepalives.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Action::Close) => {
                        close(&mut ws, CloseCode::NORMAL_CLOSURE, "closed on request").await;
                        return;
                    }
                    Err(e) => {
                        if ws.send(Message::text(error_frame(&e))).await.is_err() {
                            return;
                        }
                    }
                }
                hub.inner.subscriptions.lock().insert(id, session.streams());
                empty_since = match (session.is_empty(), empty_since) {
                    (true, None) => Some(Instant::now()),
                    (true, since) => since,
                    (false, _) => None,
                };
            }
            ev = rx.recv() => match ev {
                Ok(feed) => {
                    let frames = {
                        let chain = hub.inner.chain.lock();
                        session.frames_for(&feed, &chain)
                    };
                    if send_all(&mut ws, frames).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    close(&mut ws, CloseCode::SERVICE_OVERLOAD, &format!("client too slow: {n} events dropped")).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => {
                    close(&mut ws, CloseCode::GOING_AWAY, "server stopped").await;
                    return;
                }
            },
            changed = kick.changed() => {
                if changed.is_ok() {
                    close(&mut ws, CloseCode::GOING_AWAY, "server restarting").await;
                }
                return;
            }
            _ = tick.tick() => {
                let t = hub.timings();
                let now = Instant::now();
                if now.duration_since(last_keepalive) >= t.keepalive_window {
                    let reason = format!("no keepAlive received within {:?}", t.keepalive_window);
                    close(&mut ws, CloseCode::NORMAL_CLOSURE, &reason).await;
                    return;
                }
                if empty_since.is_some_and(|s| now.duration_since(s) >= t.keepalive_window) {
                    let reason = format!("no subscriptions for {:?}", t.keepalive_window);
                    close(&mut ws, CloseCode::NORMAL_CLOSURE, &reason).await;
                    return;
                }
                if awaiting_pong.is_some_and(|s| now.duration_since(s) >= t.pong_timeout) {
                    close(&mut ws, CloseCode::GOING_AWAY, "no pong received").await;
                    return;
                }
                if now.duration_since(last_ping) >= t.ping_interval {
                    last_ping = now;
                    awaiting_pong.get_or_insert(now);
                    if ws.send(Message::ping("dex")).await.is_err() {
                        return;
                    }
                }
                if now.duration_since(last_periodic) >= t.ticker_interval {
                    last_periodic = now;
                    let frames = {
                        let chain = hub.inner.chain.lock();
                        session.periodic(&chain, now_ms())
                    };
                    if send_all(&mut ws, frames).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

async fn send_all<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    frames: Vec<String>,
) -> Result<(), tokio_websockets::Error> {
    if frames.is_empty() {
        return Ok(());
    }
    for f in frames {
        ws.feed(Message::text(f)).await?;
    }
    ws.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_streams() {
        assert_eq!(initial_streams("/api/ws").unwrap(), Vec::<String>::new());
        assert_eq!(initial_streams("/api/ws/$all@blockheight").unwrap(), vec!["$all@blockheight"]);
        assert_eq!(initial_streams("/api/ws/%24all@allTickers").unwrap(), vec!["$all@allTickers"]);
        assert_eq!(
            initial_streams("/api/stream?streams=bnb_btcb-1de@trades/bnb_btcb-1de@marketDepth").unwrap(),
            vec!["bnb_btcb-1de@trades", "bnb_btcb-1de@marketDepth"]
        );
        assert!(initial_streams("/api/nope").is_err());
        assert!(initial_streams("/api/stream").is_err());
    }

    #[test]
    fn topics_round_trip() {
        for name in
            ["orders", "marketDepth", "marketDepth1000", "kline_1M", "kline_1m", "allMiniTickers", "blockheight"]
        {
            assert_eq!(Topic::parse(name).unwrap().name(), name);
        }
        assert!(Topic::parse("kline_2m").is_none());
    }
}
