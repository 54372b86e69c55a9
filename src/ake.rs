//! The authenticated key exchange of OTR v2/v3 (spec "Authenticated Key Exchange"):
//! D-H Commit, D-H Key, Reveal Signature, Signature, with the spec's state machine
//! (including simultaneous commits). The machine takes received messages and returns
//! what to send and, when the exchange completes, the new session's parameters; it
//! never calls out.

use crate::crypto::dh::{self, AuthKeys, KeyPair};
use crate::crypto::dsa::{DsaPrivateKey, DsaPublicKey};
use crate::crypto::hash::{aes128_ctr, hmac_sha256, hmac_sha256_160, sha1, sha256};
use crate::crypto::random;
use crate::error::{Error, Result};
use crate::wire::{self, DhCommit, DhKey, Header, Reader, RevealSig, SignatureMsg, Writer};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    None = 0,
    AwaitingDhKey = 1,
    AwaitingRevealSig = 2,
    AwaitingSig = 3,
}

/// Which half of the session id to show in bold (OtrlSessionIdHalf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsidHalf {
    First = 0,
    Second = 1,
}

/// What a completed exchange gives the data session.
pub struct Established {
    pub our_dh: KeyPair,
    pub our_keyid: u32,
    pub their_pub: Vec<u8>,
    pub their_keyid: u32,
    pub their_key: DsaPublicKey,
    pub their_fingerprint: [u8; 20],
    pub ssid: [u8; 8],
    pub ssid_half: SsidHalf,
    pub version: u16,
}

/// The result of feeding a message to the machine.
#[derive(Default)]
pub struct Outcome {
    /// An encoded message (`?OTR:…​.`) to send.
    pub send: Option<String>,
    /// The exchange completed.
    pub established: Option<Established>,
}

/// One side's AKE state.
pub struct Ake {
    pub state: State,
    pub version: u16,
    pub our_instance: u32,
    pub their_instance: u32,
    pub initiated: bool,
    our_dh: Option<KeyPair>,
    pub our_keyid: u32,
    r: Zeroizing<[u8; 16]>,
    encgx: Vec<u8>,
    hashgx: [u8; 32],
    their_pub: Option<Vec<u8>>,
    keys: Option<AuthKeys>,
    /// The last AKE message we sent (for retransmission).
    pub last_msg: Option<String>,
}

impl Default for Ake {
    fn default() -> Self {
        Ake {
            state: State::None,
            version: 0,
            our_instance: 0,
            their_instance: 0,
            initiated: false,
            our_dh: None,
            our_keyid: 0,
            r: Zeroizing::new([0; 16]),
            encgx: Vec::new(),
            hashgx: [0; 32],
            their_pub: None,
            keys: None,
            last_msg: None,
        }
    }
}

/// Serialise a DSA public key as OTR does: type 0x0000, then p, q, g, y as MPIs.
pub fn pubkey_bytes(k: &DsaPublicKey) -> Vec<u8> {
    let mut w = Writer::new();
    w.short(0);
    for m in k.mpis() {
        w.mpi(&m);
    }
    w.into_bytes()
}

/// Read a serialised DSA public key; also returns the fingerprint, SHA-1 over the
/// four MPIs as received (the type bytes excluded).
fn read_pubkey(r: &mut Reader<'_>) -> Result<(DsaPublicKey, [u8; 20])> {
    if r.short()? != 0 {
        return Err(Error::InvalidValue);
    }
    let start = r.position();
    let (p, q, g, y) = (r.mpi()?, r.mpi()?, r.mpi()?, r.mpi()?);
    let key = DsaPublicKey::from_mpis(p, q, g, y)?;
    let _ = start;
    let mut w = Writer::new();
    for m in [p, q, g, y] {
        w.data(m);
    }
    Ok((key, sha1(&w.buf)))
}

fn mpi_bytes(v: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.mpi(v);
    w.into_bytes()
}

