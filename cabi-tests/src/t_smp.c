/* The Socialist Millionaires' Protocol at the message level, between two in-memory
 * peers (otrsim.h: fixed keys and instance tags, frozen clock, every callback logged).
 * The AKE that sets each session up is not printed (t_conv.c covers it); one line
 * says how it ended.  What is printed: the SMP calls (otrl_message_initiate_smp,
 * _initiate_smp_q, _respond_smp, _abort_smp), the data messages they inject (only
 * their deterministic fields; SMP TLV lengths are shown as "*"), every callback
 * (handle_smp_event with event, progress and question; write_fingerprints), the TLV
 * types handed back by otrl_message_receiving, and after each phase both sides'
 * smstate (nextExpected, sm_prog_state, received_question, secret==NULL, and which of
 * the eleven MPI fields are non-NULL) and the
 * trust string of the active fingerprint.  Nothing random is printed.
 *
 * Sections:
 *  1. question + right answer: only the asker's side becomes trusted "smp";
 *     question text (UTF-8, empty, NULL question = plain SMP1)
 *  2. no question + right secret (both sides "smp"); empty secret; secret with NULs
 *  3. wrong secret, with and without a question: FAILURE on both sides, trust ""
 *  4. abort by either side at each step (before SMP1 arrives, before responding,
 *     after SMP2, after SMP3, after SMP4), and what the messages still in flight do
 *  5. out-of-order SMP messages: each TLV type in each state (ERROR, state kept,
 *     the real run then completes); several SMP TLVs in one message; the same
 *     ciphertext delivered twice; replayed SMP1/2/3/4 (as TLVs through
 *     otrl_message_sending) in EXPECT1 and inside a new run (CHEATED)
 *  6. SMP while not encrypted: PLAINTEXT (before the AKE, master context) and
 *     FINISHED (after the peer's disconnect): initiate/respond/abort send nothing;
 *     an SMP message reaching a party that already ended the session
 *  7. SMP started from both sides at once; started twice by one side
 *  8. a second and third SMP after completed ones (roles swapped, trust changes)
 *  9. SMP inside a v2 session
 * 10. respond_smp without a pending SMP1 (after a completed SMP; after an abort)
 * 11. TLV 7 (SMP1Q) edge cases: empty TLV, empty question, question without NUL,
 *     question only, question followed by a bad message
 * 12. malformed SMP TLVs (protocol-notes §2 class 14) sent by a party through the
 *     public API (otrl_tlv_new + otrl_message_sending's tlvs) inside an ENCRYPTED
 *     session, for each of SMP1/SMP1Q/SMP2/SMP3/SMP4 in the state that expects it:
 *     wrong MPI count, huge counts, huge MPI length, truncated, trailing bytes,
 *     empty, garbage; group elements 0, 1, p-1, p, p+1 (and 2: in range, bad proof);
 *     exponents 0, q, q+1 (and q-1: in range, bad proof) -> CHEATED
 * 13. an SMP TLV riding on a text message; an SMP across a refresh AKE (the session id
 *     changes: FAILURE); ops without handle_smp_event; NULL contexts
 * T_SM_QUICK=1 (for valgrind) runs only every fourth altered message of section 12.
 * libotr 4.1.1 crashes (NULL MPIs in otrl_sm_step2b) when respond_smp is called on a
 * context that never saw an SMP, so that call is not made here.
 */
#include "otrsim.h"
#include <fcntl.h>
#include <libotr/sm.h>

#include "group.h"
static unsigned char P[192], PM1[192], PP1[192], Q[192], QM1[192], QP1[192];

static void numbers_init(void) {
    unhex(P_HEX, P);
    addsmall(P, -1, PM1);
    addsmall(P, 1, PP1);
    /* q = (p-1)/2 */
    int carry = 0;
    for (int i = 0; i < 192; i++) {
        int v = PM1[i] | (carry << 8);
        Q[i] = (unsigned char)(v >> 1);
        carry = v & 1;
    }
    addsmall(Q, -1, QM1);
    addsmall(Q, 1, QP1);
}

/* ---------- quiet setup ---------- */
static int saved_fd = -1;
static void quiet_begin(void) {
    flush_policy();
    fflush(stdout);
    saved_fd = dup(1);
    int n = open("/dev/null", O_WRONLY);
    dup2(n, 1);
    close(n);
}
static void quiet_end(void) {
    flush_policy();
    fflush(stdout);
    dup2(saved_fd, 1);
    close(saved_fd);
    saved_fd = -1;
}

/* ---------- peers and contexts ---------- */
static Peer *A, *B;
static ConnContext *AC, *BC; /* alice's context for bob, bob's for alice */

static ConnContext *ctx_of(Peer *p, otrl_instag_t inst, int add) {
    return otrl_context_find(p->us, buddy_of(p), p->account, PROTO, inst, add, NULL, NULL, NULL);
}

/* ---------- delivery that keeps the SMP TLVs received (for replays) ---------- */
static unsigned char *cap[8];
static size_t caplen[8];
/* genuine messages kept by snapshot(), the base of the altered ones */
static unsigned char *snap[8];
static size_t snaplen[8];
static void snapshot(void) {
    for (int t = OTRL_TLV_SMP1; t <= OTRL_TLV_SMP1Q; t++) {
        free(snap[t]);
        snap[t] = NULL;
        if (!cap[t]) continue;
        snap[t] = malloc(caplen[t] + 1);
        memcpy(snap[t], cap[t], caplen[t]);
        snaplen[t] = caplen[t];
    }
}
static char *lastwire;
static Peer *lastwire_to;
static const char *lastwire_from;

static void capture(OtrlTLV *t) {
    for (; t; t = t->next)
        if (t->type >= OTRL_TLV_SMP1 && t->type <= OTRL_TLV_SMP1Q) {
            free(cap[t->type]);
            cap[t->type] = malloc(t->len + 1);
            memcpy(cap[t->type], t->data, t->len);
            caplen[t->type] = t->len;
        }
}

