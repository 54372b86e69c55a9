/* sm.h: the SMP steps driven directly for two parties (alice, bob) in one process.
 * Prints return codes, nextExpected, sm_prog_state, received_question, which state
 * fields are NULL, and the deterministic parts of the messages (their number counts);
 * equal and different secrets, altered and out-of-range numbers, wrong counts,
 * truncation, trailing bytes, padded numbers, messages out of order, repeated runs,
 * and the undeclared otrl_sm_msg*_init / otrl_sm_msg_free.
 * T_SM_QUICK=1 (for valgrind) skips the two long loops over altered numbers. */
#include "common.h"
#include <libotr/sm.h>

/* Exported by libotr but declared in no header. */
void otrl_sm_msg1_init(gcry_mpi_t **msg1);
void otrl_sm_msg2_init(gcry_mpi_t **msg2);
void otrl_sm_msg3_init(gcry_mpi_t **msg3);
void otrl_sm_msg4_init(gcry_mpi_t **msg4);
void otrl_sm_msg_free(gcry_mpi_t **message, int msglen);

#include "group.h"

static unsigned char P[192], PM1[192], PM2[192], PP1[192], Q[192], QM1[192];



static void consts(void) {
    unhex(P_HEX, P);
    addsmall(P, -1, PM1);
    addsmall(P, -2, PM2);
    addsmall(P, 1, PP1);
    /* q = (p-1)/2 */
    unsigned int rem = 0;
    for (int i = 0; i < 192; i++) {
        unsigned int cur = (rem << 8) | PM1[i];
        Q[i] = (unsigned char)(cur / 2);
        rem = cur % 2;
    }
    addsmall(Q, -1, QM1);
}

static unsigned int rd32(const unsigned char *b) {
    return ((unsigned int)b[0] << 24) | ((unsigned int)b[1] << 16) | ((unsigned int)b[2] << 8) | b[3];
}

static void wr32(unsigned char *b, unsigned int v) {
    b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
}

/* Number `idx` of a serialized array: its offset and length. */
static int locate(const unsigned char *m, int len, int idx, int *off, int *nlen) {
    int o = 4;
    for (int i = 0; i <= idx; i++) {
        if (o + 4 > len) return 0;
        int l = (int)rd32(m + o);
        if (i == idx) { *off = o + 4; *nlen = l; return 1; }
        o += 4 + l;
    }
    return 0;
}

/* A copy of m with number idx replaced by v (vlen bytes); malloc'd. */
static unsigned char *replace(const unsigned char *m, int len, int idx, const unsigned char *v, int vlen, int *outlen) {
    int off, l;
    if (!locate(m, len, idx, &off, &l)) { printf("  (cannot locate %d)\n", idx); exit(2); }
    *outlen = len - l + vlen;
    unsigned char *r = malloc(*outlen + 1);
    memcpy(r, m, off - 4);
    wr32(r + off - 4, vlen);
    memcpy(r + off, v, vlen);
    memcpy(r + off + vlen, m + off + l, len - off - l);
    return r;
}

/* Every number padded with `pad` leading zero bytes. */
static unsigned char *padded(const unsigned char *m, int len, int pad, int *outlen) {
    unsigned int n = rd32(m);
    unsigned char *r = malloc(len + n * pad + 1);
    int o = 4, w = 4;
    memcpy(r, m, 4);
    for (unsigned int i = 0; i < n; i++) {
        int l = (int)rd32(m + o);
        wr32(r + w, l + pad);
        memset(r + w + 4, 0, pad);
        memcpy(r + w + 4 + pad, m + o + 4, l);
        o += 4 + l;
        w += 4 + pad + l;
    }
    *outlen = w;
    return r;
}

static void state(const char *who, OtrlSMState *s) {
    gcry_mpi_t f[11] = {s->secret, s->x2, s->x3, s->g1, s->g2, s->g3, s->g3o, s->p, s->q, s->pab, s->qab};
    printf("  %s next=%d rq=%d prog=%d set=", who, s->nextExpected, s->received_question, s->sm_prog_state);
    for (int i = 0; i < 11; i++) putchar(f[i] ? '1' : '0');
    printf("\n");
}

