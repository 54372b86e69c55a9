//! S-expressions as libgcrypt reads and prints them (the private-key file format).
//!
//! [`parse`] accepts what `gcry_sexp_new(..., autodetect=0)` accepts — tokens, quoted
//! strings with escapes, `#hex#`, `|base64|`, length-prefixed (canonical) atoms, display
//! hints — and fails with the same libgcrypt error codes, checked against the real
//! library (see the tests). [`print_advanced`] writes `GCRYSEXP_FMT_ADVANCED` form byte
//! for byte. Parsing is iterative (no recursion) and allocates at most in proportion to
//! the input; nesting is bounded by [`MAX_DEPTH`].

use crate::error::{Error, Result};

/// libgcrypt's s-expression error codes (GPG_ERR_SEXP_*).
pub mod code {
    pub const INV_LEN_SPEC: u16 = 201;
    pub const STRING_TOO_LONG: u16 = 202;
    pub const UNMATCHED_PAREN: u16 = 203;
    pub const BAD_CHARACTER: u16 = 205;
    pub const BAD_QUOTATION: u16 = 206;
    pub const ZERO_PREFIX: u16 = 207;
    pub const UNEXPECTED_PUNC: u16 = 210;
    pub const BAD_HEX_CHAR: u16 = 211;
    pub const ODD_HEX_NUMBERS: u16 = 212;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sexp {
    Atom(Vec<u8>),
    List(Vec<Sexp>),
}

/// Deepest nesting we accept. libgcrypt has no limit; a key file nests 4 deep. The
/// bound keeps recursive drops and clones of parsed trees far from any stack limit.
pub const MAX_DEPTH: usize = 512;

const TOKEN_PUNCT: &[u8] = b"-./_:*+=";

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || TOKEN_PUNCT.contains(&c)
}

/// A byte that starts or continues a token when reading. libgcrypt tests
/// `strchr(tokenchars, c)`, which also matches the NUL byte (the string's terminator), so
/// a NUL reads as part of a token: `(name \0bob)` names "\0bob" (C sees ""), and
/// `(privkeys\0)` is the token "privkeys\0".
fn is_token_byte(c: u8) -> bool {
    c == 0 || is_token_char(c)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn err(c: u16) -> Error {
    Error::Sexp(c)
}

impl Sexp {
    pub fn atom(b: &[u8]) -> Sexp {
        Sexp::Atom(b.to_vec())
    }

    /// The atom's bytes, if it is one.
    pub fn as_atom(&self) -> Option<&[u8]> {
        match self {
            Sexp::Atom(a) => Some(a),
            Sexp::List(_) => None,
        }
    }

    /// The list's items, if it is one.
    pub fn items(&self) -> Option<&[Sexp]> {
        match self {
            Sexp::List(v) => Some(v),
            Sexp::Atom(_) => None,
        }
    }

    /// `gcry_sexp_nth_data(self, n)`: the n-th item of this list if it is an atom.
    pub fn nth_data(&self, n: usize) -> Option<&[u8]> {
        self.items()?.get(n)?.as_atom()
    }

    /// `gcry_sexp_find_token`: depth-first, the first list (this one included) whose
    /// first item is the atom `name`.
    pub fn find_token(&self, name: &[u8]) -> Option<&Sexp> {
        let mut stack = vec![self];
        while let Some(s) = stack.pop() {
            if let Sexp::List(items) = s {
                if items.first().and_then(Sexp::as_atom) == Some(name) {
                    return Some(s);
                }
                stack.extend(items.iter().rev());
            }
        }
        None
    }
}

fn unhex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Decode a base64 atom body (alphabet and '=' only, as libgcrypt demands).
fn b64(body: &[u8]) -> Result<Vec<u8>> {
    use base64::Engine;
    if body.iter().any(|&c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=')) {
        return Err(err(code::BAD_CHARACTER));
    }
    base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| err(code::BAD_CHARACTER))
}

