//! Message-level framing shared by all OTR versions: query messages, whitespace tags,
//! classification of received messages, the instance tags of a v3 message, and
//! fragments (creating them, and parsing a received one).
//!
//! Behaviour follows libotr 4.1.1 (checked against `../shared/reference/golden.tsv`).

/// Policy bits (proto.h).
pub const ALLOW_V1: u32 = 0x01;
pub const ALLOW_V2: u32 = 0x02;
pub const ALLOW_V3: u32 = 0x04;

pub const TAG_BASE: &[u8] = b" \t  \t\t\t\t \t \t \t  ";
pub const TAG_V1: &[u8] = b" \t \t  \t ";
pub const TAG_V2: &[u8] = b"  \t\t  \t ";
pub const TAG_V3: &[u8] = b"  \t\t  \t\t";

/// Message types (OtrlMessageType).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum MessageType {
    NotOtr = 0,
    TaggedPlaintext = 1,
    Query = 2,
    DhCommit = 3,
    DhKey = 4,
    RevealSig = 5,
    Signature = 6,
    V1KeyExch = 7,
    Data = 8,
    Error = 9,
    Unknown = 10,
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The default query message libotr sends for `policy` (Debian's 4.1.1 text; the
/// account name is inserted as is).
pub fn default_query_msg(ourname: &[u8], policy: u32) -> Vec<u8> {
    let mut m = b"?OTR".to_vec();
    if policy & ALLOW_V1 != 0 {
        m.push(b'?');
    }
    if policy & (ALLOW_V2 | ALLOW_V3) != 0 {
        m.push(b'v');
        if policy & ALLOW_V2 != 0 {
            m.push(b'2');
        }
        if policy & ALLOW_V3 != 0 {
            m.push(b'3');
        }
        m.push(b'?');
    }
    m.extend_from_slice(b"\n<b>");
    m.extend_from_slice(ourname);
    m.extend_from_slice(
        b"</b> has requested an <a href=\"https://otr.cypherpunks.ca/\">Off-the-Record private conversation</a>.  \
However, you do not have a plugin to support that.\n\
If you are using Pidgin in Debian or Ubuntu,install the pidgin-otr package.\n\
See <a href=\"https://otr.cypherpunks.ca/\">https://otr.cypherpunks.ca/</a> for more information.",
    );
    m
}

fn best(versions: u32, policy: u32) -> u32 {
    if policy & ALLOW_V3 != 0 && versions & 4 != 0 {
        3
    } else if policy & ALLOW_V2 != 0 && versions & 2 != 0 {
        2
    } else if policy & ALLOW_V1 != 0 && versions & 1 != 0 {
        1
    } else {
        0
    }
}

/// The best version both a query message (`?OTR?`, `?OTRv23?`, …) and `policy` allow.
pub fn query_bestversion(msg: &[u8], policy: u32) -> u32 {
    let Some(i) = find(msg, b"?OTR") else { return 0 };
    let mut s = &msg[i + 4..];
    let mut v = 0;
    if s.first() == Some(&b'?') {
        v |= 1;
        s = &s[1..];
    }
    if s.first() == Some(&b'v') {
        for &c in s[1..].iter().take_while(|&&c| c != b'?') {
            match c {
                b'2' => v |= 2,
                b'3' => v |= 4,
                _ => {}
            }
        }
    }
    best(v, policy)
}

/// A whitespace tag in `msg`: the best version it offers that `policy` allows, and the
/// byte range of the whole tag (base + 8-byte version tags).
pub fn whitespace_bestversion(msg: &[u8], policy: u32) -> Option<(u32, usize, usize)> {
    let start = find(msg, TAG_BASE)?;
    let mut end = start + TAG_BASE.len();
    let mut v = 0;
    while let Some(t) = msg.get(end..end + 8) {
        if !t.iter().all(|&c| c == b' ' || c == b'\t') {
            break;
        }
        if t == TAG_V1 {
            v |= 1;
        }
        if t == TAG_V2 {
            v |= 2;
        }
        if t == TAG_V3 {
            v |= 4;
        }
        end += 8;
    }
    Some((best(v, policy), start, end))
}

/// What kind of OTR message this is.
pub fn message_type(msg: &[u8]) -> MessageType {
    let Some(i) = find(msg, b"?OTR") else {
        return if find(msg, TAG_BASE).is_some() { MessageType::TaggedPlaintext } else { MessageType::NotOtr };
    };
    let t = &msg[i..];
    if t.starts_with(b"?OTR:AAM") || t.starts_with(b"?OTR:AAI") {
        return match t.get(8) {
            Some(b'C') => MessageType::DhCommit,
            Some(b'K') => MessageType::DhKey,
            Some(b'R') => MessageType::RevealSig,
            Some(b'S') => MessageType::Signature,
            Some(b'D') => MessageType::Data,
            _ => MessageType::Unknown,
        };
    }
    if t.starts_with(b"?OTR?") || t.starts_with(b"?OTRv") {
        MessageType::Query
    } else if t.starts_with(b"?OTR:AAEK") {
        MessageType::V1KeyExch
    } else if t.starts_with(b"?OTR:AAED") {
        MessageType::Data
    } else if t.starts_with(b"?OTR Error:") {
        MessageType::Error
    } else {
        MessageType::Unknown
    }
}

/// The protocol version of an encoded message (0 if it is none).
pub fn message_version(msg: &[u8]) -> u32 {
    match find(msg, b"?OTR") {
        Some(i) if msg[i..].starts_with(b"?OTR:AAM") => 3,
        Some(i) if msg[i..].starts_with(b"?OTR:AAI") => 2,
        Some(i) if msg[i..].starts_with(b"?OTR:AAE") => 1,
        _ => 0,
    }
}

/// Sender and receiver instance tags of a v3 encoded message, which must start with
/// `?OTR:AAM` (libotr decodes the 12 base64 characters after the header).
pub fn instance(msg: &[u8]) -> Option<(u32, u32)> {
    if !msg.starts_with(b"?OTR:AAM") || msg.len() < 21 {
        return None;
    }
    let b = crate::b64::decode(&msg[9..21]);
    if b.len() < 8 {
        return None;
    }
    Some((u32::from_be_bytes([b[0], b[1], b[2], b[3]]), u32::from_be_bytes([b[4], b[5], b[6], b[7]])))
}

/// Split `message` into `count` fragments of at most `mms` characters, as libotr does:
/// the piece size is `mms` less the header (37 for v3, 19 for v2, chosen by
/// `piece_version`), the header format by `header_version` (v3 only if it is 3: libotr
/// takes the exchange's version, 0 before any exchange, which gives the v2 format).
pub fn fragment_create(
    mms: usize,
    count: u16,
    message: &[u8],
    piece_version: u32,
    header_version: u32,
    our_instance: u32,
    their_instance: u32,
) -> Option<Vec<Vec<u8>>> {
    if count == 0 {
        return None;
    }
    let header = if piece_version == 3 { 37 } else { 19 };
    let piece = mms.checked_sub(header)?;
    let mut out = Vec::with_capacity(count as usize);
    let mut idx = 0;
    for k in 1..=count {
        let len = piece.min(message.len() - idx);
        let data = &message[idx..idx + len];
        let mut f = if header_version == 3 {
            format!("?OTR|{our_instance:08x}|{their_instance:08x},{k:05},{count:05},").into_bytes()
        } else {
            format!("?OTR,{k:05},{count:05},").into_bytes()
        };
        f.extend_from_slice(data);
        f.push(b',');
        // libotr writes the fragment with snprintf into len + header bytes.
        f.truncate(len + header - 1);
        out.push(f);
        idx += len;
    }
    Some(out)
}

/// A received fragment: its index, total, and piece.
#[derive(Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    pub k: u16,
    pub n: u16,
    pub piece: &'a [u8],
    /// The v3 header's instance tags (sender, receiver).
    pub instances: Option<(u32, u32)>,
}

