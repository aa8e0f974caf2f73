//! Trinity's typed errors as Python exceptions, each with the Rust message (which names the bad
//! value): I/O as `OSError` (`FileNotFoundError`, `FileExistsError`, `PermissionError` where
//! the kind says so), a missing record as `IndexError`, everything else the caller passed
//! wrong as `ValueError`. Kernel and executable-memory errors never reach an op (the engine
//! falls back to portable Rust) and would be a `RuntimeError`.

use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyIndexError, PyOSError, PyPermissionError,
    PyRuntimeError, PyValueError,
};
use pyo3::PyErr;
use std::io::ErrorKind;
use trinity_runtime::memory::MemoryError;
use trinity_runtime::Error;

/// `e` as the Python exception that fits it.
pub fn to_py(e: Error) -> PyErr {
    let message = e.to_string();
    match &e {
        Error::Memory(MemoryError::Io { kind, .. }) => match kind {
            ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            ErrorKind::AlreadyExists => PyFileExistsError::new_err(message),
            ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::Memory(MemoryError::FileShrunk { .. }) => PyOSError::new_err(message),
        Error::Memory(MemoryError::NoRecord { .. }) => PyIndexError::new_err(message),
        Error::Kernel(_) | Error::Exec(_) => PyRuntimeError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}
