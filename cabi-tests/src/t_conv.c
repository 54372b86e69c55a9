/* Conversations through otrl_message_sending / otrl_message_receiving between
 * in-memory peers (see otrsim.h for the simulated network, the logged callbacks and
 * how the trace is kept deterministic: fixed keys and instance tags, frozen clock).
 *
 * Covered, one section each:
 *  1. AKE started by the text "?OTR?" (MANUAL policy, v3): every AKE message,
 *     callbacks (new_fingerprint, write_fingerprints, gone_secure, timer_control,
 *     update_context_list), states after each step; messages both ways (ASCII, UTF-8,
 *     empty = heartbeat), data-message keyids/counters as keys rotate; TLVs passed to
 *     otrl_message_sending and returned by receiving; convert_msg/convert_free both
 *     ways; extra symmetric key (otrl_message_symkey, received_symkey; keys compared,
 *     never printed) also outside a session; heartbeat after the clock moves 61 s;
 *     refresh AKE while encrypted (still_secure); otrl_message_poll; disconnect
 *     (TLV 1) -> FINISHED; sending in FINISHED (CONNECTION_ENDED); plaintext received
 *     while FINISHED; disconnect of a FINISHED context.
 *  2. Query sent with OTRL_FRAGMENT_SEND_SKIP (the application sends *messagep) and
 *     "?OTRv23?" typed inside text; the default query message text.
 *  3. Whitespace tags (OPPORTUNISTIC): tagged first message, AKE started by the tag;
 *     a peer with NEVER policy (offer rejected, tag no longer sent); a tag received
 *     under MANUAL (stripped, no AKE).
 *  4. REQUIRE_ENCRYPTION (ALWAYS): message held back (ENCRYPTION_REQUIRED, query sent
 *     instead), sent automatically once secure; unencrypted message received under
 *     ALWAYS (RCVDMSG_UNENCRYPTED).
 *  5. OTR Error messages: ERROR_START_AKE on and off; error while a v3 session is up
 *     (no resend: the error reaches the master context, the session is on the child).
 *  6. v2-only peer: v2 AKE with no instance tags; the lost-session resend with
 *     resent_msg_prefix ("[again]") and with the default "[resent]" prefix.
 *  7. OTRL_POLICY_NEVER: nothing is touched.
 *  8. Two clients of bob (two userstates, same account, different keys and instance
 *     tags) and one alice: both AKEs, RCVDMSG_FOR_OTHER_INSTANCE, sending to
 *     OTRL_INSTAG_BEST / RECENT / RECENT_RECEIVED / RECENT_SENT / MASTER / a given tag /
 *     an unknown tag, trust changing BEST, disconnect_all_instances.
 *  9. Fragmentation (max_message_size) of AKE and data messages with SEND_ALL,
 *     SEND_SKIP, SEND_ALL_BUT_FIRST and SEND_ALL_BUT_LAST (what *messagep holds).
 * 10. SMP with a question: success, failure, abort (handle_smp_event, trust "smp").
 * 11. Key and instance tag created on demand (create_privkey, create_instag).
 * 12. An ops struct with every callback NULL except inject_message: whole
 *     conversation, errors, disconnect; nothing may crash.
 * account_name/account_name_free are given in the full ops; libotr 4.1.1 never calls
 * them (the trace shows none).
 */
#include "otrsim.h"

static ConnContext *ctx_of(Peer *p, otrl_instag_t inst) {
    return otrl_context_find(p->us, buddy_of(p), p->account, PROTO, inst, 0, NULL, NULL, NULL);
}

static void symkey_check(Peer *sender, Peer *receiver, const unsigned char *k) {
    OUT("  symkey: receiver got it=%d, equal to sender's=%d\n", receiver->have_symkey,
        receiver->have_symkey && !memcmp(k, receiver->symkey, 32));
    receiver->have_symkey = 0;
}

