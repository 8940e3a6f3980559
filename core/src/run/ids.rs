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
