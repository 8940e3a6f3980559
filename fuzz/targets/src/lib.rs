//! Fuzz target bodies: one function per parser or interpreter that takes outside input.
//!
//! Each takes arbitrary bytes, feeds them through the same entry points the engine uses, and
//! panics only when a property that must hold for every input is broken (beyond a panic inside
//! the engine itself, which is always a bug). The cargo-fuzz crate (`fuzz/fuzz_targets/`) calls
//! them under libFuzzer on nightly; `tests/replay.rs` feeds every kept corpus file and crash
//! reproducer through them on stable, so the normal test suite guards what fuzzing found.

mod codec;
mod expression;
mod files;
mod flow;
mod image;
mod spreadsheet;
mod table;
mod template;
mod wire;

pub use codec::codec;
pub use expression::expression;
pub use flow::{flow_json, flow_yaml};
pub use image::image;
pub use spreadsheet::spreadsheet;
pub use table::table;
pub use template::template;
pub use wire::wire;

/// A target's name and body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name its corpus directory and its cargo-fuzz binary have.
pub const TARGETS: &[Target] = &[
    ("flow_json", flow_json),
    ("flow_yaml", flow_yaml),
    ("expression", expression),
    ("template", template),
    ("spreadsheet", spreadsheet),
    ("image", image),
    ("codec", codec),
    ("wire", wire),
    ("table", table),
];

/// Splits fuzz input at the first NUL: the part before and the part after (empty if none).
/// Targets that need two inputs (a source and its data) take them this way, so the corpus
/// files stay readable text.
pub(crate) fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}
