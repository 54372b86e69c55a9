//! auth.h: the AKE on an `OtrlAuthInfo` (a context's `auth`).
//!
//! Each call loads the core machine (`ake::Ake`) from the C fields, feeds it the
//! message, and stores every value back, so that the fields hold what libotr 4.1.1
//! holds at each step; the callback `auth_succeeded` sees the struct as libotr shows
//! it. What libotr does, measured with the real library (cabi-tests/src/t_auth.c):
//!
//! - `handle_commit` sets `auth->protocol_version` and `context->protocol_version` to
//!   its `version` argument as soon as the message decodes, even if it is then
//!   rejected; the header's version byte may be 1, 2 or 3 whatever `version` says.
//!   A master context's exchange always yields to an incoming commit while awaiting a
//!   D-H Key; an instance's keeps its own commit when its hashed g^x is larger.
//! - `handle_key` ignores (returns 0) a D-H Key whose version (from the `?OTR:AAx`
//!   prefix) is not the exchange's. Their value is stored before it is range-checked.
//! - A Reveal Signature whose r does not open the commitment is dropped with return 0.
//!   A failing MAC or signature leaves the derived keys, the session id and (once the
//!   key was read) their fingerprint in the struct.
//! - On success `auth_succeeded(auth, asdata)` is called with the state still
//!   AWAITING_REVEALSIG (or AWAITING_SIG), `our_keyid` 1, their keyid and fingerprint,
//!   the session id and its bold half set, and `lastauthmsg` the Signature message to
//!   send (or, for a Signature, our Reveal Signature, freed after the callback). Its
//!   return value is the function's. Afterwards the state is NONE and `our_keyid` 0;
//!   our key pair, their value, the keys and `lastauthmsg` (after a Reveal Signature)
//!   stay. The peer's DSA key itself is kept nowhere: only its fingerprint.
//! - `otrl_auth_clear` keeps `our_dh.groupid`, `session_id_half` and `context`.
//! - `otrl_auth_copy_on_key` copies the commit values but not `encgx_len`, which keeps
//!   its old value (0 in a fresh context); we do the same, with a buffer big enough
//!   for either length.
//!
//! Deliberate differences: libotr stores the r of *any* Reveal Signature that parses
//! up to r, whatever the state, so a stray message in AWAITING_DHKEY corrupts the
//! initiator's r; we take r only while awaiting a Reveal Signature. libotr leaks the
//! six cipher/MAC handles whenever it derives keys again; we free them. OTR version 1
//! is refused: `otrl_auth_start_v1` and `otrl_auth_handle_v1_key_exchange` return
//! `gcry_error(GPG_ERR_NOT_SUPPORTED)` (0x2000003c) and change nothing, where libotr
//! runs the v1 exchange. NULL pointers that libotr would dereference give INV_VALUE.

use super::boundary;
use super::error::{gcry_error, to_gcry, GPG_ERR_INV_VALUE};
use super::handles::{
    cipher_key, cipher_new, clear_auth, free_auth_keys, free_mpi_slots, md_key, md_new, mpi_copy, mpi_mag, mpi_new,
    release_dh_keypair,
};
use super::privkey::dsa_key;
use super::types::*;
use super::util::{cfree, cstr, strdup_bytes};
use crate::ake::{Ake, AkeParts, Received, State};
use crate::crypto::dh::{self, AuthKeys, KeyPair};
use crate::crypto::dsa::DsaPrivateKey;
use crate::error::Error;
use libc::{c_char, c_int, c_uint, c_void};
use std::ptr::{self, null_mut};
use zeroize::Zeroizing;

const INV: gcry_error_t = gcry_error(GPG_ERR_INV_VALUE);
const GPG_ERR_NOT_SUPPORTED: u32 = 60;

