/* A tiny in-memory IM network for the conversation traces (t_conv.c, t_malformed.c).
 *
 * Peers are OtrlUserStates with one account each ("alice@example.org", or
 * "bob@example.org" for one or two "bob" clients with different instance tags).
 * inject_message appends to one global FIFO queue; a message to an account is
 * delivered to every peer logged in with that account (like a real IM server), and
 * pump() feeds the queue through otrl_message_receiving.  Every callback of
 * OtrlMessageAppOps is implemented and logged with its arguments.
 *
 * Determinism:
 *  - keys are the committed cabi-tests/data/ key files, instance tags are fixed
 *    (read from a string with otrl_instag_read_FILEp), so fingerprints and instance
 *    tags are printed as they are;
 *  - nothing random is printed: OTR binary messages are decoded and only their
 *    deterministic fields are shown (version, type, instance tags, flags, keyids,
 *    counter, lengths that do not depend on random values);
 *  - the wall clock is frozen: this program defines time(), gettimeofday() and
 *    clock_gettime() (CLOCK_REALTIME*, other clocks pass through), which interpose
 *    on the C library's for the OTR library too (both the real one and ours).  The
 *    clock starts at FAKE_T0 and moves only when a test calls advance_clock(), so
 *    "most recent" instance choices, heartbeats (60 s), resends (60 s) and the
 *    DH-Commit expiry of otrl_message_poll (60 s) are exact and reproducible;
 *  - policy() calls are many, so consecutive ones of a peer are folded into one line
 *    "policy xN" (the count itself is part of the trace).
 */
#ifndef OTRSIM_H
#define OTRSIM_H
#define _GNU_SOURCE
#include "common.h"
#include <time.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <libotr/context_priv.h>

/* ---------- frozen clock ---------- */
#define FAKE_T0 1500000000L
static long fake_now = FAKE_T0;
static void advance_clock(long secs) { fake_now += secs; printf("  (clock +%lds)\n", secs); }
time_t time(time_t *t) {
    if (t) *t = fake_now;
    return fake_now;
}
int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    tv->tv_sec = fake_now;
    tv->tv_usec = 0;
    return 0;
}
int clock_gettime(clockid_t clk, struct timespec *ts) {
    if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE) {
        ts->tv_sec = fake_now;
        ts->tv_nsec = 0;
        return 0;
    }
    return (int)syscall(SYS_clock_gettime, clk, ts);
}

/* ---------- data files ---------- */
static const char *datadir(void) {
    const char *d = getenv("OTR_CABI_DATA");
    return d ? d : "cabi-tests/data";
}
static char *datafile(const char *name) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", datadir(), name);
    return buf[k];
}

#define PROTO "prpl-test"
#define ALICE "alice@example.org"
#define BOB "bob@example.org"
#define TAG_ALICE 0x0a11ce01u
#define TAG_BOB1 0x0b0b0001u
#define TAG_BOB2 0x0b0b0002u

/* ---------- peers ---------- */
typedef struct Peer {
    const char *name;    /* label in the trace: alice, bob1, bob2 */
    const char *account; /* IM account */
    const char *keyfile; /* for create_privkey (NULL: none) */
    unsigned int instag;
    OtrlUserState us;
    OtrlMessageAppOps *ops;
    OtrlPolicy policy;
    int mms;           /* max_message_size result */
    int logged_in;     /* is_logged_in result */
    int convert;       /* convert_msg transforms messages */
    int use_prefix;    /* resent_msg_prefix returns a string (else NULL) */
    int online;        /* receives messages sent to its account */
    unsigned char symkey[32];
    int have_symkey;
} Peer;

#define MAXPEERS 4
static Peer *peers[MAXPEERS];
static int npeers;

/* Keys of the committed files, for naming fingerprints in the trace. */
static struct { char name[16]; unsigned char fp[20]; } known_fps[8];
static int nknown;

static const char *fpname(const unsigned char *fp) {
    if (!fp) return "(null)";
    for (int i = 0; i < nknown; i++)
        if (!memcmp(known_fps[i].fp, fp, 20)) return known_fps[i].name;
    return "(unknown key)";
}

static const char *peername(void *opdata) { return opdata ? ((Peer *)opdata)->name : "(null opdata)"; }

