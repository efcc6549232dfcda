//! Draws the book view: a header (state, spread, mid, update rate, resyncs) and a price ladder with the
//! asks above the bids, each level with a bar as long as its quantity. `plain_text` is the same ladder
//! without a terminal, for `bws book --once`.

use std::time::Instant;

use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::book_view::{BookView, Level, SyncState};

/// Which side a ladder row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// An ask.
    Ask,
    /// A bid.
    Bid,
}

/// One row of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    /// Bid or ask.
    pub side: Side,
    /// The level.
    pub level: Level,
    /// Bar length in cells.
    pub bar: usize,
}

/// The ladder: up to `per_side` asks (highest first, best ask last), then as many bids (best first), with
/// bars scaled so the largest quantity shown fills `bar_width`.
pub fn ladder(view: &BookView, per_side: usize, bar_width: usize) -> Vec<Rung> {
    let max = view.max_qty(per_side);
    let bar = |qty: Decimal| {
        if max.is_zero() {
            return 0;
        }
        (qty / max * Decimal::from(bar_width)).ceil().to_usize().unwrap_or(0).min(bar_width)
    };
    let asks = view.asks.iter().take(per_side).rev().map(|l| Rung { side: Side::Ask, level: *l, bar: bar(l.qty) });
    let bids = view.bids.iter().take(per_side).map(|l| Rung { side: Side::Bid, level: *l, bar: bar(l.qty) });
    asks.chain(bids).collect()
}

/// The header's facts: the market (state, spread, mid), then the feed (rate, resyncs and why, update id).
pub fn summary(view: &BookView, now: Instant) -> [String; 2] {
    let spread = match (view.spread(), view.spread_bps()) {
        (Some(s), Some(bps)) => format!("spread {s} ({bps} bps)"),
        (Some(s), None) => format!("spread {s}"),
        _ => "spread -".to_string(),
    };
    let mid = view.mid().map_or_else(|| "-".to_string(), |m| m.normalize().to_string());
    let mut feed =
        format!("{:.1} updates/s  resyncs {}  lastUpdateId {}", view.rate(now), view.resyncs, view.last_update_id);
    if let Some(reason) = &view.resync_reason {
        feed.push_str(&format!("  last resync: {reason}"));
    }
    if let Some(error) = &view.snapshot_error {
        feed.push_str(&format!("  snapshot failed: {error}"));
    }
    [format!("{}  {spread}  mid {mid}", view.state.label()), feed]
}

const PRICE_WIDTH: usize = 16;
const QTY_WIDTH: usize = 16;

/// Draws the whole view into `frame`.
pub fn render(frame: &mut Frame, view: &BookView, now: Instant) {
    let [head, body, foot] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    let state_color = match view.state {
        SyncState::Synced => Color::Green,
        SyncState::Syncing | SyncState::Resyncing => Color::Yellow,
        SyncState::Closed => Color::Red,
    };
    let title = format!(" {} order book ({}) ", view.symbol, view.source);
    let [market, feed] = summary(view, now);
    let header = Paragraph::new(vec![Line::from(market).style(Style::default().fg(state_color)), Line::from(feed)])
        .block(Block::bordered().title(title));
    frame.render_widget(header, head);

    let inner_height = body.height.saturating_sub(2) as usize;
    let per_side = inner_height.saturating_sub(1) / 2;
    let bar_width = (body.width as usize).saturating_sub(2 + PRICE_WIDTH + QTY_WIDTH + 2);
    let rungs = ladder(view, per_side, bar_width);
    let mut lines = Vec::with_capacity(rungs.len() + 1);
    let mut spread_drawn = false;
    for rung in &rungs {
        if rung.side == Side::Bid && !spread_drawn {
            lines.push(spread_line(view));
            spread_drawn = true;
        }
        let color = if rung.side == Side::Ask { Color::Red } else { Color::Green };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>PRICE_WIDTH$}", rung.level.price.to_string()), Style::default().fg(color)),
            Span::raw(format!("{:>QTY_WIDTH$}  ", rung.level.qty.to_string())),
            Span::styled("█".repeat(rung.bar), Style::default().fg(color)),
        ]));
    }
    if !spread_drawn {
        lines.push(spread_line(view));
    }
    frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" price / quantity ")), body);
    frame.render_widget(Paragraph::new(Line::from("q quits").style(Style::default().fg(Color::DarkGray))), foot);
}

fn spread_line(view: &BookView) -> Line<'static> {
    let text = view.spread().map_or_else(|| "no spread yet".to_string(), |s| format!("spread {s}"));
    Line::from(format!("{:>PRICE_WIDTH$}", text)).style(Style::default().add_modifier(Modifier::DIM))
}

