//! The one error type of the runtime.

use trinity_emit::kernels::KernelError;

/// Everything that can go wrong in Trinity's run-time API. Every variant names the bad value.
///
/// ```
/// use trinity_runtime::{DenseVector, Error};
/// let err = DenseVector::from_slice(&[0, 3]).unwrap_err();
/// assert_eq!(err, Error::InvalidTrit { value: 3, index: 1 });
/// assert_eq!(err.to_string(), "invalid trit 3 at index 1: trits are -1, 0 or 1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte other than -1, 0 or +1 where a trit was expected.
    #[error("invalid trit {value} at index {index}: trits are -1, 0 or 1")]
    InvalidTrit {
        /// The byte found.
        value: i8,
        /// Its position.
        index: usize,
    },
    /// A vector of dimension 0.
    #[error("dimension 0 is not allowed: vectors have 1..={max} trits", max = crate::MAX_DIM)]
    ZeroDimension,
    /// A dimension above [`MAX_DIM`](crate::MAX_DIM).
    #[error("dimension {dim} exceeds the maximum {max}", max = crate::MAX_DIM)]
    DimensionTooLarge {
        /// The dimension asked for.
        dim: usize,
    },
    /// Two operands of different dimensions.
    #[error("dimension mismatch: {left} vs {right}")]
    DimensionMismatch {
        /// The first operand's dimension.
        left: usize,
        /// The other operand's dimension.
        right: usize,
    },
    /// `bundle_n` of no vectors.
    #[error("bundle_n needs at least one vector, got none")]
    EmptyBundle,
    /// More operands than one n-way bundle kernel call takes.
    #[error("{n} operands exceed the {max} one bundle_n kernel call takes", max = trinity_emit::kernels::bundle::MAX_OPERANDS)]
    TooManyOperands {
        /// The operands given.
        n: usize,
    },
    /// Bit planes of the wrong length for the dimension.
    #[error("bitsliced vector of dimension {dim} needs {expected} words per plane, got {actual}")]
    WrongWordCount {
        /// The dimension.
        dim: usize,
        /// Words per plane needed.
        expected: usize,
        /// Words given.
        actual: usize,
    },
    /// A position set in both the +1 and the -1 plane.
    #[error("trit {index} is set in both the +1 and the -1 plane")]
    BothPlanes {
        /// The position.
        index: usize,
    },
    /// A bit set past the dimension in a bit plane.
    #[error("bit {index} is set but lies past the dimension {dim}")]
    PaddingBitSet {
        /// The bit's position.
        index: usize,
        /// The dimension.
        dim: usize,
    },
    /// Serialized bytes that end too early.
    #[error("serialized vector truncated: needs {expected} bytes, got {actual}")]
    Truncated {
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// Serialized bytes with more data than their header announces.
    #[error("serialized vector has {actual} bytes but its header announces {expected}")]
    TrailingBytes {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// Serialized bytes that do not start with the magic number.
    #[error("not a serialized Trinity vector: magic {found:02x?}, expected {expected:02x?}", expected = crate::packed::MAGIC)]
    BadMagic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// A serialization format version this library does not read.
    #[error("unsupported serialization version {found} (this library reads version {supported})", supported = crate::packed::VERSION)]
    UnsupportedVersion {
        /// The version found.
        found: u8,
    },
    /// A packed byte above 242 (3^5 - 1).
    #[error("invalid packed byte {value} at offset {offset}: packed bytes are 0..=242")]
    InvalidPackedByte {
        /// The byte found.
        value: u8,
        /// Its offset in the input.
        offset: usize,
    },
    /// A padding trit in the last packed byte that is not zero.
    #[error("padding trit {index} of the last packed byte (offset {offset}) is not zero")]
    NonZeroPadding {
        /// The offset of the last byte.
        offset: usize,
        /// The trit's index within the byte (0..5).
        index: usize,
    },
    /// A kernel could not be generated.
    #[error("kernel generation failed: {0}")]
    Kernel(#[from] KernelError),
    /// Executable memory could not be obtained.
    #[error("executable memory: {0}")]
    Exec(#[from] crate::exec::ExecError),
    /// The operands of a scan (an item-memory scan kernel or its portable twin) do not fit its
    /// shape: a stride, a slice too short for the records or queries, too few scores.
    #[error("bad scan shape: {reason}")]
    ScanShape {
        /// What does not fit.
        reason: String,
    },
    /// An item memory call failed: I/O, a bad file, a bad record or argument.
    #[error("item memory: {0}")]
    Memory(#[from] crate::memory::MemoryError),
    /// An encoding call failed: a bad symbol, level, n-gram size, or an empty input.
    #[error("encode: {0}")]
    Encode(#[from] crate::encode::EncodeError),
}

/// `Result` with [`Error`].
///
/// ```
/// fn first_trit(v: &[i8]) -> trinity_runtime::Result<i8> {
///     Ok(trinity_runtime::DenseVector::from_slice(v)?.as_slice()[0])
/// }
/// assert_eq!(first_trit(&[-1]).unwrap(), -1);
/// ```
pub type Result<T> = std::result::Result<T, Error>;
