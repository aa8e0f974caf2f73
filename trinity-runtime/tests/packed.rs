//! The packed serialization format: round trips, every malformation, and random bytes.

use trinity_runtime::packed::{HEADER_LEN, MAGIC, VERSION};
use trinity_runtime::random::Xoshiro256PlusPlus;
use trinity_runtime::{BitVector, DenseVector, Error};

fn header(dim: u32) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.push(VERSION);
    h.extend_from_slice(&dim.to_le_bytes());
    h
}

#[test]
fn round_trips() {
    for dim in (1..=70).chain([10_000, 65_537]) {
        for seed in 0..3 {
            let v = DenseVector::random(dim, seed).unwrap();
            let bytes = v.to_packed_bytes();
            assert_eq!(bytes.len(), HEADER_LEN + dim.div_ceil(5));
            assert_eq!(DenseVector::from_packed_bytes(&bytes).unwrap(), v);
            let bits = BitVector::from(&v);
            assert_eq!(bits.to_packed_bytes(), bytes);
            assert_eq!(BitVector::from_packed_bytes(&bytes).unwrap(), bits);
        }
    }
}

#[test]
fn packing_follows_the_base3_rule() {
    // Derived from the rule by hand: trits (t0..t4) -> sum (t_j + 1) * 3^j.
    let v = DenseVector::from_slice(&[-1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 0, -1]).unwrap();
    let bytes = v.to_packed_bytes();
    assert_eq!(&bytes[HEADER_LEN..], &[0, 242, 113]);
    // 113 has base-3 digits 2,1,0,1,1 (least significant first): trits 1, 0, -1, then two zero pads.
    assert_eq!(113, 2 + 3 + 27 + 81);
}

#[test]
fn malformed_input_is_an_error() {
    let good = DenseVector::random(12, 1).unwrap().to_packed_bytes();
    assert_eq!(
        DenseVector::from_packed_bytes(&good[..5]).unwrap_err(),
        Error::Truncated { expected: 9, actual: 5 }
    );
    assert_eq!(
        DenseVector::from_packed_bytes(&good[..good.len() - 1]).unwrap_err(),
        Error::Truncated { expected: 12, actual: 11 }
    );
    let mut long = good.clone();
    long.push(121);
    assert_eq!(
        DenseVector::from_packed_bytes(&long).unwrap_err(),
        Error::TrailingBytes { expected: 12, actual: 13 }
    );
    let mut magic = good.clone();
    magic[0] = b'X';
    assert_eq!(
        DenseVector::from_packed_bytes(&magic).unwrap_err(),
        Error::BadMagic { found: *b"XRIT" }
    );
    let mut version = good.clone();
    version[4] = 9;
    assert_eq!(
        DenseVector::from_packed_bytes(&version).unwrap_err(),
        Error::UnsupportedVersion { found: 9 }
    );
    assert_eq!(DenseVector::from_packed_bytes(&header(0)).unwrap_err(), Error::ZeroDimension);
    assert_eq!(
        DenseVector::from_packed_bytes(&header(1 << 25)).unwrap_err(),
        Error::DimensionTooLarge { dim: 1 << 25 }
    );
    for value in 243..=255u8 {
        let mut bad = good.clone();
        bad[10] = value;
        assert_eq!(
            DenseVector::from_packed_bytes(&bad).unwrap_err(),
            Error::InvalidPackedByte { value, offset: 10 }
        );
    }
    // D = 12: the last byte holds 2 trits; its 3 padding trits must be zero (digit 1).
    let mut pad = header(12);
    // Digits 1,1,0,1,1: trits 0, 0, then padding trits 0, -1, 0.
    pad.extend_from_slice(&[121, 121, 1 + 3 + 27 + 81]);
    assert_eq!(
        DenseVector::from_packed_bytes(&pad).unwrap_err(),
        Error::NonZeroPadding { offset: 11, index: 2 }
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut g = Xoshiro256PlusPlus::from_seed(7);
    let good = DenseVector::random(37, 3).unwrap().to_packed_bytes();
    let mut ok = 0;
    for round in 0..20_000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let len = (g.next_u64() % 40) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| g.next_u64() as u8).collect();
            if round % 4 == 0 && b.len() >= 9 {
                b[..5].copy_from_slice(&header(0)[..5]);
                b[5..9].copy_from_slice(&((g.next_u64() % 64) as u32).to_le_bytes());
            }
            b
        } else {
            let mut b = good.clone();
            let at = (g.next_u64() as usize) % b.len();
            b[at] = g.next_u64() as u8;
            b
        };
        if let Ok(v) = DenseVector::from_packed_bytes(&bytes) {
            assert_eq!(v.to_packed_bytes(), bytes, "accepted bytes must round-trip");
            ok += 1;
        }
    }
    assert!(ok > 100, "the mutations should also produce valid inputs ({ok})");
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_checked_path() {
    let v = DenseVector::random(50, 9).unwrap();
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(serde_json::from_str::<DenseVector>(&json).unwrap(), v);
    let bits: BitVector = serde_json::from_str(&json).unwrap();
    assert_eq!(DenseVector::from(&bits), v);
    let mut bytes = v.to_packed_bytes();
    bytes[12] = 250;
    let err =
        serde_json::from_str::<DenseVector>(&serde_json::to_string(&bytes).unwrap()).unwrap_err();
    assert!(err.to_string().contains("250"), "{err}");
}
