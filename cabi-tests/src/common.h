/* Shared helpers of the behavioural C tests. Each test prints a deterministic trace;
 * the runner builds it once against the real libotr and once against ours and
 * compares the traces (and ours with the committed one in cabi-tests/expected). */
#ifndef CABI_COMMON_H
#define CABI_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <libotr/tlv.h>
#include <libotr/b64.h>
#include <libotr/mem.h>

static void hex(const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* The reference folder, found from the repository root (the runner's cwd). */
static const char *refdir(void) {
    const char *r = getenv("OTR_REFERENCE");
    return r ? r : "../shared/reference";
}

static char *fixture(const char *name) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/%s", refdir(), name);
    return buf[k];
}

static void print_file(const char *path) {
    FILE *f = fopen(path, "rb");
    int c;
    if (!f) { printf("  (cannot open)\n"); return; }
    printf("  | ");
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n') printf("\\n\n  | ");
        else if (c == '\t') printf("\\t");
        else if (c < 0x20 || c >= 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
    printf("<EOF>\n");
    fclose(f);
}

/* Walk the context list: one line per context, then its fingerprints. */
static void walk_contexts(OtrlUserState us) {
    int i = 0;
    for (ConnContext *c = us->context_root; c; c = c->next, i++) {
        int mi = -1, j = 0;
        for (ConnContext *d = us->context_root; d; d = d->next, j++)
            if (d == c->m_context) mi = j;
        printf("  ctx[%d] %s|%s|%s their=%x master=%d msgstate=%d tous_ok=%d fproot_ctx_ok=%d\n", i,
               c->username, c->accountname, c->protocol, c->their_instance, mi, c->msgstate,
               *c->tous == c, c->fingerprint_root.context == c);
        for (Fingerprint *f = c->fingerprint_root.next; f; f = f->next) {
            printf("    fp ");
            hex(f->fingerprint, 20);
            printf(" trust=%s%s%s ctx_ok=%d tous_ok=%d\n", f->trust ? "\"" : "", f->trust ? f->trust : "NULL",
                   f->trust ? "\"" : "", f->context == c, *f->tous == f);
        }
    }
}

static void walk_keys(OtrlUserState us) {
    for (OtrlPrivKey *p = us->privkey_root; p; p = p->next) {
        char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
        unsigned char raw[20];
        otrl_privkey_fingerprint(us, human, p->accountname, p->protocol);
        printf("  key %s|%s type=%d datalen=%zu tous_ok=%d fp=%s\n", p->accountname, p->protocol,
               p->pubkey_type, p->pubkey_datalen, *p->tous == p, human);
        if (otrl_privkey_fingerprint_raw(us, raw, p->accountname, p->protocol) == raw) {
            printf("    raw ");
            hex(raw, 20);
            printf("\n");
        }
    }
}

static void walk_instags(OtrlUserState us) {
    for (OtrlInsTag *t = us->instag_root; t; t = t->next)
        printf("  instag %s|%s %08x tous_ok=%d\n", t->accountname, t->protocol, t->instag, *t->tous == t);
}

/* A fresh temporary directory. */
static char *tmpdir(void) {
    static char d[64];
    strcpy(d, "/tmp/otr-cabi-XXXXXX");
    if (!mkdtemp(d)) { perror("mkdtemp"); exit(2); }
    return d;
}

static void write_text(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(text, 1, len, f);
    fclose(f);
}
#endif
