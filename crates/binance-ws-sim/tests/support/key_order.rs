//! Key sets and key order of JSON objects against a reference order (an AsyncAPI schema's `properties`, or a
//! docs example), nested objects and arrays of objects included. This crate builds serde_json with
//! `preserve_order`, so a parsed frame keeps the order its keys had on the wire, and so does a parsed spec.
#![allow(dead_code)]

use serde_json::{Map, Value};

/// The keys of an object in their order.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// What a reference allows beyond its own keys, in that order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Leeway<'a> {
    /// Reference keys that may be missing (the reference calls them conditional).
    pub may_be_absent: &'a [&'a str],
    /// Keys the reference does not order but names elsewhere (e.g. a table of conditional fields): they may
    /// appear anywhere.
    pub may_be_extra: &'a [&'a str],
}

/// Compares the keys of `got` with `reference`: no key outside the reference (or `may_be_extra`), no reference
/// key missing (unless `may_be_absent`), and the reference keys present in the reference's order.
pub fn check(got: &Value, reference: &[String], leeway: Leeway) -> Result<(), String> {
    let got_keys = keys(got);
    let extra: Vec<&String> =
        got_keys.iter().filter(|k| !reference.contains(k) && !leeway.may_be_extra.contains(&k.as_str())).collect();
    let missing: Vec<&String> =
        reference.iter().filter(|k| !got_keys.contains(k) && !leeway.may_be_absent.contains(&k.as_str())).collect();
    if !extra.is_empty() || !missing.is_empty() {
        return Err(format!(
            "key set: extra {extra:?}, missing {missing:?} (got {got_keys:?}, reference {reference:?})"
        ));
    }
    let ordered_got: Vec<&String> = got_keys.iter().filter(|k| reference.contains(k)).collect();
    let ordered_ref: Vec<&String> = reference.iter().filter(|k| got_keys.contains(k)).collect();
    if ordered_got != ordered_ref {
        return Err(format!("key order: got {ordered_got:?}, reference {ordered_ref:?}"));
    }
    Ok(())
}

/// The sub-schema at `path` below `schema`: `""` is the schema itself, `"o"` its property `o`, `"a.B[]"` the
/// items of the array `B` in the object `a`.
pub fn sub_schema<'a>(schema: &'a Value, path: &str) -> &'a Value {
    let mut s = schema;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, items) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        s = &s["properties"][name];
        if items {
            s = &s["items"];
        }
        assert!(s.is_object(), "no schema at {path}");
    }
    s
}

/// A schema's property names in their order.
pub fn property_order(schema: &Value) -> Vec<String> {
    schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

/// Compares `value` with `schema` key by key and order, then recurses into every property that is an object
/// schema or an array of object schemas. Keys not in the schema's `required` list (when it has one) and keys in
/// `absent` (as `path.key`, `""` being the top) may be missing. Returns every mismatch with its path.
pub fn check_schema(schema: &Value, value: &Value, path: &str, absent: &[&str]) -> Vec<String> {
    let mut errors = Vec::new();
    let reference = property_order(schema);
    let mut may_be_absent: Vec<&str> =
        absent.iter().filter_map(|a| a.rsplit_once(':').filter(|(p, _)| *p == path).map(|(_, k)| k)).collect();
    if let Some(req) = schema["required"].as_array() {
        may_be_absent.extend(reference.iter().filter(|k| !req.iter().any(|r| r == k.as_str())).map(String::as_str));
    }
    if let Err(e) = check(value, &reference, Leeway { may_be_absent: &may_be_absent, may_be_extra: &[] }) {
        errors.push(format!("{}: {e}", if path.is_empty() { "$" } else { path }));
    }
    for (k, sub) in schema["properties"].as_object().into_iter().flatten() {
        let Some(v) = value.get(k) else { continue };
        let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        match (sub["type"].as_str(), v) {
            (Some("object"), Value::Object(_)) if sub.get("properties").is_some() => {
                errors.extend(check_schema(sub, v, &child, absent))
            }
            (Some("array"), Value::Array(items)) if sub["items"].get("properties").is_some() => {
                for item in items {
                    errors.extend(check_schema(&sub["items"], item, &format!("{child}[]"), absent));
                }
            }
            _ => {}
        }
    }
    errors
}

/// Puts the properties of the sub-schema at `path` in the order `docs_say`, after checking that the spec still
/// orders them as `spec_says` (if the spec changed, the correction must be looked at again).
pub fn reorder(schema: &mut Value, path: &str, spec_says: &[&str], docs_say: &[&str], source: &str) {
    let mut s = schema;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, items) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        s = &mut s["properties"][name];
        if items {
            s = &mut s["items"];
        }
    }
    let Some(props) = s["properties"].as_object_mut() else { panic!("no properties at {path}") };
    let now: Vec<&str> = props.keys().map(String::as_str).collect();
    assert_eq!(now, spec_says, "the spec's order at {path} changed: revisit the correction from {source}");
    let mut sorted = Map::new();
    for k in docs_say {
        let v = props.remove(*k).unwrap_or_else(|| panic!("{k} is not in the spec at {path}"));
        sorted.insert(k.to_string(), v);
    }
    assert!(props.is_empty(), "the correction from {source} leaves out {:?}", props.keys().collect::<Vec<_>>());
    *props = sorted;
}
