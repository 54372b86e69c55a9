//! b64.h

use super::boundary;
use super::util::{cstr, memdup, strdup_bytes};
use libc::{c_char, c_int, c_uchar, size_t};
use std::ptr;

#[no_mangle]
pub unsafe extern "C" fn otrl_base64_encode(base64data: *mut c_char, data: *const c_uchar, datalen: size_t) -> size_t {
    boundary("otrl_base64_encode", 0, || unsafe {
        if base64data.is_null() || (data.is_null() && datalen > 0) {
            return 0;
        }
        let d = if datalen == 0 { &[][..] } else { std::slice::from_raw_parts(data, datalen) };
        let s = crate::b64::encode(d);
        // Like libotr: exactly the encoded characters, no terminating NUL.
        ptr::copy_nonoverlapping(s.as_ptr(), base64data as *mut u8, s.len());
        s.len()
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_base64_decode(data: *mut c_uchar, base64data: *const c_char, base64len: size_t) -> size_t {
    boundary("otrl_base64_decode", 0, || unsafe {
        if data.is_null() || (base64data.is_null() && base64len > 0) {
            return 0;
        }
        let s = if base64len == 0 { &[][..] } else { std::slice::from_raw_parts(base64data as *const u8, base64len) };
        let d = crate::b64::decode(s);
        ptr::copy_nonoverlapping(d.as_ptr(), data, d.len());
        d.len()
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_base64_otr_encode(buf: *const c_uchar, buflen: size_t) -> *mut c_char {
    boundary("otrl_base64_otr_encode", ptr::null_mut(), || unsafe {
        if buf.is_null() && buflen > 0 {
            return ptr::null_mut();
        }
        let d = if buflen == 0 { &[][..] } else { std::slice::from_raw_parts(buf, buflen) };
        strdup_bytes(crate::b64::otr_encode(d).as_bytes())
    })
}

/// 0 on success (`*bufp` malloc'd), -1 if memory runs out, -2 if `msg` holds no
/// `?OTR:…​.` message.
#[no_mangle]
pub unsafe extern "C" fn otrl_base64_otr_decode(msg: *const c_char, bufp: *mut *mut c_uchar, lenp: *mut size_t) -> c_int {
    boundary("otrl_base64_otr_decode", -2, || unsafe {
        let Some(m) = cstr(msg) else { return -2 };
        if bufp.is_null() || lenp.is_null() {
            return -2;
        }
        let Some(d) = crate::b64::otr_decode(m) else { return -2 };
        let p = memdup(&d);
        if p.is_null() {
            return -1;
        }
        *bufp = p;
        *lenp = d.len();
        0
    })
}
