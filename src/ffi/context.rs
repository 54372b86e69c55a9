//! context.h and context_priv.h: conversation contexts and the fingerprints we know.
//!
//! Contexts live in `us->context_root`, a singly linked list with back-pointers (`tous`)
//! that plugins walk, kept sorted as libotr keeps it: by `strcmp` of username, then
//! accountname, then protocol, then ascending `their_instance` (so a master context,
//! instance 0, comes first and its children follow it). Beside the list, the user state
//! keeps an index from (user, account, protocol) to the master (`UserStateExtra`), and
//! each master an index of its fingerprints, so lookups do not walk lists.
//!
//! Every context is a [`ContextImpl`]: libotr's `ConnContext` first, our hidden part
//! after it. `context_priv` and `smstate` are separate zero-filled C allocations as in
//! libotr (plugins only ever read through the pointers).

use super::types::*;
use super::userstate::{self, ContextKey};
use super::util::{calloc_struct, cfree, cstr, memdup, replace_cstring, strdup_bytes};
use super::{boundary, instag, list, sm};
use libc::{c_char, c_int, c_uchar, c_uint, c_void};
use std::collections::HashMap;
use std::ptr::{self, null_mut};

#[repr(C)]
pub(crate) struct ContextImpl {
    pub c: ConnContext,
    pub x: ContextExtra,
}

/// Hidden per-context state.
pub(crate) struct ContextExtra {
    /// The user state whose list holds this context (for the index).
    pub us: OtrlUserState,
    /// Master contexts only: fingerprint bytes → entry in `fingerprint_root` list.
    pub fps: HashMap<[u8; 20], *mut Fingerprint>,
    /// The authenticated key exchange in progress (projected into `auth`).
    pub ake: crate::ake::Ake,
    /// The established data session, if any (its key ids are projected into
    /// `context_priv`).
    pub session: Option<crate::session::Session>,
    /// An exchange answering the master's commit runs on this ENCRYPTED context; when
    /// it completes it counts as a new session (see `message.rs`).
    pub master_rekey: bool,
}

/// # Safety
/// `ctx` is a context this library allocated and has not freed.
pub(crate) unsafe fn extra<'a>(ctx: *mut ConnContext) -> &'a mut ContextExtra {
    // SAFETY: every ConnContext we hand out is the first field of a ContextImpl.
    unsafe { &mut (*(ctx as *mut ContextImpl)).x }
}

unsafe fn key_of(ctx: *const ConnContext) -> ContextKey {
    // SAFETY: our contexts always carry the three strings until they are freed.
    unsafe {
        (
            cstr((*ctx).username).unwrap_or_default().to_vec(),
            cstr((*ctx).accountname).unwrap_or_default().to_vec(),
            cstr((*ctx).protocol).unwrap_or_default().to_vec(),
        )
    }
}

// ---------------------------------------------------------------------------------
// Creation and list maintenance

unsafe fn new_context(us: OtrlUserState, key: &ContextKey) -> *mut ConnContext {
    let p = calloc_struct::<ContextImpl>();
    // SAFETY: p is fresh and zero-filled; we initialise the fields libotr initialises.
    unsafe {
        ptr::addr_of_mut!((*p).x).write(ContextExtra {
            us,
            fps: HashMap::new(),
            ake: crate::ake::Ake::default(),
            session: None,
            master_rekey: false,
        });
        let c = p as *mut ConnContext;
        (*c).username = strdup_bytes(&key.0);
        (*c).accountname = strdup_bytes(&key.1);
        (*c).protocol = strdup_bytes(&key.2);
        (*c).msgstate = OTRL_MSGSTATE_PLAINTEXT;
        (*c).auth.authstate = OTRL_AUTHSTATE_NONE;
        (*c).auth.context = c;
        (*c).smstate = calloc_struct::<OtrlSMState>();
        sm::state_new((*c).smstate);
        (*c).their_instance = OTRL_INSTAG_MASTER;
        (*c).fingerprint_root.context = c;
        (*c).otr_offer = OFFER_NOT;
        (*c).context_priv = calloc_struct::<ConnContextPriv>();
        (*c).m_context = c;
        c
    }
}

