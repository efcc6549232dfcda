//! Reading request parameters the way Binance does: strings or numbers, with its error codes.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::ApiErr;

/// A request's `params` object.
pub type Params = Map<String, Value>;

/// Typed access to params with Binance's errors.
pub trait ParamsExt {
    /// A string parameter (numbers are accepted and rendered).
    fn opt_str(&self, name: &str) -> Result<Option<String>, ApiErr>;
    /// A required string parameter.
    fn req_str(&self, name: &str) -> Result<String, ApiErr> {
        self.opt_str(name)?.ok_or_else(|| ApiErr::mandatory(name))
    }
    /// An integer parameter.
    fn opt_u64(&self, name: &str) -> Result<Option<u64>, ApiErr>;
    /// A required integer parameter.
    fn req_u64(&self, name: &str) -> Result<u64, ApiErr> {
        self.opt_u64(name)?.ok_or_else(|| ApiErr::mandatory(name))
    }
    /// A decimal parameter (sent as a string or number).
    fn opt_decimal(&self, name: &str) -> Result<Option<Decimal>, ApiErr>;
    /// A required decimal parameter.
    fn req_decimal(&self, name: &str) -> Result<Decimal, ApiErr> {
        self.opt_decimal(name)?.ok_or_else(|| ApiErr::mandatory(name))
    }
    /// A boolean parameter.
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiErr>;
    /// A list of strings (JSON array).
    fn opt_str_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiErr>;
}

impl ParamsExt for Params {
    fn opt_str(&self, name: &str) -> Result<Option<String>, ApiErr> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Err(ApiErr::mandatory(name)),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(ApiErr::mandatory(name)),
        }
    }

    fn opt_u64(&self, name: &str) -> Result<Option<u64>, ApiErr> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| ApiErr::illegal_chars(name)),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ApiErr::illegal_chars(name)),
            Some(_) => Err(ApiErr::illegal_chars(name)),
        }
    }

    fn opt_decimal(&self, name: &str) -> Result<Option<Decimal>, ApiErr> {
        let text = match self.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(ApiErr::mandatory(name)),
        };
        Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map(Some)
            .map_err(|_| ApiErr::new(-1100, format!("Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.")))
    }

    fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiErr> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(ApiErr::invalid(name)),
        }
    }

    fn opt_str_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiErr> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(|| ApiErr::invalid(name)))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ApiErr::invalid(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_strings_numbers_and_decimals_like_binance() {
        let p: Params = serde_json::from_value(json!({
            "symbol": "BTCUSDT", "limit": 10, "limitStr": "20", "price": "52000.00", "qty": 0.5, "flag": true, "bad": "x1"
        }))
        .unwrap();
        assert_eq!(p.req_str("symbol").unwrap(), "BTCUSDT");
        assert_eq!(p.req_u64("limit").unwrap(), 10);
        assert_eq!(p.req_u64("limitStr").unwrap(), 20);
        assert_eq!(p.req_decimal("price").unwrap().to_string(), "52000.00");
        assert_eq!(p.req_decimal("qty").unwrap().to_string(), "0.5");
        assert_eq!(p.opt_bool("flag").unwrap(), Some(true));
        assert_eq!(p.req_u64("bad").unwrap_err().code, -1100);
        let missing = p.req_str("side").unwrap_err();
        assert_eq!(missing.code, -1102);
        assert!(missing.msg.contains("'side'"));
    }
}
