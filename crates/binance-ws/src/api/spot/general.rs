//! General requests: connectivity, server time, exchange information, execution rules.

use super::models::{Empty, ExchangeInfo, ExecutionRules, ServerTime};
use super::{requests, Symbols};
use crate::model::SymbolStatus;

requests! {
    api: crate::api::spot::Api;

    /// Tests connectivity.
    ping => Ping("ping", None) -> Empty {}

    /// The server's current time.
    time => Time("time", None) -> ServerTime {}

    /// Trading rules, rate limits and symbol information. Only one of `symbols` (one or
    /// several), `permissions` or `symbol_status` may be given.
    exchange_info => ExchangeInfoRequest("exchangeInfo", None) -> ExchangeInfo {
        opt symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`).",
        opt permissions: into Vec<String> = "permissions"; "Only symbols with these permissions.",
        opt show_permission_sets: val bool = "showPermissionSets"; "Whether `permissionSets` is filled (default true).",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this trading status (`TRADING`, `HALT`, `BREAK`).",
    }

    /// Execution rules (e.g. `PRICE_RANGE`) of one, several or all symbols.
    execution_rules => ExecutionRulesRequest("executionRules", None) -> ExecutionRules {
        opt symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`).",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status (`TRADING`, `HALT`, `BREAK`).",
    }
}