/* ---------- policy call folding ---------- */
static Peer *pol_peer;
static int pol_count;
static void flush_policy(void) {
    if (pol_count) printf("    [%s] policy x%d\n", pol_peer->name, pol_count);
    pol_count = 0;
    pol_peer = NULL;
}
#define OUT(...) (flush_policy(), printf(__VA_ARGS__))

/* ---------- names ---------- */
static const char *msgstate_s(OtrlMessageState s) {
    switch (s) {
    case OTRL_MSGSTATE_PLAINTEXT: return "PLAINTEXT";
    case OTRL_MSGSTATE_ENCRYPTED: return "ENCRYPTED";
    case OTRL_MSGSTATE_FINISHED: return "FINISHED";
    }
    return "?";
}
static const char *authstate_s(OtrlAuthState s) {
    switch (s) {
    case OTRL_AUTHSTATE_NONE: return "NONE";
    case OTRL_AUTHSTATE_AWAITING_DHKEY: return "AWAITING_DHKEY";
    case OTRL_AUTHSTATE_AWAITING_REVEALSIG: return "AWAITING_REVEALSIG";
    case OTRL_AUTHSTATE_AWAITING_SIG: return "AWAITING_SIG";
    case OTRL_AUTHSTATE_V1_SETUP: return "V1_SETUP";
    }
    return "?";
}
static const char *offer_s(int o) {
    static const char *n[] = {"NOT", "SENT", "REJECTED", "ACCEPTED"};
    return o >= 0 && o < 4 ? n[o] : "?";
}
static const char *event_s(OtrlMessageEvent e) {
    static const char *n[] = {"NONE", "ENCRYPTION_REQUIRED", "ENCRYPTION_ERROR", "CONNECTION_ENDED", "SETUP_ERROR",
                              "MSG_REFLECTED", "MSG_RESENT", "RCVDMSG_NOT_IN_PRIVATE", "RCVDMSG_UNREADABLE",
                              "RCVDMSG_MALFORMED", "LOG_HEARTBEAT_RCVD", "LOG_HEARTBEAT_SENT", "RCVDMSG_GENERAL_ERR",
                              "RCVDMSG_UNENCRYPTED", "RCVDMSG_UNRECOGNIZED", "RCVDMSG_FOR_OTHER_INSTANCE"};
    return (unsigned)e < 16 ? n[e] : "?";
}
static const char *smpevent_s(OtrlSMPEvent e) {
    static const char *n[] = {"NONE", "ERROR", "ABORT", "CHEATED", "ASK_FOR_ANSWER", "ASK_FOR_SECRET",
                              "IN_PROGRESS", "SUCCESS", "FAILURE"};
    return (unsigned)e < 9 ? n[e] : "?";
}
static const char *errcode_s(OtrlErrorCode e) {
    static const char *n[] = {"NONE", "ENCRYPTION_ERROR", "MSG_NOT_IN_PRIVATE", "MSG_UNREADABLE", "MSG_MALFORMED"};
    return (unsigned)e < 5 ? n[e] : "?";
}

/* When set, our instance tags and the tags in messages are printed as "*" (with no
 * create_instag callback and no stored tag, the library makes random ones). */
static int hide_instags;

/* "bob@example.org#0b0b0001" or "bob@example.org#master"; "(null)" */
static const char *ctxname(ConnContext *c) {
    static char buf[4][160];
    static int k;
    k = (k + 1) % 4;
    if (!c) return "(null)";
    if (c->their_instance == OTRL_INSTAG_MASTER && c->m_context == c)
        snprintf(buf[k], sizeof buf[k], "%s#master", c->username);
    else if (hide_instags)
        snprintf(buf[k], sizeof buf[k], "%s#*%s", c->username, c->m_context == c ? "(own-master!)" : "");
    else
        snprintf(buf[k], sizeof buf[k], "%s#%08x%s", c->username, c->their_instance, c->m_context == c ? "(own-master!)" : "");
    return buf[k];
}

/* Printable form of a string: C-like escapes for control bytes, \xNN for bytes >= 0x7f
 * (so UTF-8 shows as bytes), truncated to keep lines short. */
static void pesc(const char *s) {
    if (!s) { printf("NULL"); return; }
    putchar('"');
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= 400) { printf("...(%zu bytes)", n); break; }
        if (c == '\\') printf("\\\\");
        else if (c == '"') printf("\\\"");
        else if (c == '\t') printf("\\t");
        else if (c == '\n') printf("\\n");
        else if (c < 0x20 || c >= 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
    putchar('"');
}

