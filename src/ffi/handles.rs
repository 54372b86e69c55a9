//! Our objects behind libgcrypt-typed fields (`gcry_mpi_t`, `gcry_cipher_hd_t`,
//! `gcry_md_hd_t`). We do not link libgcrypt: such a field holds NULL or a pointer to
//! one of the boxed objects below, created and freed only by this library.
//!
//! Contexts free whatever these fields hold; the conversation (AKE, data) and SMP
//! layers create them, so some constructors have no caller yet.
#![allow(dead_code)]

use super::types::*;
use super::util::cfree;
use std::ptr::null_mut;
use zeroize::Zeroizing;

/// What a `gcry_mpi_t` of ours points to: an unsigned big-endian magnitude.
pub(crate) struct MpiHandle {
    pub magnitude: Zeroizing<Vec<u8>>,
}

/// What a `gcry_cipher_hd_t` of ours points to: an AES-128 key and CTR top half.
pub(crate) struct CipherHandle {
    pub key: Zeroizing<[u8; 16]>,
}

/// What a `gcry_md_hd_t` of ours points to: an HMAC key.
pub(crate) struct MdHandle {
    pub key: Zeroizing<Vec<u8>>,
}

pub(crate) fn mpi_new(magnitude: &[u8]) -> gcry_mpi_t {
    Box::into_raw(Box::new(MpiHandle { magnitude: Zeroizing::new(magnitude.to_vec()) })) as gcry_mpi_t
}

/// Free the MPIs in `slots` and set each to NULL.
///
/// # Safety
/// Each slot is NULL or holds a pointer from [`mpi_new`].
pub(crate) unsafe fn free_mpi_slots(slots: &mut [&mut gcry_mpi_t]) {
    for s in slots.iter_mut() {
        if !s.is_null() {
            // SAFETY: created by Box::into_raw in mpi_new.
            drop(unsafe { Box::from_raw(**s as *mut MpiHandle) });
            **s = null_mut();
        }
    }
}

/// The magnitude behind one of our MPIs (`None` for NULL).
///
/// # Safety
/// `m` is NULL or came from [`mpi_new`] and stays alive while the borrow is used.
pub(crate) unsafe fn mpi_mag<'a>(m: gcry_mpi_t) -> Option<&'a [u8]> {
    // SAFETY: per the contract, a non-NULL m is a live MpiHandle.
    (!m.is_null()).then(|| unsafe { &(&*(m as *const MpiHandle)).magnitude[..] })
}

/// A new MPI with the same value (NULL for NULL), as `gcry_mpi_copy`.
///
/// # Safety
/// As [`mpi_mag`].
pub(crate) unsafe fn mpi_copy(m: gcry_mpi_t) -> gcry_mpi_t {
    // SAFETY: forwarded contract.
    match unsafe { mpi_mag(m) } {
        Some(v) => mpi_new(v),
        None => null_mut(),
    }
}

pub(crate) fn cipher_new(key: &[u8; 16]) -> gcry_cipher_hd_t {
    Box::into_raw(Box::new(CipherHandle { key: Zeroizing::new(*key) })) as gcry_cipher_hd_t
}

pub(crate) fn md_new(key: &[u8]) -> gcry_md_hd_t {
    Box::into_raw(Box::new(MdHandle { key: Zeroizing::new(key.to_vec()) })) as gcry_md_hd_t
}

/// # Safety
/// `h` is NULL or one of our live cipher handles.
pub(crate) unsafe fn cipher_key<'a>(h: gcry_cipher_hd_t) -> Option<&'a [u8; 16]> {
    // SAFETY: forwarded contract.
    (!h.is_null()).then(|| unsafe { &*(*(h as *const CipherHandle)).key })
}

/// # Safety
/// `h` is NULL or one of our live MD handles.
pub(crate) unsafe fn md_key<'a>(h: gcry_md_hd_t) -> Option<&'a [u8]> {
    // SAFETY: forwarded contract.
    (!h.is_null()).then(|| unsafe { &(&*(h as *const MdHandle)).key[..] })
}

pub(crate) unsafe fn free_cipher(h: &mut gcry_cipher_hd_t) {
    if !h.is_null() {
        // SAFETY: our cipher handles are boxed CipherHandles.
        drop(unsafe { Box::from_raw(*h as *mut CipherHandle) });
        *h = null_mut();
    }
}

pub(crate) unsafe fn free_md(h: &mut gcry_md_hd_t) {
    if !h.is_null() {
        // SAFETY: our MD handles are boxed MdHandles.
        drop(unsafe { Box::from_raw(*h as *mut MdHandle) });
        *h = null_mut();
    }
}

