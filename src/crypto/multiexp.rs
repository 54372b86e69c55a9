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
use crypto_bigint::BoxedUint;
use zeroize::Zeroize;

pub(super) const WINDOW: u32 = 4;
pub(super) const TABLE: usize = 1 << WINDOW;

/// The 4-bit window number `w` (counted from the least significant end) of `e`.
pub(super) fn window(e: &BoxedUint, w: u32) -> u64 {
    let bit = w * WINDOW;
    let limbs = e.as_limbs();
    let (li, sh) = ((bit / 64) as usize, bit % 64);
    match limbs.get(li) {
        // 64 is a multiple of WINDOW, so a window never straddles two limbs.
        Some(l) => (l.0 >> sh) & (TABLE as u64 - 1),
        None => 0,
    }
}

/// `dst = table[idx]` in constant time: every entry is read, each masked with an
/// all-ones or all-zeros word computed without branches.
pub(super) fn ct_lookup(dst: &mut BoxedMontyForm, table: &[BoxedMontyForm], idx: u64) {
    let out = dst.as_montgomery_mut().as_mut_words();
    out.fill(0);
    for (j, entry) in table.iter().enumerate() {
        let diff = j as u64 ^ idx;
        // all ones when diff == 0, else zero; black_box keeps it a mask, not a branch
        let mask = core::hint::black_box(((diff | diff.wrapping_neg()) >> 63).wrapping_sub(1));
        for (o, e) in out.iter_mut().zip(entry.as_montgomery().as_words()) {
            *o |= e & mask;
        }
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

/// Rough cost, in multiplications, of a Straus product over exponents of these widths
/// (in windows): the shared squarings, one multiplication per window, the tables.
fn straus_cost(windows: impl Iterator<Item = u32> + Clone) -> u32 {
    let top = windows.clone().max().unwrap_or(0);
    WINDOW * top + windows.map(|w| w + TABLE as u32 - 1).sum::<u32>()
}

/// In the DH group, the term whose base is 2 (SMP's g1), if taking it out to the
/// fixed-base table (one multiplication per window, no squarings) saves work: it does
/// when it has the widest exponent. `bits[i]` is term i's exponent width (public).
fn g2_term(m: &Modulus, bases: &[&BoxedUint], bits: &[u32]) -> Option<usize> {
    let windows: Vec<u32> = bits.iter().map(|b| b.div_ceil(WINDOW)).collect();
    let whole = straus_cost(windows.iter().copied());
    (0..bases.len()).find(|&i| {
        let rest = windows.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &w)| w);
        windows[i] + straus_cost(rest) + 3 < whole && m.uses_g2_table(bases[i], bits[i])
    })
}

/// ∏ base_i ^ exp_i mod n. Each term is (base, exponent, bound) where the exponent is
/// below 2^bound; the time taken depends on the bounds but not on the exponents' values.
pub fn product_of_powers(m: &Modulus, terms: &[(&BoxedUint, &BoxedUint, u32)]) -> BoxedUint {
    let bases: Vec<&BoxedUint> = terms.iter().map(|t| t.0).collect();
    let bits: Vec<u32> = terms.iter().map(|t| t.2).collect();
    if let Some(i) = g2_term(m, &bases, &bits) {
        let mut a = super::fixedbase::pow(terms[i].1, terms[i].2);
        let rest: Vec<_> = terms.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, t)| *t).collect();
        if rest.is_empty() {
            return a;
        }
        let mut b = product_of_powers(m, &rest);
        let out = m.mul(&a, &b);
        a.zeroize();
        b.zeroize();
        return out;
    }
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
            ct_lookup(&mut sel, &tables[i], idx);
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
    let bases: Vec<&BoxedUint> = terms.iter().map(|t| t.0).collect();
    let bits: Vec<u32> = terms.iter().map(|t| t.1.bit_width_vartime()).collect();
    if let Some(i) = g2_term(m, &bases, &bits) {
        let a = super::fixedbase::pow_vartime(terms[i].1);
        let rest: Vec<_> = terms.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, t)| *t).collect();
        if rest.is_empty() {
            return a;
        }
        return m.mul(&a, &product_of_powers_vartime(m, &rest));
    }
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
        // A base of 2 goes to the fixed-base table when it has the widest exponent.
        let two = from_be(&[2], 1536);
        let plain = |b: &BoxedUint, e: &BoxedUint, bits: u32| m.to_monty(b).pow_bounded_exp(e, bits).retrieve();
        for (lx, ly) in [(192, 32), (40, 0), (192, 192), (8, 100), (0, 0)] {
            let (x, y) = (rnd(lx, 1536), rnd(ly, 256.max(ly as u32 * 8)));
            let want = m.mul(&plain(&two, &x, 1536), &plain(&a, &y, y.bits_precision()));
            assert_eq!(product_of_powers(&m, &[(&two, &x, 1536), (&a, &y, y.bits_precision())]), want);
            assert_eq!(product_of_powers(&m, &[(&a, &y, y.bits_precision()), (&two, &x, 1536)]), want);
            assert_eq!(product_of_powers_vartime(&m, &[(&two, &x), (&a, &y)]), want);
            assert_eq!(product_of_powers_vartime(&m, &[(&a, &y), (&two, &x)]), want);
            assert_eq!(product_of_powers(&m, &[(&two, &x, 1536)]), plain(&two, &x, 1536));
            assert_eq!(product_of_powers_vartime(&m, &[(&two, &x)]), plain(&two, &x, 1536));
        }
        // Zero exponents give 1.
        let zero = BoxedUint::zero_with_precision(1536);
        assert_eq!(product_of_powers_vartime(&m, &[(&a, &zero)]), BoxedUint::one_with_precision(1536));
        assert_eq!(product_of_powers(&m, &[(&a, &zero, 1536)]), BoxedUint::one_with_precision(1536));
    }
}
