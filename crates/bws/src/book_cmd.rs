//! `bws book SYMBOL`: a live order book view in the terminal (ratatui), or one snapshot with `--once`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use binance_ws::env::Product;
use binance_ws::streams::{MarketEvent, Streams};
use clap::Args;
use futures::StreamExt;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use serde_json::json;

use crate::book_view::{BookView, Level};
use crate::cli::Global;
use crate::progress::Spinner;
use crate::{api_cmd, book_feed, book_ui, session, style};

/// `bws book`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws book BTCUSDT                 # live view; q or Esc quits
  bws book ETHUSDT --once          # one snapshot as text, for scripts
  bws book BTCUSDT --once --json --depth 5

The view follows the depth20@100ms partial depth stream (20 levels a side, every 100 ms), seeded by a
depth snapshot; the header shows the sync state, spread, update rate and how often the book was rebuilt.")]
pub struct BookArgs {
    /// Symbol, e.g. BTCUSDT.
    pub symbol: String,
    /// Print one snapshot and exit (no terminal needed).
    #[arg(long)]
    pub once: bool,
    /// Levels per side printed by `--once`.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=20))]
    pub depth: u16,
    /// How long to wait for the stream's first book.
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
    // The snapshot seeds the view, and an unknown symbol fails here with the exchange's answer.
    let snapshot = api.depth(symbol.as_str()).limit(20).await.with_context(|| format!("reading the {symbol} book"))?;
    let stream = book_feed::stream(&symbol);
    let mut view = BookView::new(&symbol, stream.name().trim_start_matches(&format!("{}@", symbol.to_lowercase())));
    book_feed::seed(&mut view, &snapshot, Instant::now());
    let base = target.env.stream_base(Product::Spot);
    let mut feed = Streams::connect(target.env.clone(), Product::Spot)
        .await
        .with_context(|| format!("connecting to {base}"))?
        .subscribed([stream])
        .await
        .context("subscribing to the depth stream")?;
    if args.once {
        let _spinner = Spinner::start(format!("waiting for the first {symbol} book"), global.quiet);
        first_book(&mut feed, &mut view, args.timeout).await?;
        print_once(&view, args.depth as usize, global);
        return Ok(0);
    }
    let mut terminal = ratatui::init();
    let result = live(&mut terminal, &mut feed, &mut view).await;
    ratatui::restore();
    result.map(|()| 0)
}

/// Waits for the stream's first book.
async fn first_book(feed: &mut Streams, view: &mut BookView, timeout: Duration) -> anyhow::Result<()> {
    let wait = async {
        while let Some(event) = feed.next().await {
            let is_book = matches!(event, MarketEvent::PartialDepth(_));
            book_feed::apply(view, &event, Instant::now());
            if is_book {
                return Ok(());
            }
        }
        bail!("the stream closed before the first book")
    };
    tokio::time::timeout(timeout, wait).await.with_context(|| format!("no book within {timeout:?}"))?
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
async fn live(terminal: &mut ratatui::DefaultTerminal, feed: &mut Streams, view: &mut BookView) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut ended = false;
    loop {
        tokio::select! {
            event = feed.next(), if !ended => match event {
                Some(event) => {
                    book_feed::apply(view, &event, Instant::now());
                }
                None => {
                    ended = true;
                    view.set_state(crate::book_view::SyncState::Closed);
                }
            },
            _ = tick.tick() => {
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
