/* Malformed and hostile input to otrl_message_receiving (protocol-notes.md section 2,
 * classes 1-13 and 15-21), fed to contexts in the relevant states: plaintext, AKE in
 * progress, ENCRYPTED, FINISHED.  For each input the trace shows the return value,
 * *newmessagep, the TLVs, the callbacks/events raised, what was injected, and the
 * msgstate/authstate of every context afterwards.  Valid messages are captured from a
 * live alice/bob session (otrsim.h), decoded with otrl_base64_otr_decode, mutated and
 * re-encoded with otrl_base64_otr_encode.
 *
 * Covered (class numbers of protocol-notes section 2):
 *  1  "?OTR:" framing: empty/invalid base64, missing '.', 0-3 decoded bytes
 *  2  query message edge cases (each may start an AKE: the DH-Commit is shown)
 *  3  "?OTR Error:" with %s%n text (passed through verbatim)
 *  4  whitespace tags: truncated, repeated, mid-text, unknown version tag, alone
 *  5  plaintext with invalid UTF-8 / HTML while plaintext and while encrypted
 *  6  header versions 0/1/4/0xFFFF, unknown type, v2 message under a v3-only policy
 *     and v3 under v2-only
 *  7  data message length fields (datalen 0xFFFFFFFF, 0, +-1; MPI length; revealed
 *     MAC keys not a multiple of 20; truncated; trailing bytes)
 *  9/10 Reveal-Sig / Signature with truncated MAC, r of 15/17/0 bytes, bad encrypted
 *     signature; DH-Commit with a hashed gx of the wrong size
 * 11  DH-Key with g^y = 0, 1, 2, p-1, p, p+1, 2^1536 (fresh AKE, no live session)
 * 12  data message keyids 0 / not current / 0xFFFFFFFF, bad MAC (with and without
 *     IGNORE_UNREADABLE), replay, counter zero, message from an old session
 * 13  TLVs through the API: unknown type, many empty TLVs, DISCONNECTED followed by
 *     more TLVs, SYMKEY shorter than 4 bytes; otrl_tlv_parse of truncated TLVs
 * 15  fragments: k=0, n=0, k>n, n above 65535, non-numeric, leading zeros, missing
 *     comma, empty piece, k=1 restart, duplicate, gap
 * 16  a fragment of a fragment
 * 17  fragments for another instance, receiver tag 0, sender tag < 0x100, two
 *     senders interleaved
 * 19  a non-fragment arriving in the middle of a reassembly
 * 20  instance tags: receiver tag of another instance / < 0x100 / 0, sender tag
 *     < 0x100, sender tag of an unknown instance, tag 0xffffffff
 * 21  repeated DH-Commit in AWAITING_REVEALSIG, replayed Reveal-Sig and Signature,
 *     AKE completing with a different key on a known instance (new fingerprint),
 *     data message to a FINISHED context, simultaneous DH-Commits (only the final
 *     states are printed: who wins depends on random hashes)
 *
 * Left out on purpose: the inputs of protocol-notes section 3 that crash or burn CPU
 * in libotr 4.1.1 (huge or zero-length DSA key MPIs, 65535 large fragments), SMP TLVs
 * (class 14), DH-Commit g^x range (needs AES to forge), and the forged DH-Key that
 * downgrades a live session (section 3.5) -- that one is in x_downgrade.c.
 */
#include "otrsim.h"

/* ---------- byte buffers ---------- */
typedef struct { unsigned char b[8192]; size_t n; } Buf;
static void put(Buf *B, const void *p, size_t n) { memcpy(B->b + B->n, p, n); B->n += n; }
static void put_byte(Buf *B, unsigned v) { B->b[B->n++] = v; }
static void put_short(Buf *B, unsigned v) { put_byte(B, v >> 8); put_byte(B, v); }
static void put_int(Buf *B, unsigned long v) { put_short(B, v >> 16); put_short(B, v); }
static void put_data(Buf *B, const void *p, size_t n) { put_int(B, n); put(B, p, n); }
static void put_hdr(Buf *B, unsigned ver, unsigned type, unsigned snd, unsigned rcv) {
    put_short(B, ver);
    put_byte(B, type);
    if (ver == 3) { put_int(B, snd); put_int(B, rcv); }
}
/* OTR encoding of a buffer; caller frees */
static char *enc(const Buf *B) { return otrl_base64_otr_encode(B->b, B->n); }
static void dec(const char *m, Buf *B) {
    unsigned char *p = NULL;
    size_t n = 0;
    if (otrl_base64_otr_decode(m, &p, &n) || n > sizeof B->b) { printf("cannot decode\n"); exit(2); }
    memcpy(B->b, p, n);
    B->n = n;
    free(p);
}
static unsigned long get_int(const Buf *B, size_t off) {
    return ((unsigned long)B->b[off] << 24) | (B->b[off + 1] << 16) | (B->b[off + 2] << 8) | B->b[off + 3];
}
static void set_int(Buf *B, size_t off, unsigned long v) {
    B->b[off] = v >> 24; B->b[off + 1] = v >> 16; B->b[off + 2] = v >> 8; B->b[off + 3] = v;
}

