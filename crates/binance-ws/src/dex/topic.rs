//! Topics and stream names of the DEX (`dex-docs/ws-streams.md`).

use std::fmt;

/// Kline intervals the docs list: m minutes, h hours, d days, w weeks, M months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KlineInterval {
    /// `1m`.
    M1,
    /// `3m`.
    M3,
    /// `5m`.
    M5,
    /// `15m`.
    M15,
    /// `30m`.
    M30,
    /// `1h`.
    H1,
    /// `2h`.
    H2,
    /// `4h`.
    H4,
    /// `6h`.
    H6,
    /// `8h`.
    H8,
    /// `12h`.
    H12,
    /// `1d`.
    D1,
    /// `3d`.
    D3,
    /// `1w`.
    W1,
    /// `1M` (one month).
    Month1,
}

impl KlineInterval {
    /// All intervals, shortest first.
    pub const ALL: [KlineInterval; 15] = [
        KlineInterval::M1,
        KlineInterval::M3,
        KlineInterval::M5,
        KlineInterval::M15,
        KlineInterval::M30,
        KlineInterval::H1,
        KlineInterval::H2,
        KlineInterval::H4,
        KlineInterval::H6,
        KlineInterval::H8,
        KlineInterval::H12,
        KlineInterval::D1,
        KlineInterval::D3,
        KlineInterval::W1,
        KlineInterval::Month1,
    ];

    /// The wire code (`1m`, ..., `1M`).
    pub fn code(self) -> &'static str {
        match self {
            KlineInterval::M1 => "1m",
            KlineInterval::M3 => "3m",
            KlineInterval::M5 => "5m",
            KlineInterval::M15 => "15m",
            KlineInterval::M30 => "30m",
            KlineInterval::H1 => "1h",
            KlineInterval::H2 => "2h",
            KlineInterval::H4 => "4h",
            KlineInterval::H6 => "6h",
            KlineInterval::H8 => "8h",
            KlineInterval::H12 => "12h",
            KlineInterval::D1 => "1d",
            KlineInterval::D3 => "3d",
            KlineInterval::W1 => "1w",
            KlineInterval::Month1 => "1M",
        }
    }

    /// The interval of a wire code (case-sensitive: `1m` is a minute, `1M` a month).
    pub fn from_code(code: &str) -> Option<KlineInterval> {
        KlineInterval::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// Book depth topics: `marketDepth` is the top 20 levels; 100, 500 and 1000 are the extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepthLevels {
    /// `marketDepth`.
    Top20,
    /// `marketDepth100`.
    Top100,
    /// `marketDepth500`.
    Top500,
    /// `marketDepth1000` (the docs require permessage-deflate for it upstream; see the module docs).
    Top1000,
}

impl DepthLevels {
    /// The number of levels.
    pub fn count(self) -> usize {
        match self {
            DepthLevels::Top20 => 20,
            DepthLevels::Top100 => 100,
            DepthLevels::Top500 => 500,
            DepthLevels::Top1000 => 1000,
        }
    }
}

/// Which kind of subscription a topic takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicKind {
    /// Personal: subscribed with an `address` (stream `/ws/<address>`).
    Address,
    /// Per symbol: subscribed with `symbols` (stream `<symbol>@<topic>`).
    Symbol,
    /// All symbols: subscribed with `symbols: ["$all"]` (stream `$all@<topic>`).
    All,
}

/// A DEX topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// `orders`.
    Orders,
    /// `accounts`.
    Accounts,
    /// `transfers`.
    Transfers,
    /// `trades`.
    Trades,
    /// `marketDiff`.
    MarketDiff,
    /// `marketDepth`, `marketDepth100`, `marketDepth500`, `marketDepth1000`.
    MarketDepth(DepthLevels),
    /// `kline_<interval>`.
    Kline(KlineInterval),
    /// `ticker`.
    Ticker,
    /// `allTickers`.
    AllTickers,
    /// `miniTicker`.
    MiniTicker,
    /// `allMiniTickers`.
    AllMiniTickers,
    /// `blockheight`.
    BlockHeight,
}

impl Topic {
    /// Every topic (each depth variant and kline interval included).
    pub fn all() -> Vec<Topic> {
        let mut v = vec![Topic::Orders, Topic::Accounts, Topic::Transfers, Topic::Trades, Topic::MarketDiff];
        v.extend(
            [DepthLevels::Top20, DepthLevels::Top100, DepthLevels::Top500, DepthLevels::Top1000]
                .map(Topic::MarketDepth),
        );
        v.extend(KlineInterval::ALL.map(Topic::Kline));
        v.extend([Topic::Ticker, Topic::AllTickers, Topic::MiniTicker, Topic::AllMiniTickers, Topic::BlockHeight]);
        v
    }

    /// The topic name as sent in `subscribe` messages and in the `stream` field of frames.
    pub fn name(self) -> String {
        match self {
            Topic::Orders => "orders".into(),
            Topic::Accounts => "accounts".into(),
            Topic::Transfers => "transfers".into(),
            Topic::Trades => "trades".into(),
            Topic::MarketDiff => "marketDiff".into(),
            Topic::MarketDepth(DepthLevels::Top20) => "marketDepth".into(),
            Topic::MarketDepth(l) => format!("marketDepth{}", l.count()),
            Topic::Kline(i) => format!("kline_{}", i.code()),
            Topic::Ticker => "ticker".into(),
            Topic::AllTickers => "allTickers".into(),
            Topic::MiniTicker => "miniTicker".into(),
            Topic::AllMiniTickers => "allMiniTickers".into(),
            Topic::BlockHeight => "blockheight".into(),
        }
    }

    /// The topic of a name.
    pub fn from_name(name: &str) -> Option<Topic> {
        if let Some(code) = name.strip_prefix("kline_") {
            return KlineInterval::from_code(code).map(Topic::Kline);
        }
        Topic::all().into_iter().find(|t| t.name() == name)
    }

    /// How the topic is subscribed.
    pub fn kind(self) -> TopicKind {
        match self {
            Topic::Orders | Topic::Accounts | Topic::Transfers => TopicKind::Address,
            Topic::AllTickers | Topic::AllMiniTickers | Topic::BlockHeight => TopicKind::All,
            _ => TopicKind::Symbol,
        }
    }

    /// The stream name for a URL: `<symbol>@<topic>` for symbol topics, `$all@<topic>` for all-symbol topics
    /// (the argument is ignored), and the address itself for personal topics (one stream carries all three).
    pub fn stream(self, symbol_or_address: &str) -> String {
        match self.kind() {
            TopicKind::Address => symbol_or_address.to_string(),
            TopicKind::All => format!("$all@{}", self.name()),
            TopicKind::Symbol => format!("{symbol_or_address}@{}", self.name()),
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_streams_follow_the_docs() {
        for t in Topic::all() {
            assert_eq!(Topic::from_name(&t.name()), Some(t), "{t}");
        }
        assert_eq!(Topic::all().len(), 5 + 4 + 15 + 5);
        assert_eq!(Topic::Trades.stream("BNB_BTCB-1DE"), "BNB_BTCB-1DE@trades");
        assert_eq!(Topic::AllTickers.stream(""), "$all@allTickers");
        assert_eq!(Topic::Kline(KlineInterval::Month1).stream("X_Y"), "X_Y@kline_1M");
        assert_eq!(Topic::MarketDepth(DepthLevels::Top500).name(), "marketDepth500");
        assert!(Topic::from_name("kline_2m").is_none());
    }
}
