//! The `bws record` file: zstd-compressed JSON lines. The first line is a header
//! `{"format":"bws-record","version":1,"endpoint":..,"streams":[..],"started":<epoch ms>}`, every other line
//! one text frame as received, `{"t":<receive time, epoch microseconds>,"frame":"<the frame's text>"}`.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context};
use serde_json::{json, Value};

const FORMAT: &str = "bws-record";
const VERSION: u64 = 1;

/// What a recording says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The URL the frames came from.
    pub endpoint: String,
    /// The streams recorded.
    pub streams: Vec<String>,
    /// When recording started, epoch ms.
    pub started_ms: u64,
}

/// One recorded frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Receive time, epoch microseconds.
    pub t_us: u64,
    /// The frame's text, unchanged.
    pub text: String,
}

/// Writes a recording; [`Writer::finish`] completes the zstd stream (a file cut short by a crash still
/// decodes up to its last complete block).
pub struct Writer {
    encoder: zstd::stream::write::Encoder<'static, BufWriter<File>>,
    frames: u64,
}

impl Writer {
    /// Creates (or replaces) `path` and writes the header.
    pub fn create(path: &Path, header: &Header) -> anyhow::Result<Writer> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let encoder = zstd::stream::write::Encoder::new(BufWriter::new(file), 3)?;
        let mut w = Writer { encoder, frames: 0 };
        let line = json!({
            "format": FORMAT, "version": VERSION, "endpoint": header.endpoint,
            "streams": header.streams, "started": header.started_ms,
        });
        w.line(&line)?;
        Ok(w)
    }

    fn line(&mut self, v: &Value) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.encoder, v)?;
        self.encoder.write_all(b"\n")?;
        Ok(())
    }

    /// Appends a frame.
    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        self.line(&json!({"t": frame.t_us, "frame": frame.text}))?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Ends the zstd stream and flushes the file.
    pub fn finish(self) -> anyhow::Result<()> {
        let mut inner = self.encoder.finish()?;
        inner.flush()?;
        Ok(())
    }
}

/// Reads a recording: the header first, then frames in order.
pub struct Reader {
    lines: std::io::Lines<BufReader<zstd::stream::read::Decoder<'static, BufReader<File>>>>,
    line_no: u64,
    /// The recording's header.
    pub header: Header,
}

impl Reader {
    /// Opens `path` and reads its header; a file that is not a recording is an error saying so.
    pub fn open(path: &Path) -> anyhow::Result<Reader> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let not_ours = || format!("{} is not a bws recording (made by `bws record`)", path.display());
        let decoder = zstd::stream::read::Decoder::new(file).with_context(not_ours)?;
        let mut lines = BufReader::new(decoder).lines();
        let first = lines.next().transpose().with_context(not_ours)?.with_context(not_ours)?;
        let v: Value = serde_json::from_str(&first).with_context(not_ours)?;
        if v["format"] != FORMAT {
            bail!(not_ours());
        }
        if v["version"].as_u64() != Some(VERSION) {
            bail!("{} is a version {} recording; this bws reads version {VERSION}", path.display(), v["version"]);
        }
        let header = Header {
            endpoint: v["endpoint"].as_str().unwrap_or_default().to_string(),
            streams: v["streams"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            started_ms: v["started"].as_u64().unwrap_or_default(),
        };
        Ok(Reader { lines, line_no: 1, header })
    }
}

impl Iterator for Reader {
    type Item = anyhow::Result<Frame>;

    fn next(&mut self) -> Option<anyhow::Result<Frame>> {
        let line = self.lines.next()?;
        self.line_no += 1;
        let n = self.line_no;
        Some(line.with_context(|| format!("reading line {n}")).and_then(|l| {
            let v: Value = serde_json::from_str(&l).with_context(|| format!("line {n} is not JSON"))?;
            match (v["t"].as_u64(), v["frame"].as_str()) {
                (Some(t_us), Some(text)) => Ok(Frame { t_us, text: text.to_string() }),
                _ => bail!("line {n} is not a recorded frame"),
            }
        }))
    }
}

/// Epoch microseconds now.
pub fn now_us() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_a_compressed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.zst");
        let header = Header { endpoint: "ws://x/stream".into(), streams: vec!["btcusdt@trade".into()], started_ms: 1 };
        let mut w = Writer::create(&path, &header).unwrap();
        let frames = [
            Frame { t_us: 10, text: r#"{"stream":"btcusdt@trade","data":{"e":"trade"}}"#.into() },
            Frame { t_us: 25, text: "line\nbreak \"quoted\"".into() },
        ];
        for f in &frames {
            w.write(f).unwrap();
        }
        assert_eq!(w.frames(), 2);
        w.finish().unwrap();
        let r = Reader::open(&path).unwrap();
        assert_eq!(r.header, header);
        let back: Vec<Frame> = r.map(Result::unwrap).collect();
        assert_eq!(back, frames);
    }

    #[test]
    fn other_files_are_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.txt");
        std::fs::write(&path, "hello").unwrap();
        let err = Reader::open(&path).err().expect("refused").to_string();
        assert!(err.contains("is not a bws recording"), "{err}");
        let zst = dir.path().join("other.zst");
        std::fs::write(&zst, zstd::encode_all(&b"{\"format\":\"else\"}\n"[..], 3).unwrap()).unwrap();
        let err = Reader::open(&zst).err().expect("refused").to_string();
        assert!(err.contains("is not a bws recording"), "{err}");
    }
}
