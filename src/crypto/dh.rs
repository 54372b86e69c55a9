//! Diffie-Hellman over the 1536-bit MODP group of RFC 3526 (group 5, generator 2), and
//! the keys OTR derives from a shared secret: AKE keys (h2 = SHA-256) and data-message
//! session keys (h1 = SHA-1), as the spec defines them.

use super::bignum::{from_be, limb_bits, to_be, Modulus};
use super::fixedbase;
use super::hash::{sha1, sha256};
use crate::error::{Error, Result};
use crypto_bigint::BoxedUint;
use std::sync::OnceLock;
use zeroize::{Zeroize, Zeroizing};

/// libotr's group id for this group.
pub const GROUP_ID: u32 = 5;

const P_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

/// Bits of a private exponent (as libotr: 320 random bits).
pub const PRIV_BITS: u32 = 320;

/// The group's prime, big-endian (without the group's other state).
pub(crate) fn p_bytes() -> Vec<u8> {
    unhex(P_HEX)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

struct Group {
    p: Modulus,
    p_bytes: Vec<u8>,
    pm2: BoxedUint,
    two: BoxedUint,
}

fn group() -> &'static Group {
    static G: OnceLock<Group> = OnceLock::new();
    G.get_or_init(|| {
        let p_bytes = unhex(P_HEX);
        let p = from_be(&p_bytes, 1536);
        let two = from_be(&[2], 1536);
        let pm2 = p.wrapping_sub(&two);
        Group { p: Modulus::new(&p).expect("odd prime"), p_bytes, pm2, two }
    })
}

/// The modulus, big-endian.
pub fn modulus() -> &'static [u8] {
    &group().p_bytes
}

/// A received public value must satisfy 2 <= y <= p-2 (spec; protocol-notes §2.11).
pub fn check_range(y: &[u8]) -> Result<()> {
    let g = group();
    let z = y.iter().take_while(|&&b| b == 0).count();
    if y.len() - z > 192 {
        return Err(Error::InvalidValue);
    }
    let v = from_be(y, 1536);
    if v < g.two || v > g.pm2 {
        return Err(Error::InvalidValue);
    }
    Ok(())
}

/// A key pair: 320 random bits and g^x mod p (minimal magnitudes).
pub struct KeyPair {
    pub private: Zeroizing<Vec<u8>>,
    pub public: Vec<u8>,
}

/// g^x mod p for a private exponent x (constant time in x): one multiplication per
/// 4-bit window from the fixed-base table of g = 2 (`fixedbase`).
pub fn public_of(private: &[u8]) -> Vec<u8> {
    let g = group();
    let mut x = from_be(private, limb_bits(PRIV_BITS.max(private.len() as u32 * 8)));
    let bits = x.bits_precision();
    let y = if bits <= fixedbase::MAX_BITS { fixedbase::pow(&x, bits) } else { g.p.pow(&g.two, &x, bits) };
    x.zeroize();
    to_be(&y)
}

pub fn generate() -> KeyPair {
    let mut x = Zeroizing::new(vec![0u8; (PRIV_BITS / 8) as usize]);
    super::random::fill(&mut x);
    let public = public_of(&x);
    let z = x.iter().take_while(|&&b| b == 0).count();
    KeyPair { private: Zeroizing::new(x[z..].to_vec()), public }
}

/// The shared secret (their^ours mod p), after checking their value's range.
pub fn shared_secret(our_private: &[u8], their_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    check_range(their_public)?;
    let g = group();
    let y = from_be(their_public, 1536);
    let mut x = from_be(our_private, limb_bits(PRIV_BITS.max(our_private.len() as u32 * 8)));
    let mut s = g.p.pow(&y, &x, x.bits_precision());
    x.zeroize();
    let out = Zeroizing::new(to_be(&s));
    s.zeroize();
    Ok(out)
}

/// `b || MPI(s)`: the hash input OTR uses (4-byte length, minimal magnitude).
fn with_prefix(b: u8, s: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut v = Zeroizing::new(Vec::with_capacity(s.len() + 5));
    v.push(b);
    v.extend_from_slice(&(s.len() as u32).to_be_bytes());
    v.extend_from_slice(s);
    v
}

fn h1(b: u8, s: &[u8]) -> Zeroizing<[u8; 20]> {
    Zeroizing::new(sha1(&with_prefix(b, s)))
}

fn h2(b: u8, s: &[u8]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(sha256(&with_prefix(b, s)))
}

/// The AKE's keys from s: the secure session id, c and c', and the four MAC keys.
pub struct AuthKeys {
    pub ssid: [u8; 8],
    pub c: Zeroizing<[u8; 16]>,
    pub cp: Zeroizing<[u8; 16]>,
    pub m1: Zeroizing<[u8; 32]>,
    pub m2: Zeroizing<[u8; 32]>,
    pub m1p: Zeroizing<[u8; 32]>,
    pub m2p: Zeroizing<[u8; 32]>,
}

pub fn auth_keys(s: &[u8]) -> AuthKeys {
    let mut ssid = [0u8; 8];
    ssid.copy_from_slice(&h2(0x00, s)[..8]);
    let cc = h2(0x01, s);
    let mut c = Zeroizing::new([0u8; 16]);
    let mut cp = Zeroizing::new([0u8; 16]);
    c.copy_from_slice(&cc[..16]);
    cp.copy_from_slice(&cc[16..]);
    AuthKeys { ssid, c, cp, m1: h2(0x02, s), m2: h2(0x03, s), m1p: h2(0x04, s), m2p: h2(0x05, s) }
}