static void s1_query_text(void) {
    section("1. AKE by \"?OTR?\" text (MANUAL, v3), messages, TLVs, symkey, heartbeat, refresh, disconnect");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    show(a);
    show(b);
    send_msg(a, "?OTR?");
    show(a);
    step(); /* the query */
    show(b);
    step(); /* DH-Commit */
    show(a);
    step(); /* DH-Key */
    show(b);
    step(); /* Reveal-Sig */
    show(a);
    pump(); /* Signature */
    show(a);
    show(b);

    send_msg(a, "hello bob");
    pump();
    send_msg(b, "h\xc3\xa9llo alice \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac");
    pump();
    send_msg(a, "");
    pump();
    send_msg(a, "second from alice");
    send_msg(a, "third from alice");
    pump();
    send_msg(b, "reply 1");
    pump();
    send_msg(a, "after reply");
    pump();
    send_msg(b, "reply 2");
    pump();
    send_msg(b, "reply 3");
    pump();

    /* TLVs on a message and on an empty message */
    OtrlTLV *t = otrl_tlv_new(0x99, 3, (const unsigned char *)"xyz");
    t->next = otrl_tlv_new(OTRL_TLV_PADDING, 5, (const unsigned char *)"\0\0\0\0\0");
    send_msg_tlv(a, OTRL_INSTAG_BEST, "with tlvs", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    send_msg_tlv(a, OTRL_INSTAG_BEST, "", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);

    /* convert_msg */
    a->convert = 1;
    b->convert = 1;
    send_msg(a, "converted");
    pump();
    a->convert = 0;
    b->convert = 0;
    send_msg(a, "not converted (callbacks still called)");
    pump();

    /* extra symmetric key */
    unsigned char k[32];
    memset(k, 0, sizeof k);
    ConnContext *ac = ctx_of(a, TAG_BOB1);
    gcry_error_t e = otrl_message_symkey(a->us, a->ops, a, ac, 0x1234, (const unsigned char *)"file.txt", 8, k);
    OUT("  alice otrl_message_symkey(use=0x1234, \"file.txt\") -> %08x\n", e);
    pump();
    symkey_check(a, b, k);
    e = otrl_message_symkey(a->us, a->ops, a, ac, 1, NULL, 0, k);
    OUT("  alice otrl_message_symkey(use=1, no data) -> %08x\n", e);
    pump();
    symkey_check(a, b, k);
    e = otrl_message_symkey(a->us, a->ops, a, ac, 1, NULL, 4, k);
    OUT("  alice otrl_message_symkey(usedata NULL, len 4) -> %08x\n", e);
    e = otrl_message_symkey(a->us, a->ops, a, NULL, 1, NULL, 0, k);
    OUT("  alice otrl_message_symkey(NULL context) -> %08x\n", e);
    e = otrl_message_symkey(a->us, a->ops, a, ctx_of(a, OTRL_INSTAG_MASTER), 1, NULL, 0, k);
    OUT("  alice otrl_message_symkey(master context, plaintext) -> %08x\n", e);
    drop_queue("none expected");

    /* heartbeat: bob has not sent for more than 60 s when alice's message arrives */
    advance_clock(61);
    send_msg(a, "after a minute");
    pump();
    advance_clock(30);
    send_msg(a, "30 s later");
    pump();

    /* refresh while encrypted (msgstates hidden while the AKE runs, see otrsim.h) */
    hide_msgstate = 1;
    send_msg(a, "?OTR?");
    pump();
    hide_msgstate = 0;
    show(a);
    show(b);
    send_msg(b, "after refresh");
    pump();

    /* poll: nothing waiting */
    OUT("  poll alice (default interval %u)\n", otrl_message_poll_get_default_interval(a->us));
    otrl_message_poll(a->us, a->ops, a);
    OUT("  poll bob1\n");
    otrl_message_poll(b->us, b->ops, b);

    /* disconnect */
    OUT("  alice otrl_message_disconnect(bob1's instance)\n");
    otrl_message_disconnect(a->us, a->ops, a, ALICE, PROTO, BOB, TAG_BOB1);
    show(a);
    pump();
    show(b);
    send_msg(b, "are you there?");
    pump();
    send_msg(a, "plain now");
    pump();
    OUT("  bob1 otrl_message_disconnect(alice's instance)\n");
    otrl_message_disconnect(b->us, b->ops, b, BOB, PROTO, ALICE, TAG_ALICE);
    show(b);
    send_msg(b, "plain too");
    pump();
    OUT("  disconnect of unknown user / instance\n");
    otrl_message_disconnect(b->us, b->ops, b, BOB, PROTO, "nobody", TAG_ALICE);
    otrl_message_disconnect(b->us, b->ops, b, BOB, PROTO, ALICE, 0x7777);
    peers_free_all();
}

static void s2_query_skip(void) {
    section("2. query with SEND_SKIP, \"?OTRv23?\" inside text, default query text");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    send_msg_tlv(b, OTRL_INSTAG_BEST, "let's talk ?OTRv23? please", NULL, OTRL_FRAGMENT_SEND_SKIP);
    show(b);
    pump();
    show(a);
    show(b);
    send_msg_tlv(a, OTRL_INSTAG_BEST, "skip policy, encrypted", NULL, OTRL_FRAGMENT_SEND_SKIP);
    pump();
    /* A query message received while encrypted, v2 only offered */
    feed(b, ALICE, "?OTRv2?");
    pump();
    show(a);
    show(b);
    peers_free_all();
}

static void s3_whitespace(void) {
    section("3. whitespace tags");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    send_msg(a, "hi there");
    show(a);
    pump();
    show(a);
    show(b);
    send_msg(a, "now private");
    pump();
    peers_free_all();

    OUT("  -- bob NEVER: the offer is rejected\n");
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_NEVER);
    send_msg(a, "first");
    pump();
    send_msg(b, "plain answer");
    pump();
    show(a);
    send_msg(a, "second, untagged");
    pump();
    peers_free_all();

    OUT("  -- bob MANUAL: tag stripped, no AKE; v2-only tag to a v3 peer\n");
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    send_msg(a, "tagged");
    pump();
    show(b);
    feed(b, ALICE, "only v2 \x20\x09\x20\x20\x09\x09\x09\x09\x20\x09\x20\x09\x20\x09\x20\x20\x20\x20\x09\x09\x20\x20\x09\x20 tag");
    b->policy = OTRL_POLICY_ALLOW_V3 | OTRL_POLICY_WHITESPACE_START_AKE;
    feed(b, ALICE, "only v2 \x20\x09\x20\x20\x09\x09\x09\x09\x20\x09\x20\x09\x20\x09\x20\x20\x20\x20\x09\x09\x20\x20\x09\x20 tag");
    drop_queue("none expected");
    peers_free_all();
}

