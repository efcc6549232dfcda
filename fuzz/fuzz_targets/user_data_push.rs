//! cargo-fuzz target `user_data_push`: see crates/binance-ws/tests/decoder_harness/mod.rs for what is checked.
#![no_main]

include!("../../crates/binance-ws/tests/decoder_harness/mod.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| decoders::user_data_push(data));