/// Link `newctx` into the sorted list and the index.
unsafe fn insert_sorted(us: OtrlUserState, newctx: *mut ConnContext, key: &ContextKey) {
    // SAFETY: us and all contexts in its list are ours and live.
    unsafe {
        let masters = &mut userstate::extra(us).masters;
        let inst = (*newctx).their_instance;
        // Find the link (`*mut *mut ConnContext`) in front of which newctx goes.
        let mut link: *mut *mut ConnContext = match masters.get(key) {
            Some(&first) => (*first).tous,
            None => match masters.range(..key.clone()).next_back() {
                Some((_, &prev_first)) => {
                    // Skip to the end of the previous (user, account, protocol) run.
                    let mut l: *mut *mut ConnContext = &mut (*prev_first).next;
                    while !(*l).is_null() && (*(*l)).m_context == prev_first {
                        l = &mut (*(*l)).next;
                    }
                    l
                }
                None => &mut (*us).context_root,
            },
        };
        // Within the run of this key, ascending their_instance.
        if masters.contains_key(key) {
            while !(*link).is_null()
                && (*(*link)).m_context == masters[key]
                && (*(*link)).their_instance < inst
            {
                link = &mut (*(*link)).next;
            }
        }
        list::link_at(link, newctx);
        match masters.get(key) {
            Some(&first) if (*first).their_instance <= inst => {}
            _ => {
                masters.insert(key.clone(), newctx);
            }
        }
    }
}

/// Unlink `ctx` from the list and the index (does not free it).
unsafe fn unlink(ctx: *mut ConnContext) {
    // SAFETY: ctx is linked into its user state's list.
    unsafe {
        let us = extra(ctx).us;
        let key = key_of(ctx);
        let masters = &mut userstate::extra(us).masters;
        if masters.get(&key) == Some(&ctx) {
            let next = (*ctx).next;
            if !next.is_null() && key_of(next) == key {
                masters.insert(key, next);
            } else {
                masters.remove(&key);
            }
        }
        list::unlink(ctx);
    }
}

/// The master of `key`, if any (the first context of its run).
unsafe fn master_of(us: OtrlUserState, key: &ContextKey) -> *mut ConnContext {
    // SAFETY: us is live.
    unsafe { userstate::extra(us).masters.get(key).copied().unwrap_or(null_mut()) }
}

