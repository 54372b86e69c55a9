//! Known-answer tests of Data Messages against the real libotr 4.1.1.
//!
//! `src/crypto/testdata/libotr_data.txt` is made by `cabi-tests/tools/datavec.c`: two
//! libotr ConnContexts (Alice's and Bob's) set up as after an AKE with fixed DH keys,
//! then a scripted exchange (`step=` records) through `otrl_proto_create_data` and
//! `otrl_proto_accept_data`, with key rotations (whose random key is replaced by the
//! next fixed one) and revealed MAC keys, for protocol versions 3 and 2 (`variant=`).
//! We replay the same script with two [`Session`]s and compare every output.

use super::*;
use std::collections::HashMap;

const VECTORS: &str = include_str!("../crypto/testdata/libotr_data.txt");

type Rec = HashMap<String, String>;

struct Variant {
    version: u16,
    head: Rec,
    steps: Vec<Rec>,
}

fn parse() -> (Rec, Vec<Variant>) {
    let mut globals = Rec::new();
    let mut variants: Vec<Variant> = Vec::new();
    for line in VECTORS.lines().filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once('=').expect("name=value");
        let (k, v) = (k.to_string(), v.to_string());
        match (k.as_str(), variants.last_mut()) {
            ("variant", _) => {
                variants.push(Variant { version: v.parse().unwrap(), head: Rec::new(), steps: Vec::new() })
            }
            ("step", Some(var)) => {
                let mut r = Rec::new();
                r.insert(k, v);
                var.steps.push(r);
            }
            (_, None) => {
                globals.insert(k, v);
            }
            (_, Some(var)) => match var.steps.last_mut() {
                Some(step) => {
                    step.insert(k, v);
                }
                None => {
                    var.head.insert(k, v);
                }
            },
        }
    }
    (globals, variants)
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn get<'a>(r: &'a Rec, k: &str) -> &'a str {
    r.get(k).unwrap_or_else(|| panic!("vector field {k} missing"))
}

/// Fixed key `i` (1-based) of `who` ("alice" / "bob").
fn key(g: &Rec, who: &str, i: usize) -> KeyPair {
    let private = unhex(get(g, &format!("{who}_priv{i}")));
    let public = unhex(get(g, &format!("{who}_pub{i}")));
    assert_eq!(dh::public_of(&private), public, "{who}_pub{i} = g^{who}_priv{i}");
    KeyPair { private: Zeroizing::new(private), public }
}

/// The two sessions as `datavec.c` sets up its contexts: X1 (keyid 1) as the previous
/// key, X2 (keyid 2) as the newest, the other's X1 as their value (keyid 1).
fn sessions(g: &Rec) -> (Session, Session) {
    let a = Session::from_keys(key(g, "alice", 1), 1, key(g, "alice", 2), key(g, "bob", 1).public, 1).unwrap();
    let b = Session::from_keys(key(g, "bob", 1), 1, key(g, "bob", 2), key(g, "alice", 1).public, 1).unwrap();
    (a, b)
}