static void ptag(const char *label, unsigned long t) {
    if (hide_instags) printf("%s=*", label);
    else printf("%s=%08lx", label, t);
}

/* When set, data-message ciphertext lengths are not printed (SMP messages carry MPIs
 * whose minimal encodings vary in length). */
static int hide_lens;

/* ---------- OTR wire message description (deterministic fields only) ---------- */
static unsigned long rd_int(const unsigned char **p, size_t *l, int n, int *ok) {
    unsigned long v = 0;
    if (*l < (size_t)n) { *ok = 0; return 0; }
    for (int i = 0; i < n; i++) v = (v << 8) | (*p)[i];
    *p += n;
    *l -= n;
    return v;
}
/* skip a DATA/MPI field, returning its length */
static unsigned long rd_skip(const unsigned char **p, size_t *l, int *ok) {
    unsigned long n = rd_int(p, l, 4, ok);
    if (!*ok || *l < n) { *ok = 0; return n; }
    *p += n;
    *l -= n;
    return n;
}

static void desc_binary(const char *msg) {
    unsigned char *buf = NULL;
    size_t len = 0;
    const char *start = strstr(msg, "?OTR:");
    if (!start || otrl_base64_otr_decode(start, &buf, &len)) { printf("?OTR: (undecodable)"); return; }
    const unsigned char *p = buf;
    size_t l = len;
    int ok = 1;
    unsigned v = rd_int(&p, &l, 2, &ok), t = rd_int(&p, &l, 1, &ok);
    const char *tn = t == 2 ? "DH-COMMIT" : t == 0x0a ? "DH-KEY" : t == 0x11 ? "REVEAL-SIG" : t == 0x12 ? "SIGNATURE"
                   : t == 3 ? "DATA" : "TYPE?";
    printf("%s v%u", tn, v);
    if (v == 3) {
        unsigned long s = rd_int(&p, &l, 4, &ok), r = rd_int(&p, &l, 4, &ok);
        ptag(" snd", s);
        ptag(" rcv", r);
    }
    if (!ok) { printf(" (short)"); free(buf); return; }
    if (t == 2) {
        rd_skip(&p, &l, &ok);
        unsigned long h = rd_skip(&p, &l, &ok);
        printf(" hashlen=%lu", h);
    } else if (t == 0x0a) {
        rd_skip(&p, &l, &ok);
    } else if (t == 0x11) {
        unsigned long r = rd_skip(&p, &l, &ok), es = rd_skip(&p, &l, &ok);
        printf(" rlen=%lu encsiglen=%lu", r, es);
        if (ok) { rd_int(&p, &l, 4, &ok); p += 16; l = l >= 16 ? l - 16 : 0; }
    } else if (t == 0x12) {
        unsigned long es = rd_skip(&p, &l, &ok);
        printf(" encsiglen=%lu", es);
        if (ok) { rd_int(&p, &l, 4, &ok); p += 16; l = l >= 16 ? l - 16 : 0; }
    } else if (t == 3) {
        /* Parse the whole message first: if any length does not fit, only the fields
         * at fixed offsets are printed (the rest would be read from ciphertext or MAC
         * bytes, which are random). */
        unsigned fl = v == 1 ? 0 : rd_int(&p, &l, 1, &ok);
        unsigned long sk = rd_int(&p, &l, 4, &ok), rk = rd_int(&p, &l, 4, &ok);
        int fixed_ok = ok;
        if (ok) rd_skip(&p, &l, &ok);
        unsigned long ctr = ok ? rd_int(&p, &l, 8, &ok) : 0;
        unsigned long enc = ok ? rd_skip(&p, &l, &ok) : 0;
        if (ok) { if (l >= 20) { p += 20; l -= 20; } else ok = 0; }
        unsigned long om = ok ? rd_skip(&p, &l, &ok) : 0;
        if (fixed_ok) printf(" flags=%02x keys=%lu/%lu", fl, sk, rk);
        if (!ok) { printf(" (malformed)"); free(buf); return; }
        printf(" ctr=%lu", ctr);
        if (hide_lens) printf(" enclen=*");
        else printf(" enclen=%lu", enc);
        printf(" oldmacs=%lu", om);
    }
    if (!ok) printf(" (short)");
    else if (l) printf(" (+%zu trailing)", l);
    free(buf);
}

