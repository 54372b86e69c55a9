//! message.h: the conversation API plugins drive (`otrl_message_*`), and proto.h's
//! `otrl_proto_create_data` / `otrl_proto_accept_data`.
//!
//! This module orchestrates what libotr's `message.c` orchestrates: it finds contexts
//! (master and instance children), asks the application (`OtrlMessageAppOps`) for
//! policy and sizes, feeds received messages to the core's AKE (`ake::Ake`) and data
//! session (`session::Session`), and reports back through the callbacks in libotr's
//! order. The cryptographic protocol lives in the core; the per-context core state
//! hangs off the context (`ContextExtra`) and is projected into the C fields plugins
//! read (`msgstate`, `auth.authstate`, `protocol_version`, …) after each step.
//!
//! Callbacks may re-enter the library (an `inject_message` that calls
//! `otrl_message_sending`, say): no Rust borrow of a context is held across a callback.
//!
//! Deliberate differences from libotr 4.1.1 (protocol-notes.md §3):
//! - An unauthenticated message never changes the msgstate (or protocol version) of an
//!   ENCRYPTED context. libotr copies the master's PLAINTEXT msgstate onto a live
//!   instance when a DH-Key arrives for a master's commit (§3.5, silent downgrade); we
//!   keep the session ENCRYPTED until the new AKE completes, and then report
//!   `gone_secure` exactly where libotr would.
//! - A DH-Key never overwrites an instance's exchange that is awaiting a Signature
//!   (libotr restarts it from the master's commit).
//! - OTR v1 is refused: v1 query versions and v1 messages are ignored.
//! - Held-back messages and reassembly buffers are freed, never leaked.

use super::context::{extra, find_fingerprint, otrl_context_find, otrl_context_force_finished, otrl_context_force_plaintext};
use super::error::{gcry_error, GPG_ERR_CONFLICT, GPG_ERR_ENOMEM, GPG_ERR_INV_VALUE};
use super::types::*;
use super::util::{cfree, cstr, strdup_bytes};
use super::proto::Accumulated;
use super::{boundary, instag, privkey, tlv as ctlv};
use crate::ake::{self, Ake, Established, Outcome, SsidHalf};
use crate::crypto::dsa::DsaPrivateKey;
use crate::proto::{self as core, MessageType};
use crate::session::{self, AkeResult, Refused, Session, FLAG_IGNORE_UNREADABLE};
use crate::smp;
use crate::tlv::Tlv;
use crate::wire::{self, Header, Reader, MSG_DATA};
use libc::{c_char, c_int, c_uchar, c_uint, c_void, size_t};
use std::ptr::{self, null_mut};

pub const OTRL_POLICY_ALLOW_V1: OtrlPolicy = 0x01;
pub const OTRL_POLICY_ALLOW_V2: OtrlPolicy = 0x02;
pub const OTRL_POLICY_ALLOW_V3: OtrlPolicy = 0x04;
pub const OTRL_POLICY_SEND_WHITESPACE_TAG: OtrlPolicy = 0x10;
pub const OTRL_POLICY_WHITESPACE_START_AKE: OtrlPolicy = 0x20;
pub const OTRL_POLICY_ERROR_START_AKE: OtrlPolicy = 0x40;
pub const OTRL_POLICY_VERSION_MASK: OtrlPolicy = 0x07;
pub const OTRL_POLICY_DEFAULT: OtrlPolicy = 0x76;

const EV_ENCRYPTION_REQUIRED: OtrlMessageEvent = 1;
const EV_ENCRYPTION_ERROR: OtrlMessageEvent = 2;
const EV_CONNECTION_ENDED: OtrlMessageEvent = 3;
const EV_SETUP_ERROR: OtrlMessageEvent = 4;
const EV_MSG_REFLECTED: OtrlMessageEvent = 5;
const EV_MSG_RESENT: OtrlMessageEvent = 6;
const EV_RCVDMSG_NOT_IN_PRIVATE: OtrlMessageEvent = 7;
const EV_RCVDMSG_UNREADABLE: OtrlMessageEvent = 8;
const EV_RCVDMSG_MALFORMED: OtrlMessageEvent = 9;
const EV_LOG_HEARTBEAT_RCVD: OtrlMessageEvent = 10;
const EV_LOG_HEARTBEAT_SENT: OtrlMessageEvent = 11;
const EV_RCVDMSG_GENERAL_ERR: OtrlMessageEvent = 12;
const EV_RCVDMSG_UNENCRYPTED: OtrlMessageEvent = 13;
const EV_RCVDMSG_UNRECOGNIZED: OtrlMessageEvent = 14;
const EV_RCVDMSG_FOR_OTHER_INSTANCE: OtrlMessageEvent = 15;

const ERRCODE_ENCRYPTION_ERROR: OtrlErrorCode = 1;
const ERRCODE_MSG_UNREADABLE: OtrlErrorCode = 3;
const ERRCODE_MSG_MALFORMED: OtrlErrorCode = 4;

const FRAGMENT_SEND_SKIP: OtrlFragmentPolicy = 0;
const FRAGMENT_SEND_ALL: OtrlFragmentPolicy = 1;
const FRAGMENT_SEND_ALL_BUT_FIRST: OtrlFragmentPolicy = 2;
const FRAGMENT_SEND_ALL_BUT_LAST: OtrlFragmentPolicy = 3;

const CONVERT_SENDING: OtrlConvertType = 0;
const CONVERT_RECEIVING: OtrlConvertType = 1;

const OFFER_SENT: OtrlOtrOffer = 1;
const OFFER_REJECTED: OtrlOtrOffer = 2;


/// libotr's timing constants (seconds).
const RESEND_INTERVAL: i64 = 60;
const MAX_AKE_WAIT_TIME: i64 = 60;
const POLL_DEFAULT_INTERVAL: c_uint = 70;

const OTR_ERROR_PREFIX: &[u8] = b"?OTR Error: ";

fn now() -> i64 {
    // SAFETY: time(NULL) has no preconditions.
    unsafe { libc::time(null_mut()) as i64 }
}

fn err(code: u32) -> gcry_error_t {
    gcry_error(code)
}

/// `bytes` with a NUL appended (cut at an interior NUL, which C could not see anyway).
fn cbuf(bytes: &[u8]) -> Vec<u8> {
    let n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let mut v = Vec::with_capacity(n + 1);
    v.extend_from_slice(&bytes[..n]);
    v.push(0);
    v
}

// ---------------------------------------------------------------------------------
// The application's callbacks. Each wrapper skips a NULL slot as libotr does.

#[derive(Clone, Copy)]
struct Ops {
    t: *const OtrlMessageAppOps,
    opdata: *mut c_void,
}

impl Ops {
    fn get(&self) -> Option<&OtrlMessageAppOps> {
        // SAFETY: t is NULL or the caller's live ops table (C contract).
        unsafe { self.t.as_ref() }
    }

    unsafe fn policy(&self, ctx: *mut ConnContext) -> OtrlPolicy {
        match self.get().and_then(|o| o.policy) {
            // SAFETY: calling the application's callback with its own opdata.
            Some(f) => unsafe { f(self.opdata, ctx) },
            None => OTRL_POLICY_DEFAULT,
        }
    }

    fn can_inject(&self) -> bool {
        self.get().and_then(|o| o.inject_message).is_some()
    }

    unsafe fn inject_to(&self, acct: *const c_char, proto: *const c_char, user: *const c_char, msg: &[u8]) {
        if let Some(f) = self.get().and_then(|o| o.inject_message) {
            let m = cbuf(msg);
            // SAFETY: strings are live C strings; m is NUL-terminated.
            unsafe { f(self.opdata, acct, proto, user, m.as_ptr() as *const c_char) };
        }
    }

    unsafe fn inject(&self, ctx: *mut ConnContext, msg: &[u8]) {
        // SAFETY: ctx is a live context of ours.
        unsafe { self.inject_to((*ctx).accountname, (*ctx).protocol, (*ctx).username, msg) }
    }

    unsafe fn event(&self, ev: OtrlMessageEvent, ctx: *mut ConnContext, msg: Option<&[u8]>, e: gcry_error_t) {
        if let Some(f) = self.get().and_then(|o| o.handle_msg_event) {
            let m = msg.map(cbuf);
            let p = m.as_ref().map_or(ptr::null(), |v| v.as_ptr() as *const c_char);
            // SAFETY: application callback.
            unsafe { f(self.opdata, ev, ctx, p, e) };
        }
    }

