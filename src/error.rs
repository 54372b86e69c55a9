//! Errors of the safe core. The FFI shell maps each to libotr's exact `gcry_error_t`
//! value (see `ffi::error`); the core itself knows nothing of libgcrypt's encoding.

/// What can go wrong in the core, named by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Bad argument or malformed input (libotr: `gcry_error(GPG_ERR_INV_VALUE)`).
    InvalidValue,
    /// Malformed private-key file or key expression (`GPG_ERR_UNUSABLE_SECKEY`).
    UnusableSecretKey,
    /// A key generation for that account is already pending (`GPG_ERR_EEXIST`).
    AlreadyPending,
    /// Out of memory (`GPG_ERR_ENOMEM`).
    NoMemory,
    /// A received message does not match our keys (`GPG_ERR_CONFLICT`).
    Conflict,
    /// A signature did not verify (libgcrypt's `GPG_ERR_BAD_SIGNATURE`).
    BadSignature,
    /// The s-expression reader rejected its input; the value is libgcrypt's error code
    /// (e.g. 203 = unmatched parenthesis), reported with libgcrypt as the source.
    Sexp(u16),
    /// An operating-system error; the value is the `errno`.
    Os(i32),
}

pub type Result<T> = core::result::Result<T, Error>;

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(n) => Error::Os(n),
            None => Error::Os(5), // EIO: an I/O failure the OS did not number
        }
    }
}