/* ---------- state summary ---------- */
static void brief(Peer *p) {
    OUT("    -> %s:", p->name);
    for (ConnContext *c = p->us->context_root; c; c = c->next)
        printf(" [%s %s/%s]", c->m_context == c ? "master" : ctxname(c) + strlen(c->username) + 1, msgstate_s(c->msgstate),
               authstate_s(c->auth.authstate));
    printf("\n");
}
static void try_in(Peer *to, const char *label, const char *m) {
    OUT("  * %s\n", label);
    feed(to, strcmp(to->account, ALICE) ? ALICE : BOB, m);
    pump();
    brief(to);
}
static void try_buf(Peer *to, const char *label, const Buf *B) {
    char *m = enc(B);
    try_in(to, label, m);
    free(m);
}

/* Send from p with the queue held and return the single wire message (caller frees). */
static char *capture_from(Peer *p, const char *msg) {
    hold_queue = 1;
    send_msg(p, msg);
    hold_queue = 0;
    QMsg *q = dequeue();
    if (!q) { printf("nothing captured\n"); exit(2); }
    char *m = strdup(q->msg);
    qfree(q);
    drop_queue("extra copies");
    return m;
}
static char *take(void);
/* Take (and print) everything queued. */
static void drain(void) {
    while (qhead) free(take());
}
/* The next queued message (caller frees), without delivering it. */
static char *take(void) {
    QMsg *q = dequeue();
    if (!q) { printf("nothing queued\n"); exit(2); }
    char *m = strdup(q->msg);
    OUT("  (captured %s -> %s: ", q->from->name, q->to->name);
    desc(m);
    printf(")\n");
    qfree(q);
    return m;
}

static Peer *A, *B1;
static void fresh_pair(OtrlPolicy pa, OtrlPolicy pb) {
    peers_free_all();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, pa);
    B1 = peer_new("bob1", BOB, "bob.key", TAG_BOB1, pb);
}
static void quiet_pump(void) {
    /* run a whole exchange without printing it */
    fflush(stdout);
    int saved = dup(1);
    FILE *nul = fopen("/dev/null", "w");
    dup2(fileno(nul), 1);
    pump();
    fflush(stdout);
    flush_policy();
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fclose(nul);
}
static void establish(void) {
    hold_queue = 0;
    send_msg(A, "?OTR?");
    quiet_pump();
    OUT("  (session established quietly)\n");
    brief(A);
    brief(B1);
}

/* ---------- sections ---------- */
static void c1_framing(void) {
    section("1. ?OTR: framing");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    const char *ms[] = {"?OTR:===.", "?OTR:.", "?OTR:", "?OTR:AAMD", "?OTR:AA!!.", "?OTR:A.", "?OTR:AA.", "?OTR:AAM.",
                        "?OTR:AAMD.", "?OTR:AAMDAA==.", "?OTR:AAMC.", "?OTR:AAMK.", "?OTR:AAMR.", "?OTR:AAMS.", "?OTR:AAIC.",
                        "?OTR:AAID.", "?OTR:AAIDAQ==.", "?OTR:AAED.", "?OTR:AAMD====.", "?OTR:????.", "x?OTR:AAMD.", NULL};
    for (int round = 0; round < 2; round++) {
        OUT("  -- bob1 %s\n", round ? "ENCRYPTED" : "plaintext");
        if (round) establish();
        for (int i = 0; ms[i]; i++) try_in(B1, ms[i], ms[i]);
    }
}

static void c2_query(void) {
    section("2. query message edge cases (bob1 MANUAL, plaintext)");
    const char *qs[] = {"?OTR",       "?OTR?",      "?OTRv",       "?OTRv?",   "?OTRv3",        "?OTR?v",
                        "?OTRv9999?", "?OTRv3333?", "?OTRv2?",     "?OTRv32?", "?OTRv23?",      "?OTR?v2?",
                        "?OTR?v3?",   "?OTRv1?",    "hi ?OTRv3? there", "tail ?OTR?", "?OTRv\x01\x02\x03?", "?OTRv 3?", NULL};
    for (int i = 0; qs[i]; i++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
        try_in(B1, qs[i], qs[i]);
    }
    OUT("  -- v2-only bob1\n");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_ALLOW_V2);
    try_in(B1, "?OTRv3?", "?OTRv3?");
    try_in(B1, "?OTRv23?", "?OTRv23?");
    try_in(B1, "?OTR?", "?OTR?");
    OUT("  -- query while ENCRYPTED (restarts the AKE on the master)\n");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    establish();
    try_in(B1, "?OTRv3?", "?OTRv3?");
}

