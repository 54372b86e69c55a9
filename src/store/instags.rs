//! The instance-tag file (`otr.instance_tags`): a warning line, then
//! `account TAB protocol TAB 8-hex LF` per tag, newest first.

use super::fingerprints::{cut_eol, fgets_pieces};

pub const MIN_VALID_INSTAG: u32 = 0x100;

/// The first line libotr writes, byte for byte.
pub const HEADER: &[u8] =
    b"# WARNING! You shouldn't copy this file to another computer. It is unnecessary and can cause problems.\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstagEntry {
    pub accountname: Vec<u8>,
    pub protocol: Vec<u8>,
    pub instag: u32,
}

/// `sscanf(s, "%08x", &v)`: optional leading white space, then at most 8 characters of
/// an optional sign, optional `0x`, hex digits. `None` when no digit is read.
fn scan_hex8(s: &[u8]) -> Option<u32> {
    let s = &s[s.iter().take_while(|b| b" \t\n\x0b\x0c\r".contains(b)).count()..];
    let s = &s[..s.len().min(8)];
    let (neg, mut s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s.len() >= 3 && s[0] == b'0' && (s[1] | 0x20) == b'x' && s[2].is_ascii_hexdigit() {
        s = &s[2..];
    }
    let digits = s.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in &s[..digits] {
        v = (v << 4) | (c as char).to_digit(16).unwrap_or(0);
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

fn parse_line(line: &[u8]) -> Option<InstagEntry> {
    let t1 = line.iter().position(|&b| b == b'\t')?;
    let rest = &line[t1 + 1..];
    let t2 = rest.iter().position(|&b| b == b'\t')?;
    let hex = cut_eol(&rest[t2 + 1..])?;
    if hex.len() != 8 {
        return None;
    }
    let instag = scan_hex8(hex)?;
    (instag >= MIN_VALID_INSTAG).then(|| InstagEntry {
        accountname: line[..t1].to_vec(),
        protocol: rest[..t2].to_vec(),
        instag,
    })
}

/// Every valid tag in file order (tags below 0x100 are dropped, as by libotr).
pub fn parse_instags(data: &[u8]) -> Vec<InstagEntry> {
    fgets_pieces(data).filter_map(parse_line).collect()
}

/// The whole file for these entries, in the order given.
pub fn format_instags(entries: &[InstagEntry]) -> Vec<u8> {
    let mut out = HEADER.to_vec();
    for e in entries {
        out.extend_from_slice(&e.accountname);
        out.push(b'\t');
        out.extend_from_slice(&e.protocol);
        out.extend_from_slice(format!("\t{:08x}\n", e.instag).as_bytes());
    }
    out
}

/// A fresh random instance tag, at least 0x100.
pub fn new_instag() -> u32 {
    loop {
        let mut b = [0u8; 4];
        if getrandom::fill(&mut b).is_err() {
            continue;
        }
        let v = u32::from_be_bytes(b);
        if v >= MIN_VALID_INSTAG {
            return v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_table_cases() {
        let p = |s: &str| parse_instags(s.as_bytes());
        assert_eq!(p("acct\tproto\t0000abcd\n")[0].instag, 0xabcd);
        assert_eq!(p("acct\tproto\t0000ABCD\n")[0].instag, 0xabcd);
        assert!(p("acct\tproto\t000000ff\n").is_empty());
        assert!(p("acct\tproto\t000abcd\n").is_empty());
        assert!(p("acct\tproto\t0000abcd").is_empty());
        assert!(p(std::str::from_utf8(HEADER).unwrap()).is_empty());
        assert!(p("acct\tproto\tzzzzzzzz\n").is_empty());
        let two = p("a1\tp\t00000101\na2\tp\t00000102\n");
        assert_eq!((two[0].instag, two[1].instag), (0x101, 0x102));
        assert_eq!(p("a\tp\t11111111\r\n")[0].instag, 0x1111_1111);
    }

    #[test]
    fn fixture_round_trip() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/fixtures/");
        let data = std::fs::read(format!("{root}otr.instance_tags")).unwrap();
        let e = parse_instags(&data);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].accountname.as_slice(), e[0].instag), (&b"bob"[..], 0x4baf88f0));
        assert_eq!(format_instags(&e), data);
    }

    #[test]
    fn new_tags_are_valid() {
        for _ in 0..1000 {
            assert!(new_instag() >= MIN_VALID_INSTAG);
        }
    }
}
