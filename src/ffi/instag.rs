//! instag.h: our instance tags, one per (account, protocol), kept in `us->instag_root`
//! (newest first) and in the instance-tag file.

use super::error::{gcry_error, gcry_error_from_errno, result_code, GPG_ERR_INV_VALUE};
use super::types::*;
use super::util::{calloc_struct, cfree, cstr, strdup_bytes};
use super::{boundary, filep, list};
use crate::store::instags::{self, InstagEntry};
use libc::{c_char, FILE};
use std::ptr::null_mut;

/// First tag for (account, protocol) in list order, as `otrl_instag_find` finds it.
pub(crate) unsafe fn find_tag(us: OtrlUserState, accountname: &[u8], protocol: &[u8]) -> Option<otrl_instag_t> {
    // SAFETY: us is live.
    let p = unsafe { find(us, accountname, protocol) };
    // SAFETY: p is NULL or a live tag.
    (!p.is_null()).then(|| unsafe { (*p).instag })
}

unsafe fn find(us: OtrlUserState, accountname: &[u8], protocol: &[u8]) -> *mut OtrlInsTag {
    // SAFETY: us and its tag list are live.
    unsafe { list::find_account((*us).instag_root, accountname, protocol) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_find(
    us: OtrlUserState,
    accountname: *const c_char,
    protocol: *const c_char,
) -> *mut OtrlInsTag {
    boundary("otrl_instag_find", null_mut(), || unsafe {
        match (us.is_null(), cstr(accountname), cstr(protocol)) {
            (false, Some(a), Some(p)) => find(us, a, p),
            _ => null_mut(),
        }
    })
}

/// Push a tag onto the head of the list (as libotr's reader and generator do).
unsafe fn push(us: OtrlUserState, accountname: &[u8], protocol: &[u8], tag: otrl_instag_t) {
    // SAFETY: us is live; the new entry is fully initialised before linking.
    unsafe {
        let t = calloc_struct::<OtrlInsTag>();
        (*t).accountname = strdup_bytes(accountname);
        (*t).protocol = strdup_bytes(protocol);
        (*t).instag = tag;
        list::link_at(&raw mut (*us).instag_root, t);
    }
}

unsafe fn forget(t: *mut OtrlInsTag) {
    // SAFETY: t is a live, linked tag of ours.
    unsafe {
        list::unlink(t);
        cfree((*t).accountname);
        cfree((*t).protocol);
        cfree(t);
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_forget(instag: *mut OtrlInsTag) {
    boundary("otrl_instag_forget", (), || unsafe {
        if !instag.is_null() {
            forget(instag);
        }
    })
}

pub(crate) unsafe fn forget_all_instags(us: OtrlUserState) {
    // SAFETY: us is live.
    unsafe { list::forget_all(&raw mut (*us).instag_root, forget) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_forget_all(us: OtrlUserState) {
    boundary("otrl_instag_forget_all", (), || unsafe {
        if !us.is_null() {
            forget_all_instags(us);
        }
    })
}

/// Add the tags of a file's contents to the user state (nothing is cleared first).
unsafe fn load(us: OtrlUserState, data: &[u8]) {
    for e in instags::parse_instags(data) {
        // SAFETY: us is live.
        unsafe { push(us, &e.accountname, &e.protocol, e.instag) };
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_read(us: OtrlUserState, filename: *const c_char) -> gcry_error_t {
    boundary("otrl_instag_read", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let path = match filep::path_for(filename, us) {
            Ok(p) => p,
            Err(e) => return e,
        };
        // libotr reads with fgets: only fopen can fail (a directory reads as empty).
        match crate::store::atomic::read_lines_input(&path) {
            Ok(data) => {
                load(us, &data);
                0
            }
            Err(e) => result_code(Err(e.into())),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_read_FILEp(us: OtrlUserState, instf: *mut FILE) -> gcry_error_t {
    boundary("otrl_instag_read_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if us.is_null() || instf.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        load(us, &filep::read_stream_lines(instf));
        0
    })
}

unsafe fn entries(us: OtrlUserState) -> Vec<InstagEntry> {
    let mut v = Vec::new();
    // SAFETY: us and its list are live.
    unsafe {
        let mut p = (*us).instag_root;
        while !p.is_null() {
            v.push(InstagEntry {
                accountname: cstr((*p).accountname).unwrap_or_default().to_vec(),
                protocol: cstr((*p).protocol).unwrap_or_default().to_vec(),
                instag: (*p).instag,
            });
            p = (*p).next;
        }
    }
    v
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_write(us: OtrlUserState, filename: *const c_char) -> gcry_error_t {
    boundary("otrl_instag_write", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let path = match filep::path_for(filename, us) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let data = instags::format_instags(&entries(us));
        result_code(crate::store::atomic::write_atomic(&path, &data, 0o666).map_err(Into::into))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_write_FILEp(us: OtrlUserState, instf: *mut FILE) -> gcry_error_t {
    boundary("otrl_instag_write_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if us.is_null() || instf.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let data = instags::format_instags(&entries(us));
        result_code(filep::write_stream(instf, &data))
    })
}

#[no_mangle]
pub extern "C" fn otrl_instag_get_new() -> otrl_instag_t {
    boundary("otrl_instag_get_new", 0, instags::new_instag)
}

/// Make a new tag for the account and put it at the head of the list.
unsafe fn generate(us: OtrlUserState, accountname: *const c_char, protocol: *const c_char) -> Result<(), gcry_error_t> {
    // SAFETY: arguments checked; us is live.
    unsafe {
        let (Some(a), Some(p)) = (cstr(accountname), cstr(protocol)) else {
            return Err(gcry_error(GPG_ERR_INV_VALUE));
        };
        if us.is_null() {
            return Err(gcry_error(GPG_ERR_INV_VALUE));
        }
        push(us, a, p, instags::new_instag());
        Ok(())
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_generate(
    us: OtrlUserState,
    filename: *const c_char,
    accountname: *const c_char,
    protocol: *const c_char,
) -> gcry_error_t {
    boundary("otrl_instag_generate", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if filep::path_arg(filename).is_none() {
            return gcry_error_from_errno(libc::EFAULT);
        }
        match generate(us, accountname, protocol) {
            Ok(()) => {
                let err = otrl_instag_write(us, filename);
                if err != 0 {
                    // libotr opens the file first and adds nothing if that fails.
                    forget((*us).instag_root);
                }
                err
            }
            Err(e) => e,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_instag_generate_FILEp(
    us: OtrlUserState,
    instf: *mut FILE,
    accountname: *const c_char,
    protocol: *const c_char,
) -> gcry_error_t {
    boundary("otrl_instag_generate_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if instf.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        match generate(us, accountname, protocol) {
            Ok(()) => otrl_instag_write_FILEp(us, instf),
            Err(e) => e,
        }
    })
}