static void c3_error(void) {
    section("3. ?OTR Error: with format directives");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    try_in(B1, "%s%n", "?OTR Error:%s%n%x%x%x");
    try_in(B1, "space %s", "?OTR Error: %s%s%s%s%n");
    try_in(B1, "two prefixes", "?OTR Error: ?OTR Error: x");
    establish();
    try_in(B1, "while encrypted", "?OTR Error: %n%n%n");
    B1->policy = OTRL_POLICY_OPPORTUNISTIC;
    try_in(B1, "with ERROR_START_AKE", "?OTR Error: %s");
}

static void c4_whitespace(void) {
    section("4. whitespace tags (bob1 OPPORTUNISTIC, plaintext)");
    const char *base = OTRL_MESSAGE_TAG_BASE, *v2 = OTRL_MESSAGE_TAG_V2, *v3 = OTRL_MESSAGE_TAG_V3;
    char m[512];
    struct { const char *label; const char *fmt; } cases[] = {
        {"truncated base", "hi%.10s"},
        {"base alone", "hi%s"},
        {"base + v3 repeated", "hi%s%s%s"},
        {"tag alone (empty message)", "%s%s"},
        {"tag mid-text", "before%s%s after"},
        {"unknown 8-byte tag + v3", "x%s\t\t\t\t\t\t\t\t%s"},
        {"truncated version tag", "x%s%.5s"},
        {"two whole tags", "a%s%s b%s%s"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_OPPORTUNISTIC);
        switch (i) {
        case 0: snprintf(m, sizeof m, cases[i].fmt, base); break;
        case 1: snprintf(m, sizeof m, cases[i].fmt, base); break;
        case 2: snprintf(m, sizeof m, cases[i].fmt, base, v3, v3); break;
        case 3: snprintf(m, sizeof m, cases[i].fmt, base, v3); break;
        case 4: snprintf(m, sizeof m, cases[i].fmt, base, v3); break;
        case 5: snprintf(m, sizeof m, cases[i].fmt, base, v3); break;
        case 6: snprintf(m, sizeof m, cases[i].fmt, base, v3); break;
        case 7: snprintf(m, sizeof m, cases[i].fmt, base, v2, base, v3); break;
        }
        try_in(B1, cases[i].label, m);
    }
}

static void c5_plain(void) {
    section("5. odd plaintext");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    for (int round = 0; round < 2; round++) {
        if (round) establish();
        try_in(B1, "invalid UTF-8", "bad \xff\xfe\xc3 utf8");
        try_in(B1, "HTML", "<b>bold</b> &amp; <a href=\"x\">link</a>");
        try_in(B1, "empty", "");
        try_in(B1, "?OTR alone", "?OTR");
    }
    OUT("  -- encrypted message with invalid UTF-8 and HTML\n");
    send_msg(A, "bad \xff\xfe\xc3 <b>x</b>");
    pump();
}

static void c6_versions(void) {
    section("6. header versions and types");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    unsigned vers[] = {0, 1, 4, 0xffff, 0x0300};
    for (int round = 0; round < 2; round++) {
        if (round) establish();
        for (int i = 0; i < 5; i++) {
            Buf b = {.n = 0};
            put_hdr(&b, vers[i], 0x03, TAG_ALICE, TAG_BOB1);
            put_int(&b, TAG_ALICE);
            put_int(&b, TAG_BOB1);
            put(&b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
            char label[64];
            snprintf(label, sizeof label, "version %04x data", vers[i]);
            try_buf(B1, label, &b);
        }
        unsigned types[] = {0x00, 0x01, 0x04, 0x0b, 0x13, 0xff};
        for (int i = 0; i < 6; i++) {
            Buf b = {.n = 0};
            put_hdr(&b, 3, types[i], TAG_ALICE, TAG_BOB1);
            put(&b, "\0\0\0\0\0\0\0\0", 8);
            char label[64];
            snprintf(label, sizeof label, "v3 type %02x", types[i]);
            try_buf(B1, label, &b);
        }
    }
    OUT("  -- v3 DH-Commit to a v2-only bob1, v2 DH-Commit to a v3-only bob1\n");
    Buf c = {.n = 0};
    unsigned char junk[32];
    memset(junk, 0x5a, sizeof junk);
    put_hdr(&c, 3, 0x02, TAG_ALICE, 0);
    put_data(&c, junk, 20);
    put_data(&c, junk, 32);
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_ALLOW_V2);
    try_buf(B1, "v3 DH-Commit, bob1 v2-only", &c);
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_ALLOW_V3);
    try_buf(B1, "v3 DH-Commit, bob1 v3-only", &c);
    Buf c2 = {.n = 0};
    put_hdr(&c2, 2, 0x02, 0, 0);
    put_data(&c2, junk, 20);
    put_data(&c2, junk, 32);
    try_buf(B1, "v2 DH-Commit, bob1 v3-only", &c2);
    B1->policy = OTRL_POLICY_ALLOW_V2;
    try_buf(B1, "v2 DH-Commit, bob1 v2-only", &c2);
}

