//! The one definition of the stable hash: Blake2b with an 8- or 16-byte
//! output.
//!
//! Ids minted here are persisted and compared against ids minted by the
//! Python side (`hashlib.blake2b(data, digest_size=8 | 16)`), so every byte
//! of this module is part of a cross-language contract: the output length is
//! a Blake2b *parameter* (it changes the initial state), never a truncation
//! of a longer digest.

use std::fmt;

use blake2::Blake2b;
use blake2::digest::Digest;
use blake2::digest::consts::{U8, U16};

/// Joins the parts of a multi-part input; U+001F (unit separator) is chosen
/// because it practically never occurs in identifiers, so `("a", "b:c")` and
/// `("a:b", "c")` hash differently.
pub const PART_SEPARATOR: &str = "\u{1F}";

/// Stands in for a NULL part, so a missing part still changes the hash (and
/// differs from an empty part).
pub const NULL_PART: &str = "__NULL__";

/// Keeps the 64-bit hash non-negative, so it survives a round trip through
/// signed 64-bit columns in every engine and language that stores it.
const HASH64_MASK: u64 = 0x7FFF_FFFF_FFFF_FFFF;

/// The 64-bit stable hash of `data`: Blake2b-64, read big-endian, masked to
/// 63 bits.
pub fn hash64(data: &[u8]) -> i64 {
    to_i64(Blake2b::<U8>::digest(data).into())
}

/// The 128-bit stable hash of `data`, as 32 lower-case hex digits.
pub fn hash128(data: &[u8]) -> Hex128 {
    Hex128::from_digest(Blake2b::<U16>::digest(data).into())
}

/// [`hash64`] of the parts joined by [`PART_SEPARATOR`], a NULL part reading
/// as [`NULL_PART`].
///
/// The parts are streamed into the hasher rather than joined first, which
/// gives the same digest without copying every row into a scratch buffer.
pub fn hash64_parts<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> i64 {
    to_i64(digest_parts::<Blake2b<U8>>(parts).into())
}

/// [`hash128`] of the parts joined by [`PART_SEPARATOR`], a NULL part reading
/// as [`NULL_PART`].
pub fn hash128_parts<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> Hex128 {
    Hex128::from_digest(digest_parts::<Blake2b<U16>>(parts).into())
}

fn digest_parts<'a, D: Digest>(
    parts: impl IntoIterator<Item = Option<&'a str>>,
) -> blake2::digest::Output<D> {
    let mut hasher = D::new();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            hasher.update(PART_SEPARATOR);
        }
        hasher.update(part.unwrap_or(NULL_PART));
    }
    hasher.finalize()
}

fn to_i64(digest: [u8; 8]) -> i64 {
    // The mask clears the sign bit, so the cast cannot wrap.
    (u64::from_be_bytes(digest) & HASH64_MASK) as i64
}

/// A 128-bit stable hash rendered as 32 lower-case hex digits, kept on the
/// stack so a kernel can append it to a builder without allocating per row.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hex128([u8; 32]);

impl Hex128 {
    fn from_digest(digest: [u8; 16]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 32];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0F)];
        }
        Self(hex)
    }

    /// The hex digits as a string slice.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

impl fmt::Display for Hex128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Hex128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hex128({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every expected value below comes from Python's hashlib.blake2b
    // (digest_size=8 read big-endian and masked to 63 bits, or
    // digest_size=16 hexdigest), not from this module.

    #[test]
    fn hash64_matches_hashlib() {
        assert_eq!(hash64(b"alpha"), 5982700193828047002);
        assert_eq!(hash64(b""), 7252660547403494068);
        assert_eq!(hash64("e\u{301}".as_bytes()), 4199404984407003245);
        assert_eq!(hash64("🦀".as_bytes()), 4397792007730043932);
        assert_eq!(hash64("漢字".as_bytes()), 8423340892405699402);
    }

    #[test]
    fn hash128_matches_hashlib() {
        assert_eq!(
            hash128(b"alpha").as_str(),
            "b52f7e54cd313e691148cc2c80345831"
        );
        assert_eq!(hash128(b"").as_str(), "cae66941d9efbd404e4d88758ea67670");
        assert_eq!(
            hash128("漢字".as_bytes()).to_string(),
            "a8ca5932fcbe1d33596ecdb29060c747"
        );
    }

    #[test]
    fn parts_hash_like_their_joined_text() {
        // "a\x1fb" and "a\x1f__NULL__\x1fc" through hashlib.blake2b.
        assert_eq!(hash64_parts([Some("a"), Some("b")]), 8668388485945676816);
        assert_eq!(
            hash128_parts([Some("a"), None, Some("c")]).as_str(),
            "3a6441aab629b2a05a699e32c0b5d935"
        );
        assert_eq!(
            hash64_parts([Some("x"), Some("y")]),
            hash64("x\u{1F}y".as_bytes())
        );
        assert_eq!(hash64_parts([None]), hash64(NULL_PART.as_bytes()));
    }
}
