//! Every method of the USDⓈ-M WebSocket API, as named by `umfutures.yaml`, by the listen key methods of
//! `umfutures-streams.yaml` and by the request examples of the USDⓈ-M pages, has a typed request
//! (listed in `binance_ws::usdm::METHODS`), and every typed method is documented there.

mod futures_common;

use std::collections::BTreeSet;

use binance_ws::usdm::METHODS;
use futures_common::{requests, spec, spec_methods};

#[test]
fn every_documented_method_has_a_typed_request() {
    let (Some(api_spec), Some(streams_spec)) = (spec("umfutures.yaml"), spec("umfutures-streams.yaml")) else { return };
    let from_spec = spec_methods(&api_spec);
    // The streams spec also has the market stream control messages (SUBSCRIBE, ...): keep the listen key ones.
    let from_streams: BTreeSet<String> =
        spec_methods(&streams_spec).into_iter().filter(|m| m.starts_with("userDataStream.")).collect();
    let from_docs: BTreeSet<String> = requests("umfutures-").into_iter().map(|(_, m, _)| m).collect();
    let ours: BTreeSet<String> = METHODS.iter().map(|m| m.to_string()).collect();
    println!(
        "umfutures.yaml: {} methods, streams spec: {}, pages: {}, typed: {}",
        from_spec.len(),
        from_streams.len(),
        from_docs.len(),
        ours.len()
    );
    assert!(from_spec.len() >= 10, "found only {from_spec:?} in umfutures.yaml");
    assert_eq!(from_streams.len(), 3, "listen key methods of the streams spec: {from_streams:?}");
    let documented: BTreeSet<String> = from_spec.iter().chain(&from_streams).chain(&from_docs).cloned().collect();
    let missing: Vec<_> = documented.difference(&ours).collect();
    assert!(missing.is_empty(), "documented methods without a typed request: {missing:?}");
    let invented: Vec<_> = ours.difference(&documented).collect();
    assert!(invented.is_empty(), "typed methods the reference does not document: {invented:?}");
}