const ZERO_CTR: [u8; 16] = [0; 16];

impl Ake {
    pub fn new(our_instance: u32) -> Self {
        Ake { our_instance, ..Default::default() }
    }

    /// Forget the exchange (state NONE), keeping the instance tags.
    pub fn clear(&mut self) {
        let (o, t) = (self.our_instance, self.their_instance);
        *self = Ake { our_instance: o, their_instance: t, ..Default::default() };
    }

    fn encode(&self, msg_type: u8, body: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer::new();
        Header {
            version: self.version,
            msg_type,
            sender_instance: self.our_instance,
            receiver_instance: self.their_instance,
        }
        .write(&mut w);
        body(&mut w);
        crate::b64::otr_encode(&w.buf)
    }

    fn commit_msg(&self) -> String {
        let c = DhCommit { encgx: self.encgx.clone(), hashgx: self.hashgx };
        self.encode(wire::MSG_DH_COMMIT, |w| c.write(w))
    }

    fn key_msg(&self) -> String {
        let gy = self.our_dh.as_ref().expect("have our key").public.clone();
        self.encode(wire::MSG_DH_KEY, |w| DhKey { gy }.write(w))
    }

    /// Start an exchange: a fresh key, and a D-H Commit to send.
    pub fn start(&mut self, version: u16) -> String {
        self.clear();
        self.version = version;
        self.initiated = true;
        let kp = dh::generate();
        random::fill(&mut self.r[..]);
        let gxmpi = mpi_bytes(&kp.public);
        self.encgx = aes128_ctr(&self.r, &ZERO_CTR, &gxmpi);
        self.hashgx = sha256(&gxmpi);
        self.our_dh = Some(kp);
        self.our_keyid = 1;
        self.state = State::AwaitingDhKey;
        let m = self.commit_msg();
        self.last_msg = Some(m.clone());
        m
    }

    fn reply_key(&mut self, c: DhCommit, version: u16) -> String {
        self.clear();
        self.version = version;
        self.our_dh = Some(dh::generate());
        self.our_keyid = 1;
        self.encgx = c.encgx;
        self.hashgx = c.hashgx;
        self.state = State::AwaitingRevealSig;
        let m = self.key_msg();
        self.last_msg = Some(m.clone());
        m
    }

    /// A D-H Commit arrived (body after the header).
    pub fn handle_commit(&mut self, body: &[u8], version: u16, sender_instance: u32) -> Result<Outcome> {
        self.handle_commit_in(body, version, sender_instance, false)
    }

    /// A D-H Commit arrived at a master (`is_master`) or instance context. A master's
    /// own commit may be stale (kept in case another instance answers it), so in a
    /// simultaneous-commit race the master always yields, as libotr's does.
    pub fn handle_commit_in(
        &mut self,
        body: &[u8],
        version: u16,
        sender_instance: u32,
        is_master: bool,
    ) -> Result<Outcome> {
        let c = DhCommit::read(&mut Reader::new(body))?;
        let their_instance = sender_instance;
        let send = match self.state {
            State::None | State::AwaitingSig => {
                let m = self.reply_key(c, version);
                Some(m)
            }
            State::AwaitingDhKey => {
                // Simultaneous commits: the larger hashed g^x keeps its own commit.
                if !is_master && self.hashgx[..] > c.hashgx[..] {
                    let m = self.commit_msg();
                    Some(m)
                } else {
                    Some(self.reply_key(c, version))
                }
            }
            State::AwaitingRevealSig => {
                // Their new commit replaces the old; we resend the same D-H Key.
                self.encgx = c.encgx;
                self.hashgx = c.hashgx;
                Some(self.key_msg())
            }
        };
        if version == 3 {
            self.their_instance = their_instance;
        }
        Ok(Outcome { send, established: None })
    }

