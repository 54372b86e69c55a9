//! One side of an OTR AKE run by our safe core (`otr::ake`), talking over stdin/stdout
//! one message per line: the counterpart of cabi-tests/peers/ake_peer.c, so that the
//! real libotr and our core can be made to key-exchange with each other.
//!   ake_peer KEYFILE ACCOUNT PROTOCOL VERSION initiate|respond
//! Prints "ME <our fingerprint hex>" to stderr first; on success
//! "SECURE <ssid hex> <bold half> <their fingerprint hex> keyids A B".

use otr::ake::{Ake, SsidHalf};
use otr::crypto::dsa::DsaPrivateKey;
use otr::wire::{self, Header, Reader};
use std::io::{BufRead, Write};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&a[1]).expect("key file");
    let rec = otr::store::privkey::parse_privkey_file(&data)
        .expect("parse")
        .into_iter()
        .find(|r| r.accountname == a[2].as_bytes() && r.protocol == a[3].as_bytes())
        .expect("account");
    let m = rec.dsa_mpis().unwrap();
    let key = DsaPrivateKey::from_mpis(&m.p, &m.q, &m.g, &m.y, m.x.as_deref()).unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    eprintln!("ME {}", hex(&key.public.fingerprint()));
    let version: u16 = a[4].parse().unwrap();
    let initiate = a[5] == "initiate";
    let mut ake = Ake::new(if initiate { 0x1111 } else { 0x2222 });
    ake.their_instance = if initiate { 0x2222 } else { 0x1111 };
    let mut out = std::io::stdout();
    if initiate {
        writeln!(out, "{}", ake.start(version)).unwrap();
        out.flush().unwrap();
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let raw = otr::b64::otr_decode(line.as_bytes()).expect("encoded message");
        let mut r = Reader::new(&raw);
        let h = Header::read(&mut r).expect("header");
        let body = &raw[r.position()..];
        let res = match h.msg_type {
            wire::MSG_DH_COMMIT => ake.handle_commit(body, h.version, h.sender_instance),
            wire::MSG_DH_KEY => ake.handle_key(body, &key),
            wire::MSG_REVEALSIG => ake.handle_revealsig(body, &key),
            wire::MSG_SIGNATURE => ake.handle_signature(body),
            t => panic!("unexpected message type {t}"),
        };
        let o = res.unwrap_or_else(|e| {
            eprintln!("ake error {e:?}");
            std::process::exit(7)
        });
        if let Some(m) = o.send {
            writeln!(out, "{m}").unwrap();
            out.flush().unwrap();
        }
        if let Some(e) = o.established {
            let half = if e.ssid_half == SsidHalf::First { 0 } else { 1 };
            eprintln!("SECURE {} {} {} keyids {} {}", hex(&e.ssid), half, hex(&e.their_fingerprint), e.our_keyid, e.their_keyid);
            return;
        }
    }
    std::process::exit(8);
}