static void desc(const char *m) {
    if (!m) { printf("NULL"); return; }
    if (getenv("OTRSIM_LEN")) printf("[len=%zu] ", strlen(m));
    unsigned s, r, k, n;
    int off = 0;
    if (sscanf(m, "?OTR|%x|%x,%u,%u,%n", &s, &r, &k, &n, &off) == 4 && off) {
        printf("FRAG3");
        ptag(" snd", s);
        ptag(" rcv", r);
        printf(" %u/%u", k, n);
        if (!strncmp(m + off, "?OTR:", 5)) printf(" starts \"%.9s\"", m + off);
        return;
    }
    if (sscanf(m, "?OTR,%u,%u,%n", &k, &n, &off) == 2 && off) {
        printf("FRAG2 %u/%u", k, n);
        if (!strncmp(m + off, "?OTR:", 5)) printf(" starts \"%.9s\"", m + off);
        return;
    }
    if (!strncmp(m, "?OTR:", 5) && strchr(m, '.')) { desc_binary(m); return; }
    pesc(m);
}

/* ---------- state printing ---------- */
static void show(Peer *p) {
    OUT("  state %s:", p->name);
    if (!p->us->context_root) printf(" (no contexts)");
    printf("\n");
    for (ConnContext *c = p->us->context_root; c; c = c->next) {
        printf("    %s", ctxname(c));
        ptag(" our", c->our_instance);
        printf(" msg=%s auth=%s(v%u) pv=%u offer=%s", msgstate_s(c->msgstate),
               authstate_s(c->auth.authstate), c->auth.protocol_version, c->protocol_version, offer_s(c->otr_offer));
        if (c->m_context == c) {
            printf(" recent=%s", c->recent_child ? (c->recent_child == c ? "self" : ctxname(c->recent_child)) : "NULL");
            printf(" rcvd=%s", c->recent_rcvd_child ? (c->recent_rcvd_child == c ? "self" : ctxname(c->recent_rcvd_child)) : "NULL");
            printf(" sent=%s", c->recent_sent_child ? (c->recent_sent_child == c ? "self" : ctxname(c->recent_sent_child)) : "NULL");
        } else {
            printf(" master=%s", ctxname(c->m_context));
        }
        if (c->active_fingerprint)
            printf(" fp=%s trust=%s%s%s", fpname(c->active_fingerprint->fingerprint), c->active_fingerprint->trust ? "\"" : "",
                   c->active_fingerprint->trust ? c->active_fingerprint->trust : "NULL", c->active_fingerprint->trust ? "\"" : "");
        else
            printf(" fp=NULL");
        if (c->msgstate == OTRL_MSGSTATE_ENCRYPTED)
            printf(" sid_len=%zu half=%s", c->sessionid_len, c->sessionid_half == OTRL_SESSIONID_FIRST_HALF_BOLD ? "first" : "second");
        printf(" smp=%d/%d\n", c->smstate ? (int)c->smstate->nextExpected : -1, c->smstate ? (int)c->smstate->sm_prog_state : -1);
        for (Fingerprint *f = c->fingerprint_root.next; f; f = f->next)
            printf("      known fp %s trust=%s%s%s\n", fpname(f->fingerprint), f->trust ? "\"" : "", f->trust ? f->trust : "NULL",
                   f->trust ? "\"" : "");
    }
}

/* ---------- the network queue ---------- */
typedef struct QMsg {
    Peer *from, *to;
    char *msg;
    struct QMsg *next;
} QMsg;
static QMsg *qhead, *qtail;
static int hold_queue; /* when set, pump() does not run (tests take messages by hand) */
/* When set, the msgstate after otrl_message_receiving is not printed.  Used while an
 * AKE runs over a live ENCRYPTED session: libotr 4.1.1 copies the master's PLAINTEXT
 * msgstate onto the encrypted instance when a DH-Key arrives (protocol-notes 3.5);
 * ours keeps it ENCRYPTED until the AKE completes, so that window is not compared. */
static int hide_msgstate;