    /// Build X = pub, keyid, sig(M) and its encryption and MAC, for our side.
    fn signed_part(
        &self,
        privkey: &DsaPrivateKey,
        first: &[u8],
        second: &[u8],
        mkey: &[u8],
        ckey: &[u8; 16],
        mackey: &[u8],
    ) -> Result<(Vec<u8>, [u8; 20])> {
        let pubk = pubkey_bytes(&privkey.public);
        let mut m = Writer::new();
        m.mpi(first).mpi(second).raw(&pubk).int(self.our_keyid);
        let mac = hmac_sha256(mkey, &m.buf);
        let sig = privkey.sign(&mac)?;
        let mut x = Writer::new();
        x.raw(&pubk).int(self.our_keyid).raw(&sig);
        let enc = aes128_ctr(ckey, &ZERO_CTR, &x.buf);
        let mut d = Writer::new();
        d.data(&enc);
        Ok((enc, hmac_sha256_160(mackey, &d.buf)))
    }

    /// Check and open the other side's X; returns their key, fingerprint and keyid.
    #[allow(clippy::too_many_arguments)]
    fn open_signed_part(
        encsig: &[u8],
        mac: &[u8; 20],
        first: &[u8],
        second: &[u8],
        mkey: &[u8],
        ckey: &[u8; 16],
        mackey: &[u8],
    ) -> Result<(DsaPublicKey, [u8; 20], u32)> {
        let mut d = Writer::new();
        d.data(encsig);
        if !bool::from(hmac_sha256_160(mackey, &d.buf).ct_eq(mac)) {
            return Err(Error::InvalidValue);
        }
        let x = aes128_ctr(ckey, &ZERO_CTR, encsig);
        let mut r = Reader::new(&x);
        let pk_start = r.position();
        let (key, fp) = read_pubkey(&mut r)?;
        let pk_end = r.position();
        let keyid = r.int()?;
        let sig = r.take(r.remaining())?;
        if keyid == 0 {
            return Err(Error::InvalidValue);
        }
        let mut m = Writer::new();
        m.mpi(first).mpi(second).raw(&x[pk_start..pk_end]).int(keyid);
        key.verify(sig, &hmac_sha256(mkey, &m.buf)).map_err(|_| Error::InvalidValue)?;
        Ok((key, fp, keyid))
    }

    /// Give `target` (a new instance context's exchange) our outstanding D-H Commit,
    /// so that it can take the D-H Key an instance sent in answer to the master's
    /// commit (libotr's `otrl_auth_copy_on_key`). Other states copy nothing.
    pub fn copy_on_key(&self, target: &mut Ake) {
        if matches!(self.state, State::AwaitingDhKey | State::AwaitingSig) {
            target.initiated = self.initiated;
            target.our_dh = self
                .our_dh
                .as_ref()
                .map(|k| KeyPair { private: Zeroizing::new(k.private.to_vec()), public: k.public.clone() });
            target.our_keyid = self.our_keyid;
            target.r = self.r.clone();
            target.encgx = self.encgx.clone();
            target.hashgx = self.hashgx;
            target.state = State::AwaitingDhKey;
        }
    }

    /// Our current D-H public value, if the exchange has one.
    pub fn our_public(&self) -> Option<&[u8]> {
        self.our_dh.as_ref().map(|k| &k.public[..])
    }

