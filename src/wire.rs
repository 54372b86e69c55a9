//! OTR v2/v3 binary encoding (spec "Data types" and "OTR messages"): BYTE, SHORT, INT,
//! DATA, MPI, CTR and MAC fields, the message header, and the five encoded messages.
//!
//! Every read is bounds-checked against what is left of the buffer: a length field can
//! never make us allocate more than the input holds (CVE-2016-2851 was exactly that).

use crate::error::{Error, Result};

/// Protocol message types.
pub const MSG_DH_COMMIT: u8 = 0x02;
pub const MSG_DATA: u8 = 0x03;
pub const MSG_DH_KEY: u8 = 0x0a;
pub const MSG_REVEALSIG: u8 = 0x11;
pub const MSG_SIGNATURE: u8 = 0x12;

/// A cursor over received bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }
    /// Bytes consumed so far (for MACs over a prefix of the message).
    pub fn position(&self) -> usize {
        self.pos
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::InvalidValue);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn short(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.fixed()?))
    }
    pub fn int(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.fixed()?))
    }
    /// DATA: a 4-byte length, then that many bytes.
    pub fn data(&mut self) -> Result<&'a [u8]> {
        let n = self.int()? as usize;
        self.take(n)
    }
    /// MPI: encoded like DATA; returned as received (leading zeros kept, so a caller
    /// that must hash the received encoding can).
    pub fn mpi(&mut self) -> Result<&'a [u8]> {
        self.data()
    }
}

/// Strip leading zero bytes: the minimal unsigned big-endian magnitude.
pub fn minimal(mag: &[u8]) -> &[u8] {
    let z = mag.iter().take_while(|&&b| b == 0).count();
    &mag[z..]
}

/// Builds an encoded message.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.buf.push(b);
        self
    }
    pub fn short(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn int(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }
    pub fn data(&mut self, b: &[u8]) -> &mut Self {
        self.int(b.len() as u32).raw(b)
    }
    /// MPI in minimal form (the spec requires it, and fingerprints hash it).
    pub fn mpi(&mut self, mag: &[u8]) -> &mut Self {
        self.data(minimal(mag))
    }
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// The header every encoded message starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u16,
    pub msg_type: u8,
    /// v3 only (0 in v2).
    pub sender_instance: u32,
    pub receiver_instance: u32,
}

impl Header {
    pub fn read(r: &mut Reader<'_>) -> Result<Header> {
        let version = r.short()?;
        let msg_type = r.byte()?;
        let (sender_instance, receiver_instance) = match version {
            2 => (0, 0),
            3 => (r.int()?, r.int()?),
            _ => return Err(Error::InvalidValue),
        };
        Ok(Header { version, msg_type, sender_instance, receiver_instance })
    }
    pub fn write(&self, w: &mut Writer) {
        w.short(self.version).byte(self.msg_type);
        if self.version == 3 {
            w.int(self.sender_instance).int(self.receiver_instance);
        }
    }
}

/// D-H Commit: AES_r(g^x) and SHA256(g^x).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhCommit {
    pub encgx: Vec<u8>,
    pub hashgx: [u8; 32],
}

/// D-H Key: g^y.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhKey {
    pub gy: Vec<u8>,
}

/// Reveal Signature: r, AES_c(X_B), MAC_m2(AES_c(X_B)) truncated to 160 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealSig {
    pub r: Vec<u8>,
    pub encsig: Vec<u8>,
    pub mac: [u8; 20],
}

/// Signature: AES_c'(X_A), MAC_m2'(AES_c'(X_A)) truncated to 160 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMsg {
    pub encsig: Vec<u8>,
    pub mac: [u8; 20],
}

/// Data Message. `authenticated_len` is how many leading bytes of the decoded message
/// the MAC covers (header through the encrypted message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataMsg {
    pub flags: u8,
    pub sender_keyid: u32,
    pub recipient_keyid: u32,
    pub next_dh: Vec<u8>,
    pub ctr: [u8; 8],
    pub encmsg: Vec<u8>,
    pub mac: [u8; 20],
    pub old_mac_keys: Vec<u8>,
    pub authenticated_len: usize,
}

fn done(r: &Reader<'_>) -> Result<()> {
    // libotr rejects trailing bytes after the last field.
    if r.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidValue)
    }
}

impl DhCommit {
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let encgx = r.data()?.to_vec();
        let h = r.data()?;
        let hashgx: [u8; 32] = h.try_into().map_err(|_| Error::InvalidValue)?;
        done(r)?;
        Ok(DhCommit { encgx, hashgx })
    }
    pub fn write(&self, w: &mut Writer) {
        w.data(&self.encgx).data(&self.hashgx);
    }
}

impl DhKey {
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let gy = r.mpi()?.to_vec();
        done(r)?;
        Ok(DhKey { gy })
    }
    pub fn write(&self, w: &mut Writer) {
        w.mpi(&self.gy);
    }
}

impl RevealSig {
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let rv = r.data()?.to_vec();
        let encsig = r.data()?.to_vec();
        let mac = r.fixed()?;
        done(r)?;
        Ok(RevealSig { r: rv, encsig, mac })
    }
    pub fn write(&self, w: &mut Writer) {
        w.data(&self.r).data(&self.encsig).raw(&self.mac);
    }
}

