//! The data-message session of OTR v2/v3 (spec "Exchanging Data"): our two newest DH
//! key pairs and their two newest public values, the four session-key sets between
//! them, counters, key rotation, revelation of used receiving MAC keys, and the
//! encoding and decoding of Data Messages.
//!
//! Behaviour follows libotr 4.1.1 (`proto.c` create/accept, `message.c` go_encrypted):
//! - we send with (our previous key, their newest key), advertising our newest public
//!   value; our sender keyid is `our_keyid - 1`;
//! - the plaintext is always `message NUL TLVs` (the NUL even without TLVs);
//! - on receipt the keyids must be current or previous, the MAC is checked first, then
//!   the counter must increase, then we decrypt and rotate.
//!
//! Where libotr is unsafe we are stricter: a received next-DH value outside [2, p-2] is
//! rejected before any state changes (libotr would compute keys from it).

use crate::b64;
use crate::crypto::dh::{self, KeyPair};
use crate::crypto::hash::{aes128_ctr, hmac_sha1};
use crate::tlv::{self, Tlv};
use crate::wire::{Header, Reader, Writer, MSG_DATA};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Flag bit of data messages: do not complain if this cannot be read.
pub const FLAG_IGNORE_UNREADABLE: u8 = 0x01;

/// Why a received data message was refused. libotr reports the first as
/// `GPG_ERR_CONFLICT` ("unreadable") and the second as `GPG_ERR_INV_VALUE` ("malformed").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Unknown keys, bad MAC or replayed counter.
    Unreadable,
    /// Not a parseable data message.
    Malformed,
}

/// One set of keys between one of our key pairs and one of their public values.
pub struct SessKeys {
    pub send_aes: Zeroizing<[u8; 16]>,
    pub send_mac: Zeroizing<[u8; 20]>,
    pub rcv_aes: Zeroizing<[u8; 16]>,
    pub rcv_mac: Zeroizing<[u8; 20]>,
    pub extra: Zeroizing<[u8; 32]>,
    /// Top halves of the AES-CTR counters.
    pub send_ctr: [u8; 8],
    pub rcv_ctr: [u8; 8],
    pub send_mac_used: bool,
    pub rcv_mac_used: bool,
}

impl SessKeys {
    fn new(ours: &KeyPair, their_y: &[u8]) -> Option<SessKeys> {
        let k = dh::session_keys(&ours.private, &ours.public, their_y).ok()?;
        Some(Self::from_keys(k))
    }

    /// Keys for a pair whose shared secret is already known (the AKE's).
    fn with_secret(s: &[u8], ours: &KeyPair, their_y: &[u8]) -> Option<SessKeys> {
        dh::check_range(their_y).ok()?;
        Some(Self::from_keys(dh::session_keys_from_secret(s, &ours.public, their_y)))
    }

    fn from_keys(k: dh::SessionKeys) -> SessKeys {
        SessKeys {
            send_aes: k.send_aes,
            send_mac: k.send_mac,
            rcv_aes: k.rcv_aes,
            rcv_mac: k.rcv_mac,
            extra: k.extra,
            send_ctr: [0; 8],
            rcv_ctr: [0; 8],
            send_mac_used: false,
            rcv_mac_used: false,
        }
    }
}

fn copy_pair(k: &KeyPair) -> KeyPair {
    KeyPair { private: Zeroizing::new(k.private.to_vec()), public: k.public.clone() }
}

/// Increment a big-endian counter half (libotr's `otrl_dh_incctr`).
pub fn incctr(ctr: &mut [u8; 8]) {
    for b in ctr.iter_mut().rev() {
        *b = b.wrapping_add(1);
        if *b != 0 {
            break;
        }
    }
}

/// What the AKE hands over when it completes.
pub struct AkeResult<'a> {
    pub our_dh: &'a KeyPair,
    pub our_keyid: u32,
    pub their_pub: &'a [u8],
    pub their_keyid: u32,
    /// The exchange's g^xy if known (saves recomputing the first keys' secret).
    pub shared: Option<&'a [u8]>,
}

/// A decrypted data message.
pub struct Received {
    pub flags: u8,
    /// The bytes before the first NUL (the whole plaintext if there is none).
    pub message: Vec<u8>,
    pub tlvs: Vec<Tlv>,
    /// The extra symmetric key of the keys this message used.
    pub extra_key: Zeroizing<[u8; 32]>,
}

