//! Reading Binance's reference material: the markdown docs' `javascript` examples (with their `//`
//! comments) and AsyncAPI payload schemas turned into example payloads from their field examples.

use std::path::PathBuf;

use serde_json::{Map, Value};

/// A file under shared/reference/binance, or `None` (with a printed SKIPPED) when it is not there.
pub fn reference(rel: &str) -> Option<String> {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../../../shared/reference/binance", rel].iter().collect();
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("SKIPPED: reference file {} not readable ({e}); nothing to check", p.display());
            None
        }
    }
}

/// The ```javascript blocks of a markdown file that parse as JSON once `//` comments are removed.
pub fn javascript_examples(md: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = md[pos..].find("```javascript") {
        let start = pos + start + "```javascript".len();
        let Some(len) = md[start..].find("```") else { break };
        let end = start + len;
        pos = end + 3;
        if let Ok(v) = serde_json::from_str(&strip_comments(&md[start..end])) {
            out.push(v);
        }
    }
    out
}

/// Removes `// comments` outside strings.
pub fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

// ---- a small YAML reader for the AsyncAPI files (block maps, block sequences, scalars, `|` blocks) ----

#[derive(Debug, Clone)]
pub enum Y {
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    Str(String),
}

impl Y {
    pub fn get(&self, k: &str) -> Option<&Y> {
        match self {
            Y::Map(m) => m.iter().find(|(key, _)| key == k).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Y::Str(s) => Some(s),
            Y::Seq(items) => items.first().and_then(Y::str),
            _ => None,
        }
    }
}

pub fn parse_yaml(src: &str) -> Y {
    let ls: Vec<(usize, String)> = src
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| (l.len() - l.trim_start().len(), l.trim().to_string()))
        .collect();
    let mut i = 0;
    parse_block(&ls, &mut i, 0)
}

fn parse_block(ls: &[(usize, String)], i: &mut usize, indent: usize) -> Y {
    if *i < ls.len() && ls[*i].1.starts_with("- ") && ls[*i].0 == indent {
        let mut seq = Vec::new();
        while *i < ls.len() && ls[*i].0 == indent && ls[*i].1.starts_with("- ") {
            seq.push(Y::Str(ls[*i].1[2..].to_string()));
            *i += 1;
            while *i < ls.len() && ls[*i].0 > indent {
                *i += 1;
            }
        }
        return Y::Seq(seq);
    }
    let mut map = Vec::new();
    while *i < ls.len() && ls[*i].0 == indent {
        let line = ls[*i].1.clone();
        *i += 1;
        let (key, value) = match line.split_once(':') {
            Some((k, v)) => (k.trim().trim_matches('\'').trim_matches('"').to_string(), v.trim().to_string()),
            None => continue,
        };
        if value.starts_with('|') || value.starts_with('>') {
            while *i < ls.len() && ls[*i].0 > indent {
                *i += 1;
            }
            map.push((key, Y::Str(String::new())));
        } else if value.is_empty() {
            if *i < ls.len() && (ls[*i].0 > indent || (ls[*i].0 == indent && ls[*i].1.starts_with("- "))) {
                let child_indent = ls[*i].0;
                map.push((key, parse_block(ls, i, child_indent)));
            } else {
                map.push((key, Y::Str(String::new())));
            }
        } else {
            map.push((key, Y::Str(value)));
        }
    }
    Y::Map(map)
}

fn scalar(raw: &str, ty: Option<&str>) -> Value {
    let v: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.trim_matches('\'').to_string()));
    match (ty, v) {
        (Some("string"), Value::Number(n)) => Value::String(n.to_string()),
        (_, v) => v,
    }
}

/// An example value of `schema`: its `example` or `const`, or one built from its properties.
pub fn example(schema: &Y, schemas: &Y) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Y::str) {
        let name = r.trim_matches('\'').rsplit('/').next().unwrap_or_default();
        return example(schemas.get(name).unwrap_or_else(|| panic!("no schema {name}")), schemas);
    }
    let ty = schema.get("type").and_then(Y::str);
    if let Some(e) = schema.get("example").and_then(Y::str) {
        return scalar(e, ty);
    }
    if let Some(c) = schema.get("const").and_then(Y::str) {
        return scalar(c, ty);
    }
    match ty {
        Some("object") => {
            let mut m = Map::new();
            if let Some(Y::Map(props)) = schema.get("properties") {
                for (k, v) in props {
                    m.insert(k.clone(), example(v, schemas));
                }
            }
            Value::Object(m)
        }
        Some("array") => Value::Array(vec![schema.get("items").map(|i| example(i, schemas)).unwrap_or(Value::Null)]),
        Some("integer") | Some("number") => Value::from(0),
        Some("boolean") => Value::from(false),
        _ => Value::from(""),
    }
}