    /// A D-H Key arrived.
    pub fn handle_key(&mut self, body: &[u8], privkey: &DsaPrivateKey) -> Result<Outcome> {
        let k = DhKey::read(&mut Reader::new(body))?;
        match self.state {
            State::AwaitingDhKey => {
                dh::check_range(&k.gy)?;
                let ours = self.our_dh.as_ref().expect("awaiting dhkey has a key");
                let s = dh::shared_secret(&ours.private, &k.gy)?;
                let keys = dh::auth_keys(&s);
                let (enc, mac) =
                    self.signed_part(privkey, &ours.public, &k.gy, &keys.m1[..], &keys.c, &keys.m2[..])?;
                let rv = RevealSig { r: self.r.to_vec(), encsig: enc, mac };
                self.their_pub = Some(k.gy);
                self.keys = Some(keys);
                self.state = State::AwaitingSig;
                let m = self.encode(wire::MSG_REVEALSIG, |w| rv.write(w));
                self.last_msg = Some(m.clone());
                Ok(Outcome { send: Some(m), established: None })
            }
            State::AwaitingSig => {
                // The same D-H Key again: our Reveal Signature was lost; resend it.
                if self.their_pub.as_deref() == Some(&k.gy[..]) {
                    Ok(Outcome { send: self.last_msg.clone(), established: None })
                } else {
                    Ok(Outcome::default())
                }
            }
            _ => Ok(Outcome::default()),
        }
    }

    /// A Reveal Signature arrived.
    pub fn handle_revealsig(&mut self, body: &[u8], privkey: &DsaPrivateKey) -> Result<Outcome> {
        if self.state != State::AwaitingRevealSig {
            return Ok(Outcome::default());
        }
        let rv = RevealSig::read(&mut Reader::new(body))?;
        let r: [u8; 16] = rv.r.as_slice().try_into().map_err(|_| Error::InvalidValue)?;
        let gxmpi = aes128_ctr(&r, &ZERO_CTR, &self.encgx);
        if !bool::from(sha256(&gxmpi).ct_eq(&self.hashgx)) {
            // libotr ignores a Reveal Signature whose r does not open the commitment
            // (no error, nothing sent, state unchanged).
            return Ok(Outcome::default());
        }
        let mut rd = Reader::new(&gxmpi);
        let gx = rd.mpi()?.to_vec();
        if !rd.is_empty() {
            return Err(Error::InvalidValue);
        }
        dh::check_range(&gx)?;
        let ours = self.our_dh.as_ref().expect("awaiting revealsig has a key");
        let s = dh::shared_secret(&ours.private, &gx)?;
        let keys = dh::auth_keys(&s);
        let (their_key, fp, their_keyid) =
            Self::open_signed_part(&rv.encsig, &rv.mac, &gx, &ours.public, &keys.m1[..], &keys.c, &keys.m2[..])?;
        let (enc, mac) = self.signed_part(privkey, &ours.public, &gx, &keys.m1p[..], &keys.cp, &keys.m2p[..])?;
        let sm = SignatureMsg { encsig: enc, mac };
        let m = self.encode(wire::MSG_SIGNATURE, |w| sm.write(w));
        let est = Established {
            our_dh: self.our_dh.take().expect("checked above"),
            our_keyid: self.our_keyid,
            their_pub: gx,
            their_keyid,
            their_key,
            their_fingerprint: fp,
            ssid: keys.ssid,
            ssid_half: SsidHalf::Second,
            version: self.version,
        };
        let version = self.version;
        self.clear();
        self.version = version;
        self.last_msg = Some(m.clone());
        Ok(Outcome { send: Some(m), established: Some(est) })
    }

