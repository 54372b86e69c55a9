/* auth.h and dh.h: two AKEs in one process (v3 and v2), retransmissions, simultaneous
 * commits on master and on instance contexts, bad and tampered messages, the
 * auth_succeeded callback, otrl_auth_copy_on_key; and the D-H key pair and session-key
 * functions. Everything random (keys, r, signatures) is printed only through
 * deterministic facts: states, return codes, prefixes, lengths that do not depend on
 * the random values, and equalities between the two sides. */
#include "common.h"
#include <libotr/auth.h>
#include <libotr/dh.h>

static const char *ACCT_A = "alice@example.org", *ACCT_B = "bob@example.org", *PROTO = "prpl-test";

static char *datafile(const char *name) {
    static char buf[2][1024];
    static int k;
    k ^= 1;
    const char *d = getenv("OTR_CABI_DATA");
    snprintf(buf[k], sizeof buf[k], "%s/%s", d ? d : "cabi-tests/data", name);
    return buf[k];
}

static int nonzero(const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 1;
    return 0;
}

/* The length of an encoded message, where it does not depend on random values:
 * Reveal-Signature and Signature messages have fixed sizes for a given DSA key; the
 * D-H values in commits and keys may be one byte shorter now and then. */
/* In the simultaneous-commit runs either side may win: print no facts that say which. */
static int neutral;

static void msgfacts(const char *m) {
    if (!m) { printf(" last=NULL"); return; }
    printf(" last=%.10s", m);
    OtrlMessageType t = otrl_proto_message_type(m);
    if (t == OTRL_MSGTYPE_REVEALSIG || t == OTRL_MSGTYPE_SIGNATURE) printf(" len=%zu", strlen(m));
    unsigned int from = 0, to = 0;
    if (!neutral && otrl_proto_message_version(m) == 3 && !otrl_proto_instance(m, &from, &to))
        printf(" tags=%x>%x", from, to);
}

static void show(const char *label, const OtrlAuthInfo *a) {
    printf("  %-28s state=%d pv=%u init=%d keyid=%u/%u dh=%u%s%s their_pub=%d keys=%d%d%d%d%d%d ssid=%zu",
           label, a->authstate, a->protocol_version, a->initiated, a->our_keyid, a->their_keyid, a->our_dh.groupid,
           a->our_dh.priv ? "+priv" : "", a->our_dh.pub ? "+pub" : "", a->their_pub != NULL, a->enc_c != NULL,
           a->enc_cp != NULL, a->mac_m1 != NULL, a->mac_m1p != NULL, a->mac_m2 != NULL, a->mac_m2p != NULL,
           a->secure_session_id_len);
    if (!neutral) {
        printf(" half=%d fp=", a->session_id_half);
        if (nonzero(a->their_fingerprint, 20)) hex(a->their_fingerprint, 4); else printf("0");
    }
    printf(" encgx=%d hashgx=%d r=%d", a->encgx != NULL, nonzero(a->hashgx, 32), nonzero(a->r, 16));
    msgfacts(a->lastauthmsg);
    printf(" ctx=%d\n", a->context != NULL);
}

static void ret(const char *what, gcry_error_t e, int have) {
    printf("%s -> %08x have=%d\n", what, e, have);
}

/* auth_succeeded: print what libotr shows the callback; return what we are told to. */
struct cb {
    const char *name;
    const OtrlAuthInfo *expect;
    gcry_error_t give;
    int calls;
};
static gcry_error_t succeeded(const OtrlAuthInfo *auth, void *asdata) {
    struct cb *c = asdata;
    c->calls++;
    printf("  succeeded(%s) same_auth=%d", c->name, auth == c->expect);
    show("", auth);
    return c->give;
}

static char *dupmsg(const char *m) { return m ? strdup(m) : NULL; }

