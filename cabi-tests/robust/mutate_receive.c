/* Robustness: a live alice/bob conversation (in one process) whose every message is
 * also delivered in mutated form — bytes flipped, base64 characters changed, cut
 * short, duplicated, fragment headers mangled — before the real one. The library
 * must never crash, hang or leak (run under ASan/valgrind by cabi-tests/run.sh), and
 * the real messages must still get through: a mutated message may be refused, but it
 * must not break the session for the genuine ones that follow. (A mutant that changes
 * only the unauthenticated old-MAC-keys field is a genuine message: then the real one
 * is a replay. And by the spec's reassembly rules a mutated fragment can cost the
 * whole fragmented message, so only unfragmented messages count as "lost".)
 *
 * Deterministic (fixed seed). Prints a summary; exits non-zero on a broken session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/userstate.h>
#include <libotr/instag.h>

typedef struct { const char *name, *peer; OtrlUserState us; char *q[4096]; int qn; } U;
static U P[2];
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (unsigned)(rng >> 11); }
static int delivered, mutated, mms;
/* MANUAL: no whitespace tags and no AKE restarted by error messages, so mutants cannot
 * start a storm of key exchanges (t_malformed covers those message kinds). */
static OtrlPolicy pol(void *o, ConnContext *c) { (void)o; (void)c; return OTRL_POLICY_MANUAL; }
static void inj(void *o, const char *a, const char *p, const char *r, const char *m) {
    (void)o; (void)a; (void)p;
    U *d = strcmp(r, "alice") == 0 ? &P[0] : &P[1];
    if (d->qn < 4096) d->q[d->qn++] = strdup(m);
}
static int maxsz(void *o, ConnContext *c) { (void)o; (void)c; return mms; }
static OtrlMessageAppOps ops = { .policy = pol, .inject_message = inj, .max_message_size = maxsz };
static int budget = 20000; /* receive calls, to bound the run whatever happens */

static char *mutate(const char *m) {
    size_t n = strlen(m);
    char *x = malloc(2 * n + 64);
    strcpy(x, m);
    switch (rnd() % 7) {
    case 0: if (n) x[rnd() % n] ^= 1 << (rnd() % 7); break;                   /* flip a bit */
    case 1: if (n) x[rnd() % n] = "A/+=.,|?:0"[rnd() % 10]; break;             /* odd char */
    case 2: x[rnd() % (n + 1)] = 0; break;                                     /* truncate */
    case 3: strcpy(x + n, m + (n ? rnd() % n : 0)); break;                      /* trailing junk */
    case 4: { char *c = strchr(x, ','); if (c) *c = '|'; } break;              /* header */
    case 5: { char *c = strstr(x, ",0000"); if (c) c[1] = '9'; } break;        /* k/n */
    case 6: for (int i = 0; i < 4 && n; i++) x[rnd() % n] = 'A'; break;
    }
    if (!x[0] && n) { x[0] = '?'; x[1] = 0; }
    return x;
}

static void pump(void) {
    for (int round = 0; round < 1000; round++) {
        int any = 0;
        for (int i = 0; i < 2; i++) while (P[i].qn) {
            char *m = P[i].q[0];
            memmove(P[i].q, P[i].q + 1, --P[i].qn * sizeof(char *));
            any = 1;
            /* Data messages and fragments get two mutants each, then the real one. */
            int mutable = strncmp(m, "?OTR:AAMD", 9) == 0 || strncmp(m, "?OTR|", 5) == 0;
            for (int k = 0; mutable && k < 2 && budget-- > 0; k++) {
                char *bad = mutate(m), *nm = NULL; OtrlTLV *t = NULL;
                otrl_message_receiving(P[i].us, &ops, NULL, P[i].name, "p", P[i].peer, bad, &nm, &t, NULL, NULL, NULL);
                if (nm && strncmp(nm, "msg ", 4) == 0) delivered++;
                otrl_message_free(nm); otrl_tlv_free(t); free(bad); mutated++;
            }
            char *nm = NULL; OtrlTLV *t = NULL;
            otrl_message_receiving(P[i].us, &ops, NULL, P[i].name, "p", P[i].peer, m, &nm, &t, NULL, NULL, NULL);
            if (nm && strncmp(nm, "msg ", 4) == 0) delivered++;
            otrl_message_free(nm); otrl_tlv_free(t); free(m);
        }
        if (!any) return;
    }
}

static void say(int i, const char *text) {
    char *out = NULL;
    otrl_message_sending(P[i].us, &ops, NULL, P[i].name, "p", P[i].peer, OTRL_INSTAG_BEST, text, NULL, &out, OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    otrl_message_free(out);
    pump();
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/otr-mutate-XXXXXX", f[128];
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    OTRL_INIT;
    if (!mkdtemp(dir)) return 2;
    P[0].name = "alice"; P[0].peer = "bob"; P[1].name = "bob"; P[1].peer = "alice";
    for (int i = 0; i < 2; i++) {
        P[i].us = otrl_userstate_create();
        snprintf(f, sizeof f, "%s/%s.key", dir, P[i].name);
        otrl_privkey_generate(P[i].us, f, P[i].name, "p");
        unlink(f);
        /* v3 needs an instance tag before contexts are made (as with libotr). */
        snprintf(f, sizeof f, "%s/%s.tags", dir, P[i].name);
        otrl_instag_generate(P[i].us, f, P[i].name, "p");
        unlink(f);
    }
    int sent = 0, failures = 0;
    for (int r = 0; r < rounds; r++) {
        ConnContext *c = otrl_context_find(P[0].us, "bob", "alice", "p", OTRL_INSTAG_BEST, 0, NULL, NULL, NULL);
        ConnContext *d = otrl_context_find(P[1].us, "alice", "bob", "p", OTRL_INSTAG_BEST, 0, NULL, NULL, NULL);
        if (!c || c->msgstate != OTRL_MSGSTATE_ENCRYPTED || !d || d->msgstate != OTRL_MSGSTATE_ENCRYPTED) {
            say(r & 1, "?OTRv23?");
            continue;
        }
        mms = (r % 3 == 0) ? 200 : 0;
        char text[64];
        snprintf(text, sizeof text, "msg %d", r);
        int before = delivered;
        say(r & 1, text);
        sent++;
        if (delivered != before + 1 && mms == 0) failures++;
        if (delivered > before + 1) failures++; /* never twice */
    }
    printf("rounds %d, messages %d, delivered %d, mutants %d, lost %d\n", rounds, sent, delivered, mutated, failures);
    for (int i = 0; i < 2; i++) otrl_userstate_free(P[i].us);
    rmdir(dir);
    return sent > rounds / 2 && failures == 0 ? 0 : 1;
}
