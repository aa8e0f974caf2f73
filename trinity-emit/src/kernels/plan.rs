//! Architecture-neutral plans that kernel generators turn into instructions: how to rotate a
//! bitsliced plane word by word, and how to copy a byte range with a few wide moves.
//!
//! Everything here is resolved at generation time from the kernel's dimension and shift, so the
//! generated code has no run-time case analysis.

/// One source term of an output word: `v[i + offset]` shifted by `shift` bits, left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    /// Source word index relative to the output word index.
    pub offset: i64,
    /// Shift amount, 0..64.
    pub shift: u32,
    /// Shift direction: `true` for left (towards higher bit positions).
    pub left: bool,
}

/// A run of consecutive output words computed by the same terms (same relative offsets and
/// shifts, every source in range): `out[i] = OR of terms` for `i` in `start..start + len`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordRun {
    /// First output word of the run.
    pub start: usize,
    /// Number of words.
    pub len: usize,
    /// The terms, ORed together; an empty list means the words are zero.
    pub terms: Vec<Term>,
}

/// The plan for rotating one plane of `dim` bits right by `shift` (docs/design.md §1: output bit
/// `(j + shift) mod dim` takes input bit `j`): a list of runs covering every output word in
/// order, plus the mask the last word must be ANDed with (all ones when `dim` is a multiple of
/// 64, so no mask is needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotatePlan {
    /// Runs covering words `0..ceil(dim / 64)` in order.
    pub runs: Vec<WordRun>,
    /// Mask for the last word's valid bits.
    pub last_word_mask: u64,
}

/// Plan a right rotation of a `dim`-bit plane by `shift` (`0 <= shift < dim`).
///
/// The rotation is `(v << shift) | (v >> (dim - shift))` on a `dim`-bit integer; each half is a
/// multi-word shift whose word offsets and bit amounts are constants.
pub fn rotate_plan(dim: u32, shift: u32) -> RotatePlan {
    assert!(dim > 0 && shift < dim, "rotate_plan({dim}, {shift}) out of range");
    let words = dim.div_ceil(64) as i64;
    let mut per_word: Vec<Vec<Term>> = Vec::with_capacity(words as usize);
    for i in 0..words {
        let mut terms = Vec::new();
        let mut push = |offset: i64, shift: u32, left: bool| {
            if (0..words).contains(&(i + offset)) {
                terms.push(Term { offset, shift, left });
            }
        };
        // v << shift: bits move up by q words and r bits.
        let (q, r) = (i64::from(shift / 64), shift % 64);
        push(-q, r, true);
        if r != 0 {
            push(-q - 1, 64 - r, false);
        }
        // v >> (dim - shift): bits move down by p words and t bits. With shift == 0 this reads
        // only zero padding, so it is left out.
        if shift != 0 {
            let back = dim - shift;
            let (p, t) = (i64::from(back / 64), back % 64);
            push(p, t, false);
            if t != 0 {
                push(p + 1, 64 - t, true);
            }
        }
        per_word.push(terms);
    }
    let mut runs: Vec<WordRun> = Vec::new();
    for (i, terms) in per_word.into_iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.terms == terms => run.len += 1,
            _ => runs.push(WordRun { start: i, len: 1, terms }),
        }
    }
    let last_word_mask = match dim % 64 {
        0 => u64::MAX,
        bits => (1u64 << bits) - 1,
    };
    RotatePlan { runs, last_word_mask }
}

impl Term {
    /// Apply the term to a plane (a reference implementation for tests and generators' checks).
    pub fn apply(&self, plane: &[u64], i: usize) -> u64 {
        let word = plane[(i as i64 + self.offset) as usize];
        match (self.left, self.shift) {
            (_, 0) => word,
            (true, s) => word << s,
            (false, s) => word >> s,
        }
    }
}

/// Pieces `(offset, size)` that copy `len` bytes with moves of at most `widest` bytes (a power
/// of two): full-width moves, then one overlapping move for the remainder when `len >= widest`,
/// else two overlapping moves of the largest power of two not above `len`. Every byte of
/// `0..len` is covered and nothing outside it is touched.
pub fn copy_pieces(len: usize, widest: usize) -> Vec<(usize, usize)> {
    debug_assert!(widest.is_power_of_two());
    let mut pieces = Vec::new();
    if len == 0 {
        return pieces;
    }
    if len >= widest {
        let full = len / widest;
        pieces.extend((0..full).map(|n| (n * widest, widest)));
        if len % widest != 0 {
            pieces.push((len - widest, widest));
        }
        return pieces;
    }
    let size = 1usize << (usize::BITS - 1 - len.leading_zeros());
    pieces.push((0, size));
    if len != size {
        pieces.push((len - size, size));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotate_naive(plane: &[u64], dim: u32, shift: u32) -> Vec<u64> {
        let bit = |j: u32| (plane[(j / 64) as usize] >> (j % 64)) & 1;
        let mut out = vec![0u64; plane.len()];
        for j in 0..dim {
            let to = (j + shift) % dim;
            out[(to / 64) as usize] |= bit(j) << (to % 64);
        }
        out
    }

    fn run_plan(plan: &RotatePlan, plane: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; plane.len()];
        for run in &plan.runs {
            for (i, word) in out.iter_mut().enumerate().skip(run.start).take(run.len) {
                *word = run.terms.iter().fold(0, |acc, t| acc | t.apply(plane, i));
            }
        }
        let last = out.len() - 1;
        out[last] &= plan.last_word_mask;
        out
    }

    #[test]
    fn rotate_plan_matches_bitwise_rotation() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for dim in (1u32..=200).chain([255, 256, 257, 1000, 1023, 1024, 1025]) {
            let words = dim.div_ceil(64) as usize;
            let mut plane: Vec<u64> = (0..words).map(|_| next()).collect();
            if dim % 64 != 0 {
                plane[words - 1] &= (1u64 << (dim % 64)) - 1;
            }
            let shifts: Vec<u32> = if dim <= 140 {
                (0..dim).collect()
            } else {
                vec![0, 1, 63, 64, 65, dim / 2, dim - 65, dim - 64, dim - 1]
            };
            for shift in shifts {
                let plan = rotate_plan(dim, shift);
                assert_eq!(
                    run_plan(&plan, &plane),
                    rotate_naive(&plane, dim, shift),
                    "{dim} {shift}"
                );
                let covered: usize = plan.runs.iter().map(|r| r.len).sum();
                assert_eq!(covered, words);
            }
        }
    }

    #[test]
    fn long_rotations_are_few_runs() {
        // The interior of a large rotation is two runs: the plan is what lets kernels use
        // vector loops instead of word-by-word code.
        let plan = rotate_plan(10000, 4321);
        assert!(plan.runs.len() <= 6, "{} runs", plan.runs.len());
    }

    #[test]
    fn copy_pieces_cover_exactly() {
        for widest in [8, 16, 32] {
            for len in 0..200 {
                let pieces = copy_pieces(len, widest);
                let mut hit = vec![false; len];
                for &(offset, size) in &pieces {
                    assert!(size <= widest && size.is_power_of_two());
                    assert!(offset + size <= len, "len {len}: piece {offset}+{size}");
                    hit[offset..offset + size].iter_mut().for_each(|h| *h = true);
                }
                assert!(hit.iter().all(|&h| h), "len {len} widest {widest}");
            }
        }
    }
}
