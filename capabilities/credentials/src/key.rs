//! The key credentials are sealed with: 32 bytes, given to a process as 64 hex digits or as
//! base64. Where it comes from (an environment variable, a key file) is the binding's business;
//! this reads its text and keeps it out of every `Debug`.

/// A 256-bit key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub(crate) [u8; 32]);

impl Key {
    /// The key `text` spells: 64 hex digits, or the base64 of 32 bytes (surrounding whitespace,
    /// a key file's newline, ignored). The error never quotes the text.
    pub fn parse(text: &str) -> Result<Key, String> {
        use base64::Engine as _;
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[i * 2..i * 2 + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| WRONG_FORM.to_owned())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| WRONG_FORM.to_owned())?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| WRONG_FORM.to_owned())?;
        Ok(Key(key))
    }

    /// A new random key (from the OS).
    pub fn random() -> Result<Key, String> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| format!("no randomness for a key: {e}"))?;
        Ok(Key(key))
    }

    /// The key as 64 hex digits: what a new key file holds.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

const WRONG_FORM: &str =
    "the credentials key must be 64 hex digits or the base64 of 32 bytes (`openssl rand -hex 32`)";

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn hex_and_base64_spell_the_same_key() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let key = Key::parse(&format!("{hex}\n")).unwrap();
        assert_eq!(key.to_hex(), hex);
        let base64 = "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=";
        assert_eq!(Key::parse(base64).unwrap(), key);
        assert_eq!(format!("{key:?}"), "Key(..)");
    }

    #[test]
    fn other_text_is_refused_without_being_quoted() {
        for text in ["", "secret-passphrase", "0011", &"g".repeat(64), "AAAA"] {
            let error = Key::parse(text).unwrap_err();
            assert!(text.is_empty() || !error.contains(text), "{error}");
        }
    }
}
