//! Serialization in the original Trinity's packed storage format (docs/design.md §2): five trits per
//! byte, `byte = sum over j of (t_j + 1) * 3^j` with the first trit least significant, the
//! last byte padded with zero trits, after a 9-byte header:
//!
//! | bytes | meaning |
//! |---|---|
//! | 0..4 | magic `TRIT` |
//! | 4 | format version, 1 |
//! | 5..9 | D as little-endian `u32` |
//! | 9.. | `ceil(D / 5)` packed bytes |
//!
//! The format carries no layout: a vector written from either layout reads into either.

use crate::vector::check_dim;
use crate::{BitVector, DenseVector, Error, Result};

/// The magic number that starts every serialized vector.
///
/// ```
/// let bytes = trinity_runtime::DenseVector::zeros(7)?.to_packed_bytes();
/// assert_eq!(&bytes[..4], &trinity_runtime::packed::MAGIC);
/// assert_eq!(bytes[4], trinity_runtime::packed::VERSION);
/// assert_eq!(bytes.len(), trinity_runtime::packed::HEADER_LEN + 2);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub const MAGIC: [u8; 4] = *b"TRIT";
/// The format version this library writes and reads.
pub const VERSION: u8 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 9;

/// Serialize trits (assumed valid).
fn encode(trits: &[i8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + trits.len().div_ceil(5));
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&(trits.len() as u32).to_le_bytes());
    for group in trits.chunks(5) {
        let mut byte = 0u8;
        // Pad with zero trits, i.e. digit 1.
        for j in (0..5).rev() {
            let digit = group.get(j).map_or(1, |&t| (t + 1) as u8);
            byte = byte * 3 + digit;
        }
        out.push(byte);
    }
    out
}

/// Deserialize and check everything.
fn decode(bytes: &[u8]) -> Result<Vec<i8>> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::Truncated { expected: HEADER_LEN, actual: bytes.len() });
    }
    let magic: [u8; 4] = bytes[..4].try_into().expect("four bytes");
    if magic != MAGIC {
        return Err(Error::BadMagic { found: magic });
    }
    if bytes[4] != VERSION {
        return Err(Error::UnsupportedVersion { found: bytes[4] });
    }
    let dim = u32::from_le_bytes(bytes[5..9].try_into().expect("four bytes")) as usize;
    check_dim(dim)?;
    let expected = HEADER_LEN + dim.div_ceil(5);
    if bytes.len() < expected {
        return Err(Error::Truncated { expected, actual: bytes.len() });
    }
    if bytes.len() > expected {
        return Err(Error::TrailingBytes { expected, actual: bytes.len() });
    }
    let mut trits = Vec::with_capacity(dim);
    for (n, &byte) in bytes[HEADER_LEN..].iter().enumerate() {
        let offset = HEADER_LEN + n;
        if byte > 242 {
            return Err(Error::InvalidPackedByte { value: byte, offset });
        }
        let mut rest = byte;
        for j in 0..5 {
            let t = (rest % 3) as i8 - 1;
            rest /= 3;
            if trits.len() < dim {
                trits.push(t);
            } else if t != 0 {
                return Err(Error::NonZeroPadding { offset, index: j });
            }
        }
    }
    Ok(trits)
}

impl DenseVector {
    /// Serialize in the packed format.
    ///
    /// ```
    /// use trinity_runtime::DenseVector;
    /// let v = DenseVector::from_slice(&[0, 0, 0, 0, 0, 1])?;
    /// let bytes = v.to_packed_bytes();
    /// assert_eq!(&bytes[..4], b"TRIT");
    /// assert_eq!(bytes[9], 121); // five zeros
    /// assert_eq!(DenseVector::from_packed_bytes(&bytes)?, v);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn to_packed_bytes(&self) -> Vec<u8> {
        encode(self.as_slice())
    }

    /// Deserialize from the packed format; malformed input is an error, never a panic.
    pub fn from_packed_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(DenseVector::from_trusted(decode(bytes)?))
    }
}

impl BitVector {
    /// Serialize in the packed format (the same bytes as the dense vector with these trits).
    ///
    /// ```
    /// use trinity_runtime::{BitVector, DenseVector};
    /// let v = BitVector::random(50, 4)?;
    /// assert_eq!(v.to_packed_bytes(), DenseVector::from(&v).to_packed_bytes());
    /// assert_eq!(BitVector::from_packed_bytes(&v.to_packed_bytes())?, v);
    /// assert!(BitVector::from_packed_bytes(b"TRIT").is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn to_packed_bytes(&self) -> Vec<u8> {
        DenseVector::from(self).to_packed_bytes()
    }

    /// Deserialize from the packed format; malformed input is an error, never a panic.
    pub fn from_packed_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(BitVector::from(&DenseVector::from_packed_bytes(bytes)?))
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Both layouts serialize as the packed bytes, through the checked path on the way in.
    impl Serialize for DenseVector {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.to_packed_bytes())
        }
    }

    impl<'de> Deserialize<'de> for DenseVector {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            let bytes: Vec<u8> = serde_bytes_compat(d)?;
            DenseVector::from_packed_bytes(&bytes).map_err(D::Error::custom)
        }
    }

    impl Serialize for BitVector {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.to_packed_bytes())
        }
    }

    impl<'de> Deserialize<'de> for BitVector {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            let bytes: Vec<u8> = serde_bytes_compat(d)?;
            BitVector::from_packed_bytes(&bytes).map_err(D::Error::custom)
        }
    }

    /// Accept bytes both as a byte string (binary formats) and as a sequence (JSON).
    fn serde_bytes_compat<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("packed Trinity vector bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> std::result::Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> std::result::Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(byte) = seq.next_element::<u8>()? {
                    out.push(byte);
                }
                Ok(out)
            }
        }
        d.deserialize_bytes(Visitor)
    }
}