    fn has_event(&self) -> bool {
        self.get().and_then(|o| o.handle_msg_event).is_some()
    }

    unsafe fn update_context_list(&self) {
        if let Some(f) = self.get().and_then(|o| o.update_context_list) {
            // SAFETY: application callback.
            unsafe { f(self.opdata) };
        }
    }

    unsafe fn write_fingerprints(&self) {
        if let Some(f) = self.get().and_then(|o| o.write_fingerprints) {
            // SAFETY: application callback.
            unsafe { f(self.opdata) };
        }
    }

    unsafe fn gone_secure(&self, ctx: *mut ConnContext) {
        if let Some(f) = self.get().and_then(|o| o.gone_secure) {
            // SAFETY: application callback.
            unsafe { f(self.opdata, ctx) };
        }
    }

    unsafe fn still_secure(&self, ctx: *mut ConnContext, is_reply: c_int) {
        if let Some(f) = self.get().and_then(|o| o.still_secure) {
            // SAFETY: application callback.
            unsafe { f(self.opdata, ctx, is_reply) };
        }
    }

    unsafe fn max_message_size(&self, ctx: *mut ConnContext) -> c_int {
        match self.get().and_then(|o| o.max_message_size) {
            // SAFETY: application callback.
            Some(f) => unsafe { f(self.opdata, ctx) },
            None => 0,
        }
    }

    unsafe fn create_privkey(&self, acct: *const c_char, proto: *const c_char) {
        if let Some(f) = self.get().and_then(|o| o.create_privkey) {
            // SAFETY: application callback.
            unsafe { f(self.opdata, acct, proto) };
        }
    }

    unsafe fn create_instag(&self, acct: *const c_char, proto: *const c_char) {
        if let Some(f) = self.get().and_then(|o| o.create_instag) {
            // SAFETY: application callback.
            unsafe { f(self.opdata, acct, proto) };
        }
    }

    unsafe fn timer_control(&self, interval: c_uint) -> bool {
        match self.get().and_then(|o| o.timer_control) {
            Some(f) => {
                // SAFETY: application callback.
                unsafe { f(self.opdata, interval) };
                true
            }
            None => false,
        }
    }

    unsafe fn is_logged_in(&self, ctx: *mut ConnContext) -> c_int {
        match self.get().and_then(|o| o.is_logged_in) {
            // SAFETY: application callback; ctx is live.
            Some(f) => unsafe { f(self.opdata, (*ctx).accountname, (*ctx).protocol, (*ctx).username) },
            None => -1,
        }
    }

    /// The application's text for an error code, handed to `use_text` before it is
    /// given back with `otr_error_message_free` (libotr's order: get, use, free).
    unsafe fn with_error_text(&self, ctx: *mut ConnContext, code: OtrlErrorCode, use_text: impl FnOnce(&[u8])) {
        let Some(o) = self.get() else { return };
        let Some(f) = o.otr_error_message else { return };
        // SAFETY: application callbacks; the returned string is read before it is freed.
        unsafe {
            let s = f(self.opdata, ctx, code);
            if let Some(text) = cstr(s) {
                use_text(text);
            }
            if let Some(free) = o.otr_error_message_free {
                free(self.opdata, s);
            }
        }
    }

    unsafe fn smp_event(&self, ev: OtrlSMPEvent, ctx: *mut ConnContext, progress: u16, question: Option<&[u8]>) {
        if let Some(f) = self.get().and_then(|o| o.handle_smp_event) {
            let mut q = question.map(cbuf);
            let p = q.as_mut().map_or(null_mut(), |v| v.as_mut_ptr() as *mut c_char);
            // SAFETY: application callback.
            unsafe { f(self.opdata, ev, ctx, progress, p) };
        }
    }

    /// The application's "[resent]" prefix, if it has one.
    unsafe fn resent_prefix(&self, ctx: *mut ConnContext) -> Option<Vec<u8>> {
        let o = self.get()?;
        let f = o.resent_msg_prefix?;
        // SAFETY: application callbacks.
        unsafe {
            let s = f(self.opdata, ctx);
            let p = cstr(s).map(|b| b.to_vec());
            if !s.is_null() {
                if let Some(free) = o.resent_msg_prefix_free {
                    free(self.opdata, s);
                }
            }
            p
        }
    }

    /// `convert_msg` + `convert_free`: the converted text, if the application gave one.
    unsafe fn convert(&self, ctx: *mut ConnContext, kind: OtrlConvertType, msg: &[u8]) -> Option<Vec<u8>> {
        let o = self.get()?;
        let f = o.convert_msg?;
        let m = cbuf(msg);
        let mut out: *mut c_char = null_mut();
        // SAFETY: application callbacks.
        unsafe {
            f(self.opdata, ctx, kind, &mut out, m.as_ptr() as *const c_char);
            if out.is_null() {
                return None;
            }
            let v = cstr(out).unwrap_or_default().to_vec();
            if let Some(free) = o.convert_free {
                free(self.opdata, ctx, out);
            }
            Some(v)
        }
    }

    unsafe fn new_fingerprint(&self, us: OtrlUserState, ctx: *mut ConnContext, fp: &mut [u8; 20]) {
        if let Some(f) = self.get().and_then(|o| o.new_fingerprint) {
            // SAFETY: application callback; ctx is live.
            unsafe { f(self.opdata, us, (*ctx).accountname, (*ctx).protocol, (*ctx).username, fp.as_mut_ptr()) };
        }
    }

    unsafe fn received_symkey(&self, ctx: *mut ConnContext, usage: c_uint, usedata: &[u8], key: &[u8; 32]) {
        if let Some(f) = self.get().and_then(|o| o.received_symkey) {
            // SAFETY: application callback.
            unsafe { f(self.opdata, ctx, usage, usedata.as_ptr(), usedata.len(), key.as_ptr()) };
        }
    }
}

// ---------------------------------------------------------------------------------
// Projection of core state into the C fields plugins read.

unsafe fn project(ctx: *mut ConnContext) {
    // SAFETY: ctx is a live context of ours.
    unsafe {
        let x = extra(ctx);
        let a = &mut (*ctx).auth;
        a.authstate = x.ake.state as OtrlAuthState;
        a.protocol_version = x.ake.version as c_uint;
        a.our_keyid = x.ake.our_keyid;
        a.initiated = x.ake.initiated as c_int;
        let p = (*ctx).context_priv;
        if !p.is_null() {
            let (t, o) = x.session.as_ref().map_or((0, 0), |s| (s.their_keyid, s.our_keyid));
            (*p).their_keyid = t;
            (*p).our_keyid = o;
        }
    }
}

unsafe fn priv_of<'a>(ctx: *mut ConnContext) -> &'a mut ConnContextPriv {
    // SAFETY: every context of ours has a private part.
    unsafe { &mut *(*ctx).context_priv }
}

unsafe fn update_recent_child(ctx: *mut ConnContext, sent: bool) {
    // SAFETY: ctx and its master are live.
    unsafe {
        let m = (*ctx).m_context;
        if sent {
            (*m).recent_sent_child = ctx;
        } else {
            (*m).recent_rcvd_child = ctx;
        }
        (*m).recent_child = ctx;
    }
}

unsafe fn set_lastmessage(ctx: *mut ConnContext, msg: Option<&[u8]>) {
    // SAFETY: ctx is live; lastmessage is malloc'd or NULL.
    unsafe {
        let p = priv_of(ctx);
        if !p.lastmessage.is_null() {
            let n = libc::strlen(p.lastmessage);
            ptr::write_bytes(p.lastmessage, 0, n);
            cfree(p.lastmessage);
        }
        p.lastmessage = msg.map_or(null_mut(), strdup_bytes);
    }
}

// ---------------------------------------------------------------------------------
// Data messages (proto.c's create/accept, with the context's bookkeeping).