const AUTHSTATE_AWAITING_DHKEY: OtrlAuthState = 1;
const AUTHSTATE_AWAITING_REVEALSIG: OtrlAuthState = 2;
const AUTHSTATE_AWAITING_SIG: OtrlAuthState = 3;
const AUTHSTATE_V1_SETUP: OtrlAuthState = 4;
const SESSIONID_FIRST_HALF_BOLD: OtrlSessionIdHalf = 0;
const SESSIONID_SECOND_HALF_BOLD: OtrlSessionIdHalf = 1;

const MSG_DH_COMMIT: u8 = 0x02;
const MSG_DH_KEY: u8 = 0x0a;
const MSG_REVEALSIG: u8 = 0x11;
const MSG_SIGNATURE: u8 = 0x12;

/// The `auth_succeeded` callback (written out in the prototypes for cbindgen).
type AuthSucceeded = Option<unsafe extern "C" fn(*const OtrlAuthInfo, *mut c_void) -> gcry_error_t>;

// ---------------------------------------------------------------------------------
// Loading the machine from the C fields, and storing it back

fn state_from_c(s: OtrlAuthState) -> State {
    match s {
        AUTHSTATE_AWAITING_DHKEY => State::AwaitingDhKey,
        AUTHSTATE_AWAITING_REVEALSIG => State::AwaitingRevealSig,
        AUTHSTATE_AWAITING_SIG => State::AwaitingSig,
        // NONE, and V1_SETUP (which every v2/v3 handler treats as NONE).
        _ => State::None,
    }
}

/// The six AKE keys, if all six handles are there.
unsafe fn keys_from_c(a: &OtrlAuthInfo) -> Option<AuthKeys> {
    // SAFETY: the handles are ours or NULL.
    unsafe {
        let k32 = |k: &[u8]| -> Option<Zeroizing<[u8; 32]>> {
            let mut o = Zeroizing::new([0u8; 32]);
            (k.len() == 32).then(|| o.copy_from_slice(k))?;
            Some(o)
        };
        let mut ssid = [0u8; 8];
        ssid.copy_from_slice(&a.secure_session_id[..8]);
        Some(AuthKeys {
            ssid,
            c: Zeroizing::new(*cipher_key(a.enc_c)?),
            cp: Zeroizing::new(*cipher_key(a.enc_cp)?),
            m1: k32(md_key(a.mac_m1)?)?,
            m2: k32(md_key(a.mac_m2)?)?,
            m1p: k32(md_key(a.mac_m1p)?)?,
            m2p: k32(md_key(a.mac_m2p)?)?,
        })
    }
}

/// Build the machine from an auth struct (and its context's instance tags).
unsafe fn load(a: &OtrlAuthInfo) -> Ake {
    // SAFETY: a is live; its pointers are ours or NULL; a.context is NULL or live.
    unsafe {
        let (our_instance, their_instance) = match a.context.as_ref() {
            Some(c) => (c.our_instance, c.their_instance),
            None => (0, 0),
        };
        let our_dh = match (a.our_dh.groupid == dh::GROUP_ID, mpi_mag(a.our_dh.priv_), mpi_mag(a.our_dh.pub_)) {
            (true, Some(x), Some(gx)) => Some(KeyPair { private: Zeroizing::new(x.to_vec()), public: gx.to_vec() }),
            _ => None,
        };
        let encgx = if a.encgx.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(a.encgx, a.encgx_len).to_vec()
        };
        let ssid = (a.secure_session_id_len != 0).then(|| {
            let mut s = [0u8; 8];
            s.copy_from_slice(&a.secure_session_id[..8]);
            s
        });
        Ake::from_parts(AkeParts {
            state: state_from_c(a.authstate),
            version: u16::try_from(a.protocol_version).unwrap_or(0),
            our_instance,
            their_instance,
            initiated: a.initiated != 0,
            our_dh,
            our_keyid: a.our_keyid,
            r: Zeroizing::new(a.r),
            encgx,
            hashgx: a.hashgx,
            their_pub: mpi_mag(a.their_pub).map(|v| v.to_vec()),
            keys: keys_from_c(a),
            ssid,
            their_keyid: a.their_keyid,
            their_fingerprint: a.their_fingerprint,
            last_msg: cstr(a.lastauthmsg).map(|m| String::from_utf8_lossy(m).into_owned()),
        })
    }
}

