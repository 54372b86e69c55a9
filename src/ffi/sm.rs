//! sm.h: the Socialist Millionaires' Protocol steps over `OtrlSMState`, plus the
//! exported but undeclared `otrl_sm_msg{1..4}_init` / `otrl_sm_msg_free`.
//!
//! An `OtrlSMState`'s eleven `gcry_mpi_t` fields hold our `MpiHandle`s (or NULL, as in
//! libotr). Each step loads the core state (`crate::smp::SmState`) from the C fields,
//! runs the core step and stores the result back, reusing the existing handles. Output
//! messages are `malloc`'d like libotr's. Where libotr would crash (NULL state or output
//! pointers, a negative secret length, a NULL secret with a length) we return
//! `gcry_error(GPG_ERR_INV_VALUE)` and change nothing; a NULL or negative-length input is
//! read as empty (libotr reads past its buffer then).

use super::boundary;
use super::error::{gcry_error, GPG_ERR_INV_VALUE};
use super::handles::{free_mpi_slots, mpi_new, MpiHandle};
use super::types::*;
use super::util::{cfree, memdup};
use crate::error::Result;
use crate::smp::{self, Expect, Progress, SmState};
use crypto_bigint::BoxedUint;
use libc::{c_int, c_uchar};
use std::ptr::null_mut;
use zeroize::Zeroizing;

const INV_VALUE: gcry_error_t = gcry_error(GPG_ERR_INV_VALUE);

/// The eleven number fields of a C state, in `SmState` order.
unsafe fn slots(s: *mut OtrlSMState) -> [*mut gcry_mpi_t; 11] {
    // SAFETY: s is a valid OtrlSMState; we only take field addresses.
    unsafe {
        [
            &raw mut (*s).secret,
            &raw mut (*s).x2,
            &raw mut (*s).x3,
            &raw mut (*s).g1,
            &raw mut (*s).g2,
            &raw mut (*s).g3,
            &raw mut (*s).g3o,
            &raw mut (*s).p,
            &raw mut (*s).q,
            &raw mut (*s).pab,
            &raw mut (*s).qab,
        ]
    }
}

fn core_fields(s: &mut SmState) -> [&mut Option<BoxedUint>; 11] {
    [
        &mut s.secret,
        &mut s.x2,
        &mut s.x3,
        &mut s.g1,
        &mut s.g2,
        &mut s.g3,
        &mut s.g3o,
        &mut s.p,
        &mut s.q,
        &mut s.pab,
        &mut s.qab,
    ]
}

/// What `load` saw of the enum fields, to store them back as libotr would.
struct Loaded {
    next_raw_valid: bool,
    prog_raw_valid: bool,
    initialised: bool,
}

/// The core state of a C state.
///
/// # Safety
/// `s` is a valid `OtrlSMState` whose number fields are NULL or ours.
unsafe fn load(s: *mut OtrlSMState) -> (SmState, Loaded) {
    let mut core = SmState::new();
    // SAFETY: forwarded contract.
    unsafe {
        for (i, (slot, field)) in slots(s).into_iter().zip(core_fields(&mut core)).enumerate() {
            let h = *slot as *const MpiHandle;
            if !h.is_null() {
                let handle = &*h;
                let bytes = &handle.magnitude[..];
                *field = Some(if i == 0 { smp::secret_from_bytes(bytes) } else { smp::number(bytes) });
            }
        }
        let next = Expect::from_raw((*s).nextExpected);
        let prog = Progress::from_raw((*s).sm_prog_state);
        core.next_expected = next.unwrap_or(Expect::Smp1);
        core.prog = prog.unwrap_or(Progress::Ok);
        core.received_question = (*s).received_question;
        let l = Loaded { next_raw_valid: next.is_some(), prog_raw_valid: prog.is_some(), initialised: core.is_initialised() };
        (core, l)
    }
}