/// The ladder as plain lines (`bws book --once`): a summary, then `ask|bid price qty bar` rows.
pub fn plain_text(view: &BookView, per_side: usize, now: Instant) -> Vec<String> {
    let [market, feed] = summary(view, now);
    let mut out = vec![format!("{} {market}  {feed}", view.symbol)];
    for rung in ladder(view, per_side, 20) {
        let side = if rung.side == Side::Ask { "ask" } else { "bid" };
        out.push(format!(
            "{side} {:>PRICE_WIDTH$} {:>QTY_WIDTH$} {}",
            rung.level.price.to_string(),
            rung.level.qty.to_string(),
            "█".repeat(rung.bar)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    use super::*;

    fn lvl(p: &str, q: &str) -> Level {
        Level { price: p.parse().unwrap(), qty: q.parse().unwrap() }
    }

    fn view() -> BookView {
        let mut v = BookView::new("BTCUSDT", "depth@100ms");
        v.set_book(
            vec![lvl("99.90", "2.0"), lvl("99.80", "8.0"), lvl("99.70", "1.0")],
            vec![lvl("100.10", "4.0"), lvl("100.20", "1.0"), lvl("100.30", "0.5")],
            42,
        );
        v.count_update(Instant::now());
        v.set_state(SyncState::Synced);
        v.set_resync(1, "gap: book at 40, event starts at 42");
        v
    }

    /// The frame as text rows.
    fn draw(view: &BookView, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| render(f, view, Instant::now())).unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..height).map(|y| (0..width).map(|x| buf[(x, y)].symbol().to_string()).collect()).collect()
    }

    fn bar_len(line: &str) -> usize {
        line.chars().filter(|c| *c == '█').count()
    }

    #[test]
    fn the_frame_shows_state_spread_and_a_ladder_with_bars_as_long_as_the_quantities() {
        let rows = draw(&view(), 120, 14);
        let screen = rows.join("\n");
        assert!(rows[0].contains("BTCUSDT order book (depth@100ms)"), "{screen}");
        assert!(rows[1].contains("SYNCED") && rows[1].contains("spread 0.20 (20.00 bps)"), "{screen}");
        assert!(rows[2].contains("resyncs 1") && rows[2].contains("lastUpdateId 42"), "{screen}");
        assert!(rows[2].contains("last resync: gap: book at 40, event starts at 42"), "{screen}");
        // Rows below the header (which repeats the spread).
        let find = |text: &str| {
            (4..rows.len()).find(|&i| rows[i].contains(text)).unwrap_or_else(|| panic!("{text} in\n{screen}"))
        };
        // Asks above the spread line, highest first; bids below, best first.
        let (a3, a1, spread, b1, b2) =
            (find("100.30"), find("100.10"), find("spread 0.20 "), find("99.90"), find("99.80"));
        assert!(a3 < a1 && a1 < spread && spread < b1 && b1 < b2, "{screen}");
        // The largest quantity (8.0 at 99.80) has the full bar; 4.0 half of it; 2.0 a quarter.
        let full = bar_len(&rows[b2]);
        assert!(full > 20, "{screen}");
        assert_eq!(bar_len(&rows[a1]), full / 2, "{screen}");
        assert_eq!(bar_len(&rows[b1]), full / 4, "{screen}");
        assert!(rows.last().unwrap().contains("q quits"), "{screen}");
    }

    #[test]
    fn a_small_terminal_shows_the_best_levels_first() {
        // 10 rows: 4 header, 1 footer, 5 for the ladder box: 3 inside = 1 ask, spread, 1 bid.
        let rows = draw(&view(), 60, 10);
        let screen = rows.join("\n");
        assert!(screen.contains("100.10") && screen.contains("99.90"), "{screen}");
        assert!(!screen.contains("100.20") && !screen.contains("99.80"), "{screen}");
    }

    #[test]
    fn an_empty_book_says_so() {
        let rows = draw(&BookView::new("ETHUSDT", "depth@100ms"), 60, 10).join("\n");
        assert!(rows.contains("SYNCING") && rows.contains("no spread yet"), "{rows}");
    }

    #[test]
    fn plain_text_lists_asks_then_bids() {
        let lines = plain_text(&view(), 2, Instant::now());
        assert!(lines[0].starts_with("BTCUSDT SYNCED  spread 0.20"), "{lines:?}");
        let sides: Vec<&str> = lines[1..].iter().map(|l| &l[..3]).collect();
        assert_eq!(sides, ["ask", "ask", "bid", "bid"]);
        assert!(lines[1].contains("100.20") && lines[4].contains("99.80"), "{lines:?}");
    }
}