/// `sscanf`-style unsigned decimal (optional '+', leading white space); the value and
/// the bytes consumed. Values above 65535 are refused (libotr's `%hu` wraps them).
fn scan_u16(s: &[u8]) -> Option<(u16, usize)> {
    let ws = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let mut i = ws;
    if s.get(i) == Some(&b'+') {
        i += 1;
    }
    let d = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if d == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in &s[i..i + d] {
        v = v.saturating_mul(10).saturating_add((c - b'0') as u32);
    }
    (v <= 65535).then_some((v as u16, i + d))
}

fn scan_hex32(s: &[u8]) -> Option<(u32, usize)> {
    let d = s.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if d == 0 || d > 8 {
        return None;
    }
    let v = u32::from_str_radix(std::str::from_utf8(&s[..d]).ok()?, 16).ok()?;
    Some((v, d))
}

/// Parse `?OTR|sender|receiver,k,n,piece,` or `?OTR,k,n,piece,` found anywhere in `msg`
/// (the v3 form is looked for first). `None` if `msg` holds no fragment header at all;
/// `Some(Err(()))` if it does but the rest is malformed (k or n 0, k > n, numbers out
/// of range, an empty piece or no closing comma).
pub fn parse_fragment(msg: &[u8]) -> Option<Result<Fragment<'_>, ()>> {
    let (mut s, v3) = if let Some(i) = find(msg, b"?OTR|") {
        (&msg[i + 5..], true)
    } else if let Some(i) = find(msg, b"?OTR,") {
        (&msg[i + 5..], false)
    } else {
        return None;
    };
    let parsed = (|| {
        let mut instances = None;
        if v3 {
            let (a, l) = scan_hex32(s)?;
            s = s[l..].strip_prefix(b"|")?;
            let (b, l) = scan_hex32(s)?;
            s = s[l..].strip_prefix(b",")?;
            instances = Some((a, b));
        }
        let (k, l) = scan_u16(s)?;
        s = s[l..].strip_prefix(b",")?;
        let (n, l) = scan_u16(s)?;
        s = s[l..].strip_prefix(b",")?;
        let len = s.iter().position(|&c| c == b',')?;
        if len == 0 || k == 0 || n == 0 || k > n {
            return None;
        }
        Some(Fragment { k, n, piece: &s[..len], instances })
    })();
    Some(parsed.ok_or(()))
}