/* Decode an encoded message, let f change it, encode it again. */
static char *tamper(const char *m, void (*f)(unsigned char *, size_t)) {
    unsigned char *buf = NULL;
    size_t len = 0;
    if (otrl_base64_otr_decode(m, &buf, &len)) return NULL;
    f(buf, len);
    char *out = otrl_base64_otr_encode(buf, len);
    free(buf);
    return out;
}
static void flip_last(unsigned char *b, size_t n) { b[n - 1] ^= 1; }
static void flip_r_v3(unsigned char *b, size_t n) { (void)n; b[11 + 4] ^= 0x80; }
static void flip_sig_v3(unsigned char *b, size_t n) { (void)n; b[11 + 4 + 30] ^= 1; }
static void add_byte(unsigned char *b, size_t n) { (void)b; (void)n; }

static char *encode(const unsigned char *b, size_t n) { return otrl_base64_otr_encode(b, n); }

struct side {
    OtrlUserState us;
    OtrlPrivKey *key;
    ConnContext *master, *inst;
};

static void setup(struct side *s, const char *file, const char *acct, const char *peer, unsigned ours, unsigned theirs) {
    s->us = otrl_userstate_create();
    gcry_error_t e = otrl_privkey_read(s->us, datafile(file));
    s->key = otrl_privkey_find(s->us, acct, PROTO);
    unsigned char fp[20];
    printf("key %s read=%08x found=%d fp=", acct, e, s->key != NULL);
    if (otrl_privkey_fingerprint_raw(s->us, fp, acct, PROTO)) hex(fp, 20);
    printf("\n");
    int added = 0;
    s->master = otrl_context_find(s->us, peer, acct, PROTO, OTRL_INSTAG_MASTER, 1, &added, NULL, NULL);
    s->master->our_instance = ours;
    s->master->their_instance = 0;
    s->inst = otrl_context_find(s->us, peer, acct, PROTO, theirs, 1, &added, NULL, NULL);
    s->inst->our_instance = ours;
    printf("contexts %s: master_is_master=%d inst_master_ok=%d inst_their=%x auth_ctx_ok=%d/%d\n", acct,
           s->master->m_context == s->master, s->inst->m_context == s->master, s->inst->their_instance,
           s->master->auth.context == s->master, s->inst->auth.context == s->inst);
}

static void fingerprint_check(const char *who, const OtrlAuthInfo *a, OtrlUserState peer_us, const char *peer_acct) {
    unsigned char fp[20];
    otrl_privkey_fingerprint_raw(peer_us, fp, peer_acct, PROTO);
    printf("  %s their_fingerprint is the peer's key: %d\n", who, !memcmp(fp, a->their_fingerprint, 20));
}

/* A full exchange: i initiates, r responds. */
static void full(const char *title, int version, ConnContext *ci, OtrlPrivKey *ki, ConnContext *cr, OtrlPrivKey *kr,
                 struct side *si, const char *acct_i, struct side *sr, const char *acct_r) {
    OtrlAuthInfo *I = &ci->auth, *R = &cr->auth;
    int have = 7;
    gcry_error_t e;
    struct cb cbi = {"initiator", I, 0, 0}, cbr = {"responder", R, 0, 0};
    printf("== %s (v%d)\n", title, version);
    e = otrl_auth_start_v23(I, version);
    ret("start_v23", e, -1);
    show("initiator", I);
    printf("  ctx.protocol_version=%u\n", ci->protocol_version);
    char *commit = dupmsg(I->lastauthmsg);

    e = otrl_auth_handle_commit(R, commit, version);
    ret("handle_commit", e, -1);
    show("responder", R);
    printf("  ctx.protocol_version=%u\n", cr->protocol_version);
    char *key = dupmsg(R->lastauthmsg);

    /* The same commit again (a retransmission): the same D-H Key stays queued. */
    e = otrl_auth_handle_commit(R, commit, version);
    ret("handle_commit again", e, -1);
    printf("  responder resends the same D-H Key: %d\n", R->lastauthmsg && !strcmp(R->lastauthmsg, key));

    have = 7;
    e = otrl_auth_handle_key(I, key, &have, ki);
    ret("handle_key", e, have);
    show("initiator", I);
    char *reveal = dupmsg(I->lastauthmsg);

    have = 7;
    e = otrl_auth_handle_key(I, key, &have, ki);
    ret("handle_key again (retransmit)", e, have);
    printf("  same Reveal-Signature: %d\n", I->lastauthmsg && !strcmp(I->lastauthmsg, reveal));

    have = 7;
    e = otrl_auth_handle_revealsig(R, reveal, &have, kr, succeeded, &cbr);
    ret("handle_revealsig", e, have);
    printf("  callback calls=%d\n", cbr.calls);
    show("responder", R);
    char *sig = dupmsg(R->lastauthmsg);

    have = 7;
    e = otrl_auth_handle_revealsig(R, reveal, &have, kr, succeeded, &cbr);
    ret("handle_revealsig again", e, have);
    printf("  callback calls=%d\n", cbr.calls);

    have = 7;
    e = otrl_auth_handle_signature(I, sig, &have, succeeded, &cbi);
    ret("handle_signature", e, have);
    printf("  callback calls=%d\n", cbi.calls);
    show("initiator", I);

    have = 7;
    e = otrl_auth_handle_signature(I, sig, &have, succeeded, &cbi);
    ret("handle_signature again", e, have);
    printf("  callback calls=%d\n", cbi.calls);

    printf("  ssid equal=%d len=%zu/%zu halves=%d/%d keyids=%u/%u\n",
           !memcmp(I->secure_session_id, R->secure_session_id, 20), I->secure_session_id_len,
           R->secure_session_id_len, I->session_id_half, R->session_id_half, I->their_keyid, R->their_keyid);
    fingerprint_check("initiator", I, sr->us, acct_r);
    fingerprint_check("responder", R, si->us, acct_i);
    free(commit);
    free(key);
    free(reveal);
    free(sig);
    otrl_auth_clear(I);
    otrl_auth_clear(R);
    show("initiator after clear", I);
}