static void enqueue(Peer *from, Peer *to, const char *m) {
    QMsg *q = calloc(1, sizeof *q);
    q->from = from;
    q->to = to;
    q->msg = strdup(m);
    if (qtail) qtail->next = q; else qhead = q;
    qtail = q;
}
static QMsg *dequeue(void) {
    QMsg *q = qhead;
    if (q) {
        qhead = q->next;
        if (!qhead) qtail = NULL;
    }
    return q;
}
static void qfree(QMsg *q) { if (q) { free(q->msg); free(q); } }
static void drop_queue(const char *why) {
    int n = 0;
    QMsg *q;
    while ((q = dequeue())) { n++; qfree(q); }
    if (n) OUT("  (dropped %d queued message%s: %s)\n", n, n == 1 ? "" : "s", why);
}
static int queue_len(void) {
    int n = 0;
    for (QMsg *q = qhead; q; q = q->next) n++;
    return n;
}

/* ---------- callbacks ---------- */
static OtrlPolicy cb_policy(void *opdata, ConnContext *context) {
    (void)context;
    Peer *p = opdata;
    if (pol_peer != p) flush_policy();
    pol_peer = p;
    pol_count++;
    return p->policy;
}
static void load_key(OtrlUserState us, const char *file) {
    gcry_error_t e = otrl_privkey_read(us, datafile(file));
    if (e) { printf("cannot read %s: %08x\n", datafile(file), e); exit(2); }
}
static void cb_create_privkey(void *opdata, const char *accountname, const char *protocol) {
    Peer *p = opdata;
    OUT("    [%s] create_privkey %s %s%s\n", peername(opdata), accountname, protocol, p->keyfile ? " (loading fixed key)" : "");
    if (p->keyfile) load_key(p->us, p->keyfile);
}
static int cb_is_logged_in(void *opdata, const char *accountname, const char *protocol, const char *recipient) {
    Peer *p = opdata;
    OUT("    [%s] is_logged_in %s %s %s -> %d\n", p->name, accountname, protocol, recipient, p->logged_in);
    return p->logged_in;
}
static void cb_inject(void *opdata, const char *accountname, const char *protocol, const char *recipient, const char *message) {
    Peer *p = opdata;
    OUT("    [%s] inject %s %s -> %s: ", p->name, accountname, protocol, recipient);
    desc(message);
    int n = 0;
    for (int i = 0; i < npeers; i++)
        if (peers[i] != p && peers[i]->online && !strcmp(peers[i]->account, recipient)) {
            enqueue(p, peers[i], message);
            n++;
        }
    printf("%s\n", n ? "" : " (nobody online)");
}
static void cb_update_context_list(void *opdata) { OUT("    [%s] update_context_list\n", peername(opdata)); }
static void cb_new_fingerprint(void *opdata, OtrlUserState us, const char *accountname, const char *protocol,
                               const char *username, unsigned char fingerprint[20]) {
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    otrl_privkey_hash_to_human(human, fingerprint);
    OUT("    [%s] new_fingerprint us_ok=%d %s %s %s %s (%s)\n", peername(opdata), us == ((Peer *)opdata)->us, accountname,
        protocol, username, human, fpname(fingerprint));
}
static void cb_write_fingerprints(void *opdata) { OUT("    [%s] write_fingerprints\n", peername(opdata)); }
static void ctxline(ConnContext *c) {
    printf(" ctx=%s msg=%s pv=%u fp=%s", ctxname(c), c ? msgstate_s(c->msgstate) : "-", c ? c->protocol_version : 0,
           c && c->active_fingerprint ? fpname(c->active_fingerprint->fingerprint) : "NULL");
}
static void cb_gone_secure(void *opdata, ConnContext *c) {
    OUT("    [%s] gone_secure", peername(opdata));
    ctxline(c);
    printf("\n");
}
static void cb_gone_insecure(void *opdata, ConnContext *c) {
    OUT("    [%s] gone_insecure", peername(opdata));
    ctxline(c);
    printf("\n");
}
static void cb_still_secure(void *opdata, ConnContext *c, int is_reply) {
    OUT("    [%s] still_secure is_reply=%d", peername(opdata), is_reply);
    ctxline(c);
    printf("\n");
}
static int cb_max_message_size(void *opdata, ConnContext *c) {
    Peer *p = opdata;
    OUT("    [%s] max_message_size ctx=%s -> %d\n", p->name, ctxname(c), p->mms);
    return p->mms;
}
static const char *cb_account_name(void *opdata, const char *account, const char *protocol) {
    OUT("    [%s] account_name %s %s\n", peername(opdata), account, protocol);
    char *s = malloc(strlen(account) + 8);
    sprintf(s, "Name<%s>", account);
    return s;
}
static void cb_account_name_free(void *opdata, const char *name) {
    OUT("    [%s] account_name_free %s\n", peername(opdata), name);
    free((char *)name);
}
static void cb_received_symkey(void *opdata, ConnContext *c, unsigned int use, const unsigned char *usedata, size_t usedatalen,
                               const unsigned char *symkey) {
    Peer *p = opdata;
    OUT("    [%s] received_symkey ctx=%s use=%u usedatalen=%zu usedata=", p->name, ctxname(c), use, usedatalen);
    hex(usedata, usedatalen);
    printf("\n");
    memcpy(p->symkey, symkey, 32);
    p->have_symkey = 1;
}
static const char *cb_otr_error_message(void *opdata, ConnContext *c, OtrlErrorCode code) {
    OUT("    [%s] otr_error_message ctx=%s code=%s\n", peername(opdata), ctxname(c), errcode_s(code));
    char *s = malloc(64);
    snprintf(s, 64, "err-%s", errcode_s(code));
    return s;
}
static void cb_otr_error_message_free(void *opdata, const char *m) {
    OUT("    [%s] otr_error_message_free %s\n", peername(opdata), m);
    free((char *)m);
}
static const char *cb_resent_msg_prefix(void *opdata, ConnContext *c) {
    Peer *p = opdata;
    OUT("    [%s] resent_msg_prefix ctx=%s -> %s\n", p->name, ctxname(c), p->use_prefix ? "\"[again]\"" : "NULL");
    return p->use_prefix ? strdup("[again]") : NULL;
}
static void cb_resent_msg_prefix_free(void *opdata, const char *prefix) {
    OUT("    [%s] resent_msg_prefix_free %s\n", peername(opdata), prefix);
    free((char *)prefix);
}
static void cb_handle_smp_event(void *opdata, OtrlSMPEvent ev, ConnContext *c, unsigned short progress, char *question) {
    OUT("    [%s] smp_event %s ctx=%s progress=%u question=", peername(opdata), smpevent_s(ev), ctxname(c), progress);
    pesc(question);
    printf("\n");
}
static void cb_handle_msg_event(void *opdata, OtrlMessageEvent ev, ConnContext *c, const char *message, gcry_error_t err) {
    OUT("    [%s] msg_event %s ctx=%s msg=", peername(opdata), event_s(ev), ctxname(c));
    pesc(message);
    printf(" err=%08x\n", err);
}
static void cb_create_instag(void *opdata, const char *accountname, const char *protocol) {
    Peer *p = opdata;
    OUT("    [%s] create_instag %s %s (loading fixed tag %08x)\n", p->name, accountname, protocol, p->instag);
    char line[256];
    snprintf(line, sizeof line, "%s\t%s\t%08x\n", accountname, protocol, p->instag);
    FILE *f = fmemopen(line, strlen(line), "r");
    otrl_instag_read_FILEp(p->us, f);
    fclose(f);
}
static void cb_convert_msg(void *opdata, ConnContext *c, OtrlConvertType type, char **dest, const char *src) {
    Peer *p = opdata;
    OUT("    [%s] convert_msg ctx=%s %s src=", p->name, ctxname(c), type == OTRL_CONVERT_SENDING ? "SENDING" : "RECEIVING");
    pesc(src);
    if (p->convert) {
        *dest = malloc(strlen(src) + 16);
        sprintf(*dest, "%s%s", type == OTRL_CONVERT_SENDING ? "<s>" : "<r>", src);
        printf(" -> ");
        pesc(*dest);
    }
    printf("\n");
}
static void cb_convert_free(void *opdata, ConnContext *c, char *dest) {
    OUT("    [%s] convert_free ctx=%s ", peername(opdata), ctxname(c));
    pesc(dest);
    printf("\n");
    free(dest);
}
static void cb_timer_control(void *opdata, unsigned int interval) {
    OUT("    [%s] timer_control interval=%u\n", peername(opdata), interval);
}