static int deliver(void) {
    QMsg *q = dequeue();
    if (!q) return 0;
    OUT("  deliver %s -> %s: ", q->from->name, q->to->name);
    desc(q->msg);
    printf("\n");
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    ConnContext *ctx = NULL;
    int r = otrl_message_receiving(q->to->us, q->to->ops, q->to, q->to->account, PROTO, q->from->account, q->msg, &newmsg,
                                   &tlvs, &ctx, NULL, NULL);
    OUT("   => ret=%d new=", r);
    pesc(newmsg);
    print_tlvs(tlvs);
    printf(" ctx=%s\n", ctxname(ctx));
    capture(tlvs);
    otrl_message_free(newmsg);
    otrl_tlv_free(tlvs);
    free(lastwire);
    lastwire = strdup(q->msg);
    lastwire_to = q->to;
    lastwire_from = q->from->account;
    qfree(q);
    return 1;
}
static void deliver_all(void) {
    int n = 0;
    while (qhead && n++ < 50) deliver();
    drop_queue("limit");
}
static void drop_one(void) {
    QMsg *q = dequeue();
    if (!q) return;
    OUT("  (lost in transit %s -> %s: ", q->from->name, q->to->name);
    desc(q->msg);
    printf(")\n");
    qfree(q);
}

/* ---------- printing the SMP state ---------- */
static const char *next_s(NextExpectedSMP n) {
    static const char *s[] = {"EXPECT1", "EXPECT2", "EXPECT3", "EXPECT4", "EXPECT5"};
    return (unsigned)n < 5 ? s[n] : "?";
}
static const char *prog_s(OtrlSMProgState p) {
    switch (p) {
    case OTRL_SMP_PROG_OK: return "OK";
    case OTRL_SMP_PROG_CHEATED: return "CHEATED";
    case OTRL_SMP_PROG_FAILED: return "FAILED";
    case OTRL_SMP_PROG_SUCCEEDED: return "SUCCEEDED";
    }
    return "?";
}
static void sm1(Peer *p, ConnContext *c) {
    OUT("  %-5s smstate: ", p->name);
    if (!c || !c->smstate) { printf("(none)\n"); return; }
    OtrlSMState *s = c->smstate;
    printf("next=%s prog=%s received_question=%d secret=%s msg=%s trust=", next_s(s->nextExpected), prog_s(s->sm_prog_state),
           s->received_question, s->secret ? "set" : "NULL", msgstate_s(c->msgstate));
    if (!c->active_fingerprint) printf("(no fp)");
    else if (!c->active_fingerprint->trust) printf("NULL");
    else pesc(c->active_fingerprint->trust);
    /* which of the eleven MPI fields are non-NULL (secret x2 x3 g1 g2 g3 g3o p q pab qab) */
    gcry_mpi_t f[11] = {s->secret, s->x2, s->x3, s->g1, s->g2, s->g3, s->g3o, s->p, s->q, s->pab, s->qab};
    printf(" mpis=");
    for (int i = 0; i < 11; i++) putchar(f[i] ? '1' : '0');
    printf("\n");
}
static void sms(void) {
    sm1(A, AC);
    sm1(B, BC);
}

/* ---------- the SMP calls ---------- */
static void do_init(Peer *p, ConnContext *c, const char *question, const char *secret, size_t len) {
    if (question) {
        OUT("  %s initiate_smp_q(question=", p->name);
        pesc(question);
        printf(", secret=");
        pesc(secret);
        printf(" len %zu)\n", len);
        otrl_message_initiate_smp_q(p->us, p->ops, p, c, question, (const unsigned char *)secret, len);
    } else {
        OUT("  %s initiate_smp(secret=", p->name);
        pesc(secret);
        printf(" len %zu)\n", len);
        otrl_message_initiate_smp(p->us, p->ops, p, c, (const unsigned char *)secret, len);
    }
    OUT("   (queue: %d)\n", queue_len());
}
static void do_init_qnull(Peer *p, ConnContext *c, const char *secret) {
    OUT("  %s initiate_smp_q(question=NULL, secret=", p->name);
    pesc(secret);
    printf(")\n");
    otrl_message_initiate_smp_q(p->us, p->ops, p, c, NULL, (const unsigned char *)secret, strlen(secret));
    OUT("   (queue: %d)\n", queue_len());
}
static void do_respond(Peer *p, ConnContext *c, const char *secret, size_t len) {
    OUT("  %s respond_smp(secret=", p->name);
    pesc(secret);
    printf(" len %zu)\n", len);
    otrl_message_respond_smp(p->us, p->ops, p, c, (const unsigned char *)secret, len);
    OUT("   (queue: %d)\n", queue_len());
}
static void do_abort(Peer *p, ConnContext *c) {
    OUT("  %s abort_smp\n", p->name);
    otrl_message_abort_smp(p->us, p->ops, p, c);
    OUT("   (queue: %d)\n", queue_len());
}
#define S(x) x, strlen(x)

/* A whole SMP, alice (or bob) asking. */
static void full_smp(Peer *ini, ConnContext *ic, Peer *res, ConnContext *rc, const char *q, const char *s1, const char *s2) {
    do_init(ini, ic, q, S(s1));
    deliver_all();
    do_respond(res, rc, S(s2));
    deliver_all();
    sms();
}

/* ---------- sessions ---------- */
static void session(OtrlPolicy pol) {
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, pol);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, pol);
    quiet_begin();
    send_msg(A, "?OTR?");
    pump();
    quiet_end();
    AC = ctx_of(A, OTRL_INSTAG_BEST, 0);
    BC = ctx_of(B, OTRL_INSTAG_BEST, 0);
    OUT("  (AKE not shown) alice: %s %s v%u; bob1: %s %s v%u\n", ctxname(AC), msgstate_s(AC->msgstate), AC->protocol_version,
        ctxname(BC), msgstate_s(BC->msgstate), BC->protocol_version);
    sms();
}
static void end_session(void) {
    peers_free_all();
    A = B = NULL;
    AC = BC = NULL;
}

/* ---------- raw TLVs through otrl_message_sending ---------- */
typedef struct {
    unsigned char b[8192];
    size_t n;
} Buf;
static void put(Buf *b, const void *d, size_t l) {
    memcpy(b->b + b->n, d, l);
    b->n += l;
}
static void put32(Buf *b, unsigned long v) {
    unsigned char x[4] = {v >> 24, v >> 16, v >> 8, v};
    put(b, x, 4);
}
static void putmpi(Buf *b, const unsigned char *v, size_t l) {
    while (l && !*v) { v++; l--; }
    put32(b, l);
    put(b, v, l);
}
static void putsmall(Buf *b, unsigned v) {
    unsigned char x[4] = {v >> 24, v >> 16, v >> 8, v};
    putmpi(b, x, 4);
}