/// The keys of an established session.
pub struct Session {
    pub their_keyid: u32,
    their_y: Vec<u8>,
    their_old_y: Option<Vec<u8>>,
    pub our_keyid: u32,
    our_dh: KeyPair,
    our_old_dh: KeyPair,
    /// `keys[our][their]`: index 0 = newest, 1 = previous (libotr's `sesskeys`).
    keys: [[Option<SessKeys>; 2]; 2],
    /// Receiving MAC keys of forgotten keys, to reveal in the next message we send.
    saved_mac_keys: Vec<u8>,
}

impl Session {
    /// Is an AKE that produced `a` just a repeat of this session's keys (libotr's
    /// "refresh of the existing session" test in `go_encrypted`)?
    pub fn is_same_keys(&self, a: &AkeResult<'_>) -> bool {
        let ours = self.our_keyid.wrapping_sub(1) == a.our_keyid && self.our_old_dh.public == a.our_dh.public;
        let theirs_new = self.their_keyid > 0 && self.their_keyid == a.their_keyid && self.their_y == a.their_pub;
        let theirs_old = self.their_keyid > 1
            && self.their_keyid - 1 == a.their_keyid
            && self.their_old_y.as_deref() == Some(a.their_pub);
        ours && (theirs_new || theirs_old)
    }

    /// Start (or restart) a session from a completed AKE. `prev` is the session the
    /// context had, if any: if our keys in it continue the AKE's, they are kept.
    pub fn establish(prev: Option<Session>, a: &AkeResult<'_>) -> Option<Session> {
        dh::check_range(a.their_pub).ok()?;
        // As libotr's go_encrypted: the keys with their newest value are replaced
        // (not revealed); the slots for their previous value keep what they held (now
        // unusable, as their previous value is forgotten) until the next rotation
        // reveals them.
        let (our_dh, our_old_dh, our_keyid, saved, stale) = match prev {
            Some(mut p) => {
                let stale = [p.keys[0][1].take(), p.keys[1][1].take()];
                let saved = std::mem::take(&mut p.saved_mac_keys);
                if p.our_keyid.wrapping_sub(1) == a.our_keyid && p.our_old_dh.public == a.our_dh.public {
                    (copy_pair(&p.our_dh), copy_pair(&p.our_old_dh), p.our_keyid, saved, stale)
                } else {
                    (dh::generate(), copy_pair(a.our_dh), a.our_keyid.wrapping_add(1), saved, stale)
                }
            }
            None => (dh::generate(), copy_pair(a.our_dh), a.our_keyid.wrapping_add(1), Vec::new(), [None, None]),
        };
        let k00 = SessKeys::new(&our_dh, a.their_pub)?;
        // Our previous key is the AKE's: its secret with their value is the AKE's g^xy.
        let k10 = match a.shared {
            Some(sh) if our_old_dh.public == a.our_dh.public => SessKeys::with_secret(sh, &our_old_dh, a.their_pub)?,
            _ => SessKeys::new(&our_old_dh, a.their_pub)?,
        };
        let [s01, s11] = stale;
        let s = Session {
            their_keyid: a.their_keyid,
            their_y: a.their_pub.to_vec(),
            their_old_y: None,
            our_keyid,
            our_dh,
            our_old_dh,
            keys: [[Some(k00), s01], [Some(k10), s11]],
            saved_mac_keys: saved,
        };
        Some(s)
    }

    /// A session in the state libotr's `go_encrypted` leaves after an AKE: our previous
    /// key pair `our_old` (keyid `our_old_keyid`), our newest `our_new` (keyid
    /// `our_old_keyid + 1`), their newest value `their_y` (keyid `their_keyid`) and no
    /// previous one; `keys[0][0]` and `keys[1][0]` computed, all counters zero.
    ///
    /// For tests and known-answer vectors (`src/crypto/testdata/libotr_data.txt`);
    /// sessions of conversations come from [`Session::establish`]. `None` if `their_y`
    /// is out of range.
    pub fn from_keys(
        our_old: KeyPair,
        our_old_keyid: u32,
        our_new: KeyPair,
        their_y: Vec<u8>,
        their_keyid: u32,
    ) -> Option<Session> {
        dh::check_range(&their_y).ok()?;
        let k00 = SessKeys::new(&our_new, &their_y)?;
        let k10 = SessKeys::new(&our_old, &their_y)?;
        Some(Session {
            their_keyid,
            their_y,
            their_old_y: None,
            our_keyid: our_old_keyid.wrapping_add(1),
            our_dh: our_new,
            our_old_dh: our_old,
            keys: [[Some(k00), None], [Some(k10), None]],
            saved_mac_keys: Vec::new(),
        })
    }

