//! `bws book SYMBOL`: a live order book view in the terminal (ratatui), or one snapshot with `--once`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use futures::StreamExt;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use serde_json::json;

use crate::book_feed::{self, Feed};
use crate::book_view::{BookView, Level, SyncState};
use crate::cli::Global;
use crate::progress::Spinner;
use crate::{api_cmd, book_ui, session, style};

/// Levels per side copied from the book for the live view (more than any terminal shows).
const LIVE_LEVELS: usize = 100;

/// `bws book`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws book BTCUSDT                 # live view; q or Esc quits
  bws book ETHUSDT --once          # the book once it is in sync, as text, for scripts
  bws book BTCUSDT --once --json --depth 5

The book is binance_ws::book's: the depth@100ms diff stream joined to a depth snapshot as Binance's
docs describe, every update id checked; a gap or a disconnect resyncs it by itself. The header shows the
sync state, spread, update rate, and how often and why the book was resynced.")]
pub struct BookArgs {
    /// Symbol, e.g. BTCUSDT.
    pub symbol: String,
    /// Print the book once it is in sync and exit (no terminal needed).
    #[arg(long)]
    pub once: bool,
    /// Levels per side printed by `--once`.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub depth: u16,
    /// How long to wait for the book to be in sync.
    #[arg(long, default_value = "10s", value_parser = crate::limits::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(args: BookArgs, global: &Global) -> anyhow::Result<i32> {
    let symbol = args.symbol.to_ascii_uppercase();
    if !args.once && !std::io::stdout().is_terminal() {
        bail!("the live view needs a terminal: use --once to print one snapshot");
    }
    let target = api_cmd::target(global).await?;
    let api = session::connect_api(&target, None, global.quiet).await?;
    // The book manager retries failed snapshots forever; an unknown symbol should fail at once instead, with
    // the exchange's answer.
    api.depth(symbol.as_str()).limit(5).await.with_context(|| format!("reading the {symbol} book"))?;
    let mut feed = book_feed::connect(&target.env, api, &symbol).await?;
    let mut view = BookView::new(&symbol, book_feed::SOURCE);
    if args.once {
        let _spinner = Spinner::start(format!("syncing the {symbol} book"), global.quiet);
        synced(&mut feed, &mut view, args.timeout).await?;
        book_feed::refresh(&mut view, &feed.book, args.depth as usize);
        print_once(&view, args.depth as usize, global);
        return Ok(0);
    }
    let mut terminal = ratatui::init();
    let result = live(&mut terminal, &mut feed, &mut view).await;
    ratatui::restore();
    result.map(|()| 0)
}

/// Follows the manager's events until the book is in sync.
async fn synced(feed: &mut Feed, view: &mut BookView, timeout: Duration) -> anyhow::Result<()> {
    let wait = async {
        while let Some(event) = feed.books.next().await {
            book_feed::apply(view, &event, Instant::now());
            match view.state {
                SyncState::Synced if feed.book.is_synced() => return Ok(()),
                SyncState::Closed => bail!("the stream closed before the book was in sync"),
                _ => {}
            }
        }
        bail!("the stream closed before the book was in sync")
    };
    match tokio::time::timeout(timeout, wait).await {
        Ok(result) => result,
        Err(_) => match &view.snapshot_error {
            Some(e) => bail!("the {} book was not in sync within {timeout:?}; last snapshot error: {e}", view.symbol),
            None => bail!("the {} book was not in sync within {timeout:?}", view.symbol),
        },
    }
}

fn print_once(view: &BookView, per_side: usize, global: &Global) {
    if global.quiet {
        return;
    }
    if global.json {
        let levels = |side: &[Level]| -> Vec<[String; 2]> {
            side.iter().take(per_side).map(|l| [l.price.to_string(), l.qty.to_string()]).collect()
        };
        let v = json!({
            "symbol": view.symbol, "state": view.state.label(), "lastUpdateId": view.last_update_id,
            "resyncs": view.resyncs, "lastResyncReason": view.resync_reason,
            "spread": view.spread().map(|s| s.to_string()), "mid": view.mid().map(|m| m.normalize().to_string()),
            "bids": levels(&view.bids), "asks": levels(&view.asks),
        });
        style::out(&v.to_string());
    } else {
        for line in book_ui::plain_text(view, per_side, Instant::now()) {
            style::out(&line);
        }
    }
}

/// Redraws ten times a second until q, Esc or Ctrl-C.
async fn live(terminal: &mut ratatui::DefaultTerminal, feed: &mut Feed, view: &mut BookView) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut ended = false;
    loop {
        tokio::select! {
            event = feed.books.next(), if !ended => match event {
                Some(event) => {
                    book_feed::apply(view, &event, Instant::now());
                }
                None => {
                    ended = true;
                    view.set_state(SyncState::Closed);
                }
            },
            _ = tick.tick() => {
                book_feed::refresh(view, &feed.book, LIVE_LEVELS);
                terminal.draw(|f| book_ui::render(f, view, Instant::now())).context("drawing")?;
                while event::poll(Duration::ZERO).context("reading keys")? {
                    if let Event::Key(k) = event::read().context("reading keys")? {
                        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                        if k.kind == KeyEventKind::Press && (ctrl_c || matches!(k.code, KeyCode::Char('q') | KeyCode::Esc)) {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }
}