static void s4_always(void) {
    section("4. REQUIRE_ENCRYPTION (ALWAYS): held-back message");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALWAYS);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    send_msg(a, "secret stuff");
    show(a);
    pump();
    show(a);
    show(b);
    send_msg(a, "more secret stuff");
    pump();
    peers_free_all();

    OUT("  -- plaintext (tagged) received under ALWAYS\n");
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALWAYS);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    send_msg(b, "plain hi");
    pump();
    show(a);
    show(b);
    OUT("  -- untagged plaintext received under ALWAYS, and sent twice while plaintext\n");
    feed(a, BOB, "untagged plain");
    peers_free_all();
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALWAYS);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    b->online = 0;
    send_msg(a, "one");
    send_msg(a, "two");
    show(a);
    b->online = 1;
    send_msg(a, "?OTR?");
    pump();
    peers_free_all();
}

static void s5_errors(void) {
    section("5. OTR Error messages");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    feed(a, BOB, "?OTR Error: you are not speaking OTR");
    show(a);
    pump();
    show(a);
    feed(a, BOB, "?OTR Error:nospace");
    feed(a, BOB, "prefix ?OTR Error: in the middle");
    feed(a, BOB, "?OTR Error:");
    drop_queue("queries from ERROR_START_AKE");
    OUT("  -- v3 session up, bob loses it, error sent to alice\n");
    send_msg(a, "important");
    OUT("  bob1 forgets the session (otrl_context_force_plaintext)\n");
    otrl_context_force_plaintext(ctx_of(b, TAG_ALICE));
    pump();
    feed(a, BOB, "?OTR Error: You sent encrypted data which was unreadable");
    pump();
    show(a);
    a->policy = OTRL_POLICY_MANUAL;
    OUT("  -- MANUAL: no AKE started\n");
    feed(a, BOB, "?OTR Error: again");
    pump();
    peers_free_all();
}