/// Replay one variant; every difference from libotr is returned as a line naming the
/// variant, step and field.
fn replay(g: &Rec, var: &Variant) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut diff = |step: &str, field: &str, ours: String, theirs: &str| {
        if ours != theirs {
            diffs.push(format!("v{} step {step} {field}: ours {ours} libotr {theirs}", var.version));
        }
    };
    let inst = |k: &str| u32::from_str_radix(get(&var.head, k), 16).unwrap();
    let (ai, bi) = (inst("alice_instance"), inst("bob_instance"));
    let (mut alice, mut bob) = sessions(g);
    for st in &var.steps {
        let n = get(st, "step");
        let from_alice = get(st, "from") == "alice";
        let (snd, rcv, rcv_name, hdr) = if from_alice {
            (&mut alice, &mut bob, "bob", Header { version: var.version, msg_type: MSG_DATA, sender_instance: ai, receiver_instance: bi })
        } else {
            (&mut bob, &mut alice, "alice", Header { version: var.version, msg_type: MSG_DATA, sender_instance: bi, receiver_instance: ai })
        };
        let flags = unhex(get(st, "flags"))[0];
        let msg = unhex(get(st, "msg"));
        let tlvs = tlv::parse(&unhex(get(st, "tlvs")));

        // (a) the same message, byte for byte, and the same extra key
        let (data, extra) = snd.create_data(hdr, flags, &msg, &tlvs).expect("create_data");
        diff(n, "data", data, get(st, "data"));
        diff(n, "send_extrakey", hex(&extra[..]), get(st, "send_extrakey"));

        // (b) libotr's message decrypts to what libotr's receiver got
        let before = rcv.our_keyid;
        match rcv.accept_data(get(st, "data").as_bytes()) {
            Ok(r) => {
                diff(n, "recv_msg", hex(&r.message), get(st, "recv_msg"));
                let mut t = Vec::new();
                tlv::serialize(&r.tlvs, &mut t);
                diff(n, "recv_tlvs", hex(&t), get(st, "recv_tlvs"));
                diff(n, "recv_flags", hex(&[r.flags]), get(st, "recv_flags"));
                diff(n, "recv_extrakey", hex(&r.extra_key[..]), get(st, "recv_extrakey"));
            }
            Err(e) => diff(n, "accept_data", format!("{e:?}"), "accepted"),
        }
        // a rotation of the receiver's key: take the fixed key libotr's side was given
        let rotated = rcv.our_keyid != before;
        match st.get("recv_newkey") {
            Some(i) => {
                diff(n, "rotated", rotated.to_string(), "true");
                if rotated {
                    rcv.replace_newest_key(key(g, rcv_name, i.parse().unwrap()));
                }
            }
            None => diff(n, "rotated", rotated.to_string(), "false"),
        }

        // (c) keyids and the MAC keys waiting to be revealed, on both sides
        for (name, s) in [("alice", &alice), ("bob", &bob)] {
            diff(n, &format!("{name}_our_keyid"), s.our_keyid.to_string(), get(st, &format!("{name}_our_keyid")));
            diff(n, &format!("{name}_their_keyid"), s.their_keyid.to_string(), get(st, &format!("{name}_their_keyid")));
            diff(n, &format!("{name}_saved"), hex(s.saved_mac_keys()), get(st, &format!("{name}_saved")));
        }
    }
    diffs
}

#[test]
fn data_messages_match_libotr() {
    let (g, variants) = parse();
    assert_eq!(variants.iter().map(|v| v.version).collect::<Vec<_>>(), [3, 2]);
    let mut all = Vec::new();
    for var in &variants {
        assert!(var.steps.len() >= 12);
        all.extend(replay(&g, var));
    }
    assert!(all.is_empty(), "differences from libotr:\n{}", all.join("\n"));
}

/// The vectors do cover what they are meant to: rotations on both sides, messages
/// with old keys, and MAC keys actually revealed in messages.
#[test]
fn vectors_cover_rotation_and_reveal() {
    let (_, variants) = parse();
    for var in &variants {
        let rotations = var.steps.iter().filter(|s| s.contains_key("recv_newkey")).count();
        assert!(rotations >= 4, "v{}: {rotations} rotations", var.version);
        let mut revealed = 0;
        for st in &var.steps {
            let raw = decode_data_frame(get(st, "data").as_bytes()).unwrap();
            let mut r = Reader::new(&raw);
            Header::read(&mut r).unwrap();
            r.byte().unwrap();
            let (sk, rk) = (r.int().unwrap(), r.int().unwrap());
            r.mpi().unwrap();
            r.fixed::<8>().unwrap();
            r.data().unwrap();
            r.fixed::<20>().unwrap();
            let rev = r.data().unwrap();
            assert!(r.is_empty());
            assert_eq!(rev.len() % 20, 0);
            revealed += rev.len() / 20;
            assert!(sk >= 1 && rk >= 1);
        }
        assert!(revealed >= 3, "v{}: {revealed} revealed MAC keys", var.version);
    }
}