/* Both sides start at once; each gets the other's commit. */
static void simultaneous(const char *title, OtrlAuthInfo *A, OtrlPrivKey *ka, OtrlAuthInfo *B, OtrlPrivKey *kb) {
    int have;
    gcry_error_t e, e2;
    printf("== simultaneous commits: %s\n", title);
    neutral = 1;
    otrl_auth_start_v23(A, 3);
    otrl_auth_start_v23(B, 3);
    char *ca = dupmsg(A->lastauthmsg), *cb = dupmsg(B->lastauthmsg);
    int a_wins = memcmp(A->hashgx, B->hashgx, 32) > 0;
    e = otrl_auth_handle_commit(A, cb, 3);
    e2 = otrl_auth_handle_commit(B, ca, 3);
    printf("  returns %08x %08x\n", e, e2);
    OtrlAuthInfo *W = a_wins ? A : B, *L = a_wins ? B : A;
    OtrlPrivKey *kw = a_wins ? ka : kb, *kl = a_wins ? kb : ka;
    char *wc = a_wins ? ca : cb;
    show("larger hashgx", W);
    printf("  larger kept its commit: %d\n", W->lastauthmsg && !strcmp(W->lastauthmsg, wc));
    show("smaller hashgx", L);
    if (W->authstate == OTRL_AUTHSTATE_AWAITING_DHKEY) {
        struct cb cw = {"larger", W, 0, 0}, cl = {"smaller", L, 0, 0};
        char *m = dupmsg(L->lastauthmsg);
        e = otrl_auth_handle_key(W, m, &have, kw);
        ret("larger handle_key", e, have);
        free(m);
        m = dupmsg(W->lastauthmsg);
        e = otrl_auth_handle_revealsig(L, m, &have, kl, succeeded, &cl);
        ret("smaller handle_revealsig", e, have);
        free(m);
        m = dupmsg(L->lastauthmsg);
        e = otrl_auth_handle_signature(W, m, &have, succeeded, &cw);
        ret("larger handle_signature", e, have);
        free(m);
        printf("  ssid equal=%d\n", !memcmp(W->secure_session_id, L->secure_session_id, 8));
    } else {
        /* Both yielded (master contexts): each sent a D-H Key and waits for a
         * Reveal-Signature that will not come; a D-H Key to either is ignored. */
        char *m = dupmsg(L->lastauthmsg);
        have = 7;
        e = otrl_auth_handle_key(W, m, &have, kw);
        ret("D-H Key to a side awaiting Reveal-Signature", e, have);
        free(m);
    }
    free(ca);
    free(cb);
    otrl_auth_clear(A);
    otrl_auth_clear(B);
    /* otrl_auth_clear keeps the bold half, which here depends on who won. */
    A->session_id_half = B->session_id_half = OTRL_SESSIONID_FIRST_HALF_BOLD;
    neutral = 0;
}

