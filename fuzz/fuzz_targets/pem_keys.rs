//! cargo-fuzz target `pem_keys`: see crates/binance-ws/tests/decoder_harness/mod.rs for what is checked.
#![no_main]

include!("../../crates/binance-ws/tests/decoder_harness/mod.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| decoders::pem_keys(data));
