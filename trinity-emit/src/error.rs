//! The one error type of the encoders.

/// Why an instruction or a finished piece of code could not be encoded.
///
/// Every variant names the bad value, so that a message on its own says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// A branch names a label that was never bound before [`CodeBuffer::finish`](crate::CodeBuffer::finish).
    #[error("label {label} is used by a branch but was never bound")]
    UnboundLabel {
        /// The label's index within its buffer.
        label: u32,
    },
    /// A label was bound a second time.
    #[error(
        "label {label} is already bound at offset {first}; cannot bind it again at offset {second}"
    )]
    LabelRebound {
        /// The label's index within its buffer.
        label: u32,
        /// Where it was bound first.
        first: usize,
        /// Where the second bind was attempted.
        second: usize,
    },
    /// A label made by another buffer was handed to this one.
    #[error("label {label} does not belong to this code buffer (it has {count} labels)")]
    ForeignLabel {
        /// The label's index.
        label: u32,
        /// How many labels this buffer has made.
        count: u32,
    },
    /// A branch cannot reach its target with the encoding chosen for it.
    #[error("{kind} branch at offset {at} cannot reach offset {target}: distance {distance} is outside {min}..={max}")]
    BranchOutOfRange {
        /// The branch encoding, for example `rel8` or `b.cond (imm19)`.
        kind: &'static str,
        /// Offset of the branch instruction.
        at: usize,
        /// Offset of the label.
        target: usize,
        /// The byte distance the encoding would have to hold.
        distance: i64,
        /// Smallest distance the encoding can hold.
        min: i64,
        /// Largest distance the encoding can hold.
        max: i64,
    },
    /// An immediate operand does not fit its field.
    #[error("{what} {value} is outside {min}..={max}")]
    ImmediateOutOfRange {
        /// Which operand, for example `ldr offset` or `shift amount`.
        what: &'static str,
        /// The value given.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// An immediate operand is not a multiple of the scale its field stores.
    #[error("{what} {value} is not a multiple of {multiple}")]
    Misaligned {
        /// Which operand.
        what: &'static str,
        /// The value given.
        value: i64,
        /// The required multiple.
        multiple: u32,
    },
    /// An AArch64 logical instruction was given a value that no bitmask immediate encodes.
    #[error("{value:#x} cannot be encoded as a {width}-bit logical (bitmask) immediate")]
    UnencodableBitmask {
        /// The value given.
        value: u64,
        /// The operation width in bits (32 or 64).
        width: u32,
    },
    /// An instruction needs a CPU feature outside the set the assembler was made for (for
    /// example `sdot` in a NEON-tier kernel).
    #[error("{mnemonic} needs {feature}, which this code may not use")]
    FeatureNotAllowed {
        /// The instruction's mnemonic.
        mnemonic: &'static str,
        /// The features it needs beyond the allowed set (`dotprod`).
        feature: String,
    },
    /// An operand of the wrong class, width or arrangement for the instruction.
    #[error("invalid operand for {instruction}: {reason}")]
    InvalidOperand {
        /// The instruction's mnemonic.
        instruction: &'static str,
        /// What is wrong, naming the operand.
        reason: String,
    },
}
