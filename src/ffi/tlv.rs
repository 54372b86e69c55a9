//! tlv.h: TLV chains as linked `OtrlTLV` records (calloc'd; data malloc'd with one
//! extra NUL byte after `len` bytes, as libotr allocates it).

use super::boundary;
use super::types::*;
use super::util::{calloc_struct, cfree};
use libc::{c_uchar, c_ushort, size_t};
use std::ptr::{self, null_mut};

pub(crate) unsafe fn tlv_new(typ: u16, data: &[u8]) -> *mut OtrlTLV {
    let t = calloc_struct::<OtrlTLV>();
    // SAFETY: t is fresh; data gets len+1 bytes.
    unsafe {
        (*t).type_ = typ;
        (*t).len = data.len() as c_ushort;
        let d = libc::malloc(data.len() + 1) as *mut u8;
        if d.is_null() {
            std::process::abort();
        }
        ptr::copy_nonoverlapping(data.as_ptr(), d, data.len());
        *d.add(data.len()) = 0;
        (*t).data = d;
    }
    t
}

/// Build a C chain from parsed records (NULL for none).
pub(crate) unsafe fn chain_from(tlvs: &[crate::tlv::Tlv]) -> *mut OtrlTLV {
    let mut head: *mut OtrlTLV = null_mut();
    let mut link: *mut *mut OtrlTLV = &mut head;
    for t in tlvs {
        // SAFETY: link points at the last next-pointer of the chain.
        unsafe {
            *link = tlv_new(t.typ, &t.data);
            link = &mut (**link).next;
        }
    }
    head
}

/// Read a C chain into records.
pub(crate) unsafe fn chain_to_vec(mut t: *const OtrlTLV) -> Vec<crate::tlv::Tlv> {
    let mut v = Vec::new();
    while !t.is_null() {
        // SAFETY: t is a live TLV with `len` readable data bytes.
        unsafe {
            let data = if (*t).len == 0 || (*t).data.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts((*t).data, (*t).len as usize).to_vec()
            };
            v.push(crate::tlv::Tlv { typ: (*t).type_, data });
            t = (*t).next;
        }
    }
    v
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_new(type_: c_ushort, len: c_ushort, data: *const c_uchar) -> *mut OtrlTLV {
    boundary("otrl_tlv_new", null_mut(), || unsafe {
        if data.is_null() {
            // libotr would read from NULL; we give a zero-filled value of that length.
            return tlv_new(type_, &vec![0u8; len as usize]);
        }
        tlv_new(type_, std::slice::from_raw_parts(data, len as usize))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_parse(serialized: *const c_uchar, seriallen: size_t) -> *mut OtrlTLV {
    boundary("otrl_tlv_parse", null_mut(), || unsafe {
        if serialized.is_null() || seriallen == 0 {
            return null_mut();
        }
        chain_from(&crate::tlv::parse(std::slice::from_raw_parts(serialized, seriallen)))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_free(mut tlv: *mut OtrlTLV) {
    boundary("otrl_tlv_free", (), || unsafe {
        while !tlv.is_null() {
            let next = (*tlv).next;
            cfree((*tlv).data);
            cfree(tlv);
            tlv = next;
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_seriallen(mut tlv: *const OtrlTLV) -> size_t {
    boundary("otrl_tlv_seriallen", 0, || unsafe {
        let mut n = 0;
        while !tlv.is_null() {
            n += 4 + (*tlv).len as size_t;
            tlv = (*tlv).next;
        }
        n
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_serialize(buf: *mut c_uchar, tlv: *const OtrlTLV) {
    boundary("otrl_tlv_serialize", (), || unsafe {
        if buf.is_null() {
            return;
        }
        let mut out = Vec::new();
        crate::tlv::serialize(&chain_to_vec(tlv), &mut out);
        ptr::copy_nonoverlapping(out.as_ptr(), buf, out.len());
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_tlv_find(mut tlvs: *mut OtrlTLV, type_: c_ushort) -> *mut OtrlTLV {
    boundary("otrl_tlv_find", null_mut(), || unsafe {
        while !tlvs.is_null() {
            if (*tlvs).type_ == type_ {
                return tlvs;
            }
            tlvs = (*tlvs).next;
        }
        null_mut()
    })
}
