//! Fixed-base exponentiation for g = 2 in the 1536-bit group of RFC 3526 (the DH group,
//! and SMP's g1): a table of 2^(j·16^i) mod p for every 4-bit window i of the exponent
//! and every digit j, in Montgomery form, so 2^x costs one multiplication per window and
//! no squarings (a 320-bit DH key: 80 multiplications instead of 320 squarings and 80
//! multiplications; a 1536-bit SMP exponent: 384 instead of 1920).
//!
//! The table is made lazily, 8 windows (32 exponent bits) at a time, so a process that
//! only makes DH keys (320-bit exponents) builds 10 chunks and never the other 38.
//!
//! [`pow`] is for secret exponents: each window's entry is picked by a constant-time
//! scan of all 16 entries and multiplied in whatever its value (the entry for digit 0
//! is 1), so only the stated bit bound shapes the work. [`pow_vartime`] is for public
//! exponents and skips zero digits.

use super::multiexp::{ct_lookup, window, TABLE, WINDOW};
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use std::sync::OnceLock;
use zeroize::Zeroize;

/// The largest exponent (in bits) the table covers.
pub const MAX_BITS: u32 = 1536;
const WINDOWS: usize = (MAX_BITS / WINDOW) as usize;
/// Windows per lazily built chunk.
const CHUNK: usize = 8;
const CHUNKS: usize = WINDOWS / CHUNK;

struct Chunk {
    /// `entries[w][j]` = 2^(j·16^(CHUNK·k + w)) in Montgomery form.
    entries: Vec<Vec<BoxedMontyForm>>,
    /// The first window's base of the next chunk: 2^(16^(CHUNK·(k+1))).
    next: BoxedMontyForm,
}

struct Table {
    params: BoxedMontyParams,
    chunks: Vec<OnceLock<Chunk>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let odd: Option<Odd<BoxedUint>> = Odd::new(prime().clone()).into();
        let params = BoxedMontyParams::new_vartime(odd.expect("odd prime"));
        Table { params, chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect() }
    })
}

/// The group's prime (parsed from the DH module's constant; no other state involved, so
/// [`super::bignum::Modulus::new`] can compare with it while the DH group is being made).
pub fn prime() -> &'static BoxedUint {
    static P: OnceLock<BoxedUint> = OnceLock::new();
    P.get_or_init(|| super::bignum::from_be(&super::dh::p_bytes(), MAX_BITS))
}

impl Table {
    fn chunk(&self, k: usize) -> &Chunk {
        self.chunks[k].get_or_init(|| {
            let mut base = if k == 0 {
                BoxedMontyForm::new(super::bignum::from_be(&[2], MAX_BITS), &self.params)
            } else {
                self.chunk(k - 1).next.clone()
            };
            let mut entries = Vec::with_capacity(CHUNK);
            for _ in 0..CHUNK {
                let mut row = Vec::with_capacity(TABLE);
                row.push(BoxedMontyForm::one(&self.params));
                row.push(base.clone());
                for j in 2..TABLE {
                    let next = &row[j - 1] * &base;
                    row.push(next);
                }
                // base^16 = row[15] * base
                base = &row[TABLE - 1] * &base;
                entries.push(row);
            }
            Chunk { entries, next: base }
        })
    }

    fn row(&self, w: usize) -> &[BoxedMontyForm] {
        &self.chunk(w / CHUNK).entries[w % CHUNK]
    }
}

/// Is `n` this group's prime? (Public values; variable time.)
pub fn is_group_prime(n: &BoxedUint) -> bool {
    n.bits_precision() == MAX_BITS && n == prime()
}

/// 2^exp mod p for a secret exponent below 2^bits (bits <= MAX_BITS): constant time in
/// `exp` for a given `bits`.
pub fn pow(exp: &BoxedUint, bits: u32) -> BoxedUint {
    assert!(bits <= MAX_BITS, "exponent wider than the table");
    let t = table();
    let windows = bits.div_ceil(WINDOW) as usize;
    let mut z = BoxedMontyForm::one(&t.params);
    let mut sel = z.clone();
    for w in 0..windows {
        let row = t.row(w);
        let mut idx = window(exp, w as u32);
        if w == 0 {
            ct_lookup(&mut z, row, idx);
        } else {
            ct_lookup(&mut sel, row, idx);
            z = &z * &sel;
        }
        idx.zeroize();
    }
    sel.as_montgomery_mut().zeroize();
    let out = z.retrieve();
    z.as_montgomery_mut().zeroize();
    out
}

/// 2^exp mod p for a public exponent of at most MAX_BITS bits (variable time).
pub fn pow_vartime(exp: &BoxedUint) -> BoxedUint {
    let bits = exp.bit_width_vartime();
    assert!(bits <= MAX_BITS, "exponent wider than the table");
    let t = table();
    let mut z: Option<BoxedMontyForm> = None;
    for w in 0..bits.div_ceil(WINDOW) as usize {
        let idx = window(exp, w as u32) as usize;
        if idx != 0 {
            let e = &t.row(w)[idx];
            z = Some(match z {
                None => e.clone(),
                Some(z) => &z * e,
            });
        }
    }
    match z {
        Some(z) => z.retrieve(),
        None => BoxedUint::one_with_precision(MAX_BITS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::bignum::{from_be, Modulus};

    #[test]
    fn agrees_with_plain_exponentiation() {
        let m = Modulus::new(prime()).unwrap();
        let two = from_be(&[2], MAX_BITS);
        for bytes in [0usize, 1, 7, 8, 39, 40, 100, 191, 192] {
            let mut b = vec![0u8; bytes];
            crate::crypto::random::fill(&mut b);
            let bits = (bytes as u32 * 8).max(64).div_ceil(64) * 64;
            let x = from_be(&b, bits);
            let want = m.to_monty(&two).pow_bounded_exp(&x, bits).retrieve();
            assert_eq!(pow(&x, bits), want, "{bytes} bytes");
            assert_eq!(pow_vartime(&x), want, "{bytes} bytes");
            assert_eq!(m.pow(&two, &x, bits), want);
        }
        // all-ones exponent: every window uses digit 15
        let x = from_be(&[0xff; 192], MAX_BITS);
        assert_eq!(pow(&x, MAX_BITS), m.to_monty(&two).pow_bounded_exp(&x, MAX_BITS).retrieve());
    }
}