/// Encrypt `msg` + TLVs for the context's session. On success libotr remembers the
/// message for retransmission (`lastmessage`, `may_retransmit = 0`).
unsafe fn create_data(
    ctx: *mut ConnContext,
    msg: &[u8],
    tlvs: &[Tlv],
    flags: u8,
) -> Result<(Vec<u8>, zeroize::Zeroizing<[u8; 32]>), gcry_error_t> {
    // SAFETY: ctx is a live context of ours.
    unsafe {
        if (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED {
            return Err(err(GPG_ERR_CONFLICT));
        }
        let version = (*ctx).protocol_version as u16;
        let header = Header {
            version: if version == 2 { 2 } else { 3 },
            msg_type: MSG_DATA,
            sender_instance: (*ctx).our_instance,
            receiver_instance: (*ctx).their_instance,
        };
        let x = extra(ctx);
        let Some(s) = x.session.as_mut().filter(|s| s.their_keyid != 0) else {
            return Err(err(GPG_ERR_CONFLICT));
        };
        let msg = &msg[..msg.iter().position(|&b| b == 0).unwrap_or(msg.len())];
        let Some((enc, extra_key)) = s.create_data(header, flags, msg, tlvs) else {
            return Err(err(GPG_ERR_CONFLICT));
        };
        set_lastmessage(ctx, Some(msg));
        priv_of(ctx).may_retransmit = 0;
        Ok((enc.into_bytes(), extra_key))
    }
}

/// Decrypt a received data message with the context's session.
unsafe fn accept_data(ctx: *mut ConnContext, msg: &[u8]) -> Result<session::Received, (gcry_error_t, u8)> {
    // SAFETY: ctx is live.
    unsafe {
        let x = extra(ctx);
        let r = match x.session.as_mut() {
            Some(s) => s.accept_data(msg),
            None => Err((if session::parses(msg) { Refused::Unreadable } else { Refused::Malformed }, 0)),
        };
        project(ctx);
        r.map_err(|(why, flags)| {
            let flags = if why == Refused::Malformed { core::data_read_flags(msg).unwrap_or(flags) } else { flags };
            (err(if why == Refused::Unreadable { GPG_ERR_CONFLICT } else { GPG_ERR_INV_VALUE }), flags)
        })
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_create_data(
    encmessagep: *mut *mut c_char,
    context: *mut ConnContext,
    msg: *const c_char,
    tlvs: *const OtrlTLV,
    flags: c_uchar,
    extrakey: *mut c_uchar,
) -> gcry_error_t {
    boundary("otrl_proto_create_data", err(GPG_ERR_INV_VALUE), || unsafe {
        if encmessagep.is_null() || context.is_null() {
            return err(GPG_ERR_INV_VALUE);
        }
        *encmessagep = null_mut();
        let Some(m) = cstr(msg) else { return err(GPG_ERR_INV_VALUE) };
        let t = ctlv::chain_to_vec(tlvs);
        match create_data(context, m, &t, flags) {
            Ok((enc, key)) => {
                *encmessagep = strdup_bytes(&enc);
                if !extrakey.is_null() {
                    ptr::copy_nonoverlapping(key.as_ptr(), extrakey, 32);
                }
                0
            }
            Err(e) => e,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_proto_accept_data(
    plaintextp: *mut *mut c_char,
    tlvsp: *mut *mut OtrlTLV,
    context: *mut ConnContext,
    datamsg: *const c_char,
    flagsp: *mut c_uchar,
    extrakey: *mut c_uchar,
) -> gcry_error_t {
    boundary("otrl_proto_accept_data", err(GPG_ERR_INV_VALUE), || unsafe {
        if plaintextp.is_null() || tlvsp.is_null() || context.is_null() {
            return err(GPG_ERR_INV_VALUE);
        }
        *plaintextp = null_mut();
        *tlvsp = null_mut();
        if !flagsp.is_null() {
            *flagsp = 0;
        }
        let Some(m) = cstr(datamsg) else { return err(GPG_ERR_INV_VALUE) };
        match accept_data(context, m) {
            Ok(r) => {
                if !flagsp.is_null() {
                    *flagsp = r.flags;
                }
                if !extrakey.is_null() {
                    ptr::copy_nonoverlapping(r.extra_key.as_ptr(), extrakey, 32);
                }
                *plaintextp = strdup_bytes(&r.message);
                *tlvsp = ctlv::chain_from(&r.tlvs);
                0
            }
            Err((e, flags)) => {
                if !flagsp.is_null() {
                    *flagsp = flags;
                }
                e
            }
        }
    })
}

// ---------------------------------------------------------------------------------
// Sending to the network, fragmenting as needed.

/// libotr's `fragment_and_send`. Returns the part the policy keeps back (if any).
unsafe fn fragment_and_send(
    ops: Ops,
    ctx: *mut ConnContext,
    msg: &[u8],
    policy: OtrlFragmentPolicy,
) -> Result<Option<Vec<u8>>, gcry_error_t> {
    if !ops.can_inject() {
        return Ok(None);
    }
    // SAFETY: ctx is live.
    unsafe {
        let mms = ops.max_message_size(ctx);
        if mms > 0 && msg.len() > mms as usize {
            let headerlen: usize = if (*ctx).protocol_version == 3 { 37 } else { 19 };
            let mms = mms as usize;
            if mms <= headerlen {
                return Err(err(GPG_ERR_INV_VALUE));
            }
            let count = (msg.len() - 1) / (mms - headerlen) + 1;
            if count > 65535 {
                return Err(err(GPG_ERR_INV_VALUE));
            }
            let Some(frags) = core::fragment_create(
                mms,
                count as u16,
                msg,
                (*ctx).protocol_version,
                (*ctx).auth.protocol_version,
                (*ctx).our_instance,
                (*ctx).their_instance,
            ) else {
                return Err(err(GPG_ERR_INV_VALUE));
            };
            let mut kept = None;
            let last = frags.len() - 1;
            for (i, f) in frags.into_iter().enumerate() {
                if (i == 0 && policy == FRAGMENT_SEND_ALL_BUT_FIRST) || (i == last && policy == FRAGMENT_SEND_ALL_BUT_LAST) {
                    kept = Some(f);
                } else {
                    ops.inject(ctx, &f);
                }
            }
            Ok(kept)
        } else if policy == FRAGMENT_SEND_ALL {
            ops.inject(ctx, msg);
            Ok(None)
        } else {
            Ok(Some(msg.to_vec()))
        }
    }
}

/// libotr's `send_or_error_auth`: send the exchange's message, or report the failure.
unsafe fn send_or_error_auth(ops: Ops, us: OtrlUserState, ctx: *mut ConnContext, r: Result<Option<String>, gcry_error_t>) {
    // SAFETY: ctx and us are live.
    unsafe {
        match r {
            Ok(Some(m)) if !m.is_empty() => {
                let _ = fragment_and_send(ops, ctx, m.as_bytes(), FRAGMENT_SEND_ALL);
                let t = now();
                let is_master = (*ctx).m_context == ctx;
                let v = (*ctx).auth.protocol_version;
                if !is_master || v != 3 {
                    priv_of(ctx).lastsent = t as libc::time_t;
                    update_recent_child(ctx, true);
                }
                if is_master && (*ctx).auth.authstate == 1 && v == 3 {
                    (*ctx).auth.commit_sent_time = t as libc::time_t;
                    if !us.is_null() && (*us).timer_running == 0 && ops.timer_control(POLL_DEFAULT_INTERVAL) {
                        (*us).timer_running = 1;
                    }
                }
            }
            Ok(_) => {}
            Err(e) => ops.event(EV_SETUP_ERROR, ctx, None, e),
        }
    }
}

// ---------------------------------------------------------------------------------
// The AKE, as message.c drives it.

/// Sync the core exchange's instance tags with the context before using it.
unsafe fn ake_of<'a>(ctx: *mut ConnContext) -> &'a mut Ake {
    // SAFETY: ctx is live; the borrow ends before any callback.
    unsafe {
        let x = extra(ctx);
        x.ake.our_instance = (*ctx).our_instance;
        x.ake.their_instance = (*ctx).their_instance;
        &mut x.ake
    }
}

/// Start an AKE of `version` (answering a query or a whitespace tag).
unsafe fn start_ake(ops: Ops, us: OtrlUserState, ctx: *mut ConnContext, version: u32) {
    // SAFETY: ctx is live.
    unsafe {
        let m = ake_of(ctx).start(version as u16);
        (*ctx).auth.commit_sent_time = 0;
        // libotr sets the context's protocol version here; an encrypted session keeps its
        // own until the new exchange completes.
        if (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED {
            (*ctx).protocol_version = version;
        }
        project(ctx);
        send_or_error_auth(ops, us, ctx, Ok(Some(m)));
    }
}

fn ake_err(_: crate::error::Error) -> gcry_error_t {
    err(GPG_ERR_INV_VALUE)
}

/// The decoded body (after the header) of an AKE message, with its header.
fn ake_body(otrtag: &[u8]) -> Result<(Header, Vec<u8>), gcry_error_t> {
    let raw = crate::b64::otr_decode(otrtag).ok_or(err(GPG_ERR_INV_VALUE))?;
    let mut r = Reader::new(&raw);
    let h = Header::read(&mut r).map_err(ake_err)?;
    Ok((h, raw[r.position()..].to_vec()))
}

/// Our private key for the context's account, asking the application to make one if
/// there is none (libotr's pattern before every step that signs).
unsafe fn our_privkey<'a>(ops: Ops, us: OtrlUserState, ctx: *mut ConnContext) -> Option<&'a DsaPrivateKey> {
    // SAFETY: us/ctx live; the key entry outlives this call's use (no callbacks after).
    unsafe {
        let mut p = privkey::otrl_privkey_find(us, (*ctx).accountname, (*ctx).protocol);
        if p.is_null() {
            ops.create_privkey((*ctx).accountname, (*ctx).protocol);
            p = privkey::otrl_privkey_find(us, (*ctx).accountname, (*ctx).protocol);
        }
        if p.is_null() {
            None
        } else {
            privkey::dsa_key(p)
        }
    }
}

/// What `go_encrypted` tells the receive path.
#[derive(Default)]
struct Edata {
    gone_encrypted: bool,
    ignore: Option<bool>,
}

/// libotr's `go_encrypted`: a completed AKE becomes the context's session.
unsafe fn go_encrypted(ops: Ops, us: OtrlUserState, ctx: *mut ConnContext, est: Established, ed: &mut Edata) -> Result<(), gcry_error_t> {
    // SAFETY: ctx is live; borrows of its extra part end before callbacks.
    unsafe {
        if est.their_pub == est.our_dh.public {
            ops.event(EV_MSG_REFLECTED, ctx, None, 0);
            ed.ignore = Some(true);
            return Ok(());
        }
        let initiated = est.ssid_half == SsidHalf::First;
        let x = extra(ctx);
        x.ake.initiated = initiated;
        let master_rekey = std::mem::take(&mut x.master_rekey);
        let mut added: c_int = 0;
        let mut fp = est.their_fingerprint;
        find_fingerprint(ctx, &fp, true, Some(&mut added));
        (*ctx).auth.their_fingerprint = fp;
        if added != 0 {
            ops.new_fingerprint(us, ctx, &mut fp);
            ops.write_fingerprints();
        }
        // The callbacks may have forgotten it (or more): look it up again, so that the
        // session never points at a freed entry.
        let found = find_fingerprint(ctx, &est.their_fingerprint, true, None);
        let was_encrypted = (*ctx).msgstate == OTRL_MSGSTATE_ENCRYPTED && !master_rekey;
        let oldprint = (*ctx).active_fingerprint;
        let a = AkeResult {
            our_dh: &est.our_dh,
            our_keyid: est.our_keyid,
            their_pub: &est.their_pub,
            their_keyid: est.their_keyid,
            shared: est.shared.as_deref().map(|v| &v[..]),
        };
        let x = extra(ctx);
        if was_encrypted && oldprint == found && x.session.as_ref().is_some_and(|s| s.is_same_keys(&a)) {
            ops.still_secure(ctx, initiated as c_int);
            ed.ignore = Some(true);
            return Ok(());
        }
        let prev = x.session.take();
        let Some(s) = Session::establish(prev, &a) else {
            return Err(err(GPG_ERR_INV_VALUE));
        };
        x.session = Some(s);
        let mut sid = [0u8; 20];
        sid[..8].copy_from_slice(&est.ssid);
        (*ctx).sessionid = sid;
        (*ctx).sessionid_len = 8;
        (*ctx).sessionid_half = est.ssid_half as OtrlSessionIdHalf;
        (*ctx).protocol_version = est.version as c_uint;
        let a = &mut (*ctx).auth;
        a.secure_session_id = (*ctx).sessionid;
        a.secure_session_id_len = 8;
        a.session_id_half = (*ctx).sessionid_half;
        priv_of(ctx).generation = priv_of(ctx).generation.wrapping_add(1);
        (*ctx).active_fingerprint = found;
        (*ctx).msgstate = OTRL_MSGSTATE_ENCRYPTED;
        project(ctx);
        ops.update_context_list();
        if was_encrypted && oldprint == found {
            ops.still_secure(ctx, initiated as c_int);
        } else {
            ops.gone_secure(ctx);
        }
        ed.gone_encrypted = true;
        Ok(())
    }
}

/// libotr's `maybe_resend`: after going secure, resend a recent held-back message.
unsafe fn maybe_resend(ops: Ops, ctx: *mut ConnContext, ed: &mut Edata) {
    if !ed.gone_encrypted {
        return;
    }
    // SAFETY: ctx is live.
    unsafe {
        let t = now();
        let p = priv_of(ctx);
        if p.lastmessage.is_null() || p.may_retransmit == 0 || p.lastsent < t - RESEND_INTERVAL {
            return;
        }
        let resending = p.may_retransmit == 1;
        let last = cstr(p.lastmessage).unwrap_or_default().to_vec();
        let to_send = if resending {
            let mut m = ops.resent_prefix(ctx).unwrap_or_else(|| b"[resent]".to_vec());
            m.push(b' ');
            m.extend_from_slice(&last);
            m
        } else {
            last
        };
        if let Ok((enc, _)) = create_data(ctx, &to_send, &[], 0) {
            let _ = fragment_and_send(ops, ctx, &enc, FRAGMENT_SEND_ALL);
            priv_of(ctx).lastsent = t as libc::time_t;
            update_recent_child(ctx, true);
            if resending {
                ops.event(EV_MSG_RESENT, ctx, None, 0);
            }
            ed.ignore = Some(true);
        }
    }
}

/// Run one AKE step of the context's exchange and handle its outcome as message.c does
/// (`go_encrypted` first, then the reply, then `maybe_resend`).
unsafe fn ake_step(
    ops: Ops,
    us: OtrlUserState,
    ctx: *mut ConnContext,
    ed: &mut Edata,
    step: impl FnOnce(&mut Ake) -> Option<Result<Outcome, crate::error::Error>>,
    always_send: bool,
) {
    // SAFETY: ctx is live.
    unsafe {
        let Some(r) = step(ake_of(ctx)) else { return };
        project(ctx);
        match r {
            Err(e) => send_or_error_auth(ops, us, ctx, Err(ake_err(e))),
            Ok(out) => {
                let mut result = Ok(out.send.clone());
                if let Some(est) = out.established {
                    if let Err(e) = go_encrypted(ops, us, ctx, est, ed) {
                        result = Err(e);
                    }
                    project(ctx);
                }
                if always_send || out.send.is_some() || result.is_err() {
                    send_or_error_auth(ops, us, ctx, result);
                    maybe_resend(ops, ctx, ed);
                }
            }
        }
    }
}

/// Decode a received AKE message that should be of type `want` and run `step` on its
/// header and body (`None` from `step`: ignored). A message that does not decode, or
/// is of another type, fails the exchange (SETUP_ERROR), as in libotr.
#[allow(clippy::too_many_arguments)]
unsafe fn ake_message(
    ops: Ops,
    us: OtrlUserState,
    ctx: *mut ConnContext,
    ed: &mut Edata,
    otrtag: &[u8],
    want: u8,
    always_send: bool,
    step: impl FnOnce(&mut Ake, &Header, &[u8]) -> Option<Result<Outcome, crate::error::Error>>,
) {
    // SAFETY: ctx is live.
    unsafe {
        match ake_body(otrtag) {
            Err(e) => send_or_error_auth(ops, us, ctx, Err(e)),
            Ok((h, _)) if h.msg_type != want => send_or_error_auth(ops, us, ctx, Err(err(GPG_ERR_INV_VALUE))),
            Ok((h, body)) => ake_step(ops, us, ctx, ed, |a| step(a, &h, &body), always_send),
        }
    }
}

// ---------------------------------------------------------------------------------
// otrl_message_* entry points.

unsafe fn populate_context_instag(ops: Ops, us: OtrlUserState, ctx: *mut ConnContext) {
    // SAFETY: us/ctx live.
    unsafe {
        let (a, p) = ((*ctx).accountname, (*ctx).protocol);
        let (ab, pb) = (cstr(a).unwrap_or_default().to_vec(), cstr(p).unwrap_or_default().to_vec());
        let mut tag = instag::find_tag(us, &ab, &pb);
        if tag.is_none() {
            ops.create_instag(a, p);
            tag = instag::find_tag(us, &ab, &pb);
        }
        (*ctx).our_instance = match tag {
            Some(t) if t >= OTRL_MIN_VALID_INSTAG => t,
            _ => instag::otrl_instag_get_new(),
        };
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_free(message: *mut c_char) {
    boundary("otrl_message_free", (), || unsafe { cfree(message) })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_sending(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    accountname: *const c_char,
    protocol: *const c_char,
    recipient: *const c_char,
    their_instag: otrl_instag_t,
    original_msg: *const c_char,
    tlvs: *mut OtrlTLV,
    messagep: *mut *mut c_char,
    frag_policy: OtrlFragmentPolicy,
    contextp: *mut *mut ConnContext,
    add_appdata: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    data: *mut c_void,
) -> gcry_error_t {
    boundary("otrl_message_sending", err(GPG_ERR_INV_VALUE), || unsafe {
        let ops = Ops { t: ops, opdata };
        if !messagep.is_null() {
            *messagep = null_mut();
        }
        if !contextp.is_null() {
            *contextp = null_mut();
        }
        let (Some(_), Some(_), Some(_), Some(orig), false, false) =
            (cstr(accountname), cstr(protocol), cstr(recipient), cstr(original_msg), messagep.is_null(), us.is_null())
        else {
            return err(GPG_ERR_INV_VALUE);
        };
        let mut added: c_int = 0;
        let ctx = otrl_context_find(us, recipient, accountname, protocol, their_instag, 1, &mut added, add_appdata, data);
        if ctx.is_null() {
            return err(GPG_ERR_INV_VALUE);
        }
        if added != 0 {
            ops.update_context_list();
        }
        if (*ctx).our_instance == 0 {
            populate_context_instag(ops, us, ctx);
        }
        if !contextp.is_null() {
            *contextp = ctx;
        }
        let policy = ops.policy(ctx);
        let state = match (*ctx).msgstate {
            OTRL_MSGSTATE_ENCRYPTED => core::MsgState::Encrypted,
            OTRL_MSGSTATE_FINISHED => core::MsgState::Finished,
            _ => core::MsgState::Plaintext,
        };
        let is_query = core::message_type(orig) == MessageType::Query;
        let plan = core::plan_send(policy, is_query, state, (*ctx).otr_offer == OFFER_REJECTED);
        if policy & OTRL_POLICY_VERSION_MASK == 0 {
            return 0;
        }
        let mut out: Option<Vec<u8>> = None;
        let mut e: gcry_error_t = 0;
        let acct = cstr(accountname).unwrap_or_default().to_vec();
        match plan {
            core::SendPlan::AsIs => {}
            core::SendPlan::Query => {
                out = Some(core::default_query_msg(&acct, policy));
                (*ctx).otr_offer = OFFER_SENT;
            }
            core::SendPlan::HoldAndQuery => {
                ops.event(EV_ENCRYPTION_REQUIRED, ctx, None, 0);
                set_lastmessage(ctx, Some(orig));
                priv_of(ctx).lastsent = now() as libc::time_t;
                update_recent_child(ctx, true);
                priv_of(ctx).may_retransmit = 2;
                out = Some(core::default_query_msg(&acct, policy));
                (*ctx).otr_offer = OFFER_SENT;
            }
            core::SendPlan::Tag => {
                let mut m = orig.to_vec();
                m.extend_from_slice(&core::whitespace_tag(policy));
                out = Some(m);
                (*ctx).otr_offer = OFFER_SENT;
            }
            core::SendPlan::Encrypt => {
                let converted = ops.convert(ctx, CONVERT_SENDING, orig);
                let t = ctlv::chain_to_vec(tlvs);
                match create_data(ctx, converted.as_deref().unwrap_or(orig), &t, 0) {
                    Ok((enc, _)) => {
                        priv_of(ctx).lastsent = now() as libc::time_t;
                        update_recent_child(ctx, true);
                        out = Some(enc);
                    }
                    Err(_) => {
                        ops.event(EV_ENCRYPTION_ERROR, ctx, None, 0);
                        ops.with_error_text(ctx, ERRCODE_ENCRYPTION_ERROR, |text| {
                            let mut m = OTR_ERROR_PREFIX.to_vec();
                            m.extend_from_slice(text);
                            out = Some(m);
                        });
                    }
                }
            }
            core::SendPlan::Ended => {
                ops.event(EV_CONNECTION_ENDED, ctx, None, 0);
                out = Some(Vec::new());
            }
        }
        if let Some(m) = &out {
            *messagep = strdup_bytes(m);
            if (*messagep).is_null() {
                return err(GPG_ERR_ENOMEM);
            }
        }
        if frag_policy != FRAGMENT_SEND_SKIP {
            if let Some(m) = out {
                match fragment_and_send(ops, ctx, &m, frag_policy) {
                    Ok(Some(kept)) => {
                        cfree(*messagep);
                        *messagep = strdup_bytes(&kept);
                    }
                    Ok(None) => {}
                    Err(x) => e = x,
                }
            }
        }
        forget_if_gone(contextp);
        e
    })
}

/// A context the application forgot from inside a callback is freed when our call
/// returns: do not hand it back (libotr returns the freed pointer).
unsafe fn forget_if_gone(contextp: *mut *mut ConnContext) {
    // SAFETY: contextp is NULL or the caller's pointer.
    unsafe {
        if !contextp.is_null() && !(*contextp).is_null() && super::context::is_forgotten(*contextp) {
            *contextp = null_mut();
        }
    }
}

/// libotr's `message_malformed`: report, and tell the other side.
unsafe fn message_malformed(ops: Ops, ctx: *mut ConnContext) {
    // SAFETY: ctx is live.
    unsafe {
        ops.event(EV_RCVDMSG_MALFORMED, ctx, None, 0);
        if ops.can_inject() {
            ops.with_error_text(ctx, ERRCODE_MSG_MALFORMED, |text| {
                let mut m = OTR_ERROR_PREFIX.to_vec();
                m.extend_from_slice(text);
                ops.inject(ctx, &m);
            });
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_receiving(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    accountname: *const c_char,
    protocol: *const c_char,
    sender: *const c_char,
    message: *const c_char,
    newmessagep: *mut *mut c_char,
    tlvsp: *mut *mut OtrlTLV,
    contextp: *mut *mut ConnContext,
    add_appdata: Option<unsafe extern "C" fn(*mut c_void, *mut ConnContext)>,
    data: *mut c_void,
) -> c_int {
    boundary("otrl_message_receiving", 1, || unsafe {
        let ops = Ops { t: ops, opdata };
        let (Some(_), Some(_), Some(_), Some(msg), false) =
            (cstr(accountname), cstr(protocol), cstr(sender), cstr(message), newmessagep.is_null())
        else {
            return 0;
        };
        *newmessagep = null_mut();
        if !tlvsp.is_null() {
            *tlvsp = null_mut();
        }
        if !contextp.is_null() {
            *contextp = null_mut();
        }
        if us.is_null() {
            return 0;
        }
        let r = receive(ops, us, accountname, protocol, sender, msg, newmessagep, tlvsp, contextp, add_appdata, data);
        forget_if_gone(contextp);
        r
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn receive(
    ops: Ops,
    us: OtrlUserState,
    accountname: *const c_char,
    protocol: *const c_char,
    sender: *const c_char,
    msg_in: &[u8],
    newmessagep: *mut *mut c_char,
    tlvsp: *mut *mut OtrlTLV,
    contextp: *mut *mut ConnContext,
    add_appdata: AddAppDataFn,
    data: *mut c_void,
) -> c_int {
    // SAFETY: arguments checked by the caller; contexts are ours and live.
    unsafe {
        let mut added: c_int = 0;
        let m_ctx = otrl_context_find(us, sender, accountname, protocol, OTRL_INSTAG_MASTER, 1, &mut added, add_appdata, data);
        if m_ctx.is_null() {
            return 0;
        }
        let mut ctx = m_ctx;
        if added != 0 {
            ops.update_context_list();
        }
        let best = otrl_context_find(us, sender, accountname, protocol, OTRL_INSTAG_BEST, 0, null_mut(), add_appdata, data);
        if (*ctx).our_instance == 0 {
            populate_context_instag(ops, us, ctx);
        }
        let policy = ops.policy(ctx);
        if policy & OTRL_POLICY_VERSION_MASK == 0 {
            return 0;
        }

        // Fragments: v3 ones name their instances; reassemble in the sender's context.
        let mut msg: Vec<u8> = msg_in.to_vec();
        let mut context_added = 0;
        if core::find(&msg, b"?OTR").is_some() {
            if core::find(&msg, b"?OTR|").is_some() {
                let (their, our) = core::fragment_instance_tags(&msg);
                if our != 0 && (*ctx).our_instance != our {
                    ops.event(EV_RCVDMSG_FOR_OTHER_INSTANCE, m_ctx, None, 0);
                    return 1;
                }
                if their >= OTRL_MIN_VALID_INSTAG {
                    ctx = otrl_context_find(us, sender, accountname, protocol, their, 1, &mut context_added, add_appdata, data);
                } else {
                    message_malformed(ops, ctx);
                    return 1;
                }
            }
            match super::proto::accumulate(ctx, &msg) {
                Accumulated::Unfragmented => {}
                Accumulated::Complete(whole) => {
                    msg = cstr(whole).unwrap_or_default().to_vec();
                    cfree(whole);
                }
                Accumulated::Incomplete => return 1,
                Accumulated::TooBig => {
                    // Ours only: libotr has no cap (protocol-notes §3.4).
                    message_malformed(ops, ctx);
                    return 1;
                }
            }
        }

        let msgtype = core::message_type(&msg);
        let version = core::message_version(&msg);
        let otrtag_at = core::find(&msg, b"?OTR");

        (*ctx).otr_offer = core::offer_after(policy, msgtype, (*ctx).otr_offer);
        if !core::version_accepted(version, policy) {
            return 1;
        }
        if version == 3 {
            let tags = otrtag_at.and_then(|i| core::instance(&msg[i..]));
            let their = match core::check_instances(msgtype, tags, (*ctx).our_instance) {
                core::InstanceCheck::From(t) => t,
                core::InstanceCheck::OtherInstance => {
                    ops.event(EV_RCVDMSG_FOR_OTHER_INSTANCE, m_ctx, None, 0);
                    return 1;
                }
                core::InstanceCheck::Malformed => {
                    message_malformed(ops, ctx);
                    return 1;
                }
            };
            ctx = otrl_context_find(us, sender, accountname, protocol, their, 1, &mut added, add_appdata, data);
            // (libotr reuses one flag: a child made while reassembling fragments does
            // not count as added here.)
            let _ = context_added;
            if added != 0 {
                (*ctx).protocol_version = 3;
                (*ctx).msgstate = (*m_ctx).msgstate;
                let mp = priv_of(m_ctx);
                if mp.may_retransmit != 0 {
                    let p = priv_of(ctx);
                    set_lastmessage(ctx, None);
                    p.lastmessage = mp.lastmessage;
                    mp.lastmessage = null_mut();
                    p.may_retransmit = mp.may_retransmit;
                    mp.may_retransmit = 0;
                }
                let child = ctx;
                if msgtype == MessageType::DhKey {
                    let (mx, cx) = (extra(m_ctx), extra(child));
                    mx.ake.copy_on_key(&mut cx.ake);
                    cx.ake.version = 3;
                } else if msgtype != MessageType::DhCommit {
                    extra(child).ake.version = 3;
                    project(child);
                    return 1;
                }
                extra(child).ake.version = 3;
                project(child);
                ops.update_context_list();
            } else if m_ctx != ctx
                && msgtype == MessageType::DhKey
                && extra(m_ctx).ake.state == ake::State::AwaitingDhKey
                && !matches!(extra(ctx).ake.state, ake::State::AwaitingDhKey | ake::State::AwaitingSig)
            {
                // An instance answers the master's commit. libotr copies the master's
                // msgstate here (an unauthenticated downgrade of a live session, §3.5);
                // we only do so for a context that is not ENCRYPTED, and remember that a
                // completed exchange is then a new session (gone_secure), as in libotr.
                if (*ctx).msgstate == OTRL_MSGSTATE_ENCRYPTED {
                    extra(ctx).master_rekey = true;
                } else {
                    (*ctx).msgstate = (*m_ctx).msgstate;
                    (*ctx).protocol_version = 3;
                }
                let (mx, cx) = (extra(m_ctx), extra(ctx));
                mx.ake.copy_on_key(&mut cx.ake);
                cx.ake.version = 3;
                project(ctx);
            }
        }
        if !contextp.is_null() {
            *contextp = ctx;
        }
        priv_of(ctx).lastrecv = now() as libc::time_t;
        update_recent_child(ctx, false);

        let mut ed = Edata::default();
        let otrtag: &[u8] = otrtag_at.map_or(&[][..], |i| &msg[i..]);
        match msgtype {
            MessageType::Query => {
                let v = core::speakable(core::query_bestversion(&msg, policy));
                if v != 0 {
                    start_ake(ops, us, ctx, v);
                }
                ed.ignore.get_or_insert(true);
            }
            MessageType::DhCommit => {
                let is_master = (*ctx).m_context == ctx;
                ake_message(ops, us, ctx, &mut ed, otrtag, wire::MSG_DH_COMMIT, true, |a, h, body| {
                    // libotr takes the commit's version for the context at once; a live
                    // session keeps its own until the new exchange completes.
                    if (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED {
                        (*ctx).protocol_version = h.version as c_uint;
                    }
                    (*ctx).auth.commit_sent_time = 0;
                    Some(a.handle_commit_yielding(body, h.version, h.sender_instance, is_master))
                });
                ed.ignore.get_or_insert(true);
            }
            MessageType::DhKey => {
                if let Some(key) = our_privkey(ops, us, ctx) {
                    ake_message(ops, us, ctx, &mut ed, otrtag, wire::MSG_DH_KEY, false, |a, h, body| {
                        // Another instance answering in another version: ignored.
                        let other_version = a.state == ake::State::AwaitingDhKey && h.version != a.version;
                        (!other_version).then(|| a.handle_key(body, key))
                    });
                }
                ed.ignore.get_or_insert(true);
            }
            MessageType::RevealSig => {
                if let Some(key) = our_privkey(ops, us, ctx) {
                    ake_message(ops, us, ctx, &mut ed, otrtag, wire::MSG_REVEALSIG, false, |a, _, body| {
                        Some(a.handle_revealsig(body, key))
                    });
                }
                ed.ignore.get_or_insert(true);
            }
            MessageType::Signature => {
                ake_message(ops, us, ctx, &mut ed, otrtag, wire::MSG_SIGNATURE, false, |a, _, body| {
                    Some(a.handle_signature(body))
                });
                ed.ignore.get_or_insert(true);
            }
            MessageType::V1KeyExch => {
                // OTR v1 is refused.
                ed.ignore.get_or_insert(true);
            }
            MessageType::Data => {
                receive_data(ops, us, ctx, m_ctx, best, &msg, newmessagep, tlvsp, &mut ed);
            }
            MessageType::Error => {
                if policy & OTRL_POLICY_ERROR_START_AKE != 0 {
                    let q = core::default_query_msg(cstr((*ctx).accountname).unwrap_or_default(), policy);
                    ops.inject(ctx, &q);
                }
                if (*ctx).msgstate == OTRL_MSGSTATE_ENCRYPTED {
                    priv_of(ctx).may_retransmit = 1;
                }
                if ops.has_event() {
                    if let Some(i) = core::find(&msg, OTR_ERROR_PREFIX) {
                        let mut rest = &msg[i + OTR_ERROR_PREFIX.len()..];
                        if rest.first() == Some(&b' ') {
                            rest = &rest[1..];
                        }
                        ops.event(EV_RCVDMSG_GENERAL_ERR, ctx, Some(rest), 0);
                        ed.ignore = Some(true);
                    }
                }
            }
            MessageType::TaggedPlaintext | MessageType::NotOtr => {
                if msgtype == MessageType::TaggedPlaintext {
                    if let Some((v, start, end)) = core::whitespace_bestversion(&msg, policy) {
                        let mut stripped = msg[..start].to_vec();
                        stripped.extend_from_slice(&msg[end..]);
                        *newmessagep = strdup_bytes(&stripped);
                        ed.ignore = Some(false);
                        let v = core::speakable(v);
                        if v != 0
                            && (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED
                            && policy & OTRL_POLICY_WHITESPACE_START_AKE != 0
                        {
                            start_ake(ops, us, ctx, v);
                        }
                    }
                }
                let best_state = if best.is_null() { OTRL_MSGSTATE_PLAINTEXT } else { (*best).msgstate };
                if (best_state != OTRL_MSGSTATE_PLAINTEXT || policy & core::REQUIRE_ENCRYPTION != 0) && ops.has_event() {
                    let shown = if (*newmessagep).is_null() { msg.clone() } else { cstr(*newmessagep).unwrap_or_default().to_vec() };
                    ops.event(EV_RCVDMSG_UNENCRYPTED, ctx, Some(&shown), 0);
                    cfree(*newmessagep);
                    *newmessagep = null_mut();
                    ed.ignore = Some(true);
                }
            }
            MessageType::Unknown => {
                ops.event(EV_RCVDMSG_UNRECOGNIZED, ctx, None, 0);
                ed.ignore.get_or_insert(true);
            }
        }
        ed.ignore.unwrap_or(false) as c_int
    }
}

/// The data-message branch of `otrl_message_receiving`.
#[allow(clippy::too_many_arguments)]
unsafe fn receive_data(
    ops: Ops,
    _us: OtrlUserState,
    ctx: *mut ConnContext,
    m_ctx: *mut ConnContext,
    best: *mut ConnContext,
    msg: &[u8],
    newmessagep: *mut *mut c_char,
    tlvsp: *mut *mut OtrlTLV,
    ed: &mut Edata,
) {
    // SAFETY: contexts are live; no borrow is held across callbacks.
    unsafe {
        if (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED {
            let flags = core::data_read_flags(msg).unwrap_or(0);
            if flags & FLAG_IGNORE_UNREADABLE == 0 {
                if !best.is_null() && best != ctx && (*best).msgstate == OTRL_MSGSTATE_ENCRYPTED {
                    ops.event(EV_RCVDMSG_FOR_OTHER_INSTANCE, m_ctx, None, 0);
                } else {
                    ops.event(EV_RCVDMSG_NOT_IN_PRIVATE, ctx, None, 0);
                }
            }
            ed.ignore = Some(true);
            return;
        }
        let r = match accept_data(ctx, msg) {
            Ok(r) => r,
            Err((e, flags)) => {
                ed.ignore = Some(true);
                if flags & FLAG_IGNORE_UNREADABLE != 0 {
                    return;
                }
                let conflict = e == err(GPG_ERR_CONFLICT);
                ops.event(if conflict { EV_RCVDMSG_UNREADABLE } else { EV_RCVDMSG_MALFORMED }, ctx, None, 0);
                if ops.can_inject() {
                    let code = if conflict { ERRCODE_MSG_UNREADABLE } else { ERRCODE_MSG_MALFORMED };
                    ops.with_error_text(ctx, code, |text| {
                        let mut m = OTR_ERROR_PREFIX.to_vec();
                        m.extend_from_slice(text);
                        ops.inject(ctx, &m);
                    });
                }
                return;
            }
        };
        let mut deliver = false;
        for f in session::followups(&r, super::proto::api_version()) {
            match f {
                session::Followup::EndSession => otrl_context_force_finished(ctx),
                session::Followup::UseExtraKey { usage, data } => ops.received_symkey(ctx, usage, &data, &r.extra_key),
                session::Followup::Smp => handle_smp_tlvs(ops, ctx, &r.tlvs),
                session::Followup::HeartbeatReceived => {
                    ops.event(EV_LOG_HEARTBEAT_RCVD, ctx, None, 0);
                    ed.ignore = Some(true);
                }
                session::Followup::HeartbeatIfQuiet => {
                    let t = now();
                    let live = extra(ctx).session.as_ref().is_some_and(|s| s.their_keyid > 0);
                    if live && priv_of(ctx).lastsent < t - session::HEARTBEAT_INTERVAL {
                        if let Ok((hb, _)) = create_data(ctx, b"", &[], FLAG_IGNORE_UNREADABLE) {
                            ops.inject(ctx, &hb);
                            priv_of(ctx).lastsent = t as libc::time_t;
                            update_recent_child(ctx, true);
                            ops.event(EV_LOG_HEARTBEAT_SENT, ctx, None, 0);
                        }
                    }
                }
                session::Followup::Deliver => deliver = true,
            }
        }
        if !tlvsp.is_null() {
            *tlvsp = ctlv::chain_from(&r.tlvs);
        }
        if deliver {
            ed.ignore = Some(false);
            let shown = ops.convert(ctx, CONVERT_RECEIVING, &r.message).unwrap_or_else(|| r.message.clone());
            *newmessagep = strdup_bytes(&shown);
        }
    }
}

/// libotr's `disconnect_context`.
unsafe fn disconnect_context(ops: Ops, ctx: *mut ConnContext) {
    if ctx.is_null() {
        return;
    }
    // SAFETY: ctx is live.
    unsafe {
        let live = extra(ctx).session.as_ref().is_some_and(|s| s.their_keyid > 0);
        if (*ctx).msgstate == OTRL_MSGSTATE_ENCRYPTED && live && ops.is_logged_in(ctx) == 1 && ops.can_inject() {
            let t = [Tlv { typ: session::TLV_DISCONNECTED, data: Vec::new() }];
            if let Ok((m, _)) = create_data(ctx, b"", &t, FLAG_IGNORE_UNREADABLE) {
                ops.inject(ctx, &m);
            }
        }
        otrl_context_force_plaintext(ctx);
        ops.update_context_list();
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_disconnect(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    accountname: *const c_char,
    protocol: *const c_char,
    username: *const c_char,
    instance: otrl_instag_t,
) {
    boundary("otrl_message_disconnect", (), || unsafe {
        let ctx = otrl_context_find(us, username, accountname, protocol, instance, 0, null_mut(), None, null_mut());
        disconnect_context(Ops { t: ops, opdata }, ctx);
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_disconnect_all_instances(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    accountname: *const c_char,
    protocol: *const c_char,
    username: *const c_char,
) {
    boundary("otrl_message_disconnect_all_instances", (), || unsafe {
        if username.is_null() || accountname.is_null() || protocol.is_null() {
            return;
        }
        let m = otrl_context_find(us, username, accountname, protocol, OTRL_INSTAG_MASTER, 0, null_mut(), None, null_mut());
        if m.is_null() {
            return;
        }
        let master = (*m).m_context;
        let mut c = m;
        while !c.is_null() && (*c).m_context == master {
            let next = (*c).next;
            disconnect_context(Ops { t: ops, opdata }, c);
            c = next;
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_symkey(
    _us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
    use_: c_uint,
    usedata: *const c_uchar,
    usedatalen: size_t,
    symkey: *mut c_uchar,
) -> gcry_error_t {
    boundary("otrl_message_symkey", err(GPG_ERR_INV_VALUE), || unsafe {
        if context.is_null() || (usedatalen > 0 && usedata.is_null()) {
            return err(GPG_ERR_INV_VALUE);
        }
        let ops = Ops { t: ops, opdata };
        let live = extra(context).session.as_ref().is_some_and(|s| s.their_keyid > 0);
        if (*context).msgstate != OTRL_MSGSTATE_ENCRYPTED || !live {
            return err(GPG_ERR_INV_VALUE);
        }
        let mut d = use_.to_be_bytes().to_vec();
        if usedatalen > 0 {
            d.extend_from_slice(std::slice::from_raw_parts(usedata, usedatalen));
        }
        // libotr's TLV length is 16 bits: a longer use-data goes out cut to the low 16
        // bits of the total length.
        d.truncate(d.len() & 0xffff);
        let t = [Tlv { typ: session::TLV_SYMKEY, data: d }];
        match create_data(context, b"", &t, FLAG_IGNORE_UNREADABLE) {
            Ok((m, key)) => {
                if !symkey.is_null() {
                    ptr::copy_nonoverlapping(key.as_ptr(), symkey, 32);
                }
                ops.inject(context, &m);
                0
            }
            Err(e) => e,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_poll_get_default_interval(_us: OtrlUserState) -> c_uint {
    boundary("otrl_message_poll_get_default_interval", POLL_DEFAULT_INTERVAL, || POLL_DEFAULT_INTERVAL)
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_poll(us: OtrlUserState, ops: *const OtrlMessageAppOps, opdata: *mut c_void) {
    boundary("otrl_message_poll", (), || unsafe {
        if us.is_null() {
            return;
        }
        let ops = Ops { t: ops, opdata };
        let expire_before = now() - MAX_AKE_WAIT_TIME;
        let mut waiting = false;
        let mut c = (*us).context_root;
        while !c.is_null() {
            let a = &mut (*c).auth;
            if (*c).m_context == c && a.authstate == 1 && a.protocol_version == 3 && a.commit_sent_time > 0 {
                if a.commit_sent_time < expire_before {
                    super::context::clear_auth_of(c);
                } else {
                    waiting = true;
                }
            }
            c = (*c).next;
        }
        if !waiting && ops.timer_control(0) {
            (*us).timer_running = 0;
        }
    })
}


// ---------------------------------------------------------------------------------
// The Socialist Millionaires' Protocol over the session (message.c's SMP parts). The
// SMP state is the context's `smstate`, driven through the sm.h step functions.


const SMP_EXPECT1: NextExpectedSMP = 0;
const SMP_EXPECT2: NextExpectedSMP = 1;
const SMP_EXPECT3: NextExpectedSMP = 2;


/// Send one SMP TLV in an otherwise empty data message (flag IGNORE_UNREADABLE).
unsafe fn send_smp_tlv(ops: Ops, ctx: *mut ConnContext, typ: u16, data: Vec<u8>) -> bool {
    // SAFETY: ctx is live.
    unsafe {
        let t = [Tlv { typ, data }];
        match create_data(ctx, b"", &t, FLAG_IGNORE_UNREADABLE) {
            Ok((m, _)) => {
                let _ = fragment_and_send(ops, ctx, &m, FRAGMENT_SEND_ALL);
                true
            }
            Err(_) => false,
        }
    }
}

/// Carry out what the core's SMP asks for, in order (libotr's `set_smp_trust`, sending,
/// reporting, and the state changes that follow the callbacks).
unsafe fn smp_actions(ops: Ops, ctx: *mut ConnContext, actions: Vec<smp::Action>) {
    // SAFETY: ctx is live with an SMP state; nothing is borrowed across callbacks.
    unsafe {
        let sm = (*ctx).smstate;
        for a in actions {
            match a {
                smp::Action::SetTrust(trusted) => {
                    let t: &[u8] = if trusted { b"smp\0" } else { b"\0" };
                    super::context::otrl_context_set_trust((*ctx).active_fingerprint, t.as_ptr() as *const c_char);
                    ops.write_fingerprints();
                }
                smp::Action::Send(typ, data) => {
                    send_smp_tlv(ops, ctx, typ, data);
                }
                smp::Action::Report(ev, progress, question) => {
                    ops.smp_event(ev as OtrlSMPEvent, ctx, progress, question.as_deref())
                }
                smp::Action::SetExpect(e) => (*sm).nextExpected = e.raw(),
                smp::Action::ResetProgress => (*sm).sm_prog_state = smp::Progress::Ok.raw(),
            }
        }
    }
}

/// React to the SMP TLVs of a received data message, in libotr's order (1Q, 1, 2, 3,
/// 4, abort), each judged against the state expected when the message arrived.
unsafe fn handle_smp_tlvs(ops: Ops, ctx: *mut ConnContext, tlvs: &[Tlv]) {
    // SAFETY: ctx is live; the SMP state is loaded and stored around each step.
    unsafe {
        let sm = (*ctx).smstate;
        if sm.is_null() {
            return;
        }
        let expected = smp::Expect::from_raw((*sm).nextExpected).unwrap_or(smp::Expect::Smp1);
        for typ in smp::RECEIVE_ORDER {
            if let Some(t) = tlvs.iter().find(|x| x.typ == typ) {
                let actions = super::sm::with_state(sm, true, |s| s.on_tlv(typ, &t.data, expected));
                smp_actions(ops, ctx, actions);
            }
        }
    }
}

/// libotr's `init_respond_smp`: start (or answer) an SMP with `secret`, hashed
/// together with both fingerprints (initiator's first) and the session id.
unsafe fn init_respond_smp(
    us: OtrlUserState,
    ops: Ops,
    ctx: *mut ConnContext,
    question: Option<&[u8]>,
    secret: &[u8],
    initiating: bool,
) {
    // SAFETY: ctx is live; pointers checked.
    unsafe {
        if ctx.is_null() || (*ctx).msgstate != OTRL_MSGSTATE_ENCRYPTED || (*ctx).smstate.is_null() {
            return;
        }
        let theirs = (*ctx).active_fingerprint;
        if theirs.is_null() || (*theirs).fingerprint.is_null() {
            return;
        }
        // libotr ignores a missing key here and hashes whatever its buffer held; the
        // run then fails on both sides. Zeros give the same observable result.
        let mut ours = [0u8; 20];
        privkey::otrl_privkey_fingerprint_raw(us, ours.as_mut_ptr(), (*ctx).accountname, (*ctx).protocol);
        let mut their_fp = [0u8; 20];
        ptr::copy_nonoverlapping((*theirs).fingerprint, their_fp.as_mut_ptr(), 20);
        let sid = (*ctx).sessionid;
        let ssid = &sid[..(*ctx).sessionid_len.min(20)];
        let combined = if initiating {
            crate::smp::combined_secret(&ours, &their_fp, ssid, secret)
        } else {
            crate::smp::combined_secret(&their_fp, &ours, ssid, secret)
        };
        let sm = (*ctx).smstate;
        // Answering with no SMP1 received fails here (libotr crashes): nothing is sent.
        let Some((typ, mut msg)) = super::sm::with_state(sm, initiating, |s| s.begin(&combined[..], question, initiating))
        else {
            return;
        };
        // libotr's TLV length is 16 bits: a longer message goes out cut to its low 16
        // bits (the peer then reports CHEATED).
        msg.truncate(msg.len() & 0xffff);
        if send_smp_tlv(ops, ctx, typ, msg) {
            (*sm).nextExpected = if initiating { SMP_EXPECT2 } else { SMP_EXPECT3 };
        }
    }
}

unsafe fn secret_slice<'a>(secret: *const c_uchar, len: size_t) -> Option<&'a [u8]> {
    if len == 0 {
        Some(&[])
    } else if secret.is_null() {
        None
    } else {
        // SAFETY: the caller gives len readable bytes.
        Some(unsafe { std::slice::from_raw_parts(secret, len) })
    }
}

/// The entry of the three calls that start or answer an SMP.
#[allow(clippy::too_many_arguments)]
unsafe fn smp_request(
    name: &'static str,
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
    question: Option<*const c_char>,
    secret: *const c_uchar,
    secretlen: size_t,
    initiating: bool,
) {
    boundary(name, (), || unsafe {
        if let Some(s) = secret_slice(secret, secretlen) {
            let q = question.and_then(|q| cstr(q));
            init_respond_smp(us, Ops { t: ops, opdata }, context, q, s, initiating);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_initiate_smp(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
    secret: *const c_uchar,
    secretlen: size_t,
) {
    // SAFETY: forwarded C contract.
    unsafe { smp_request("otrl_message_initiate_smp", us, ops, opdata, context, None, secret, secretlen, true) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_initiate_smp_q(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
    question: *const c_char,
    secret: *const c_uchar,
    secretlen: size_t,
) {
    // SAFETY: forwarded C contract.
    unsafe {
        smp_request("otrl_message_initiate_smp_q", us, ops, opdata, context, Some(question), secret, secretlen, true)
    }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_respond_smp(
    us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
    secret: *const c_uchar,
    secretlen: size_t,
) {
    // SAFETY: forwarded C contract.
    unsafe { smp_request("otrl_message_respond_smp", us, ops, opdata, context, None, secret, secretlen, false) }
}

#[no_mangle]
pub unsafe extern "C" fn otrl_message_abort_smp(
    _us: OtrlUserState,
    ops: *const OtrlMessageAppOps,
    opdata: *mut c_void,
    context: *mut ConnContext,
) {
    boundary("otrl_message_abort_smp", (), || unsafe {
        if context.is_null() || (*context).smstate.is_null() {
            return;
        }
        (*(*context).smstate).nextExpected = SMP_EXPECT1;
        send_smp_tlv(Ops { t: ops, opdata }, context, smp::TLV_SMP_ABORT, Vec::new());
    })
}
