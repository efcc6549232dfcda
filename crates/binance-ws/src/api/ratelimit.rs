//! Rate-limit tracking from the `rateLimits` array of responses.

/// One rate limit's usage, as the latest response reported it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitUsage {
    /// `REQUEST_WEIGHT`, `ORDERS`, `RAW_REQUESTS`, `CONNECTIONS`.
    pub rate_limit_type: String,
    /// `SECOND`, `MINUTE`, `HOUR`, `DAY`.
    pub interval: String,
    /// Multiplier of the interval.
    pub interval_num: u32,
    /// The limit per interval.
    pub limit: u64,
    /// Usage in the current interval.
    pub count: u64,
}

/// The latest usage of every rate limit seen on a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// One entry per (type, interval, intervalNum).
    pub usages: Vec<RateLimitUsage>,
}
