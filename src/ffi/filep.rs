//! The `_FILEp` variants of libotr's file functions take a C `FILE *` the plugin opened;
//! these helpers read and write such streams. The path variants use `store::atomic`.

use super::error::{gcry_error, gcry_error_from_errno, GPG_ERR_INV_VALUE};
use super::types::{gcry_error_t, OtrlUserState};
use super::util::cstr;
use crate::error::{Error, Result};
use libc::{c_char, c_void, FILE};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// A C path argument as a `PathBuf`; `None` for NULL (libotr then fails as `fopen(NULL)`
/// does: `gcry_error_from_errno(EFAULT)`).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn path_arg(p: *const c_char) -> Option<PathBuf> {
    // SAFETY: forwarded contract.
    unsafe { cstr(p) }.map(|b| PathBuf::from(OsStr::from_bytes(b)))
}

/// The checks libotr's path functions make before any work, in its order: a NULL path
/// fails as `fopen(NULL)` does (EFAULT), then a NULL user state is INV_VALUE.
///
/// # Safety
/// `filename` is NULL or a NUL-terminated string.
pub(crate) unsafe fn path_for(filename: *const c_char, us: OtrlUserState) -> std::result::Result<PathBuf, gcry_error_t> {
    // SAFETY: forwarded contract.
    let Some(path) = (unsafe { path_arg(filename) }) else {
        return Err(gcry_error_from_errno(libc::EFAULT));
    };
    if us.is_null() {
        return Err(gcry_error(GPG_ERR_INV_VALUE));
    }
    Ok(path)
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// Read from the stream's current position to its end: the bytes read, and the errno
/// of a read error that stopped it, if one did.
///
/// # Safety
/// `f` is an open, readable `FILE *`.
unsafe fn read_to_end(f: *mut FILE) -> (Vec<u8>, Option<i32>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        // SAFETY: buf is writable for its length; f is a valid stream.
        let n = unsafe { libc::fread(buf.as_mut_ptr() as *mut c_void, 1, buf.len(), f) };
        out.extend_from_slice(&buf[..n]);
        if n < buf.len() {
            // SAFETY: f is a valid stream.
            let failed = unsafe { libc::ferror(f) } != 0;
            return (out, failed.then(errno));
        }
    }
}

/// Read from the stream's current position to its end; a read error is an error.
///
/// # Safety
/// `f` is an open, readable `FILE *`.
pub(crate) unsafe fn read_stream(f: *mut FILE) -> Result<Vec<u8>> {
    // SAFETY: forwarded contract.
    match unsafe { read_to_end(f) } {
        (out, None) => Ok(out),
        (_, Some(e)) => Err(Error::Os(e)),
    }
}

/// Read the rest of the stream as libotr's line readers do (`fgets` until it returns
/// NULL): a read error just ends the input, so a directory's stream reads as empty.
///
/// # Safety
/// `f` is an open, readable `FILE *`.
pub(crate) unsafe fn read_stream_lines(f: *mut FILE) -> Vec<u8> {
    // SAFETY: forwarded contract.
    unsafe { read_to_end(f) }.0
}

/// Write all of `data` to the stream and flush it.
///
/// # Safety
/// `f` is an open, writable `FILE *`.
pub(crate) unsafe fn write_stream(f: *mut FILE, data: &[u8]) -> Result<()> {
    // SAFETY: data is readable for its length; f is a valid stream.
    unsafe {
        if !data.is_empty() && libc::fwrite(data.as_ptr() as *const c_void, 1, data.len(), f) != data.len() {
            return Err(Error::Os(errno()));
        }
        if libc::fflush(f) != 0 {
            return Err(Error::Os(errno()));
        }
    }
    Ok(())
}

/// Fail as `fopen(path, "w")` would before any work is done: the parent directory must
/// exist and be writable, and the path must not be a directory.
pub(crate) fn check_creatable(path: &std::path::Path) -> std::io::Result<()> {
    use std::io::{Error as IoError, ErrorKind};
    if path.is_dir() {
        return Err(IoError::from_raw_os_error(libc::EISDIR));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let meta = std::fs::metadata(&parent)?;
    if !meta.is_dir() {
        return Err(IoError::from_raw_os_error(libc::ENOTDIR));
    }
    let c = std::ffi::CString::new(parent.as_os_str().as_bytes()).map_err(|_| IoError::from(ErrorKind::InvalidInput))?;
    // SAFETY: c is a valid NUL-terminated path.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
        return Err(IoError::last_os_error());
    }
    Ok(())
}