static void bad_messages(struct side *a, struct side *b) {
    OtrlAuthInfo *A = &a->master->auth, *B = &b->master->auth;
    int have;
    gcry_error_t e;
    printf("== bad messages\n");
    const char *junk[] = {"hello", "?OTR:AAMC.", "?OTR:AAMC", "?OTR:AAIK.", "?OTR:.", "?OTR:AAECAAAAAAAA.", NULL};
    for (int i = 0; junk[i]; i++) {
        A->context->protocol_version = 0;
        e = otrl_auth_handle_commit(A, junk[i], 3);
        printf("  commit(%s, 3) -> %08x state=%d pv=%u ctxpv=%u\n", junk[i], e, A->authstate, A->protocol_version,
               A->context->protocol_version);
        have = 7;
        e = otrl_auth_handle_key(A, junk[i], &have, a->key);
        printf("  key(%s) -> %08x have=%d\n", junk[i], e, have);
        have = 7;
        e = otrl_auth_handle_revealsig(A, junk[i], &have, a->key, succeeded, NULL);
        printf("  revealsig(%s) -> %08x have=%d\n", junk[i], e, have);
        have = 7;
        e = otrl_auth_handle_signature(A, junk[i], &have, succeeded, NULL);
        printf("  signature(%s) -> %08x have=%d\n", junk[i], e, have);
    }
    otrl_auth_clear(A);

    /* A real commit given with the wrong version argument, and with a trailing byte. */
    otrl_auth_start_v23(B, 3);
    char *commit = dupmsg(B->lastauthmsg);
    e = otrl_auth_handle_commit(A, commit, 2);
    printf("  v3 commit handled as v2 -> %08x state=%d pv=%u\n", e, A->authstate, A->protocol_version);
    otrl_auth_clear(A);
    {
        unsigned char *buf;
        size_t len;
        otrl_base64_otr_decode(commit, &buf, &len);
        unsigned char *longer = malloc(len + 1);
        memcpy(longer, buf, len);
        longer[len] = 0;
        char *m = encode(longer, len + 1);
        e = otrl_auth_handle_commit(A, m, 3);
        printf("  commit with a trailing byte -> %08x state=%d\n", e, A->authstate);
        free(m);
        /* hashgx length 31 */
        longer[len - 33] = 31;
        m = encode(longer, len - 1);
        e = otrl_auth_handle_commit(A, m, 3);
        printf("  commit with 31-byte hash -> %08x state=%d\n", e, A->authstate);
        free(m);
        free(longer);
        free(buf);
    }
    /* A commit message given to the D-H Key handler, and a key to the commit handler. */
    have = 7;
    e = otrl_auth_handle_key(B, commit, &have, b->key);
    printf("  commit to handle_key -> %08x have=%d state=%d\n", e, have, B->authstate);

    /* D-H Keys of 1, of 0 bytes, and of a wrong version while awaiting one. */
    unsigned char k1[] = {0, 3, 0x0a, 0, 0, 0x56, 0x78, 0, 0, 0x12, 0x34, 0, 0, 0, 1, 1};
    unsigned char k0[] = {0, 3, 0x0a, 0, 0, 0x56, 0x78, 0, 0, 0x12, 0x34, 0, 0, 0, 0};
    unsigned char k2v[] = {0, 2, 0x0a, 0, 0, 0, 1, 2};
    unsigned char *ks[] = {k1, k0, k2v};
    size_t kl[] = {sizeof k1, sizeof k0, sizeof k2v};
    const char *kn[] = {"g^y=1", "g^y empty", "v2 key to v3 AKE"};
    for (int i = 0; i < 3; i++) {
        char *m = encode(ks[i], kl[i]);
        have = 7;
        e = otrl_auth_handle_key(B, m, &have, b->key);
        printf("  %s -> %08x have=%d", kn[i], e, have);
        show("", B);
        free(m);
    }
    e = otrl_auth_handle_commit(A, commit, 3);
    char *key = dupmsg(A->lastauthmsg);
    e = otrl_auth_handle_commit(B, key, 3);
    printf("  D-H Key to handle_commit -> %08x state=%d\n", e, B->authstate);
    /* Unexpected messages in each state are ignored. */
    have = 7;
    e = otrl_auth_handle_key(A, key, &have, a->key);
    printf("  D-H Key while awaiting Reveal-Signature -> %08x have=%d state=%d\n", e, have, A->authstate);
    have = 7;
    e = otrl_auth_handle_key(B, key, &have, b->key);
    char *reveal = dupmsg(B->lastauthmsg);
    printf("  handle_key -> %08x have=%d state=%d\n", e, have, B->authstate);
    have = 7;
    e = otrl_auth_handle_revealsig(B, reveal, &have, b->key, succeeded, NULL);
    printf("  Reveal-Signature to the initiator -> %08x have=%d state=%d\n", e, have, B->authstate);
    have = 7;
    e = otrl_auth_handle_signature(A, reveal, &have, succeeded, NULL);
    printf("  Reveal-Signature to handle_signature -> %08x have=%d state=%d\n", e, have, A->authstate);

    /* Tampered Reveal-Signatures: a wrong r (the commitment fails: no error!), a bad
     * MAC, a trailing byte. */
    struct { const char *name; void (*f)(unsigned char *, size_t); } tf[] = {
        {"wrong r", flip_r_v3}, {"bad MAC", flip_last}, {"bad encrypted signature", flip_sig_v3}, {NULL, NULL}};
    for (int i = 0; tf[i].name; i++) {
        char *m = tamper(reveal, tf[i].f);
        have = 7;
        struct cb c = {"tampered", A, 0, 0};
        e = otrl_auth_handle_revealsig(A, m, &have, a->key, succeeded, &c);
        printf("  Reveal-Signature, %s -> %08x have=%d calls=%d", tf[i].name, e, have, c.calls);
        show("", A);
        free(m);
    }
    {
        unsigned char *buf;
        size_t len;
        otrl_base64_otr_decode(reveal, &buf, &len);
        unsigned char *longer = malloc(len + 1);
        memcpy(longer, buf, len);
        longer[len] = 0;
        char *m = encode(longer, len + 1);
        have = 7;
        e = otrl_auth_handle_revealsig(A, m, &have, a->key, succeeded, NULL);
        printf("  Reveal-Signature with a trailing byte -> %08x have=%d state=%d\n", e, have, A->authstate);
        free(m);
        free(longer);
        free(buf);
    }
    (void)add_byte;
    /* Now the real one; the callback's error is what the call returns. */
    struct cb c = {"alice", A, 0x20000001, 0};
    have = 7;
    e = otrl_auth_handle_revealsig(A, reveal, &have, a->key, succeeded, &c);
    printf("  Reveal-Signature, callback fails -> %08x have=%d calls=%d\n", e, have, c.calls);
    show("alice", A);
    char *sig = dupmsg(A->lastauthmsg);
    struct { const char *name; void (*f)(unsigned char *, size_t); } sf[] = {
        {"bad MAC", flip_last}, {"bad encrypted part", flip_sig_v3}, {NULL, NULL}};
    for (int i = 0; sf[i].name; i++) {
        char *m = tamper(sig, sf[i].f);
        have = 7;
        e = otrl_auth_handle_signature(B, m, &have, succeeded, NULL);
        printf("  Signature, %s -> %08x have=%d", sf[i].name, e, have);
        show("", B);
        free(m);
    }
    /* No callback at all. */
    have = 7;
    e = otrl_auth_handle_signature(B, sig, &have, NULL, NULL);
    printf("  Signature without callback -> %08x have=%d", e, have);
    show("", B);
    free(commit);
    free(key);
    free(reveal);
    free(sig);
    otrl_auth_clear(A);
    otrl_auth_clear(B);
}

