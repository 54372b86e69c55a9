//! Cryptographic primitives over RustCrypto and crypto-bigint: hashes, randomness,
//! big-number helpers (Montgomery exponentiation) and OTR's DSA.

pub mod bignum;
pub mod dh;
pub mod dsa;
pub mod fixedbase;
pub mod hash;
pub mod multiexp;
pub mod random;