fn same_keys(a: &AuthKeys, b: &AuthKeys) -> bool {
    a.c[..] == b.c[..]
        && a.cp[..] == b.cp[..]
        && a.m1[..] == b.m1[..]
        && a.m2[..] == b.m2[..]
        && a.m1p[..] == b.m1p[..]
        && a.m2p[..] == b.m2p[..]
}

/// Write the machine's values into the struct, replacing only what changed (so that
/// pointers a caller holds stay valid when their value did not change). The protocol
/// version is the caller's to set (the machine changes it only where libotr sets it
/// from an argument). `raw_state` is
/// the state the struct had: an ignored message leaves a V1_SETUP (or unknown) state
/// as it was.
unsafe fn store(a: &mut OtrlAuthInfo, ake: Ake, raw_state: OtrlAuthState) {
    let p = ake.into_parts();
    // SAFETY: a is live; every pointer field is ours (or malloc'd) or NULL.
    unsafe {
        let st = match p.state {
            State::None => OTRL_AUTHSTATE_NONE,
            State::AwaitingDhKey => AUTHSTATE_AWAITING_DHKEY,
            State::AwaitingRevealSig => AUTHSTATE_AWAITING_REVEALSIG,
            State::AwaitingSig => AUTHSTATE_AWAITING_SIG,
        };
        if !(st == OTRL_AUTHSTATE_NONE && state_from_c(raw_state) == State::None) {
            a.authstate = st;
        }
        a.initiated = p.initiated as c_int;
        a.our_keyid = p.our_keyid;
        a.r = *p.r;
        a.hashgx = p.hashgx;
        let old_encgx = if a.encgx.is_null() { &[][..] } else { std::slice::from_raw_parts(a.encgx, a.encgx_len) };
        if old_encgx != &p.encgx[..] {
            cfree(a.encgx);
            a.encgx = if p.encgx.is_empty() { null_mut() } else { super::util::memdup(&p.encgx) };
            a.encgx_len = p.encgx.len();
        }
        match &p.our_dh {
            Some(k) => {
                if mpi_mag(a.our_dh.pub_) != Some(&k.public[..]) || mpi_mag(a.our_dh.priv_) != Some(&k.private[..]) {
                    release_dh_keypair(&mut a.our_dh);
                    a.our_dh.priv_ = mpi_new(&k.private);
                    a.our_dh.pub_ = mpi_new(&k.public);
                }
                a.our_dh.groupid = dh::GROUP_ID;
            }
            None => release_dh_keypair(&mut a.our_dh),
        }
        if mpi_mag(a.their_pub) != p.their_pub.as_deref() {
            free_mpi_slots(&mut [&mut a.their_pub]);
            if let Some(v) = &p.their_pub {
                a.their_pub = mpi_new(v);
            }
        }
        match &p.keys {
            Some(k) => {
                if !keys_from_c(a).is_some_and(|old| same_keys(&old, k)) {
                    free_auth_keys(a);
                    a.enc_c = cipher_new(&k.c);
                    a.enc_cp = cipher_new(&k.cp);
                    a.mac_m1 = md_new(&k.m1[..]);
                    a.mac_m1p = md_new(&k.m1p[..]);
                    a.mac_m2 = md_new(&k.m2[..]);
                    a.mac_m2p = md_new(&k.m2p[..]);
                }
            }
            None => free_auth_keys(a),
        }
        match p.ssid {
            Some(s) => {
                if a.secure_session_id_len != 8 || a.secure_session_id[..8] != s {
                    a.secure_session_id[..8].copy_from_slice(&s);
                    a.secure_session_id_len = 8;
                }
            }
            None => {
                a.secure_session_id = [0; 20];
                a.secure_session_id_len = 0;
            }
        }
        a.their_keyid = p.their_keyid;
        a.their_fingerprint = p.their_fingerprint;
        if cstr(a.lastauthmsg) != p.last_msg.as_deref().map(str::as_bytes) {
            cfree(a.lastauthmsg);
            a.lastauthmsg = match &p.last_msg {
                Some(m) => strdup_bytes(m.as_bytes()),
                None => null_mut(),
            };
        }
    }
}