/// Make a context, link it in order, and initialise it as libotr does: `add_app_data`
/// runs before the instance fields are set (plugins see `their_instance` 0 there).
/// `master` is NULL to make a master, else the master of the new child.
unsafe fn add_context(
    us: OtrlUserState,
    key: &ContextKey,
    their_instance: otrl_instag_t,
    master: *mut ConnContext,
    add_app_data: AddAppDataFn,
    data: *mut c_void,
    asked_for_master: bool,
) -> *mut ConnContext {
    // SAFETY: us is live; the new context is ours.
    unsafe {
        let newctx = new_context(us, key);
        if !master.is_null() {
            (*newctx).m_context = master;
        } else if asked_for_master {
            // A master asked for as such starts as its own most recent instance; one
            // made for a BEST/RECENT lookup starts with them NULL (as in libotr).
            (*newctx).recent_child = newctx;
            (*newctx).recent_rcvd_child = newctx;
            (*newctx).recent_sent_child = newctx;
        }
        // Insert with its final instance so the list stays sorted.
        (*newctx).their_instance = their_instance;
        insert_sorted(us, newctx, key);
        (*newctx).their_instance = OTRL_INSTAG_MASTER;
        if let Some(f) = add_app_data {
            f(data, newctx);
        }
        if let Some(tag) = instag::find_tag(us, &key.1, &key.2) {
            (*newctx).our_instance = tag;
        }
        (*newctx).their_instance = their_instance;
        newctx
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_find(
    us: OtrlUserState,
    user: *const c_char,
    accountname: *const c_char,
    protocol: *const c_char,
    their_instance: otrl_instag_t,
    add_if_missing: c_int,
    addedp: *mut c_int,
    add_app_data: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    data: *mut c_void,
) -> *mut ConnContext {
    // Pointer arguments are checked for NULL; strings are NUL-terminated (C contract).
    boundary("otrl_context_find", null_mut(), || unsafe {
        if !addedp.is_null() {
            *addedp = 0;
        }
        let (Some(u), Some(a), Some(p)) = (cstr(user), cstr(accountname), cstr(protocol)) else {
            return null_mut();
        };
        if us.is_null() {
            return null_mut();
        }
        let key: ContextKey = (u.to_vec(), a.to_vec(), p.to_vec());
        let master = master_of(us, &key);
        if !master.is_null() {
            if their_instance >= OTRL_MIN_VALID_INSTAG {
                let mut c = master;
                while !c.is_null() && (*c).m_context == master {
                    if (*c).their_instance == their_instance {
                        return c;
                    }
                    c = (*c).next;
                }
            } else {
                return match their_instance {
                    OTRL_INSTAG_MASTER => master,
                    OTRL_INSTAG_BEST => find_recent_secure_instance(master),
                    OTRL_INSTAG_RECENT | OTRL_INSTAG_RECENT_RECEIVED | OTRL_INSTAG_RECENT_SENT => {
                        find_recent_instance(master, their_instance)
                    }
                    _ => null_mut(),
                };
            }
        }
        if add_if_missing == 0 {
            return null_mut();
        }
        if !addedp.is_null() {
            *addedp = 1;
        }
        if their_instance >= OTRL_MIN_VALID_INSTAG {
            // A child needs its master. libotr 4.1.1, asked for a child first, makes the
            // child its own "master" and corrupts later master lookups; we create the
            // master first (with its own add_app_data call), which is what every caller
            // that asks for the master first — libotr's own message code — also gets.
            let m = if master.is_null() {
                add_context(us, &key, OTRL_INSTAG_MASTER, null_mut(), add_app_data, data, true)
            } else {
                master
            };
            add_context(us, &key, their_instance, m, add_app_data, data, false)
        } else {
            // MASTER, BEST, RECENT*, or an invalid tag below 0x100: a master is made.
            add_context(us, &key, OTRL_INSTAG_MASTER, null_mut(), add_app_data, data, their_instance == OTRL_INSTAG_MASTER)
        }
    })
}

unsafe fn find_recent_instance(context: *mut ConnContext, which: otrl_instag_t) -> *mut ConnContext {
    // SAFETY: context is ours or NULL.
    unsafe {
        if context.is_null() || (*context).m_context.is_null() {
            return null_mut();
        }
        let m = (*context).m_context;
        match which {
            OTRL_INSTAG_RECENT => (*m).recent_child,
            OTRL_INSTAG_RECENT_RECEIVED => (*m).recent_rcvd_child,
            OTRL_INSTAG_RECENT_SENT => (*m).recent_sent_child,
            _ => null_mut(),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_find_recent_instance(
    context: *mut ConnContext,
    recent_instag: otrl_instag_t,
) -> *mut ConnContext {
    boundary("otrl_context_find_recent_instance", null_mut(), || unsafe {
        find_recent_instance(context, recent_instag)
    })
}

fn msgstate_rank(s: OtrlMessageState) -> u8 {
    match s {
        OTRL_MSGSTATE_ENCRYPTED => 2,
        OTRL_MSGSTATE_FINISHED => 1,
        _ => 0,
    }
}

unsafe fn is_trusted(f: *const Fingerprint) -> bool {
    // SAFETY: f is NULL or a live fingerprint with a NULL or NUL-terminated trust.
    unsafe { !f.is_null() && !(*f).trust.is_null() && *(*f).trust != 0 }
}

/// The "best" instance of a master's family: ENCRYPTED beats FINISHED beats PLAINTEXT,
/// then a trusted active fingerprint, then the most recent receipt; on a full tie the
/// later context in the list wins, as in libotr.
unsafe fn find_recent_secure_instance(context: *mut ConnContext) -> *mut ConnContext {
    // SAFETY: context and its family are ours and live.
    unsafe {
        if context.is_null() {
            return context;
        }
        let m = (*context).m_context;
        let mut best = context;
        let mut cur = m;
        while !cur.is_null() && (*cur).m_context == m {
            let (rc, rb) = (msgstate_rank((*cur).msgstate), msgstate_rank((*best).msgstate));
            let (tc, tb) = (is_trusted((*cur).active_fingerprint), is_trusted((*best).active_fingerprint));
            let newer = (*(*cur).context_priv).lastrecv >= (*(*best).context_priv).lastrecv;
            if rc > rb || (rc == rb && (tc && !tb || (tc == tb && newer))) {
                best = cur;
            }
            cur = (*cur).next;
        }
        best
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_find_recent_secure_instance(context: *mut ConnContext) -> *mut ConnContext {
    boundary("otrl_context_find_recent_secure_instance", null_mut(), || unsafe {
        find_recent_secure_instance(context)
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_update_recent_child(context: *mut ConnContext, sent_msg: c_uint) {
    boundary("otrl_context_update_recent_child", (), || unsafe {
        if context.is_null() || (*context).m_context.is_null() {
            return;
        }
        let m = (*context).m_context;
        if sent_msg != 0 {
            (*m).recent_sent_child = context;
        } else {
            (*m).recent_rcvd_child = context;
        }
        (*m).recent_child = context;
    })
}

// ---------------------------------------------------------------------------------
// Fingerprints

/// Find (or add at the head) a fingerprint in the master's list.
pub(crate) unsafe fn find_fingerprint(
    context: *mut ConnContext,
    fp: &[u8; 20],
    add_if_missing: bool,
    addedp: Option<&mut c_int>,
) -> *mut Fingerprint {
    // SAFETY: context is ours; the master's list and index change together here.
    unsafe {
        if context.is_null() || (*context).m_context.is_null() {
            return null_mut();
        }
        let m = (*context).m_context;
        if let Some(&f) = extra(m).fps.get(fp) {
            return f;
        }
        if !add_if_missing {
            return null_mut();
        }
        if let Some(a) = addedp {
            *a = 1;
        }
        let f = calloc_struct::<Fingerprint>();
        (*f).fingerprint = memdup(fp);
        (*f).context = m;
        list::link_at(&raw mut (*m).fingerprint_root.next, f);
        extra(m).fps.insert(*fp, f);
        f
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_find_fingerprint(
    context: *mut ConnContext,
    fingerprint: *mut c_uchar,
    add_if_missing: c_int,
    addedp: *mut c_int,
) -> *mut Fingerprint {
    boundary("otrl_context_find_fingerprint", null_mut(), || unsafe {
        if !addedp.is_null() {
            *addedp = 0;
        }
        if fingerprint.is_null() {
            return null_mut();
        }
        let mut fp = [0u8; 20];
        ptr::copy_nonoverlapping(fingerprint, fp.as_mut_ptr(), 20);
        find_fingerprint(context, &fp, add_if_missing != 0, addedp.as_mut())
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_set_trust(fprint: *mut Fingerprint, trust: *const c_char) {
    boundary("otrl_context_set_trust", (), || unsafe {
        if fprint.is_null() {
            return;
        }
        replace_cstring(&mut (*fprint).trust, cstr(trust));
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_is_fingerprint_trusted(fprint: *mut Fingerprint) -> c_int {
    boundary("otrl_context_is_fingerprint_trusted", 0, || unsafe { is_trusted(fprint) as c_int })
}

thread_local! {
    /// Contexts and fingerprints forgotten by an application callback while one of our
    /// calls was still using them: unlinked already, freed by [`free_deferred`].
    static DEFERRED: std::cell::RefCell<(Vec<usize>, Vec<usize>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Was `ctx` forgotten by a callback during the current call (and so about to be freed)?
pub(crate) fn is_forgotten(ctx: *mut ConnContext) -> bool {
    DEFERRED.with(|d| d.borrow().0.contains(&(ctx as usize)))
}

/// Free what callbacks forgot during the call that just returned (see
/// `ffi::reentered`). libotr frees at once and then reads the freed memory.
pub(crate) unsafe fn free_deferred() {
    loop {
        let (ctxs, fps) = DEFERRED.with(|d| {
            let mut d = d.borrow_mut();
            (std::mem::take(&mut d.0), std::mem::take(&mut d.1))
        });
        if ctxs.is_empty() && fps.is_empty() {
            return;
        }
        // SAFETY: each was unlinked when deferred and is referenced by nothing of ours.
        unsafe {
            for f in fps {
                release_fingerprint(f as *mut Fingerprint);
            }
            for c in ctxs {
                release_context(c as *mut ConnContext);
            }
        }
    }
}

/// Remove one (non-root) fingerprint from its master's list and free it, clearing any
/// context's `active_fingerprint` that pointed at it (libotr leaves those dangling).
unsafe fn free_fingerprint(f: *mut Fingerprint) {
    // SAFETY: f is a live, linked, non-root fingerprint of ours.
    unsafe {
        let m = (*f).context;
        let mut fp = [0u8; 20];
        ptr::copy_nonoverlapping((*f).fingerprint, fp.as_mut_ptr(), 20);
        if extra(m).fps.get(&fp) == Some(&f) {
            extra(m).fps.remove(&fp);
        }
        let mut c = m;
        while !c.is_null() && (*c).m_context == m {
            if (*c).active_fingerprint == f {
                (*c).active_fingerprint = null_mut();
            }
            c = (*c).next;
        }
        list::unlink(f);
        if super::reentered() {
            DEFERRED.with(|d| d.borrow_mut().1.push(f as usize));
        } else {
            release_fingerprint(f);
        }
    }
}

unsafe fn release_fingerprint(f: *mut Fingerprint) {
    // SAFETY: f is unlinked and ours.
    unsafe {
        cfree((*f).fingerprint);
        cfree((*f).trust);
        cfree(f);
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_forget_fingerprint(fprint: *mut Fingerprint, and_maybe_context: c_int) {
    boundary("otrl_context_forget_fingerprint", (), || unsafe {
        if fprint.is_null() || (*fprint).context.is_null() {
            return;
        }
        let context = (*fprint).context;
        if fprint == ptr::addr_of_mut!((*context).fingerprint_root) {
            // The root stands for the whole context.
            if and_maybe_context != 0 {
                forget_context(context);
            }
            return;
        }
        // libotr 4.1.1 keeps a fingerprint that is the active one of its PLAINTEXT
        // context. It would free one that an ENCRYPTED session is using, leaving that
        // session's active_fingerprint dangling; we keep it in that case too.
        let m = (*context).m_context;
        let mut c = m;
        while !c.is_null() && (*c).m_context == m {
            if (*c).active_fingerprint == fprint
                && ((*c).msgstate == OTRL_MSGSTATE_ENCRYPTED
                    || (c == context && (*c).msgstate == OTRL_MSGSTATE_PLAINTEXT))
            {
                return;
            }
            c = (*c).next;
        }
        free_fingerprint(fprint);
        if and_maybe_context != 0 && (*context).fingerprint_root.next.is_null() {
            // That was the last one: forget the context too, if it may be forgotten.
            forget_context(context);
        }
    })
}

// ---------------------------------------------------------------------------------
// Ending sessions and forgetting contexts

/// Forget everything about the current session (keys, SMP, auth) without touching
/// msgstate; shared by force_finished/force_plaintext and context freeing.
unsafe fn end_session(context: *mut ConnContext) {
    // SAFETY: context is ours.
    unsafe {
        clear_auth_of(context);
        let x = extra(context);
        x.session = None;
        x.master_rekey = false;
        (*context).active_fingerprint = null_mut();
        (*context).sessionid = [0; 20];
        (*context).sessionid_len = 0;
        (*context).protocol_version = 0;
        sm::state_free((*context).smstate);
        priv_force_finished((*context).context_priv);
    }
}

/// Forget a context's key exchange: the C fields and the core state behind them.
pub(crate) unsafe fn clear_auth_of(context: *mut ConnContext) {
    // SAFETY: context is ours.
    unsafe {
        super::handles::clear_auth(ptr::addr_of_mut!((*context).auth));
        extra(context).ake.clear();
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_force_finished(context: *mut ConnContext) {
    boundary("otrl_context_force_finished", (), || unsafe {
        if context.is_null() {
            return;
        }
        (*context).msgstate = OTRL_MSGSTATE_FINISHED;
        end_session(context);
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_force_plaintext(context: *mut ConnContext) {
    boundary("otrl_context_force_plaintext", (), || unsafe {
        if context.is_null() {
            return;
        }
        end_session(context);
        (*context).msgstate = OTRL_MSGSTATE_PLAINTEXT;
    })
}

/// Free a context's memory (it must already be unlinked) — later, if an application
/// callback forgot it while one of our calls may still be using it.
unsafe fn free_context(ctx: *mut ConnContext) {
    if super::reentered() {
        DEFERRED.with(|d| d.borrow_mut().0.push(ctx as usize));
    } else {
        // SAFETY: forwarded contract.
        unsafe { release_context(ctx) }
    }
}

unsafe fn release_context(ctx: *mut ConnContext) {
    // SAFETY: ctx is ours, unlinked, and not used afterwards.
    unsafe {
        end_session(ctx);
        while !(*ctx).fingerprint_root.next.is_null() {
            free_fingerprint((*ctx).fingerprint_root.next);
        }
        if let (false, Some(f)) = ((*ctx).app_data.is_null(), (*ctx).app_data_free) {
            f((*ctx).app_data);
        }
        (*ctx).app_data = null_mut();
        cfree((*ctx).username);
        cfree((*ctx).accountname);
        cfree((*ctx).protocol);
        cfree((*ctx).smstate);
        cfree((*ctx).context_priv);
        let p = ctx as *mut ContextImpl;
        ptr::drop_in_place(ptr::addr_of_mut!((*p).x));
        cfree(p);
    }
}

/// otrl_context_forget: only PLAINTEXT contexts; a master goes with all its children,
/// and only if every one of them is PLAINTEXT. 0 on success, 1 if refused.
unsafe fn forget_context(context: *mut ConnContext) -> c_int {
    // SAFETY: context is ours and linked.
    unsafe {
        if (*context).msgstate != OTRL_MSGSTATE_PLAINTEXT {
            return 1;
        }
        let m = (*context).m_context;
        if context == m {
            let mut c = (*m).next;
            while !c.is_null() && (*c).m_context == m {
                if (*c).msgstate != OTRL_MSGSTATE_PLAINTEXT {
                    return 1;
                }
                c = (*c).next;
            }
            while !(*m).next.is_null() && (*(*m).next).m_context == m {
                let child = (*m).next;
                unlink(child);
                free_context(child);
            }
        } else {
            // libotr leaves these dangling; we point them back at the master.
            for slot in [&mut (*m).recent_child, &mut (*m).recent_rcvd_child, &mut (*m).recent_sent_child] {
                if *slot == context {
                    *slot = m;
                }
            }
        }
        unlink(context);
        free_context(context);
        0
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_forget(context: *mut ConnContext) -> c_int {
    boundary("otrl_context_forget", 1, || unsafe {
        if context.is_null() {
            return 1;
        }
        forget_context(context)
    })
}

/// Forget every context of a user state, whatever its state: all are forced to
/// PLAINTEXT first, then each master is forgotten with its children (children first).
pub(crate) unsafe fn forget_all_contexts(us: OtrlUserState) {
    // SAFETY: us is live; contexts are unlinked before they are freed.
    unsafe {
        let mut c = (*us).context_root;
        while !c.is_null() {
            (*c).msgstate = OTRL_MSGSTATE_PLAINTEXT;
            end_session(c);
            c = (*c).next;
        }
        while !(*us).context_root.is_null() {
            let c = (*us).context_root;
            if forget_context(c) != 0 {
                // Cannot happen (all PLAINTEXT), but never loop forever.
                unlink(c);
                free_context(c);
            }
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_forget_all(us: OtrlUserState) {
    boundary("otrl_context_forget_all", (), || unsafe {
        if !us.is_null() {
            forget_all_contexts(us);
        }
    })
}

// ---------------------------------------------------------------------------------
// context_priv.h

#[no_mangle]
pub extern "C" fn otrl_context_priv_new() -> *mut ConnContextPriv {
    boundary("otrl_context_priv_new", null_mut(), calloc_struct::<ConnContextPriv>)
}

/// Drop the session keys and pending data of a private context part; counters that
/// outlive sessions (`generation`, `lastsent`, `lastrecv`) stay, as in libotr.
pub(crate) unsafe fn priv_force_finished(p: *mut ConnContextPriv) {
    if p.is_null() {
        return;
    }
    // SAFETY: p is a live ConnContextPriv; all its pointer fields are ours or NULL.
    unsafe {
        cfree((*p).fragment);
        (*p).fragment = null_mut();
        (*p).fragment_len = 0;
        (*p).fragment_n = 0;
        (*p).fragment_k = 0;
        super::handles::free_mpi_slots(&mut [&mut (*p).their_y, &mut (*p).their_old_y]);
        (*p).their_keyid = 0;
        (*p).our_keyid = 0;
        super::handles::free_dh_keypair(&mut (*p).our_dh_key);
        super::handles::free_dh_keypair(&mut (*p).our_old_dh_key);
        for row in (*p).sesskeys.iter_mut() {
            for s in row.iter_mut() {
                super::handles::free_sesskeys(s);
            }
        }
        if !(*p).saved_mac_keys.is_null() {
            let n = (*p).numsavedkeys as usize * 20;
            ptr::write_bytes((*p).saved_mac_keys, 0, n);
            cfree((*p).saved_mac_keys);
        }
        (*p).saved_mac_keys = null_mut();
        (*p).numsavedkeys = 0;
        cfree((*p).lastmessage);
        (*p).lastmessage = null_mut();
        (*p).may_retransmit = 0;
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_context_priv_force_finished(context_priv: *mut ConnContextPriv) {
    boundary("otrl_context_priv_force_finished", (), || unsafe { priv_force_finished(context_priv) })
}
