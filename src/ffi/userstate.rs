//! userstate.h: the per-application state (`OtrlUserState`) that owns every list.
//!
//! We allocate each user state as a [`UserStateImpl`]: the public C struct plugins read
//! first, then our hidden part (an index over the context list). A pointer to it is a
//! valid `struct s_OtrlUserState *`.

use super::types::*;
use super::util::calloc_struct;
use super::{boundary, context, instag, privkey};
use std::collections::BTreeMap;

/// (username, accountname, protocol): contexts sort by these, with `strcmp` order.
pub(crate) type ContextKey = (Vec<u8>, Vec<u8>, Vec<u8>);

#[repr(C)]
pub(crate) struct UserStateImpl {
    pub c: s_OtrlUserState,
    pub x: UserStateExtra,
}

/// Hidden per-userstate state.
pub(crate) struct UserStateExtra {
    /// The first context (the master) of each (user, account, protocol) in
    /// `c.context_root`, so lookups and sorted inserts need not walk the whole list.
    /// Changed only together with the list, in `ffi::context`.
    pub masters: BTreeMap<ContextKey, *mut ConnContext>,
}

/// Our hidden part of a user state.
///
/// # Safety
/// `us` was returned by `otrl_userstate_create` and not yet freed.
pub(crate) unsafe fn extra<'a>(us: OtrlUserState) -> &'a mut UserStateExtra {
    // SAFETY: every OtrlUserState is the first field of a UserStateImpl we allocated.
    unsafe { &mut (*(us as *mut UserStateImpl)).x }
}

#[no_mangle]
pub extern "C" fn otrl_userstate_create() -> OtrlUserState {
    boundary("otrl_userstate_create", std::ptr::null_mut(), || {
        let p = calloc_struct::<UserStateImpl>();
        // SAFETY: p is a fresh zeroed allocation; the public part is valid all-zero
        // (NULL lists, timer not running); the hidden part is written before use.
        unsafe {
            std::ptr::addr_of_mut!((*p).x).write(UserStateExtra { masters: BTreeMap::new() });
        }
        p as OtrlUserState
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_userstate_free(us: OtrlUserState) {
    boundary("otrl_userstate_free", (), || {
        if us.is_null() {
            return;
        }
        // SAFETY: us came from otrl_userstate_create (caller contract, as in libotr).
        unsafe {
            context::forget_all_contexts(us);
            privkey::forget_all_keys(us);
            privkey::forget_all_pending(us);
            instag::forget_all_instags(us);
            let p = us as *mut UserStateImpl;
            std::ptr::drop_in_place(std::ptr::addr_of_mut!((*p).x));
            libc::free(p as *mut libc::c_void);
        }
    })
}