// ---------------------------------------------------------------------------------
// Message framing as libotr reads it

/// Decode `?OTR:…​.`; `None` where libotr's base64 decoding fails.
unsafe fn decode(msg: *const c_char) -> Option<Zeroizing<Vec<u8>>> {
    // SAFETY: msg is NULL or a C string.
    unsafe { cstr(msg) }.and_then(crate::b64::otr_decode).map(Zeroizing::new)
}

/// libotr's header check: 0x00, a version byte of 1, 2 or 3, the message type; then
/// the 8 bytes of instance tags when `tags` says so. Returns the body.
fn body_after_header(buf: &[u8], msg_type: u8, tags: bool) -> Result<&[u8], Error> {
    if buf.len() < 3 || buf[0] != 0 || buf[2] != msg_type || !(1..=3).contains(&buf[1]) {
        return Err(Error::InvalidValue);
    }
    let n = if tags { 11 } else { 3 };
    buf.get(n..).ok_or(Error::InvalidValue)
}

unsafe fn private_key<'a>(p: *const OtrlPrivKey) -> Option<&'a DsaPrivateKey> {
    // SAFETY: p is NULL or one of our keys.
    unsafe { (!p.is_null()).then(|| dsa_key(p)).flatten() }
}

unsafe fn set_have(havemsgp: *mut c_int, v: c_int) {
    if !havemsgp.is_null() {
        // SAFETY: caller's int.
        unsafe { *havemsgp = v };
    }
}