/// Read a quoted string starting after the opening quote; returns the bytes and the
/// index just past the closing quote.
fn quoted(input: &[u8], mut i: usize) -> Result<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    loop {
        let Some(&c) = input.get(i) else { return Err(err(code::UNMATCHED_PAREN)) };
        i += 1;
        match c {
            b'"' => return Ok((out, i)),
            b'\\' => {
                let Some(&e) = input.get(i) else { return Err(err(code::UNMATCHED_PAREN)) };
                i += 1;
                match e {
                    b'b' => out.push(8),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(0x0b),
                    b'n' => out.push(b'\n'),
                    b'f' => out.push(0x0c),
                    b'r' => out.push(b'\r'),
                    b'"' | b'\'' | b'\\' => out.push(e),
                    b'x' => {
                        let (Some(h), Some(l)) =
                            (input.get(i).copied().and_then(unhex), input.get(i + 1).copied().and_then(unhex))
                        else {
                            return Err(err(code::BAD_QUOTATION));
                        };
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        let (Some(&b), Some(&c2)) = (input.get(i), input.get(i + 1)) else {
                            return Err(err(code::BAD_QUOTATION));
                        };
                        if !(b'0'..=b'7').contains(&b) || !(b'0'..=b'7').contains(&c2) {
                            return Err(err(code::BAD_QUOTATION));
                        }
                        out.push(((e - b'0') << 6) | ((b - b'0') << 3) | (c2 - b'0'));
                        i += 2;
                    }
                    b'\n' | b'\r' => {
                        // Line continuation: "\<LF>", "\<CR>", "\<CR><LF>", "\<LF><CR>".
                        if let Some(&n) = input.get(i) {
                            if (n == b'\n' || n == b'\r') && n != e {
                                i += 1;
                            }
                        }
                    }
                    _ => return Err(err(code::BAD_QUOTATION)),
                }
            }
            _ => out.push(c),
        }
    }
}

/// Read `#hex#` starting after the first '#'.
fn hexatom(input: &[u8], mut i: usize) -> Result<(Vec<u8>, usize)> {
    let mut nibbles = Vec::new();
    loop {
        let Some(&c) = input.get(i) else { return Err(err(code::UNMATCHED_PAREN)) };
        i += 1;
        if c == b'#' {
            break;
        }
        if is_space(c) {
            continue;
        }
        nibbles.push(unhex(c).ok_or(err(code::BAD_HEX_CHAR))?);
    }
    if nibbles.len() % 2 == 1 {
        return Err(err(code::ODD_HEX_NUMBERS));
    }
    Ok((nibbles.chunks(2).map(|p| p[0] << 4 | p[1]).collect(), i))
}

/// Read `|base64|` starting after the first '|'.
fn b64atom(input: &[u8], i: usize) -> Result<(Vec<u8>, usize)> {
    let Some(len) = input[i..].iter().position(|&c| c == b'|') else {
        return Err(err(code::UNMATCHED_PAREN));
    };
    Ok((b64(&input[i..i + len])?, i + len + 1))
}

/// Parse a whole buffer into its top-level items.
pub fn parse_items(input: &[u8]) -> Result<Vec<Sexp>> {
    let mut stack: Vec<Vec<Sexp>> = vec![Vec::new()];
    let mut in_hint = false;
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        let atom: Option<Vec<u8>>;
        if is_space(c) {
            i += 1;
            continue;
        } else if c == b'(' {
            if stack.len() > MAX_DEPTH {
                return Err(err(code::BAD_CHARACTER));
            }
            stack.push(Vec::new());
            i += 1;
            continue;
        } else if c == b')' {
            if stack.len() == 1 {
                return Err(err(code::UNMATCHED_PAREN));
            }
            let l = stack.pop().expect("depth checked");
            stack.last_mut().expect("outer").push(Sexp::List(l));
            i += 1;
            continue;
        } else if c == b'[' {
            in_hint = true;
            i += 1;
            continue;
        } else if c == b']' {
            in_hint = false;
            i += 1;
            continue;
        } else if c.is_ascii_digit() {
            // Length-prefixed atom: N:raw, N"quoted", N#hex#, N|base64|.
            let digits = input[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let spec = &input[i..i + digits];
            let next = input.get(i + digits).copied();
            if !matches!(next, Some(b':' | b'"' | b'#' | b'|')) {
                return Err(err(if next.is_none() { code::UNMATCHED_PAREN } else { code::INV_LEN_SPEC }));
            }
            if spec[0] == b'0' {
                return Err(err(code::ZERO_PREFIX));
            }
            let n: usize = std::str::from_utf8(spec)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(err(code::STRING_TOO_LONG))?;
            i += digits + 1;
            let (a, ni) = match next {
                Some(b':') => {
                    if n > input.len() - i {
                        return Err(err(code::STRING_TOO_LONG));
                    }
                    (input[i..i + n].to_vec(), i + n)
                }
                Some(b'"') => quoted(input, i)?,
                Some(b'#') => hexatom(input, i)?,
                _ => b64atom(input, i)?,
            };
            i = ni;
            atom = Some(a);
        } else if c == b'"' {
            let (a, ni) = quoted(input, i + 1)?;
            i = ni;
            atom = Some(a);
        } else if c == b'#' {
            let (a, ni) = hexatom(input, i + 1)?;
            i = ni;
            atom = Some(a);
        } else if c == b'|' {
            let (a, ni) = b64atom(input, i + 1)?;
            i = ni;
            atom = Some(a);
        } else if is_token_byte(c) {
            let n = input[i..].iter().take_while(|&&b| is_token_byte(b)).count();
            atom = Some(input[i..i + n].to_vec());
            i += n;
        } else if c == b'&' || c == b'\\' || c == b'{' || c == b'}' {
            return Err(err(code::UNEXPECTED_PUNC));
        } else {
            return Err(err(code::BAD_CHARACTER));
        }
        if let Some(a) = atom {
            // A display hint's content is not part of the value.
            if !in_hint {
                stack.last_mut().expect("outer").push(Sexp::Atom(a));
            }
        }
    }
    if stack.len() != 1 {
        return Err(err(code::UNMATCHED_PAREN));
    }
    Ok(stack.pop().expect("top level"))
}

