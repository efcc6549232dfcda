//! cargo-fuzz target `api_reply`: see crates/binance-ws/tests/decoder_harness/mod.rs for what is checked.
#![no_main]

include!("../../crates/binance-ws/tests/decoder_harness/mod.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| decoders::api_reply(data));
