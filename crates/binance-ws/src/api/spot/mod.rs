//! The Spot WebSocket API, typed (lands with its helper).
