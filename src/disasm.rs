//! Readable listings of generated machine code, for any architecture on any host: trinity-emit's
//! `disasm` module (one implementation, which the tests' listings use too).
//!
//! ```
//! use trinity::disasm::listing;
//! use trinity::emit::kernels::Arch;
//! let text = listing(Arch::X86_64, &[0xc5, 0xf8, 0x77, 0xc3]);
//! assert!(text.contains("vzeroupper") && text.contains("ret"));
//! ```

pub use trinity_emit::disasm::{listing, listing_with, x86_64_code_end, Style};
