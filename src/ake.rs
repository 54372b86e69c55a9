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
    /// The exchange's shared secret g^xy, when this machine computed it (not when it
    /// was rebuilt from parts): the data session's first keys use the same pair of DH
    /// values, so it need not be computed again.
    pub shared: Option<Zeroizing<Vec<u8>>>,
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
    /// The secure session id, from the last successful key derivation until a clear.
    ssid: Option<[u8; 8]>,
    /// What the last Reveal Signature or Signature said about the other side.
    their_keyid: u32,
    their_fingerprint: [u8; 20],
    /// The last AKE message we sent (for retransmission).
    pub last_msg: Option<String>,
    /// g^xy from the last key derivation (see [`Established::shared`]).
    shared: Option<Zeroizing<Vec<u8>>>,
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
            ssid: None,
            their_keyid: 0,
            their_fingerprint: [0; 20],
            last_msg: None,
            shared: None,
        }
    }
}

/// Every value an exchange in progress holds, in the open: for a caller that keeps
/// the state elsewhere between messages (the C shell keeps it in `OtrlAuthInfo`) and
/// rebuilds the machine for each call with [`Ake::from_parts`].
pub struct AkeParts {
    pub state: State,
    pub version: u16,
    pub our_instance: u32,
    pub their_instance: u32,
    pub initiated: bool,
    pub our_dh: Option<KeyPair>,
    pub our_keyid: u32,
    pub r: Zeroizing<[u8; 16]>,
    pub encgx: Vec<u8>,
    pub hashgx: [u8; 32],
    /// Minimal big-endian magnitude.
    pub their_pub: Option<Vec<u8>>,
    pub keys: Option<AuthKeys>,
    pub ssid: Option<[u8; 8]>,
    pub their_keyid: u32,
    pub their_fingerprint: [u8; 20],
    pub last_msg: Option<String>,
}

/// What a Reveal Signature or Signature message did (the step-by-step API).
pub enum Received {
    /// Not expected in this state: ignored.
    Ignored,
    /// The revealed g^x does not match what was committed to. libotr drops such a
    /// message without reporting an error, and so does this API.
    CommitmentMismatch,
    /// The other side is authenticated. The machine keeps every value (state, keys,
    /// our key pair, their value, fingerprint and keyid, the message to send in
    /// `last_msg`) so the caller can read them before it calls [`Ake::finish`].
    Completed { their_key: DsaPublicKey },
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

/// Read a serialised DSA public key; the fingerprint (SHA-1 over the four MPIs as
/// received, the type bytes excluded) is written to `fp` as soon as the four MPIs are
/// read, before the key is checked, as libotr does.
fn read_pubkey(r: &mut Reader<'_>, fp: &mut [u8; 20]) -> Result<DsaPublicKey> {
    if r.short()? != 0 {
        return Err(Error::InvalidValue);
    }
    let (p, q, g, y) = (r.mpi()?, r.mpi()?, r.mpi()?, r.mpi()?);
    let mut w = Writer::new();
    for m in [p, q, g, y] {
        w.data(m);
    }
    *fp = sha1(&w.buf);
    DsaPublicKey::from_mpis(p, q, g, y)
}

fn mpi_bytes(v: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.mpi(v);
    w.into_bytes()
}

const ZERO_CTR: [u8; 16] = [0; 16];

/// Check and open the other side's X: MAC over the encrypted part, then decrypt, read
/// the key (fingerprint into `fp`), the keyid, and verify the signature. Returns their
/// key and keyid.
#[allow(clippy::too_many_arguments)]
fn open_signed_part(
    encsig: &[u8],
    mac: &[u8; 20],
    their_dh: &[u8],
    our_dh: &[u8],
    mkey: &[u8],
    ckey: &[u8; 16],
    mackey: &[u8],
    fp: &mut [u8; 20],
) -> Result<(DsaPublicKey, u32)> {
    let mut d = Writer::new();
    d.data(encsig);
    if !bool::from(hmac_sha256_160(mackey, &d.buf).ct_eq(mac)) {
        return Err(Error::InvalidValue);
    }
    let x = Zeroizing::new(aes128_ctr(ckey, &ZERO_CTR, encsig));
    let mut r = Reader::new(&x);
    let pk_start = r.position();
    let key = read_pubkey(&mut r, fp)?;
    let pk_end = r.position();
    let keyid = r.int()?;
    if keyid == 0 {
        return Err(Error::InvalidValue);
    }
    let sig = r.take(r.remaining())?;
    let mut m = Writer::new();
    m.mpi(their_dh).mpi(our_dh).raw(&x[pk_start..pk_end]).int(keyid);
    key.verify(sig, &hmac_sha256(mkey, &m.buf))?;
    Ok((key, keyid))
}

impl Ake {
    pub fn new(our_instance: u32) -> Self {
        Ake { our_instance, ..Default::default() }
    }

