//! Logical (bitmask) immediates: a run of ones rotated within an element of 2, 4, 8, 16, 32
//! or 64 bits, replicated across the register. The encoding is `N:immr:imms`.

/// `(N, immr, imms)` for `value` as a `width`-bit (32 or 64) logical immediate, or `None` when
/// no bitmask immediate has that value (0, all ones, a non-repeating or non-contiguous pattern,
/// or a 32-bit value with high bits set).
///
/// ```
/// use trinity_emit::aarch64::bitmask;
/// assert_eq!(bitmask(1, 64), Some((1, 0, 0)));
/// assert_eq!(bitmask(0x5555_5555_5555_5555, 64), Some((0, 0, 0b111100)));
/// assert_eq!(bitmask(0, 64), None);
/// assert_eq!(bitmask(0b101, 64), None);
/// ```
pub fn bitmask(value: u64, width: u32) -> Option<(u32, u32, u32)> {
    let v = match width {
        64 => value,
        32 if value >> 32 == 0 => value | (value << 32),
        _ => return None,
    };
    if v == 0 || v == u64::MAX {
        return None;
    }
    // The smallest element size the value repeats with.
    let mut e = 64u32;
    while e > 2 {
        let half = e / 2;
        let mask = (1u64 << half) - 1;
        if v & mask != (v >> half) & mask {
            break;
        }
        e = half;
    }
    let mask = if e == 64 { u64::MAX } else { (1u64 << e) - 1 };
    let elem = v & mask;
    let ones = elem.count_ones();
    let run = (1u64 << ones) - 1;
    let rotl = |x: u64, r: u32| if r == 0 { x } else { ((x << r) | (x >> (e - r))) & mask };
    let immr = (0..e).find(|&r| rotl(elem, r) == run)?;
    // imms: the element size as a prefix of ones then a zero, then ones - 1.
    let size_bits = ((e as i32).wrapping_neg() << 1) as u32 & 0x3f;
    Some(((e == 64) as u32, immr, size_bits | (ones - 1)))
}
