//! Execution ids: `exec_<uuid v4>` as the TypeScript engine `generateExecutionId`.

/// A version-4 UUID from a source of uniform `[0, 1)` numbers (the host's, so tests are
/// deterministic and no OS randomness is needed in wasm).
pub fn uuid_v4(mut random: impl FnMut() -> f64) -> String {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(4) {
        let word = (random() * 4_294_967_296.0) as u32;
        chunk.copy_from_slice(&word.to_be_bytes()[..chunk.len()]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// `exec_<uuid>`.
pub(super) fn execution_id(random: impl FnMut() -> f64) -> String {
    format!("exec_{}", uuid_v4(random))
}

/// A run's id as an embedder asks for it before starting the run (to register its cancel and
/// announce its start): `given` when it is not empty, else a fresh `exec_<uuid>`. The one rule
/// for ids, whoever asks: [`RunOptions::execution_id`](super::RunOptions::execution_id) uses
/// the same maker.
pub fn new_execution_id(given: &str, random: impl FnMut() -> f64) -> String {
    if given.is_empty() {
        execution_id(random)
    } else {
        given.to_owned()
    }
}
