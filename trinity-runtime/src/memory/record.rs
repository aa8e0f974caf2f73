//! How each vector type is stored in a record: its elements exactly as the pair kernels take
//! them (dense: D `i8`; bitsliced: the +1 plane then the -1 plane of `u64` words).

use crate::vector::words_per_plane;
use crate::{portable, BitVector, DenseVector, Result};
use trinity_emit::kernels::Layout;

/// The vector types an [`ItemMemory`](super::ItemMemory) stores: [`DenseVector`] and
/// [`BitVector`]. Sealed; its methods are the crate's own.
///
/// ```
/// use trinity_runtime::memory::Record;
/// fn layout_name<V: Record>() -> &'static str { V::LAYOUT.name() }
/// assert_eq!(layout_name::<trinity_runtime::BitVector>(), "bits");
/// ```
pub trait Record: sealed::Stored {
    /// The layout of this type's records.
    const LAYOUT: Layout;
}

impl Record for DenseVector {
    const LAYOUT: Layout = Layout::Dense;
}

impl Record for BitVector {
    const LAYOUT: Layout = Layout::Bits;
}

/// The valid bits of the last word of a plane: the low `rem` bits, or all 64 when `rem` is 0.
fn low_bits(rem: usize) -> u64 {
    if rem == 0 {
        u64::MAX
    } else {
        (1 << rem) - 1
    }
}

pub(crate) mod sealed {
    use super::*;

    /// The storage side of [`Record`]; not nameable outside the crate.
    pub trait Stored: Sized {
        /// The element the kernels read.
        type Elem: bytemuck::Pod;
        /// The dimension.
        fn dim(&self) -> usize;
        /// The elements, as kernels take them.
        fn elems(&self) -> &[Self::Elem];
        /// Elements per vector of dimension `dim`.
        fn elem_count(dim: usize) -> usize;
        /// Nonzero trits (= dot(v, v)), or why `elems` is not a valid vector of `dim`.
        fn check(dim: usize, elems: &[Self::Elem]) -> std::result::Result<u32, String>;
        /// A vector from checked elements.
        fn from_elems(dim: usize, elems: &[Self::Elem]) -> Result<Self>;
        /// The portable dot product of two vectors' elements.
        fn dot(a: &[Self::Elem], b: &[Self::Elem]) -> i64;
        /// The portable hamming distance.
        fn hamming(a: &[Self::Elem], b: &[Self::Elem]) -> i64;
    }

    impl Stored for DenseVector {
        type Elem = i8;
        fn dim(&self) -> usize {
            DenseVector::dim(self)
        }
        fn elems(&self) -> &[i8] {
            self.as_slice()
        }
        fn elem_count(dim: usize) -> usize {
            dim
        }
        fn check(_dim: usize, elems: &[i8]) -> std::result::Result<u32, String> {
            match crate::vector::first_invalid(elems) {
                Some(i) => Err(format!("invalid trit {} at index {i}", elems[i])),
                None => Ok(elems.iter().filter(|&&t| t != 0).count() as u32),
            }
        }
        fn from_elems(_dim: usize, elems: &[i8]) -> Result<Self> {
            DenseVector::from_slice(elems)
        }
        fn dot(a: &[i8], b: &[i8]) -> i64 {
            portable::dense_dot(a, b)
        }
        fn hamming(a: &[i8], b: &[i8]) -> i64 {
            portable::dense_hamming(a, b)
        }
    }

    impl Stored for BitVector {
        type Elem = u64;
        fn dim(&self) -> usize {
            BitVector::dim(self)
        }
        fn elems(&self) -> &[u64] {
            self.words()
        }
        fn elem_count(dim: usize) -> usize {
            2 * words_per_plane(dim)
        }
        fn check(dim: usize, elems: &[u64]) -> std::result::Result<u32, String> {
            // The checks of `BitVector::from_planes`, without building a vector.
            let (plus, minus) = elems.split_at(elems.len() / 2);
            for (i, (&p, &m)) in plus.iter().zip(minus).enumerate() {
                if p & m != 0 {
                    let index = i * 64 + (p & m).trailing_zeros() as usize;
                    return Err(format!("trit {index} is set in both planes"));
                }
            }
            let pad = (plus[plus.len() - 1] | minus[minus.len() - 1]) & !low_bits(dim % 64);
            if pad != 0 {
                let index = (plus.len() - 1) * 64 + pad.trailing_zeros() as usize;
                return Err(format!("bit {index} is set past the dimension {dim}"));
            }
            Ok(elems.iter().map(|w| w.count_ones()).sum())
        }
        fn from_elems(dim: usize, elems: &[u64]) -> Result<Self> {
            let (plus, minus) = elems.split_at(elems.len() / 2);
            BitVector::from_planes(dim, plus, minus)
        }
        fn dot(a: &[u64], b: &[u64]) -> i64 {
            portable::bits_dot(a, b)
        }
        fn hamming(a: &[u64], b: &[u64]) -> i64 {
            portable::bits_hamming(a, b)
        }
    }
}
