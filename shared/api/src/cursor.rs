//! Opaque pagination cursors, bound to the user they were minted for.
//!
//! A cursor is `base64url(position) "." base64url(HMAC-SHA256(key, "v1" | owner | position))`.
//! The owner is not in the token, only in the MAC: a cursor replayed by another user, or
//! edited by hand, fails verification.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const MAX_CURSOR_CHARS: usize = 512;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the cursor is malformed, was tampered with, or belongs to another user")]
pub struct InvalidCursor;

pub struct CursorCodec<'a> {
    key: &'a [u8],
}

impl<'a> CursorCodec<'a> {
    pub fn new(key: &'a [u8]) -> Self {
        Self { key }
    }

    pub fn encode(&self, owner: &str, position: &str) -> String {
        let mac = self.mac(owner, position.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(position),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    pub fn decode(&self, owner: &str, cursor: &str) -> Result<String, InvalidCursor> {
        if cursor.len() > MAX_CURSOR_CHARS {
            return Err(InvalidCursor);
        }
        let (position, tag) = cursor.split_once('.').ok_or(InvalidCursor)?;
        let position = URL_SAFE_NO_PAD
            .decode(position)
            .map_err(|_| InvalidCursor)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| InvalidCursor)?;
        // verify_slice compares in constant time.
        self.mac(owner, &position)
            .verify_slice(&tag)
            .map_err(|_| InvalidCursor)?;
        String::from_utf8(position).map_err(|_| InvalidCursor)
    }

    fn mac(&self, owner: &str, position: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key).expect("HMAC takes keys of any length");
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        mac.update(b"visions-cursor-v1");
        mac.update(&(owner.len() as u64).to_be_bytes());
        mac.update(owner.as_bytes());
        mac.update(position);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips_for_its_owner() {
        let codec = CursorCodec::new(KEY);
        let cursor = codec.encode("alice", "0190c5a0-0000-7000-8000-000000000001");
        assert_eq!(
            codec.decode("alice", &cursor).unwrap(),
            "0190c5a0-0000-7000-8000-000000000001"
        );
    }

    #[test]
    fn refuses_other_owner_tampering_and_garbage() {
        let codec = CursorCodec::new(KEY);
        let cursor = codec.encode("alice", "p1");
        assert_eq!(codec.decode("bob", &cursor), Err(InvalidCursor));
        let (_, tag) = cursor.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("p2"));
        assert_eq!(codec.decode("alice", &forged), Err(InvalidCursor));
        assert_eq!(
            CursorCodec::new(b"another key").decode("alice", &cursor),
            Err(InvalidCursor)
        );
        for garbage in ["", ".", "abc", "!!!.!!!", &"a".repeat(600)] {
            assert_eq!(codec.decode("alice", garbage), Err(InvalidCursor));
        }
    }
}
