//! libgcrypt-encoded error values, bit for bit as libotr 4.1.1 returns them
//! (`../shared/reference/gcrypt.tsv`). A value is `source << 24 | code`; libotr's own
//! errors carry source USER_1 (32), errors libgcrypt makes (file errors through
//! `gcry_error_from_errno`, s-expression parsing, signature checks) carry source GCRYPT (1).

use super::types::gcry_error_t;
use crate::error::Error;

const SRC_GCRYPT: u32 = 1 << 24;
const SRC_USER_1: u32 = 32 << 24;

pub const GPG_ERR_BAD_SIGNATURE: u32 = 8;
pub const GPG_ERR_UNUSABLE_SECKEY: u32 = 54;
pub const GPG_ERR_INV_VALUE: u32 = 55;
pub const GPG_ERR_CONFLICT: u32 = 70;
pub const GPG_ERR_EEXIST: u32 = 32803;
pub const GPG_ERR_ENOMEM: u32 = 32854;
pub const GPG_ERR_UNKNOWN_ERRNO: u32 = 16382;

/// libotr's `gcry_error(code)`.
pub const fn gcry_error(code: u32) -> gcry_error_t {
    if code == 0 {
        0
    } else {
        SRC_USER_1 | (code & 0xffff)
    }
}

/// An error made inside libgcrypt (source GCRYPT).
pub const fn gcrypt_error(code: u32) -> gcry_error_t {
    if code == 0 {
        0
    } else {
        SRC_GCRYPT | (code & 0xffff)
    }
}

/// `gpg_err_code_from_errno` as libgpg-error 1.46 computes it on Linux: system errors are
/// numbered 0x8000 + their position in libgpg-error's alphabetical errno list. Table measured
/// from the real libgpg-error (errno 1..=125); 0 for errno 0, UNKNOWN_ERRNO otherwise.
pub fn gpg_code_from_errno(errno: i32) -> u32 {
    const T: [i16; 126] = [
        -1, 107, 81, 127, 47, 49, 104, 0, 82, 11, 21, 6, 86, 1, 36, 95, 19, 35, 139, 80, 97, 51,
        48, 75, 65, 102, 134, 37, 91, 126, 122, 66, 109, 32, 117, 28, 69, 83, 94, 98, 63, -2, 87,
        43, 22, 54, 55, 56, 62, 136, 78, 53, 10, 14, 140, 76, 16, 17, -2, 18, 93, 79, 131, 92,
        88, 89, 119, 84, 4, 128, 23, 114, 68, 33, 13, 106, 103, 12, 118, 57, 58, 61, 60, 59, 45,
        121, 130, 137, 100, 30, 67, 116, 90, 115, 125, 101, 108, 5, 2, 3, 72, 74, 73, 24, 26, 77,
        50, 96, 124, 133, 132, 25, 41, 42, 7, 46, 129, 135, 99, 70, 52, 120, 34, 85, 64, 20,
    ];
    if errno == 0 {
        return 0;
    }
    match usize::try_from(errno).ok().and_then(|i| T.get(i)) {
        Some(&v) if v >= 0 => 0x8000 | v as u32,
        _ => GPG_ERR_UNKNOWN_ERRNO,
    }
}

/// libgcrypt's `gcry_error_from_errno(errno)`.
pub fn gcry_error_from_errno(errno: i32) -> gcry_error_t {
    gcrypt_error(gpg_code_from_errno(errno))
}

/// Map a core error to the value libotr returns for it.
pub fn to_gcry(e: Error) -> gcry_error_t {
    match e {
        Error::InvalidValue => gcry_error(GPG_ERR_INV_VALUE),
        Error::UnusableSecretKey => gcry_error(GPG_ERR_UNUSABLE_SECKEY),
        Error::AlreadyPending => gcry_error(GPG_ERR_EEXIST),
        Error::NoMemory => gcry_error(GPG_ERR_ENOMEM),
        Error::Conflict => gcry_error(GPG_ERR_CONFLICT),
        Error::BadSignature => gcrypt_error(GPG_ERR_BAD_SIGNATURE),
        Error::Sexp(code) => gcrypt_error(code as u32),
        Error::Os(n) => gcry_error_from_errno(n),
    }
}

/// `Result<(), Error>` → `gcry_error_t` (0 on success).
pub fn result_code(r: crate::error::Result<()>) -> gcry_error_t {
    match r {
        Ok(()) => 0,
        Err(e) => to_gcry(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn values_match_gcrypt_tsv() {
        assert_eq!(to_gcry(Error::InvalidValue), 0x2000_0037);
        assert_eq!(to_gcry(Error::UnusableSecretKey), 0x2000_0036);
        assert_eq!(to_gcry(Error::AlreadyPending), 0x2000_8023);
        assert_eq!(to_gcry(Error::Conflict), 0x2000_0046);
        assert_eq!(to_gcry(Error::Sexp(203)), 0x0100_00cb);
        assert_eq!(to_gcry(Error::BadSignature), 0x0100_0008);
        assert_eq!(gcry_error_from_errno(libc::ENOENT), 0x0100_8051);
        assert_eq!(gcry_error_from_errno(libc::EACCES), 0x0100_8001);
        assert_eq!(gcry_error_from_errno(libc::EISDIR), 0x0100_8033);
        assert_eq!(gcry_error_from_errno(libc::ENOMEM), 0x0100_8056);
        assert_eq!(gcry_error_from_errno(libc::ENOSPC), 0x0100_805b);
        assert_eq!(gcry_error_from_errno(libc::EROFS), 0x0100_807a);
        assert_eq!(gcry_error_from_errno(libc::EIO), 0x0100_8031);
        assert_eq!(gcry_error_from_errno(libc::EEXIST), 0x0100_8023);
        assert_eq!(gcry_error_from_errno(0), 0);
    }
}