/// The whitespace tag a sender with `policy` appends: the base tag and one 8-byte tag
/// per version it allows. v1 is never offered (we refuse it).
pub fn whitespace_tag(policy: u32) -> Vec<u8> {
    let mut t = TAG_BASE.to_vec();
    if policy & ALLOW_V2 != 0 {
        t.extend_from_slice(TAG_V2);
    }
    if policy & ALLOW_V3 != 0 {
        t.extend_from_slice(TAG_V3);
    }
    t
}

/// The best version offered that we will speak: 2 or 3, never 1 (0 for none).
pub fn speakable(v: u32) -> u32 {
    if v == 2 || v == 3 {
        v
    } else {
        0
    }
}

/// The (sender, receiver) instance tags of a v3 fragment header `?OTR|%x|%x,`, read
/// as libotr's `sscanf` reads them: 0 where a number is missing.
pub fn fragment_instance_tags(msg: &[u8]) -> (u32, u32) {
    fn hex(s: &[u8]) -> (Option<u32>, usize) {
        let mut i = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if s.len() >= i + 2 && s[i] == b'0' && (s[i + 1] | 0x20) == b'x' && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) {
            i += 2;
        }
        let d = s[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if d == 0 {
            return (None, i);
        }
        let v = s[i..i + d].iter().fold(0u32, |v, &c| v.wrapping_mul(16).wrapping_add((c as char).to_digit(16).unwrap_or(0)));
        (Some(v), i + d)
    }
    let Some(i) = find(msg, b"?OTR|") else { return (0, 0) };
    let s = &msg[i + 5..];
    let (a, n) = hex(s);
    let Some(a) = a else { return (0, 0) };
    if s.get(n) != Some(&b'|') {
        return (a, 0);
    }
    (a, hex(&s[n + 1..]).0.unwrap_or(0))
}

/// Policy bits the conversation logic reads (OtrlPolicy).
pub const REQUIRE_ENCRYPTION: u32 = 0x08;
pub const SEND_WHITESPACE_TAG: u32 = 0x10;
pub const VERSION_MASK: u32 = 0x07;

/// The state of a conversation (OtrlMessageState).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgState {
    Plaintext,
    Encrypted,
    Finished,
}