    /// Replace our newest key pair (just made by a rotation, so unused) by `kp`, and
    /// recompute the session keys that depend on it, as if the rotation had drawn
    /// `kp`. Makes key rotations deterministic for known-answer tests.
    #[cfg(test)]
    pub(crate) fn replace_newest_key(&mut self, kp: KeyPair) {
        self.our_dh = kp;
        self.keys[0][0] = SessKeys::new(&self.our_dh, &self.their_y);
        self.keys[0][1] = self.their_old_y.as_ref().and_then(|y| SessKeys::new(&self.our_dh, y));
    }

    /// Our newest public value and our previous one (for the C-visible fields).
    pub fn our_publics(&self) -> (&[u8], &[u8]) {
        (&self.our_dh.public, &self.our_old_dh.public)
    }

    pub fn our_pairs(&self) -> (&KeyPair, &KeyPair) {
        (&self.our_dh, &self.our_old_dh)
    }

    pub fn their_values(&self) -> (&[u8], Option<&[u8]>) {
        (&self.their_y, self.their_old_y.as_deref())
    }

    pub fn keys(&self, ours: usize, theirs: usize) -> Option<&SessKeys> {
        self.keys[ours][theirs].as_ref()
    }

    pub fn saved_mac_keys(&self) -> &[u8] {
        &self.saved_mac_keys
    }

    /// Drop `keys[i][j]`, remembering its receiving MAC key if it was used.
    ///
    /// Only receiving MAC keys: libotr's `reveal_macs` would also reveal a used sending
    /// MAC key, but `otrl_proto_create_data` never sets `sendmacused`, so it never does
    /// (confirmed by the known-answer vectors, `session/kat_tests.rs`).
    fn reveal(&mut self, i: usize, j: usize) {
        if let Some(k) = self.keys[i][j].take() {
            if k.rcv_mac_used {
                self.saved_mac_keys.extend_from_slice(&k.rcv_mac[..]);
            }
        }
    }

    /// Encrypt `message NUL tlvs` into a Data Message (`?OTR:…​.`). Returns the
    /// encoded message and the extra symmetric key of the keys used.
    pub fn create_data(
        &mut self,
        header: Header,
        flags: u8,
        message: &[u8],
        tlvs: &[Tlv],
    ) -> Option<(String, Zeroizing<[u8; 32]>)> {
        let mut plain = Zeroizing::new(Vec::with_capacity(message.len() + 1));
        plain.extend_from_slice(message);
        plain.push(0);
        tlv::serialize(tlvs, &mut plain);
        let sender_keyid = self.our_keyid.wrapping_sub(1);
        let recipient_keyid = self.their_keyid;
        let next_dh = self.our_dh.public.clone();
        let k = self.keys[1][0].as_mut()?;
        incctr(&mut k.send_ctr);
        let mut ctr = [0u8; 16];
        ctr[..8].copy_from_slice(&k.send_ctr);
        let enc = aes128_ctr(&k.send_aes, &ctr, &plain);
        let mut w = Writer::new();
        Header { msg_type: MSG_DATA, ..header }.write(&mut w);
        if header.version >= 2 {
            w.byte(flags);
        }
        w.int(sender_keyid).int(recipient_keyid).mpi(&next_dh).raw(&k.send_ctr).data(&enc);
        let mac = hmac_sha1(&k.send_mac[..], &w.buf);
        k.send_mac_used = true;
        let extra = Zeroizing::new(*k.extra);
        w.raw(&mac).data(&self.saved_mac_keys);
        self.saved_mac_keys.clear();
        Some((b64::otr_encode(&w.into_bytes()), extra))
    }