/* The MPIs of a serialized SMP message (pointers into d). */
typedef struct {
    unsigned n;
    const unsigned char *v[16];
    size_t l[16];
} Mpis;
static int parse(const unsigned char *d, size_t len, Mpis *m) {
    if (len < 4) return 0;
    m->n = (unsigned)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
    size_t o = 4;
    if (m->n > 16) return 0;
    for (unsigned i = 0; i < m->n; i++) {
        if (o + 4 > len) return 0;
        size_t l = (size_t)d[o] << 24 | d[o + 1] << 16 | d[o + 2] << 8 | d[o + 3];
        o += 4;
        if (o + l > len) return 0;
        m->v[i] = d + o;
        m->l[i] = l;
        o += l;
    }
    return o == len;
}
/* The captured message of `type` with MPI `idx` replaced (idx < 0: unchanged). */
static void build(Buf *b, int type, int idx, const unsigned char *v, size_t vl) {
    Mpis m;
    b->n = 0;
    if (!snap[type] || !parse(snap[type], snaplen[type], &m)) {
        printf("  (no usable captured TLV %d)\n", type);
        exit(3);
    }
    put32(b, m.n);
    for (unsigned i = 0; i < m.n; i++) {
        if ((int)i == idx) putmpi(b, v, vl);
        else putmpi(b, m.v[i], m.l[i]);
    }
}

static void send_tlv(Peer *p, unsigned short type, const unsigned char *d, size_t len, const char *label) {
    OUT("  %s sends TLV %u: %s\n", p->name, type, label);
    OtrlTLV *t = otrl_tlv_new(type, len, d);
    send_msg_tlv(p, OTRL_INSTAG_BEST, "", t, OTRL_FRAGMENT_SEND_ALL);
    otrl_tlv_free(t);
}
static void send_two_tlvs(Peer *p, unsigned short t1, const unsigned char *d1, size_t l1, unsigned short t2,
                          const unsigned char *d2, size_t l2, const char *label) {
    OUT("  %s sends TLVs %u+%u: %s\n", p->name, t1, t2, label);
    OtrlTLV *t = otrl_tlv_new(t1, l1, d1);
    t->next = otrl_tlv_new(t2, l2, d2);
    send_msg_tlv(p, OTRL_INSTAG_BEST, "", t, OTRL_FRAGMENT_SEND_ALL);
    otrl_tlv_free(t);
}
/* Send the captured TLV of a type again (a replay at the TLV level). */
static void resend_cap(Peer *p, int type, const char *label) {
    send_tlv(p, type, cap[type], caplen[type], label);
}

/* ========================================================================== */

