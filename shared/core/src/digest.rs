//! The digests of the request path: RustCrypto's `sha2` and `sha1`, which pick the CPU's
//! SHA instructions at run time (x86 SHA-NI, the Armv8 crypto extensions of Graviton).
//! `uuid`'s own v5 hashes with a portable SHA-1 (`sha1_smol`), which cost a callback 9 % of
//! its time; aws-lc's digests (linked for the signatures) cost more still on inputs this
//! small (its context set-up and zeroing).

use sha1::Sha1;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    lower_hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`: the `hex` crate's spelling, without its `char` iterator
/// (4 % of a callback).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.extend_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]]);
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// `io::Write` into a SHA-256 (buffer it: each `update` has a fixed cost).
pub struct Sha256Writer(Sha256);

impl Sha256Writer {
    pub fn new() -> Self {
        Sha256Writer(Sha256::new())
    }

    /// Lowercase hex of the digest.
    pub fn finish_hex(self) -> String {
        lower_hex(&self.0.finalize())
    }
}

impl Default for Sha256Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::io::Write for Sha256Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The name-based UUID (version 5, RFC 9562 §5.5) of `name` in `namespace`: the same as
/// `Uuid::new_v5`, whose SHA-1 is portable code.
pub fn uuid_v5(namespace: &Uuid, name: &[&[u8]]) -> Uuid {
    let mut sha1 = Sha1::new();
    sha1.update(namespace.as_bytes());
    for part in name {
        sha1.update(part);
    }
    let digest = sha1.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hex_is_the_hex_crates(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(lower_hex(&bytes), hex::encode(&bytes));
        }

        #[test]
        fn a_v5_uuid_is_the_uuid_crates(ns in any::<u128>(), a in ".*", b in ".*") {
            let ns = Uuid::from_u128(ns);
            let whole = format!("{a}{b}");
            prop_assert_eq!(uuid_v5(&ns, &[a.as_bytes(), b.as_bytes()]), Uuid::new_v5(&ns, whole.as_bytes()));
        }

        #[test]
        fn a_streamed_sha256_is_the_one_shot_digest(bytes in proptest::collection::vec(any::<u8>(), 0..300), split in 0usize..300) {
            // Computed the other way: the whole input at once.
            let reference = hex::encode(Sha256::digest(&bytes));
            prop_assert_eq!(sha256_hex(&bytes), reference.clone());
            let mut w = Sha256Writer::new();
            let (x, y) = bytes.split_at(split.min(bytes.len()));
            std::io::Write::write_all(&mut w, x).unwrap();
            std::io::Write::write_all(&mut w, y).unwrap();
            prop_assert_eq!(w.finish_hex(), reference);
        }
    }
}
