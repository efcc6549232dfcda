//! `bws record STREAM... -o FILE`: raw stream frames with their receive times, zstd-compressed JSON lines
//! (see `recording.rs`), for `bws replay` or any zstd-and-JSON reader.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use binance_ws::env::Product;
use binance_ws::streams::Stream;
use clap::Args;
use futures::{SinkExt, StreamExt};
use serde_json::json;

use crate::cli::Global;
use crate::limits::{self, Limits};
use crate::progress::Spinner;
use crate::recording::{now_us, Frame, Header, Writer};
use crate::stream_cmd::parse_stream;
use crate::table::now_ms;
use crate::{api_cmd, style};

/// `bws record`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  bws record btcusdt@trade btcusdt@depth@100ms -o btc.jsonl.zst --duration 1h
  bws record btcusdt@bookTicker -o bt.zst --count 1000
  zstdcat btc.jsonl.zst | head -3        # the file is plain zstd-compressed JSON lines")]
pub struct RecordArgs {
    /// Stream names, as for `bws stream`.
    #[arg(required = true, value_name = "STREAM", value_parser = parse_stream)]
    pub streams: Vec<Stream>,
    /// The file to write (replaced if it exists).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub limits: Limits,
}

pub async fn run(args: RecordArgs, global: &Global) -> anyhow::Result<i32> {
    let target = api_cmd::target(global).await?;
    let names: Vec<String> = args.streams.iter().map(Stream::name).collect();
    let url = format!("{}/stream?streams={}", target.env.stream_base(Product::Spot), names.join("/"));
    let mut ws = {
        let _spinner = Spinner::start(format!("connecting to {url}"), global.quiet);
        binance_ws::transport::connect(&url, Duration::from_secs(10))
            .await
            .with_context(|| format!("connecting to {url}"))?
    };
    let header = Header { endpoint: url.clone(), streams: names.clone(), started_ms: now_ms() };
    let mut writer = Writer::create(&args.output, &header)?;
    let file = args.output.display().to_string();
    style::status(global.quiet, &format!("recording {} to {file}; Ctrl-C stops", names.join(", ")));
    let spinner = Spinner::start(format!("recording to {file}"), global.quiet);
    let deadline = args.limits.deadline();
    let mut lost = None;
    while !args.limits.reached(writer.frames()) {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = limits::until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        match msg {
            Some(Ok(m)) => {
                if let Some(text) = m.as_text() {
                    writer.write(&Frame { t_us: now_us(), text: text.to_string() })?;
                    spinner.set_message(format!("recorded {} frames to {file}", writer.frames()));
                } else if m.is_ping() {
                    // The pong is queued by the socket; flushing sends it.
                    let _ = ws.flush().await;
                } else if let Some((code, reason)) = m.as_close() {
                    lost = Some(format!("the server closed the connection (code {}: {reason})", u16::from(code)));
                    break;
                }
            }
            Some(Err(e)) => {
                lost = Some(format!("the connection failed: {e}"));
                break;
            }
            None => {
                lost = Some("the connection closed".to_string());
                break;
            }
        }
    }
    drop(spinner);
    let _ = ws.close().await;
    let frames = writer.frames();
    writer.finish().with_context(|| format!("finishing {file}"))?;
    let bytes = std::fs::metadata(&args.output).map(|m| m.len()).unwrap_or(0);
    if let Some(reason) = lost {
        bail!("{reason} after {frames} frames; those are saved in {file}");
    }
    if global.json && !global.quiet {
        style::out(&json!({"file": file, "frames": frames, "bytes": bytes}).to_string());
    } else {
        style::status(global.quiet, &format!("recorded {frames} frames ({bytes} bytes compressed) to {file}"));
    }
    Ok(0)
}