    /// Authenticate, decrypt and account for a received Data Message (the whole
    /// `?OTR:…​.` text). Nothing changes unless the MAC and counter are good.
    pub fn accept_data(&mut self, msg: &[u8]) -> Result<Received, (Refused, u8)> {
        let raw = decode_data_frame(msg).ok_or((Refused::Malformed, 0))?;
        let parsed = parse_data(&raw).ok_or((Refused::Malformed, 0))?;
        let ParsedData { flags, sender_keyid, recipient_keyid, next_dh, ctr, enc, mac, authenticated } = parsed;
        let unreadable = Err((Refused::Unreadable, flags));
        if self.their_keyid == 0
            || sender_keyid == 0
            || recipient_keyid == 0
            || (sender_keyid != self.their_keyid && sender_keyid != self.their_keyid.wrapping_sub(1))
            || (recipient_keyid != self.our_keyid && recipient_keyid != self.our_keyid.wrapping_sub(1))
            || (sender_keyid == self.their_keyid.wrapping_sub(1) && self.their_old_y.is_none())
        {
            return unreadable;
        }
        let i = self.our_keyid.wrapping_sub(recipient_keyid) as usize;
        let j = self.their_keyid.wrapping_sub(sender_keyid) as usize;
        let Some(k) = self.keys[i][j].as_mut() else { return unreadable };
        let want = hmac_sha1(&k.rcv_mac[..], authenticated);
        if !bool::from(want.ct_eq(&mac)) {
            return unreadable;
        }
        k.rcv_mac_used = true;
        if ctr <= k.rcv_ctr {
            return unreadable;
        }
        let rotate_theirs = sender_keyid == self.their_keyid;
        if rotate_theirs && dh::check_range(next_dh).is_err() {
            return Err((Refused::Malformed, flags));
        }
        k.rcv_ctr = ctr;
        let mut full = [0u8; 16];
        full[..8].copy_from_slice(&ctr);
        let plain = Zeroizing::new(aes128_ctr(&k.rcv_aes, &full, enc));
        let extra_key = Zeroizing::new(*k.extra);
        if recipient_keyid == self.our_keyid {
            self.rotate_ours();
        }
        if rotate_theirs {
            self.rotate_theirs(next_dh);
        }
        let nul = plain.iter().position(|&b| b == 0);
        let message = plain[..nul.unwrap_or(plain.len())].to_vec();
        let tlvs = match nul {
            Some(n) => tlv::parse(&plain[n + 1..]),
            None => Vec::new(),
        };
        Ok(Received { flags, message, tlvs, extra_key })
    }

    /// They used our newest key: make a new one (libotr `rotate_dh_keys`).
    fn rotate_ours(&mut self) {
        self.reveal(1, 0);
        self.reveal(1, 1);
        self.keys[1][0] = self.keys[0][0].take();
        self.keys[1][1] = self.keys[0][1].take();
        let fresh = dh::generate();
        self.our_old_dh = std::mem::replace(&mut self.our_dh, fresh);
        self.our_keyid = self.our_keyid.wrapping_add(1);
        self.keys[0][0] = SessKeys::new(&self.our_dh, &self.their_y);
        self.keys[0][1] = self.their_old_y.as_ref().and_then(|y| SessKeys::new(&self.our_dh, y));
    }

    /// They sent a new public value (libotr `rotate_y_keys`).
    fn rotate_theirs(&mut self, next_y: &[u8]) {
        self.reveal(0, 1);
        self.reveal(1, 1);
        self.keys[0][1] = self.keys[0][0].take();
        self.keys[1][1] = self.keys[1][0].take();
        self.their_old_y = Some(std::mem::replace(&mut self.their_y, next_y.to_vec()));
        self.their_keyid = self.their_keyid.wrapping_add(1);
        self.keys[0][0] = SessKeys::new(&self.our_dh, &self.their_y);
        self.keys[1][0] = SessKeys::new(&self.our_old_dh, &self.their_y);
    }
}

/// TLV types the data session itself acts on.
pub const TLV_DISCONNECTED: u16 = 1;
pub const TLV_SYMKEY: u16 = 8;

/// Seconds of silence after which receiving a message makes us send a heartbeat.
pub const HEARTBEAT_INTERVAL: i64 = 60;

/// What the message layer does with a decrypted data message, in libotr's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followup {
    /// The peer ended the session (TLV 1): the conversation is FINISHED.
    EndSession,
    /// The peer will use the extra symmetric key for `usage` (TLV 8; API ≥ 4.0).
    UseExtraKey { usage: u32, data: Vec<u8> },
    /// Run the SMP TLVs (see `smp::SmState::on_tlv`).
    Smp,
    /// An empty message: log a heartbeat, show nothing.
    HeartbeatReceived,
    /// If the session is still up and we have been quiet for
    /// [`HEARTBEAT_INTERVAL`], send a heartbeat first.
    HeartbeatIfQuiet,
    /// Show the text.
    Deliver,
}

