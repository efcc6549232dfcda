//! A small checker of JSON values against the AsyncAPI schemas in `../shared/reference/binance/asyncapi/`:
//! `type`, `properties`, `items`, `required` and `enum`/`const`, which is what those specs use.

use std::path::PathBuf;

use serde_json::Value;

/// The parsed spec, or `None` (with a message printed) when `../shared` is absent.
pub fn load(file: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/binance/asyncapi").join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: ../shared/reference not found ({})", path.display());
        return None;
    };
    Some(serde_yaml_ng::from_str(&text).expect("the AsyncAPI spec parses"))
}

/// The response schema of `method` (`order.place` -> `orderPlaceResponse`), found through the request
/// schema whose `method` const names it.
pub fn response_schema<'a>(spec: &'a Value, method: &str) -> Option<&'a Value> {
    let schemas = spec["components"]["schemas"].as_object()?;
    let (request_name, _) =
        schemas.iter().find(|(name, s)| name.ends_with("Request") && s["properties"]["method"]["const"] == method)?;
    schemas.get(&format!("{}Response", request_name.trim_end_matches("Request")))
}

/// Every method the spec has a request schema for.
pub fn methods(spec: &Value) -> Vec<String> {
    let Some(schemas) = spec["components"]["schemas"].as_object() else { return vec![] };
    schemas.values().filter_map(|s| s["properties"]["method"]["const"].as_str().map(str::to_string)).collect()
}

/// Checks `value` against `schema`; returns every mismatch with its JSON path.
pub fn check(schema: &Value, value: &Value) -> Vec<String> {
    check_allowing_null(schema, value, &[])
}

/// Like [`check`], but `null` is accepted at the given paths (e.g. `$.result.apiKey`): the specs have no
/// nullability, while the docs show `null` there.
pub fn check_allowing_null(schema: &Value, value: &Value, nullable: &[&str]) -> Vec<String> {
    let mut errors = Vec::new();
    walk(schema, value, "$", nullable, &mut errors);
    errors
}

fn walk(schema: &Value, value: &Value, path: &str, nullable: &[&str], errors: &mut Vec<String>) {
    if value.is_null() && nullable.contains(&path) {
        return;
    }
    if let Some(ty) = schema["type"].as_str() {
        let ok = match ty {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: expected {ty}, got {value}"));
            return;
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            errors.push(format!("{path}: expected const {c}, got {value}"));
        }
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(value) {
            errors.push(format!("{path}: {value} not in enum {options:?}"));
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for (name, sub) in props {
            if let Some(v) = obj.get(name) {
                walk(sub, v, &format!("{path}.{name}"), nullable, errors);
            }
        }
        for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !obj.contains_key(name) {
                errors.push(format!("{path}: required property `{name}` missing"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            walk(items, v, &format!("{path}[{i}]"), nullable, errors);
        }
    }
}