static void s1_question(void) {
    section("1. question + right answer: only the asker trusts");
    session(OTRL_POLICY_MANUAL);
    do_init(A, AC, "Where did we meet?", S("paris"));
    deliver_all();
    sms();
    do_respond(B, BC, S("paris"));
    deliver_all();
    sms();
    OUT("  -- UTF-8 question, bob asks, alice answers right\n");
    full_smp(B, BC, A, AC, "Ou\xc3\xa9 ? \xe2\x82\xac", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
    OUT("  -- empty question\n");
    full_smp(A, AC, B, BC, "", "s", "s");
    OUT("  -- initiate_smp_q with question NULL: a plain SMP1\n");
    do_init_qnull(A, AC, "k");
    deliver_all();
    do_respond(B, BC, S("k"));
    deliver_all();
    sms();
    end_session();
}

static void s2_secret(void) {
    section("2. no question + right secret: both trust");
    session(OTRL_POLICY_MANUAL);
    do_init(A, AC, NULL, S("the secret"));
    deliver_all();
    sms();
    do_respond(B, BC, S("the secret"));
    deliver(); /* SMP2 -> alice, SMP3 out */
    sms();
    deliver(); /* SMP3 -> bob, SMP4 out */
    sms();
    deliver(); /* SMP4 -> alice */
    sms();
    OUT("  -- empty secrets\n");
    full_smp(B, BC, A, AC, NULL, "", "");
    OUT("  -- secrets with NUL bytes (equal)\n");
    do_init(A, AC, NULL, "a\0b", 3);
    deliver_all();
    do_respond(B, BC, "a\0b", 3);
    deliver_all();
    sms();
    OUT("  -- secrets differing only after a NUL byte\n");
    do_init(A, AC, NULL, "a\0b", 3);
    deliver_all();
    do_respond(B, BC, "a\0c", 3);
    deliver_all();
    sms();
    end_session();
}

static void s3_wrong(void) {
    section("3. wrong secret");
    session(OTRL_POLICY_MANUAL);
    full_smp(A, AC, B, BC, NULL, "right", "right");
    OUT("  -- no question, wrong secret: both FAILURE, trust reset\n");
    full_smp(A, AC, B, BC, NULL, "right", "wrong");
    full_smp(A, AC, B, BC, NULL, "right", "right");
    OUT("  -- question, wrong answer: asker's trust reset, answerer's left alone\n");
    full_smp(B, BC, A, AC, "q?", "yes", "no");
    OUT("  -- length matters\n");
    full_smp(A, AC, B, BC, NULL, "secret", "secret ");
    end_session();
}

/* alice initiates; the SMP runs until `stage` messages have been delivered, then
 * `who` aborts, then everything in flight is delivered. */
static void abort_at(int stage, Peer *who, const char *what, int recover) {
    OUT("  -- %s aborts %s\n", who->name, what);
    do_init(A, AC, NULL, S("pw"));
    if (stage >= 1) deliver();
    if (stage >= 2) {
        do_respond(B, BC, S("pw"));
        for (int i = 2; i < stage; i++) deliver();
    }
    sms();
    do_abort(who, who == A ? AC : BC);
    sms();
    deliver_all();
    sms();
    if (recover) {
        OUT("  -- afterwards a new SMP works\n");
        full_smp(A, AC, B, BC, NULL, "ok", "ok");
    }
}

static void s4_abort(void) {
    section("4. abort by either side at each step");
    session(OTRL_POLICY_MANUAL);
    abort_at(0, A, "before SMP1 arrives", 0);
    abort_at(0, B, "before SMP1 arrives (nothing pending on his side)", 0);
    abort_at(1, B, "instead of responding (SMP1 received)", 0);
    abort_at(1, A, "while bob has not answered yet", 1);
    abort_at(2, B, "right after responding (SMP2 in flight)", 0);
    abort_at(2, A, "with SMP2 in flight", 0);
    abort_at(3, A, "after SMP2 arrived (SMP3 in flight)", 1);
    abort_at(3, B, "with SMP3 in flight", 0);
    abort_at(4, A, "after SMP3 arrived (SMP4 in flight)", 0);
    abort_at(4, B, "after SMP3 arrived (SMP4 in flight)", 0);
    abort_at(5, A, "after the SMP completed", 1);
    OUT("  -- after alice aborted before SMP1 arrived, bob answers the stale SMP1\n");
    do_init(A, AC, NULL, S("pw"));
    do_abort(A, AC);
    deliver_all();
    do_respond(B, BC, S("pw"));
    deliver_all();
    sms();
    OUT("  -- abort twice\n");
    do_abort(A, AC);
    do_abort(A, AC);
    deliver_all();
    sms();
    end_session();
}

/* Both sides abort (not printed) and the aborts are delivered: both in EXPECT1. */
static void reset_both(void) {
    quiet_begin();
    otrl_message_abort_smp(A->us, A->ops, A, AC);
    otrl_message_abort_smp(B->us, B->ops, B, BC);
    deliver_all();
    quiet_end();
    OUT("  [reset: both sides aborted]\n");
    sms();
}

/* Put alice and bob in a given state of a run started by alice (the messages not
 * needed are lost in transit). state: 2 = alice EXPECT2 (bob has not seen SMP1),
 * 3 = bob EXPECT3 (alice has not seen SMP2), 4 = alice EXPECT4 (bob has not seen
 * SMP3). Printed only as the resulting state. */
static void setup_state(int state, const char *secret) {
    quiet_begin();
    otrl_message_initiate_smp(A->us, A->ops, A, AC, (const unsigned char *)secret, strlen(secret));
    if (state == 2) drop_one();
    else deliver();
    if (state >= 3) {
        otrl_message_respond_smp(B->us, B->ops, B, BC, (const unsigned char *)secret, strlen(secret));
        if (state == 3) drop_one();
        else deliver();
    }
    if (state == 4) drop_one();
    quiet_end();
    OUT("  [set up: alice initiated%s%s%s]\n", state == 2 ? ", SMP1 lost" : ", bob got SMP1", state >= 3 ? ", bob responded" : "",
        state == 3 ? ", SMP2 lost" : state == 4 ? ", alice got SMP2, SMP3 lost" : "");
    sms();
}

static void s5_order(void) {
    section("5. out-of-order and replayed SMP messages");
    session(OTRL_POLICY_MANUAL);
    OUT("  -- a complete run, its TLVs kept\n");
    full_smp(A, AC, B, BC, NULL, "z", "z");
    OUT("  -- both in EXPECT1: SMP2, SMP3, SMP4 are out of order (replays of the run)\n");
    resend_cap(B, OTRL_TLV_SMP2, "replayed SMP2 to alice (EXPECT1)");
    deliver_all();
    resend_cap(A, OTRL_TLV_SMP3, "replayed SMP3 to bob (EXPECT1)");
    deliver_all();
    resend_cap(B, OTRL_TLV_SMP4, "replayed SMP4 to alice (EXPECT1)");
    deliver_all();
    resend_cap(A, OTRL_TLV_SMP4, "SMP4 to bob (EXPECT1)");
    deliver_all();
    sms();
    OUT("  -- replayed SMP1 in EXPECT1: accepted, a new SMP starts at bob\n");
    resend_cap(A, OTRL_TLV_SMP1, "replayed SMP1 to bob");
    deliver_all();
    sms();
    do_respond(B, BC, S("z"));
    deliver_all();
    sms();
    reset_both();
    OUT("  -- alice in EXPECT2 gets every other type\n");
    setup_state(2, "m");
    resend_cap(B, OTRL_TLV_SMP1, "SMP1 (EXPECT2)");
    resend_cap(B, OTRL_TLV_SMP3, "SMP3 (EXPECT2)");
    resend_cap(B, OTRL_TLV_SMP4, "SMP4 (EXPECT2)");
    resend_cap(B, OTRL_TLV_SMP1Q, "SMP1Q (EXPECT2)");
    deliver_all();
    sms();
    OUT("  -- replayed SMP2 of an old run in EXPECT2: CHEATED\n");
    resend_cap(B, OTRL_TLV_SMP2, "old SMP2 (EXPECT2)");
    deliver_all();
    sms();
    reset_both();
    OUT("  -- bob in EXPECT3 gets every other type\n");
    setup_state(3, "m");
    resend_cap(A, OTRL_TLV_SMP2, "SMP2 (EXPECT3)");
    resend_cap(A, OTRL_TLV_SMP4, "SMP4 (EXPECT3)");
    resend_cap(A, OTRL_TLV_SMP1, "SMP1 (EXPECT3)");
    resend_cap(A, OTRL_TLV_SMP1Q, "SMP1Q (EXPECT3)");
    deliver_all();
    sms();
    OUT("  -- replayed SMP3 of an old run in EXPECT3: CHEATED, bob's trust reset\n");
    resend_cap(A, OTRL_TLV_SMP3, "old SMP3 (EXPECT3)");
    deliver_all();
    sms();
    reset_both();
    OUT("  -- alice in EXPECT4 gets every other type\n");
    setup_state(4, "m");
    resend_cap(B, OTRL_TLV_SMP1, "SMP1 (EXPECT4)");
    resend_cap(B, OTRL_TLV_SMP2, "SMP2 (EXPECT4)");
    resend_cap(B, OTRL_TLV_SMP3, "SMP3 (EXPECT4)");
    resend_cap(B, OTRL_TLV_SMP1Q, "SMP1Q (EXPECT4)");
    deliver_all();
    sms();
    OUT("  -- replayed SMP4 of an old run in EXPECT4: CHEATED, alice's trust reset\n");
    resend_cap(B, OTRL_TLV_SMP4, "old SMP4 (EXPECT4)");
    deliver_all();
    sms();
    reset_both();
    OUT("  -- the state survives ERRORs: a run with out-of-order messages in between\n");
    do_init(A, AC, NULL, S("r"));
    deliver();
    resend_cap(A, OTRL_TLV_SMP3, "SMP3 while bob waits for his secret");
    deliver_all();
    do_respond(B, BC, S("r"));
    resend_cap(A, OTRL_TLV_SMP4, "SMP4 to bob (EXPECT3)");
    deliver(); /* SMP2 -> alice */
    deliver(); /* the SMP4 -> bob */
    deliver_all();
    sms();
    reset_both();
    OUT("  -- several SMP TLVs in one message\n");
    send_two_tlvs(A, OTRL_TLV_SMP1, cap[OTRL_TLV_SMP1], caplen[OTRL_TLV_SMP1], OTRL_TLV_SMP2, cap[OTRL_TLV_SMP2],
                  caplen[OTRL_TLV_SMP2], "SMP1 + SMP2 to bob (EXPECT1)");
    deliver_all();
    sms();
    send_two_tlvs(A, OTRL_TLV_SMP_ABORT, (const unsigned char *)"", 0, OTRL_TLV_SMP1, cap[OTRL_TLV_SMP1],
                  caplen[OTRL_TLV_SMP1], "abort + SMP1 to bob");
    deliver_all();
    sms();
    send_two_tlvs(A, OTRL_TLV_SMP1, cap[OTRL_TLV_SMP1], caplen[OTRL_TLV_SMP1], OTRL_TLV_SMP1, cap[OTRL_TLV_SMP1],
                  caplen[OTRL_TLV_SMP1], "SMP1 twice to bob");
    deliver_all();
    sms();
    send_two_tlvs(A, OTRL_TLV_SMP1Q, (const unsigned char *)"q\0", 2, OTRL_TLV_SMP1, cap[OTRL_TLV_SMP1],
                  caplen[OTRL_TLV_SMP1], "bad SMP1Q + good SMP1 to bob");
    deliver_all();
    sms();
    send_two_tlvs(A, OTRL_TLV_SMP3, cap[OTRL_TLV_SMP3], caplen[OTRL_TLV_SMP3], OTRL_TLV_SMP_ABORT, (const unsigned char *)"",
                  0, "SMP3 + abort to bob");
    deliver_all();
    sms();
    reset_both();
    OUT("  -- the same SMP ciphertext delivered twice\n");
    do_init(A, AC, NULL, S("w"));
    deliver_all();
    OUT("  feed the SMP1 ciphertext again\n");
    {
        char *m = strdup(lastwire);
        enqueue(A, B, m);
        free(m);
        deliver_all();
    }
    sms();
    do_abort(A, AC);
    deliver_all();
    end_session();
}

static void s6_not_encrypted(void) {
    section("6. SMP while not encrypted");
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    AC = ctx_of(A, OTRL_INSTAG_MASTER, 1);
    BC = ctx_of(B, OTRL_INSTAG_MASTER, 1);
    OUT("  -- PLAINTEXT (master contexts, no session yet)\n");
    sms();
    do_init(A, AC, NULL, S("x"));
    do_init(A, AC, "q", S("x"));
    do_respond(B, BC, S("x"));
    do_abort(A, AC);
    sms();
    deliver_all();
    end_session();
    OUT("  -- FINISHED: bob disconnected; alice's child is FINISHED\n");
    session(OTRL_POLICY_MANUAL);
    OUT("  bob1 disconnects\n");
    otrl_message_disconnect(B->us, B->ops, B, BOB, PROTO, ALICE, TAG_ALICE);
    deliver_all();
    sms();
    do_init(A, AC, NULL, S("x"));
    do_init(A, AC, "q", S("x"));
    do_respond(A, AC, S("x"));
    do_abort(A, AC);
    deliver_all();
    sms();
    OUT("  -- bob1 (PLAINTEXT now) tries too\n");
    do_init(B, BC, NULL, S("x"));
    do_abort(B, BC);
    deliver_all();
    end_session();
    OUT("  -- alice's SMP1 reaches bob after bob disconnected\n");
    session(OTRL_POLICY_MANUAL);
    do_init(A, AC, NULL, S("x"));
    OUT("  bob1 disconnects\n");
    otrl_message_disconnect(B->us, B->ops, B, BOB, PROTO, ALICE, TAG_ALICE);
    deliver_all();
    sms();
    end_session();
    OUT("  -- SMP mid-run when the session ends: bob's SMP1 pending, alice disconnects\n");
    session(OTRL_POLICY_MANUAL);
    do_init(A, AC, NULL, S("x"));
    deliver_all();
    OUT("  alice disconnects\n");
    otrl_message_disconnect(A->us, A->ops, A, ALICE, PROTO, BOB, TAG_BOB1);
    deliver_all();
    sms();
    do_respond(B, BC, S("x"));
    deliver_all();
    sms();
    end_session();
}

static void s7_both(void) {
    section("7. SMP started from both sides at once");
    session(OTRL_POLICY_MANUAL);
    do_init(A, AC, NULL, S("same"));
    do_init(B, BC, NULL, S("same"));
    deliver_all();
    sms();
    OUT("  -- both stuck in EXPECT2 (neither kept the other's SMP1): alice aborts, which resets bob\n");
    do_abort(A, AC);
    deliver_all();
    sms();
    OUT("  -- alice has nothing to answer: her respond_smp sends an SMP2 bob does not expect\n");
    do_respond(A, AC, S("same"));
    deliver_all();
    sms();
    OUT("  -- bob aborts; a fresh run by alice completes\n");
    do_abort(B, BC);
    deliver_all();
    full_smp(A, AC, B, BC, NULL, "same", "same");
    OUT("  -- both with questions\n");
    do_init(A, AC, "qa", S("same"));
    do_init(B, BC, "qb", S("same"));
    deliver_all();
    sms();
    do_abort(A, AC);
    do_abort(B, BC);
    deliver_all();
    sms();
    OUT("  -- alice initiates twice before bob answers: the second SMP1 replaces the first\n");
    do_init(A, AC, NULL, S("one"));
    do_init(A, AC, NULL, S("two"));
    deliver_all();
    sms();
    do_respond(B, BC, S("two"));
    deliver_all();
    sms();
    OUT("  -- alice initiates again while bob's SMP2 is in flight: both runs break\n");
    do_init(A, AC, NULL, S("three"));
    deliver_all();
    do_respond(B, BC, S("three"));
    do_init(A, AC, NULL, S("four"));
    deliver_all();
    sms();
    do_respond(B, BC, S("four"));
    deliver_all();
    sms();
    end_session();
}

static void s8_second(void) {
    section("8. second and third SMP after completed ones");
    session(OTRL_POLICY_MANUAL);
    full_smp(A, AC, B, BC, NULL, "one", "one");
    full_smp(B, BC, A, AC, NULL, "two", "owt");
    full_smp(A, AC, B, BC, "q3", "three", "three");
    OUT("  -- trust set by the application is overwritten by a later SMP\n");
    otrl_context_set_trust(AC->active_fingerprint, "verified");
    otrl_context_set_trust(BC->active_fingerprint, "verified");
    sms();
    full_smp(B, BC, A, AC, "q5", "five", "five");
    full_smp(A, AC, B, BC, NULL, "six", "xis");
    end_session();
}

static void s9_v2(void) {
    section("9. SMP in a v2 session");
    session(OTRL_POLICY_ALLOW_V2);
    full_smp(A, AC, B, BC, "v2?", "yes", "yes");
    full_smp(B, BC, A, AC, NULL, "a", "a");
    full_smp(A, AC, B, BC, NULL, "a", "b");
    do_init(A, AC, NULL, S("c"));
    deliver_all();
    do_abort(B, BC);
    deliver_all();
    sms();
    end_session();
}

static void s10_respond_unasked(void) {
    section("10. respond_smp without a pending SMP1");
    session(OTRL_POLICY_MANUAL);
    if (getenv("T_SMP_PROBE")) {
        OUT("  -- PROBE: bob responds on a fresh context\n");
        do_respond(B, BC, S("k"));
        deliver_all();
        sms();
    }
    full_smp(A, AC, B, BC, NULL, "k", "k");
    OUT("  -- bob responds again after the run completed: his SMP2 is out of order for alice\n");
    do_respond(B, BC, S("k"));
    sms();
    deliver_all();
    sms();
    OUT("  -- alice's new SMP1 reaches bob in EXPECT3 (ERROR); bob answers twice from his old state\n");
    do_init(A, AC, NULL, S("k"));
    deliver_all();
    do_respond(B, BC, S("k"));
    do_respond(B, BC, S("k"));
    deliver_all();
    sms();
    OUT("  -- the initiator calls respond_smp on her own run\n");
    do_init(A, AC, NULL, S("k"));
    do_respond(A, AC, S("k"));
    deliver_all();
    sms();
    do_abort(A, AC);
    deliver_all();
    end_session();
}

static void s11_smp1q(void) {
    section("11. TLV 7 (SMP1Q) edge cases");
    session(OTRL_POLICY_MANUAL);
    /* capture a genuine SMP1 and SMP1Q */
    do_init(A, AC, NULL, S("g"));
    deliver_all();
    do_abort(A, AC);
    deliver_all();
    snapshot();
    Buf b;
    send_tlv(A, OTRL_TLV_SMP1Q, (const unsigned char *)"", 0, "empty TLV");
    deliver_all();
    sms();
    b.n = 0;
    put(&b, "", 1);
    put(&b, snap[OTRL_TLV_SMP1], snaplen[OTRL_TLV_SMP1]);
    send_tlv(A, OTRL_TLV_SMP1Q, b.b, b.n, "empty question (one NUL) + genuine SMP1");
    deliver_all();
    sms();
    do_abort(B, BC);
    deliver_all();
    b.n = 0;
    put(&b, "Who?", 5);
    put(&b, snap[OTRL_TLV_SMP1], snaplen[OTRL_TLV_SMP1]);
    send_tlv(A, OTRL_TLV_SMP1Q, b.b, b.n, "\"Who?\\0\" + genuine SMP1");
    deliver_all();
    sms();
    do_abort(B, BC);
    deliver_all();
    send_tlv(A, OTRL_TLV_SMP1Q, (const unsigned char *)"Who?", 4, "question without NUL, nothing else");
    deliver_all();
    sms();
    send_tlv(A, OTRL_TLV_SMP1Q, (const unsigned char *)"Who?", 5, "question with NUL, nothing else");
    deliver_all();
    sms();
    send_tlv(A, OTRL_TLV_SMP1Q, (const unsigned char *)"\0", 1, "a single NUL");
    deliver_all();
    sms();
    b.n = 0;
    put(&b, "Who?", 4);
    put(&b, snap[OTRL_TLV_SMP1], snaplen[OTRL_TLV_SMP1]);
    send_tlv(A, OTRL_TLV_SMP1Q, b.b, b.n, "\"Who?\" without NUL + genuine SMP1");
    deliver_all();
    sms();
    b.n = 0;
    put(&b, "Who?", 5);
    put(&b, snap[OTRL_TLV_SMP1], snaplen[OTRL_TLV_SMP1] - 1);
    send_tlv(A, OTRL_TLV_SMP1Q, b.b, b.n, "\"Who?\\0\" + SMP1 less its last byte");
    deliver_all();
    sms();
    b.n = 0;
    put(&b, "Who?\0and more", 14);
    put(&b, snap[OTRL_TLV_SMP1], snaplen[OTRL_TLV_SMP1]);
    send_tlv(A, OTRL_TLV_SMP1Q, b.b, b.n, "\"Who?\\0and more\\0\" + genuine SMP1");
    deliver_all();
    sms();
    {
        Buf c;
        c.n = 0;
        put(&c, "Who?", 5);
        build(&b, OTRL_TLV_SMP1, 0, (const unsigned char *)"\x01", 1);
        put(&c, b.b, b.n);
        send_tlv(A, OTRL_TLV_SMP1Q, c.b, c.n, "\"Who?\\0\" + SMP1 with g2a = 1");
    }
    deliver_all();
    sms();
    OUT("  -- a question of 3000 bytes\n");
    {
        char *q = malloc(3001);
        for (int i = 0; i < 3000; i++) q[i] = 'a' + i % 26;
        q[3000] = 0;
        OUT("  alice initiate_smp_q(question=<3000 letters>, secret=\"L\")\n");
        otrl_message_initiate_smp_q(A->us, A->ops, A, AC, q, (const unsigned char *)"L", 1);
        free(q);
    }
    deliver_all();
    do_respond(B, BC, S("L"));
    deliver_all();
    sms();
    end_session();
}

/* ---------- 12. malformed ---------- */
typedef struct {
    const char *name;
    const unsigned char *v;
    size_t l;
} Val;

/* T_SM_QUICK=1 (valgrind runs): only every fourth altered message of section 12. */
static int quick, quick_n;
static int skip_case(void) { return quick && quick_n++ % 4; }

static void garbage_cases(Peer *from, int type, unsigned expcount, void (*setup)(void)) {
    Buf b;
    Mpis m;
    int base = type == OTRL_TLV_SMP1Q ? OTRL_TLV_SMP1 : type;
    parse(snap[base], snaplen[base], &m);
    char label[160];
    for (int k = 0; k < 13; k++) {
        /* every case for SMP1; for the others the ones that reach other code */
        if (type != OTRL_TLV_SMP1 && type != OTRL_TLV_SMP1Q && k != 0 && k != 3 && k != 6 && k != 9 && k != 10) continue;
        if (skip_case()) continue;
        setup();
        b.n = 0;
        if (type == OTRL_TLV_SMP1Q) put(&b, "Q", 2);
        switch (k) {
        case 0: snprintf(label, sizeof label, "empty"); break;
        case 1: put(&b, "\0\0", 2); snprintf(label, sizeof label, "2 bytes"); break;
        case 2: put32(&b, expcount); snprintf(label, sizeof label, "count %u and no MPIs", expcount); break;
        case 3:
            put32(&b, expcount - 1);
            for (unsigned i = 0; i + 1 < expcount; i++) putmpi(&b, m.v[i], m.l[i]);
            snprintf(label, sizeof label, "count %u with %u MPIs (one missing)", expcount - 1, expcount - 1);
            break;
        case 4:
            put32(&b, expcount + 1);
            for (unsigned i = 0; i < expcount; i++) putmpi(&b, m.v[i], m.l[i]);
            putsmall(&b, 2);
            snprintf(label, sizeof label, "count %u with %u MPIs (one extra)", expcount + 1, expcount + 1);
            break;
        case 5:
            put32(&b, expcount + 1);
            for (unsigned i = 0; i < expcount; i++) putmpi(&b, m.v[i], m.l[i]);
            snprintf(label, sizeof label, "count %u with the %u genuine MPIs", expcount + 1, expcount);
            break;
        case 6:
            put32(&b, 0xffffffffUL);
            for (unsigned i = 0; i < expcount; i++) putmpi(&b, m.v[i], m.l[i]);
            snprintf(label, sizeof label, "count 0xffffffff");
            break;
        case 7:
            put32(&b, 0x40000000UL + expcount);
            for (unsigned i = 0; i < expcount; i++) putmpi(&b, m.v[i], m.l[i]);
            snprintf(label, sizeof label, "count 0x40000000+%u", expcount);
            break;
        case 8:
            put32(&b, expcount);
            put32(&b, 0xffffffffUL);
            put(&b, "\x01\x02\x03", 3);
            snprintf(label, sizeof label, "first MPI length 0xffffffff");
            break;
        case 9:
            build(&b, base, -1, NULL, 0);
            if (type == OTRL_TLV_SMP1Q) { memmove(b.b + 2, b.b, b.n); memcpy(b.b, "Q", 2); b.n += 2; }
            b.n -= 1;
            snprintf(label, sizeof label, "genuine less its last byte");
            break;
        case 10:
            build(&b, base, -1, NULL, 0);
            if (type == OTRL_TLV_SMP1Q) { memmove(b.b + 2, b.b, b.n); memcpy(b.b, "Q", 2); b.n += 2; }
            put(&b, "\0", 1);
            snprintf(label, sizeof label, "genuine plus one trailing byte");
            break;
        case 11:
            put(&b, "garbage garbage garbage garbage!", 32);
            snprintf(label, sizeof label, "32 bytes of text");
            break;
        case 12:
            put32(&b, expcount);
            for (unsigned i = 0; i < expcount; i++) putsmall(&b, 2);
            snprintf(label, sizeof label, "%u MPIs all = 2 (in range, proofs wrong)", expcount);
            break;
        }
        send_tlv(from, type, b.b, b.n, label);
        deliver_all();
        sms();
    }
}

static void value_cases(Peer *from, int type, const int *groups, const int *expons, void (*setup)(void)) {
    static const unsigned char one = 1, two = 2;
    const Val gv[] = {{"0", NULL, 0}, {"1", &one, 1}, {"2", &two, 1}, {"p-2", NULL, 0}, {"p-1", PM1, 192}, {"p", P, 192},
                      {"p+1", PP1, 192}};
    const Val ev[] = {{"0", NULL, 0}, {"q-1", QM1, 192}, {"q", Q, 192}, {"q+1", QP1, 192}, {"p", P, 192}};
    static unsigned char PM2[192];
    addsmall(P, -2, PM2);
    int base = type == OTRL_TLV_SMP1Q ? OTRL_TLV_SMP1 : type;
    char label[160];
    Buf b, c;
    for (const int *g = groups; *g >= 0; g++)
        for (unsigned k = 0; k < sizeof gv / sizeof gv[0]; k++) {
            /* SMP1: every value everywhere; others: 0, 1, 2, p-1, p for the first element,
             * p-1 for the rest */
            if (base != OTRL_TLV_SMP1 && (g == groups ? (k == 3 || k == 6) : k != 4)) continue;
            if (skip_case()) continue;
            setup();
            build(&b, base, *g, k == 3 ? PM2 : gv[k].v, k == 3 ? 192 : gv[k].l);
            c.n = 0;
            if (type == OTRL_TLV_SMP1Q) put(&c, "Q", 2);
            put(&c, b.b, b.n);
            snprintf(label, sizeof label, "group element #%d = %s", *g, gv[k].name);
            send_tlv(from, type, c.b, c.n, label);
            deliver_all();
            sms();
        }
    for (const int *e = expons; *e >= 0; e++)
        for (unsigned k = 0; k < sizeof ev / sizeof ev[0]; k++) {
            /* SMP1: every value everywhere; others: 0, q-1, q for the first exponent, q
             * for the rest */
            if (base != OTRL_TLV_SMP1 && (e == expons ? k > 2 : k != 2)) continue;
            if (skip_case()) continue;
            setup();
            build(&b, base, *e, ev[k].v, ev[k].l);
            c.n = 0;
            if (type == OTRL_TLV_SMP1Q) put(&c, "Q", 2);
            put(&c, b.b, b.n);
            snprintf(label, sizeof label, "exponent #%d = %s", *e, ev[k].name);
            send_tlv(from, type, c.b, c.n, label);
            deliver_all();
            sms();
        }
}

static void setup_none(void) {}
static void setup2(void) { setup_state(2, "m"); }
static void setup3(void) { setup_state(3, "m"); }
static void setup4(void) { setup_state(4, "m"); }

static void s12_malformed(void) {
    section("12. malformed SMP TLVs through the public API (class 14)");
    session(OTRL_POLICY_MANUAL);
    OUT("  -- a complete run, its TLVs kept as the base of the altered ones\n");
    full_smp(A, AC, B, BC, NULL, "m", "m");
    snapshot();
    static const int g1[] = {0, 3, -1}, e1[] = {2, 5, -1};
    static const int g2[] = {0, 3, 6, 7, -1}, e2[] = {2, 5, 9, 10, -1};
    static const int g3[] = {0, 1, 5, -1}, e3[] = {3, 4, 7, -1};
    static const int g4[] = {0, -1}, e4[] = {2, -1};
    OUT("\n  ---- SMP1 (TLV 2) to bob in EXPECT1 ----\n");
    garbage_cases(A, OTRL_TLV_SMP1, 6, setup_none);
    value_cases(A, OTRL_TLV_SMP1, g1, e1, setup_none);
    OUT("\n  ---- SMP1Q (TLV 7, question \"Q\") to bob in EXPECT1 ----\n");
    garbage_cases(A, OTRL_TLV_SMP1Q, 6, setup_none);
    value_cases(A, OTRL_TLV_SMP1Q, g1, e1, setup_none);
    OUT("\n  ---- SMP2 (TLV 3) to alice in EXPECT2 ----\n");
    garbage_cases(B, OTRL_TLV_SMP2, 11, setup2);
    value_cases(B, OTRL_TLV_SMP2, g2, e2, setup2);
    OUT("\n  ---- SMP3 (TLV 4) to bob in EXPECT3 ----\n");
    garbage_cases(A, OTRL_TLV_SMP3, 8, setup3);
    value_cases(A, OTRL_TLV_SMP3, g3, e3, setup3);
    OUT("\n  ---- SMP4 (TLV 5) to alice in EXPECT4 ----\n");
    garbage_cases(B, OTRL_TLV_SMP4, 3, setup4);
    value_cases(B, OTRL_TLV_SMP4, g4, e4, setup4);
    OUT("\n  ---- abort TLV with data, unknown SMP-like type 8 ----\n");
    setup2();
    send_tlv(B, OTRL_TLV_SMP_ABORT, (const unsigned char *)"xyz", 3, "abort with 3 data bytes");
    deliver_all();
    sms();
    send_tlv(B, 8, (const unsigned char *)"xyz", 3, "type 8");
    deliver_all();
    sms();
    OUT("  -- after all this a genuine run still works\n");
    full_smp(A, AC, B, BC, "last?", "m", "m");
    end_session();
}

static void s13_misc(void) {
    section("13. SMP TLV with text, across a refresh AKE, without handle_smp_event, NULL contexts");
    session(OTRL_POLICY_MANUAL);
    OUT("  -- an SMP1 riding on a text message\n");
    {
        OtrlTLV *t = otrl_tlv_new(OTRL_TLV_SMP1, snaplen[OTRL_TLV_SMP1], snap[OTRL_TLV_SMP1]);
        send_msg_tlv(A, OTRL_INSTAG_BEST, "hello", t, OTRL_FRAGMENT_SEND_ALL);
        otrl_tlv_free(t);
    }
    deliver_all();
    sms();
    do_abort(B, BC);
    deliver_all();
    OUT("  -- an SMP started before a refresh AKE, answered after it\n");
    do_init(A, AC, NULL, S("same"));
    deliver_all();
    quiet_begin();
    send_msg(A, "?OTR?");
    deliver_all();
    quiet_end();
    OUT("  (refresh AKE not shown) alice: %s %s; bob1: %s %s\n", ctxname(AC), msgstate_s(AC->msgstate), ctxname(BC),
        msgstate_s(BC->msgstate));
    sms();
    do_respond(B, BC, S("same"));
    deliver_all();
    sms();
    OUT("  -- a whole SMP after the refresh\n");
    full_smp(A, AC, B, BC, NULL, "same", "same");
    OUT("  -- bob's ops have no handle_smp_event\n");
    {
        static OtrlMessageAppOps no_smp_ops;
        no_smp_ops = full_ops;
        no_smp_ops.handle_smp_event = NULL;
        B->ops = &no_smp_ops;
        full_smp(A, AC, B, BC, NULL, "quiet", "quiet");
        full_smp(A, AC, B, BC, NULL, "quiet", "loud");
        send_tlv(A, OTRL_TLV_SMP3, snap[OTRL_TLV_SMP3], snaplen[OTRL_TLV_SMP3], "SMP3 out of order");
        send_tlv(A, OTRL_TLV_SMP1, (const unsigned char *)"", 0, "empty SMP1");
        deliver_all();
        sms();
        B->ops = &full_ops;
    }
    {
        /* libotr's TLV length is 16 bits: it sends the first (len % 65536) bytes, all
         * of them question text, and the peer says CHEATED. Ours does the same. */
        OUT("  -- a question of 70000 bytes: the TLV length wraps at 65536\n");
        char *q = malloc(70001);
        memset(q, 'w', 70000);
        q[70000] = 0;
        OUT("  alice initiate_smp_q(question=<70000 x 'w'>, secret=\"L\")\n");
        otrl_message_initiate_smp_q(A->us, A->ops, A, AC, q, (const unsigned char *)"L", 1);
        free(q);
        deliver_all();
        sms();
        do_abort(A, AC);
        deliver_all();
    }
    OUT("  -- NULL context (abort_smp with NULL crashes libotr: not called)\n");
    OUT("  alice initiate_smp(NULL context)\n");
    otrl_message_initiate_smp(A->us, A->ops, A, NULL, (const unsigned char *)"k", 1);
    OUT("  alice initiate_smp_q(NULL context)\n");
    otrl_message_initiate_smp_q(A->us, A->ops, A, NULL, "q", (const unsigned char *)"k", 1);
    OUT("  alice respond_smp(NULL context)\n");
    otrl_message_respond_smp(A->us, A->ops, A, NULL, (const unsigned char *)"k", 1);
    OUT("   (queue: %d)\n", queue_len());
    end_session();
}

int main(void) {
    sim_init();
    numbers_init();
    quick = getenv("T_SM_QUICK") != NULL;
    hide_lens = 1;
    s1_question();
    s2_secret();
    s3_wrong();
    s4_abort();
    s5_order();
    s6_not_encrypted();
    s7_both();
    s8_second();
    s9_v2();
    s10_respond_unasked();
    s11_smp1q();
    s12_malformed();
    s13_misc();
    for (int i = 0; i < 8; i++) { free(cap[i]); free(snap[i]); }
    free(lastwire);
    flush_policy();
    printf("\ndone\n");
    return 0;
}