/// What sending a message from the user does (libotr's `otrl_message_sending`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendPlan {
    /// OTR is off for this buddy (or nothing applies): send the text as it is.
    AsIs,
    /// The text is a query: send our default query message instead.
    Query,
    /// Encryption is required but there is no session: keep the text for later, send a
    /// query, and report ENCRYPTION_REQUIRED.
    HoldAndQuery,
    /// Offer OTR by appending the whitespace tag.
    Tag,
    /// Encrypt it in the session.
    Encrypt,
    /// The other side ended the session: send nothing, report CONNECTION_ENDED.
    Ended,
}

pub fn plan_send(policy: u32, text_is_query: bool, state: MsgState, offer_rejected: bool) -> SendPlan {
    if policy & VERSION_MASK == 0 {
        return SendPlan::AsIs;
    }
    if text_is_query {
        return SendPlan::Query;
    }
    match state {
        MsgState::Plaintext if policy & REQUIRE_ENCRYPTION != 0 => SendPlan::HoldAndQuery,
        MsgState::Plaintext if policy & SEND_WHITESPACE_TAG != 0 && !offer_rejected => SendPlan::Tag,
        MsgState::Plaintext => SendPlan::AsIs,
        MsgState::Encrypted => SendPlan::Encrypt,
        MsgState::Finished => SendPlan::Ended,
    }
}

/// Whether our whitespace-tag offer was taken up, after receiving a message of type
/// `t` (libotr: any OTR message accepts it; plain text while it is pending rejects it).
/// `offer`: 0 not offered, 1 sent, 2 rejected, 3 accepted (OtrlOtrOffer).
pub fn offer_after(policy: u32, t: MessageType, offer: u32) -> u32 {
    if policy & SEND_WHITESPACE_TAG == 0 {
        offer
    } else if t != MessageType::NotOtr {
        3
    } else if offer == 1 {
        2
    } else {
        offer
    }
}

/// A received message's protocol version is one we take under `policy` (0 for
/// messages without one; v1 never).
pub fn version_accepted(version: u32, policy: u32) -> bool {
    match version {
        3 => policy & ALLOW_V3 != 0,
        2 => policy & ALLOW_V2 != 0,
        1 => false,
        _ => true,
    }
}

/// What a v3 message's instance tags say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceCheck {
    /// For us, from the sender instance given.
    From(u32),
    /// Addressed to another instance of ours: ignore (with an event).
    OtherInstance,
    /// Tags missing or the sender's invalid.
    Malformed,
}

