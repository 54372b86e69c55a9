//! SHA-1, SHA-256 and their HMACs.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut m = <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn known_answers() {
        assert_eq!(sha1(b"abc")[..4], [0xa9, 0x99, 0x3e, 0x36]);
        assert_eq!(sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
        // RFC 4231 test case 2
        assert_eq!(hmac_sha256(b"Jefe", b"what do ya want for nothing?")[..4], [0x5b, 0xdc, 0xc1, 0x46]);
        // RFC 2202 test case 2
        assert_eq!(hmac_sha1(b"Jefe", b"what do ya want for nothing?")[..4], [0xef, 0xfc, 0xdf, 0x6a]);
    }
}

/// AES-128 in counter mode with a 16-byte big-endian initial counter block.
pub fn aes128_ctr(key: &[u8; 16], ctr: &[u8; 16], data: &[u8]) -> Vec<u8> {
    use ctr::cipher::{KeyIvInit, StreamCipher};
    let mut out = data.to_vec();
    let mut c = ctr::Ctr128BE::<aes::Aes128>::new(key.into(), ctr.into());
    c.apply_keystream(&mut out);
    out
}

/// The first 20 bytes of HMAC-SHA256 (OTR's "MAC" fields in the AKE).
pub fn hmac_sha256_160(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut o = [0u8; 20];
    o.copy_from_slice(&hmac_sha256(key, data)[..20]);
    o
}
