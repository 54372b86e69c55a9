//! proto.h: library initialisation and version, query messages, whitespace tags,
//! message classification and fragments. (Creating and accepting data messages come
//! with the conversation layer.)

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

/// The API version the application announced with `otrl_init` (0 before).
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
        assert_eq!(otrl_api_version.load(Ordering::Relaxed), 0x40101);
        assert_eq!(otrl_init(4, 0, 0), 0);
        assert_eq!(otrl_api_version.load(Ordering::Relaxed), 0x40000);
        assert_eq!(otrl_init(4, 2, 0), 0);
        assert_eq!(otrl_api_version.load(Ordering::Relaxed), 0x40000);
        let v = unsafe { std::ffi::CStr::from_ptr(otrl_version()) };
        assert_eq!(v.to_bytes(), b"4.1.1");
    }
}

// ---------------------------------------------------------------------------------
// Query messages, whitespace tags, classification, fragments.

use super::error::{gcry_error as gerr, GPG_ERR_ENOMEM};
use super::types::{ConnContext, OtrlFragmentResult, OtrlMessageType, OtrlPolicy};
use super::util::{cstr, strdup_bytes};
use crate::proto as core;
use libc::{c_int, c_ushort};
use std::ptr::null_mut;

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_default_query_msg(ourname: *const c_char, policy: OtrlPolicy) -> *mut c_char {
    boundary("otrl_proto_default_query_msg", null_mut(), || unsafe {
        strdup_bytes(&core::default_query_msg(cstr(ourname).unwrap_or(b"(null)"), policy))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_query_bestversion(querymsg: *const c_char, policy: OtrlPolicy) -> c_uint {
    boundary("otrl_proto_query_bestversion", 0, || unsafe {
        cstr(querymsg).map_or(0, |m| core::query_bestversion(m, policy))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_whitespace_bestversion(
    msg: *const c_char,
    starttagp: *mut *const c_char,
    endtagp: *mut *const c_char,
    policy: OtrlPolicy,
) -> c_uint {
    boundary("otrl_proto_whitespace_bestversion", 0, || unsafe {
        if !starttagp.is_null() {
            *starttagp = std::ptr::null();
        }
        if !endtagp.is_null() {
            *endtagp = std::ptr::null();
        }
        let Some(m) = cstr(msg) else { return 0 };
        match core::whitespace_bestversion(m, policy) {
            Some((v, s, e)) => {
                if !starttagp.is_null() {
                    *starttagp = msg.add(s);
                }
                if !endtagp.is_null() {
                    *endtagp = msg.add(e);
                }
                v
            }
            None => 0,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_message_type(message: *const c_char) -> OtrlMessageType {
    boundary("otrl_proto_message_type", core::MessageType::NotOtr as u32, || unsafe {
        cstr(message).map_or(core::MessageType::NotOtr, core::message_type) as u32
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_message_version(message: *const c_char) -> c_int {
    boundary("otrl_proto_message_version", 0, || unsafe { cstr(message).map_or(0, core::message_version) as c_int })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_instance(
    otrmsg: *const c_char,
    instance_from: *mut c_uint,
    instance_to: *mut c_uint,
) -> gcry_error_t {
    boundary("otrl_proto_instance", gerr(GPG_ERR_INV_VALUE), || unsafe {
        match cstr(otrmsg).and_then(core::instance) {
            Some((from, to)) if !instance_from.is_null() && !instance_to.is_null() => {
                *instance_from = from;
                *instance_to = to;
                0
            }
            _ => gerr(GPG_ERR_INV_VALUE),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_data_read_flags(datamsg: *const c_char, flagsp: *mut libc::c_uchar) -> gcry_error_t {
    boundary("otrl_proto_data_read_flags", gerr(GPG_ERR_INV_VALUE), || unsafe {
        if !flagsp.is_null() {
            *flagsp = 0;
        }
        match cstr(datamsg).and_then(core::data_read_flags) {
            Some(f) => {
                if !flagsp.is_null() {
                    *flagsp = f;
                }
                0
            }
            None => gerr(GPG_ERR_INV_VALUE),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_fragment_create(
    mms: c_int,
    fragment_count: c_int,
    fragments: *mut *mut *mut c_char,
    context: *mut ConnContext,
    message: *const c_char,
) -> gcry_error_t {
    boundary("otrl_proto_fragment_create", gerr(GPG_ERR_INV_VALUE), || unsafe {
        let (Some(msg), false, false) = (cstr(message), context.is_null(), fragments.is_null()) else {
            return gerr(GPG_ERR_INV_VALUE);
        };
        if !(1..=65535).contains(&fragment_count) || mms < 0 {
            return gerr(GPG_ERR_INV_VALUE);
        }
        let c = &*context;
        let Some(parts) = core::fragment_create(
            mms as usize,
            fragment_count as u16,
            msg,
            c.protocol_version,
            c.auth.protocol_version,
            c.our_instance,
            c.their_instance,
        ) else {
            return gerr(GPG_ERR_INV_VALUE);
        };
        let arr = libc::calloc(parts.len(), std::mem::size_of::<*mut c_char>()) as *mut *mut c_char;
        if arr.is_null() {
            return gerr(GPG_ERR_ENOMEM);
        }
        for (i, p) in parts.iter().enumerate() {
            *arr.add(i) = strdup_bytes(p);
        }
        *fragments = arr;
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_fragment_free(fragments: *mut *mut *mut c_char, arraylen: c_ushort) {
    boundary("otrl_proto_fragment_free", (), || unsafe {
        if fragments.is_null() || (*fragments).is_null() {
            return;
        }
        let arr = *fragments;
        for i in 0..arraylen as usize {
            libc::free(*arr.add(i) as *mut libc::c_void);
        }
        // Like libotr, *fragments keeps its (now dangling) value.
        libc::free(arr as *mut libc::c_void);
    })
}

const FRAGMENT_UNFRAGMENTED: OtrlFragmentResult = 0;
const FRAGMENT_INCOMPLETE: OtrlFragmentResult = 1;
const FRAGMENT_COMPLETE: OtrlFragmentResult = 2;

/// Reassembly state lives in the context's private part, as in libotr
/// (`fragment`, `fragment_len`, `fragment_n`, `fragment_k`).
unsafe fn reset_fragment(p: *mut super::types::ConnContextPriv) {
    // SAFETY: p is a live private part; fragment is malloc'd or NULL.
    unsafe {
        libc::free((*p).fragment as *mut libc::c_void);
        (*p).fragment = null_mut();
        (*p).fragment_len = 0;
        (*p).fragment_n = 0;
        (*p).fragment_k = 0;
    }
}

/// What accumulating one received message did.
pub(crate) enum Accumulated {
    /// Not a fragment (any partial message was dropped).
    Unfragmented,
    /// Stored; more pieces are needed (or the piece was out of order and dropped).
    Incomplete,
    /// The last piece arrived: the whole message.
    Complete(*mut c_char),
    /// The reassembled message would exceed our cap: the partial message was dropped.
    TooBig,
}

/// Fragment reassembly in the context's private part (libotr's rules, with a cap).
pub(crate) unsafe fn accumulate(context: *mut ConnContext, m: &[u8]) -> Accumulated {
    // SAFETY: context is live with a private part.
    unsafe {
        let p = (*context).context_priv;
        let frag = match core::parse_fragment(m) {
            None => {
                // Not a fragment: whatever was being reassembled is dropped.
                reset_fragment(p);
                return Accumulated::Unfragmented;
            }
            // A malformed header leaves the reassembly as it was (as in libotr).
            Some(Err(())) => None,
            Some(Ok(f)) => Some(f),
        };
        if let Some(f) = frag {
            let pr = &mut *p;
            if f.k == 1 || (f.n == pr.fragment_n && f.k == pr.fragment_k.wrapping_add(1)) {
                let old = if f.k == 1 { 0 } else { pr.fragment_len };
                let newlen = old + f.piece.len();
                if newlen > core::MAX_REASSEMBLED {
                    reset_fragment(p);
                    return Accumulated::TooBig;
                }
                let buf = if f.k == 1 {
                    libc::free(pr.fragment as *mut libc::c_void);
                    pr.fragment = null_mut();
                    libc::malloc(newlen + 1)
                } else {
                    libc::realloc(pr.fragment as *mut libc::c_void, newlen + 1)
                } as *mut u8;
                if buf.is_null() {
                    reset_fragment(p);
                    return Accumulated::Incomplete;
                }
                std::ptr::copy_nonoverlapping(f.piece.as_ptr(), buf.add(old), f.piece.len());
                *buf.add(newlen) = 0;
                pr.fragment = buf as *mut c_char;
                pr.fragment_len = newlen;
                pr.fragment_n = f.n;
                pr.fragment_k = f.k;
            } else {
                reset_fragment(p);
            }
        }
        let pr = &mut *p;
        if pr.fragment_n > 0 && pr.fragment_n == pr.fragment_k {
            let whole = pr.fragment;
            pr.fragment = null_mut();
            pr.fragment_len = 0;
            pr.fragment_n = 0;
            pr.fragment_k = 0;
            return Accumulated::Complete(whole);
        }
        Accumulated::Incomplete
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_fragment_accumulate(
    unfragmessagep: *mut *mut c_char,
    context: *mut ConnContext,
    msg: *const c_char,
) -> OtrlFragmentResult {
    boundary("otrl_proto_fragment_accumulate", FRAGMENT_INCOMPLETE, || unsafe {
        let (Some(m), false) = (cstr(msg), context.is_null() || (*context).context_priv.is_null()) else {
            return FRAGMENT_INCOMPLETE;
        };
        match accumulate(context, m) {
            Accumulated::Unfragmented => FRAGMENT_UNFRAGMENTED,
            Accumulated::Incomplete | Accumulated::TooBig => FRAGMENT_INCOMPLETE,
            Accumulated::Complete(whole) => {
                if unfragmessagep.is_null() {
                    libc::free(whole as *mut libc::c_void);
                    return FRAGMENT_INCOMPLETE;
                }
                *unfragmessagep = whole;
                FRAGMENT_COMPLETE
            }
        }
    })
}
