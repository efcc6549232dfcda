//! Kline intervals, their calendar alignment (UTC or a fixed offset), and bounded kline series.

use std::collections::VecDeque;

use rust_decimal::Decimal;

const SEC: i64 = 1_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// The kline intervals Binance lists (case-sensitive names: `1s`, `1m`, ..., `1M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interval {
    S1,
    M1,
    M3,
    M5,
    M15,
    M30,
    H1,
    H2,
    H4,
    H6,
    H8,
    H12,
    D1,
    D3,
    W1,
    Mo1,
}

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: [Interval; 16] = [
        Interval::S1,
        Interval::M1,
        Interval::M3,
        Interval::M5,
        Interval::M15,
        Interval::M30,
        Interval::H1,
        Interval::H2,
        Interval::H4,
        Interval::H6,
        Interval::H8,
        Interval::H12,
        Interval::D1,
        Interval::D3,
        Interval::W1,
        Interval::Mo1,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::S1 => "1s",
            Interval::M1 => "1m",
            Interval::M3 => "3m",
            Interval::M5 => "5m",
            Interval::M15 => "15m",
            Interval::M30 => "30m",
            Interval::H1 => "1h",
            Interval::H2 => "2h",
            Interval::H4 => "4h",
            Interval::H6 => "6h",
            Interval::H8 => "8h",
            Interval::H12 => "12h",
            Interval::D1 => "1d",
            Interval::D3 => "3d",
            Interval::W1 => "1w",
            Interval::Mo1 => "1M",
        }
    }

    /// Parses a wire name (case-sensitive: `1m` is a minute, `1M` a month).
    pub fn parse(s: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// Length in ms for the fixed-length intervals; `None` for `1M`.
    pub fn fixed_ms(self) -> Option<i64> {
        Some(match self {
            Interval::S1 => SEC,
            Interval::M1 => MIN,
            Interval::M3 => 3 * MIN,
            Interval::M5 => 5 * MIN,
            Interval::M15 => 15 * MIN,
            Interval::M30 => 30 * MIN,
            Interval::H1 => HOUR,
            Interval::H2 => 2 * HOUR,
            Interval::H4 => 4 * HOUR,
            Interval::H6 => 6 * HOUR,
            Interval::H8 => 8 * HOUR,
            Interval::H12 => 12 * HOUR,
            Interval::D1 => DAY,
            Interval::D3 => 3 * DAY,
            Interval::W1 => 7 * DAY,
            Interval::Mo1 => return None,
        })
    }

    /// Open time (UTC epoch ms) of the kline containing `t`, with intervals aligned in local time `UTC+offset_ms`.
    /// Weeks start on Monday; 3-day klines are aligned to the epoch; months are calendar months.
    pub fn open_time(self, t: u64, offset_ms: i64) -> u64 {
        let local = t as i64 + offset_ms;
        let start_local = match self {
            Interval::W1 => (local - 4 * DAY).div_euclid(7 * DAY) * 7 * DAY + 4 * DAY,
            Interval::Mo1 => {
                let (y, m, _) = civil_from_days(local.div_euclid(DAY));
                days_from_civil(y, m, 1) * DAY
            }
            _ => {
                let len = self.fixed_ms().unwrap_or(DAY);
                local.div_euclid(len) * len
            }
        };
        (start_local - offset_ms).max(0) as u64
    }

    /// Close time (UTC epoch ms, inclusive: next open - 1) of the kline opening at `open`.
    pub fn close_time(self, open: u64, offset_ms: i64) -> u64 {
        match self.fixed_ms() {
            Some(len) => open + len as u64 - 1,
            None => {
                let local = open as i64 + offset_ms;
                let (y, m, _) = civil_from_days(local.div_euclid(DAY));
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                (days_from_civil(ny, nm, 1) * DAY - offset_ms - 1) as u64
            }
        }
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Date for days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a kline/ticker `timeZone` parameter (`0`, `8`, `-1:00`, `05:45`, `+08:00`) into an offset in ms.
/// Accepted range is [-12:00, +14:00] inclusive.
pub fn parse_time_zone(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None => (rest, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    if !h.bytes().all(|c| c.is_ascii_digit()) || !m.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i64 = h.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    if m >= 60 {
        return None;
    }
    let minutes = if neg { -(h * 60 + m) } else { h * 60 + m };
    if !(-12 * 60..=14 * 60).contains(&minutes) {
        return None;
    }
    Some(minutes * MIN)
}

/// One kline (candlestick) bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Kline {
    pub open_time: u64,
    pub close_time: u64,
    pub first_trade_id: u64,
    pub last_trade_id: u64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    /// Base asset volume.
    pub volume: Decimal,
    /// Quote asset volume.
    pub quote_volume: Decimal,
    pub trades: u64,
    /// Base volume of trades where the buyer was the taker.
    pub taker_buy_base: Decimal,
    /// Quote volume of trades where the buyer was the taker.
    pub taker_buy_quote: Decimal,
}

impl Kline {
    fn new(open_time: u64, close_time: u64, id: u64, price: Decimal) -> Kline {
        Kline {
            open_time,
            close_time,
            first_trade_id: id,
            last_trade_id: id,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            trades: 0,
            taker_buy_base: Decimal::ZERO,
            taker_buy_quote: Decimal::ZERO,
        }
    }

    /// Adds one trade (`buyer_is_maker == false` means the buyer was the taker).
    pub fn add(&mut self, id: u64, price: Decimal, qty: Decimal, quote: Decimal, buyer_is_maker: bool) {
        if self.trades == 0 {
            *self = Kline::new(self.open_time, self.close_time, id, price);
        }
        self.first_trade_id = self.first_trade_id.min(id);
        if id >= self.last_trade_id {
            self.last_trade_id = id;
            self.close = price;
        }
        self.high = self.high.max(price);
        self.low = self.low.min(price);
        self.volume += qty;
        self.quote_volume += quote;
        self.trades += 1;
        if !buyer_is_maker {
            self.taker_buy_base += qty;
            self.taker_buy_quote += quote;
        }
    }

    /// Merges a later bar into this one (used to build coarser klines from finer ones).
    pub fn merge(&mut self, later: &Kline) {
        if later.trades == 0 {
            return;
        }
        if self.trades == 0 {
            let (o, c) = (self.open_time, self.close_time);
            *self = later.clone();
            self.open_time = o;
            self.close_time = c;
            return;
        }
        self.last_trade_id = later.last_trade_id;
        self.close = later.close;
        self.high = self.high.max(later.high);
        self.low = self.low.min(later.low);
        self.volume += later.volume;
        self.quote_volume += later.quote_volume;
        self.trades += later.trades;
        self.taker_buy_base += later.taker_buy_base;
        self.taker_buy_quote += later.taker_buy_quote;
    }
}

/// The most recent klines of one interval and offset, oldest first, capped.
#[derive(Debug, Clone)]
pub struct KlineSeries {
    pub interval: Interval,
    pub offset_ms: i64,
    cap: usize,
    bars: VecDeque<Kline>,
}

impl KlineSeries {
    pub fn new(interval: Interval, offset_ms: i64, cap: usize) -> KlineSeries {
        KlineSeries { interval, offset_ms, cap: cap.max(1), bars: VecDeque::new() }
    }

    /// Adds a trade to the bar containing its time. Trades older than the newest bar's interval are
    /// added to their bar if it is still kept, otherwise dropped.
    pub fn add(&mut self, time_ms: u64, id: u64, price: Decimal, qty: Decimal, quote: Decimal, buyer_is_maker: bool) {
        let open = self.interval.open_time(time_ms, self.offset_ms);
        match self.bars.back().map(|b| b.open_time) {
            Some(last) if last == open => {}
            Some(last) if last > open => {
                if let Some(b) = self.bars.iter_mut().rev().find(|b| b.open_time == open) {
                    b.add(id, price, qty, quote, buyer_is_maker);
                }
                return;
            }
            _ => {
                let close = self.interval.close_time(open, self.offset_ms);
                self.bars.push_back(Kline::new(open, close, id, price));
                while self.bars.len() > self.cap {
                    self.bars.pop_front();
                }
            }
        }
        if let Some(b) = self.bars.back_mut() {
            b.add(id, price, qty, quote, buyer_is_maker);
        }
    }

    /// Bars, oldest first (only bars that contain trades are stored).
    pub fn bars(&self) -> &VecDeque<Kline> {
        &self.bars
    }

    /// The bar opening at `open`, if kept.
    pub fn bar_at(&self, open: u64) -> Option<&Kline> {
        self.bars.iter().rev().find(|b| b.open_time == open)
    }
}

/// Regroups finer bars (any interval whose boundaries fall on the target's boundaries) into `interval`
/// klines aligned at `offset_ms`.
pub fn regroup<'a>(bars: impl Iterator<Item = &'a Kline>, interval: Interval, offset_ms: i64) -> Vec<Kline> {
    let mut out: Vec<Kline> = Vec::new();
    for b in bars {
        let open = interval.open_time(b.open_time, offset_ms);
        match out.last_mut() {
            Some(k) if k.open_time == open => k.merge(b),
            _ => {
                let mut k = b.clone();
                k.open_time = open;
                k.close_time = interval.close_time(open, offset_ms);
                out.push(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_alignment() {
        // 2023-01-01T00:00:00Z is a Sunday; 1672531200000.
        let t = 1_672_531_200_000u64;
        assert_eq!(Interval::D1.open_time(t + 5, 0), t);
        // Monday 2022-12-26.
        assert_eq!(Interval::W1.open_time(t, 0), t - 6 * DAY as u64);
        assert_eq!(Interval::Mo1.open_time(t + 20 * DAY as u64, 0), t);
        // January has 31 days.
        assert_eq!(Interval::Mo1.close_time(t, 0), t + 31 * DAY as u64 - 1);
        // UTC+8: the day starts at 16:00 UTC the day before.
        assert_eq!(Interval::D1.open_time(t, 8 * HOUR), t - 8 * HOUR as u64);
        assert_eq!(Interval::M1.open_time(t + 61_234, 0), t + 60_000);
        assert_eq!(Interval::M1.close_time(t, 0), t + 59_999);
    }

    #[test]
    fn time_zones() {
        assert_eq!(parse_time_zone("0"), Some(0));
        assert_eq!(parse_time_zone("8"), Some(8 * HOUR));
        assert_eq!(parse_time_zone("-1:00"), Some(-HOUR));
        assert_eq!(parse_time_zone("05:45"), Some(5 * HOUR + 45 * MIN));
        assert_eq!(parse_time_zone("+14:00"), Some(14 * HOUR));
        assert_eq!(parse_time_zone("14:01"), None);
        assert_eq!(parse_time_zone("-12:30"), None);
        assert_eq!(parse_time_zone("x"), None);
    }

    #[test]
    fn civil_roundtrip() {
        for d in [-1000i64, 0, 59, 60, 365, 11_000, 19_358, 40_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