/* Offsets in a v3 data message */
#define D_FLAGS 11
#define D_SKEY 12
#define D_RKEY 16
#define D_MPI 20
static size_t d_ctr(const Buf *b) { return D_MPI + 4 + get_int(b, D_MPI); }
static size_t d_enc(const Buf *b) { return d_ctr(b) + 8; }
static size_t d_mac(const Buf *b) { return d_enc(b) + 4 + get_int(b, d_enc(b)); }
static size_t d_old(const Buf *b) { return d_mac(b) + 20; }

static void c7_12_data(void) {
    section("7/12. data message fields (bob1 ENCRYPTED)");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    establish();
    send_msg(A, "warm up");
    pump();
    send_msg(B1, "reply");
    pump();
    char *orig = capture_from(A, "the real one");
    Buf o;
    dec(orig, &o);
    OUT("  captured: ");
    desc(orig);
    printf("\n");
    Buf b;
#define MUT_TO(to, label, code) do { b = o; code; try_buf(to, label, &b); } while (0)
#define MUT(label, code) MUT_TO(B1, label, code)
    MUT("flags 0x01 (bad MAC, IGNORE_UNREADABLE)", b.b[D_FLAGS] = 0x01);
    MUT("flags 0x02 (bad MAC)", b.b[D_FLAGS] = 0x02);
    MUT("MAC byte flipped", b.b[d_mac(&b)] ^= 1);
    MUT("MAC byte flipped + IGNORE_UNREADABLE", (b.b[d_mac(&b)] ^= 1, b.b[D_FLAGS] = 1));
    MUT("ciphertext byte flipped", b.b[d_enc(&b) + 4] ^= 0x20);
    MUT("sender keyid 0", set_int(&b, D_SKEY, 0));
    MUT("recipient keyid 0", set_int(&b, D_RKEY, 0));
    MUT("sender keyid +5", set_int(&b, D_SKEY, get_int(&b, D_SKEY) + 5));
    MUT("recipient keyid +5", set_int(&b, D_RKEY, get_int(&b, D_RKEY) + 5));
    MUT("sender keyid -1", set_int(&b, D_SKEY, get_int(&b, D_SKEY) - 1));
    MUT("sender keyid 0xffffffff", set_int(&b, D_SKEY, 0xffffffffUL));
    MUT("recipient keyid 0xffffffff", set_int(&b, D_RKEY, 0xffffffffUL));
    MUT("counter zero", memset(b.b + d_ctr(&b), 0, 8));
    MUT("enc datalen 0xffffffff", set_int(&b, d_enc(&b), 0xffffffffUL));
    MUT("enc datalen 0x7fffffff", set_int(&b, d_enc(&b), 0x7fffffffUL));
    MUT("enc datalen 0", set_int(&b, d_enc(&b), 0));
    MUT("enc datalen +1", set_int(&b, d_enc(&b), get_int(&b, d_enc(&b)) + 1));
    MUT("enc datalen -1", set_int(&b, d_enc(&b), get_int(&b, d_enc(&b)) - 1));
    MUT("DH y length 0xffffffff", set_int(&b, D_MPI, 0xffffffffUL));
    MUT("DH y length 0", set_int(&b, D_MPI, 0));
    MUT("old MAC keys length 0xffffffff", set_int(&b, d_old(&b), 0xffffffffUL));
    MUT("old MAC keys length +1", set_int(&b, d_old(&b), get_int(&b, d_old(&b)) + 1));
    MUT("truncated by 1", b.n -= 1);
    MUT("truncated in the MAC", b.n = d_mac(&b) + 10);
    MUT("truncated after the counter", b.n = d_enc(&b));
    MUT("one trailing byte", b.b[b.n++] = 0);
    MUT("receiver tag of another instance", set_int(&b, 7, TAG_BOB2));
    MUT("receiver tag 0x50", set_int(&b, 7, 0x50));
    MUT("receiver tag 0", set_int(&b, 7, 0));
    MUT("sender tag 0x50", set_int(&b, 3, 0x50));
    MUT("sender tag 0", set_int(&b, 3, 0));
    MUT("sender tag of an unknown instance", set_int(&b, 3, 0x0a11ce02));
    MUT("as version 2 (no instance tags)", (b.b[1] = 2, memmove(b.b + 3, b.b + 11, b.n - 11), b.n -= 8));
    brief(B1);
    try_in(B1, "the original", orig);
    try_in(B1, "the original again (replay)", orig);
    free(orig);
    orig = capture_from(A, "second real one");
    dec(orig, &o);
    MUT("7 old MAC key bytes appended (not a multiple of 20; the MAC does not cover them)",
        (set_int(&b, d_old(&b), get_int(&b, d_old(&b)) + 7), memcpy(b.b + b.n, "1234567", 7), b.n += 7));
    free(orig);
    OUT("  -- message from an older session (after a refresh)\n");
    char *old = capture_from(A, "before refresh");
    hide_msgstate = 1; /* a re-AKE over a live session, see otrsim.h */
    send_msg(A, "?OTR?");
    quiet_pump();
    hide_msgstate = 0;
    brief(A);
    brief(B1);
    try_in(B1, "pre-refresh message", old);
    free(old);
    OUT("  -- data message to a FINISHED context, and to a plaintext one\n");
    char *m = capture_from(A, "late");
    otrl_message_disconnect(A->us, A->ops, A, ALICE, PROTO, BOB, TAG_BOB1);
    pump();
    try_in(B1, "to FINISHED", m);
    otrl_message_disconnect(B1->us, B1->ops, B1, BOB, PROTO, ALICE, TAG_ALICE);
    try_in(B1, "to PLAINTEXT", m);
    b = o;
    b.b[D_FLAGS] = 1;
    try_buf(B1, "IGNORE_UNREADABLE to PLAINTEXT", &b);
    free(m);
}

