/// Atomic file replacement (temp file, fsync, rename) and whole-file reads.
pub mod atomic;
/// The fingerprint store (`otr.fingerprints`).
pub mod fingerprints;
/// The instance-tag file (`otr.instance_tags`).
pub mod instags;
/// The private-key file (`otr.private_key`, libgcrypt s-expressions).
pub mod privkey;