impl SignatureMsg {
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let encsig = r.data()?.to_vec();
        let mac = r.fixed()?;
        done(r)?;
        Ok(SignatureMsg { encsig, mac })
    }
    pub fn write(&self, w: &mut Writer) {
        w.data(&self.encsig).raw(&self.mac);
    }
}

impl DataMsg {
    /// Read the body after the header (`r` positioned just after it).
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let flags = r.byte()?;
        let sender_keyid = r.int()?;
        let recipient_keyid = r.int()?;
        let next_dh = r.mpi()?.to_vec();
        let ctr = r.fixed()?;
        let encmsg = r.data()?.to_vec();
        let authenticated_len = r.position();
        let mac = r.fixed()?;
        let old_mac_keys = r.data()?.to_vec();
        done(r)?;
        Ok(DataMsg { flags, sender_keyid, recipient_keyid, next_dh, ctr, encmsg, mac, old_mac_keys, authenticated_len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_v2_v3() {
        let mut w = Writer::new();
        Header { version: 3, msg_type: MSG_DATA, sender_instance: 0x100, receiver_instance: 0x101 }.write(&mut w);
        assert_eq!(w.buf, [0, 3, 3, 0, 0, 1, 0, 0, 0, 1, 1]);
        let h = Header::read(&mut Reader::new(&w.buf)).unwrap();
        assert_eq!((h.sender_instance, h.receiver_instance), (0x100, 0x101));
        let h = Header::read(&mut Reader::new(&[0, 2, 0x0a])).unwrap();
        assert_eq!((h.version, h.msg_type), (2, MSG_DH_KEY));
        for v in [0u8, 1, 4, 0xff] {
            assert!(Header::read(&mut Reader::new(&[0, v, 2, 0, 0, 0, 0, 0, 0, 0, 0])).is_err());
        }
    }

    #[test]
    fn lengths_are_bounded() {
        // DATA claiming 0xFFFFFFFF bytes with 3 present: rejected without allocating.
        let b = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        assert!(Reader::new(&b).data().is_err());
        for n in [0u32, 1, 2, 3, 4] {
            let mut b = n.to_be_bytes().to_vec();
            b.extend_from_slice(&[9, 9, 9]);
            let ok = Reader::new(&b).data().is_ok();
            assert_eq!(ok, n <= 3, "len {n}");
        }
    }

    #[test]
    fn mpi_minimal_on_write() {
        let mut w = Writer::new();
        w.mpi(&[0, 0, 1, 2]);
        assert_eq!(w.buf, [0, 0, 0, 2, 1, 2]);
        let mut w = Writer::new();
        w.mpi(&[0, 0]);
        assert_eq!(w.buf, [0, 0, 0, 0]);
    }

    #[test]
    fn data_message_round_trip_and_truncations() {
        let mut w = Writer::new();
        Header { version: 3, msg_type: MSG_DATA, sender_instance: 0x100, receiver_instance: 0x200 }.write(&mut w);
        w.byte(1).int(1).int(2).mpi(&[5; 192]).raw(&[0, 0, 0, 0, 0, 0, 0, 1]).data(b"ciphertext");
        let auth = w.buf.len();
        w.raw(&[7; 20]).data(&[8; 40]);
        let mut r = Reader::new(&w.buf);
        Header::read(&mut r).unwrap();
        let d = DataMsg::read(&mut r).unwrap();
        assert_eq!((d.flags, d.sender_keyid, d.recipient_keyid), (1, 1, 2));
        assert_eq!(d.authenticated_len, auth);
        assert_eq!(d.old_mac_keys.len(), 40);
        for cut in 0..w.buf.len() {
            let mut r = Reader::new(&w.buf[..cut]);
            let ok = Header::read(&mut r).and_then(|_| DataMsg::read(&mut r)).is_ok();
            assert!(!ok, "truncated at {cut} must fail");
        }
        let mut extra = w.buf.clone();
        extra.push(0);
        let mut r = Reader::new(&extra);
        Header::read(&mut r).unwrap();
        assert!(DataMsg::read(&mut r).is_err(), "trailing bytes are rejected");
    }

    #[test]
    fn ake_messages() {
        let c = DhCommit { encgx: vec![1; 196], hashgx: [2; 32] };
        let mut w = Writer::new();
        c.write(&mut w);
        assert_eq!(DhCommit::read(&mut Reader::new(&w.buf)).unwrap(), c);
        // hashed g^x must be 32 bytes
        let mut w = Writer::new();
        w.data(&[1; 4]).data(&[2; 31]);
        assert!(DhCommit::read(&mut Reader::new(&w.buf)).is_err());
        let rs = RevealSig { r: vec![3; 16], encsig: vec![4; 100], mac: [5; 20] };
        let mut w = Writer::new();
        rs.write(&mut w);
        assert_eq!(RevealSig::read(&mut Reader::new(&w.buf)).unwrap(), rs);
        let s = SignatureMsg { encsig: vec![6; 50], mac: [7; 20] };
        let mut w = Writer::new();
        s.write(&mut w);
        assert_eq!(SignatureMsg::read(&mut Reader::new(&w.buf)).unwrap(), s);
        let k = DhKey { gy: vec![9; 192] };
        let mut w = Writer::new();
        k.write(&mut w);
        assert_eq!(DhKey::read(&mut Reader::new(&w.buf)).unwrap(), k);
    }
}