static void msg(const char *name, unsigned int err, const unsigned char *m, int len) {
    printf("  %s err=%08x", name, err);
    if (m) printf(" len>0=%d count=%u", len > 0, len >= 4 ? rd32(m) : 0);
    else printf(" out=NULL len=%d", len);
    printf("\n");
}

struct run {
    OtrlSMState a, b;
    unsigned char *m1, *m2, *m3, *m4;
    int l1, l2, l3, l4;
};

static void run_init(struct run *r) {
    memset(r, 0, sizeof *r);
    otrl_sm_state_new(&r->a);
    otrl_sm_state_new(&r->b);
}

static void run_free(struct run *r) {
    free(r->m1); free(r->m2); free(r->m3); free(r->m4);
    r->m1 = r->m2 = r->m3 = r->m4 = NULL;
}

static void run_done(struct run *r) {
    run_free(r);
    otrl_sm_state_free(&r->a);
    otrl_sm_state_free(&r->b);
}

/* A whole exchange with the given secrets; prints everything deterministic. */
static void full(struct run *r, const char *sa, const char *sb, int q) {
    unsigned int e;
    run_free(r);
    e = otrl_sm_step1(&r->a, (const unsigned char *)sa, strlen(sa), &r->m1, &r->l1);
    msg("step1", e, r->m1, r->l1); state("alice", &r->a);
    e = otrl_sm_step2a(&r->b, r->m1, r->l1, q);
    printf("  step2a err=%08x\n", e); state("bob", &r->b);
    e = otrl_sm_step2b(&r->b, (const unsigned char *)sb, strlen(sb), &r->m2, &r->l2);
    msg("step2b", e, r->m2, r->l2); state("bob", &r->b);
    e = otrl_sm_step3(&r->a, r->m2, r->l2, &r->m3, &r->l3);
    msg("step3", e, r->m3, r->l3); state("alice", &r->a);
    e = otrl_sm_step4(&r->b, r->m3, r->l3, &r->m4, &r->l4);
    msg("step4", e, r->m4, r->l4); state("bob", &r->b);
    e = otrl_sm_step5(&r->a, r->m4, r->l4);
    printf("  step5 err=%08x\n", e); state("alice", &r->a);
}

/* Feed `m` (the message for step k, 1..4 meaning step2a/3/4/5) to a state prepared by
 * a fresh honest run up to that point; print the result. */
static void feed(int k, const unsigned char *m, int len, const char *label) {
    struct run r;
    unsigned char *out = NULL;
    int outlen = -1;
    unsigned int e;
    run_init(&r);
    otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
    if (k == 1) {
        e = otrl_sm_step2a(&r.b, m, len, 1);
        printf("  %-28s step2a err=%08x", label, e);
        state("", &r.b);
        run_done(&r);
        return;
    }
    otrl_sm_step2a(&r.b, r.m1, r.l1, 0);
    otrl_sm_step2b(&r.b, (const unsigned char *)"s", 1, &r.m2, &r.l2);
    if (k == 2) {
        e = otrl_sm_step3(&r.a, m, len, &out, &outlen);
        printf("  %-28s step3 err=%08x out=%s len=%d", label, e, out ? "set" : "NULL", outlen);
        state("", &r.a);
        free(out);
        run_done(&r);
        return;
    }
    otrl_sm_step3(&r.a, r.m2, r.l2, &r.m3, &r.l3);
    if (k == 3) {
        e = otrl_sm_step4(&r.b, m, len, &out, &outlen);
        printf("  %-28s step4 err=%08x out=%s len=%d", label, e, out ? "set" : "NULL", outlen);
        state("", &r.b);
        free(out);
        run_done(&r);
        return;
    }
    otrl_sm_step4(&r.b, r.m3, r.l3, &r.m4, &r.l4);
    e = otrl_sm_step5(&r.a, m, len);
    printf("  %-28s step5 err=%08x", label, e);
    state("", &r.a);
    run_done(&r);
}

