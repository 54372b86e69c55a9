//! Base64 as libotr does it: standard alphabet with `=` padding on encode; a tolerant
//! decoder (see [`decode`]).
//! And the `?OTR:` … `.` framing of encoded OTR messages.

use base64::Engine;

/// Standard base64 with padding.
pub fn encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Value of a base64 character; `None` for anything else.
fn val(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decode as libotr's `otrl_base64_decode` does (never fails; at most
/// `max_decoded_len(input.len())` bytes): characters outside the alphabet are skipped;
/// the first `=` ends the data, a group of k < 4 characters before it giving k-1
/// bytes; a group left incomplete at the end without `=` gives nothing. (Rules taken
/// from the real library's output on random input.)
pub fn decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(max_decoded_len(input.len()));
    let mut g = [0u8; 4];
    let mut n: usize = 0;
    let bytes = |g: &[u8; 4]| [(g[0] << 2) | (g[1] >> 4), (g[1] << 4) | (g[2] >> 2), (g[2] << 6) | g[3]];
    for &c in input {
        if c == b'=' {
            out.extend_from_slice(&bytes(&g)[..n.saturating_sub(1)]);
            return out;
        }
        let Some(v) = val(c) else { continue };
        g[n] = v;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&bytes(&g));
            g = [0; 4];
            n = 0;
        }
    }
    out
}

/// `OTRL_B64_MAX_DECODED_SIZE`.
pub fn max_decoded_len(encoded: usize) -> usize {
    encoded.div_ceil(4) * 3
}

/// `?OTR:` + base64 + `.`
pub fn otr_encode(data: &[u8]) -> String {
    format!("?OTR:{}.", encode(data))
}

/// The bytes of the first `?OTR:…​.` in `msg`; `None` when there is no `?OTR:` or no
/// `.` after it (libotr returns -2 then).
pub fn otr_decode(msg: &[u8]) -> Option<Vec<u8>> {
    let start = msg.windows(5).position(|w| w == b"?OTR:")?;
    let body = &msg[start + 5..];
    let end = body.iter().position(|&b| b == b'.')?;
    Some(decode(&body[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        assert_eq!(encode(b"hello world"), "aGVsbG8gd29ybGQ=");
        assert_eq!(decode(b"aGVs bG8=\n"), b"hello");
        let sample = [0, 3, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'];
        assert_eq!(otr_encode(&sample), "?OTR:AAMCAAABAAAAAAAAAAVoZWxsbw==.");
        assert_eq!(otr_decode(b"?OTR:AAMCAAABAAAAAAAAAAVoZWxsbw==.").unwrap(), sample);
        assert!(otr_decode(b"?OTR:AAMC").is_none());
        assert!(otr_decode(b"hello").is_none());
        assert_eq!(max_decoded_len(5), 6);
        assert_eq!(max_decoded_len(8), 6);
        assert_eq!(max_decoded_len(0), 0);
    }

    #[test]
    fn round_trips_and_odd_input() {
        for n in 0..70usize {
            let d: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(encode(&d).as_bytes()), d);
        }
        assert!(decode(b"===").is_empty());
        assert_eq!(decode(b"AAA").len(), 0, "partial group ignored");
        // Outputs of the real otrl_base64_decode:
        assert!(decode(b"a===").is_empty());
        assert_eq!(decode(b"ab=c"), [0x69]);
        assert_eq!(decode(b"QQ==QQ=="), [0x41]);
        assert_eq!(decode(b"/C01bC="), [0xfc, 0x2d, 0x35, 0x6c]);
        assert!(decode(b"Zm8").is_empty());
        assert_eq!(decode(b"0./ =. "), [0xd3]);
        assert!(otr_decode(b"?OTR:.").unwrap().is_empty());
        assert!(otr_decode(b"?OTR:===.").unwrap().is_empty());
    }
}
