//! Key generation through the C API, including the threaded start/calculate/finish
//! steps a plugin runs on a worker thread.

use otr::ffi::privkey::*;
use otr::ffi::types::*;
use otr::ffi::userstate::*;
use std::ffi::{CStr, CString};
use std::ptr::null_mut;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("otr-privkey-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[test]
fn threaded_generation_and_reread() {
    let dir = tmp("thread");
    let path = c(dir.join("otr.private_key").to_str().unwrap());
    let (a, p) = (c("alice"), c("proto"));
    unsafe {
        let us = otrl_userstate_create();
        let mut newkey = null_mut();
        assert_eq!(otrl_privkey_generate_start(us, a.as_ptr(), p.as_ptr(), &mut newkey), 0);
        assert!(!(*us).pending_root.is_null());
        // The calculation runs on another thread while the user state stays usable.
        let nk = newkey as usize;
        let worker = std::thread::spawn(move || otrl_privkey_generate_calculate(nk as *mut libc::c_void));
        assert!(otrl_privkey_find(us, a.as_ptr(), p.as_ptr()).is_null());
        assert_eq!(worker.join().unwrap(), 0);
        // A file that cannot be written leaves everything as it was, the pending key too.
        let bad = c("/nonexistent/dir/key");
        assert_ne!(otrl_privkey_generate_finish(us, newkey, bad.as_ptr()), 0);
        assert!(!(*us).pending_root.is_null());
        assert_eq!(otrl_privkey_generate_finish(us, newkey, path.as_ptr()), 0);
        assert!((*us).pending_root.is_null());
        let k = otrl_privkey_find(us, a.as_ptr(), p.as_ptr());
        assert!(!k.is_null());
        assert_eq!((*k).pubkey_type, 0);
        let mut fp1 = [0 as libc::c_char; 45];
        otrl_privkey_fingerprint(us, fp1.as_mut_ptr(), a.as_ptr(), p.as_ptr());
        let meta = std::fs::metadata(dir.join("otr.private_key")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);

        // A second account: the file keeps the first key and gains the second.
        let b = c("bob");
        assert_eq!(otrl_privkey_generate(us, path.as_ptr(), b.as_ptr(), p.as_ptr()), 0);
        let us2 = otrl_userstate_create();
        assert_eq!(otrl_privkey_read(us2, path.as_ptr()), 0);
        let mut fp2 = [0 as libc::c_char; 45];
        assert!(!otrl_privkey_fingerprint(us2, fp2.as_mut_ptr(), a.as_ptr(), p.as_ptr()).is_null());
        assert_eq!(CStr::from_ptr(fp1.as_ptr()), CStr::from_ptr(fp2.as_ptr()));
        assert!(!otrl_privkey_find(us2, b.as_ptr(), p.as_ptr()).is_null());

        // A malformed file: libotr's error, and the keys we had stay.
        std::fs::write(dir.join("bad"), "(privkeys (account (name a)").unwrap();
        let badf = c(dir.join("bad").to_str().unwrap());
        assert_eq!(otrl_privkey_read(us2, badf.as_ptr()), 0x0100_00cb);
        assert!(!otrl_privkey_find(us2, b.as_ptr(), p.as_ptr()).is_null());

        otrl_userstate_free(us);
        otrl_userstate_free(us2);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cancelled_generation_frees_everything() {
    let (a, p) = (c("carol"), c("proto"));
    unsafe {
        let us = otrl_userstate_create();
        let mut nk = null_mut();
        assert_eq!(otrl_privkey_generate_start(us, a.as_ptr(), p.as_ptr(), &mut nk), 0);
        let mut again = 1 as *mut libc::c_void;
        assert_eq!(otrl_privkey_generate_start(us, a.as_ptr(), p.as_ptr(), &mut again), 0x2000_8023);
        assert!(again.is_null());
        otrl_privkey_generate_cancelled(us, nk);
        assert!((*us).pending_root.is_null());
        assert_eq!(otrl_privkey_generate_start(us, a.as_ptr(), p.as_ptr(), &mut nk), 0);
        otrl_privkey_generate_cancelled(us, nk);
        otrl_userstate_free(us);
    }
    let _: OtrlUserState = null_mut();
}
