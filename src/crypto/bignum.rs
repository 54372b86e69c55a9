//! Big-number helpers over crypto-bigint's boxed integers: conversion from and to
//! big-endian bytes, and modular exponentiation in Montgomery form (constant time in
//! the exponent) for moduli we reuse.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd, Resize};

/// Precision (bits) for a modulus of `bits` bits: whole 64-bit limbs.
pub fn limb_bits(bits: u32) -> u32 {
    bits.max(1).div_ceil(64) * 64
}

/// A big-endian magnitude as an integer of the given precision (the value must fit).
pub fn from_be(bytes: &[u8], precision: u32) -> BoxedUint {
    let z = bytes.iter().take_while(|&&b| b == 0).count();
    let mag = &bytes[z..];
    // Whole 8-byte limbs only: crypto-bigint 0.7 reads a partial leading limb 8 bytes
    // at a time (found by AddressSanitizer), so we pad it ourselves.
    let limbs = (precision.div_ceil(64) as usize).max(mag.len().div_ceil(8));
    let mut padded = zeroize::Zeroizing::new(vec![0u8; limbs * 8]);
    let off = padded.len() - mag.len();
    padded[off..].copy_from_slice(mag);
    BoxedUint::from_be_slice(&padded, (limbs * 64) as u32)
        .expect("padded to whole limbs")
        .resize(precision.max(64).div_ceil(64) * 64)
}

/// Any big-endian byte string as an integer (for public values such as data to sign).
pub fn from_be_vartime(bytes: &[u8]) -> BoxedUint {
    let z = bytes.iter().take_while(|&&b| b == 0).count();
    from_be(bytes, limb_bits(((bytes.len() - z) * 8) as u32))
}

/// Minimal big-endian magnitude (no leading zeros; zero is empty).
pub fn to_be(x: &BoxedUint) -> Vec<u8> {
    let b = x.to_be_bytes();
    let z = b.iter().take_while(|&&v| v == 0).count();
    b[z..].to_vec()
}

/// `x` resized to `precision` bits (the value must fit).
pub fn resize(x: &BoxedUint, precision: u32) -> BoxedUint {
    x.clone().resize(precision)
}

/// Arithmetic modulo a fixed odd modulus, in Montgomery form.
#[derive(Clone, Debug)]
pub struct Modulus {
    params: BoxedMontyParams,
    n: NonZero<BoxedUint>,
    /// n is the 1536-bit DH/SMP prime: powers of 2 come from `fixedbase`'s table.
    g2_table: bool,
}

impl Modulus {
    /// `None` unless the modulus is odd and greater than 1.
    pub fn new(n: &BoxedUint) -> Option<Modulus> {
        let odd: Option<Odd<BoxedUint>> = Odd::new(n.clone()).into();
        let odd = odd?;
        if n.bit_width() < 2 {
            return None;
        }
        let g2_table = super::fixedbase::is_group_prime(n);
        Some(Modulus { params: BoxedMontyParams::new_vartime(odd), n: NonZero::new(n.clone()).expect("odd"), g2_table })
    }
    pub fn precision(&self) -> u32 {
        self.n.bits_precision()
    }
    pub fn modulus(&self) -> &BoxedUint {
        &self.n
    }
    /// x mod n at our precision.
    pub fn reduce(&self, x: &BoxedUint) -> BoxedUint {
        let wide = x.bits_precision().max(self.precision());
        let r = resize(x, wide).rem(&NonZero::new(resize(&self.n, wide)).expect("nonzero"));
        resize(&r, self.precision())
    }
    pub fn to_monty(&self, x: &BoxedUint) -> BoxedMontyForm {
        BoxedMontyForm::new(self.reduce(x), &self.params)
    }
    /// base^exp mod n; constant time in `exp` for a given bit length `exp_bits`.
    /// In the DH group, a base of 2 (SMP's g1) uses the fixed-base table.
    pub fn pow(&self, base: &BoxedUint, exp: &BoxedUint, exp_bits: u32) -> BoxedUint {
        if self.uses_g2_table(base, exp_bits) {
            return super::fixedbase::pow(exp, exp_bits);
        }
        self.to_monty(base).pow_bounded_exp(exp, exp_bits).retrieve()
    }
    /// Does base^e (e below 2^exp_bits) go through the fixed-base table? Only the DH
    /// group's base 2 does. The bases we exponentiate are public (generators, peers'
    /// public values) or, in SMP, values that equal 2 with negligible probability; the
    /// comparison itself is constant time.
    pub(crate) fn uses_g2_table(&self, base: &BoxedUint, exp_bits: u32) -> bool {
        use subtle::ConstantTimeEq;
        self.g2_table
            && exp_bits <= super::fixedbase::MAX_BITS
            && bool::from(base.ct_eq(&BoxedUint::from(2u32).resize(base.bits_precision())))
    }
    pub fn mul(&self, a: &BoxedUint, b: &BoxedUint) -> BoxedUint {
        (self.to_monty(a) * self.to_monty(b)).retrieve()
    }
    pub fn add(&self, a: &BoxedUint, b: &BoxedUint) -> BoxedUint {
        (self.to_monty(a) + self.to_monty(b)).retrieve()
    }
}