/// The followups of a received data message (`api_version` as the application
/// announced it with `otrl_init`).
pub fn followups(r: &Received, api_version: u32) -> Vec<Followup> {
    let mut f = Vec::new();
    if r.tlvs.iter().any(|t| t.typ == TLV_DISCONNECTED) {
        f.push(Followup::EndSession);
    }
    if let Some(t) = r.tlvs.iter().find(|t| t.typ == TLV_SYMKEY) {
        if t.data.len() >= 4 && api_version >= 0x040000 {
            let usage = u32::from_be_bytes([t.data[0], t.data[1], t.data[2], t.data[3]]);
            f.push(Followup::UseExtraKey { usage, data: t.data[4..].to_vec() });
        }
    }
    f.push(Followup::Smp);
    if r.message.is_empty() {
        f.push(Followup::HeartbeatReceived);
    } else {
        f.extend([Followup::HeartbeatIfQuiet, Followup::Deliver]);
    }
    f
}

/// The binary body of `?OTR:…​.` starting at the first `?OTR:` (to the first `.`, or
/// the end), decoded as libotr decodes it.
fn decode_data_frame(msg: &[u8]) -> Option<Vec<u8>> {
    let start = crate::proto::find(msg, b"?OTR:")? + 5;
    let rest = &msg[start..];
    let end = rest.iter().position(|&b| b == b'.').unwrap_or(rest.len());
    Some(b64::decode(&rest[..end]))
}

struct ParsedData<'a> {
    flags: u8,
    sender_keyid: u32,
    recipient_keyid: u32,
    next_dh: &'a [u8],
    ctr: [u8; 8],
    enc: &'a [u8],
    mac: [u8; 20],
    authenticated: &'a [u8],
}

/// Parse a decoded Data Message (v2 or v3; v1 is refused). Trailing bytes are refused.
fn parse_data(raw: &[u8]) -> Option<ParsedData<'_>> {
    let mut r = Reader::new(raw);
    let h = Header::read(&mut r).ok()?;
    if h.msg_type != MSG_DATA {
        return None;
    }
    let flags = r.byte().ok()?;
    let sender_keyid = r.int().ok()?;
    let recipient_keyid = r.int().ok()?;
    let next_dh = r.mpi().ok()?;
    let ctr = r.fixed::<8>().ok()?;
    let enc = r.data().ok()?;
    let authenticated = &raw[..r.position()];
    let mac = r.fixed::<20>().ok()?;
    let _revealed = r.data().ok()?;
    if !r.is_empty() {
        return None;
    }
    Some(ParsedData { flags, sender_keyid, recipient_keyid, next_dh, ctr, enc, mac, authenticated })
}

/// Does `msg` hold a well-formed Data Message (whatever its keys)?
pub fn parses(msg: &[u8]) -> bool {
    decode_data_frame(msg).is_some_and(|raw| parse_data(&raw).is_some())
}