/// Check a v3 message's tags (`tags` as [`instance`] read them) against our instance
/// tag. Only a D-H Commit may be addressed to no instance (receiver tag 0).
pub fn check_instances(t: MessageType, tags: Option<(u32, u32)>, ours: u32) -> InstanceCheck {
    let Some((their, to)) = tags else { return InstanceCheck::Malformed };
    let for_us = if t == MessageType::DhCommit { to == 0 || to == ours } else { to == ours };
    if !for_us {
        InstanceCheck::OtherInstance
    } else if their < 0x100 {
        InstanceCheck::Malformed
    } else {
        InstanceCheck::From(their)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(name: &str) -> String {
        let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/golden.tsv")).unwrap();
        let line = data.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}"));
        line.split('\t').nth(2).unwrap().replace("\\n", "\n").replace("\\t", "\t")
    }

    #[test]
    fn query_messages() {
        for (p, label) in [(0, "NEVER(0x00)"), (1, "ALLOW_V1(0x01)"), (2, "ALLOW_V2(0x02)"), (4, "ALLOW_V3(0x04)"), (7, "ALLOW_V1|V2|V3(0x07)"), (6, "MANUAL(0x06)"), (0x76, "OPPORTUNISTIC(0x76)"), (0x6e, "ALWAYS(0x6e)")] {
            let g = golden(&format!("otrl_proto_default_query_msg(\"alice@example.org\", {label})"));
            assert_eq!(String::from_utf8(default_query_msg(b"alice@example.org", p)).unwrap(), g, "{label}");
        }
    }

    #[test]
    fn bestversion_matches_golden() {
        let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/golden.tsv")).unwrap();
        let mut n = 0;
        for line in data.lines().filter(|l| l.starts_with("otrl_proto_query_bestversion(")) {
            let f: Vec<&str> = line.split('\t').collect();
            let args = &f[0]["otrl_proto_query_bestversion(\"".len()..];
            let (q, pol) = args.split_once("\", ").unwrap();
            let pol = match pol.trim_end_matches(')') {
                "ALLOW_V1" => 1,
                "ALLOW_V2" => 2,
                "ALLOW_V3" => 4,
                "V1|V2|V3" => 7,
                "V2|V3" => 6,
                x => panic!("{x}"),
            };
            assert_eq!(query_bestversion(q.as_bytes(), pol).to_string(), f[2], "{line}");
            n += 1;
        }
        assert_eq!(n, 50);
    }

    #[test]
    fn whitespace_and_types() {
        let mut m = b"hi".to_vec();
        m.extend_from_slice(TAG_BASE);
        m.extend_from_slice(TAG_V2);
        m.extend_from_slice(TAG_V3);
        m.extend_from_slice(b"there");
        assert_eq!(whitespace_bestversion(&m, 7), Some((3, 2, 34)));
        assert_eq!(whitespace_bestversion(&m, 2), Some((2, 2, 34)));
        assert_eq!(message_type(&m), MessageType::TaggedPlaintext);
        for (s, t, v) in [
            ("hello", 0, 0),
            ("?OTR?v2?", 2, 0),
            ("?OTR Error: boom", 9, 0),
            ("?OTR:AAIC", 3, 2),
            ("?OTR:AAMD", 8, 3),
            ("?OTR:AAIK", 4, 2),
            ("?OTR:AAIR", 5, 2),
            ("?OTR:AAMS", 6, 3),
            ("?OTR:AAED", 8, 1),
            ("?OTR:AAEK", 7, 1),
            ("?OTR:AAMZ", 10, 3),
            ("?OTR:ABCD", 10, 0),
            ("?OTR|00000100|00000101,00001,00002,?OTR:AAMD,", 10, 0),
            ("?OTR,00001,00002,?OTR:AAID,", 10, 0),
        ] {
            assert_eq!((message_type(s.as_bytes()) as u32, message_version(s.as_bytes())), (t, v), "{s}");
        }
        assert_eq!(instance(b"?OTR:AAMCAAABAAAAAAAAAAVoZWxsbw==."), Some((0x100, 0)));
        assert_eq!(instance(b"?OTR:AAMC"), None);
        assert_eq!(instance(b"?OTR:AAIC.xxxxxxxxxxxxxxxxxx"), None);
    }

    #[test]
    fn fragments() {
        let msg = b"?OTR:AAMDabcdefghijklmnopqrstuvwxyz0123456789.";
        let f = fragment_create(57, 3, msg, 3, 3, 0x101, 0x102).unwrap();
        assert_eq!(f[0], b"?OTR|00000101|00000102,00001,00003,?OTR:AAMDabcdefghijk,");
        assert_eq!(f[1], b"?OTR|00000101|00000102,00002,00003,lmnopqrstuvwxyz01234,");
        assert_eq!(f[2], b"?OTR|00000101|00000102,00003,00003,56789.,");
        let f = fragment_create(39, 3, msg, 2, 2, 0, 0).unwrap();
        assert_eq!(f[0], b"?OTR,00001,00003,?OTR:AAMDabcdefghijk,");
        assert_eq!(f[2], b"?OTR,00003,00003,56789.,");
        assert!(fragment_create(57, 0, msg, 3, 3, 0, 0).is_none());
        let p = parse_fragment(b"?OTR|00000101|00000102,00002,00003,lmno,").unwrap().unwrap();
        assert_eq!((p.k, p.n, p.piece, p.instances), (2, 3, &b"lmno"[..], Some((0x101, 0x102))));
        assert!(parse_fragment(b"hello").is_none());
        for bad in [
            &b"?OTR,0,1,x,"[..],
            b"?OTR,1,0,x,",
            b"?OTR,2,1,x,",
            b"?OTR,1,1,,",
            b"?OTR,1,1,x",
            b"?OTR,70000,70001,x,",
            b"?OTR,a,1,x,",
            b"?OTR,4294967297,1,x,",
            b"?OTR|zz|1,1,1,x,",
        ] {
            assert_eq!(parse_fragment(bad), Some(Err(())), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_fragment(b"?OTR,00001,00001,x,").unwrap().unwrap().k, 1);
    }

    #[test]
    fn fragment_tags_and_whitespace_tag() {
        assert_eq!(fragment_instance_tags(b"?OTR|0000abcd|00000101,1,2,x,"), (0xabcd, 0x101));
        assert_eq!(fragment_instance_tags(b"x ?OTR|0x100| 200,"), (0x100, 0x200));
        assert_eq!(fragment_instance_tags(b"?OTR|zz|1,"), (0, 0));
        assert_eq!(fragment_instance_tags(b"?OTR|101,1,1,x,"), (0x101, 0));
        assert_eq!(fragment_instance_tags(b"?OTR:AAMD"), (0, 0));
        let t = whitespace_tag(ALLOW_V2 | ALLOW_V3 | ALLOW_V1);
        assert_eq!(t.len(), 16 + 16);
        assert_eq!(whitespace_bestversion(&t, ALLOW_V2 | ALLOW_V3), Some((3, 0, 32)));
        assert_eq!(speakable(1), 0);
    }

    #[test]
    fn send_plans() {
        use MsgState::*;
        let opp = ALLOW_V2 | ALLOW_V3 | SEND_WHITESPACE_TAG | 0x20 | 0x40;
        assert_eq!(plan_send(0, true, Plaintext, false), SendPlan::AsIs);
        assert_eq!(plan_send(opp, true, Encrypted, false), SendPlan::Query);
        assert_eq!(plan_send(opp, false, Plaintext, false), SendPlan::Tag);
        assert_eq!(plan_send(opp, false, Plaintext, true), SendPlan::AsIs);
        assert_eq!(plan_send(opp | REQUIRE_ENCRYPTION, false, Plaintext, true), SendPlan::HoldAndQuery);
        assert_eq!(plan_send(ALLOW_V2 | ALLOW_V3, false, Plaintext, false), SendPlan::AsIs);
        assert_eq!(plan_send(opp, false, Encrypted, false), SendPlan::Encrypt);
        assert_eq!(plan_send(opp, false, Finished, false), SendPlan::Ended);
    }

    #[test]
    fn receive_checks() {
        use MessageType::*;
        assert_eq!(offer_after(SEND_WHITESPACE_TAG, NotOtr, 1), 2);
        assert_eq!(offer_after(SEND_WHITESPACE_TAG, Data, 1), 3);
        assert_eq!(offer_after(0, Data, 1), 1);
        assert_eq!(offer_after(SEND_WHITESPACE_TAG, NotOtr, 0), 0);
        assert!(version_accepted(0, 0) && !version_accepted(1, 7) && !version_accepted(3, ALLOW_V2));
        assert_eq!(check_instances(DhCommit, Some((0x101, 0)), 0x200), InstanceCheck::From(0x101));
        assert_eq!(check_instances(DhKey, Some((0x101, 0)), 0x200), InstanceCheck::OtherInstance);
        assert_eq!(check_instances(Data, Some((0x101, 0x201)), 0x200), InstanceCheck::OtherInstance);
        assert_eq!(check_instances(Data, Some((0xff, 0x200)), 0x200), InstanceCheck::Malformed);
        assert_eq!(check_instances(Data, None, 0x200), InstanceCheck::Malformed);
    }
}

/// The flags byte of an encoded data message (v2 or v3), as libotr's
/// `otrl_proto_data_read_flags` finds it: the text from `?OTR:` to the next `.` (or the
/// end) is decoded, the header checked, and the byte after it returned.
pub fn data_read_flags(msg: &[u8]) -> Option<u8> {
    let i = find(msg, b"?OTR:")?;
    let body = &msg[i + 5..];
    let end = body.iter().position(|&c| c == b'.').unwrap_or(body.len());
    let raw = crate::b64::decode(&body[..end]);
    if raw.len() < 3 || raw[0] != 0 || raw[2] != 0x03 || !(1..=3).contains(&raw[1]) {
        return None;
    }
    match raw[1] {
        3 => raw.get(3 + 8).copied(),
        2 => raw.get(3).copied(),
        _ => Some(0),
    }
}

/// Most bytes a reassembled message may grow to. libotr has no bound (an attacker could
/// make it hold 65535 pieces of any size); no real client sends anything near this.
pub const MAX_REASSEMBLED: usize = 4 << 20;