/// Minimal big-endian magnitude, in memory that is wiped when dropped.
fn magnitude(v: &BoxedUint) -> Zeroizing<Vec<u8>> {
    let all = Zeroizing::new(v.to_be_bytes());
    let z = all.iter().take_while(|&&b| b == 0).count();
    Zeroizing::new(all[z..].to_vec())
}

/// Store a core state into a C state. `sets_prog`: the operation assigns the progress
/// state in libotr (every step but 2b), so it is written even over an unknown value.
///
/// # Safety
/// As [`load`].
unsafe fn store(s: *mut OtrlSMState, mut core: SmState, loaded: &Loaded, sets_prog: bool) {
    // SAFETY: forwarded contract.
    unsafe {
        for (slot, field) in slots(s).into_iter().zip(core_fields(&mut core)) {
            match field {
                None => free_mpi_slots(&mut [&mut *slot]),
                Some(v) => {
                    let h = *slot as *mut MpiHandle;
                    if h.is_null() {
                        *slot = mpi_new(&magnitude(v));
                    } else {
                        (*h).magnitude = magnitude(v);
                    }
                }
            }
        }
        let reinitialised = !loaded.initialised && core.is_initialised();
        if loaded.next_raw_valid || reinitialised {
            (*s).nextExpected = core.next_expected.raw();
        }
        if loaded.prog_raw_valid || sets_prog {
            (*s).sm_prog_state = core.prog.raw();
        }
        (*s).received_question = core.received_question;
    }
}

/// Run `f` on the core state of `s` and store the result back (also for the message
/// layer, which drives SMP through the context's `smstate`). `sets_prog` as in `store`.
///
/// # Safety
/// As [`load`].
pub(crate) unsafe fn with_state<T>(s: *mut OtrlSMState, sets_prog: bool, f: impl FnOnce(&mut SmState) -> T) -> T {
    // SAFETY: forwarded contract.
    unsafe {
        let (mut core, loaded) = load(s);
        let r = f(&mut core);
        store(s, core, &loaded, sets_prog);
        r
    }
}

/// A C (pointer, length) input as a slice; NULL or a negative length is empty.
unsafe fn input<'a>(p: *const c_uchar, len: c_int) -> &'a [u8] {
    if p.is_null() || len <= 0 {
        &[]
    } else {
        // SAFETY: the caller gives len readable bytes at p.
        unsafe { std::slice::from_raw_parts(p, len as usize) }
    }
}

/// A secret: NULL with a length, or a negative length, is refused.
unsafe fn secret_arg<'a>(p: *const c_uchar, len: c_int) -> Option<&'a [u8]> {
    if len < 0 || (p.is_null() && len > 0) {
        None
    } else {
        // SAFETY: as `input`.
        Some(unsafe { input(p, len) })
    }
}

/// Hand a message to C: malloc'd bytes and their length.
unsafe fn put_output(msg: &[u8], output: *mut *mut c_uchar, outputlen: *mut c_int) {
    // SAFETY: both pointers were checked non-NULL by the caller.
    unsafe {
        *output = memdup(msg);
        *outputlen = msg.len() as c_int;
    }
}

/// Clear the output pointers as libotr does first; false if either is NULL.
unsafe fn clear_output(output: *mut *mut c_uchar, outputlen: *mut c_int) -> bool {
    if output.is_null() || outputlen.is_null() {
        return false;
    }
    // SAFETY: non-NULL pointers from the caller.
    unsafe {
        *output = null_mut();
        *outputlen = 0;
    }
    true
}

fn code(r: Result<bool>) -> gcry_error_t {
    match r {
        Ok(true) => 0,
        _ => INV_VALUE,
    }
}

#[no_mangle]
pub extern "C" fn otrl_sm_init() {
    boundary("otrl_sm_init", (), smp::init_group)
}

// The state functions take `OtrlSMAliceState`, a C typedef of `OtrlSMState` (the same
// type): cbindgen would render `OtrlSMState` as `struct OtrlSMState`, which C does not
// have (libotr's is an anonymous struct).