static void c13_tlvs(void) {
    section("13. TLVs");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    establish();
    OtrlTLV *t = otrl_tlv_new(0x7777, 2, (const unsigned char *)"zz");
    send_msg_tlv(A, OTRL_INSTAG_BEST, "unknown tlv", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);
    t = NULL;
    for (int i = 0; i < 50; i++) {
        OtrlTLV *n = otrl_tlv_new(OTRL_TLV_PADDING, 0, NULL);
        n->next = t;
        t = n;
    }
    send_msg_tlv(A, OTRL_INSTAG_BEST, "50 empty", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);
    t = otrl_tlv_new(OTRL_TLV_SYMKEY, 3, (const unsigned char *)"abc");
    send_msg_tlv(A, OTRL_INSTAG_BEST, "short symkey", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);
    t = otrl_tlv_new(OTRL_TLV_SYMKEY, 0, NULL);
    send_msg_tlv(A, OTRL_INSTAG_BEST, "", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);
    t = otrl_tlv_new(OTRL_TLV_DISCONNECTED, 0, NULL);
    t->next = otrl_tlv_new(0x7777, 1, (const unsigned char *)"q");
    t->next->next = otrl_tlv_new(OTRL_TLV_DISCONNECTED, 4, (const unsigned char *)"more");
    send_msg_tlv(A, OTRL_INSTAG_BEST, "bye with text", t, OTRL_FRAGMENT_SEND_ALL);
    pump();
    otrl_tlv_free(t);
    brief(B1);
    OUT("  -- otrl_tlv_parse of odd encodings\n");
    static const struct { const char *label; const char *bytes; size_t n; } ps[] = {
        {"len beyond end", "\x00\x01\x00\x05" "ab", 6},
        {"header cut", "\x00\x01\x00", 3},
        {"good then cut", "\x00\x00\x00\x01" "x" "\x00\x08", 7},
        {"empty", "", 0},
        {"zero-length x3", "\x00\x00\x00\x00\x00\x01\x00\x00\x77\x77\x00\x00", 12},
    };
    for (unsigned i = 0; i < sizeof ps / sizeof *ps; i++) {
        OtrlTLV *r = otrl_tlv_parse((const unsigned char *)ps[i].bytes, ps[i].n);
        OUT("  parse %-16s:", ps[i].label);
        print_tlvs(r);
        printf("\n");
        otrl_tlv_free(r);
    }
}

static char *frag3(unsigned snd, unsigned rcv, const char *k, const char *n, const char *piece) {
    static char buf[8][512];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "?OTR|%08x|%08x,%s,%s,%s,", snd, rcv, k, n, piece);
    return buf[i];
}
static void fr(const char *label, unsigned snd, unsigned rcv, const char *k, const char *n, const char *piece) {
    try_in(B1, label, frag3(snd, rcv, k, n, piece));
}

