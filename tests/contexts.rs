//! Context and fingerprint list behaviour, checked against what the real libotr 4.1.1
//! does (probed with small C programs linked to it; see the comments for the cases where
//! we deliberately differ).

use otr::ffi::context::*;
use otr::ffi::types::*;
use otr::ffi::userstate::*;
use std::ffi::{CStr, CString};
use std::ptr::null_mut;

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

unsafe fn find(us: OtrlUserState, user: &str, acct: &str, proto: &str, inst: u32, add: bool) -> *mut ConnContext {
    let (u, a, p) = (c(user), c(acct), c(proto));
    unsafe { otrl_context_find(us, u.as_ptr(), a.as_ptr(), p.as_ptr(), inst, add as i32, null_mut(), None, null_mut()) }
}

unsafe fn walk(us: OtrlUserState) -> Vec<String> {
    let mut v = vec![];
    unsafe {
        let mut x = (*us).context_root;
        while !x.is_null() {
            assert_eq!(*(*x).tous, x, "tous must point at the link to this context");
            let s = |p: *mut i8| CStr::from_ptr(p).to_str().unwrap().to_owned();
            let mi = {
                let mut j = 0;
                let mut y = (*us).context_root;
                while y != (*x).m_context {
                    y = (*y).next;
                    j += 1;
                }
                j
            };
            v.push(format!("{}/{}/{}/{:x}/m{}", s((*x).username), s((*x).accountname), s((*x).protocol), (*x).their_instance, mi));
            x = (*x).next;
        }
    }
    v
}

#[test]
fn sorted_list_masters_and_children() {
    unsafe {
        let us = otrl_userstate_create();
        find(us, "bob", "acc", "prpl", 0, true);
        find(us, "bob", "acc", "prpl", 0x300, true);
        find(us, "bob", "acc", "prpl", 0x200, true);
        find(us, "bob", "acc", "aaa", 0, true);
        find(us, "bob", "acc", "zzz", 0, true);
        find(us, "alice", "acc", "prpl", OTRL_INSTAG_RECENT, true);
        assert_eq!(
            walk(us),
            [
                "alice/acc/prpl/0/m0",
                "bob/acc/aaa/0/m1",
                "bob/acc/prpl/0/m2",
                "bob/acc/prpl/200/m2",
                "bob/acc/prpl/300/m2",
                "bob/acc/zzz/0/m5"
            ]
        );
        // A tag below 0x100 that is no special value finds nothing and adds a master.
        assert!(find(us, "carol", "acc", "prpl", 7, false).is_null());
        let m = find(us, "carol", "acc", "prpl", 7, true);
        assert_eq!((*m).their_instance, 0);
        assert!(find(us, "carol", "acc", "prpl", 0x150, false).is_null());
        otrl_userstate_free(us);
    }
}

#[test]
fn child_first_makes_master_first() {
    // libotr 4.1.1 makes such a child its own master (and later master lookups return
    // whichever context comes first); we create the master first.
    unsafe {
        let us = otrl_userstate_create();
        let ch = find(us, "bob", "acc", "prpl", 0x1234, true);
        assert_eq!(walk(us), ["bob/acc/prpl/0/m0", "bob/acc/prpl/1234/m0"]);
        assert_eq!((*ch).m_context, (*us).context_root);
        otrl_userstate_free(us);
    }
}

#[test]
fn recent_children() {
    unsafe {
        let us = otrl_userstate_create();
        let m = find(us, "bob", "acc", "prpl", 0, true);
        let ch = find(us, "bob", "acc", "prpl", 0x200, true);
        // A master starts as its own most recent instance.
        assert_eq!(find(us, "bob", "acc", "prpl", OTRL_INSTAG_RECENT, false), m);
        otrl_context_update_recent_child(ch, 1);
        assert_eq!(((*m).recent_child, (*m).recent_sent_child, (*m).recent_rcvd_child), (ch, ch, m));
        otrl_context_update_recent_child(ch, 0);
        assert_eq!((*m).recent_rcvd_child, ch);
        assert_eq!(find(us, "bob", "acc", "prpl", OTRL_INSTAG_RECENT_RECEIVED, false), ch);
        // BEST: on a tie the later context wins; an ENCRYPTED one beats PLAINTEXT ones.
        assert_eq!(find(us, "bob", "acc", "prpl", OTRL_INSTAG_BEST, false), ch);
        (*(*m).context_priv).lastrecv = 9;
        assert_eq!(find(us, "bob", "acc", "prpl", OTRL_INSTAG_BEST, false), m);
        (*ch).msgstate = OTRL_MSGSTATE_ENCRYPTED;
        assert_eq!(find(us, "bob", "acc", "prpl", OTRL_INSTAG_BEST, false), ch);
        (*ch).msgstate = OTRL_MSGSTATE_PLAINTEXT;
        otrl_userstate_free(us);
    }
}