static void s6_v2(void) {
    section("6. v2-only peer, lost session and resend with prefix");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ERROR_START_AKE);
    send_msg(a, "?OTR?");
    pump();
    show(a);
    show(b);
    send_msg(a, "v2 hello");
    pump();
    send_msg(b, "v2 reply");
    pump();
    for (int round = 0; round < 2; round++) {
        a->use_prefix = round == 0;
        send_msg(a, round ? "important 2" : "important");
        OUT("  bob1 forgets the session (otrl_context_force_plaintext)\n");
        otrl_context_force_plaintext(ctx_of(b, OTRL_INSTAG_MASTER));
        pump();
        feed(a, BOB, "?OTR Error: You sent encrypted data which was unreadable");
        pump();
        show(a);
        show(b);
    }
    OUT("  -- resend only within 60 s of the last send\n");
    send_msg(a, "important 3");
    otrl_context_force_plaintext(ctx_of(b, OTRL_INSTAG_MASTER));
    pump();
    advance_clock(61);
    feed(a, BOB, "?OTR Error: too late");
    pump();
    OUT("  -- v3-only alice and v2-only bob: no common version\n");
    peers_free_all();
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALLOW_V3);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_ALLOW_V2);
    send_msg(a, "?OTR?");
    pump();
    send_msg(b, "?OTR?");
    pump();
    show(a);
    show(b);
    peers_free_all();
}

static void s7_never(void) {
    section("7. OTRL_POLICY_NEVER");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_NEVER);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_OPPORTUNISTIC);
    send_msg(a, "hi");
    send_msg(a, "?OTR?");
    send_msg_tlv(a, OTRL_INSTAG_BEST, "skip", NULL, OTRL_FRAGMENT_SEND_SKIP);
    pump();
    send_msg(b, "?OTR?");
    pump();
    send_msg(b, "tagged from bob");
    pump();
    feed(a, BOB, "?OTR:AAMDAAAAAQAAAAAA.");
    feed(a, BOB, "?OTR Error: x");
    show(a);
    peers_free_all();
}

static void s8_instances(void) {
    section("8. two bob clients (instances)");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_OPPORTUNISTIC);
    Peer *b1 = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    Peer *b2 = peer_new("bob2", BOB, "bob-alt.key", TAG_BOB2, OTRL_POLICY_MANUAL);
    send_msg(a, "?OTR?");
    pump();
    show(a);
    show(b1);
    show(b2);
    static const struct { otrl_instag_t t; const char *n; } dests[] = {
        {OTRL_INSTAG_BEST, "to BEST"}, {OTRL_INSTAG_RECENT, "to RECENT"}, {OTRL_INSTAG_RECENT_RECEIVED, "to RECENT_RECEIVED"},
        {OTRL_INSTAG_RECENT_SENT, "to RECENT_SENT"}, {TAG_BOB1, "to bob1"}, {TAG_BOB2, "to bob2"},
        {OTRL_INSTAG_MASTER, "to MASTER"}};
    for (int i = 0; i < 7; i++) {
        send_msg_tlv(a, dests[i].t, dests[i].n, NULL, OTRL_FRAGMENT_SEND_ALL);
        pump();
    }
    advance_clock(5);
    send_msg(b1, "from bob1");
    pump();
    advance_clock(5);
    send_msg(b2, "from bob2");
    pump();
    show(a);
    for (int i = 0; i < 4; i++) {
        send_msg_tlv(a, dests[i].t, dests[i].n, NULL, OTRL_FRAGMENT_SEND_ALL);
        pump();
        advance_clock(1);
    }
    OUT("  alice trusts bob1's key\n");
    otrl_context_set_trust(ctx_of(a, TAG_BOB1)->active_fingerprint, "verified");
    send_msg_tlv(a, OTRL_INSTAG_BEST, "to BEST (bob1 trusted)", NULL, OTRL_FRAGMENT_SEND_ALL);
    pump();
    send_msg_tlv(a, 0x12345678, "to unknown instance", NULL, OTRL_FRAGMENT_SEND_ALL);
    pump();
    show(a);
    OUT("  bob2 disconnects\n");
    otrl_message_disconnect(b2->us, b2->ops, b2, BOB, PROTO, ALICE, TAG_ALICE);
    pump();
    show(a);
    send_msg_tlv(a, TAG_BOB2, "to finished bob2", NULL, OTRL_FRAGMENT_SEND_ALL);
    send_msg_tlv(a, OTRL_INSTAG_BEST, "to BEST after bob2 left", NULL, OTRL_FRAGMENT_SEND_ALL);
    pump();
    OUT("  bob2 goes offline, bob1 restarts the AKE\n");
    b2->online = 0;
    hide_msgstate = 1; /* a re-AKE over a live session, see otrsim.h */
    send_msg(b1, "?OTR?");
    pump();
    hide_msgstate = 0;
    OUT("  alice otrl_message_disconnect_all_instances\n");
    otrl_message_disconnect_all_instances(a->us, a->ops, a, ALICE, PROTO, BOB);
    pump();
    show(a);
    show(b1);
    otrl_message_disconnect_all_instances(a->us, a->ops, a, ALICE, PROTO, "nobody");
    otrl_message_disconnect_all_instances(a->us, a->ops, a, NULL, PROTO, BOB);
    peers_free_all();
}