/* The master's commit answered by a new instance: the D-H Commit data is copied. */
static void copy_on_key(struct side *a, struct side *b) {
    OtrlAuthInfo *BM = &b->master->auth, *BI = &b->inst->auth, *A = &a->inst->auth;
    int have;
    gcry_error_t e;
    printf("== copy_on_key\n");
    otrl_auth_copy_on_key(BM, BI);
    show("from NONE", BI);
    e = otrl_auth_start_v23(BM, 3);
    char *commit = dupmsg(BM->lastauthmsg);
    otrl_auth_copy_on_key(BM, BI);
    show("from AWAITING_DHKEY", BI);
    printf("  encgx_len=%zu r same=%d hashgx same=%d encgx same=%d\n", BI->encgx_len, !memcmp(BI->r, BM->r, 16),
           !memcmp(BI->hashgx, BM->hashgx, 32), !memcmp(BI->encgx, BM->encgx, BM->encgx_len));
    e = otrl_auth_handle_commit(A, commit, 3);
    ret("alice (instance) handle_commit", e, -1);
    char *key = dupmsg(A->lastauthmsg);
    have = 7;
    e = otrl_auth_handle_key(BI, key, &have, b->key);
    ret("bob instance, protocol_version 0: handle_key", e, have);
    BI->protocol_version = 3;
    have = 7;
    e = otrl_auth_handle_key(BI, key, &have, b->key);
    ret("bob instance, protocol_version 3: handle_key", e, have);
    show("bob instance", BI);
    struct cb ca = {"alice", A, 0, 0}, cb = {"bob", BI, 0, 0};
    char *m = dupmsg(BI->lastauthmsg);
    e = otrl_auth_handle_revealsig(A, m, &have, a->key, succeeded, &ca);
    ret("alice handle_revealsig", e, have);
    free(m);
    m = dupmsg(A->lastauthmsg);
    e = otrl_auth_handle_signature(BI, m, &have, succeeded, &cb);
    ret("bob instance handle_signature", e, have);
    free(m);
    printf("  ssid equal=%d\n", !memcmp(A->secure_session_id, BI->secure_session_id, 8));
    /* From AWAITING_SIG (and from AWAITING_REVEALSIG, which copies nothing). */
    otrl_auth_start_v23(BM, 3);
    free(commit);
    commit = dupmsg(BM->lastauthmsg);
    otrl_auth_handle_commit(A, commit, 3);
    free(key);
    key = dupmsg(A->lastauthmsg);
    otrl_auth_handle_key(BM, key, &have, b->key);
    otrl_auth_copy_on_key(BM, BI);
    show("from AWAITING_SIG", BI);
    otrl_auth_copy_on_key(A, BI);
    show("from AWAITING_REVEALSIG", BI);
    free(commit);
    free(key);
    otrl_auth_clear(BM);
    otrl_auth_clear(BI);
    otrl_auth_clear(A);
    /* otrl_auth_new re-initialises a context's auth (it does not free: clear first). */
    otrl_auth_new(b->inst);
    show("after auth_new", BI);
}