    /// A Signature arrived.
    pub fn handle_signature(&mut self, body: &[u8]) -> Result<Outcome> {
        if self.state != State::AwaitingSig {
            return Ok(Outcome::default());
        }
        let sm = SignatureMsg::read(&mut Reader::new(body))?;
        let keys = self.keys.as_ref().expect("awaiting sig has keys");
        let ours = self.our_dh.as_ref().expect("awaiting sig has a key");
        let gy = self.their_pub.as_ref().expect("awaiting sig has theirs");
        let (their_key, fp, their_keyid) =
            Self::open_signed_part(&sm.encsig, &sm.mac, gy, &ours.public, &keys.m1p[..], &keys.cp, &keys.m2p[..])?;
        let est = Established {
            our_dh: self.our_dh.take().expect("checked above"),
            our_keyid: self.our_keyid,
            their_pub: self.their_pub.take().expect("checked above"),
            their_keyid,
            their_key,
            their_fingerprint: fp,
            ssid: keys.ssid,
            ssid_half: SsidHalf::First,
            version: self.version,
        };
        let version = self.version;
        self.clear();
        self.version = version;
        Ok(Outcome { send: None, established: Some(est) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(msg: &str) -> (Header, Vec<u8>) {
        let raw = crate::b64::otr_decode(msg.as_bytes()).unwrap();
        let mut r = Reader::new(&raw);
        let h = Header::read(&mut r).unwrap();
        (h, raw[r.position()..].to_vec())
    }

    #[test]
    fn full_exchange_v3_and_v2() {
        for version in [3u16, 2] {
            let ka = DsaPrivateKey::generate();
            let kb = DsaPrivateKey::generate();
            let mut bob = Ake::new(0x1111);
            let mut alice = Ake::new(0x2222);
            let commit = bob.start(version);
            let (h, b) = body(&commit);
            assert_eq!(h.msg_type, wire::MSG_DH_COMMIT);
            let key = alice.handle_commit(&b, version, h.sender_instance).unwrap().send.unwrap();
            alice.their_instance = h.sender_instance;
            let (h, b) = body(&key);
            if version == 3 {
                bob.their_instance = h.sender_instance;
            }
            let reveal = bob.handle_key(&b, &kb).unwrap().send.unwrap();
            let (_, b) = body(&reveal);
            let out = alice.handle_revealsig(&b, &ka).unwrap();
            let ea = out.established.unwrap();
            let (_, b) = body(&out.send.unwrap());
            let eb = bob.handle_signature(&b).unwrap().established.unwrap();
            assert_eq!(ea.ssid, eb.ssid);
            assert_eq!((ea.ssid_half, eb.ssid_half), (SsidHalf::Second, SsidHalf::First));
            assert_eq!(ea.their_fingerprint, kb.public.fingerprint());
            assert_eq!(eb.their_fingerprint, ka.public.fingerprint());
            assert_eq!(ea.their_pub, eb.our_dh.public);
            assert_eq!(eb.their_pub, ea.our_dh.public);
            assert_eq!((alice.state, bob.state), (State::None, State::None));
        }
    }

    #[test]
    fn simultaneous_commits_converge() {
        let mut a = Ake::new(0x100);
        let mut b = Ake::new(0x200);
        let ca = a.start(3);
        let cb = b.start(3);
        let (_, ba) = body(&ca);
        let (_, bb) = body(&cb);
        let ra = a.handle_commit(&bb, 3, 0x200).unwrap().send.unwrap();
        let rb = b.handle_commit(&ba, 3, 0x100).unwrap().send.unwrap();
        // Exactly one side answers with a D-H Key; the other resends its commit.
        let types = [body(&ra).0.msg_type, body(&rb).0.msg_type];
        assert!(types.contains(&wire::MSG_DH_KEY) && types.contains(&wire::MSG_DH_COMMIT));
    }

    #[test]
    fn tampered_and_out_of_range_fail() {
        let ka = DsaPrivateKey::generate();
        let kb = DsaPrivateKey::generate();
        let mut bob = Ake::new(0x1111);
        let mut alice = Ake::new(0x2222);
        let (_, b) = body(&bob.start(3));
        let (_, kbody) = body(&alice.handle_commit(&b, 3, 0x1111).unwrap().send.unwrap());
        // A D-H Key of 1 is refused before any use.
        let mut w = Writer::new();
        w.mpi(&[1]);
        assert!(bob.handle_key(&w.buf, &kb).is_err());
        let reveal = bob.handle_key(&kbody, &kb).unwrap().send.unwrap();
        let (_, mut rb) = body(&reveal);
        let n = rb.len();
        rb[n - 1] ^= 1;
        assert!(alice.handle_revealsig(&rb, &ka).is_err());
        assert_eq!(alice.state, State::AwaitingRevealSig);
    }
}