/// `otrl_sm_state_new`: all numbers NULL, expecting SMP1, no question, progress OK. As
/// in libotr the fields may hold anything before, so nothing is freed.
///
/// # Safety
/// `s` is NULL or points to writable memory for an `OtrlSMState`.
pub(crate) unsafe fn state_new(s: *mut OtrlSMState) {
    if s.is_null() {
        return;
    }
    // SAFETY: per the contract s is writable.
    unsafe {
        for slot in slots(s) {
            *slot = null_mut();
        }
        (*s).nextExpected = Expect::Smp1.raw();
        (*s).received_question = 0;
        (*s).sm_prog_state = Progress::Ok.raw();
    }
}

/// `otrl_sm_state_free`: free the numbers, then `otrl_sm_state_new` (also what
/// libotr's context code calls when a session ends).
///
/// # Safety
/// `s` is NULL or a valid `OtrlSMState` whose number fields are NULL or ours.
pub(crate) unsafe fn state_free(s: *mut OtrlSMState) {
    if s.is_null() {
        return;
    }
    // SAFETY: per the contract the number fields are ours or NULL.
    unsafe {
        free_mpi_slots(&mut slots(s).map(|p| &mut *p));
        state_new(s);
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_state_new(smst: *mut OtrlSMAliceState) {
    boundary("otrl_sm_state_new", (), || unsafe { state_new(smst) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_state_init(smst: *mut OtrlSMAliceState) {
    boundary("otrl_sm_state_init", (), || unsafe {
        if smst.is_null() {
            return;
        }
        with_state(smst, true, |s| s.init());
        (*smst).nextExpected = Expect::Smp1.raw();
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_state_free(smst: *mut OtrlSMAliceState) {
    boundary("otrl_sm_state_free", (), || unsafe { state_free(smst) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step1(
    astate: *mut OtrlSMAliceState,
    secret: *const c_uchar,
    secretlen: c_int,
    output: *mut *mut c_uchar,
    outputlen: *mut c_int,
) -> gcry_error_t {
    boundary("otrl_sm_step1", INV_VALUE, || unsafe {
        if astate.is_null() || !clear_output(output, outputlen) {
            return INV_VALUE;
        }
        let Some(secret) = secret_arg(secret, secretlen) else { return INV_VALUE };
        match with_state(astate, true, |s| s.step1(secret)) {
            Ok(msg) => {
                put_output(&msg, output, outputlen);
                0
            }
            Err(_) => INV_VALUE,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step2a(
    bstate: *mut OtrlSMBobState,
    input_: *const c_uchar,
    inputlen: c_int,
    received_question: c_int,
) -> gcry_error_t {
    boundary("otrl_sm_step2a", INV_VALUE, || unsafe {
        if bstate.is_null() {
            return INV_VALUE;
        }
        let inp = input(input_, inputlen);
        code(with_state(bstate, true, |s| s.step2a(inp, received_question)).map(|()| true))
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step2b(
    bstate: *mut OtrlSMBobState,
    secret: *const c_uchar,
    secretlen: c_int,
    output: *mut *mut c_uchar,
    outputlen: *mut c_int,
) -> gcry_error_t {
    boundary("otrl_sm_step2b", INV_VALUE, || unsafe {
        if bstate.is_null() || !clear_output(output, outputlen) {
            return INV_VALUE;
        }
        let Some(secret) = secret_arg(secret, secretlen) else { return INV_VALUE };
        match with_state(bstate, false, |s| s.step2b(secret)) {
            Ok(msg) => {
                put_output(&msg, output, outputlen);
                0
            }
            Err(_) => INV_VALUE,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step3(
    astate: *mut OtrlSMAliceState,
    input_: *const c_uchar,
    inputlen: c_int,
    output: *mut *mut c_uchar,
    outputlen: *mut c_int,
) -> gcry_error_t {
    boundary("otrl_sm_step3", INV_VALUE, || unsafe {
        if astate.is_null() || !clear_output(output, outputlen) {
            return INV_VALUE;
        }
        let inp = input(input_, inputlen);
        match with_state(astate, true, |s| s.step3(inp)) {
            Ok(msg) => {
                put_output(&msg, output, outputlen);
                0
            }
            Err(_) => INV_VALUE,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step4(
    bstate: *mut OtrlSMBobState,
    input_: *const c_uchar,
    inputlen: c_int,
    output: *mut *mut c_uchar,
    outputlen: *mut c_int,
) -> gcry_error_t {
    boundary("otrl_sm_step4", INV_VALUE, || unsafe {
        if bstate.is_null() || !clear_output(output, outputlen) {
            return INV_VALUE;
        }
        let inp = input(input_, inputlen);
        match with_state(bstate, true, |s| s.step4(inp)) {
            // libotr hands out message 4 whether or not the secrets matched.
            Ok((msg, same)) => {
                put_output(&msg, output, outputlen);
                if same {
                    0
                } else {
                    INV_VALUE
                }
            }
            Err(_) => INV_VALUE,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_step5(astate: *mut OtrlSMAliceState, input_: *const c_uchar, inputlen: c_int) -> gcry_error_t {
    boundary("otrl_sm_step5", INV_VALUE, || unsafe {
        if astate.is_null() {
            return INV_VALUE;
        }
        let inp = input(input_, inputlen);
        code(with_state(astate, true, |s| s.step5(inp)))
    })
}

/// A malloc'd array of `n` numbers: zero where `present`, NULL elsewhere (the proof
/// hashes, which libotr leaves for the hash to allocate).
unsafe fn msg_init(msg: *mut *mut gcry_mpi_t, present: &[bool]) {
    if msg.is_null() {
        return;
    }
    // SAFETY: we allocate and fill n pointers; msg is writable.
    unsafe {
        let a = libc::malloc(present.len() * std::mem::size_of::<gcry_mpi_t>()) as *mut gcry_mpi_t;
        if a.is_null() {
            std::process::abort();
        }
        for (i, &p) in present.iter().enumerate() {
            *a.add(i) = if p { mpi_new(&[]) } else { null_mut() };
        }
        *msg = a;
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_msg1_init(msg1: *mut *mut gcry_mpi_t) {
    // [0] g2a, [1] c2, [2] d2, [3] g3a, [4] c3, [5] d3
    boundary("otrl_sm_msg1_init", (), || unsafe { msg_init(msg1, &[true, false, true, true, false, true]) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_msg2_init(msg2: *mut *mut gcry_mpi_t) {
    // [0] g2b, [1] c2, [2] d2, [3] g3b, [4] c3, [5] d3, [6] Pb, [7] Qb, [8] cP, [9] d5, [10] d6
    boundary("otrl_sm_msg2_init", (), || unsafe {
        msg_init(msg2, &[true, false, true, true, false, true, true, true, false, true, true])
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_msg3_init(msg3: *mut *mut gcry_mpi_t) {
    // [0] Pa, [1] Qa, [2] cP, [3] d5, [4] d6, [5] Ra, [6] cR, [7] d7
    boundary("otrl_sm_msg3_init", (), || unsafe { msg_init(msg3, &[true, true, false, true, true, true, false, true]) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_msg4_init(msg4: *mut *mut gcry_mpi_t) {
    // [0] Rb, [1] cR, [2] d7
    boundary("otrl_sm_msg4_init", (), || unsafe { msg_init(msg4, &[true, false, true]) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_sm_msg_free(message: *mut *mut gcry_mpi_t, msglen: c_int) {
    boundary("otrl_sm_msg_free", (), || unsafe {
        if message.is_null() {
            return;
        }
        let a = *message;
        if !a.is_null() {
            for i in 0..msglen.max(0) as usize {
                free_mpi_slots(&mut [&mut *a.add(i)]);
            }
        }
        cfree(a);
        *message = null_mut();
    })
}
