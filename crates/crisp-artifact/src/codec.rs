//! The one place that knows the serialization crate. bincode 2.0.1 today (3.0.0 is a
//! non-compiling tombstone); swapping in a bincode-compatible crate touches only this file.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// No decoded section may claim more than this many bytes: a corrupted or hostile length
/// prefix fails here instead of allocating gigabytes.
pub const DECODE_LIMIT: usize = 1 << 30;

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encode `value`.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    bincode::serde::encode_to_vec(value, config()).map_err(|e| e.to_string())
}

/// Decode a `T` that must fill `bytes` exactly.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (value, used) =
        bincode::serde::decode_from_slice(bytes, config().with_limit::<DECODE_LIMIT>())
            .map_err(|e| e.to_string())?;
    if used != bytes.len() {
        return Err(format!(
            "{} trailing bytes after the encoded value",
            bytes.len() - used
        ));
    }
    Ok(value)
}
