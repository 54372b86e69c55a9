//! The private-key file (`otr.private_key`): `(privkeys (account (name …) (protocol …)
//! (private-key (dsa (p …) (q …) (g …) (y …) (x …)))) …)`, read with libotr's structure
//! checks and written exactly as libotr writes it.

use crate::error::{Error, Result};
use crate::sexp::{self, Sexp};
use zeroize::Zeroize;

/// One account's key as stored in the file. `privkey` is the whole `(private-key …)`
/// expression as read, so that rewriting the file keeps it as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub accountname: Vec<u8>,
    pub protocol: Vec<u8>,
    pub privkey: Sexp,
}

/// The DSA numbers of a key as unsigned big-endian magnitudes. `x` is absent when the
/// file holds no private part (such a key loads but cannot sign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsaMpis {
    pub p: Vec<u8>,
    pub q: Vec<u8>,
    pub g: Vec<u8>,
    pub y: Vec<u8>,
    pub x: Option<Vec<u8>>,
}

impl Drop for DsaMpis {
    fn drop(&mut self) {
        if let Some(x) = self.x.as_mut() {
            x.zeroize();
        }
    }
}

/// `gcry_sexp_nth_mpi(find_token(name), 1, USG)` as a minimal magnitude.
fn mpi_of(key: &Sexp, name: &[u8]) -> Option<Vec<u8>> {
    let a = key.find_token(name)?.nth_data(1)?;
    let z = a.iter().take_while(|&&b| b == 0).count();
    Some(a[z..].to_vec())
}

