//! cargo-fuzz entry point; the body is `atomiton_fuzz_targets::table` (shared with the stable replay test).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| atomiton_fuzz_targets::table(data));
