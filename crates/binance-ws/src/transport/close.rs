//! Which close codes mean "try again" and which mean "stop".

/// What a close from the server means for reconnecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// Normal or transient: reconnect.
    Retry,
    /// The server refused us for a reason a reconnect will not fix (policy, bad request): report and stop.
    Permanent,
}

/// Classifies a WebSocket close code.
///
/// 1008 (policy violation) is what Binance sends when a client breaks the message-rate limit; it is retried
/// (after backoff) because the client's own limiter should have prevented it, but 1002/1003/1007/1009/1010
/// and 4xxx application codes that denote refusal are permanent.
pub fn classify_close(code: u16) -> CloseKind {
    match code {
        1002 | 1003 | 1007 | 1009 | 1010 => CloseKind::Permanent,
        4000..=4999 => CloseKind::Permanent,
        _ => CloseKind::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_and_server_going_away_are_retried_protocol_refusals_are_not() {
        for code in [1000, 1001, 1006, 1008, 1011, 1012, 1013] {
            assert_eq!(classify_close(code), CloseKind::Retry, "{code}");
        }
        for code in [1002, 1003, 1007, 1009, 4001] {
            assert_eq!(classify_close(code), CloseKind::Permanent, "{code}");
        }
    }
}