const FA: [u8; 20] = [1; 20];
const FB: [u8; 20] = [2; 20];

/// One row of the probe table: states of master and child, who has `fa` active, how
/// many fingerprints, and_maybe_context, which fingerprint is forgotten (0: fa, 1: the
/// master's root, 2: the child's root) → (contexts left, fingerprints left).
unsafe fn forget_case(mst: u32, mact: bool, cst: u32, cact: bool, nfps: usize, maybe: i32, root: u8) -> (usize, usize) {
    unsafe {
        let us = otrl_userstate_create();
        let m = find(us, "bob", "acc", "p", 0, true);
        let ch = find(us, "bob", "acc", "p", 0x300, true);
        let mut fa = FA;
        let mut fb = FB;
        let f = otrl_context_find_fingerprint(m, fa.as_mut_ptr(), 1, null_mut());
        if nfps > 1 {
            otrl_context_find_fingerprint(m, fb.as_mut_ptr(), 1, null_mut());
        }
        (*m).msgstate = mst;
        (*ch).msgstate = cst;
        if mact {
            (*m).active_fingerprint = f;
        }
        if cact {
            (*ch).active_fingerprint = f;
        }
        let target = match root {
            1 => &mut (*m).fingerprint_root as *mut Fingerprint,
            2 => &mut (*ch).fingerprint_root as *mut Fingerprint,
            _ => f,
        };
        otrl_context_forget_fingerprint(target, maybe);
        let n = walk(us).len();
        let mut nf = 0;
        if n > 0 {
            let mut x = (*(*us).context_root).fingerprint_root.next;
            while !x.is_null() {
                nf += 1;
                x = (*x).next;
            }
        }
        // Make everything forgettable, then free.
        let mut x = (*us).context_root;
        while !x.is_null() {
            (*x).msgstate = 0;
            x = (*x).next;
        }
        otrl_userstate_free(us);
        (n, nf)
    }
}

#[test]
fn forget_fingerprint_like_libotr() {
    unsafe {
        // Master alone holds it active: kept only while the master is PLAINTEXT.
        assert_eq!(forget_case(0, false, 0, false, 2, 0, 0), (2, 1));
        assert_eq!(forget_case(0, true, 0, false, 2, 0, 0), (2, 2));
        assert_eq!(forget_case(2, true, 0, false, 2, 0, 0), (2, 1));
        // libotr also forgets one an ENCRYPTED session uses (leaving it dangling); we keep it.
        assert_eq!(forget_case(1, true, 0, false, 2, 0, 0), (2, 2));
        assert_eq!(forget_case(0, false, 1, true, 2, 0, 0), (2, 2));
        // Children that merely show it active (not ENCRYPTED) do not keep it.
        assert_eq!(forget_case(0, false, 0, true, 2, 0, 0), (2, 1));
        assert_eq!(forget_case(0, false, 2, true, 2, 0, 0), (2, 1));
        // The last one with and_maybe_context: the context goes if it may be forgotten.
        assert_eq!(forget_case(0, false, 0, false, 1, 1, 0), (0, 0));
        for (mst, cst) in [(0, 1), (0, 2), (1, 0), (1, 1), (2, 2)] {
            assert_eq!(forget_case(mst, false, cst, false, 1, 1, 0), (2, 0));
        }
        // The root stands for the context itself.
        assert_eq!(forget_case(0, false, 0, false, 1, 1, 1), (0, 0));
        for (mst, cst) in [(0, 1), (0, 2), (1, 0), (2, 2)] {
            assert_eq!(forget_case(mst, false, cst, false, 1, 1, 1), (2, 1));
        }
        assert_eq!(forget_case(0, false, 0, false, 1, 0, 1), (2, 1));
        assert_eq!(forget_case(0, false, 0, false, 1, 1, 2), (1, 1));
        assert_eq!(forget_case(0, false, 1, false, 1, 1, 2), (2, 1));
    }
}

