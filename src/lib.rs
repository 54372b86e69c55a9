//! A Rust re-implementation of libotr 4.1.1 (Off-the-Record messaging) behind libotr's C ABI.
//!
//! Two layers: a safe core (everything outside `ffi`, no `unsafe`, no C types) that knows
//! OTR, and the FFI shell (`ffi`, one module per libotr header) that owns the C structs
//! plugins read, translates arguments, and maps errors to libgcrypt-encoded values.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod error;

/// Cryptographic primitives: big integers, DSA, hashes, randomness.
pub mod crypto;
/// libgcrypt-compatible s-expressions (the private-key file format).
pub mod sexp;
/// On-disk stores: private keys, fingerprints, instance tags, atomic writes.
pub mod store;
/// Base64 as libotr does it, and the `?OTR:…​.` framing.
pub mod b64;
/// The authenticated key exchange state machine.
pub mod ake;
/// Query messages, whitespace tags, message classification, fragments.
pub mod proto;
/// Type-length-value records carried inside data messages.
pub mod tlv;
/// The Socialist Millionaires' Protocol (libotr's sm.c).
pub mod smp;

/// Data-message keys, rotation, encryption (the established session).
pub mod session;

/// OTR v2/v3 binary message encoding.
pub mod wire;

pub mod ffi;
