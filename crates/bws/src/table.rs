//! Events as one line each: an aligned table for people (time, source, event type, key fields) or
//! JSON lines for scripts. `bws stream`, `replay`, `dex` and `user-data` all print through [`Printer`].

use std::fmt;

use serde_json::{Map, Value};

use crate::style;

/// A field's value: integers and booleans stay JSON numbers and booleans; everything else, decimals
/// included, is text (decimals are never turned into floating point).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, decimals as received.
    Text(String),
    /// An integer (ids, counts, times).
    Int(i128),
    /// A flag.
    Bool(bool),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Cell {
    fn to_json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::from(s.as_str()),
            Cell::Int(i) => i64::try_from(*i)
                .map(Value::from)
                .or_else(|_| u64::try_from(*i).map(Value::from))
                .unwrap_or_else(|_| Value::from(i.to_string())),
            Cell::Bool(b) => Value::Bool(*b),
        }
    }
}

macro_rules! int_cell {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(v: $t) -> Cell {
                Cell::Int(v as i128)
            }
        }
        impl From<&$t> for Cell {
            fn from(v: &$t) -> Cell {
                Cell::Int(*v as i128)
            }
        }
    )*};
}
int_cell!(u16, u32, u64, usize, i32, i64);

impl From<bool> for Cell {
    fn from(v: bool) -> Cell {
        Cell::Bool(v)
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}
impl From<&String> for Cell {
    fn from(v: &String) -> Cell {
        Cell::Text(v.clone())
    }
}
impl From<&binance_ws::streams::SmolStr> for Cell {
    fn from(v: &binance_ws::streams::SmolStr) -> Cell {
        Cell::Text(v.to_string())
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_string())
    }
}
impl From<rust_decimal::Decimal> for Cell {
    fn from(v: rust_decimal::Decimal) -> Cell {
        Cell::Text(v.to_string())
    }
}

/// One event, reduced to what a line shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Event time (epoch ms) when the event has one.
    pub time_ms: Option<u64>,
    /// The stream, topic or subscription it came on.
    pub source: String,
    /// The event type (`trade`, `depthUpdate`, `executionReport`, `notice`).
    pub kind: String,
    /// Key fields in display order; values exactly as received (decimals are never rounded).
    pub fields: Vec<(&'static str, Cell)>,
    /// A connection notice rather than data.
    pub notice: bool,
}

impl Row {
    /// A data row.
    pub fn new(time_ms: Option<u64>, source: impl Into<String>, kind: impl Into<String>) -> Row {
        Row { time_ms, source: source.into(), kind: kind.into(), fields: Vec::new(), notice: false }
    }

    /// A connection notice (`kind` says which), timed now.
    pub fn notice(source: impl Into<String>, kind: impl Into<String>) -> Row {
        Row { notice: true, ..Row::new(Some(now_ms()), source, kind) }
    }

    /// Adds a field.
    pub fn with(mut self, name: &'static str, value: impl Into<Cell>) -> Row {
        self.fields.push((name, value.into()));
        self
    }

    /// Adds a field when there is a value.
    pub fn with_opt(self, name: &'static str, value: Option<impl Into<Cell>>) -> Row {
        match value {
            Some(v) => self.with(name, v),
            None => self,
        }
    }

    /// The JSON line: `{"time":..,"source":..,"event":..,"notice":..,<fields>}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("time".into(), self.time_ms.map_or(Value::Null, Value::from));
        m.insert("source".into(), Value::from(self.source.as_str()));
        m.insert("event".into(), Value::from(self.kind.as_str()));
        if self.notice {
            m.insert("notice".into(), Value::Bool(true));
        }
        for (k, v) in &self.fields {
            m.insert((*k).into(), v.to_json());
        }
        Value::Object(m)
    }

    /// The table line, with the source column padded to `source_width`.
    pub fn to_line(&self, source_width: usize) -> String {
        let time = format!("{:<12}", self.time_ms.map_or_else(|| "-".to_string(), clock));
        let fields: Vec<String> = self.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let kind = format!("{:<16}", self.kind);
        let kind = if self.notice { style::yellow(&kind) } else { style::bold(&kind) };
        format!("{} {:<source_width$} {kind} {}", style::dim(&time), self.source, fields.join(" "))
            .trim_end()
            .to_string()
    }
}

/// Prints rows in the chosen mode.
#[derive(Debug, Clone)]
pub struct Printer {
    json: bool,
    quiet: bool,
    source_width: usize,
}

impl Printer {
    /// `sources` are the names the source column will show (for its width).
    pub fn new(json: bool, quiet: bool, sources: &[String]) -> Printer {
        let source_width = sources.iter().map(String::len).max().unwrap_or(0).clamp(8, 40);
        Printer { json, quiet, source_width }
    }

    /// The column header (table mode only).
    pub fn header(&self) {
        if !self.json && !self.quiet {
            let w = self.source_width;
            style::out(&style::dim(&format!("{:<12} {:<w$} {:<16} DETAILS", "TIME (UTC)", "SOURCE", "EVENT")));
        }
    }

    /// Prints one row (nothing when quiet).
    pub fn print(&self, row: &Row) {
        if self.quiet {
            return;
        }
        if self.json {
            style::out(&row.to_json().to_string());
        } else {
            style::out(&row.to_line(self.source_width));
        }
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `HH:MM:SS.mmm` (UTC) of epoch milliseconds.
pub fn clock(ms: u64) -> String {
    let day_ms = ms % 86_400_000;
    let (h, m, s, milli) = (day_ms / 3_600_000, day_ms / 60_000 % 60, day_ms / 1000 % 60, day_ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// Rows of cells as aligned columns under `headers` (for order lists and the like).
pub fn columns(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(headers.to_vec())];
    out.extend(rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_renders_utc_time_of_day() {
        assert_eq!(clock(0), "00:00:00.000");
        // 2023-11-14T22:13:20.123Z
        assert_eq!(clock(1_700_000_000_123), "22:13:20.123");
    }

    #[test]
    fn rows_render_as_json_and_as_aligned_lines() {
        let price: rust_decimal::Decimal = "52000.10".parse().unwrap();
        let row = Row::new(Some(1_700_000_000_123), "btcusdt@trade", "trade")
            .with("price", price)
            .with("id", 7u64)
            .with("maker", true);
        assert_eq!(
            row.to_json(),
            serde_json::json!({"time": 1_700_000_000_123u64, "source": "btcusdt@trade", "event": "trade",
                "price": "52000.10", "id": 7, "maker": true})
        );
        std::env::set_var("NO_COLOR", "1");
        let line = row.to_line(16);
        assert_eq!(line, "22:13:20.123 btcusdt@trade    trade            price=52000.10 id=7 maker=true");
    }

    #[test]
    fn columns_align_to_the_widest_cell() {
        let out = columns(&["ID", "SYMBOL"], &[vec!["7".into(), "BTCUSDT".into()], vec!["12345".into(), "X".into()]]);
        assert_eq!(out, vec!["ID     SYMBOL", "7      BTCUSDT", "12345  X"]);
    }
}