/// Parse a buffer holding one expression (the first top-level item).
pub fn parse(input: &[u8]) -> Result<Sexp> {
    parse_items(input)?.into_iter().next().ok_or(err(code::UNMATCHED_PAREN))
}

// ---------------------------------------------------------------------------------
// Printing (GCRYSEXP_FMT_ADVANCED)

/// How libgcrypt's advanced printer renders an atom: 0 hex, 1 quoted string, 2 token.
fn encoding(b: &[u8]) -> u8 {
    if b.is_empty() {
        return 1;
    }
    if b[0] & 0x80 != 0 || b[0] == 0 {
        return 0;
    }
    let mut token = true;
    for &c in b {
        if (c < 0x20 || (0x7f..=0xa0).contains(&c)) && !b"\x08\t\x0b\n\x0c\r\"'\\".contains(&c) {
            return 0;
        }
        if !is_token_char(c) {
            token = false;
        }
    }
    if token && !b[0].is_ascii_digit() {
        2
    } else {
        1
    }
}

fn print_atom(b: &[u8], out: &mut Vec<u8>) {
    match encoding(b) {
        2 => out.extend_from_slice(b),
        1 => {
            out.push(b'"');
            for &c in b {
                match c {
                    8 => out.extend_from_slice(b"\\b"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    0x0b => out.extend_from_slice(b"\\v"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    0x0c => out.extend_from_slice(b"\\f"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'"' => out.extend_from_slice(b"\\\""),
                    b'\'' => out.extend_from_slice(b"\\'"),
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    c if c < 0x20 || (0x7f..=0xa0).contains(&c) => {
                        out.extend_from_slice(format!("\\x{c:02x}").as_bytes())
                    }
                    c => out.push(c),
                }
            }
            out.push(b'"');
        }
        _ => {
            out.push(b'#');
            for c in b {
                out.extend_from_slice(format!("{c:02X}").as_bytes());
            }
            out.push(b'#');
        }
    }
}

/// A flat event stream of an expression, as libgcrypt stores it.
enum Ev<'a> {
    Open,
    Close,
    Data(&'a [u8]),
}

fn events(s: &Sexp) -> Vec<Ev<'_>> {
    let mut out = Vec::new();
    // Iterative walk: (node, index of next child) pairs.
    let mut stack: Vec<(&Sexp, usize)> = vec![(s, 0)];
    while let Some((node, idx)) = stack.pop() {
        match node {
            Sexp::Atom(a) => out.push(Ev::Data(a)),
            Sexp::List(items) => {
                if idx == 0 {
                    out.push(Ev::Open);
                }
                if idx < items.len() {
                    stack.push((node, idx + 1));
                    stack.push((&items[idx], 0));
                } else {
                    out.push(Ev::Close);
                }
            }
        }
    }
    out
}

/// `gcry_sexp_sprint(s, GCRYSEXP_FMT_ADVANCED)` (without the trailing NUL).
pub fn print_advanced(s: &Sexp) -> Vec<u8> {
    let ev = events(s);
    let mut out = Vec::new();
    let mut indent = 0usize;
    for (k, e) in ev.iter().enumerate() {
        let next = ev.get(k + 1);
        match e {
            Ev::Open => {
                if indent > 0 {
                    out.push(b'\n');
                    out.extend(std::iter::repeat_n(b' ', indent));
                }
                out.push(b'(');
                indent += 1;
            }
            Ev::Close => {
                out.push(b')');
                indent = indent.saturating_sub(1);
                if matches!(next, Some(Ev::Close)) {
                    out.push(b'\n');
                    out.extend(std::iter::repeat_n(b' ', indent));
                } else if let Some(Ev::Data(_)) = next {
                    out.push(b'\n');
                    out.extend(std::iter::repeat_n(b' ', indent));
                }
            }
            Ev::Data(a) => {
                print_atom(a, &mut out);
                if !matches!(next, Some(Ev::Close)) {
                    out.push(b' ');
                }
            }
        }
    }
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(s: &[u8]) -> Option<u16> {
        match parse_items(s) {
            Ok(_) => None,
            Err(Error::Sexp(c)) => Some(c),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn errors_like_libgcrypt() {
        // Codes the real libgcrypt 1.10 gives (through otrl_privkey_read).
        let cases: &[(&[u8], Option<u16>)] = &[
            (b"(privkeys", Some(203)),
            (b"privkeys)", Some(203)),
            (b"(privkeys))", Some(203)),
            (b")", Some(203)),
            (b"(", Some(203)),
            (b"()", None),
            (b"hello world", None),
            (b"(8:privkeys)", None),
            (b"(9:privkeys)", Some(203)),
            (b"(100:privkeys)", Some(202)),
            (b"(\"privkeys\")", None),
            (b"(#707269766b657973#)", None),
            (b"(#707269766b65797#)", Some(212)),
            (b"(#7072zz#)", Some(211)),
            (b"(|cHJpdmtleXM=|)", None),
            (b"(|cHJp dmtl eXM=|)", Some(205)),
            (b"(|!!|)", Some(205)),
            (b"(privkeys &)", Some(210)),
            (b"(privkeys \x01)", Some(205)),
            (b"(privkeys [hint]x)", None),
            (b"(privkeys [hint])", None),
            (b"(privkeys \"unterminated)", Some(203)),
            (b"(privkeys \"a\\x41\")", None),
            (b"(privkeys \"\\q\")", Some(206)),
            (b"(privkeys 0:)", Some(207)),
            (b"(privkeys 01:a)", Some(207)),
            (b"(privkeys 1:)", Some(203)),
            (b"(privkeys 3\"abc\")", None),
            (b"(privkeys 2#4142#)", None),
            (b"(privkeys 123)", Some(201)),
            (b"(privkeys 9x)", Some(201)),
            (b"(privkeys -x)", None),
            // NUL bytes are token characters to libgcrypt (see is_token_byte).
            (b"(privkeys\0)", None),
            (b"\0(privkeys)", None),
            (b"(privkeys \0)", None),
            (b"(privkeys #00\0#)", Some(211)),
            (b"(privkeys |AA\0|)", Some(205)),
        ];
        for (input, want) in cases {
            assert_eq!(code_of(input), *want, "{}", String::from_utf8_lossy(input));
        }
        assert_eq!(parse(b"(privkeys \"a\\x41\")").unwrap(), Sexp::List(vec![Sexp::atom(b"privkeys"), Sexp::atom(b"aA")]));
        assert_eq!(parse(b"(|cHJpdmtleXM=|)").unwrap(), Sexp::List(vec![Sexp::atom(b"privkeys")]));
        assert_eq!(parse(b"(pri\0vkeys\0 \0x)").unwrap(), Sexp::List(vec![Sexp::atom(b"pri\0vkeys\0"), Sexp::atom(b"\0x")]));
    }

    #[test]
    fn atoms_print_like_libgcrypt() {
        // ../shared/reference/sexp-probe.tsv
        let cases: &[(&[u8], &[u8])] = &[
            (b"bob", b"bob"),
            (b"alice@example.org", b"\"alice@example.org\""),
            (b"quote\"inside", b"\"quote\\\"inside\""),
            (b"back\\slash", b"\"back\\\\slash\""),
            (b"tab\there", b"\"tab\\there\""),
            (b"new\nline", b"\"new\\nline\""),
            ("café".as_bytes(), "\"café\"".as_bytes()),
            (b"", b"\"\""),
            (b"123", b"\"123\""),
            (b"1abc", b"\"1abc\""),
            (b"a-b.c/d_e:f*g+h=i", b"a-b.c/d_e:f*g+h=i"),
            (b"#hash", b"\"#hash\""),
            (b"x\x01y", b"#780179#"),
        ];
        for (atom, want) in cases {
            let s = Sexp::List(vec![Sexp::atom(b"name"), Sexp::atom(atom)]);
            let mut w = b"(name ".to_vec();
            w.extend_from_slice(want);
            w.extend_from_slice(b")\n");
            assert_eq!(print_advanced(&s), w);
            assert_eq!(parse(&print_advanced(&s)).unwrap(), s, "round trip");
        }
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let mut deep = vec![b'('; 1_000_000];
        deep.extend(vec![b')'; 1_000_000]);
        assert!(parse(&deep).is_err());
        let mut ok = vec![b'('; MAX_DEPTH];
        ok.extend(vec![b')'; MAX_DEPTH]);
        let s = parse(&ok).unwrap();
        assert!(print_advanced(&s).len() > 2 * MAX_DEPTH);
    }

    #[test]
    fn find_token_depth_first() {
        let s = parse(b"(account (x (name a)) (name b))").unwrap();
        assert_eq!(s.find_token(b"name").unwrap().nth_data(1), Some(&b"a"[..]));
        assert!(s.find_token(b"nope").is_none());
    }
}