#[cfg(test)]
mod kat_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Session, Session) {
        let (a, b) = (dh::generate(), dh::generate());
        let sa = Session::establish(None, &AkeResult { our_dh: &a, our_keyid: 1, their_pub: &b.public, their_keyid: 1, shared: None })
            .unwrap();
        let sb = Session::establish(None, &AkeResult { our_dh: &b, our_keyid: 1, their_pub: &a.public, their_keyid: 1, shared: None })
            .unwrap();
        (sa, sb)
    }

    fn hdr() -> Header {
        Header { version: 3, msg_type: MSG_DATA, sender_instance: 0x100, receiver_instance: 0x200 }
    }

    #[test]
    fn round_trips_with_rotation_both_ways() {
        let (mut a, mut b) = pair();
        for round in 0..6u32 {
            let text = format!("a->b {round} \u{e9}");
            let (m, ka) = a.create_data(hdr(), 0, text.as_bytes(), &[]).unwrap();
            let r = b.accept_data(m.as_bytes()).unwrap();
            assert_eq!(r.message, text.as_bytes());
            assert_eq!(*r.extra_key, *ka, "extra key equal on both sides");
            let tl = [Tlv { typ: 8, data: vec![0, 0, 0, 1, 9] }];
            let (m, _) = b.create_data(hdr(), FLAG_IGNORE_UNREADABLE, b"", &tl).unwrap();
            let r = a.accept_data(m.as_bytes()).unwrap();
            assert_eq!(r.flags, 1);
            assert!(r.message.is_empty());
            assert_eq!(r.tlvs, tl);
        }
        assert!(a.our_keyid > 3 && b.their_keyid > 3);
    }

    #[test]
    fn replay_tamper_and_garbage_are_refused_without_state_change() {
        let (mut a, mut b) = pair();
        let (m, _) = a.create_data(hdr(), 0, b"hello", &[]).unwrap();
        let (m2, _) = a.create_data(hdr(), 0, b"again", &[]).unwrap();
        assert!(b.accept_data(m.as_bytes()).is_ok());
        // replay
        assert_eq!(b.accept_data(m.as_bytes()).err().unwrap().0, Refused::Unreadable);
        // tamper one base64 char in the ciphertext area
        let mut t = m2.clone().into_bytes();
        let pos = t.len() - 60;
        t[pos] = if t[pos] == b'A' { b'B' } else { b'A' };
        assert_eq!(b.accept_data(&t).err().unwrap().0, Refused::Unreadable);
        assert_eq!(b.accept_data(m2.as_bytes()).unwrap().message, b"again");
        for junk in [&b"?OTR:."[..], b"?OTR:AAMD", b"nothing", b"?OTR:AAMDAAAA."] {
            assert_eq!(b.accept_data(junk).err().unwrap().0, Refused::Malformed);
        }
    }

    #[test]
    fn old_mac_keys_are_revealed_after_rotation() {
        let (mut a, mut b) = pair();
        let (m, _) = a.create_data(hdr(), 0, b"1", &[]).unwrap();
        b.accept_data(m.as_bytes()).unwrap();
        let (m, _) = b.create_data(hdr(), 0, b"2", &[]).unwrap();
        a.accept_data(m.as_bytes()).unwrap();
        let (m, _) = a.create_data(hdr(), 0, b"3", &[]).unwrap();
        b.accept_data(m.as_bytes()).unwrap();
        // b has by now forgotten a key whose receiving MAC key it used
        assert_eq!(b.saved_mac_keys().len() % 20, 0);
        assert!(!b.saved_mac_keys().is_empty());
        let (m, _) = b.create_data(hdr(), 0, b"4", &[]).unwrap();
        assert!(b.saved_mac_keys().is_empty(), "revealed once, then forgotten");
        a.accept_data(m.as_bytes()).unwrap();
    }

    #[test]
    fn the_ake_secret_gives_the_same_first_keys() {
        let (a, b) = (dh::generate(), dh::generate());
        let sh = dh::shared_secret(&a.private, &b.public).unwrap();
        let r = |shared| AkeResult { our_dh: &a, our_keyid: 1, their_pub: &b.public, their_keyid: 1, shared };
        let x = Session::establish(None, &r(Some(&sh[..]))).unwrap();
        let y = Session::establish(None, &r(None)).unwrap();
        let (kx, ky) = (x.keys(1, 0).unwrap(), y.keys(1, 0).unwrap());
        assert_eq!(*kx.send_mac, *ky.send_mac);
        assert_eq!(*kx.rcv_aes, *ky.rcv_aes);
        assert_eq!(*kx.extra, *ky.extra);
    }

    #[test]
    fn followups_in_libotr_order() {
        let r = |message: &[u8], tlvs: Vec<Tlv>| Received {
            flags: 0,
            message: message.to_vec(),
            tlvs,
            extra_key: Zeroizing::new([0; 32]),
        };
        use Followup::*;
        assert_eq!(followups(&r(b"hi", vec![]), 0x40101), vec![Smp, HeartbeatIfQuiet, Deliver]);
        let t = vec![Tlv { typ: 8, data: vec![0, 0, 0, 7, 1] }, Tlv { typ: 1, data: vec![] }];
        assert_eq!(
            followups(&r(b"", t.clone()), 0x40101),
            vec![EndSession, UseExtraKey { usage: 7, data: vec![1] }, Smp, HeartbeatReceived]
        );
        assert_eq!(followups(&r(b"", t), 0x30000), vec![EndSession, Smp, HeartbeatReceived]);
        let short = vec![Tlv { typ: 8, data: vec![0, 0, 7] }];
        assert_eq!(followups(&r(b"", short), 0x40101), vec![Smp, HeartbeatReceived]);
    }

    #[test]
    fn counter_increments_big_endian() {
        let mut c = [0, 0, 0, 0, 0, 0, 0, 0xff];
        incctr(&mut c);
        assert_eq!(c, [0, 0, 0, 0, 0, 0, 1, 0]);
        let mut c = [0xff; 8];
        incctr(&mut c);
        assert_eq!(c, [0; 8]);
    }
}
