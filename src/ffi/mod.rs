//! The C ABI shell: one module per libotr header. Only this module tree uses `unsafe`.
//!
//! Every `extern "C"` function enters through [`boundary`], which catches panics (a panic
//! must never unwind into C) and returns the function's documented failure value instead.
//! NULL arguments are checked in each function the way libotr treats them.
#![allow(clippy::missing_safety_doc)]

pub mod error;
pub mod types;
pub(crate) mod util;
/// Our objects behind libgcrypt-typed struct fields.
pub(crate) mod handles;

/// Reading and writing C `FILE *` streams.
pub(crate) mod filep;
/// libotr's linked lists with back-pointers (`next`/`tous`).
pub(crate) mod list;
/// auth.h
pub mod auth;
/// b64.h
pub mod b64;
/// context.h and context_priv.h
pub mod context;
/// dh.h
pub mod dh;
/// instag.h
pub mod instag;
/// mem.h
pub mod mem;
/// message.h (and proto.h's data-message functions)
pub mod message;
/// privkey.h (keys, fingerprints file, signatures)
pub mod privkey;
/// proto.h (library init and version; the protocol functions come with conversations)
pub mod proto;
/// sm.h (and the undeclared otrl_sm_msg*_init / otrl_sm_msg_free)
pub mod sm;
/// tlv.h
pub mod tlv;
/// userstate.h
pub mod userstate;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// How many of our exported functions are running on this thread (more than one
    /// when an application callback calls back into the library).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Is this call nested inside another of ours (made from an application callback)?
/// Then objects the outer call may still be using are not freed yet (see
/// `context::free_context`): they are unlinked at once and freed when the outermost
/// call returns.
pub(crate) fn reentered() -> bool {
    DEPTH.with(|d| d.get() > 1)
}

/// Run `f`, turning a panic into `fallback`. Every exported function goes through here.
#[inline]
pub(crate) fn boundary<T>(name: &'static str, fallback: T, f: impl FnOnce() -> T) -> T {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            // The panic hook has already printed the message; say where it was caught.
            eprintln!("libotr: internal error in {name}; returned its failure value");
            fallback
        }
    };
    let outermost = DEPTH.with(|d| {
        d.set(d.get() - 1);
        d.get() == 0
    });
    if outermost {
        // SAFETY: no call of ours is running on this thread any more.
        unsafe { context::free_deferred() };
    }
    r
}