static void c15_fragments(void) {
    section("15-17, 19. fragments (bob1 MANUAL; the pieces make \"?OTRv3?\", which starts an AKE)");
    const unsigned a = TAG_ALICE, b = TAG_BOB1;
    for (int round = 0; round < 2; round++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
        if (round) {
            OUT("  -- bob1 ENCRYPTED\n");
            establish();
        }
        hold_queue = 1; /* replies are shown when injected, then dropped */
        fr("good 1/2", a, b, "1", "2", "?OTRv");
        fr("good 2/2", a, b, "2", "2", "3?");
        drop_queue("AKE not followed");
        fr("k=0", a, b, "0", "2", "?OTRv");
        fr("n=0", a, b, "1", "0", "?OTRv");
        fr("k>n", a, b, "3", "2", "?OTRv");
        fr("1/1", a, b, "1", "1", "?OTRv3?");
        drop_queue("AKE not followed");
        fr("n=65536", a, b, "1", "65536", "?OTRv");
        fr("n=65537 (wraps to 1?)", a, b, "1", "65537", "?OTRv3?");
        drop_queue("AKE not followed");
        fr("n=4294967297", a, b, "1", "4294967297", "?OTRv3?");
        drop_queue("AKE not followed");
        fr("k=-1", a, b, "-1", "2", "?OTRv");
        fr("non-numeric k", a, b, "x", "2", "?OTRv");
        fr("leading zeros 1/2", a, b, "0000001", "00002", "?OTRv");
        fr("leading zeros 2/2", a, b, "00002", "0000000002", "3?");
        drop_queue("AKE not followed");
        try_in(B1, "missing trailing comma 1/2", "?OTR|0a11ce01|0b0b0001,1,2,?OTRv");
        fr("then 2/2", a, b, "2", "2", "3?");
        fr("empty piece 1/2", a, b, "1", "2", "");
        fr("then 2/2", a, b, "2", "2", "?OTRv3?");
        fr("1/3", a, b, "1", "3", "?OT");
        fr("restart 1/3", a, b, "1", "3", "?OTRv");
        fr("2/3", a, b, "2", "3", "3");
        fr("duplicate 2/3", a, b, "2", "3", "3");
        fr("3/3", a, b, "3", "3", "?");
        drop_queue("AKE not followed");
        fr("1/3", a, b, "1", "3", "?OTRv");
        fr("gap: 3/3", a, b, "3", "3", "?");
        fr("1/2", a, b, "1", "2", "?OTRv");
        try_in(B1, "non-fragment in the middle", "hello");
        fr("2/2", a, b, "2", "2", "3?");
        drop_queue("AKE not followed");
        fr("fragment of a fragment", a, b, "1", "1", "?OTR|0a11ce01|0b0b0001,1,1,?OTRv3?,");
        drop_queue("AKE not followed");
        fr("other receiver instance", a, TAG_BOB2, "1", "1", "?OTRv3?");
        fr("receiver 0", a, 0, "1", "1", "?OTRv3?");
        drop_queue("AKE not followed");
        fr("sender 0x50", 0x50, b, "1", "1", "?OTRv3?");
        drop_queue("error messages");
        fr("sender A 1/2", a, b, "1", "2", "?OTRv");
        fr("sender A' 1/2", 0x0a11ce02, b, "1", "2", "?OTRv");
        fr("sender A 2/2", a, b, "2", "2", "3?");
        fr("sender A' 2/2", 0x0a11ce02, b, "2", "2", "3?");
        drop_queue("AKE not followed");
        try_in(B1, "v2 fragment 1/2", "?OTR,1,2,?OTRv");
        try_in(B1, "v2 fragment 2/2", "?OTR,2,2,3?,");
        drop_queue("AKE not followed");
        try_in(B1, "v2 fragment k>n", "?OTR,3,2,x,");
        try_in(B1, "?OTR| with bad tags", "?OTR|zz|yy,1,1,?OTRv3?,");
        drop_queue("error messages");
        try_in(B1, "?OTR| nothing else", "?OTR|");
        drop_queue("error messages");
        hold_queue = 0;
    }
}

