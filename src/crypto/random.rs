//! Randomness from the operating system.

use core::convert::Infallible;
use rand_core::{TryCryptoRng, TryRng};

/// Fill `buf` from the OS. An OS that cannot give randomness leaves us nothing safe to do.
pub fn fill(buf: &mut [u8]) {
    if let Err(e) = getrandom::fill(buf) {
        panic!("the operating system gave no randomness: {e}");
    }
}

/// The OS generator as a `rand_core` RNG (what crypto-bigint and crypto-primes take).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

impl TryRng for OsRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}