static void s9_fragments(void) {
    section("9. fragmentation");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    a->mms = 150;
    b->mms = 150;
    send_msg(a, "?OTR?");
    pump();
    show(a);
    show(b);
    char longmsg[400];
    for (int i = 0; i < 399; i++) longmsg[i] = 'a' + i % 26;
    longmsg[399] = 0;
    for (int fp = OTRL_FRAGMENT_SEND_SKIP; fp <= OTRL_FRAGMENT_SEND_ALL_BUT_LAST; fp++) {
        send_msg_tlv(a, OTRL_INSTAG_BEST, longmsg, NULL, fp);
        pump();
    }
    send_msg_tlv(a, OTRL_INSTAG_BEST, "short", NULL, OTRL_FRAGMENT_SEND_ALL_BUT_LAST);
    pump();
    send_msg_tlv(a, OTRL_INSTAG_BEST, "short", NULL, OTRL_FRAGMENT_SEND_ALL_BUT_FIRST);
    pump();
    send_msg_tlv(a, OTRL_INSTAG_BEST, "short", NULL, OTRL_FRAGMENT_SEND_SKIP);
    pump();
    b->mms = 80;
    send_msg(b, longmsg);
    pump();
    OUT("  -- fragmented message arriving interleaved with another\n");
    hold_queue = 1;
    send_msg(b, "first long message ...................................................................");
    send_msg(b, "second long message ..................................................................");
    QMsg *q[16];
    int n = 0;
    while (n < 16 && (q[n] = dequeue())) n++;
    /* interleave: fragment i of message 1, then fragment i of message 2 */
    int half = n / 2;
    for (int i = 0; i < half; i++) {
        enqueue(q[i]->from, q[i]->to, q[i]->msg);
        enqueue(q[half + i]->from, q[half + i]->to, q[half + i]->msg);
    }
    for (int i = 2 * half; i < n; i++) enqueue(q[i]->from, q[i]->to, q[i]->msg);
    for (int i = 0; i < n; i++) qfree(q[i]);
    hold_queue = 0;
    pump();
    OUT("  -- v2 fragments (mms 103)\n");
    peers_free_all();
    a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALLOW_V2);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_ALLOW_V2);
    a->mms = 103;
    b->mms = 103;
    send_msg(a, "?OTR?");
    pump();
    send_msg(a, longmsg);
    pump();
    show(a);
    show(b);
    peers_free_all();
}