/* A message k (1..4) made by a fresh honest run with secret "s"... but a message is only
 * valid for the states of its own run, so `feed` with it only passes for k == 1. For the
 * later messages we alter the message of the same run inside `tamper_run`. */
static void tamper_run(int k, int idx, const unsigned char *v, int vlen, const char *label) {
    struct run r;
    unsigned char *out = NULL, *t;
    int outlen = -1, tl;
    unsigned int e;
    run_init(&r);
    otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
    if (k == 1) {
        t = replace(r.m1, r.l1, idx, v, vlen, &tl);
        e = otrl_sm_step2a(&r.b, t, tl, 0);
        printf("  msg1[%2d] %-18s err=%08x", idx, label, e);
        state("", &r.b);
        goto done;
    }
    otrl_sm_step2a(&r.b, r.m1, r.l1, 0);
    otrl_sm_step2b(&r.b, (const unsigned char *)"s", 1, &r.m2, &r.l2);
    if (k == 2) {
        t = replace(r.m2, r.l2, idx, v, vlen, &tl);
        e = otrl_sm_step3(&r.a, t, tl, &out, &outlen);
        printf("  msg2[%2d] %-18s err=%08x out=%s", idx, label, e, out ? "set" : "NULL");
        state("", &r.a);
        goto done;
    }
    otrl_sm_step3(&r.a, r.m2, r.l2, &r.m3, &r.l3);
    if (k == 3) {
        t = replace(r.m3, r.l3, idx, v, vlen, &tl);
        e = otrl_sm_step4(&r.b, t, tl, &out, &outlen);
        printf("  msg3[%2d] %-18s err=%08x out=%s", idx, label, e, out ? "set" : "NULL");
        state("", &r.b);
        goto done;
    }
    otrl_sm_step4(&r.b, r.m3, r.l3, &r.m4, &r.l4);
    t = replace(r.m4, r.l4, idx, v, vlen, &tl);
    e = otrl_sm_step5(&r.a, t, tl);
    printf("  msg4[%2d] %-18s err=%08x", idx, label, e);
    state("", &r.a);
done:
    free(t);
    free(out);
    run_done(&r);
}

/* Flip the last bit of number idx of message k, within the same run. */
static void flip_run(int k, int idx) {
    struct run r;
    unsigned char *m[5];
    int l[5];
    run_init(&r);
    /* Run once to learn the number's value in a message of this shape is not possible
     * across runs; so build the altered value from the run's own message. */
    otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
    m[1] = r.m1; l[1] = r.l1;
    unsigned char *out = NULL, *t = NULL;
    int outlen = -1, off, nl;
    unsigned int e;
    if (k > 1) {
        otrl_sm_step2a(&r.b, r.m1, r.l1, 0);
        otrl_sm_step2b(&r.b, (const unsigned char *)"s", 1, &r.m2, &r.l2);
        m[2] = r.m2; l[2] = r.l2;
    }
    if (k > 2) {
        otrl_sm_step3(&r.a, r.m2, r.l2, &r.m3, &r.l3);
        m[3] = r.m3; l[3] = r.l3;
    }
    if (k > 3) {
        otrl_sm_step4(&r.b, r.m3, r.l3, &r.m4, &r.l4);
        m[4] = r.m4; l[4] = r.l4;
    }
    t = malloc(l[k]);
    memcpy(t, m[k], l[k]);
    locate(t, l[k], idx, &off, &nl);
    t[off + nl - 1] ^= 1;
    switch (k) {
    case 1: e = otrl_sm_step2a(&r.b, t, l[k], 0); break;
    case 2: e = otrl_sm_step3(&r.a, t, l[k], &out, &outlen); break;
    case 3: e = otrl_sm_step4(&r.b, t, l[k], &out, &outlen); break;
    default: e = otrl_sm_step5(&r.a, t, l[k]); break;
    }
    printf("  msg%d[%2d] bit flipped        err=%08x out=%s", k, idx, e, out ? "set" : "NULL");
    state("", (k == 1 || k == 3) ? &r.b : &r.a);
    free(t);
    free(out);
    run_done(&r);
}