static void dh_tests(void) {
    printf("== dh\n");
    DH_keypair a, b, c, d;
    memset(&a, 0x55, sizeof a);
    otrl_dh_keypair_init(&a);
    printf("init: group=%u priv=%d pub=%d\n", a.groupid, a.priv != NULL, a.pub != NULL);
    gcry_error_t g = otrl_dh_gen_keypair(4, &a);
    printf("gen group 4 -> %08x group=%u priv=%d\n", g, a.groupid, a.priv != NULL);
    g = otrl_dh_gen_keypair(5, &a);
    printf("gen group 5 -> %08x group=%u priv=%d pub=%d\n", g, a.groupid, a.priv != NULL, a.pub != NULL);
    otrl_dh_keypair_init(&b);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &b);
    otrl_dh_keypair_copy(&c, &a);
    printf("copy: group=%u new objects=%d %d\n", c.groupid, c.priv && c.priv != a.priv, c.pub && c.pub != a.pub);
    DH_keypair empty;
    otrl_dh_keypair_init(&empty);
    otrl_dh_keypair_copy(&d, &empty);
    printf("copy of empty: group=%u priv=%d pub=%d\n", d.groupid, d.priv != NULL, d.pub != NULL);

    DH_sesskeys sa, sb, sc;
    memset(&sa, 0x77, sizeof sa);
    gcry_error_t e = otrl_dh_session(&sa, &a, b.pub);
    gcry_error_t e2 = otrl_dh_session(&sb, &b, a.pub);
    gcry_error_t e3 = otrl_dh_session(&sc, &c, b.pub);
    printf("session -> %08x %08x %08x\n", e, e2, e3);
    printf("  a.send==b.rcv %d a.rcv==b.send %d extra equal %d send!=rcv %d copy same %d\n",
           !memcmp(sa.sendmackey, sb.rcvmackey, 20), !memcmp(sa.rcvmackey, sb.sendmackey, 20),
           !memcmp(sa.extrakey, sb.extrakey, 32), memcmp(sa.sendmackey, sa.rcvmackey, 20) != 0,
           !memcmp(sa.sendmackey, sc.sendmackey, 20) && !memcmp(sa.rcvmackey, sc.rcvmackey, 20) &&
               !memcmp(sa.extrakey, sc.extrakey, 32));
    printf("  handles %d%d%d%d ctrs zero %d %d used %d %d extra set %d\n", sa.sendenc != NULL, sa.rcvenc != NULL,
           sa.sendmac != NULL, sa.rcvmac != NULL, !nonzero(sa.sendctr, 16), !nonzero(sa.rcvctr, 16), sa.sendmacused,
           sa.rcvmacused, nonzero(sa.extrakey, 32));
    DH_sesskeys se;
    memset(&se, 0x77, sizeof se);
    e = otrl_dh_session(&se, &empty, b.pub);
    printf("session with group 0 -> %08x handles %d%d%d%d mackey zero %d\n", e, se.sendenc != NULL, se.rcvenc != NULL,
           se.sendmac != NULL, se.rcvmac != NULL, !nonzero(se.sendmackey, 20));
    otrl_dh_session_free(&sa);
    printf("session_free: handles %d%d%d%d keys zero %d %d %d\n", sa.sendenc != NULL, sa.rcvenc != NULL,
           sa.sendmac != NULL, sa.rcvmac != NULL, !nonzero(sa.sendmackey, 20), !nonzero(sa.rcvmackey, 20),
           !nonzero(sa.extrakey, 32));
    otrl_dh_session_free(&sb);
    otrl_dh_session_free(&sc);
    otrl_dh_session_free(&sa);
    memset(&se, 0x77, sizeof se);
    otrl_dh_session_blank(&se);
    printf("session_blank: handles %d%d%d%d ctr zero %d used %d %d\n", se.sendenc != NULL, se.rcvenc != NULL,
           se.sendmac != NULL, se.rcvmac != NULL, !nonzero(se.sendctr, 16), se.sendmacused, se.rcvmacused);

    unsigned char id1[20], id2[20];
    size_t l1 = 0, l2 = 0;
    gcry_cipher_hd_t c1, cp1, c2, cp2;
    gcry_md_hd_t m1[4], m2[4];
    memset(id1, 0, 20);
    memset(id2, 0, 20);
    e = otrl_dh_compute_v2_auth_keys(&a, b.pub, id1, &l1, &c1, &cp1, &m1[0], &m1[1], &m1[2], &m1[3]);
    e2 = otrl_dh_compute_v2_auth_keys(&b, a.pub, id2, &l2, &c2, &cp2, &m2[0], &m2[1], &m2[2], &m2[3]);
    printf("v2 auth keys -> %08x %08x len %zu %zu equal %d tail zero %d handles %d\n", e, e2, l1, l2,
           !memcmp(id1, id2, 8), !nonzero(id1 + 8, 12), c1 && cp1 && m1[0] && m1[1] && m1[2] && m1[3]);
    /* Free them through an auth struct (the only public way without libgcrypt). */
    OtrlAuthInfo tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.enc_c = c1, tmp.enc_cp = cp1, tmp.mac_m1 = m1[0], tmp.mac_m1p = m1[1], tmp.mac_m2 = m1[2], tmp.mac_m2p = m1[3];
    otrl_auth_clear(&tmp);
    tmp.enc_c = c2, tmp.enc_cp = cp2, tmp.mac_m1 = m2[0], tmp.mac_m1p = m2[1], tmp.mac_m2 = m2[2], tmp.mac_m2p = m2[3];
    otrl_auth_clear(&tmp);
    l1 = 99;
    c1 = (gcry_cipher_hd_t)&tmp;
    e = otrl_dh_compute_v2_auth_keys(&empty, b.pub, id1, &l1, &c1, &cp1, &m1[0], &m1[1], &m1[2], &m1[3]);
    printf("v2 auth keys, group 0 -> %08x len %zu handles NULL %d\n", e, l1, !c1 && !cp1 && !m1[0] && !m1[3]);

    OtrlSessionIdHalf h1 = 9, h2 = 9;
    e = otrl_dh_compute_v1_session_id(&a, b.pub, id1, &l1, &h1);
    e2 = otrl_dh_compute_v1_session_id(&b, a.pub, id2, &l2, &h2);
    printf("v1 session id -> %08x %08x len %zu %zu equal %d halves differ %d\n", e, e2, l1, l2, !memcmp(id1, id2, 20),
           h1 != h2);
    e = otrl_dh_compute_v1_session_id(&empty, b.pub, id1, &l1, &h1);
    printf("v1 session id, group 0 -> %08x\n", e);

    otrl_dh_keypair_free(&a);
    printf("keypair_free: group=%u priv=%d pub=%d\n", a.groupid, a.priv != NULL, a.pub != NULL);
    otrl_dh_keypair_free(&a);
    otrl_dh_keypair_free(&b);
    otrl_dh_keypair_free(&c);
    otrl_dh_keypair_free(&d);

    unsigned char ctrs[][16] = {
        {0},
        {0, 0, 0, 0, 0, 0, 0, 0xff, 9, 9, 9, 9, 9, 9, 9, 9},
        {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff},
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8},
        {1, 2, 3, 4, 5, 6, 7, 0xfe},
    };
    for (int i = 0; i < 5; i++) {
        otrl_dh_incctr(ctrs[i]);
        printf("incctr -> ");
        hex(ctrs[i], 16);
        printf("\n");
    }
    unsigned char x[][8] = {{0}, {0, 0, 0, 0, 0, 0, 0, 1}, {1}, {0xff}, {0, 0xff}, {0, 0, 0, 0, 0, 0, 0, 0xff},
                            {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x80, 0, 0, 0, 0, 0, 0, 1}};
    for (int i = 0; i < 8; i++) {
        printf("cmpctr %d:", i);
        for (int j = 0; j < 8; j++) printf(" %d", otrl_dh_cmpctr(x[i], x[j]));
        printf("\n");
    }
}

int main(void) {
    OTRL_INIT;
    otrl_dh_init();
    struct side a, b;
    setup(&a, "auth_alice.key", ACCT_A, ACCT_B, 0x1234, 0x5678);
    setup(&b, "auth_bob.key", ACCT_B, ACCT_A, 0x5678, 0x1234);
    show("fresh master", &a.master->auth);

    full("bob starts, masters", 3, b.master, b.key, a.master, a.key, &b, ACCT_B, &a, ACCT_A);
    full("alice starts, instances", 3, a.inst, a.key, b.inst, b.key, &a, ACCT_A, &b, ACCT_B);
    full("bob starts, v2", 2, b.master, b.key, a.master, a.key, &b, ACCT_B, &a, ACCT_A);
    simultaneous("masters", &a.master->auth, a.key, &b.master->auth, b.key);
    simultaneous("instances", &a.inst->auth, a.key, &b.inst->auth, b.key);
    bad_messages(&a, &b);
    copy_on_key(&a, &b);
    dh_tests();

    otrl_userstate_free(a.us);
    otrl_userstate_free(b.us);
    return 0;
}
