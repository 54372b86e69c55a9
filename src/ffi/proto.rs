//! proto.h, part one: library initialisation and version. (The protocol functions of
//! proto.h arrive with the conversation layer.)

use super::boundary;
use super::error::{gcry_error, GPG_ERR_INV_VALUE};
use super::types::gcry_error_t;
use libc::{c_char, c_uint};
use std::sync::atomic::{AtomicU32, Ordering};

pub const OTRL_VERSION_MAJOR: c_uint = 4;
pub const OTRL_VERSION_MINOR: c_uint = 1;
pub const OTRL_VERSION_SUB: c_uint = 1;

/// The exported 4-byte data symbol libotr keeps the caller's API version in:
/// `(major << 16) | (minor << 8) | sub`, the smallest seen by `otrl_init`, 0 before.
/// An `AtomicU32` has the layout of `unsigned int`, so C reading it sees a plain int.
#[no_mangle]
pub static otrl_api_version: AtomicU32 = AtomicU32::new(0);

/// Encoded API version as stored in `otrl_api_version`.
pub(crate) fn api_version() -> u32 {
    otrl_api_version.load(Ordering::Relaxed)
}

#[no_mangle]
pub extern "C" fn otrl_init(ver_major: c_uint, ver_minor: c_uint, ver_sub: c_uint) -> gcry_error_t {
    boundary("otrl_init", gcry_error(GPG_ERR_INV_VALUE), || {
        // Upstream libotr refuses a different major version (and OTRL_INIT then exits the
        // program). Debian's build accepts everything; we keep the major check, which is
        // what the API promises, and accept any minor/sub as Debian's library does.
        if ver_major != OTRL_VERSION_MAJOR {
            eprintln!(
                "Expected libotr API version {ver_major}.{ver_minor}.{ver_sub} incompatible with actual version {OTRL_VERSION_MAJOR}.{OTRL_VERSION_MINOR}.{OTRL_VERSION_SUB}.  Aborting."
            );
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let v = (ver_major.min(0xff) << 16) | (ver_minor.min(0xff) << 8) | ver_sub.min(0xff);
        // Keep the smallest version any caller initialised us with.
        let _ = otrl_api_version.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
            (cur == 0 || v < cur).then_some(v)
        });
        0
    })
}

#[no_mangle]
pub extern "C" fn otrl_version() -> *const c_char {
    c"4.1.1".as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn init_records_smallest_and_checks_major() {
        assert_eq!(otrl_init(3, 0, 0), 0x2000_0037);
        assert_eq!(otrl_init(4, 1, 1), 0);
        assert_eq!(api_version(), 0x40101);
        assert_eq!(otrl_init(4, 0, 0), 0);
        assert_eq!(api_version(), 0x40000);
        assert_eq!(otrl_init(4, 2, 0), 0);
        assert_eq!(api_version(), 0x40000);
        let v = unsafe { std::ffi::CStr::from_ptr(otrl_version()) };
        assert_eq!(v.to_bytes(), b"4.1.1");
    }
}