/// The OTR v1 secure session id: all 20 bytes of h1(0x00, s).
pub fn v1_session_id(s: &[u8]) -> [u8; 20] {
    *h1(0x00, s)
}

/// Compare two public values as numbers (leading zero bytes ignored). Public data:
/// variable time is fine.
pub fn compare_public(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (a, b) = (crate::wire::minimal(a), crate::wire::minimal(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Data-message keys for one (our key, their key) pair.
pub struct SessionKeys {
    pub send_aes: Zeroizing<[u8; 16]>,
    pub send_mac: Zeroizing<[u8; 20]>,
    pub rcv_aes: Zeroizing<[u8; 16]>,
    pub rcv_mac: Zeroizing<[u8; 20]>,
    pub extra: Zeroizing<[u8; 32]>,
}

/// Keys from our key pair and their public value. The side whose public value is
/// larger is the "high" end and sends with byte 0x01.
pub fn session_keys(our_private: &[u8], our_public: &[u8], their_public: &[u8]) -> Result<SessionKeys> {
    let s = shared_secret(our_private, their_public)?;
    Ok(session_keys_from_secret(&s, our_public, their_public))
}

/// [`session_keys`] when the shared secret `s` of the two values is already known
/// (the AKE's g^xy is the first data keys' secret too).
pub fn session_keys_from_secret(s: &[u8], our_public: &[u8], their_public: &[u8]) -> SessionKeys {
    let ours = from_be(our_public, 1536);
    let theirs = from_be(their_public, 1536);
    let (sb, rb) = if ours > theirs { (0x01, 0x02) } else { (0x02, 0x01) };
    let key = |b: u8| {
        let h = h1(b, s);
        let mut aes = Zeroizing::new([0u8; 16]);
        aes.copy_from_slice(&h[..16]);
        let mac = Zeroizing::new(sha1(&aes[..]));
        (aes, mac)
    };
    let (send_aes, send_mac) = key(sb);
    let (rcv_aes, rcv_mac) = key(rb);
    SessionKeys { send_aes, send_mac, rcv_aes, rcv_mac, extra: h2(0xff, s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vhex(name: &str) -> Vec<u8> {
        let t = include_str!("testdata/libotr_dh.txt");
        let mut v = t.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap().to_string();
        if v.len() % 2 == 1 {
            v.insert(0, '0');
        }
        unhex(&v)
    }

    #[test]
    fn group_is_the_rfc3526_safe_prime() {
        let p = from_be(modulus(), 1536);
        assert!(crypto_primes::is_prime(crypto_primes::Flavor::Safe, &p));
        assert_eq!(modulus().len(), 192);
    }

    #[test]
    fn matches_libotr_vectors() {
        let (apriv, apub, bpriv, bpub) = (vhex("apriv"), vhex("apub"), vhex("bpriv"), vhex("bpub"));
        assert_eq!(public_of(&apriv), super::super::bignum::to_be(&from_be(&apub, 1536)));
        assert_eq!(public_of(&bpriv), super::super::bignum::to_be(&from_be(&bpub, 1536)));
        let k = session_keys(&apriv, &apub, &bpub).unwrap();
        assert_eq!(k.send_mac.to_vec(), vhex("sendmackey"));
        assert_eq!(k.rcv_mac.to_vec(), vhex("rcvmackey"));
        assert_eq!(k.extra.to_vec(), vhex("extrakey"));
        let s = shared_secret(&apriv, &bpub).unwrap();
        assert_eq!(*s, *shared_secret(&bpriv, &apub).unwrap());
        let a = auth_keys(&s);
        assert_eq!(a.ssid.to_vec(), vhex("ssid"));
        assert_eq!(super::super::hash::hmac_sha256(&a.m1[..], b"abc").to_vec(), vhex("m1_abc"));
        assert_eq!(super::super::hash::hmac_sha256(&a.m2p[..], b"abc").to_vec(), vhex("m2p_abc"));
        // AES-128 of a zero block under c = the first CTR block with counter 0.
        use aes::cipher::{BlockEncrypt, KeyInit};
        let mut blk = aes::Block::default();
        aes::Aes128::new_from_slice(&a.c[..]).unwrap().encrypt_block(&mut blk);
        assert_eq!(blk.to_vec(), vhex("c_enc_zero"));
        let mut blk = aes::Block::default();
        aes::Aes128::new_from_slice(&a.cp[..]).unwrap().encrypt_block(&mut blk);
        assert_eq!(blk.to_vec(), vhex("cp_enc_zero"));
    }

    #[test]
    fn range_checks() {
        let p = modulus().to_vec();
        let mut pm1 = p.clone();
        *pm1.last_mut().unwrap() -= 1;
        let mut pm2 = p.clone();
        *pm2.last_mut().unwrap() -= 2;
        for bad in [vec![], vec![0], vec![1], pm1.clone(), p.clone(), vec![0xff; 193], vec![0xff; 192]] {
            assert!(check_range(&bad).is_err());
        }
        assert!(check_range(&[2]).is_ok());
        assert_eq!(compare_public(&[0, 0, 5], &[4]), std::cmp::Ordering::Greater);
        assert_eq!(compare_public(&[1, 0], &[0xff]), std::cmp::Ordering::Greater);
        assert_eq!(compare_public(&[0, 7], &[7]), std::cmp::Ordering::Equal);
        assert!(check_range(&pm2).is_ok());
        let k = generate();
        assert!(shared_secret(&k.private, &[1]).is_err());
        assert!(k.private.len() <= 40);
        check_range(&k.public).unwrap();
    }
}