// ---------------------------------------------------------------------------------
// The exports

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_new(context: *mut ConnContext) {
    boundary("otrl_auth_new", (), || unsafe {
        if context.is_null() {
            return;
        }
        // Initialise without freeing (the struct may hold anything); as libotr, the
        // bold half is left as it is.
        let a = &mut *ptr::addr_of_mut!((*context).auth);
        a.authstate = OTRL_AUTHSTATE_NONE;
        a.our_dh = DH_keypair { groupid: 0, priv_: null_mut(), pub_: null_mut() };
        a.our_keyid = 0;
        a.encgx = null_mut();
        a.encgx_len = 0;
        a.r = [0; 16];
        a.hashgx = [0; 32];
        a.their_pub = null_mut();
        a.their_keyid = 0;
        a.enc_c = null_mut();
        a.enc_cp = null_mut();
        a.mac_m1 = null_mut();
        a.mac_m1p = null_mut();
        a.mac_m2 = null_mut();
        a.mac_m2p = null_mut();
        a.their_fingerprint = [0; 20];
        a.initiated = 0;
        a.protocol_version = 0;
        a.secure_session_id = [0; 20];
        a.secure_session_id_len = 0;
        a.lastauthmsg = null_mut();
        a.commit_sent_time = 0;
        a.context = context;
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_clear(auth: *mut OtrlAuthInfo) {
    boundary("otrl_auth_clear", (), || unsafe { clear_auth(auth) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_start_v23(auth: *mut OtrlAuthInfo, version: c_int) -> gcry_error_t {
    boundary("otrl_auth_start_v23", INV, || unsafe {
        let Some(a) = auth.as_mut() else { return INV };
        clear_auth(a);
        a.protocol_version = version as c_uint;
        if let Some(c) = a.context.as_mut() {
            c.protocol_version = version as c_uint;
        }
        let mut ake = load(a);
        ake.start(u16::try_from(version).unwrap_or(0));
        store(a, ake, OTRL_AUTHSTATE_NONE);
        a.protocol_version = version as c_uint;
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_handle_commit(
    auth: *mut OtrlAuthInfo,
    commitmsg: *const c_char,
    version: c_int,
) -> gcry_error_t {
    boundary("otrl_auth_handle_commit", INV, || unsafe {
        let Some(a) = auth.as_mut() else { return INV };
        let Some(buf) = decode(commitmsg) else { return INV };
        a.protocol_version = version as c_uint;
        let mut is_master = false;
        if let Some(c) = a.context.as_mut() {
            c.protocol_version = version as c_uint;
            is_master = c.m_context == a.context;
        }
        let Ok(body) = body_after_header(&buf, MSG_DH_COMMIT, version == 3) else { return INV };
        let raw = a.authstate;
        if raw > AUTHSTATE_V1_SETUP {
            // Not a state libotr knows: it checks the message and does nothing.
            return match crate::wire::DhCommit::read(&mut crate::wire::Reader::new(body)) {
                Ok(_) => 0,
                Err(e) => to_gcry(e),
            };
        }
        let mut ake = load(a);
        ake.version = u16::try_from(version).unwrap_or(0);
        let r = ake.handle_commit_yielding(body, ake.version, 0, is_master);
        store(a, ake, raw);
        a.protocol_version = version as c_uint;
        match r {
            Ok(_) => 0,
            Err(e) => to_gcry(e),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_handle_key(
    auth: *mut OtrlAuthInfo,
    keymsg: *const c_char,
    havemsgp: *mut c_int,
    privkey: *mut OtrlPrivKey,
) -> gcry_error_t {
    boundary("otrl_auth_handle_key", INV, || unsafe {
        set_have(havemsgp, 0);
        let Some(a) = auth.as_mut() else { return INV };
        let msg_version = cstr(keymsg).map(crate::proto::message_version).unwrap_or(0);
        let Some(buf) = decode(keymsg) else { return INV };
        let Ok(body) = body_after_header(&buf, MSG_DH_KEY, msg_version == 3) else { return INV };
        let raw = a.authstate;
        let mut ake = load(a);
        let r = ake.handle_key_for_version(body, msg_version as u16, private_key(privkey));
        store(a, ake, raw);
        match r {
            Ok(o) => {
                set_have(havemsgp, o.send.is_some() as c_int);
                0
            }
            Err(e) => to_gcry(e),
        }
    })
}

/// Common tail of a completed exchange: libotr's order of effects.
unsafe fn completed(
    auth: *mut OtrlAuthInfo,
    half: OtrlSessionIdHalf,
    auth_succeeded: AuthSucceeded,
    asdata: *mut c_void,
    havemsgp: *mut c_int,
    have: c_int,
) -> gcry_error_t {
    // SAFETY: auth is live; the callback may use and change it (we do not hold a
    // reference to it across the call).
    unsafe {
        (*auth).session_id_half = half;
        let err = match auth_succeeded {
            Some(f) => f(auth, asdata),
            None => 0,
        };
        if have == 0 {
            cfree((*auth).lastauthmsg);
            (*auth).lastauthmsg = null_mut();
        }
        set_have(havemsgp, have);
        (*auth).our_keyid = 0;
        (*auth).authstate = OTRL_AUTHSTATE_NONE;
        err
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_handle_revealsig(
    auth: *mut OtrlAuthInfo,
    revealmsg: *const c_char,
    havemsgp: *mut c_int,
    privkey: *mut OtrlPrivKey,
    auth_succeeded: Option<unsafe extern "C" fn(*const OtrlAuthInfo, *mut c_void) -> gcry_error_t>,
    asdata: *mut c_void,
) -> gcry_error_t {
    boundary("otrl_auth_handle_revealsig", INV, || unsafe {
        set_have(havemsgp, 0);
        let Some(a) = auth.as_mut() else { return INV };
        let Some(buf) = decode(revealmsg) else { return INV };
        let Ok(body) = body_after_header(&buf, MSG_REVEALSIG, buf.get(1) == Some(&3)) else { return INV };
        let raw = a.authstate;
        let mut ake = load(a);
        let r = ake.receive_revealsig(body, private_key(privkey));
        store(a, ake, raw);
        match r {
            Ok(Received::Completed { .. }) => {
                completed(auth, SESSIONID_SECOND_HALF_BOLD, auth_succeeded, asdata, havemsgp, 1)
            }
            Ok(Received::Ignored | Received::CommitmentMismatch) => 0,
            Err(e) => to_gcry(e),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_handle_signature(
    auth: *mut OtrlAuthInfo,
    sigmsg: *const c_char,
    havemsgp: *mut c_int,
    auth_succeeded: Option<unsafe extern "C" fn(*const OtrlAuthInfo, *mut c_void) -> gcry_error_t>,
    asdata: *mut c_void,
) -> gcry_error_t {
    boundary("otrl_auth_handle_signature", INV, || unsafe {
        set_have(havemsgp, 0);
        let Some(a) = auth.as_mut() else { return INV };
        let Some(buf) = decode(sigmsg) else { return INV };
        let Ok(body) = body_after_header(&buf, MSG_SIGNATURE, buf.get(1) == Some(&3)) else { return INV };
        let raw = a.authstate;
        let mut ake = load(a);
        let r = ake.receive_signature(body);
        store(a, ake, raw);
        match r {
            Ok(Received::Completed { .. }) => {
                completed(auth, SESSIONID_FIRST_HALF_BOLD, auth_succeeded, asdata, havemsgp, 0)
            }
            Ok(Received::Ignored | Received::CommitmentMismatch) => 0,
            Err(e) => to_gcry(e),
        }
    })
}

/// OTR version 1 is not offered by this library.
#[no_mangle]
pub unsafe extern "C" fn otrl_auth_start_v1(
    auth: *mut OtrlAuthInfo,
    our_dh: *mut DH_keypair,
    our_keyid: c_uint,
    privkey: *mut OtrlPrivKey,
) -> gcry_error_t {
    let _ = (auth, our_dh, our_keyid, privkey);
    boundary("otrl_auth_start_v1", gcry_error(GPG_ERR_NOT_SUPPORTED), || gcry_error(GPG_ERR_NOT_SUPPORTED))
}

/// OTR version 1 is not offered by this library.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn otrl_auth_handle_v1_key_exchange(
    auth: *mut OtrlAuthInfo,
    keyexchmsg: *const c_char,
    havemsgp: *mut c_int,
    privkey: *mut OtrlPrivKey,
    our_dh: *mut DH_keypair,
    our_keyid: c_uint,
    auth_succeeded: Option<unsafe extern "C" fn(*const OtrlAuthInfo, *mut c_void) -> gcry_error_t>,
    asdata: *mut c_void,
) -> gcry_error_t {
    let _ = (auth, keyexchmsg, privkey, our_dh, our_keyid, auth_succeeded, asdata);
    boundary("otrl_auth_handle_v1_key_exchange", gcry_error(GPG_ERR_NOT_SUPPORTED), || unsafe {
        set_have(havemsgp, 0);
        gcry_error(GPG_ERR_NOT_SUPPORTED)
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_auth_copy_on_key(m_auth: *mut OtrlAuthInfo, auth: *mut OtrlAuthInfo) {
    boundary("otrl_auth_copy_on_key", (), || unsafe {
        let (Some(m), Some(a)) = (m_auth.as_ref(), auth.as_mut()) else { return };
        if !matches!(m.authstate, AUTHSTATE_AWAITING_DHKEY | AUTHSTATE_AWAITING_SIG) || ptr::eq(m, a) {
            return;
        }
        release_dh_keypair(&mut a.our_dh);
        a.initiated = m.initiated;
        a.our_dh.groupid = m.our_dh.groupid;
        a.our_dh.priv_ = mpi_copy(m.our_dh.priv_);
        a.our_dh.pub_ = mpi_copy(m.our_dh.pub_);
        a.our_keyid = m.our_keyid;
        a.r = m.r;
        // libotr copies the bytes but not encgx_len; keep that, with room for both.
        cfree(a.encgx);
        let n = m.encgx_len.max(a.encgx_len);
        let p = libc::calloc(n.max(1), 1) as *mut u8;
        if p.is_null() {
            std::process::abort();
        }
        if !m.encgx.is_null() {
            ptr::copy_nonoverlapping(m.encgx, p, m.encgx_len);
        }
        a.encgx = p;
        a.hashgx = m.hashgx;
        a.authstate = AUTHSTATE_AWAITING_DHKEY;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zeroed_auth() -> OtrlAuthInfo {
        // SAFETY: all-zero is a valid OtrlAuthInfo (NULL pointers, state NONE).
        unsafe { std::mem::zeroed() }
    }

    #[test]
    fn v1_is_refused_and_nothing_changes() {
        unsafe {
            let mut a = zeroed_auth();
            assert_eq!(otrl_auth_start_v23(&mut a, 3), 0);
            let before = cstr(a.lastauthmsg).unwrap().to_vec();
            assert_eq!(otrl_auth_start_v1(&mut a, null_mut(), 0, null_mut()), 0x2000_003c);
            let mut have = 7;
            let m = c"?OTR:AAEK.";
            let e = otrl_auth_handle_v1_key_exchange(&mut a, m.as_ptr(), &mut have, null_mut(), null_mut(), 0, None, null_mut());
            assert_eq!((e, have), (0x2000_003c, 0));
            assert_eq!(a.authstate, AUTHSTATE_AWAITING_DHKEY);
            assert_eq!(cstr(a.lastauthmsg).unwrap(), &before[..]);
            otrl_auth_clear(&mut a);
            assert_eq!((a.authstate, a.our_dh.groupid, a.lastauthmsg.is_null()), (0, 5, true));
        }
    }

    #[test]
    fn null_arguments_are_errors_not_crashes() {
        unsafe {
            let mut have = 7;
            assert_eq!(otrl_auth_start_v23(null_mut(), 3), INV);
            assert_eq!(otrl_auth_handle_commit(null_mut(), c"?OTR:AAMC.".as_ptr(), 3), INV);
            assert_eq!(otrl_auth_handle_key(null_mut(), null_mut(), &mut have, null_mut()), INV);
            assert_eq!(have, 0);
            let mut a = zeroed_auth();
            assert_eq!(otrl_auth_handle_commit(&mut a, null_mut(), 3), INV);
            assert_eq!(otrl_auth_handle_revealsig(&mut a, null_mut(), null_mut(), null_mut(), None, null_mut()), INV);
            assert_eq!(otrl_auth_handle_signature(&mut a, null_mut(), null_mut(), None, null_mut()), INV);
            otrl_auth_copy_on_key(&mut a, &mut a);
            otrl_auth_copy_on_key(null_mut(), &mut a);
            otrl_auth_clear(null_mut());
            otrl_auth_new(null_mut());
        }
    }

    #[test]
    fn handle_key_without_a_private_key_fails_cleanly() {
        unsafe {
            let mut i = zeroed_auth();
            let mut r = zeroed_auth();
            assert_eq!(otrl_auth_start_v23(&mut i, 2), 0);
            assert_eq!(otrl_auth_handle_commit(&mut r, i.lastauthmsg, 2), 0);
            let mut have = 7;
            assert_eq!(otrl_auth_handle_key(&mut i, r.lastauthmsg, &mut have, null_mut()), INV);
            assert_eq!((have, i.authstate), (0, AUTHSTATE_AWAITING_DHKEY));
            // The keys were derived before the signing step (libotr's order; it would crash here).
            assert_eq!(i.secure_session_id_len, 8);
            otrl_auth_clear(&mut i);
            otrl_auth_clear(&mut r);
        }
    }
}