static void c20_instags(void) {
    section("20. instance tags on AKE messages (bob1 plaintext)");
    unsigned char junk[32];
    memset(junk, 0x5a, sizeof junk);
    struct { const char *label; unsigned snd, rcv; } cs[] = {
        {"DH-Commit rcv 0", TAG_ALICE, 0},
        {"DH-Commit rcv = bob1", TAG_ALICE, TAG_BOB1},
        {"DH-Commit rcv other", TAG_ALICE, TAG_BOB2},
        {"DH-Commit rcv 0x50", TAG_ALICE, 0x50},
        {"DH-Commit snd 0x50", 0x50, 0},
        {"DH-Commit snd 0xffffffff", 0xffffffffu, 0},
        {"DH-Commit snd 0x100", 0x100, 0},
        {"DH-Commit snd 0xff", 0xff, 0},
    };
    for (unsigned i = 0; i < sizeof cs / sizeof *cs; i++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
        Buf c = {.n = 0};
        put_hdr(&c, 3, 0x02, cs[i].snd, cs[i].rcv);
        put_data(&c, junk, 20);
        put_data(&c, junk, 32);
        try_buf(B1, cs[i].label, &c);
    }
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    Buf k = {.n = 0};
    put_hdr(&k, 3, 0x0a, TAG_ALICE, 0);
    put_data(&k, "\x02", 1);
    try_buf(B1, "DH-Key rcv 0 (no AKE)", &k);
    k.n = 0;
    put_hdr(&k, 3, 0x0a, TAG_ALICE, TAG_BOB1);
    put_data(&k, "\x02", 1);
    try_buf(B1, "DH-Key (no AKE)", &k);
}

/* 1536-bit MODP prime of RFC 3526 (group 5), big-endian */
static const char *P_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

static void put_mpi_variant(Buf *B, int which) {
    unsigned char p[192];
    for (int i = 0; i < 192; i++) sscanf(P_HEX + 2 * i, "%2hhx", &p[i]);
    unsigned char v[193];
    size_t n = 192;
    memcpy(v, p, 192);
    switch (which) {
    case 0: put_data(B, "", 0); return;                 /* 0 (empty MPI) */
    case 1: put_data(B, "\x01", 1); return;             /* 1 */
    case 2: put_data(B, "\x02", 1); return;             /* 2 (valid) */
    case 3: v[191] -= 1; break;                         /* p-1 */
    case 4: break;                                      /* p */
    case 5: v[191] += 1; break;                         /* p+1 (low byte of p is ff: carry) */
    case 6: memset(v, 0xff, 192); break;                /* 2^1536-1 */
    case 7: put_data(B, "\x00\x00\x02", 3); return;     /* 2 with leading zeros */
    case 8: v[191] -= 2; break;                         /* p-2 (valid) */
    }
    if (which == 5) { /* p+1 = ...ff + 1: propagate the carry */
        memcpy(v, p, 192);
        int i = 191;
        while (i >= 0 && v[i] == 0xff) v[i--] = 0;
        if (i >= 0) v[i]++;
    }
    put_data(B, v, n);
}

static void c11_dhkey(void) {
    section("11. DH-Key with g^y out of range (alice's master AWAITING_DHKEY, no live session)");
    static const char *names[] = {"0 (empty MPI)", "1", "2", "p-1", "p", "p+1", "2^1536-1", "2 with leading zeros", "p-2"};
    for (int w = 0; w < 9; w++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
        hold_queue = 1;
        feed(A, BOB, "?OTRv3?");
        drop_queue("alice's DH-Commit");
        hold_queue = 0;
        Buf k = {.n = 0};
        put_hdr(&k, 3, 0x0a, TAG_BOB1, TAG_ALICE);
        put_mpi_variant(&k, w);
        char label[64];
        snprintf(label, sizeof label, "DH-Key g^y = %s", names[w]);
        try_buf(A, label, &k);
        drop_queue("not followed");
    }
    OUT("  -- v2 DH-Key g^y = 1 and p-1 to a v2 AKE\n");
    for (int w = 1; w <= 3; w += 2) {
        fresh_pair(OTRL_POLICY_ALLOW_V2, OTRL_POLICY_MANUAL);
        hold_queue = 1;
        feed(A, BOB, "?OTRv2?");
        drop_queue("alice's DH-Commit");
        hold_queue = 0;
        Buf k = {.n = 0};
        put_hdr(&k, 2, 0x0a, 0, 0);
        put_mpi_variant(&k, w);
        try_buf(A, names[w], &k);
        drop_queue("not followed");
    }
}