static void s10_smp(void) {
    section("10. SMP");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    send_msg(a, "?OTR?");
    pump();
    ConnContext *ac = ctx_of(a, TAG_BOB1), *bc = ctx_of(b, TAG_ALICE);
    hide_lens = 1;
    OUT("  alice initiate_smp_q(\"Where did we meet?\", \"paris\")\n");
    otrl_message_initiate_smp_q(a->us, a->ops, a, ac, "Where did we meet?", (const unsigned char *)"paris", 5);
    pump();
    OUT("  bob1 respond_smp(\"paris\")\n");
    otrl_message_respond_smp(b->us, b->ops, b, bc, (const unsigned char *)"paris", 5);
    pump();
    show(a);
    show(b);
    OUT("  bob1 initiate_smp (no question, \"x\"), alice answers \"y\"\n");
    otrl_message_initiate_smp(b->us, b->ops, b, bc, (const unsigned char *)"x", 1);
    pump();
    otrl_message_respond_smp(a->us, a->ops, a, ac, (const unsigned char *)"y", 1);
    pump();
    show(a);
    show(b);
    OUT("  alice initiates, bob1 aborts\n");
    otrl_message_initiate_smp(a->us, a->ops, a, ac, (const unsigned char *)"x", 1);
    pump();
    otrl_message_abort_smp(b->us, b->ops, b, bc);
    pump();
    show(a);
    show(b);
    OUT("  SMP on a plaintext context is ignored\n");
    otrl_message_initiate_smp(a->us, a->ops, a, ctx_of(a, OTRL_INSTAG_MASTER), (const unsigned char *)"x", 1);
    pump();
    hide_lens = 0;
    peers_free_all();
}

static void s11_lazy(void) {
    section("11. private key and instance tag created on demand");
    Peer *a = peer_new("alice", ALICE, NULL, 0, OTRL_POLICY_MANUAL);
    a->keyfile = "alice.key";
    a->instag = TAG_ALICE;
    Peer *b = peer_new("bob1", BOB, NULL, 0, OTRL_POLICY_MANUAL);
    b->keyfile = "bob.key";
    b->instag = TAG_BOB1;
    send_msg(a, "?OTR?");
    pump();
    show(a);
    show(b);
    peers_free_all();
    OUT("  -- create_privkey that creates nothing\n");
    a = peer_new("alice", ALICE, NULL, TAG_ALICE, OTRL_POLICY_MANUAL);
    b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    send_msg(b, "?OTR?");
    pump();
    show(a);
    show(b);
    peers_free_all();
}

static void s12_null_ops(void) {
    section("12. ops with only inject_message");
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, 0);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, 0);
    a->ops = &min_ops;
    b->ops = &min_ops;
    send_msg(a, "tagged? (default policy)");
    pump();
    show(a);
    show(b);
    send_msg(a, "?OTR?");
    pump();
    show(a);
    show(b);
    send_msg(a, "secret");
    pump();
    send_msg(b, "");
    pump();
    unsigned char k[32];
    gcry_error_t e = otrl_message_symkey(a->us, a->ops, a, ctx_of(a, TAG_BOB1), 7, (const unsigned char *)"u", 1, k);
    OUT("  symkey -> %08x\n", e);
    pump();
    feed(a, BOB, "?OTR Error: boom");
    feed(a, BOB, "?OTR:AAMDAAAAAQAAAAAA.");
    feed(a, BOB, "?OTR:AAMZ.");
    feed(a, BOB, "plain while encrypted");
    pump();
    hide_lens = 1;
    otrl_message_initiate_smp(a->us, a->ops, a, ctx_of(a, TAG_BOB1), (const unsigned char *)"s", 1);
    pump();
    otrl_message_respond_smp(b->us, b->ops, b, ctx_of(b, TAG_ALICE), (const unsigned char *)"s", 1);
    pump();
    hide_lens = 0;
    show(a);
    otrl_message_disconnect(a->us, a->ops, a, ALICE, PROTO, BOB, TAG_BOB1);
    pump();
    send_msg(b, "in finished");
    pump();
    otrl_message_poll(a->us, a->ops, a);
    show(a);
    show(b);
    peers_free_all();
}

int main(void) {
    sim_init();
    s1_query_text();
    s2_query_skip();
    s3_whitespace();
    s4_always();
    s5_errors();
    s6_v2();
    s7_never();
    s8_instances();
    s9_fragments();
    s10_smp();
    s11_lazy();
    s12_null_ops();
    flush_policy();
    printf("\ndone\n");
    return 0;
}
