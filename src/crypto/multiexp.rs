//! Products of powers modulo a fixed odd modulus (Straus' interleaved method with 4-bit
//! fixed windows): one chain of squarings is shared by all the bases, so
//! `a^x * b^y` costs little more than one exponentiation.
//!
//! [`product_of_powers`] is for secret exponents: which table entry a window selects is
//! hidden by a constant-time scan of the whole table, and every window inside an
//! exponent's stated bit bound costs one multiplication whatever its value. Only the
//! bounds (public: the sizes of the exponents) shape the work.
//! [`product_of_powers_vartime`] is for public exponents (checking proofs): it skips
//! zero windows and starts at each exponent's real top bit.

use super::bignum::Modulus;
use crypto_bigint::modular::BoxedMontyForm;
use crypto_bigint::{BoxedUint, Choice, CtAssign};
use zeroize::Zeroize;

const WINDOW: u32 = 4;
const TABLE: usize = 1 << WINDOW;

/// The 4-bit window number `w` (counted from the least significant end) of `e`.
fn window(e: &BoxedUint, w: u32) -> u64 {
    let bit = w * WINDOW;
    let limbs = e.as_limbs();
    let (li, sh) = ((bit / 64) as usize, bit % 64);
    match limbs.get(li) {
        // 64 is a multiple of WINDOW, so a window never straddles two limbs.
        Some(l) => (l.0 >> sh) & (TABLE as u64 - 1),
        None => 0,
    }
}

/// [1, b, b^2, …, b^15] in Montgomery form.
fn table(m: &Modulus, base: &BoxedUint) -> Vec<BoxedMontyForm> {
    let b = m.to_monty(base);
    let mut t = Vec::with_capacity(TABLE);
    t.push(BoxedMontyForm::one(b.params()));
    t.push(b.clone());
    for i in 2..TABLE {
        let next = &t[i - 1] * &b;
        t.push(next);
    }
    t
}

/// ∏ base_i ^ exp_i mod n. Each term is (base, exponent, bound) where the exponent is
/// below 2^bound; the time taken depends on the bounds but not on the exponents' values.
pub fn product_of_powers(m: &Modulus, terms: &[(&BoxedUint, &BoxedUint, u32)]) -> BoxedUint {
    let tables: Vec<Vec<BoxedMontyForm>> = terms.iter().map(|(b, _, _)| table(m, b)).collect();
    let windows: Vec<u32> = terms.iter().map(|(_, _, bits)| bits.div_ceil(WINDOW)).collect();
    let top = windows.iter().copied().max().unwrap_or(0);
    let one = BoxedMontyForm::one(m.to_monty(&BoxedUint::one()).params());
    let mut z = one.clone();
    let mut sel = one.clone();
    for w in (0..top).rev() {
        if w + 1 < top {
            for _ in 0..WINDOW {
                z = z.square();
            }
        }
        for (i, (_, e, _)) in terms.iter().enumerate() {
            if w >= windows[i] {
                continue;
            }
            let mut idx = window(e, w);
            sel.as_montgomery_mut().ct_assign(tables[i][0].as_montgomery(), Choice::TRUE);
            for (j, entry) in tables[i].iter().enumerate().skip(1) {
                sel.as_montgomery_mut().ct_assign(entry.as_montgomery(), Choice::from_u64_eq(j as u64, idx));
            }
            idx.zeroize();
            z = &z * &sel;
        }
    }
    sel.as_montgomery_mut().zeroize();
    let out = z.retrieve();
    z.as_montgomery_mut().zeroize();
    out
}

/// ∏ base_i ^ exp_i mod n for public exponents (variable time).
pub fn product_of_powers_vartime(m: &Modulus, terms: &[(&BoxedUint, &BoxedUint)]) -> BoxedUint {
    let windows: Vec<u32> = terms.iter().map(|(_, e)| e.bit_width_vartime().div_ceil(WINDOW)).collect();
    let tables: Vec<Option<Vec<BoxedMontyForm>>> =
        terms.iter().zip(&windows).map(|((b, _), &w)| (w > 0).then(|| table(m, b))).collect();
    let top = windows.iter().copied().max().unwrap_or(0);
    let mut z = BoxedMontyForm::one(m.to_monty(&BoxedUint::one()).params());
    let mut started = false;
    for w in (0..top).rev() {
        if started {
            for _ in 0..WINDOW {
                z = z.square();
            }
        }
        for (i, (_, e)) in terms.iter().enumerate() {
            if w >= windows[i] {
                continue;
            }
            let idx = window(e, w) as usize;
            if idx != 0 {
                let t = tables[i].as_ref().expect("table for a non-zero exponent");
                z = &z * &t[idx];
                started = true;
            }
        }
    }
    z.retrieve()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::bignum::from_be;

    fn rnd(bytes: usize, precision: u32) -> BoxedUint {
        let mut b = vec![0u8; bytes];
        crate::crypto::random::fill(&mut b);
        from_be(&b, precision)
    }

    #[test]
    fn agrees_with_separate_exponentiations() {
        let p = from_be(crate::crypto::dh::modulus(), 1536);
        let m = Modulus::new(&p).unwrap();
        for (la, lb) in [(192, 192), (192, 32), (1, 192), (0, 5), (8, 0)] {
            let (a, b) = (rnd(192, 1536), rnd(100, 1536));
            let (x, y) = (rnd(la, 1536), rnd(lb, 256.max(lb as u32 * 8)));
            let want = m.mul(&m.pow(&a, &x, 1536), &m.pow(&b, &y, y.bits_precision()));
            assert_eq!(product_of_powers(&m, &[(&a, &x, 1536), (&b, &y, y.bits_precision())]), want);
            assert_eq!(product_of_powers_vartime(&m, &[(&a, &x), (&b, &y)]), want);
        }
        let (a, b, c) = (rnd(192, 1536), rnd(192, 1536), rnd(192, 1536));
        let (x, y, z) = (rnd(192, 1536), rnd(191, 1536), rnd(32, 256));
        let want = m.mul(&m.mul(&m.pow(&a, &x, 1536), &m.pow(&b, &y, 1536)), &m.pow(&c, &z, 256));
        assert_eq!(product_of_powers(&m, &[(&a, &x, 1536), (&b, &y, 1536), (&c, &z, 256)]), want);
        assert_eq!(product_of_powers_vartime(&m, &[(&a, &x), (&b, &y), (&c, &z)]), want);
        // Zero exponents give 1.
        let zero = BoxedUint::zero_with_precision(1536);
        assert_eq!(product_of_powers_vartime(&m, &[(&a, &zero)]), BoxedUint::one_with_precision(1536));
        assert_eq!(product_of_powers(&m, &[(&a, &zero, 1536)]), BoxedUint::one_with_precision(1536));
    }
}