/// Two's-complement ("STD") encoding of a magnitude, as libgcrypt stores MPIs it
/// generated: a leading zero byte when the top bit is set; zero is the empty string.
fn std_encoding(mag: &[u8]) -> Vec<u8> {
    let m = &mag[mag.iter().take_while(|&&b| b == 0).count()..];
    let mut v = Vec::with_capacity(m.len() + 1);
    if m.first().is_some_and(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(m);
    v
}

impl KeyRecord {
    /// The DSA numbers (p, q, g, y required under a `dsa` list).
    pub fn dsa_mpis(&self) -> Result<DsaMpis> {
        let dsa = self.privkey.find_token(b"dsa").ok_or(Error::UnusableSecretKey)?;
        let get = |n: &[u8]| mpi_of(dsa, n).ok_or(Error::UnusableSecretKey);
        Ok(DsaMpis { p: get(b"p")?, q: get(b"q")?, g: get(b"g")?, y: get(b"y")?, x: mpi_of(dsa, b"x") })
    }

    /// The record libotr stores for a freshly generated key.
    pub fn from_dsa(accountname: &[u8], protocol: &[u8], m: &DsaMpis) -> KeyRecord {
        let mut parts = vec![Sexp::atom(b"dsa")];
        let mut add = |n: &[u8], v: &[u8]| parts.push(Sexp::List(vec![Sexp::atom(n), Sexp::Atom(std_encoding(v))]));
        add(b"p", &m.p);
        add(b"q", &m.q);
        add(b"g", &m.g);
        add(b"y", &m.y);
        if let Some(x) = &m.x {
            add(b"x", x);
        }
        KeyRecord {
            accountname: accountname.to_vec(),
            protocol: protocol.to_vec(),
            privkey: Sexp::List(vec![Sexp::atom(b"private-key"), Sexp::List(parts)]),
        }
    }
}

/// The accounts of a key file, in file order.
///
/// Like libotr: the first top-level list must begin with the token `privkeys`; every
/// further item (libgcrypt counts the items of all top-level lists) must be a list
/// headed `account`, in which `name`, `protocol` and `private-key` are found by token
/// search and must hold a `dsa` key with p, q, g and y. Structural problems give
/// `UnusableSecretKey`, syntax errors libgcrypt's code. Empty input is `InvalidValue`
/// (libotr reports an empty file with whatever `errno` held; the FFI layer does that).
pub fn parse_privkey_file(data: &[u8]) -> Result<Vec<KeyRecord>> {
    if data.is_empty() {
        return Err(Error::InvalidValue);
    }
    let items = sexp::parse_items(data)?;
    let Some(Sexp::List(_)) = items.first() else {
        return Err(Error::UnusableSecretKey);
    };
    let elems: Vec<&Sexp> = items.iter().filter_map(Sexp::items).flatten().collect();
    if elems.first().and_then(|e| e.as_atom()) != Some(b"privkeys") {
        return Err(Error::UnusableSecretKey);
    }
    let mut out = Vec::new();
    for acct in &elems[1..] {
        if acct.nth_data(0) != Some(b"account") {
            return Err(Error::UnusableSecretKey);
        }
        let name = acct.find_token(b"name").and_then(|s| s.nth_data(1));
        let proto = acct.find_token(b"protocol").and_then(|s| s.nth_data(1));
        let privkey = acct.find_token(b"private-key");
        let (Some(name), Some(proto), Some(privkey)) = (name, proto, privkey) else {
            return Err(Error::UnusableSecretKey);
        };
        let rec = KeyRecord { accountname: name.to_vec(), protocol: proto.to_vec(), privkey: privkey.clone() };
        rec.dsa_mpis()?;
        out.push(rec);
    }
    Ok(out)
}

/// The whole file as libotr writes it for these records, in the order given.
pub fn format_privkey_file(keys: &[KeyRecord]) -> Vec<u8> {
    let mut out = b"(privkeys\n".to_vec();
    for k in keys {
        out.extend_from_slice(b" (account\n");
        out.extend(sexp::print_advanced(&Sexp::List(vec![Sexp::atom(b"name"), Sexp::atom(&k.accountname)])));
        out.extend(sexp::print_advanced(&Sexp::List(vec![Sexp::atom(b"protocol"), Sexp::atom(&k.protocol)])));
        out.extend(sexp::print_advanced(&k.privkey));
        out.extend_from_slice(b" )\n");
    }
    out.extend_from_slice(b")\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../shared/reference/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn fixtures_parse_and_rewrite_byte_for_byte() {
        for f in ["otr.private_key", "otr.private_key.oddnames"] {
            let data = fixture(f);
            let recs = parse_privkey_file(&data).unwrap();
            assert_eq!(format_privkey_file(&recs), data, "{f}");
        }
        let adv = parse_privkey_file(&fixture("otr.private_key")).unwrap();
        let canon = parse_privkey_file(&fixture("otr.private_key.canonical")).unwrap();
        assert_eq!(adv, canon);
        assert_eq!(adv.len(), 2);
        assert_eq!((adv[0].accountname.as_slice(), adv[0].protocol.as_slice()), (&b"alice@example.org"[..], &b"prpl-jabber"[..]));
        assert_eq!((adv[1].accountname.as_slice(), adv[1].protocol.as_slice()), (&b"bob"[..], &b"irc"[..]));
        let m = adv[0].dsa_mpis().unwrap();
        assert_eq!((m.p.len(), m.q.len(), m.x.as_ref().unwrap().len() <= 20), (128, 20, true));
        let odd = parse_privkey_file(&fixture("otr.private_key.oddnames")).unwrap();
        let names: Vec<_> = odd.iter().map(|r| r.accountname.clone()).collect();
        assert!(names.contains(&b"quote\"back\\slash".to_vec()));
        assert!(names.contains(&"café".as_bytes().to_vec()));
    }

    #[test]
    fn from_dsa_matches_libotr_layout() {
        let recs = parse_privkey_file(&fixture("otr.private_key")).unwrap();
        let rebuilt: Vec<_> = recs
            .iter()
            .map(|r| KeyRecord::from_dsa(&r.accountname, &r.protocol, &r.dsa_mpis().unwrap()))
            .collect();
        assert_eq!(format_privkey_file(&rebuilt), fixture("otr.private_key"));
    }

    #[test]
    fn structure_errors_like_libotr() {
        // Outcomes of the real otrl_privkey_read on these files.
        let k = "(private-key (dsa (p #01#) (q #01#) (g #01#) (y #01#)))";
        let ok = |s: &str| parse_privkey_file(s.as_bytes()).map(|v| v.len());
        assert_eq!(ok("(privkeys)"), Ok(0));
        assert_eq!(ok("(privkeys) junk"), Ok(0));
        assert_eq!(ok("  (privkeys)  \n"), Ok(0));
        assert_eq!(ok("(8:privkeys)"), Ok(0));
        for bad in ["(privkeys) (foo)", "(privkeys)(account)", "junk (privkeys)", "()", "(())", "hello world", "((privkeys))", "(foo)"] {
            assert_eq!(ok(bad), Err(Error::UnusableSecretKey), "{bad}");
        }
        assert_eq!(ok("(privkeys (account (name a)"), Err(Error::Sexp(203)));
        assert_eq!(ok(&format!("(privkeys (account (name a) (protocol p) {k}))")), Ok(1));
        assert_eq!(ok(&format!("(privkeys (account (protocol p) (x (name a)) {k}))")), Ok(1));
        assert_eq!(ok(&format!("(privkeys (account (name a b) (protocol p) {k}))")), Ok(1));
        for bad in [
            "(privkeys (account))".to_string(),
            format!("(privkeys (account (name) (protocol p) {k}))"),
            format!("(privkeys (account (name (a)) (protocol p) {k}))"),
            "(privkeys (account (name a) (protocol p) (private-key)))".into(),
            "(privkeys (account (name a) (protocol p) (private-key (rsa (p #01#) (q #01#) (g #01#) (y #01#)))))".into(),
            "(privkeys (account (name a) (protocol p) (private-key (dsa (p #01#) (q #01#) (g #01#)))))".into(),
            "(privkeys (account (name a) (protocol p) (private-key (dsa (p) (q #01#) (g #01#) (y #01#)))))".into(),
            format!("(privkeys (account (name a) (protocol p) {k}) x)"),
        ] {
            assert_eq!(ok(&bad), Err(Error::UnusableSecretKey), "{bad}");
        }
        assert_eq!(ok(""), Err(Error::InvalidValue));
    }

    #[test]
    fn truncations_and_flips_never_panic() {
        let data = fixture("otr.private_key");
        for cut in 0..data.len() {
            let _ = parse_privkey_file(&data[..cut]);
        }
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let mut d = data.clone();
            let i = (x as usize >> 3) % d.len();
            d[i] ^= 1 << (x % 8);
            let _ = parse_privkey_file(&d);
        }
    }
}
