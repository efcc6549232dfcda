//! One WebSocket connection per task.
