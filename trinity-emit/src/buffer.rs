//! The code buffer both encoders write into: bytes, labels and fixups.
//!
//! An architecture says how to patch a branch once its target is known by implementing
//! [`FixupKind`]; everything else (label bookkeeping, deferred patching, the errors for unbound
//! and foreign labels) lives here once.

use crate::EmitError;

/// A position in the code that branches may refer to before it is bound.
///
/// Labels are made by [`CodeBuffer::new_label`] and are only meaningful in the buffer that made them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Label(u32);

impl Label {
    /// The label's index within its buffer, as error messages name it.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// How one architecture patches a reference to a label once the label's offset is known.
pub trait FixupKind: Copy + std::fmt::Debug {
    /// Patch the reference recorded at offset `at` (whatever position the kind chose to record)
    /// so that it refers to `target`. Returns [`EmitError::BranchOutOfRange`] when the encoding
    /// cannot hold the distance.
    fn patch(self, code: &mut [u8], at: usize, target: usize) -> Result<(), EmitError>;
}

#[derive(Debug, Clone, Copy)]
struct Fixup<K> {
    at: usize,
    label: Label,
    kind: K,
}

/// Bytes being emitted, with labels and the fixups waiting for them.
#[derive(Debug, Clone)]
pub struct CodeBuffer<K> {
    code: Vec<u8>,
    labels: Vec<Option<usize>>,
    fixups: Vec<Fixup<K>>,
}

impl<K> Default for CodeBuffer<K> {
    fn default() -> Self {
        Self { code: Vec::new(), labels: Vec::new(), fixups: Vec::new() }
    }
}

impl<K: FixupKind> CodeBuffer<K> {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of bytes emitted so far; also the offset of the next byte.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether nothing has been emitted yet.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The bytes emitted so far, with fixups not yet applied.
    pub fn bytes(&self) -> &[u8] {
        &self.code
    }

    /// Append raw bytes.
    pub fn put(&mut self, bytes: &[u8]) {
        self.code.extend_from_slice(bytes);
    }

    /// Append one byte.
    pub fn put_u8(&mut self, byte: u8) {
        self.code.push(byte);
    }

    /// Append a 32-bit little-endian word (an AArch64 instruction, an x86 disp32 or imm32).
    pub fn put_u32(&mut self, word: u32) {
        self.code.extend_from_slice(&word.to_le_bytes());
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        let label = Label(self.labels.len() as u32);
        self.labels.push(None);
        label
    }

    fn slot(&self, label: Label) -> Result<usize, EmitError> {
        let index = label.0 as usize;
        if index < self.labels.len() {
            Ok(index)
        } else {
            Err(EmitError::ForeignLabel { label: label.0, count: self.labels.len() as u32 })
        }
    }

    /// Bind `label` to the current offset.
    pub fn bind(&mut self, label: Label) -> Result<(), EmitError> {
        let slot = self.slot(label)?;
        let here = self.code.len();
        match self.labels[slot] {
            Some(first) => Err(EmitError::LabelRebound { label: label.0, first, second: here }),
            None => {
                self.labels[slot] = Some(here);
                Ok(())
            }
        }
    }

    /// The offset `label` is bound to, if it is bound.
    pub fn label_offset(&self, label: Label) -> Result<Option<usize>, EmitError> {
        Ok(self.labels[self.slot(label)?])
    }

    /// Record that the code at `at` refers to `label` and must be patched with `kind` once the
    /// label is bound. Patching happens in [`finish`](Self::finish), so forward and backward
    /// references are handled alike.
    pub fn refer(&mut self, at: usize, label: Label, kind: K) -> Result<(), EmitError> {
        self.slot(label)?;
        self.fixups.push(Fixup { at, label, kind });
        Ok(())
    }

    /// Apply every fixup and return the finished code.
    ///
    /// Fails with [`EmitError::UnboundLabel`] when a referenced label was never bound, or with
    /// the fixup kind's error when a target is out of range.
    pub fn finish(mut self) -> Result<Vec<u8>, EmitError> {
        for fixup in &self.fixups {
            let target = self.labels[fixup.label.0 as usize]
                .ok_or(EmitError::UnboundLabel { label: fixup.label.0 })?;
            fixup.kind.patch(&mut self.code, fixup.at, target)?;
        }
        Ok(self.code)
    }
}

/// The methods every ISA's assembler forwards to its [`CodeBuffer`] (field `buf`), written once.
macro_rules! assembler_buffer_methods {
    () => {
        /// An empty assembler.
        pub fn new() -> Self {
            Self::default()
        }

        /// Offset of the next byte.
        pub fn offset(&self) -> usize {
            self.buf.len()
        }

        /// The bytes so far, with label references not yet patched.
        pub fn bytes(&self) -> &[u8] {
            self.buf.bytes()
        }

        /// A new, unbound label.
        pub fn new_label(&mut self) -> $crate::Label {
            self.buf.new_label()
        }

        /// Bind `label` to the current offset.
        pub fn bind(&mut self, label: $crate::Label) -> Result<(), $crate::EmitError> {
            self.buf.bind(label)
        }

        /// Patch every label reference and return the code.
        pub fn finish(self) -> Result<Vec<u8>, $crate::EmitError> {
            self.buf.finish()
        }

        /// Append raw bytes (constant tables placed after the code).
        pub fn data(&mut self, bytes: &[u8]) {
            self.buf.put(bytes);
        }
    };
}
pub(crate) use assembler_buffer_methods;
