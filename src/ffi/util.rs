//! Small helpers shared by the FFI modules: C strings and zero-filled C allocations.
//! Everything a plugin may see or free is allocated with the C allocator.

use libc::{c_char, c_void};
use std::ffi::CStr;

/// Borrow a NUL-terminated C string's bytes (without the NUL); `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the borrow.
pub(crate) unsafe fn cstr<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        None
    } else {
        // SAFETY: caller guarantees a valid NUL-terminated string.
        Some(unsafe { CStr::from_ptr(p) }.to_bytes())
    }
}

/// `malloc` a NUL-terminated copy of `bytes` (which must not contain NUL for C to see it
/// whole). Returns NULL only if the C allocator fails.
pub(crate) fn strdup_bytes(bytes: &[u8]) -> *mut c_char {
    // SAFETY: we allocate len+1 bytes and write exactly that many.
    unsafe {
        let p = libc::malloc(bytes.len() + 1) as *mut u8;
        if p.is_null() {
            return std::ptr::null_mut();
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        *p.add(bytes.len()) = 0;
        p as *mut c_char
    }
}

/// `malloc` a copy of `bytes` (no terminator). NULL if the allocator fails.
pub(crate) fn memdup(bytes: &[u8]) -> *mut u8 {
    // SAFETY: allocate max(len,1) bytes and copy len.
    unsafe {
        let p = libc::malloc(bytes.len().max(1)) as *mut u8;
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
        p
    }
}

/// A zero-filled `T` from `calloc` (padding included). Aborts on allocation failure, as
/// libotr asserts on it.
pub(crate) fn calloc_struct<T>() -> *mut T {
    // SAFETY: calloc returns zeroed, suitably aligned memory (alignment ≤ 16 here).
    let p = unsafe { libc::calloc(1, std::mem::size_of::<T>()) } as *mut T;
    if p.is_null() {
        std::process::abort();
    }
    p
}

/// `free` something the C allocator gave us (NULL is fine).
///
/// # Safety
/// `p` came from malloc/calloc/strdup and is not used afterwards.
pub(crate) unsafe fn cfree<T>(p: *mut T) {
    // SAFETY: forwarded contract.
    unsafe { libc::free(p as *mut c_void) }
}

/// Replace `*slot` (a malloc'd C string or NULL) by a copy of `new` (or NULL).
///
/// # Safety
/// `*slot` is NULL or malloc'd.
pub(crate) unsafe fn replace_cstring(slot: &mut *mut c_char, new: Option<&[u8]>) {
    // SAFETY: forwarded contract.
    unsafe { cfree(*slot) };
    *slot = match new {
        Some(b) => strdup_bytes(b),
        None => std::ptr::null_mut(),
    };
}
