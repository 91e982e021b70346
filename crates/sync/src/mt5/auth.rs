//! The Web API handshake's hashes (MetaQuotes, "Connection and
//! authentication"): `password_hash = MD5(MD5(UTF-16LE(password)) ‖ "WebAPI")`,
//! `srv_rand_answer = MD5(password_hash ‖ srv_rand bytes)`, and the server's
//! proof `cli_rand_answer = MD5(password_hash ‖ cli_rand bytes)`.

use crate::error::SyncError;
use md5::{Digest, Md5};

/// `MD5(MD5(UTF-16LE(password)) ‖ "WebAPI")`.
pub fn password_hash(password: &str) -> [u8; 16] {
    let utf16: Vec<u8> = password
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let inner = Md5::digest(&utf16);
    let mut h = Md5::new();
    h.update(inner);
    h.update(b"WebAPI");
    h.finalize().into()
}

/// `MD5(password_hash ‖ random bytes)` as lowercase hex: the answer to a
/// server's `srv_rand` (or the server's to our `cli_rand`).
pub fn rand_answer(password: &str, random: &[u8]) -> String {
    let mut h = Md5::new();
    h.update(password_hash(password));
    h.update(random);
    hex::encode(h.finalize())
}

/// The answer to `srv_rand` as the server sends it (hex).
pub fn srv_rand_answer(password: &str, srv_rand_hex: &str) -> Result<String, SyncError> {
    let bytes = hex::decode(srv_rand_hex.trim()).map_err(|_| {
        SyncError::Auth(format!(
            "the server's srv_rand '{srv_rand_hex}' is not hex: is this an MT5 Web API address?"
        ))
    })?;
    Ok(rand_answer(password, &bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors computed independently (Python hashlib, as MetaQuotes'
    /// description reads): password_hash = md5(md5("Password1".encode("utf-16-le")) + b"WebAPI").
    #[test]
    fn handshake_vectors() {
        assert_eq!(hex::encode(password_hash("Password1")), PASSWORD1_HASH);
        let srv_rand = "4f7b3a21c9d8e6f1a2b3c4d5e6f70819";
        assert_eq!(
            srv_rand_answer("Password1", srv_rand).unwrap(),
            PASSWORD1_ANSWER
        );
        assert!(srv_rand_answer("Password1", "zz").is_err());
        assert_ne!(
            srv_rand_answer("password1", srv_rand).unwrap(),
            PASSWORD1_ANSWER
        );
    }

    const PASSWORD1_HASH: &str = "904ba8ecb16273d2f0ae9c3b8a023752";
    const PASSWORD1_ANSWER: &str = "eb65fb6bcc135e53dae91df2911a109e";
}