static void c9_21_ake(void) {
    section("9/10/21. AKE messages: tampered Reveal-Sig and Signature, repeats, replays");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    /* bob1 queries; alice commits */
    hold_queue = 1;
    send_msg(B1, "?OTR?");
    char *q = take();
    try_in(A, "query", q);
    free(q);
    char *commit = take();
    try_in(B1, "DH-Commit", commit);
    char *dhkey = take();
    try_in(B1, "DH-Commit again (AWAITING_REVEALSIG: same DH-Key resent?)", commit);
    char *dhkey2 = take();
    OUT("  second DH-Key identical to the first: %d\n", !strcmp(dhkey, dhkey2));
    free(dhkey2);
    try_in(A, "DH-Key", dhkey);
    char *reveal = take();
    try_in(A, "DH-Key again (AWAITING_SIG)", dhkey);
    drain();
    Buf o, b;
    dec(reveal, &o);
    /* Reveal-Sig: hdr(11) r DATA, encsig DATA, MAC 20 */
    size_t r_off = 11, es_off = r_off + 4 + get_int(&o, r_off), mac_off = es_off + 4 + get_int(&o, es_off);
    MUT("Reveal-Sig MAC truncated to 16 bytes", b.n = mac_off + 16);
    MUT("Reveal-Sig MAC flipped", b.b[mac_off] ^= 1);
    MUT("Reveal-Sig encsig flipped", b.b[es_off + 10] ^= 1);
    MUT("Reveal-Sig r flipped", b.b[r_off + 4] ^= 1);
    MUT("Reveal-Sig r 15 bytes", (set_int(&b, r_off, 15), memmove(b.b + r_off + 4 + 15, b.b + r_off + 4 + 16, b.n - r_off - 20), b.n -= 1));
    MUT("Reveal-Sig r 17 bytes", (set_int(&b, r_off, 17), memmove(b.b + r_off + 4 + 17, b.b + r_off + 4 + 16, b.n - r_off - 20), b.b[r_off + 20] = 0, b.n += 1));
    MUT("Reveal-Sig r 0 bytes", (set_int(&b, r_off, 0), memmove(b.b + r_off + 4, b.b + r_off + 20, b.n - r_off - 20), b.n -= 16));
    MUT("Reveal-Sig encsig length 0xffffffff", set_int(&b, es_off, 0xffffffffUL));
    MUT("Reveal-Sig one trailing byte", b.b[b.n++] = 0);
    MUT("Reveal-Sig receiver tag other", set_int(&b, 7, TAG_BOB2));
    drain();
    try_in(B1, "the real Reveal-Sig", reveal);
    char *sig = take();
    try_in(B1, "the real Reveal-Sig again (replay, ENCRYPTED now)", reveal);
    drain();
    dec(sig, &o);
    es_off = 11;
    mac_off = es_off + 4 + get_int(&o, es_off);
    MUT_TO(A, "Signature MAC truncated", b.n = mac_off + 10);
    MUT_TO(A, "Signature MAC flipped", b.b[mac_off + 19] ^= 1);
    MUT_TO(A, "Signature encsig flipped", b.b[es_off + 100] ^= 1);
    MUT_TO(A, "Signature encsig length 0", (set_int(&b, es_off, 0), memmove(b.b + es_off + 4, b.b + mac_off, 20), b.n = es_off + 24));
    drain();
    try_in(A, "the real Signature", sig);
    try_in(A, "the real Signature again (replay)", sig);
    drain();
    hold_queue = 0;
    free(commit);
    free(dhkey);
    free(reveal);
    free(sig);
    send_msg(A, "works");
    pump();

    OUT("  -- DH-Commit with a hashed g^x of 31/33/0 bytes, encrypted g^x of 0 bytes (bob1 plaintext)\n");
    unsigned char junk[40];
    memset(junk, 0x5a, sizeof junk);
    size_t hl[] = {31, 33, 0, 32};
    size_t el[] = {20, 20, 20, 0};
    for (int i = 0; i < 4; i++) {
        fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
        Buf c = {.n = 0};
        put_hdr(&c, 3, 0x02, TAG_ALICE, 0);
        put_data(&c, junk, el[i]);
        put_data(&c, junk, hl[i]);
        char label[64];
        snprintf(label, sizeof label, "DH-Commit encgx=%zu hashgx=%zu", el[i], hl[i]);
        try_buf(B1, label, &c);
    }

    OUT("  -- bob1 comes back with another key on the same instance\n");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    establish();
    drop_queue("none expected");
    peer_free(B1);
    B1 = peer_new("bob1", BOB, "bob-alt.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    hide_msgstate = 1;
    send_msg(B1, "?OTR?");
    pump();
    hide_msgstate = 0;
    show(A);

    OUT("  -- simultaneous DH-Commits (only the end states: the winner depends on random hashes)\n");
    fresh_pair(OTRL_POLICY_MANUAL, OTRL_POLICY_MANUAL);
    hold_queue = 1;
    feed(A, BOB, "?OTRv3?");
    feed(B1, ALICE, "?OTRv3?");
    hold_queue = 0;
    quiet_pump();
    brief(A);
    brief(B1);
    send_msg(A, "after simultaneous start");
    pump();
}

int main(void) {
    sim_init();
    c1_framing();
    c2_query();
    c3_error();
    c4_whitespace();
    c5_plain();
    c6_versions();
    c7_12_data();
    c13_tlvs();
    c15_fragments();
    c20_instags();
    c11_dhkey();
    c9_21_ake();
    peers_free_all();
    flush_policy();
    printf("\ndone\n");
    return 0;
}
