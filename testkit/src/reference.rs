//! The expected result of any pair kernel, from the portable reference
//! (`trinity_runtime::portable`, itself checked against the plain `reference` in
//! trinity-runtime's tests), on operands laid out as the kernel reads them.

use std::borrow::Cow;
use trinity_emit::kernels::{Layout, Op};
use trinity_runtime::portable;

/// What a pair kernel returns or writes, compared bit for bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The i64 result of dot or hamming.
    Int(i64),
    /// The f64 result of cosine, by its bits (every path gives the same ones).
    Float(u64),
    /// The output operand of bind, bundle or permute, as the layout's bytes.
    Operand(Vec<u8>),
}

/// What the kernel of `op` on the `layout` operands `a` and `b` (`b` unused by permute) of
/// dimension `dim` (with `shift`, below `dim`, for permute) must give. Operands are the layout's
/// bytes: one per trit, or the bitsliced words in little-endian order.
pub fn expected(op: Op, layout: Layout, dim: usize, a: &[u8], b: &[u8], shift: usize) -> Output {
    assert!(op != Op::Permute || shift < dim, "shift {shift} at D = {dim}");
    match layout {
        Layout::Dense => {
            let (x, y) = (trits(a), trits(b));
            match op {
                Op::Dot => Output::Int(portable::dense_dot(x, y)),
                Op::Hamming => Output::Int(portable::dense_hamming(x, y)),
                Op::Cosine => Output::Float(portable::dense_cosine(x, y).to_bits()),
                Op::Bind | Op::Bundle | Op::Permute => {
                    let mut out = vec![0i8; dim];
                    match op {
                        Op::Bind => portable::dense_bind(&mut out, x, y),
                        Op::Bundle => portable::dense_bundle(&mut out, x, y),
                        _ => portable::dense_permute(&mut out, x, shift),
                    }
                    Output::Operand(out.iter().map(|&t| t as u8).collect())
                }
            }
        }
        Layout::Bits => {
            let (x, y) = (words(a), words(b));
            match op {
                Op::Dot => Output::Int(portable::bits_dot(&x, &y)),
                Op::Hamming => Output::Int(portable::bits_hamming(&x, &y)),
                Op::Cosine => Output::Float(portable::bits_cosine(&x, &y).to_bits()),
                Op::Bind | Op::Bundle | Op::Permute => {
                    let mut out = vec![0u64; x.len()];
                    match op {
                        Op::Bind => portable::bits_bind(&mut out, &x, &y),
                        Op::Bundle => portable::bits_bundle(&mut out, &x, &y),
                        _ => portable::bits_permute(&mut out, &x, dim, shift),
                    }
                    Output::Operand(out.iter().flat_map(|w| w.to_le_bytes()).collect())
                }
            }
        }
    }
}

/// Dense operand bytes as trits (the same bytes: no copy, which matters at 2^24 trits in a
/// debug build).
pub fn trits(bytes: &[u8]) -> &[i8] {
    bytemuck::cast_slice(bytes)
}

/// Bitsliced operand bytes as little-endian words (the length must be a multiple of 8):
/// borrowed where the bytes are aligned for `u64` on a little-endian host, copied otherwise.
pub fn words(bytes: &[u8]) -> Cow<'_, [u64]> {
    assert_eq!(bytes.len() % 8, 0, "bitsliced operands are whole words");
    match bytemuck::try_cast_slice(bytes) {
        Ok(words) if cfg!(target_endian = "little") => Cow::Borrowed(words),
        _ => {
            Cow::Owned(bytes.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect())
        }
    }
}