/// Free a DH key pair's values, keeping its group id (libotr's `otrl_dh_keypair_free`).
pub(crate) unsafe fn release_dh_keypair(kp: &mut DH_keypair) {
    // SAFETY: the slots hold our MPIs or NULL.
    unsafe { free_mpi_slots(&mut [&mut kp.priv_, &mut kp.pub_]) };
}

/// Free a DH key pair's values and mark it unused (groupid 0).
pub(crate) unsafe fn free_dh_keypair(kp: &mut DH_keypair) {
    // SAFETY: the slots hold our MPIs or NULL.
    unsafe { release_dh_keypair(kp) };
    kp.groupid = 0;
}

/// Free one set of session keys and zero every byte of it (libotr's
/// `otrl_dh_session_free`: close the handles, then `otrl_dh_session_blank`).
pub(crate) unsafe fn free_sesskeys(s: &mut DH_sesskeys) {
    // SAFETY: the handles are ours or NULL.
    unsafe {
        free_cipher(&mut s.sendenc);
        free_cipher(&mut s.rcvenc);
        free_md(&mut s.sendmac);
        free_md(&mut s.rcvmac);
    }
    blank_sesskeys(s);
}

/// Set a set of session keys to NULL handles and zero bytes without freeing anything
/// (libotr's `otrl_dh_session_blank`).
pub(crate) fn blank_sesskeys(s: &mut DH_sesskeys) {
    s.sendenc = null_mut();
    s.rcvenc = null_mut();
    s.sendmac = null_mut();
    s.rcvmac = null_mut();
    s.sendctr = [0; 16];
    s.rcvctr = [0; 16];
    s.sendmackey = [0; 20];
    s.rcvmackey = [0; 20];
    s.sendmacused = 0;
    s.rcvmacused = 0;
    s.extrakey = [0; 32];
}

/// Reset an AKE state to NONE, freeing what it holds: libotr's `otrl_auth_clear`, which
/// keeps `our_dh.groupid`, `session_id_half` and `context`. The cipher and MAC handles
/// are freed too (libotr's `gcry_*_close` calls free them as well; it leaks only the
/// ones it overwrites without closing, which we do not do).
pub(crate) unsafe fn clear_auth(a: *mut OtrlAuthInfo) {
    if a.is_null() {
        return;
    }
    // SAFETY: a is a live OtrlAuthInfo whose pointers are ours or NULL.
    unsafe {
        let a = &mut *a;
        a.authstate = OTRL_AUTHSTATE_NONE;
        release_dh_keypair(&mut a.our_dh);
        a.our_keyid = 0;
        cfree(a.encgx);
        a.encgx = null_mut();
        a.encgx_len = 0;
        a.r = [0; 16];
        a.hashgx = [0; 32];
        free_mpi_slots(&mut [&mut a.their_pub]);
        a.their_keyid = 0;
        free_auth_keys(a);
        a.their_fingerprint = [0; 20];
        a.initiated = 0;
        a.protocol_version = 0;
        a.secure_session_id = [0; 20];
        a.secure_session_id_len = 0;
        cfree(a.lastauthmsg);
        a.lastauthmsg = null_mut();
        a.commit_sent_time = 0;
    }
}

/// Free the six AKE cipher and MAC handles of an auth and set them to NULL.
pub(crate) unsafe fn free_auth_keys(a: &mut OtrlAuthInfo) {
    // SAFETY: the handles are ours or NULL.
    unsafe {
        free_cipher(&mut a.enc_c);
        free_cipher(&mut a.enc_cp);
        free_md(&mut a.mac_m1);
        free_md(&mut a.mac_m1p);
        free_md(&mut a.mac_m2);
        free_md(&mut a.mac_m2p);
    }
}

/// What a `gcry_sexp_t` of ours points to: a DSA key. `OtrlPrivKey.privkey` holds a
/// private key together with the `(private-key …)` expression it was read from, so that
/// rewriting the key file keeps it as it was; the AKE stores peers' public keys.
pub(crate) enum SexpHandle {
    PrivateKey { sexp: crate::sexp::Sexp, key: crate::crypto::dsa::DsaPrivateKey },
    PublicKey(crate::crypto::dsa::DsaPublicKey),
}

pub(crate) fn sexp_new(h: SexpHandle) -> gcry_sexp_t {
    Box::into_raw(Box::new(h)) as gcry_sexp_t
}

/// # Safety
/// `s` is NULL or came from [`sexp_new`] and is not used afterwards.
pub(crate) unsafe fn sexp_free(s: gcry_sexp_t) {
    if !s.is_null() {
        // SAFETY: created by Box::into_raw in sexp_new.
        drop(unsafe { Box::from_raw(s as *mut SexpHandle) });
    }
}
