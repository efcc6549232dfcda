//! The refusal of a client-side check.

use std::fmt;

/// Why an order was refused before sending: which field, its value, the rule it breaks and what
/// would be accepted.
///
/// ```
/// use binance_ws::validate::ValidationError;
/// let e = ValidationError::new("price", Some("100.005"), "is not a multiple of tickSize 0.01 (PRICE_FILTER)", "100.00 or 100.01 (nearest)");
/// assert_eq!(
///     e.to_string(),
///     "price 100.005 is not a multiple of tickSize 0.01 (PRICE_FILTER); accepted: 100.00 or 100.01 (nearest)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The parameter as sent on the wire, with its order list prefix (`price`, `aboveStopPrice`).
    pub field: String,
    /// The value as it would have been sent; `None` when the parameter is missing.
    pub value: Option<String>,
    /// The rule that failed, naming its source (the filter, or the order type's parameter table).
    pub rule: String,
    /// What would be accepted instead.
    pub accepted: String,
}

impl ValidationError {
    /// A refusal of `field` (with `value`, or missing when `None`).
    pub fn new(
        field: impl Into<String>,
        value: Option<impl ToString>,
        rule: impl Into<String>,
        accepted: impl Into<String>,
    ) -> Self {
        ValidationError {
            field: field.into(),
            value: value.map(|v| v.to_string()),
            rule: rule.into(),
            accepted: accepted.into(),
        }
    }

    /// A mandatory parameter that is missing.
    pub(crate) fn missing(field: impl Into<String>, rule: impl Into<String>, accepted: impl Into<String>) -> Self {
        ValidationError { field: field.into(), value: None, rule: rule.into(), accepted: accepted.into() }
    }

    /// The filter named in the rule (`PRICE_FILTER`, ...), when a symbol or exchange filter refused.
    pub fn filter(&self) -> Option<&str> {
        let start = self.rule.rfind('(')?;
        let name = self.rule[start + 1..].strip_suffix(')')?;
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')).then_some(name)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{} {} {}", self.field, v, self.rule)?,
            None => write!(f, "{} (not sent) {}", self.field, self.rule)?,
        }
        if !self.accepted.is_empty() {
            write!(f, "; accepted: {}", self.accepted)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for crate::Error {
    fn from(e: ValidationError) -> Self {
        crate::Error::Validation(Box::new(e))
    }
}
