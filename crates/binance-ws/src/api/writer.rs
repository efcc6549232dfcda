//! The write half of the API socket, shared by the handles and the connection task. A handle writes
//! its own request (no hop through the connection task, whose only work per request is routing the
//! reply); while no connection takes requests (reconnecting), requests wait in `queue`, and the
//! connection task writes them, in order, on the next connection right after its logon.

use std::collections::VecDeque;
use std::task::{ready, Context, Poll};

use futures::stream::SplitSink;
use futures::SinkExt;
use tokio::time::Instant;
use tokio_websockets::Message;

use super::{Params, Security};
use crate::transport::WsStream;

/// The write half of one connection.
pub(crate) type Sink = SplitSink<WsStream, Message>;

/// Held (behind an async mutex) while writing. Never held by the connection task while it reads.
pub(crate) struct Writer {
    /// The current connection's write half and its generation.
    pub sink: Option<(Sink, u64)>,
    /// Requests made while no connection took requests, oldest first.
    pub queue: VecDeque<Queued>,
    /// When anything was last written on `sink` (the idle ping is only sent on a quiet socket).
    pub last_write: Instant,
    /// Frames were fed to `sink` and not flushed yet.
    pub unflushed: bool,
}

impl Writer {
    pub fn new() -> Self {
        Writer { sink: None, queue: VecDeque::new(), last_write: Instant::now(), unflushed: false }
    }

    /// Sends what was fed and not flushed yet; on failure, the generation of the connection it failed on.
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), (u64, tokio_websockets::Error)>> {
        if !self.unflushed {
            return Poll::Ready(Ok(()));
        }
        let Some((sink, generation)) = self.sink.as_mut() else {
            self.unflushed = false;
            return Poll::Ready(Ok(()));
        };
        let flushed = ready!(sink.poll_flush_unpin(cx));
        self.unflushed = false;
        Poll::Ready(flushed.map_err(|e| (*generation, e)))
    }

    /// [`Writer::poll_flush`] as a future.
    pub async fn flush(&mut self) -> Result<(), (u64, tokio_websockets::Error)> {
        std::future::poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// The generation of the connection in the writer, if any.
    pub fn generation(&self) -> Option<u64> {
        self.sink.as_ref().map(|(_, g)| *g)
    }
}

/// A request waiting for a connection, kept unserialized: it is signed when it is written.
pub(crate) struct Queued {
    pub id: u64,
    pub method: String,
    pub params: Params,
    pub security: Security,
}
