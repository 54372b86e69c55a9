//! dh.h: D-H key pairs over the 1536-bit group, data-message session keys, the AKE's
//! keys, and the counter helpers. The `gcry_mpi_t`, `gcry_cipher_hd_t` and
//! `gcry_md_hd_t` fields hold our handle objects (`ffi::handles`).
//!
//! Like libotr, `otrl_dh_keypair_copy`, `otrl_dh_gen_keypair`, `otrl_dh_session` and
//! `otrl_dh_compute_v2_auth_keys` overwrite their outputs without freeing what was
//! there (callers initialise or free first), and `otrl_dh_keypair_free` keeps the group
//! id. One deliberate difference: `otrl_dh_session` refuses a public value `y` outside
//! [2, p-2] (INV_VALUE, keys left blank); libotr 4.1.1 computes keys from y = 1, whose
//! shared secret is 1 and known to everyone.

use super::boundary;
use super::error::{gcry_error, to_gcry, GPG_ERR_INV_VALUE};
use super::handles::{blank_sesskeys, cipher_new, free_sesskeys, md_new, mpi_copy, mpi_mag, mpi_new, release_dh_keypair};
use super::types::*;
use crate::crypto::dh;
use crate::session::incctr;
use libc::{c_int, c_uchar, size_t};
use std::ptr::{self, null_mut};

const INV: gcry_error_t = gcry_error(GPG_ERR_INV_VALUE);
const SESSIONID_FIRST_HALF_BOLD: OtrlSessionIdHalf = 0;
const SESSIONID_SECOND_HALF_BOLD: OtrlSessionIdHalf = 1;