static OtrlMessageAppOps full_ops = {
    cb_policy,           cb_create_privkey,      cb_is_logged_in,        cb_inject,
    cb_update_context_list, cb_new_fingerprint,  cb_write_fingerprints,  cb_gone_secure,
    cb_gone_insecure,    cb_still_secure,        cb_max_message_size,    cb_account_name,
    cb_account_name_free, cb_received_symkey,    cb_otr_error_message,   cb_otr_error_message_free,
    cb_resent_msg_prefix, cb_resent_msg_prefix_free, cb_handle_smp_event, cb_handle_msg_event,
    cb_create_instag,    cb_convert_msg,         cb_convert_free,        cb_timer_control,
};
static OtrlMessageAppOps min_ops; /* only inject_message; set in sim_init */

/* ---------- peer setup ---------- */
static void remember_fp(const char *name, const char *keyfile, const char *account) {
    OtrlUserState us = otrl_userstate_create();
    load_key(us, keyfile);
    unsigned char raw[20];
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    otrl_privkey_fingerprint_raw(us, raw, account, PROTO);
    otrl_privkey_fingerprint(us, human, account, PROTO);
    snprintf(known_fps[nknown].name, sizeof known_fps[nknown].name, "%s", name);
    memcpy(known_fps[nknown++].fp, raw, 20);
    printf("key %-8s %s %s\n", name, account, human);
    otrl_userstate_free(us);
}

