//! DSA as OTR uses it: 1024-bit p / 160-bit q keys, signatures r‖s of 20 bytes each over
//! a value that is the signed data read as a big-endian integer taken modulo q (not
//! hashed again; spec 4.1.1), the public-key encoding libotr stores, and its SHA-1
//! fingerprint.

use super::bignum::{from_be, from_be_vartime, limb_bits, resize, to_be, Modulus};
use super::random::OsRng;
use crate::error::{Error, Result};
use crypto_bigint::{BoxedUint, NonZero, RandomBits, RandomMod};
use zeroize::Zeroize;

/// A DSA public key (p, q, g, y).
#[derive(Clone, Debug)]
pub struct DsaPublicKey {
    p: BoxedUint,
    q: BoxedUint,
    g: BoxedUint,
    y: BoxedUint,
}

/// A DSA key pair; `x` may be absent for a key file without the private part.
pub struct DsaPrivateKey {
    pub public: DsaPublicKey,
    x: Option<BoxedUint>,
}

impl Drop for DsaPrivateKey {
    fn drop(&mut self) {
        if let Some(x) = self.x.as_mut() {
            x.zeroize();
        }
    }
}

fn bits_of(mag: &[u8]) -> u32 {
    let m = &mag[mag.iter().take_while(|&&b| b == 0).count()..];
    match m.first() {
        None => 0,
        Some(&b) => (m.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

fn int(mag: &[u8], bits: u32) -> BoxedUint {
    from_be(mag, limb_bits(bits.max(bits_of(mag))))
}

impl DsaPublicKey {
    /// A key received from a peer. Checked before any big-number work (protocol-notes
    /// §3: oversized or zero parameters crashed or stalled libotr): p of 1024 to 3072
    /// bits and odd, q exactly 160 bits, g and y in [2, p-1].
    pub fn from_mpis(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Result<Self> {
        let pb = bits_of(p);
        if !(1024..=3072).contains(&pb) || bits_of(q) != 160 || p.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::InvalidValue);
        }
        if bits_of(g) > pb || bits_of(y) > pb {
            return Err(Error::InvalidValue);
        }
        let k = Self::build(p, q, g, y);
        let two = resize(&BoxedUint::from(2u32), k.p.bits_precision());
        let pm1 = k.p.wrapping_sub(BoxedUint::one_with_precision(k.p.bits_precision()));
        for v in [&k.g, &k.y] {
            if v < &two || v > &pm1 {
                return Err(Error::InvalidValue);
            }
        }
        Ok(k)
    }

    /// A key from the user's own key file: whatever libgcrypt would load, within sane
    /// size bounds (p up to 8192 bits, q up to 512 bits).
    pub fn from_mpis_lenient(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Result<Self> {
        let pb = bits_of(p);
        if pb > 8192 || bits_of(q) > 512 || bits_of(g) > 8192 || bits_of(y) > 8192 {
            return Err(Error::UnusableSecretKey);
        }
        Ok(Self::build(p, q, g, y))
    }

    fn build(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Self {
        let pp = limb_bits(bits_of(p).max(bits_of(g)).max(bits_of(y)));
        DsaPublicKey { p: int(p, pp), q: int(q, 1), g: int(g, pp), y: int(y, pp) }
    }

    /// Minimal magnitudes of p, q, g, y.
    pub fn mpis(&self) -> [Vec<u8>; 4] {
        [to_be(&self.p), to_be(&self.q), to_be(&self.g), to_be(&self.y)]
    }

    /// libotr's `pubkey_data`: for p, q, g, y a 4-byte big-endian length and the minimal
    /// magnitude.
    pub fn pubkey_data(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for m in self.mpis() {
            out.extend_from_slice(&(m.len() as u32).to_be_bytes());
            out.extend_from_slice(&m);
        }
        out
    }

    /// SHA-1 of `pubkey_data`.
    pub fn fingerprint(&self) -> [u8; 20] {
        super::hash::sha1(&self.pubkey_data())
    }

    fn moduli(&self) -> Result<(Modulus, Modulus)> {
        match (Modulus::new(&self.p), Modulus::new(&self.q)) {
            (Some(p), Some(q)) => Ok((p, q)),
            _ => Err(Error::BadSignature),
        }
    }

    /// Check `sig` (r‖s) over `data` (taken mod q).
    pub fn verify(&self, sig: &[u8], data: &[u8]) -> Result<()> {
        let n = to_be(&self.q).len().max(1);
        if sig.len() != 2 * n {
            return Err(Error::InvalidValue);
        }
        let (mp, mq) = self.moduli()?;
        let qp = mq.precision();
        let r = from_be(&sig[..n], qp);
        let s = from_be(&sig[n..], qp);
        let zero = BoxedUint::zero_with_precision(qp);
        let q = mq.modulus();
        if r == zero || s == zero || r >= q || s >= q {
            return Err(Error::BadSignature);
        }
        let h = mq.reduce(&from_be_vartime(data));
        let w: Option<BoxedUint> = s.invert_mod(&NonZero::new(q.clone()).expect("q>1")).into();
        let w = w.ok_or(Error::BadSignature)?;
        let u1 = mq.mul(&h, &w);
        let u2 = mq.mul(&r, &w);
        // g^u1 · y^u2 with one chain of squarings (public exponents: variable time).
        let v = mq.reduce(&super::multiexp::product_of_powers_vartime(&mp, &[(&self.g, &u1), (&self.y, &u2)]));
        if v == r {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

/// Candidates tried from one random start when generating p.
const SEARCH_STEPS: u32 = 4096;

/// The odd primes below 2^14, for sieving candidate primes.
fn small_primes() -> &'static [u32] {
    static P: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        const N: usize = 1 << 14;
        let mut composite = vec![false; N];
        let mut out = Vec::new();
        for i in 3..N {
            if !composite[i] && i % 2 == 1 {
                out.push(i as u32);
                for j in (i * i..N).step_by(2 * i) {
                    composite[j] = true;
                }
            }
        }
        out
    })
}

/// x mod m for a small m (public values; variable time).
fn rem_small(x: &BoxedUint, m: u32) -> u32 {
    x.as_limbs().iter().rev().fold(0u64, |r, l| (((r as u128) << 64 | l.0 as u128) % m as u128) as u64) as u32
}

impl DsaPrivateKey {
    /// A key from the key file (lenient bounds; `x` optional).
    pub fn from_mpis(p: &[u8], q: &[u8], g: &[u8], y: &[u8], x: Option<&[u8]>) -> Result<Self> {
        let public = DsaPublicKey::from_mpis_lenient(p, q, g, y)?;
        let x = match x {
            Some(x) if bits_of(x) <= 512 => Some(from_be(x, public.q.bits_precision().max(limb_bits(bits_of(x))))),
            Some(_) => return Err(Error::UnusableSecretKey),
            None => None,
        };
        Ok(DsaPrivateKey { public, x })
    }

    /// A fresh key: 1024-bit p, 160-bit q, as libgcrypt's `(genkey (dsa (nbits 4:1024)))`.
    pub fn generate() -> Self {
        let mut rng = OsRng;
        let q: BoxedUint = crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, 160);
        let q = resize(&q, limb_bits(160));
        let pp = limb_bits(1024);
        let two_q = resize(&q, pp).wrapping_add(resize(&q, pp));
        let two_q_nz = NonZero::new(two_q).expect("q > 0");
        let one = BoxedUint::one_with_precision(pp);
        // Candidates p ≡ 1 (mod 2q) from a random start X - (X mod 2q) + 1 (X with the
        // top bit set) upwards in steps of 2q. Each candidate's residues modulo the small
        // odd primes are kept up to date by additions, so only those with none zero get
        // the costly primality test (about 1 in 9).
        let primes = small_primes();
        let step: Vec<u32> = primes.iter().map(|&sp| rem_small(&two_q_nz, sp)).collect();
        let p = 'search: loop {
            let mut x = BoxedUint::random_bits_with_precision(&mut rng, 1024, pp);
            x = x.bitor(&one.shl(1023));
            let c = x.rem(&two_q_nz);
            let mut cand = x.wrapping_sub(&c).wrapping_add(&one);
            let mut res: Vec<u32> = primes.iter().map(|&sp| rem_small(&cand, sp)).collect();
            for _ in 0..SEARCH_STEPS {
                if cand.bit_width() != 1024 {
                    continue 'search;
                }
                if res.iter().all(|&r| r != 0) && crypto_primes::is_prime(crypto_primes::Flavor::Any, &cand) {
                    break 'search cand;
                }
                cand = cand.wrapping_add(two_q_nz.as_ref());
                for ((r, &d), &sp) in res.iter_mut().zip(&step).zip(primes) {
                    *r += d;
                    if *r >= sp {
                        *r -= sp;
                    }
                }
            }
        };
        let mp = Modulus::new(&p).expect("odd prime");
        let e = p.wrapping_sub(&one).div_rem(&NonZero::new(resize(&q, pp)).expect("q>0")).0;
        let mut h = 2u32;
        let g = loop {
            let g = mp.pow(&resize(&BoxedUint::from(h), pp), &e, 1024);
            if g.bit_width() > 1 {
                break g;
            }
            h += 1;
        };
        let qm1 = q.wrapping_sub(BoxedUint::one_with_precision(q.bits_precision()));
        let x = BoxedUint::random_mod_vartime(&mut rng, &NonZero::new(qm1).expect("q>2"))
            .wrapping_add(BoxedUint::one_with_precision(q.bits_precision()));
        let y = mp.pow(&g, &x, q.bits_precision());
        DsaPrivateKey { public: DsaPublicKey { p, q, g, y }, x: Some(x) }
    }

    /// Minimal magnitude of x, if we have it.
    pub fn x_mpi(&self) -> Option<Vec<u8>> {
        self.x.as_ref().map(to_be)
    }

    /// Sign `data` (taken mod q): r‖s, each left-padded to the byte length of q.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let x = self.x.as_ref().ok_or(Error::UnusableSecretKey)?;
        let k_pub = &self.public;
        let (mp, mq) = k_pub.moduli().map_err(|_| Error::UnusableSecretKey)?;
        let qp = mq.precision();
        let q = mq.modulus().clone();
        let n = to_be(&q).len();
        let qbits = q.bit_width();
        if qbits < 2 {
            return Err(Error::UnusableSecretKey);
        }
        let h = mq.reduce(&from_be_vartime(data));
        let x = mq.reduce(x);
        let one = BoxedUint::one_with_precision(qp);
        let qm1: Option<NonZero<BoxedUint>> = NonZero::new(q.wrapping_sub(&one)).into();
        let qm1 = qm1.ok_or(Error::UnusableSecretKey)?;
        let qm2 = q.wrapping_sub(&one).wrapping_sub(&one);
        let zero = BoxedUint::zero_with_precision(qp);
        for _ in 0..64 {
            let mut k = BoxedUint::random_mod_vartime(&mut OsRng, &qm1).wrapping_add(&one);
            let r = mq.reduce(&mp.pow(&k_pub.g, &k, qbits));
            // k^-1 = k^(q-2) mod q: constant time in k.
            let mut kinv = mq.pow(&k, &qm2, qbits);
            k.zeroize();
            let s = mq.mul(&kinv, &mq.add(&h, &mq.mul(&x, &r)));
            kinv.zeroize();
            if r == zero || s == zero {
                continue;
            }
            let mut out = vec![0u8; 2 * n];
            let (rb, sb) = (to_be(&r), to_be(&s));
            out[n - rb.len()..n].copy_from_slice(&rb);
            out[2 * n - sb.len()..].copy_from_slice(&sb);
            return Ok(out);
        }
        Err(Error::UnusableSecretKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::privkey::parse_privkey_file;

    fn fixture_keys() -> Vec<DsaPrivateKey> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/fixtures/otr.private_key");
        parse_privkey_file(&std::fs::read(path).unwrap())
            .unwrap()
            .iter()
            .map(|r| {
                let m = r.dsa_mpis().unwrap();
                DsaPrivateKey::from_mpis(&m.p, &m.q, &m.g, &m.y, m.x.as_deref()).unwrap()
            })
            .collect()
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn fixture_fingerprints() {
        let k = fixture_keys();
        assert_eq!(k[0].public.pubkey_data().len(), 420);
        assert_eq!(k[0].public.fingerprint().to_vec(), hex("03ee97f6c76623f9a29559cafab7ddbcdbc37e0a"));
        assert_eq!(k[1].public.fingerprint().to_vec(), hex("cdbd35c4ba7d53fb5cc1bc06c6ae2d2de32de3b3"));
    }

    #[test]
    fn sign_verify_round_trip_and_tamper() {
        let k = &fixture_keys()[0];
        for data in [&[7u8; 32][..], &[9u8; 20][..], &[][..], &[0xff; 64][..]] {
            let sig = k.sign(data).unwrap();
            assert_eq!(sig.len(), 40);
            k.public.verify(&sig, data).unwrap();
            let mut bad = sig.clone();
            bad[5] ^= 1;
            assert_eq!(k.public.verify(&bad, data), Err(Error::BadSignature));
            assert_eq!(k.public.verify(&sig[..39], data), Err(Error::InvalidValue));
        }
    }

    /// A signature made by the real libotr 4.1.1 (otrl_privkey_sign with the alice
    /// fixture key over 32 bytes 00 01 .. 1f), checked with our verify.
    #[test]
    fn verifies_libotr_signature() {
        let k = &fixture_keys()[0];
        let data: Vec<u8> = (0u8..32).collect();
        let sig = hex(LIBOTR_SIG_ALICE_0_31);
        k.public.verify(&sig, &data).unwrap();
        let mut bad = sig.clone();
        bad[39] ^= 1;
        assert!(k.public.verify(&bad, &data).is_err());
    }

    // Produced by cabi-tests/tools/sigvec.c against the real libotr.
    const LIBOTR_SIG_ALICE_0_31: &str = include_str!("testdata/libotr_sig_alice.hex").trim_ascii();

    #[test]
    fn small_prime_sieve() {
        let p = small_primes();
        assert_eq!(&p[..6], &[3, 5, 7, 11, 13, 17]);
        assert_eq!(*p.last().unwrap(), 16381);
        assert_eq!(p.len(), 1899); // pi(2^14) = 1900, without 2
        let x = from_be(&[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33], 128);
        assert_eq!(rem_small(&x, 16381), (0x123456789abcdef0112233u128 % 16381) as u32);
    }

    #[test]
    fn generated_keys_are_sound() {
        let k = DsaPrivateKey::generate();
        let [p, q, g, y] = k.public.mpis();
        assert_eq!((bits_of(&p), bits_of(&q)), (1024, 160));
        DsaPublicKey::from_mpis(&p, &q, &g, &y).unwrap();
        let sig = k.sign(b"hello").unwrap();
        k.public.verify(&sig, b"hello").unwrap();
        // g^q = 1 mod p
        let mp = Modulus::new(&k.public.p).unwrap();
        assert_eq!(mp.pow(&k.public.g, &k.public.q, 160), BoxedUint::one_with_precision(1024));
    }

    #[test]
    fn peer_keys_are_bounded() {
        let k = &fixture_keys()[0];
        let [p, q, g, y] = k.public.mpis();
        assert!(DsaPublicKey::from_mpis(&p, &q, &g, &y).is_ok());
        assert!(DsaPublicKey::from_mpis(&[], &q, &g, &y).is_err());
        assert!(DsaPublicKey::from_mpis(&vec![0xff; 70000], &q, &g, &y).is_err());
        let mut q161 = vec![1];
        q161.extend_from_slice(&q);
        assert!(DsaPublicKey::from_mpis(&p, &q161, &g, &y).is_err());
        assert!(DsaPublicKey::from_mpis(&p, &q, &g, &[1]).is_err());
        assert!(DsaPublicKey::from_mpis(&p, &q, &g, &p).is_err());
        assert!(DsaPublicKey::from_mpis(&p, &q, &[0], &y).is_err());
    }
}