static void show_msg_init(const char *name, void (*init)(gcry_mpi_t **), int n) {
    gcry_mpi_t *m = NULL;
    init(&m);
    printf("%s:", name);
    for (int i = 0; i < n; i++) printf(" %c", m[i] ? 'M' : '-');
    otrl_sm_msg_free(&m, n);
    printf(" after free=%s\n", m ? "set" : "NULL");
}

int main(void) {
    OTRL_INIT;
    consts();
    otrl_sm_init();

    printf("== state_new / state_init / state_free\n");
    OtrlSMState s;
    memset(&s, 0x5a, sizeof s);
    otrl_sm_state_new(&s);
    state("new", &s);
    s.nextExpected = OTRL_SMP_EXPECT3;
    s.received_question = 1;
    s.sm_prog_state = OTRL_SMP_PROG_CHEATED;
    otrl_sm_state_init(&s);
    state("init", &s);
    s.nextExpected = OTRL_SMP_EXPECT4;
    otrl_sm_state_init(&s);
    state("init2", &s);
    otrl_sm_state_free(&s);
    state("free", &s);
    otrl_sm_state_free(&s);
    state("free2", &s);

    printf("== msg init/free\n");
    show_msg_init("msg1", otrl_sm_msg1_init, 6);
    show_msg_init("msg2", otrl_sm_msg2_init, 11);
    show_msg_init("msg3", otrl_sm_msg3_init, 8);
    show_msg_init("msg4", otrl_sm_msg4_init, 3);

    struct run r;
    printf("== equal secrets\n");
    run_init(&r);
    r.a.nextExpected = OTRL_SMP_EXPECT2; /* the steps never touch nextExpected */
    full(&r, "a shared secret", "a shared secret", 1);
    printf("== same states again, different secrets\n");
    full(&r, "one secret", "another", 0);
    printf("== and equal again\n");
    full(&r, "x", "x", 5);
    run_done(&r);
    printf("== empty secrets (equal)\n");
    run_init(&r);
    full(&r, "", "", 0);
    run_done(&r);
    printf("== long secret against its prefix\n");
    {
        char big[600];
        memset(big, 'z', sizeof big - 1);
        big[sizeof big - 1] = 0;
        run_init(&r);
        full(&r, big, "zzzz", 0);
        run_done(&r);
        run_init(&r);
        full(&r, big, big, 0);
        run_done(&r);
    }

    printf("== NULL input with length 0\n");
    {
        OtrlSMState b;
        otrl_sm_state_new(&b);
        printf("  step2a err=%08x", otrl_sm_step2a(&b, NULL, 0, 3));
        state("", &b);
        otrl_sm_state_free(&b);
    }

    printf("== wrong counts, truncation, trailing bytes, padding (message 1)\n");
    run_init(&r);
    otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
    {
        unsigned int counts[] = {0, 5, 7, 11, 0xffffffffu};
        for (int i = 0; i < 5; i++) {
            unsigned char *t = malloc(r.l1);
            char label[32];
            memcpy(t, r.m1, r.l1);
            wr32(t, counts[i]);
            snprintf(label, sizeof label, "count %u", counts[i]);
            feed(1, t, r.l1, label);
            free(t);
        }
        int cuts[] = {0, 2, 4, 7, r.l1 - 1};
        for (int i = 0; i < 5; i++) {
            char label[32];
            snprintf(label, sizeof label, "cut to %s", i == 4 ? "len-1" : (char[]){'0' + cuts[i], 0});
            feed(1, r.m1, cuts[i], label);
        }
        unsigned char *t = malloc(r.l1 + 3);
        memcpy(t, r.m1, r.l1);
        memcpy(t + r.l1, "xyz", 3);
        feed(1, t, r.l1 + 3, "3 trailing bytes");
        free(t);
        int pl;
        t = padded(r.m1, r.l1, 3, &pl);
        feed(1, t, pl, "numbers zero-padded");
        free(t);
        feed(1, r.m1, r.l1, "unchanged");
    }
    run_done(&r);

    printf("== a whole run with zero-padded numbers\n");
    {
        unsigned char *t, *o = NULL;
        int tl, ol;
        run_init(&r);
        otrl_sm_step1(&r.a, (const unsigned char *)"pw", 2, &r.m1, &r.l1);
        t = padded(r.m1, r.l1, 1, &tl);
        printf("  step2a %08x\n", otrl_sm_step2a(&r.b, t, tl, 0));
        free(t);
        otrl_sm_step2b(&r.b, (const unsigned char *)"pw", 2, &r.m2, &r.l2);
        t = padded(r.m2, r.l2, 2, &tl);
        printf("  step3 %08x\n", otrl_sm_step3(&r.a, t, tl, &r.m3, &r.l3));
        free(t);
        t = padded(r.m3, r.l3, 4, &tl);
        printf("  step4 %08x\n", otrl_sm_step4(&r.b, t, tl, &o, &ol));
        free(t);
        t = padded(o, ol, 1, &tl);
        printf("  step5 %08x\n", otrl_sm_step5(&r.a, t, tl));
        free(t);
        free(o);
        state("alice", &r.a);
        state("bob", &r.b);
        run_done(&r);
    }

    int quick = getenv("T_SM_QUICK") != NULL;
    printf("== out-of-range numbers\n");
    if (!quick) {
        static const unsigned char zero[1] = {0}, one[1] = {1}, two[1] = {2};
        struct { const char *name; const unsigned char *v; int l; } elems[] = {
            {"empty", NULL, 0}, {"0", zero, 1}, {"1", one, 1}, {"2", two, 1}, {"p-2", PM2, 192},
            {"p-1", PM1, 192}, {"p", P, 192}, {"p+1", PP1, 192}};
        struct { const char *name; const unsigned char *v; int l; } expons[] = {
            {"empty", NULL, 0}, {"0", zero, 1}, {"1", one, 1}, {"q-1", QM1, 192}, {"q", Q, 192}, {"p-2", PM2, 192}};
        int gi[4][4] = {{0, 3, -1}, {0, 3, 6, 7}, {0, 1, 5, -1}, {0, -1}};
        int xi[4][4] = {{2, 5, -1}, {2, 5, 9, 10}, {3, 4, 7, -1}, {2, -1}};
        for (int k = 1; k <= 4; k++) {
            /* Every value at the first index of each kind; the two nearest bad ones
             * at the others. */
            for (int j = 0; j < 4 && gi[k - 1][j] >= 0; j++)
                for (int e = 0; e < 8; e++) {
                    if (j > 0 && e != 2 && e != 5) continue;
                    char label[32];
                    snprintf(label, sizeof label, "elem %s", elems[e].name);
                    tamper_run(k, gi[k - 1][j], elems[e].v ? elems[e].v : zero, elems[e].l, label);
                }
            for (int j = 0; j < 4 && xi[k - 1][j] >= 0; j++)
                for (int e = 0; e < 6; e++) {
                    if (j > 0 && e != 1 && e != 4) continue;
                    char label[32];
                    snprintf(label, sizeof label, "expon %s", expons[e].name);
                    tamper_run(k, xi[k - 1][j], expons[e].v ? expons[e].v : zero, expons[e].l, label);
                }
        }
    }

    printf("== one bit flipped in each number\n");
    if (!quick) {
        int n[5] = {0, 6, 11, 8, 3};
        for (int k = 1; k <= 4; k++)
            for (int i = 0; i < n[k]; i++) flip_run(k, i);
    }

    printf("== messages out of order\n");
    run_init(&r);
    {
        unsigned char *o = NULL;
        int ol = -1;
        unsigned int e;
        otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
        e = otrl_sm_step3(&r.a, r.m1, r.l1, &o, &ol);
        printf("  alice step3(msg1) err=%08x out=%s len=%d", e, o ? "set" : "NULL", ol);
        state("", &r.a);
        e = otrl_sm_step5(&r.a, r.m1, r.l1);
        printf("  alice step5(msg1) err=%08x", e);
        state("", &r.a);
        otrl_sm_step2a(&r.b, r.m1, r.l1, 0);
        otrl_sm_step2b(&r.b, (const unsigned char *)"s", 1, &r.m2, &r.l2);
        e = otrl_sm_step2a(&r.a, r.m2, r.l2, 0);
        printf("  alice step2a(msg2) err=%08x", e);
        state("", &r.a);
        e = otrl_sm_step4(&r.b, r.m2, r.l2, &o, &ol);
        printf("  bob step4(msg2) err=%08x out=%s len=%d", e, o ? "set" : "NULL", ol);
        state("", &r.b);
        e = otrl_sm_step4(&r.b, r.m1, r.l1, &o, &ol);
        printf("  bob step4(msg1) err=%08x out=%s len=%d", e, o ? "set" : "NULL", ol);
        state("", &r.b);
        /* Alice restarts (step 1 again) and then gets the msg2 of the old round: proofs
         * of g2b/g3b still check, but the coordinates proof uses g2/g3 from her new x2/x3
         * ... which the message does not match. */
        free(r.m1);
        otrl_sm_step1(&r.a, (const unsigned char *)"s", 1, &r.m1, &r.l1);
        e = otrl_sm_step3(&r.a, r.m2, r.l2, &o, &ol);
        printf("  alice (restarted) step3(old msg2) err=%08x out=%s", e, o ? "set" : "NULL");
        state("", &r.a);
        free(o);
        o = NULL;
        /* Bob, who did step 2b, gets a msg3 made by an alice of another run. */
        struct run other;
        run_init(&other);
        otrl_sm_step1(&other.a, (const unsigned char *)"s", 1, &other.m1, &other.l1);
        otrl_sm_step2a(&other.b, other.m1, other.l1, 0);
        otrl_sm_step2b(&other.b, (const unsigned char *)"s", 1, &other.m2, &other.l2);
        otrl_sm_step3(&other.a, other.m2, other.l2, &other.m3, &other.l3);
        e = otrl_sm_step4(&r.b, other.m3, other.l3, &o, &ol);
        printf("  bob step4(foreign msg3) err=%08x out=%s", e, o ? "set" : "NULL");
        state("", &r.b);
        free(o);
        o = NULL;
        otrl_sm_step4(&other.b, other.m3, other.l3, &other.m4, &other.l4);
        /* Alice after step 1 only (no step 3) gets a valid-looking msg4. */
        e = otrl_sm_step5(&r.a, other.m4, other.l4);
        printf("  alice step5(foreign msg4) err=%08x", e);
        state("", &r.a);
        run_done(&other);
    }
    run_done(&r);

    printf("== bob answers twice, alice retries step 3 after a failure\n");
    run_init(&r);
    {
        unsigned char *o = NULL, *t;
        int ol, tl, off, nl;
        unsigned int e;
        otrl_sm_step1(&r.a, (const unsigned char *)"k", 1, &r.m1, &r.l1);
        otrl_sm_step2a(&r.b, r.m1, r.l1, 0);
        otrl_sm_step2b(&r.b, (const unsigned char *)"k", 1, &r.m2, &r.l2);
        t = malloc(r.l2);
        memcpy(t, r.m2, r.l2);
        tl = r.l2;
        locate(t, tl, 8, &off, &nl);
        t[off] ^= 0x40;
        e = otrl_sm_step3(&r.a, t, tl, &o, &ol);
        printf("  step3(bad cP) err=%08x", e);
        state("", &r.a);
        free(t);
        e = otrl_sm_step3(&r.a, r.m2, r.l2, &r.m3, &r.l3);
        printf("  step3(good) err=%08x", e);
        state("", &r.a);
        e = otrl_sm_step4(&r.b, r.m3, r.l3, &r.m4, &r.l4);
        printf("  step4 err=%08x", e);
        state("", &r.b);
        e = otrl_sm_step4(&r.b, r.m3, r.l3, &o, &ol);
        printf("  step4 again err=%08x out=%s", e, o ? "set" : "NULL");
        state("", &r.b);
        free(o);
        e = otrl_sm_step5(&r.a, r.m4, r.l4);
        printf("  step5 err=%08x", e);
        state("", &r.a);
        e = otrl_sm_step5(&r.a, r.m4, r.l4);
        printf("  step5 again err=%08x", e);
        state("", &r.a);
    }
    run_done(&r);
    return 0;
}
