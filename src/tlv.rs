//! TLV records carried after the NUL in a data message's plaintext:
//! type (2 bytes BE), length (2 bytes BE), value.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    pub typ: u16,
    pub data: Vec<u8>,
}

/// Parse records until fewer than 4 bytes remain or a record's length exceeds what is
/// left (libotr stops there and keeps what it had).
pub fn parse(mut buf: &[u8]) -> Vec<Tlv> {
    let mut out = Vec::new();
    while buf.len() >= 4 {
        let typ = u16::from_be_bytes([buf[0], buf[1]]);
        let len = u16::from_be_bytes([buf[2], buf[3]]) as usize;
        buf = &buf[4..];
        if buf.len() < len {
            break;
        }
        out.push(Tlv { typ, data: buf[..len].to_vec() });
        buf = &buf[len..];
    }
    out
}

/// Serialise records back to back. A record's length field is 16 bits: a longer value
/// is cut to 65535 bytes (never written with a length that disagrees with it).
pub fn serialize(tlvs: &[Tlv], out: &mut Vec<u8>) {
    for t in tlvs {
        let d = &t.data[..t.data.len().min(u16::MAX as usize)];
        out.extend_from_slice(&t.typ.to_be_bytes());
        out.extend_from_slice(&(d.len() as u16).to_be_bytes());
        out.extend_from_slice(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        let t = vec![Tlv { typ: 1, data: vec![] }, Tlv { typ: 8, data: b"abcd".to_vec() }];
        let mut b = Vec::new();
        serialize(&t, &mut b);
        assert_eq!(b, [0, 1, 0, 0, 0, 8, 0, 4, b'a', b'b', b'c', b'd']);
        assert_eq!(parse(&b), t);
        assert_eq!(parse(&b[..b.len() - 1]).len(), 1, "truncated: stops, keeps the first");
        assert!(parse(&[0, 1, 0]).is_empty());
        let many = vec![0u8; 4 * 10_000];
        assert_eq!(parse(&many).len(), 10_000);
    }

    #[test]
    fn over_long_values_are_cut_not_misframed() {
        let mut b = Vec::new();
        serialize(&[Tlv { typ: 8, data: vec![1; 70_000] }, Tlv { typ: 1, data: vec![] }], &mut b);
        assert_eq!(b.len(), 4 + 65535 + 4);
        let back = parse(&b);
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].data.len(), 65535);
        assert_eq!(back[1].typ, 1);
    }
}
