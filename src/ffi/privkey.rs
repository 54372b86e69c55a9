//! privkey.h: our long-term DSA keys (`us->privkey_root`, the private-key file, key
//! generation in one call or in the threaded start/calculate/finish steps), signatures,
//! and the fingerprint store (`otrl_privkey_read/write_fingerprints`).

use super::context::{find_fingerprint, otrl_context_find};
use super::error::{gcry_error, gcry_error_from_errno, result_code, to_gcry, GPG_ERR_ENOMEM, GPG_ERR_INV_VALUE};
use super::handles::{sexp_free, sexp_new, SexpHandle};
use super::types::*;
use super::util::{calloc_struct, cfree, cstr, memdup, replace_cstring, strdup_bytes};
use super::{boundary, filep, list};
use crate::crypto::dsa::{DsaPrivateKey, DsaPublicKey};
use crate::error::Error;
use crate::store::fingerprints;
use crate::store::privkey::{format_privkey_file, parse_privkey_file, DsaMpis, KeyRecord};
use libc::{c_char, c_uchar, c_ushort, c_void, size_t, FILE};
use std::ptr::{self, null_mut};

const HUMAN_LEN: usize = 45;

/// 20 hash bytes as "XXXXXXXX XXXXXXXX XXXXXXXX XXXXXXXX XXXXXXXX".
pub(crate) fn hash_to_human(hash: &[u8; 20]) -> [u8; HUMAN_LEN] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = [0u8; HUMAN_LEN];
    let mut i = 0;
    for (n, b) in hash.iter().enumerate() {
        if n > 0 && n % 4 == 0 {
            out[i] = b' ';
            i += 1;
        }
        out[i] = HEX[(b >> 4) as usize];
        out[i + 1] = HEX[(b & 15) as usize];
        i += 2;
    }
    out
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_hash_to_human(human: *mut c_char, hash: *const c_uchar) {
    boundary("otrl_privkey_hash_to_human", (), || unsafe {
        if human.is_null() || hash.is_null() {
            return;
        }
        let h = &*(hash as *const [u8; 20]);
        ptr::copy_nonoverlapping(hash_to_human(h).as_ptr(), human as *mut u8, HUMAN_LEN);
    })
}

// ---------------------------------------------------------------------------------
// The key list