#[test]
fn forget_needs_plaintext_family_and_frees_app_data() {
    use std::sync::atomic::{AtomicU32, Ordering};
    static FREED: AtomicU32 = AtomicU32::new(0);
    unsafe extern "C" fn free_app(p: *mut libc::c_void) {
        unsafe {
            FREED.fetch_add(1, Ordering::SeqCst);
            libc::free(p);
        }
    }
    unsafe extern "C" fn add_app(_d: *mut libc::c_void, ctx: *mut ConnContext) {
        unsafe {
            assert_eq!((*ctx).their_instance, 0, "libotr calls add_app_data before setting the instance");
            (*ctx).app_data = libc::malloc(8);
            (*ctx).app_data_free = Some(free_app);
        }
    }
    unsafe {
        let us = otrl_userstate_create();
        let (u, a, p) = (c("bob"), c("acc"), c("p"));
        let mut added = 0;
        let m = otrl_context_find(us, u.as_ptr(), a.as_ptr(), p.as_ptr(), 0, 1, &mut added, Some(add_app), null_mut());
        assert_eq!(added, 1);
        let ch = otrl_context_find(us, u.as_ptr(), a.as_ptr(), p.as_ptr(), 0x300, 1, &mut added, Some(add_app), null_mut());
        (*ch).msgstate = OTRL_MSGSTATE_ENCRYPTED;
        assert_eq!(otrl_context_forget(ch), 1);
        assert_eq!(otrl_context_forget(m), 1);
        otrl_context_force_finished(ch);
        assert_eq!((*ch).msgstate, OTRL_MSGSTATE_FINISHED);
        assert_eq!(otrl_context_forget(m), 1);
        otrl_context_force_plaintext(ch);
        assert_eq!(otrl_context_forget(m), 0);
        assert!((*us).context_root.is_null());
        assert_eq!(FREED.load(Ordering::SeqCst), 2);
        otrl_userstate_free(us);
    }
}

#[test]
fn force_finished_resets_session_fields() {
    unsafe {
        let us = otrl_userstate_create();
        let m = find(us, "bob", "acc", "p", 0, true);
        let mut fa = FA;
        let f = otrl_context_find_fingerprint(m, fa.as_mut_ptr(), 1, null_mut());
        (*m).active_fingerprint = f;
        (*m).msgstate = OTRL_MSGSTATE_ENCRYPTED;
        (*m).protocol_version = 3;
        (*m).sessionid = [9; 20];
        (*m).sessionid_len = 8;
        (*m).sessionid_half = 1;
        (*m).otr_offer = 1;
        (*(*m).smstate).nextExpected = 2;
        (*(*m).smstate).sm_prog_state = -1;
        (*(*m).context_priv).generation = 5;
        (*(*m).context_priv).lastrecv = 88;
        (*(*m).context_priv).may_retransmit = 1;
        otrl_context_force_finished(m);
        assert_eq!((*m).msgstate, OTRL_MSGSTATE_FINISHED);
        assert!((*m).active_fingerprint.is_null());
        assert_eq!(((*m).protocol_version, (*m).sessionid_len, (*m).sessionid), (0, 0, [0; 20]));
        // Left alone, as by libotr:
        assert_eq!(((*m).sessionid_half, (*m).otr_offer), (1, 1));
        assert_eq!(((*(*m).smstate).nextExpected, (*(*m).smstate).sm_prog_state), (0, 0));
        let p = &*(*m).context_priv;
        assert_eq!((p.generation, p.lastrecv, p.may_retransmit), (5, 88, 0));
        otrl_context_force_plaintext(m);
        otrl_userstate_free(us);
    }
}

#[test]
fn trust() {
    unsafe {
        let us = otrl_userstate_create();
        let ch = find(us, "bob", "acc", "p", 0x300, true);
        let mut fa = FA;
        let mut added = 0;
        let f = otrl_context_find_fingerprint(ch, fa.as_mut_ptr(), 1, &mut added);
        assert_eq!(added, 1);
        assert_eq!((*f).context, (*ch).m_context, "fingerprints live on the master");
        assert_eq!(otrl_context_find_fingerprint(ch, fa.as_mut_ptr(), 0, &mut added), f);
        assert_eq!(added, 0);
        assert_eq!(otrl_context_is_fingerprint_trusted(f), 0);
        let v = c("verified");
        otrl_context_set_trust(f, v.as_ptr());
        assert_eq!(otrl_context_is_fingerprint_trusted(f), 1);
        let e = c("");
        otrl_context_set_trust(f, e.as_ptr());
        assert!(!(*f).trust.is_null());
        assert_eq!(otrl_context_is_fingerprint_trusted(f), 0);
        otrl_context_set_trust(f, std::ptr::null());
        assert!((*f).trust.is_null());
        otrl_userstate_free(us);
    }
}