static void sim_init(void) {
    OTRL_INIT;
    setvbuf(stdout, NULL, _IOLBF, 0);
    min_ops.inject_message = cb_inject;
    remember_fp("alice", "alice.key", ALICE);
    remember_fp("bob", "bob.key", BOB);
    remember_fp("bob-alt", "bob-alt.key", BOB);
}

static void load_instag(OtrlUserState us, const char *account, unsigned int tag) {
    char line[256];
    snprintf(line, sizeof line, "%s\t%s\t%08x\n", account, PROTO, tag);
    FILE *f = fmemopen(line, strlen(line), "r");
    gcry_error_t e = otrl_instag_read_FILEp(us, f);
    fclose(f);
    if (e) { printf("instag read failed %08x\n", e); exit(2); }
}

/* A peer with its key and instance tag loaded (keyfile NULL: no key loaded yet, it is
 * loaded by create_privkey from lazykey; preload_tag 0: create_instag loads it). */
static Peer *peer_new(const char *name, const char *account, const char *keyfile, unsigned int instag, OtrlPolicy pol) {
    Peer *p = calloc(1, sizeof *p);
    p->name = name;
    p->account = account;
    p->keyfile = keyfile;
    p->instag = instag;
    p->us = otrl_userstate_create();
    p->ops = &full_ops;
    p->policy = pol;
    p->logged_in = 1;
    p->online = 1;
    p->use_prefix = 1;
    if (keyfile) load_key(p->us, keyfile);
    if (instag) load_instag(p->us, account, instag);
    peers[npeers++] = p;
    return p;
}
static void peer_free(Peer *p) {
    otrl_userstate_free(p->us);
    for (int i = 0; i < npeers; i++)
        if (peers[i] == p) {
            memmove(peers + i, peers + i + 1, (npeers - i - 1) * sizeof *peers);
            npeers--;
            break;
        }
    free(p);
}
static void peers_free_all(void) {
    drop_queue("end of scenario");
    while (npeers) peer_free(peers[npeers - 1]);
}

/* ---------- sending / receiving ---------- */
static void print_tlvs(OtrlTLV *t) {
    printf(" tlvs=[");
    for (OtrlTLV *x = t; x; x = x->next) {
        /* SMP TLVs (2-5, 7) hold random MPIs: their lengths vary */
        if ((x->type >= OTRL_TLV_SMP1 && x->type <= OTRL_TLV_SMP4) || x->type == OTRL_TLV_SMP1Q)
            printf("%s%u:*", x == t ? "" : ",", x->type);
        else
            printf("%s%u:%u", x == t ? "" : ",", x->type, x->len);
    }
    printf("]");
}

/* The account a peer talks to (alice talks to bob, bobs talk to alice). */
static const char *buddy_of(Peer *p) { return strcmp(p->account, ALICE) ? ALICE : BOB; }

