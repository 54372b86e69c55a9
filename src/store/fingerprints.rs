//! The fingerprint store (`otr.fingerprints`): one line per known fingerprint,
//! `user TAB account TAB protocol TAB 40-hex [TAB trust] LF`.
//!
//! Reading reproduces libotr's reader, which takes the file in `fgets` pieces of at most
//! 999 bytes: a longer line is parsed piece by piece; a piece (or line) that has no CR or
//! LF — e.g. a last line without newline — is ignored; fields end at TAB; the hex must be
//! exactly 40 characters, non-hex characters counting as 0; trust is everything after the
//! fourth TAB up to the first CR (else LF), NULL when there is no fourth TAB.

/// One fingerprint line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FpEntry {
    pub username: Vec<u8>,
    pub accountname: Vec<u8>,
    pub protocol: Vec<u8>,
    pub fingerprint: [u8; 20],
    pub trust: Option<Vec<u8>>,
}

/// The size of libotr's line buffer; `fgets` reads at most one byte less.
pub(crate) const FGETS_BUF: usize = 1000;

/// Split input as repeated `fgets(buf, FGETS_BUF, f)` calls would, each piece cut at its
/// first NUL (what C string functions then see).
pub(crate) fn fgets_pieces(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let max = rest.len().min(FGETS_BUF - 1);
        let end = rest[..max].iter().position(|&b| b == b'\n').map_or(max, |i| i + 1);
        let (piece, r) = rest.split_at(end);
        rest = r;
        let nul = piece.iter().position(|&b| b == 0).unwrap_or(piece.len());
        Some(&piece[..nul])
    })
}

/// Cut at the first CR, else the first LF; `None` if there is neither.
pub(crate) fn cut_eol(s: &[u8]) -> Option<&[u8]> {
    s.iter().position(|&b| b == b'\r').or_else(|| s.iter().position(|&b| b == b'\n')).map(|i| &s[..i])
}

fn split_tab(s: &[u8]) -> Option<(&[u8], &[u8])> {
    s.iter().position(|&b| b == b'\t').map(|i| (&s[..i], &s[i + 1..]))
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

fn parse_line(line: &[u8]) -> Option<FpEntry> {
    let (username, rest) = split_tab(line)?;
    let (accountname, rest) = split_tab(rest)?;
    let (protocol, rest) = split_tab(rest)?;
    let (hex, trust) = match split_tab(rest) {
        None => (cut_eol(rest)?, None),
        Some((hex, trust)) => (hex, Some(cut_eol(trust)?)),
    };
    if hex.len() != 40 {
        return None;
    }
    let mut fingerprint = [0u8; 20];
    for (i, b) in fingerprint.iter_mut().enumerate() {
        *b = (nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]);
    }
    Some(FpEntry {
        username: username.to_vec(),
        accountname: accountname.to_vec(),
        protocol: protocol.to_vec(),
        fingerprint,
        trust: trust.map(<[u8]>::to_vec),
    })
}

/// Every well-formed entry, in file order (linear in the file size).
pub fn parse_fingerprints(data: &[u8]) -> Vec<FpEntry> {
    fgets_pieces(data).filter_map(parse_line).collect()
}

/// Append one line as libotr writes it (no escaping; NULL and empty trust alike).
pub fn format_fingerprint_line(
    username: &[u8],
    accountname: &[u8],
    protocol: &[u8],
    fingerprint: &[u8; 20],
    trust: Option<&[u8]>,
    out: &mut Vec<u8>,
) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for f in [username, accountname, protocol] {
        out.extend_from_slice(f);
        out.push(b'\t');
    }
    for b in fingerprint {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
    out.push(b'\t');
    out.extend_from_slice(trust.unwrap_or_default());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "000102030405060708090a0b0c0d0e0f10111213";

    fn one(s: &str) -> Vec<FpEntry> {
        parse_fingerprints(s.as_bytes())
    }

    #[test]
    fn probe_table_cases() {
        // Rows of ../shared/reference/fpfile-probe.tsv.
        let e = one(&format!("u\ta\tp\t{FP}\tverified\n"));
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].username.as_slice(), e[0].trust.as_deref()), (&b"u"[..], Some(&b"verified"[..])));
        assert_eq!(e[0].fingerprint[19], 0x13);
        assert_eq!(one(&format!("u\ta\tp\t{FP}\n"))[0].trust, None);
        assert_eq!(one(&format!("u\ta\tp\t{FP}\t\n"))[0].trust.as_deref(), Some(&b""[..]));
        assert_eq!(one(&format!("u\ta\tp\t{FP}\tsmp\r\n"))[0].trust.as_deref(), Some(&b"smp"[..]));
        assert!(one(&format!("u\ta\tp\t{FP}\tverified")).is_empty());
        assert_eq!(one("u\ta\tp\tABCDEF0102030405060708090A0B0C0D0E0F1011\t\n")[0].fingerprint[0], 0xab);
        assert_eq!(one("u\ta\tp\tzz0102030405060708090a0b0c0d0e0f10111213\t\n")[0].fingerprint[0], 0);
        assert!(one("u\ta\tp\t000102030405060708090a0b0c0d0e0f1011121\t\n").is_empty());
        assert!(one("u\ta\tp\n").is_empty());
        assert!(one("# comment\n").is_empty());
        assert_eq!(one(&format!("u\ta\tp\t{FP}\tx\ty\n"))[0].trust.as_deref(), Some(&b"x\ty"[..]));
    }

    #[test]
    fn fixture_round_trip() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/fixtures/");
        let data = std::fs::read(format!("{root}otr.fingerprints")).unwrap();
        let e = parse_fingerprints(&data);
        assert_eq!(e.len(), 5);
        let mut out = Vec::new();
        for x in &e {
            format_fingerprint_line(&x.username, &x.accountname, &x.protocol, &x.fingerprint, x.trust.as_deref(), &mut out);
        }
        assert_eq!(out, data, "writing entries in file order reproduces the file");
    }

    #[test]
    fn long_lines_and_garbage() {
        // A 1 MB line is read in 999-byte pieces, none of which parses.
        let mut big = vec![b'x'; 1 << 20];
        big.push(b'\n');
        assert!(parse_fingerprints(&big).is_empty());
        // A line longer than the buffer: only its last piece (with the newline) is seen.
        let long = format!("{}\t{}", "u".repeat(995), format_args!("a\tp\t{FP}\t\n"));
        assert!(parse_fingerprints(long.as_bytes()).is_empty());
        let split = format!("{}\nu\ta\tp\t{FP}\t\n", "x".repeat(2000));
        assert_eq!(parse_fingerprints(split.as_bytes()).len(), 1);
        // NUL ends what C sees of a piece.
        let nul = format!("u\ta\0\tp\t{FP}\t\n");
        assert!(parse_fingerprints(nul.as_bytes()).is_empty());
        let mut noise = Vec::new();
        for i in 0..100_000u32 {
            noise.push((i.wrapping_mul(2654435761) >> 24) as u8);
        }
        let _ = parse_fingerprints(&noise);
    }
}