    /// Rebuild a machine from values kept elsewhere.
    pub fn from_parts(p: AkeParts) -> Self {
        Ake {
            state: p.state,
            version: p.version,
            our_instance: p.our_instance,
            their_instance: p.their_instance,
            initiated: p.initiated,
            our_dh: p.our_dh,
            our_keyid: p.our_keyid,
            r: p.r,
            encgx: p.encgx,
            hashgx: p.hashgx,
            their_pub: p.their_pub,
            keys: p.keys,
            ssid: p.ssid,
            their_keyid: p.their_keyid,
            their_fingerprint: p.their_fingerprint,
            last_msg: p.last_msg,
            shared: None,
        }
    }

    /// Hand every value back (see [`AkeParts`]).
    pub fn into_parts(self) -> AkeParts {
        AkeParts {
            state: self.state,
            version: self.version,
            our_instance: self.our_instance,
            their_instance: self.their_instance,
            initiated: self.initiated,
            our_dh: self.our_dh,
            our_keyid: self.our_keyid,
            r: self.r,
            encgx: self.encgx,
            hashgx: self.hashgx,
            their_pub: self.their_pub,
            keys: self.keys,
            ssid: self.ssid,
            their_keyid: self.their_keyid,
            their_fingerprint: self.their_fingerprint,
            last_msg: self.last_msg,
        }
    }

    /// Forget the exchange (state NONE), keeping the instance tags.
    pub fn clear(&mut self) {
        let (o, t) = (self.our_instance, self.their_instance);
        *self = Ake { our_instance: o, their_instance: t, ..Default::default() };
    }

