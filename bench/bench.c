/* Benchmark of the libotr C API: one source, built once against the real libotr 4.1.1
 * and once against ours (bench/run.sh does both and prints them side by side).
 *
 *   ./bench <datadir> [scale]     datadir: cabi-tests/data (alice.key, bob.key)
 *
 * Prints one line per operation: "name<TAB>median microseconds<TAB>runs".  Every
 * operation gets warm-up runs first, then the median of its timed runs
 * (clock_gettime(CLOCK_MONOTONIC)).  `scale` (default 1) multiplies the run counts.
 *
 * Two parties (alice, bob) live in this process, each with its own OtrlUserState; the
 * IM network is a FIFO queue filled by inject_message and drained through
 * otrl_message_receiving, so the AKE, data messages and SMP go through the whole
 * message layer exactly as in an IM client. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <libotr/tlv.h>

#define PROTO "prpl-test" /* the protocol of the key files */
#define ALICE "alice@example.org"
#define BOB "bob@example.org"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
static void die(const char *what) {
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
}
static void report(const char *name, double *v, int n) {
    printf("%s\t%.3f\t%d\n", name, median(v, n), n);
    fflush(stdout);
}

/* Deterministic PRNG (xorshift64*) so both builds read the same generated files. */
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static unsigned long long rnd(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

/* ---------- the two parties and the network ---------- */
typedef struct Peer {
    const char *account;
    unsigned int instag;
    OtrlUserState us;
    int secure;           /* gone_secure seen */
    int smp_success, smp_bad;
    ConnContext *smp_ask; /* ASK_FOR_SECRET seen on this context */
    struct Peer *other;
} Peer;

typedef struct QMsg { Peer *to; char *msg; struct QMsg *next; } QMsg;
static QMsg *qhead, *qtail;
static const char *datadir;
static char *last_plain; /* last decrypted message text, for the sanity checks */

static OtrlPolicy cb_policy(void *o, ConnContext *c) { (void)o; (void)c; return OTRL_POLICY_MANUAL; }
static void cb_create_privkey(void *o, const char *a, const char *p) { (void)o; (void)a; (void)p; die("create_privkey called"); }
static int cb_is_logged_in(void *o, const char *a, const char *p, const char *r) { (void)o; (void)a; (void)p; (void)r; return 1; }
static void cb_inject(void *o, const char *a, const char *p, const char *r, const char *m) {
    (void)a; (void)p; (void)r;
    QMsg *q = malloc(sizeof *q);
    q->to = ((Peer *)o)->other;
    q->msg = strdup(m);
    q->next = NULL;
    if (qtail) qtail->next = q; else qhead = q;
    qtail = q;
}
static void cb_gone_secure(void *o, ConnContext *c) { (void)c; ((Peer *)o)->secure = 1; }
static void cb_smp_event(void *o, OtrlSMPEvent ev, ConnContext *c, unsigned short prog, char *question) {
    (void)prog; (void)question;
    Peer *p = o;
    if (ev == OTRL_SMPEVENT_ASK_FOR_SECRET) p->smp_ask = c;
    else if (ev == OTRL_SMPEVENT_SUCCESS) p->smp_success = 1;
    else if (ev != OTRL_SMPEVENT_IN_PROGRESS) p->smp_bad = 1;
}
static void cb_create_instag(void *o, const char *a, const char *p) { (void)o; (void)a; (void)p; die("create_instag called"); }

static OtrlMessageAppOps ops;

static void load_instag(OtrlUserState us, const char *account, unsigned int tag) {
    char line[256];
    snprintf(line, sizeof line, "%s\t%s\t%08x\n", account, PROTO, tag);
    FILE *f = fmemopen(line, strlen(line), "r");
    if (otrl_instag_read_FILEp(us, f)) die("instag read failed");
    fclose(f);
}
static void load_key(OtrlUserState us, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", datadir, name);
    if (otrl_privkey_read(us, path)) die("cannot read a key file (give the data directory, cabi-tests/data)");
}
static void peer_init(Peer *p, const char *account, const char *keyfile, unsigned int tag) {
    memset(p, 0, sizeof *p);
    p->account = account;
    p->instag = tag;
    p->us = otrl_userstate_create();
    load_key(p->us, keyfile);
    load_instag(p->us, account, tag);
}

static void deliver(Peer *to, const char *from, const char *m) {
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    int r = otrl_message_receiving(to->us, &ops, to, to->account, PROTO, from, m, &newmsg, &tlvs, NULL, NULL, NULL);
    free(last_plain);
    last_plain = (!r && newmsg) ? strdup(newmsg) : NULL;
    if (newmsg) otrl_message_free(newmsg);
    if (tlvs) otrl_tlv_free(tlvs);
}
static void pump(void) {
    int n = 0;
    while (qhead) {
        QMsg *q = qhead;
        qhead = q->next;
        if (!qhead) qtail = NULL;
        if (++n > 100) die("message loop");
        deliver(q->to, q->to->other->account, q->msg);
        free(q->msg);
        free(q);
    }
}
static void send_text(Peer *from, const char *text) {
    char *out = NULL;
    gcry_error_t e = otrl_message_sending(from->us, &ops, from, from->account, PROTO, from->other->account,
                                          OTRL_INSTAG_BEST, text, NULL, &out, OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    if (e) die("otrl_message_sending failed");
    if (!out) cb_inject(from, from->account, PROTO, from->other->account, text); /* the app sends it as it is */
    else otrl_message_free(out);
}
static ConnContext *ctx_of(Peer *p) {
    return otrl_context_find(p->us, p->other->account, p->account, PROTO, p->other->instag, 0, NULL, NULL, NULL);
}

/* Alice sends an OTR query; both sides run the AKE until gone_secure. */
static void ake(Peer *a, Peer *b) {
    a->secure = b->secure = 0;
    send_text(a, "?OTRv23?");
    pump();
    if (!a->secure || !b->secure) die("AKE did not complete");
}

static void smp(Peer *a, Peer *b) {
    const unsigned char secret[] = "correct horse battery staple";
    a->smp_success = b->smp_success = a->smp_bad = b->smp_bad = 0;
    b->smp_ask = NULL;
    ConnContext *ac = ctx_of(a);
    if (!ac || ac->msgstate != OTRL_MSGSTATE_ENCRYPTED) die("no private context for SMP");
    otrl_message_initiate_smp(a->us, &ops, a, ac, secret, sizeof secret - 1);
    pump();
    if (!b->smp_ask) die("SMP: no ASK_FOR_SECRET");
    otrl_message_respond_smp(b->us, &ops, b, b->smp_ask, secret, sizeof secret - 1);
    pump();
    if (!a->smp_success || !b->smp_success || a->smp_bad || b->smp_bad) die("SMP did not succeed");
}

/* ---------- operations ---------- */
static int scale = 1;
static int runs(int n) { return n * scale; }

static void bench_ake(Peer *a, Peer *b) {
    int n = runs(30);
    double v[n];
    for (int i = -3; i < n; i++) {
        otrl_context_forget_all(a->us);
        otrl_context_forget_all(b->us);
        double t = now_us();
        ake(a, b);
        if (i >= 0) v[i] = now_us() - t;
    }
    report("AKE (query to gone_secure, both sides)", v, n);
}

static void bench_data(Peer *a, Peer *b) {
    int n = runs(400);
    double v[n];
    char text[64];
    for (int i = -20; i < n; i++) {
        /* alternate directions: every message acknowledges the peer's newest key, so each
         * one makes the receiver rotate its DH keys (and the sender use new ones). */
        Peer *from = (i & 1) ? b : a, *to = from->other;
        snprintf(text, sizeof text, "message %d", i);
        double t = now_us();
        send_text(from, text);
        pump();
        if (i >= 0) v[i] = now_us() - t;
        (void)to;
        if (!last_plain || strcmp(last_plain, text)) die("data message not received");
    }
    report("data message (send + receive, DH key rotation)", v, n);
}

static void bench_smp(Peer *a, Peer *b) {
    int n = runs(10);
    double v[n];
    for (int i = -2; i < n; i++) {
        double t = now_us();
        smp(a, b);
        if (i >= 0) v[i] = now_us() - t;
    }
    report("SMP (initiate to SUCCESS, both sides)", v, n);
}

static void bench_keygen(const char *dir) {
    int n = runs(9);
    double v[n];
    char path[1024];
    snprintf(path, sizeof path, "%s/gen.key", dir);
    for (int i = -1; i < n; i++) {
        OtrlUserState us = otrl_userstate_create();
        unlink(path);
        double t = now_us();
        if (otrl_privkey_generate(us, path, "gen@example.org", PROTO)) die("otrl_privkey_generate failed");
        if (i >= 0) v[i] = now_us() - t;
        otrl_userstate_free(us);
    }
    unlink(path);
    report("private key generation (DSA-1024, to a file)", v, n);
}

static void make_fp_file(const char *path, int entries) {
    FILE *f = fopen(path, "w");
    if (!f) die("cannot write a fingerprint file");
    /* users in sorted order, as libotr writes the file; 1-3 fingerprints each */
    int user = 0;
    for (int e = 0; e < entries; user++) {
        int k = 1 + rnd() % 3;
        for (int j = 0; j < k && e < entries; j++, e++) {
            fprintf(f, "user%07d@example.net\t%s\t%s\t", user, ALICE, PROTO);
            for (int b = 0; b < 20; b++) fprintf(f, "%02x", (unsigned)(rnd() & 0xff));
            fprintf(f, "\t%s\n", rnd() % 2 ? "verified" : "");
        }
    }
    fclose(f);
}

static void bench_fpread(const char *dir, int entries, int n) {
    char path[1024], name[96];
    snprintf(path, sizeof path, "%s/fp%d.txt", dir, entries);
    make_fp_file(path, entries);
    double v[n];
    /* the file was just written (it is in the page cache): a warm-up run only for the
     * small files (libotr takes seconds per run on the largest) */
    for (int i = entries >= 50000 ? 0 : -1; i < n; i++) {
        OtrlUserState us = otrl_userstate_create();
        double t = now_us();
        if (otrl_privkey_read_fingerprints(us, path, NULL, NULL)) die("otrl_privkey_read_fingerprints failed");
        if (i >= 0) v[i] = now_us() - t;
        if (i == 0) { /* sanity: count what was read */
            int c = 0;
            for (ConnContext *x = us->context_root; x; x = x->next)
                for (Fingerprint *fp = x->fingerprint_root.next; fp; fp = fp->next) c++;
            if (c != entries) die("fingerprint file read incompletely");
        }
        otrl_userstate_free(us);
    }
    unlink(path);
    snprintf(name, sizeof name, "fingerprint file read, %dk entries", entries / 1000);
    report(name, v, n);
}

static void bench_context_find(void) {
    enum { NCTX = 10000, BATCH = 200 };
    OtrlUserState us = otrl_userstate_create();
    static char names[NCTX][40];
    for (int i = 0; i < NCTX; i++) {
        snprintf(names[i], sizeof names[i], "buddy%05d@example.net", (int)((i * 7919L) % NCTX));
        if (!otrl_context_find(us, names[i], ALICE, PROTO, OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL))
            die("context creation failed");
    }
    int n = runs(40);
    double v[n];
    for (int i = -3; i < n; i++) {
        int idx[BATCH];
        for (int j = 0; j < BATCH; j++) idx[j] = rnd() % NCTX;
        double t = now_us();
        for (int j = 0; j < BATCH; j++)
            if (!otrl_context_find(us, names[idx[j]], ALICE, PROTO, OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL))
                die("context not found");
        if (i >= 0) v[i] = (now_us() - t) / BATCH;
    }
    otrl_userstate_free(us);
    report("otrl_context_find, 10k contexts (per lookup)", v, n);
}

static void bench_dsa(Peer *a) {
    OtrlPrivKey *k = otrl_privkey_find(a->us, a->account, PROTO);
    if (!k) die("no key");
    unsigned char data[20];
    for (int i = 0; i < 20; i++) data[i] = (unsigned char)(i * 37 + 1);
    int n = runs(100);
    double vs[n], vv[n];
    unsigned char *sig = NULL;
    size_t siglen = 0;
    for (int i = -5; i < n; i++) {
        free(sig);
        sig = NULL;
        double t = now_us();
        if (otrl_privkey_sign(&sig, &siglen, k, data, sizeof data)) die("sign failed");
        double t1 = now_us();
        /* libgcrypt verifies against the private-key s-expression too */
        if (otrl_privkey_verify(sig, siglen, k->pubkey_type, k->privkey, data, sizeof data)) die("verify failed");
        double t2 = now_us();
        if (i >= 0) { vs[i] = t1 - t; vv[i] = t2 - t1; }
    }
    free(sig);
    report("DSA sign (otrl_privkey_sign)", vs, n);
    report("DSA verify (otrl_privkey_verify)", vv, n);
}

int main(int argc, char **argv) {
    datadir = argc > 1 ? argv[1] : "cabi-tests/data";
    if (argc > 2) scale = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    const char *only = getenv("BENCH_ONLY"); /* run one operation: ake data smp keygen fp ctx dsa */
#define WANT(x) (!only || !strcmp(only, x))
    OTRL_INIT;
    ops.policy = cb_policy;
    ops.create_privkey = cb_create_privkey;
    ops.is_logged_in = cb_is_logged_in;
    ops.inject_message = cb_inject;
    ops.gone_secure = cb_gone_secure;
    ops.handle_smp_event = cb_smp_event;
    ops.create_instag = cb_create_instag;

    char tmp[] = "/tmp/otrbench.XXXXXX";
    if (!mkdtemp(tmp)) die("mkdtemp failed");

    static Peer a, b;
    peer_init(&a, ALICE, "alice.key", 0x0a11ce01u);
    peer_init(&b, BOB, "bob.key", 0x0b0b0001u);
    a.other = &b;
    b.other = &a;

    if (WANT("ake")) bench_ake(&a, &b);
    if (WANT("data") || WANT("smp")) {
        otrl_context_forget_all(a.us);
        otrl_context_forget_all(b.us);
        ake(&a, &b);
        if (WANT("data")) bench_data(&a, &b);
        if (WANT("smp")) bench_smp(&a, &b);
    }
    if (WANT("keygen")) bench_keygen(tmp);
    if (WANT("fp")) {
        bench_fpread(tmp, 1000, runs(15));
        bench_fpread(tmp, 10000, runs(5));
        bench_fpread(tmp, 50000, runs(3));
    }
    if (WANT("ctx")) bench_context_find();
    if (WANT("dsa")) bench_dsa(&a);

    otrl_userstate_free(a.us);
    otrl_userstate_free(b.us);
    free(last_plain);
    rmdir(tmp);
    return 0;
}
