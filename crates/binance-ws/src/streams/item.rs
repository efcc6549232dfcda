//! What the queue between the connection tasks and the consumer carries.
//!
//! A market event frame of a combined connection goes to the consumer undecoded: the connection task only
//! splits off its stream name and payload ([`split_event`](super::decode::split_event)) and the consumer decodes
//! it when it takes it. Reading the socket and decoding then run on two threads instead of one, which is what
//! brings a busy stream close to a bare socket's rate (docs/BENCHMARKS.md). Everything else (raw connections, replies,
//! `serverShutdown`, frames a connection switch must compare for duplicates, notices) is decoded by the
//! connection task.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use tokio_websockets::Message;

use super::decode::{decode_split, Backend};
use super::event::{MarketEvent, Notice, SmolStr, Tagged};

/// One entry of the queue.
pub(crate) enum Item {
    /// Decoded by the connection task.
    Ready(Tagged),
    /// To be decoded by the consumer.
    Frame(EventFrame),
}

/// A combined frame's market event, not decoded yet.
pub(crate) struct EventFrame {
    /// The whole text frame (checked UTF-8 once, by the WebSocket layer).
    pub message: Message,
    /// Where the stream name is in the frame.
    pub name: Range<usize>,
    /// Where the payload (`data`) is in the frame.
    pub data: Range<usize>,
    /// The connection it came on, for an [`Notice::Undecodable`].
    pub connection: usize,
    pub backend: Backend,
}

impl EventFrame {
    fn text(&self) -> &str {
        self.message.as_text().unwrap_or("")
    }

    fn name(&self) -> &str {
        self.text().get(self.name.clone()).unwrap_or("")
    }

    /// The event, or the notice saying why there is none.
    fn decode(&self) -> Result<MarketEvent, Notice> {
        let frame = self.text();
        match decode_split(frame, self.name(), self.data.clone(), self.backend) {
            Ok(event) => Ok(with_symbol(event, Some(self.name()))),
            Err(reason) => Err(undecodable(self.connection, reason, frame)),
        }
    }
}

impl Item {
    pub(crate) fn notice(n: Notice) -> Item {
        Item::Ready(Tagged { stream: None, event: MarketEvent::Notice(n) })
    }

    /// True for a notice (kept when the queue is full); an undecoded frame is always an event.
    pub(crate) fn is_notice(&self) -> bool {
        matches!(self, Item::Ready(t) if t.event.is_notice())
    }

    /// The event, decoding a frame here; a frame that does not decode becomes [`Notice::Undecodable`].
    pub(crate) fn into_event(self) -> MarketEvent {
        match self {
            Item::Ready(t) => t.event,
            Item::Frame(f) => f.decode().unwrap_or_else(MarketEvent::Notice),
        }
    }

    /// [`Item::into_event`] with the event's stream, named from the consumer's own copies in `names`.
    pub(crate) fn into_tagged(self, names: &mut Names) -> Tagged {
        match self {
            Item::Ready(t) => t,
            Item::Frame(f) => match f.decode() {
                Ok(event) => Tagged { stream: Some(names.get(f.name())), event },
                Err(n) => Tagged { stream: None, event: MarketEvent::Notice(n) },
            },
        }
    }
}

/// Stream names as the consumer hands them out, one shared `Arc<str>` per name, made on the consumer's thread
/// (a copy shared with the connection task would have its reference count bounce between the two threads'
/// caches on every event).
#[derive(Default)]
pub(crate) struct Names {
    known: HashSet<Arc<str>>,
}

/// Names kept at most; a server sending ever new ones only costs the cache being started again.
const MAX_NAMES: usize = 4096;

impl Names {
    pub(crate) fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(known) = self.known.get(name) {
            return known.clone();
        }
        if self.known.len() >= MAX_NAMES {
            self.known.clear();
        }
        let name: Arc<str> = Arc::from(name);
        self.known.insert(name.clone());
        name
    }
}

/// `event`, with a partial depth's symbol (which its payload lacks) taken from its stream name.
pub(crate) fn with_symbol(event: MarketEvent, stream: Option<&str>) -> MarketEvent {
    match event {
        MarketEvent::PartialDepth(mut d) if d.symbol.is_none() => {
            d.symbol = stream.and_then(|s| s.split_once('@')).map(|(s, _)| SmolStr::from(s.to_ascii_uppercase()));
            MarketEvent::PartialDepth(d)
        }
        e => e,
    }
}

/// The notice for a frame that did not decode, with its first 256 bytes (cut back to a char boundary).
pub(crate) fn undecodable(connection: usize, reason: String, frame: &str) -> Notice {
    let cut = (0..=frame.len().min(256)).rev().find(|&i| frame.is_char_boundary(i)).unwrap_or(0);
    Notice::Undecodable { connection, reason, frame: frame[..cut].to_string() }
}