static gcry_error_t send_msg_tlv(Peer *p, otrl_instag_t inst, const char *msg, OtrlTLV *tlvs, OtrlFragmentPolicy fp) {
    char *out = (char *)"untouched";
    ConnContext *ctx = (ConnContext *)1;
    static const char *fpn[] = {"SEND_SKIP", "SEND_ALL", "SEND_ALL_BUT_FIRST", "SEND_ALL_BUT_LAST"};
    static const char *instn[] = {"MASTER", "BEST", "RECENT", "RECENT_RECEIVED", "RECENT_SENT"};
    if (inst < 5) OUT("  %s sends (%s, %s) ", p->name, instn[inst], fpn[fp]);
    else OUT("  %s sends (%08x, %s) ", p->name, inst, fpn[fp]);
    pesc(msg);
    if (tlvs) print_tlvs(tlvs);
    printf("\n");
    gcry_error_t e = otrl_message_sending(p->us, p->ops, p, p->account, PROTO, buddy_of(p), inst, msg, tlvs, &out, fp, &ctx,
                                          NULL, NULL);
    OUT("   => err=%08x ctx=%s *messagep=", e, ctx == (ConnContext *)1 ? "untouched" : ctxname(ctx));
    if (out && !strcmp(out, "untouched")) printf("untouched");
    else desc(out);
    printf("\n");
    if (!out && !e && p->ops->inject_message) {
        /* libotr leaves the message alone: the application sends its original text */
        OUT("  (%s's app sends the original text)\n", p->name);
        p->ops->inject_message(p, p->account, PROTO, buddy_of(p), msg);
    }
    if (out && strcmp(out, "untouched")) {
        /* What an application does: with SEND_SKIP, or with a returned fragment, it sends
         * *messagep itself. */
        if (fp != OTRL_FRAGMENT_SEND_ALL && *out) {
            OUT("  (%s's app sends *messagep itself)\n", p->name);
            p->ops->inject_message(p, p->account, PROTO, buddy_of(p), out);
        }
        otrl_message_free(out);
    }
    return e;
}
static gcry_error_t send_msg(Peer *p, const char *msg) { return send_msg_tlv(p, OTRL_INSTAG_BEST, msg, NULL, OTRL_FRAGMENT_SEND_ALL); }

static int deliver_one(Peer *to, const char *from_account, const char *m) {
    char *newmsg = (char *)"untouched";
    OtrlTLV *tlvs = (OtrlTLV *)1;
    ConnContext *ctx = (ConnContext *)1;
    int r = otrl_message_receiving(to->us, to->ops, to, to->account, PROTO, from_account, m, &newmsg, &tlvs, &ctx, NULL, NULL);
    OUT("   => ret=%d new=", r);
    if (newmsg && !strcmp(newmsg, "untouched")) printf("untouched");
    else pesc(newmsg);
    if (tlvs == (OtrlTLV *)1) printf(" tlvs=untouched");
    else print_tlvs(tlvs);
    printf(" ctx=%s", ctx == (ConnContext *)1 ? "untouched" : ctxname(ctx));
    if (ctx && ctx != (ConnContext *)1 && !hide_msgstate) printf(" msg=%s", msgstate_s(ctx->msgstate));
    printf("\n");
    if (newmsg && strcmp(newmsg, "untouched")) otrl_message_free(newmsg);
    if (tlvs != (OtrlTLV *)1) otrl_tlv_free(tlvs);
    return r;
}

/* Deliver the first queued message; 0 if the queue was empty. */
static int step(void) {
    QMsg *q = hold_queue ? NULL : dequeue();
    if (!q) return 0;
    OUT("  deliver %s -> %s: ", q->from->name, q->to->name);
    desc(q->msg);
    printf("\n");
    deliver_one(q->to, q->from->account, q->msg);
    qfree(q);
    return 1;
}
/* Deliver queued messages until the queue is empty (at most `limit` messages). */
static void pump_n(int limit) {
    int n = 0;
    while (!hold_queue && qhead) {
        if (++n > limit) {
            drop_queue("pump limit reached");
            return;
        }
        step();
    }
}
static void pump(void) { pump_n(200); }

/* Deliver a hand-made message to a peer, as if sent by `from_account`. */
static int feed(Peer *to, const char *from_account, const char *m) {
    OUT("  feed -> %s: ", to->name);
    desc(m);
    printf("\n");
    return deliver_one(to, from_account, m);
}

static void section(const char *title) {
    flush_policy();
    printf("\n=== %s ===\n", title);
}
#endif
