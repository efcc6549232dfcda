//! The `spot_e2e_*` tests together exercise every method of `spot::METHODS`: each test asserts it
//! exercised exactly its entry of `PLAN`, and here the entries together must be `METHODS`, each once.

mod spot_e2e_common;

use std::collections::BTreeSet;

use binance_ws::spot::METHODS;
use spot_e2e_common::PLAN;

#[test]
fn every_method_is_exercised_end_to_end() {
    let mut covered = BTreeSet::new();
    for (test, methods) in PLAN {
        for m in *methods {
            assert!(covered.insert(*m), "{m} is planned twice (again in {test})");
        }
    }
    let all: BTreeSet<&str> = METHODS.iter().copied().collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&all).collect();
    assert!(missing.is_empty(), "methods no e2e test exercises: {missing:?}");
    assert!(unknown.is_empty(), "planned methods that spot::METHODS does not list: {unknown:?}");
    assert_eq!(covered.len(), 55);
}

/// Every test named in PLAN exists in its file (so an entry cannot outlive its test).
#[test]
fn every_planned_test_exists() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    for (test, _) in PLAN {
        let (file, name) = test.split_once("::").unwrap();
        let text = std::fs::read_to_string(format!("{dir}/{file}.rs")).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(text.contains(&format!("async fn {name}()")), "{test} not found");
        assert!(text.contains(&format!("cov.finish(\"{test}\")")), "{test} does not check its coverage");
    }
}
