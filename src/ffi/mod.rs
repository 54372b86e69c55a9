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

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `f`, turning a panic into `fallback`. Every exported function goes through here.
#[inline]
pub(crate) fn boundary<T>(name: &'static str, fallback: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            // The panic hook has already printed the message; say where it was caught.
            eprintln!("libotr: internal error in {name}; returned its failure value");
            fallback
        }
    }
}