unsafe fn find(us: OtrlUserState, accountname: &[u8], protocol: &[u8]) -> *mut OtrlPrivKey {
    // SAFETY: us and its key list are live.
    unsafe { list::find_account((*us).privkey_root, accountname, protocol) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_find(
    us: OtrlUserState,
    accountname: *const c_char,
    protocol: *const c_char,
) -> *mut OtrlPrivKey {
    boundary("otrl_privkey_find", null_mut(), || unsafe {
        match (us.is_null(), cstr(accountname), cstr(protocol)) {
            (false, Some(a), Some(p)) => find(us, a, p),
            _ => null_mut(),
        }
    })
}

/// The private key behind an `OtrlPrivKey` of ours, if it holds one.
pub(crate) unsafe fn dsa_key<'a>(p: *const OtrlPrivKey) -> Option<&'a DsaPrivateKey> {
    // SAFETY: p is ours; its privkey slot holds our SexpHandle or NULL.
    unsafe {
        match (*p).privkey.is_null() {
            true => None,
            false => match &*((*p).privkey as *const SexpHandle) {
                SexpHandle::PrivateKey { key, .. } => Some(key),
                SexpHandle::PublicKey(_) => None,
            },
        }
    }
}

/// Push a key onto the head of the list (reading does this per account, so the list
/// ends up in reverse file order, as in libotr).
unsafe fn push_key(us: OtrlUserState, rec: KeyRecord, key: DsaPrivateKey) {
    // SAFETY: us is live; the entry is complete before it is linked.
    unsafe {
        let p = calloc_struct::<OtrlPrivKey>();
        (*p).accountname = strdup_bytes(&rec.accountname);
        (*p).protocol = strdup_bytes(&rec.protocol);
        (*p).pubkey_type = OTRL_PUBKEY_TYPE_DSA;
        let pd = key.public.pubkey_data();
        (*p).pubkey_data = memdup(&pd);
        (*p).pubkey_datalen = pd.len();
        (*p).privkey = sexp_new(SexpHandle::PrivateKey { sexp: rec.privkey, key });
        list::link_at(&raw mut (*us).privkey_root, p);
    }
}

unsafe fn forget_key(p: *mut OtrlPrivKey) {
    // SAFETY: p is live and linked (or has a NULL tous).
    unsafe {
        list::unlink(p);
        cfree((*p).accountname);
        cfree((*p).protocol);
        cfree((*p).pubkey_data);
        sexp_free((*p).privkey);
        cfree(p);
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_forget(privkey: *mut OtrlPrivKey) {
    boundary("otrl_privkey_forget", (), || unsafe {
        if !privkey.is_null() {
            forget_key(privkey);
        }
    })
}

pub(crate) unsafe fn forget_all_keys(us: OtrlUserState) {
    // SAFETY: us is live.
    unsafe { list::forget_all(&raw mut (*us).privkey_root, forget_key) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_forget_all(us: OtrlUserState) {
    boundary("otrl_privkey_forget_all", (), || unsafe {
        if !us.is_null() {
            forget_all_keys(us);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_fingerprint(
    us: OtrlUserState,
    fingerprint: *mut c_char,
    accountname: *const c_char,
    protocol: *const c_char,
) -> *mut c_char {
    boundary("otrl_privkey_fingerprint", null_mut(), || unsafe {
        let p = otrl_privkey_find(us, accountname, protocol);
        if p.is_null() || fingerprint.is_null() {
            return null_mut();
        }
        let data = std::slice::from_raw_parts((*p).pubkey_data, (*p).pubkey_datalen);
        let human = hash_to_human(&crate::crypto::hash::sha1(data));
        ptr::copy_nonoverlapping(human.as_ptr(), fingerprint as *mut u8, HUMAN_LEN);
        fingerprint
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_fingerprint_raw(
    us: OtrlUserState,
    hash: *mut c_uchar,
    accountname: *const c_char,
    protocol: *const c_char,
) -> *mut c_uchar {
    boundary("otrl_privkey_fingerprint_raw", null_mut(), || unsafe {
        let p = otrl_privkey_find(us, accountname, protocol);
        if p.is_null() || hash.is_null() {
            return null_mut();
        }
        let data = std::slice::from_raw_parts((*p).pubkey_data, (*p).pubkey_datalen);
        ptr::copy_nonoverlapping(crate::crypto::hash::sha1(data).as_ptr(), hash, 20);
        hash
    })
}

// ---------------------------------------------------------------------------------
// Reading and writing the private-key file

/// Parse a whole key file and build every key, without touching the user state.
fn parse_keys(data: &[u8]) -> Result<Vec<(KeyRecord, DsaPrivateKey)>, Error> {
    let mut out = Vec::new();
    for rec in parse_privkey_file(data)? {
        let m = rec.dsa_mpis().map_err(|_| Error::UnusableSecretKey)?;
        let key = DsaPrivateKey::from_mpis(&m.p, &m.q, &m.g, &m.y, m.x.as_deref())
            .map_err(|_| Error::UnusableSecretKey)?;
        out.push((rec, key));
    }
    Ok(out)
}

/// Replace the user state's keys by those of a key file's contents. On a malformed file
/// libotr has already forgotten the old keys (and keeps the accounts read before the bad
/// one); we return the same error but leave the keys the user had untouched.
unsafe fn load_keys(us: OtrlUserState, data: &[u8], errno_at_entry: i32) -> gcry_error_t {
    if data.is_empty() {
        // libotr's fread of 0 bytes "fails" and it reports whatever errno held.
        // SAFETY: us is live.
        unsafe { forget_all_keys(us) };
        return gcry_error_from_errno(errno_at_entry);
    }
    match parse_keys(data) {
        Ok(keys) => {
            // SAFETY: us is live.
            unsafe {
                forget_all_keys(us);
                for (rec, key) in keys {
                    push_key(us, rec, key);
                }
            }
            0
        }
        Err(e) => to_gcry(e),
    }
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_read(us: OtrlUserState, filename: *const c_char) -> gcry_error_t {
    boundary("otrl_privkey_read", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let errno_at_entry = last_errno();
        let path = match filep::path_for(filename, us) {
            Ok(p) => p,
            Err(e) => return e,
        };
        match crate::store::atomic::read_all(&path) {
            Ok(data) => load_keys(us, &data, errno_at_entry),
            Err(e) => result_code(Err(e.into())),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_read_FILEp(us: OtrlUserState, privf: *mut FILE) -> gcry_error_t {
    boundary("otrl_privkey_read_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let errno_at_entry = last_errno();
        if privf.is_null() {
            return 0; // as libotr: nothing to read
        }
        if us.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        match filep::read_stream(privf) {
            Ok(data) => load_keys(us, &data, errno_at_entry),
            Err(e) => to_gcry(e),
        }
    })
}

/// The key file as libotr writes it after generating `newkey` for its account: every
/// other key we hold, in list order, then the new one.
unsafe fn key_file_with(us: OtrlUserState, acct: &[u8], proto: &[u8], newrec: &KeyRecord) -> Vec<u8> {
    let mut recs = Vec::new();
    // SAFETY: us and its key list are live.
    unsafe {
        let mut p = (*us).privkey_root;
        while !p.is_null() {
            let (a, pr) = (cstr((*p).accountname).unwrap_or_default(), cstr((*p).protocol).unwrap_or_default());
            if !((a == acct && pr == proto) || (*p).privkey.is_null()) {
                if let SexpHandle::PrivateKey { sexp, .. } = &*((*p).privkey as *const SexpHandle) {
                    recs.push(KeyRecord { accountname: a.to_vec(), protocol: pr.to_vec(), privkey: sexp.clone() });
                }
            }
            p = (*p).next;
        }
    }
    recs.push(newrec.clone());
    format_privkey_file(&recs)
}

// ---------------------------------------------------------------------------------
// Key generation

/// What `otrl_privkey_generate_start` hands out as `void *newkey`. `calculate` touches
/// only this object, so it may run on another thread while the user state is in use.
struct PendingCalc {
    accountname: Vec<u8>,
    protocol: Vec<u8>,
    key: Option<DsaPrivateKey>,
}

unsafe fn pending_find(us: OtrlUserState, acct: &[u8], proto: &[u8]) -> *mut OtrlPendingPrivKey {
    // SAFETY: us and its pending list are live.
    unsafe { list::find_account((*us).pending_root, acct, proto) }
}

unsafe fn pending_forget(p: *mut OtrlPendingPrivKey) {
    // SAFETY: p is live and linked.
    unsafe {
        list::unlink(p);
        cfree((*p).accountname);
        cfree((*p).protocol);
        cfree(p);
    }
}

pub(crate) unsafe fn forget_all_pending(us: OtrlUserState) {
    // SAFETY: us is live.
    unsafe { list::forget_all(&raw mut (*us).pending_root, pending_forget) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_pending_forget_all(us: OtrlUserState) {
    boundary("otrl_privkey_pending_forget_all", (), || unsafe {
        if !us.is_null() {
            forget_all_pending(us);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_start(
    us: OtrlUserState,
    accountname: *const c_char,
    protocol: *const c_char,
    newkeyp: *mut *mut c_void,
) -> gcry_error_t {
    boundary("otrl_privkey_generate_start", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if !newkeyp.is_null() {
            *newkeyp = null_mut();
        }
        let (false, Some(a), Some(p)) = (us.is_null(), cstr(accountname), cstr(protocol)) else {
            return gcry_error(GPG_ERR_INV_VALUE);
        };
        if !pending_find(us, a, p).is_null() {
            // Already generating a key for this account.
            return to_gcry(Error::AlreadyPending);
        }
        if newkeyp.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let pk = calloc_struct::<OtrlPendingPrivKey>();
        (*pk).accountname = strdup_bytes(a);
        (*pk).protocol = strdup_bytes(p);
        list::link_at(&raw mut (*us).pending_root, pk);
        let calc = PendingCalc { accountname: a.to_vec(), protocol: p.to_vec(), key: None };
        *newkeyp = Box::into_raw(Box::new(calc)) as *mut c_void;
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_calculate(newkey: *mut c_void) -> gcry_error_t {
    boundary("otrl_privkey_generate_calculate", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if newkey.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let calc = &mut *(newkey as *mut PendingCalc);
        calc.key = Some(DsaPrivateKey::generate());
        0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_cancelled(us: OtrlUserState, newkey: *mut c_void) {
    boundary("otrl_privkey_generate_cancelled", (), || unsafe {
        if newkey.is_null() {
            return;
        }
        let calc = Box::from_raw(newkey as *mut PendingCalc);
        if !us.is_null() {
            let p = pending_find(us, &calc.accountname, &calc.protocol);
            if !p.is_null() {
                pending_forget(p);
            }
        }
        drop(calc); // the key's secret is zeroized on drop
    })
}

/// The new key's record and the whole key file content to store.
unsafe fn finish_content(us: OtrlUserState, newkey: *mut c_void) -> Result<(Vec<u8>, KeyRecord), gcry_error_t> {
    // SAFETY: newkey came from generate_start; us is live.
    unsafe {
        let calc = &mut *(newkey as *mut PendingCalc);
        if calc.key.is_none() {
            // `calculate` was not called: do the work now rather than store no key.
            calc.key = Some(DsaPrivateKey::generate());
        }
        let key = calc.key.as_ref().expect("just set");
        let [p, q, g, y] = key.public.mpis();
        let m = DsaMpis { p, q, g, y, x: key.x_mpi() };
        let rec = KeyRecord::from_dsa(&calc.accountname, &calc.protocol, &m);
        Ok((key_file_with(us, &calc.accountname, &calc.protocol, &rec), rec))
    }
}

/// Store the key file with the new key and load it. Returns the error and whether
/// `newkey` was consumed: it is unless the file could not be written (then the old file,
/// our keys and the pending key all stay, as when libotr cannot open the file).
unsafe fn finish_path(us: OtrlUserState, newkey: *mut c_void, path: &std::path::Path) -> (gcry_error_t, bool) {
    // SAFETY: us is live; newkey came from generate_start.
    unsafe {
        let (content, _) = match finish_content(us, newkey) {
            Ok(v) => v,
            Err(e) => return (e, false),
        };
        if let Err(e) = crate::store::atomic::write_atomic(path, &content, 0o600) {
            return (result_code(Err(e.into())), false);
        }
        let err = load_keys(us, &content, 0);
        otrl_privkey_generate_cancelled(us, newkey);
        (err, true)
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_finish(
    us: OtrlUserState,
    newkey: *mut c_void,
    filename: *const c_char,
) -> gcry_error_t {
    boundary("otrl_privkey_generate_finish", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let Some(path) = filep::path_arg(filename) else {
            return gcry_error_from_errno(libc::EFAULT);
        };
        if us.is_null() || newkey.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        finish_path(us, newkey, &path).0
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_finish_FILEp(
    us: OtrlUserState,
    newkey: *mut c_void,
    privf: *mut FILE,
) -> gcry_error_t {
    boundary("otrl_privkey_generate_finish_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let mut ret = gcry_error(GPG_ERR_INV_VALUE);
        if !us.is_null() && !newkey.is_null() && !privf.is_null() {
            ret = match finish_content(us, newkey) {
                Ok((content, _)) => match filep::write_stream(privf, &content) {
                    // libotr rewinds and re-reads the stream; we load what we wrote.
                    Ok(()) => {
                        libc::fseek(privf, 0, libc::SEEK_SET);
                        load_keys(us, &content, 0)
                    }
                    Err(e) => to_gcry(e),
                },
                Err(e) => e,
            };
        }
        if !newkey.is_null() {
            otrl_privkey_generate_cancelled(us, newkey);
        }
        ret
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate(
    us: OtrlUserState,
    filename: *const c_char,
    accountname: *const c_char,
    protocol: *const c_char,
) -> gcry_error_t {
    boundary("otrl_privkey_generate", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let Some(path) = filep::path_arg(filename) else {
            return gcry_error_from_errno(libc::EFAULT);
        };
        // libotr opens the file before generating: an unwritable place fails at once.
        if let Err(e) = filep::check_creatable(&path) {
            return result_code(Err(e.into()));
        }
        let mut newkey = null_mut();
        let err = otrl_privkey_generate_start(us, accountname, protocol, &mut newkey);
        if newkey.is_null() {
            return err;
        }
        otrl_privkey_generate_calculate(newkey);
        let (err, consumed) = finish_path(us, newkey, &path);
        if !consumed {
            otrl_privkey_generate_cancelled(us, newkey);
        }
        err
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_generate_FILEp(
    us: OtrlUserState,
    privf: *mut FILE,
    accountname: *const c_char,
    protocol: *const c_char,
) -> gcry_error_t {
    boundary("otrl_privkey_generate_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let mut newkey = null_mut();
        let err = otrl_privkey_generate_start(us, accountname, protocol, &mut newkey);
        if newkey.is_null() {
            return err;
        }
        otrl_privkey_generate_calculate(newkey);
        otrl_privkey_generate_finish_FILEp(us, newkey, privf)
    })
}

// ---------------------------------------------------------------------------------
// Signatures

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_sign(
    sigp: *mut *mut c_uchar,
    siglenp: *mut size_t,
    privkey: *mut OtrlPrivKey,
    data: *const c_uchar,
    len: size_t,
) -> gcry_error_t {
    boundary("otrl_privkey_sign", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if sigp.is_null() || siglenp.is_null() || privkey.is_null() || (data.is_null() && len > 0) {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        if (*privkey).pubkey_type != OTRL_PUBKEY_TYPE_DSA {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let Some(key) = dsa_key(privkey) else {
            return to_gcry(Error::UnusableSecretKey);
        };
        let msg = if len == 0 { &[][..] } else { std::slice::from_raw_parts(data, len) };
        match key.sign(msg) {
            Ok(sig) => {
                let p = memdup(&sig);
                if p.is_null() {
                    return gcry_error(GPG_ERR_ENOMEM);
                }
                *sigp = p;
                *siglenp = sig.len();
                0
            }
            Err(e) => to_gcry(e),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_verify(
    sigbuf: *const c_uchar,
    siglen: size_t,
    pubkey_type: c_ushort,
    pubs: gcry_sexp_t,
    data: *const c_uchar,
    len: size_t,
) -> gcry_error_t {
    boundary("otrl_privkey_verify", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if pubkey_type != OTRL_PUBKEY_TYPE_DSA || siglen != 40 || sigbuf.is_null() || pubs.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        if data.is_null() && len > 0 {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        let pk: &DsaPublicKey = match &*(pubs as *const SexpHandle) {
            SexpHandle::PrivateKey { key, .. } => &key.public,
            SexpHandle::PublicKey(k) => k,
        };
        let sig = std::slice::from_raw_parts(sigbuf, siglen);
        let msg = if len == 0 { &[][..] } else { std::slice::from_raw_parts(data, len) };
        result_code(pk.verify(sig, msg))
    })
}

// ---------------------------------------------------------------------------------
// The fingerprint store

type AddAppData = Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>;

unsafe fn load_fingerprints(us: OtrlUserState, data: &[u8], add_app_data: AddAppData, appdata: *mut c_void) {
    for e in fingerprints::parse_fingerprints(data) {
        // Strings with an embedded NUL cannot name a context (C would cut them there).
        let (Ok(u), Ok(a), Ok(p)) = (
            std::ffi::CString::new(e.username.clone()),
            std::ffi::CString::new(e.accountname.clone()),
            std::ffi::CString::new(e.protocol.clone()),
        ) else {
            continue;
        };
        // SAFETY: us is live; strings are NUL-terminated.
        unsafe {
            let ctx = otrl_context_find(
                us,
                u.as_ptr(),
                a.as_ptr(),
                p.as_ptr(),
                OTRL_INSTAG_MASTER,
                1,
                null_mut(),
                add_app_data,
                appdata,
            );
            if ctx.is_null() {
                continue;
            }
            let f = find_fingerprint(ctx, &e.fingerprint, true, None);
            if !f.is_null() {
                replace_cstring(&mut (*f).trust, e.trust.as_deref());
            }
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_read_fingerprints(
    us: OtrlUserState,
    filename: *const c_char,
    add_app_data: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    data: *mut c_void,
) -> gcry_error_t {
    boundary("otrl_privkey_read_fingerprints", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let path = match filep::path_for(filename, us) {
            Ok(p) => p,
            Err(e) => return e,
        };
        // libotr reads with fgets: only fopen can fail (a directory reads as empty).
        match crate::store::atomic::read_lines_input(&path) {
            Ok(bytes) => {
                load_fingerprints(us, &bytes, add_app_data, data);
                0
            }
            Err(e) => result_code(Err(e.into())),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_read_fingerprints_FILEp(
    us: OtrlUserState,
    storef: *mut FILE,
    add_app_data: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    data: *mut c_void,
) -> gcry_error_t {
    boundary("otrl_privkey_read_fingerprints_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if storef.is_null() {
            return 0; // as libotr
        }
        if us.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        load_fingerprints(us, &filep::read_stream_lines(storef), add_app_data, data);
        0
    })
}

/// The fingerprint file's content: master contexts in list order, each one's
/// fingerprints newest first.
unsafe fn fingerprint_file(us: OtrlUserState) -> Vec<u8> {
    let mut out = Vec::new();
    // SAFETY: us and its lists are live.
    unsafe {
        let mut c = (*us).context_root;
        while !c.is_null() {
            if (*c).their_instance == OTRL_INSTAG_MASTER {
                let mut f = (*c).fingerprint_root.next;
                while !f.is_null() && !(*f).fingerprint.is_null() {
                    let fp = &*((*f).fingerprint as *const [u8; 20]);
                    fingerprints::format_fingerprint_line(
                        cstr((*c).username).unwrap_or_default(),
                        cstr((*c).accountname).unwrap_or_default(),
                        cstr((*c).protocol).unwrap_or_default(),
                        fp,
                        cstr((*f).trust),
                        &mut out,
                    );
                    f = (*f).next;
                }
            }
            c = (*c).next;
        }
    }
    out
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_write_fingerprints(us: OtrlUserState, filename: *const c_char) -> gcry_error_t {
    boundary("otrl_privkey_write_fingerprints", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        let path = match filep::path_for(filename, us) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let content = fingerprint_file(us);
        result_code(crate::store::atomic::write_atomic(&path, &content, 0o666).map_err(Into::into))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_privkey_write_fingerprints_FILEp(us: OtrlUserState, storef: *mut FILE) -> gcry_error_t {
    boundary("otrl_privkey_write_fingerprints_FILEp", gcry_error(GPG_ERR_INV_VALUE), || unsafe {
        if us.is_null() || storef.is_null() {
            return gcry_error(GPG_ERR_INV_VALUE);
        }
        result_code(filep::write_stream(storef, &fingerprint_file(us)))
    })
}
