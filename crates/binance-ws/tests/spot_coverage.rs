//! Every method of the Spot WebSocket API, as named by the docs' request examples and by the
//! AsyncAPI spec, has an `ApiRequest` type (listed in `binance_ws::spot::METHODS`), and every
//! listed method exists in the docs.

use std::collections::BTreeSet;

use binance_ws::spot::METHODS;

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/binance");

/// `"method": "<name>"` values of the request examples in `web-socket-api.md`.
fn doc_methods(doc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = doc;
    while let Some(at) = rest.find("\"method\"") {
        rest = &rest[at + "\"method\"".len()..];
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        if let Some(value) = after_colon.and_then(|s| s.strip_prefix('"')) {
            if let Some(end) = value.find('"') {
                let m = &value[..end];
                out.insert(m.strip_prefix("v3/").unwrap_or(m).to_owned());
            }
        }
    }
    out
}

/// The `const`/`enum` values of the `method` properties of `spot.yaml`'s messages.
fn asyncapi_methods(yaml: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != "method:" {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let mut j = i + 1;
        while j < lines.len() {
            let l = lines[j];
            let l_indent = l.len() - l.trim_start().len();
            if !l.trim().is_empty() && l_indent <= indent {
                break;
            }
            let t = l.trim();
            if let Some(v) = t.strip_prefix("const:") {
                out.insert(v.trim().trim_matches(|c| c == '"' || c == '\'').to_owned());
            } else if t == "enum:" {
                let mut k = j + 1;
                while let Some(item) = lines.get(k).and_then(|l| l.trim().strip_prefix("- ")) {
                    out.insert(item.trim().trim_matches(|c| c == '"' || c == '\'').to_owned());
                    k += 1;
                }
            }
            j += 1;
        }
    }
    out
}

#[test]
fn every_documented_method_has_a_request_type() {
    let doc = std::fs::read_to_string(format!("{REFERENCE}/spot-docs/web-socket-api.md"));
    let yaml = std::fs::read_to_string(format!("{REFERENCE}/asyncapi/spot.yaml"));
    let (Ok(doc), Ok(yaml)) = (doc, yaml) else {
        println!("skipped: ../shared/reference not found");
        return;
    };
    let ours: BTreeSet<String> = METHODS.iter().map(|m| m.to_string()).collect();
    let from_doc = doc_methods(&doc);
    let from_spec = asyncapi_methods(&yaml);
    assert!(from_doc.len() > 50, "found only {} methods in the docs: {from_doc:?}", from_doc.len());
    assert!(from_spec.len() > 40, "found only {} methods in spot.yaml: {from_spec:?}", from_spec.len());
    println!("docs: {} methods, spot.yaml: {} methods, typed: {}", from_doc.len(), from_spec.len(), ours.len());

    let missing_doc: Vec<_> = from_doc.difference(&ours).collect();
    let missing_spec: Vec<_> = from_spec.difference(&ours).collect();
    assert!(
        missing_doc.is_empty() && missing_spec.is_empty(),
        "methods without an ApiRequest impl: from web-socket-api.md {missing_doc:?}, from asyncapi/spot.yaml {missing_spec:?}"
    );
    let invented: Vec<_> = ours.difference(&from_doc).collect();
    assert!(invented.is_empty(), "typed methods that web-socket-api.md does not document: {invented:?}");
}
