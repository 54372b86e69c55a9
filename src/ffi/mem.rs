//! mem.h

use super::boundary;
use libc::{c_int, c_uchar, size_t};
use subtle::ConstantTimeEq;

/// libotr installs its own allocation handlers into libgcrypt here. We do not use
/// libgcrypt, and our secrets are zeroized when dropped, so there is nothing to set up;
/// calling it is harmless and it may be called any number of times.
#[no_mangle]
pub extern "C" fn otrl_mem_init() {}

/// Constant-time comparison: 0 if the buffers are equal, 1 if they differ.
#[no_mangle]
pub unsafe extern "C" fn otrl_mem_differ(buf1: *const c_uchar, buf2: *const c_uchar, len: size_t) -> c_int {
    boundary("otrl_mem_differ", 1, || unsafe {
        if len == 0 {
            return 0;
        }
        if buf1.is_null() || buf2.is_null() {
            return 1;
        }
        let a = std::slice::from_raw_parts(buf1, len);
        let b = std::slice::from_raw_parts(buf2, len);
        (!bool::from(a.ct_eq(b))) as c_int
    })
}