#[no_mangle]
pub extern "C" fn otrl_dh_init() {
    // The group is set up on first use; nothing to do.
    boundary("otrl_dh_init", (), || ())
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_keypair_init(kp: *mut DH_keypair) {
    boundary("otrl_dh_keypair_init", (), || unsafe {
        if let Some(kp) = kp.as_mut() {
            kp.groupid = 0;
            kp.priv_ = null_mut();
            kp.pub_ = null_mut();
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_keypair_copy(dst: *mut DH_keypair, src: *const DH_keypair) {
    boundary("otrl_dh_keypair_copy", (), || unsafe {
        if let (Some(d), Some(s)) = (dst.as_mut(), src.as_ref()) {
            d.groupid = s.groupid;
            d.priv_ = mpi_copy(s.priv_);
            d.pub_ = mpi_copy(s.pub_);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_keypair_free(kp: *mut DH_keypair) {
    boundary("otrl_dh_keypair_free", (), || unsafe {
        if let Some(kp) = kp.as_mut() {
            release_dh_keypair(kp);
        }
    })
}

/// Fill `kp` with a fresh key pair of our group (its old values are not freed).
pub(crate) fn gen_keypair_into(kp: &mut DH_keypair) {
    let k = dh::generate();
    kp.groupid = dh::GROUP_ID;
    kp.priv_ = mpi_new(&k.private);
    kp.pub_ = mpi_new(&k.public);
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_gen_keypair(groupid: libc::c_uint, kp: *mut DH_keypair) -> gcry_error_t {
    boundary("otrl_dh_gen_keypair", INV, || unsafe {
        if groupid != dh::GROUP_ID {
            return INV;
        }
        match kp.as_mut() {
            Some(kp) => {
                gen_keypair_into(kp);
                0
            }
            None => INV,
        }
    })
}

/// Our private and public magnitudes of a key pair of our group.
unsafe fn keypair_values<'a>(kp: *const DH_keypair) -> Option<(&'a [u8], &'a [u8])> {
    // SAFETY: kp is NULL or a live DH_keypair whose MPIs are ours or NULL.
    unsafe {
        let kp = kp.as_ref()?;
        if kp.groupid != dh::GROUP_ID {
            return None;
        }
        Some((mpi_mag(kp.priv_)?, mpi_mag(kp.pub_)?))
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_session(sess: *mut DH_sesskeys, kp: *const DH_keypair, y: gcry_mpi_t) -> gcry_error_t {
    boundary("otrl_dh_session", INV, || unsafe {
        let Some(sess) = sess.as_mut() else { return INV };
        blank_sesskeys(sess);
        let (Some((x, gx)), Some(gy)) = (keypair_values(kp), mpi_mag(y)) else { return INV };
        let k = match dh::session_keys(x, gx, gy) {
            Ok(k) => k,
            Err(e) => return to_gcry(e),
        };
        sess.sendenc = cipher_new(&k.send_aes);
        sess.sendmackey = *k.send_mac;
        sess.sendmac = md_new(&k.send_mac[..]);
        sess.rcvenc = cipher_new(&k.rcv_aes);
        sess.rcvmackey = *k.rcv_mac;
        sess.rcvmac = md_new(&k.rcv_mac[..]);
        sess.extrakey = *k.extra;
        0
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn otrl_dh_compute_v2_auth_keys(
    our_dh: *const DH_keypair,
    their_pub: gcry_mpi_t,
    sessionid: *mut c_uchar,
    sessionidlenp: *mut size_t,
    enc_c: *mut gcry_cipher_hd_t,
    enc_cp: *mut gcry_cipher_hd_t,
    mac_m1: *mut gcry_md_hd_t,
    mac_m1p: *mut gcry_md_hd_t,
    mac_m2: *mut gcry_md_hd_t,
    mac_m2p: *mut gcry_md_hd_t,
) -> gcry_error_t {
    boundary("otrl_dh_compute_v2_auth_keys", INV, || unsafe {
        let outs_c = [enc_c, enc_cp];
        let outs_m = [mac_m1, mac_m1p, mac_m2, mac_m2p];
        if outs_c.iter().any(|p| p.is_null()) || outs_m.iter().any(|p| p.is_null()) {
            return INV;
        }
        for p in outs_c {
            *p = null_mut();
        }
        for p in outs_m {
            *p = null_mut();
        }
        let (Some((x, _)), Some(gy)) = (keypair_values(our_dh), mpi_mag(their_pub)) else { return INV };
        if sessionid.is_null() || sessionidlenp.is_null() {
            return INV;
        }
        let s = match dh::shared_secret(x, gy) {
            Ok(s) => s,
            Err(e) => return to_gcry(e),
        };
        let k = dh::auth_keys(&s);
        ptr::copy_nonoverlapping(k.ssid.as_ptr(), sessionid, 8);
        *sessionidlenp = 8;
        *enc_c = cipher_new(&k.c);
        *enc_cp = cipher_new(&k.cp);
        *mac_m1 = md_new(&k.m1[..]);
        *mac_m1p = md_new(&k.m1p[..]);
        *mac_m2 = md_new(&k.m2[..]);
        *mac_m2p = md_new(&k.m2p[..]);
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_compute_v1_session_id(
    our_dh: *const DH_keypair,
    their_pub: gcry_mpi_t,
    sessionid: *mut c_uchar,
    sessionidlenp: *mut size_t,
    halfp: *mut OtrlSessionIdHalf,
) -> gcry_error_t {
    boundary("otrl_dh_compute_v1_session_id", INV, || unsafe {
        let (Some((x, gx)), Some(gy)) = (keypair_values(our_dh), mpi_mag(their_pub)) else { return INV };
        if sessionid.is_null() || sessionidlenp.is_null() || halfp.is_null() {
            return INV;
        }
        let s = match dh::shared_secret(x, gy) {
            Ok(s) => s,
            Err(e) => return to_gcry(e),
        };
        let id = dh::v1_session_id(&s);
        ptr::copy_nonoverlapping(id.as_ptr(), sessionid, 20);
        *sessionidlenp = 20;
        *halfp = if dh::compare_public(gx, gy).is_gt() {
            SESSIONID_SECOND_HALF_BOLD
        } else {
            SESSIONID_FIRST_HALF_BOLD
        };
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_session_free(sess: *mut DH_sesskeys) {
    boundary("otrl_dh_session_free", (), || unsafe {
        if let Some(s) = sess.as_mut() {
            free_sesskeys(s);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_session_blank(sess: *mut DH_sesskeys) {
    boundary("otrl_dh_session_blank", (), || unsafe {
        if let Some(s) = sess.as_mut() {
            blank_sesskeys(s);
        }
    })
}

/// libotr's comparison: the difference of the first differing bytes, 0 if equal.
fn cmpctr(a: &[u8; 8], b: &[u8; 8]) -> c_int {
    a.iter().zip(b).map(|(&x, &y)| x as c_int - y as c_int).find(|&d| d != 0).unwrap_or(0)
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_incctr(ctr: *mut c_uchar) {
    boundary("otrl_dh_incctr", (), || unsafe {
        if let Some(c) = (ctr as *mut [u8; 8]).as_mut() {
            incctr(c);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_dh_cmpctr(ctr1: *const c_uchar, ctr2: *const c_uchar) -> c_int {
    boundary("otrl_dh_cmpctr", 0, || unsafe {
        match ((ctr1 as *const [u8; 8]).as_ref(), (ctr2 as *const [u8; 8]).as_ref()) {
            (Some(a), Some(b)) => cmpctr(a, b),
            _ => 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_as_libotr() {
        // otrl_dh_incctr touches only the top half of a 16-byte counter block.
        let mut block = [0xffu8; 16];
        block[7] = 0xfe;
        unsafe { otrl_dh_incctr(block.as_mut_ptr()) };
        assert_eq!(block, [[0xff; 7].as_slice(), &[0xff], &[0xff; 8]].concat()[..]);
        unsafe { otrl_dh_incctr(block.as_mut_ptr()) };
        assert_eq!(block, [[0u8; 8].as_slice(), &[0xff; 8]].concat()[..]);
        // Values printed by the real otrl_dh_cmpctr (cabi-tests/expected/t_auth.txt).
        assert_eq!(cmpctr(&[0; 8], &[0xff, 0, 0, 0, 0, 0, 0, 0]), -255);
        assert_eq!(cmpctr(&[1, 0, 0, 0, 0, 0, 0, 0], &[0, 0xff, 0, 0, 0, 0, 0, 0]), 1);
        assert_eq!(cmpctr(&[0x80, 0, 0, 0, 0, 0, 0, 1], &[0xff; 8]), -127);
        assert_eq!(cmpctr(&[7; 8], &[7; 8]), 0);
    }

    #[test]
    fn session_refuses_out_of_range_y() {
        unsafe {
            let mut kp = DH_keypair { groupid: 0, priv_: null_mut(), pub_: null_mut() };
            assert_eq!(otrl_dh_gen_keypair(5, &mut kp), 0);
            let mut s: DH_sesskeys = std::mem::zeroed();
            for bad in [&[1u8][..], &[], dh::modulus()] {
                let mut y = mpi_new(bad);
                assert_eq!(otrl_dh_session(&mut s, &kp, y), 0x2000_0037);
                assert!(s.sendenc.is_null() && s.sendmackey == [0; 20]);
                super::super::handles::free_mpi_slots(&mut [&mut y]);
            }
            let mut y = mpi_new(&[2]);
            assert_eq!(otrl_dh_session(&mut s, &kp, y), 0);
            otrl_dh_session_free(&mut s);
            super::super::handles::free_mpi_slots(&mut [&mut y]);
            otrl_dh_keypair_free(&mut kp);
            assert_eq!(kp.groupid, 5);
        }
    }
}