    /// After [`Received::Completed`]: the exchange is over (state NONE, our keyid 0);
    /// the other values stay, as libotr leaves them.
    pub fn finish(&mut self) {
        self.state = State::None;
        self.our_keyid = 0;
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

    fn key_msg(&self) -> Result<String> {
        let gy = self.our_dh.as_ref().ok_or(Error::InvalidValue)?.public.clone();
        Ok(self.encode(wire::MSG_DH_KEY, |w| DhKey { gy }.write(w)))
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

    fn reply_key(&mut self, c: DhCommit, version: u16) -> Result<String> {
        self.clear();
        self.version = version;
        self.our_dh = Some(dh::generate());
        self.our_keyid = 1;
        self.encgx = c.encgx;
        self.hashgx = c.hashgx;
        self.state = State::AwaitingRevealSig;
        let m = self.key_msg()?;
        self.last_msg = Some(m.clone());
        Ok(m)
    }

    /// A D-H Commit arrived (body after the header).
    pub fn handle_commit(&mut self, body: &[u8], version: u16, sender_instance: u32) -> Result<Outcome> {
        self.handle_commit_yielding(body, version, sender_instance, false)
    }

    /// [`Ake::handle_commit`], where `always_yield` makes a side that is awaiting a
    /// D-H Key give up its own commit for the incoming one whatever the hashes say.
    /// libotr does that for the master context's exchange: its commit went to every
    /// instance of the buddy and is probably stale.
    pub fn handle_commit_yielding(
        &mut self,
        body: &[u8],
        version: u16,
        sender_instance: u32,
        always_yield: bool,
    ) -> Result<Outcome> {
        let c = DhCommit::read(&mut Reader::new(body))?;
        let their_instance = sender_instance;
        let send = match self.state {
            State::None | State::AwaitingSig => Some(self.reply_key(c, version)?),
            State::AwaitingDhKey => {
                // Simultaneous commits: the larger hashed g^x keeps its own commit.
                if !always_yield && self.hashgx[..] > c.hashgx[..] {
                    Some(self.commit_msg())
                } else {
                    Some(self.reply_key(c, version)?)
                }
            }
            State::AwaitingRevealSig => {
                // Their new commit replaces the old; we resend the same D-H Key.
                self.encgx = c.encgx;
                self.hashgx = c.hashgx;
                Some(self.key_msg()?)
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

    /// Derive the AKE keys from our key pair and `their` value (range-checked first).
    /// As in libotr, the old keys are gone even when the check fails; the secure
    /// session id is replaced only on success.
    fn derive(&mut self, their: &[u8]) -> Result<()> {
        self.keys = None;
        self.shared = None;
        let ours = self.our_dh.as_ref().ok_or(Error::InvalidValue)?;
        let s = dh::shared_secret(&ours.private, their)?;
        let keys = dh::auth_keys(&s);
        self.ssid = Some(keys.ssid);
        self.keys = Some(keys);
        self.shared = Some(s);
        Ok(())
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
        let v = self.version;
        self.handle_key_for_version(body, v, Some(privkey))
    }

    /// A D-H Key of protocol version `msg_version` arrived. One of another version
    /// than our exchange is ignored (the buddy may be running another client that
    /// answers with another version). `privkey` is needed only to answer.
    pub fn handle_key_for_version(
        &mut self,
        body: &[u8],
        msg_version: u16,
        privkey: Option<&DsaPrivateKey>,
    ) -> Result<Outcome> {
        let k = DhKey::read(&mut Reader::new(body))?;
        let gy = wire::minimal(&k.gy).to_vec();
        match self.state {
            State::AwaitingDhKey => {
                if msg_version != self.version {
                    return Ok(Outcome::default());
                }
                self.their_pub = Some(gy.clone());
                self.derive(&gy)?;
                let privkey = privkey.ok_or(Error::InvalidValue)?;
                let ours = self.our_dh.as_ref().ok_or(Error::InvalidValue)?;
                let keys = self.keys.as_ref().ok_or(Error::InvalidValue)?;
                let (enc, mac) =
                    self.signed_part(privkey, &ours.public, &gy, &keys.m1[..], &keys.c, &keys.m2[..])?;
                let rv = RevealSig { r: self.r.to_vec(), encsig: enc, mac };
                let m = self.encode(wire::MSG_REVEALSIG, |w| rv.write(w));
                self.last_msg = Some(m.clone());
                self.state = State::AwaitingSig;
                Ok(Outcome { send: Some(m), established: None })
            }
            State::AwaitingSig => {
                // The same D-H Key again: our Reveal Signature was lost; resend it.
                if self.their_pub.as_deref() == Some(&gy[..]) {
                    Ok(Outcome { send: self.last_msg.clone(), established: None })
                } else {
                    Ok(Outcome::default())
                }
            }
            _ => Ok(Outcome::default()),
        }
    }

    /// The values the old API hands over when an exchange completes; then it clears.
    fn established(&mut self, their_key: DsaPublicKey, half: SsidHalf) -> Result<Established> {
        let keys = self.keys.as_ref().ok_or(Error::InvalidValue)?;
        let est = Established {
            our_dh: self.our_dh.take().ok_or(Error::InvalidValue)?,
            our_keyid: self.our_keyid,
            their_pub: self.their_pub.take().ok_or(Error::InvalidValue)?,
            their_keyid: self.their_keyid,
            their_key,
            their_fingerprint: self.their_fingerprint,
            ssid: keys.ssid,
            ssid_half: half,
            version: self.version,
            shared: self.shared.take(),
        };
        let (version, last) = (self.version, self.last_msg.take());
        self.clear();
        self.version = version;
        self.last_msg = last;
        Ok(est)
    }

    /// A Reveal Signature arrived. On success the exchange is complete: the returned
    /// outcome carries the Signature message to send and the new session's values, and
    /// the machine is cleared.
    pub fn handle_revealsig(&mut self, body: &[u8], privkey: &DsaPrivateKey) -> Result<Outcome> {
        if self.state != State::AwaitingRevealSig {
            return Ok(Outcome::default());
        }
        match self.receive_revealsig(body, Some(privkey))? {
            Received::Completed { their_key } => {
                let send = self.last_msg.clone();
                let est = self.established(their_key, SsidHalf::Second)?;
                Ok(Outcome { send, established: Some(est) })
            }
            // libotr ignores a Reveal Signature whose r does not open the commitment:
            // no error, nothing sent, state unchanged.
            Received::CommitmentMismatch | Received::Ignored => Ok(Outcome::default()),
        }
    }

    /// A Signature arrived. On success the exchange is complete and the machine cleared.
    pub fn handle_signature(&mut self, body: &[u8]) -> Result<Outcome> {
        if self.state != State::AwaitingSig {
            return Ok(Outcome::default());
        }
        match self.receive_signature(body)? {
            Received::Completed { their_key } => {
                self.last_msg = None;
                let est = self.established(their_key, SsidHalf::First)?;
                Ok(Outcome { send: None, established: Some(est) })
            }
            _ => Ok(Outcome::default()),
        }
    }

    /// A Reveal Signature arrived: the step-by-step form, with libotr's order of effects.
    /// The message is parsed whatever the state (a malformed one is an error). While
    /// awaiting it: r is taken from it, g^x is decrypted and checked against the
    /// commitment, the keys are derived, the MAC is checked, their key is read (its
    /// fingerprint kept) and their signature verified, and our Signature message is
    /// made (into `last_msg`). Values set before a failing step stay set, as in libotr.
    /// On [`Received::Completed`] the state is still AWAITING_REVEALSIG: call
    /// [`Ake::finish`] after reading the values.
    pub fn receive_revealsig(&mut self, body: &[u8], privkey: Option<&DsaPrivateKey>) -> Result<Received> {
        let mut rd = Reader::new(body);
        if rd.int()? != 16 {
            return Err(Error::InvalidValue);
        }
        let r: [u8; 16] = rd.fixed()?;
        // libotr stores r before it looks at its state. We do so only while awaiting
        // this message: an initiator's r must not be replaceable by a stray message.
        if self.state == State::AwaitingRevealSig {
            *self.r = r;
        }
        let encsig = rd.data()?;
        let mac: [u8; 20] = rd.fixed()?;
        if !rd.is_empty() {
            return Err(Error::InvalidValue);
        }
        if self.state != State::AwaitingRevealSig {
            return Ok(Received::Ignored);
        }
        let gxmpi = Zeroizing::new(aes128_ctr(&self.r, &ZERO_CTR, &self.encgx));
        if !bool::from(sha256(&gxmpi).ct_eq(&self.hashgx)) {
            return Ok(Received::CommitmentMismatch);
        }
        let mut g = Reader::new(&gxmpi);
        let gx = wire::minimal(g.mpi()?).to_vec();
        if !g.is_empty() {
            return Err(Error::InvalidValue);
        }
        self.their_pub = Some(gx.clone());
        self.derive(&gx)?;
        let ours = self.our_dh.as_ref().ok_or(Error::InvalidValue)?;
        let keys = self.keys.as_ref().ok_or(Error::InvalidValue)?;
        let (their_key, their_keyid) = open_signed_part(
            encsig,
            &mac,
            &gx,
            &ours.public,
            &keys.m1[..],
            &keys.c,
            &keys.m2[..],
            &mut self.their_fingerprint,
        )?;
        self.their_keyid = their_keyid;
        let privkey = privkey.ok_or(Error::InvalidValue)?;
        let (enc, mac) = self.signed_part(privkey, &ours.public, &gx, &keys.m1p[..], &keys.cp, &keys.m2p[..])?;
        let sm = SignatureMsg { encsig: enc, mac };
        self.last_msg = Some(self.encode(wire::MSG_SIGNATURE, |w| sm.write(w)));
        Ok(Received::Completed { their_key })
    }

    /// A Signature arrived: the step-by-step form (see [`Ake::receive_revealsig`]).
    /// On [`Received::Completed`] the state is still AWAITING_SIG and `last_msg` still
    /// our Reveal Signature.
    pub fn receive_signature(&mut self, body: &[u8]) -> Result<Received> {
        let sm = SignatureMsg::read(&mut Reader::new(body))?;
        if self.state != State::AwaitingSig {
            return Ok(Received::Ignored);
        }
        let keys = self.keys.as_ref().ok_or(Error::InvalidValue)?;
        let ours = self.our_dh.as_ref().ok_or(Error::InvalidValue)?;
        let gy = self.their_pub.as_ref().ok_or(Error::InvalidValue)?;
        let (their_key, their_keyid) = open_signed_part(
            &sm.encsig,
            &sm.mac,
            gy,
            &ours.public,
            &keys.m1p[..],
            &keys.cp,
            &keys.m2p[..],
            &mut self.their_fingerprint,
        )?;
        self.their_keyid = their_keyid;
        Ok(Received::Completed { their_key })
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

    /// Round-trip through parts, as the C shell does between calls.
    fn reload(a: Ake) -> Ake {
        Ake::from_parts(a.into_parts())
    }

    #[test]
    fn step_api_keeps_values_and_survives_reloads() {
        let ka = DsaPrivateKey::generate();
        let kb = DsaPrivateKey::generate();
        let mut bob = Ake::new(0x1111);
        bob.their_instance = 0x2222;
        let mut alice = Ake::new(0x2222);
        alice.their_instance = 0x1111;
        let (_, b) = body(&bob.start(3));
        bob = reload(bob);
        alice.handle_commit_yielding(&b, 3, 0x1111, false).unwrap();
        alice = reload(alice);
        let (_, k) = body(alice.last_msg.as_ref().unwrap());
        // A D-H Key of another version is ignored while awaiting one.
        assert!(bob.handle_key_for_version(&k, 2, Some(&kb)).unwrap().send.is_none());
        assert_eq!(bob.state, State::AwaitingDhKey);
        let reveal = bob.handle_key_for_version(&k, 3, Some(&kb)).unwrap().send.unwrap();
        bob = reload(bob);
        let (_, rv) = body(&reveal);
        // A wrong r does not open the commitment: dropped, no error, nothing set.
        let mut wrong = rv.clone();
        wrong[4] ^= 0x80;
        assert!(matches!(alice.receive_revealsig(&wrong, Some(&ka)).unwrap(), Received::CommitmentMismatch));
        assert!(alice.keys.is_none() && alice.ssid.is_none() && alice.state == State::AwaitingRevealSig);
        // A bad MAC: keys and session id derived and kept, fingerprint not yet read.
        let mut badmac = rv.clone();
        let n = badmac.len();
        badmac[n - 1] ^= 1;
        assert_eq!(alice.receive_revealsig(&badmac, Some(&ka)).err(), Some(Error::InvalidValue));
        let p = alice.into_parts();
        assert!(p.keys.is_some() && p.ssid.is_some() && p.their_fingerprint == [0; 20]);
        alice = Ake::from_parts(p);
        // The real one completes; the state stays until finish().
        assert!(matches!(alice.receive_revealsig(&rv, Some(&ka)).unwrap(), Received::Completed { .. }));
        assert_eq!((alice.state, alice.our_keyid), (State::AwaitingRevealSig, 1));
        let sig = alice.last_msg.clone().unwrap();
        alice.finish();
        let pa = alice.into_parts();
        assert_eq!((pa.state, pa.our_keyid, pa.their_keyid), (State::None, 0, 1));
        assert_eq!(pa.their_fingerprint, kb.public.fingerprint());
        let (_, sb) = body(&sig);
        assert!(matches!(bob.receive_signature(&sb).unwrap(), Received::Completed { .. }));
        let pb = bob.into_parts();
        assert_eq!(pb.ssid, pa.ssid);
        assert_eq!(pb.their_fingerprint, ka.public.fingerprint());
        assert_eq!(pb.state, State::AwaitingSig);
        // Out of state: parsed, then ignored.
        let mut idle = Ake::new(1);
        assert!(matches!(idle.receive_signature(&sb).unwrap(), Received::Ignored));
        assert!(idle.receive_signature(&sb[..sb.len() - 1]).is_err());
        // An initiator's r is not replaced by a stray Reveal Signature.
        let mut init = Ake::new(1);
        init.start(3);
        let r_before = *init.r;
        assert!(matches!(init.receive_revealsig(&rv, Some(&ka)).unwrap(), Received::Ignored));
        assert_eq!(*init.r, r_before);
    }

    #[test]
    fn master_yields_to_any_commit() {
        for always in [false, true] {
            let mut a = Ake::new(0x100);
            let mut b = Ake::new(0x200);
            let (_, ca) = body(&a.start(3));
            let (_, cb) = body(&b.start(3));
            a.handle_commit_yielding(&cb, 3, 0x200, always).unwrap();
            b.handle_commit_yielding(&ca, 3, 0x100, always).unwrap();
            let n = [a.state, b.state].iter().filter(|&&s| s == State::AwaitingRevealSig).count();
            assert_eq!(n, if always { 2 } else { 1 });
        }
    }

    /// protocol-notes §3.1–3.3: a peer's DSA key with a zero-length or huge p, or a q
    /// that is not 160 bits, is refused before any big-number work (libotr crashes or
    /// spends seconds in signature verification on these).
    #[test]
    fn hostile_pubkeys_are_refused_cheaply() {
        let key = |p: &[u8], q: &[u8], g: &[u8], y: &[u8]| {
            let mut w = Writer::new();
            w.short(0).mpi(p).mpi(q).mpi(g).mpi(y);
            w.into_bytes()
        };
        let mut p = vec![0xff; 128];
        p[127] = 0xfb;
        let q = vec![0x80; 20];
        let cases = [
            key(&[], &q, &[2], &[3]),
            key(&vec![0xff; 70_000], &q, &[2], &[3]),
            key(&p, &vec![0xff; 60_000], &[2], &[3]),
            key(&p, &[0x7f; 20], &[2], &[3]),
            key(&p, &q, &[1], &[3]),
            key(&p, &q, &[2], &p),
        ];
        for c in &cases {
            let mut fp = [0u8; 20];
            assert!(read_pubkey(&mut Reader::new(c), &mut fp).is_err());
        }
    }
}
