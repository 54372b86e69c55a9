/* Private keys: reading the fixture key files, lookups, signatures, error values,
 * the pending-generation bookkeeping. */
#include "common.h"
#include <libgen.h>
static char *dirname_of(char *p) { static char b[256]; snprintf(b, sizeof b, "%s", p); return dirname(b); }

static void read_case(const char *name, const char *content, size_t len) {
    char path[256];
    snprintf(path, sizeof path, "%s/k", tmpdir());
    write_text(path, content, len);
    OtrlUserState us = otrl_userstate_create();
    errno = EACCES; /* an empty file reports whatever errno held */
    gcry_error_t e = otrl_privkey_read(us, path);
    printf("read %-14s -> %08x", name, e);
    if (!e) {
        int k = 0;
        for (OtrlPrivKey *p = us->privkey_root; p; p = p->next) k++;
        printf(" keys=%d", k);
    }
    printf("\n");
    otrl_userstate_free(us);
    unlink(path);
    rmdir(dirname_of(path));
}

/* The fixture key file with one NUL byte put in before the n-th occurrence of `at`
 * (plus `skip` bytes), or at the end if `at` is NULL. */
static void nul_fixture_case(const char *name, const char *at, int nth, size_t skip) {
    static char buf[8192], out[8192];
    FILE *f = fopen(fixture("otr.private_key"), "rb");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    size_t off = n;
    if (at) {
        const char *p = buf - 1;
        for (int i = 0; i < nth; i++) p = strstr(p + 1, at);
        off = (size_t)(p - buf) + skip;
    }
    memcpy(out, buf, off);
    out[off] = 0;
    memcpy(out + off + 1, buf + off, n - off);
    char path[256];
    snprintf(path, sizeof path, "%s/k", tmpdir());
    write_text(path, out, n + 1);
    OtrlUserState us = otrl_userstate_create();
    gcry_error_t e = otrl_privkey_read(us, path);
    printf("read %-14s -> %08x\n", name, e);
    /* On an error libotr keeps the accounts read before the bad one; ours keeps the
     * keys held before the call (README), so only a successful read is walked. */
    if (!e) walk_keys(us);
    otrl_userstate_free(us);
    unlink(path);
    rmdir(dirname_of(path));
}

int main(void) {
    OTRL_INIT;
    const char *files[] = {"otr.private_key", "otr.private_key.canonical", "otr.private_key.oddnames", NULL};
    for (int i = 0; files[i]; i++) {
        OtrlUserState us = otrl_userstate_create();
        gcry_error_t e = otrl_privkey_read(us, fixture(files[i]));
        printf("%s: err=%08x\n", files[i], e);
        walk_keys(us);
        otrl_userstate_free(us);
    }

    OtrlUserState us = otrl_userstate_create();
    FILE *f = fopen(fixture("otr.private_key"), "rb");
    printf("read_FILEp=%08x\n", otrl_privkey_read_FILEp(us, f));
    fclose(f);
    walk_keys(us);
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    printf("fingerprint(missing)=%p\n", (void *)otrl_privkey_fingerprint(us, human, "nobody", "irc"));
    printf("find(missing)=%p find(NULL)=%p\n", (void *)otrl_privkey_find(us, "nobody", "irc"), (void *)otrl_privkey_find(us, NULL, "irc"));
    OtrlPrivKey *alice = otrl_privkey_find(us, "alice@example.org", "prpl-jabber");
    OtrlPrivKey *bob = otrl_privkey_find(us, "bob", "irc");
    printf("find alice=%d bob=%d\n", alice != NULL, bob != NULL);

    /* Signatures made here verify here; lengths and types are checked. */
    unsigned char data[64], *sig;
    size_t siglen;
    for (int i = 0; i < 64; i++) data[i] = i;
    size_t lens[] = {32, 20, 0, 1, 64};
    for (int i = 0; i < 5; i++) {
        gcry_error_t e = otrl_privkey_sign(&sig, &siglen, alice, data, lens[i]);
        printf("sign len=%zu err=%08x siglen=%zu verify=%08x", lens[i], e, siglen,
               otrl_privkey_verify(sig, siglen, OTRL_PUBKEY_TYPE_DSA, alice->privkey, data, lens[i]));
        printf(" other_key=%08x", otrl_privkey_verify(sig, siglen, OTRL_PUBKEY_TYPE_DSA, bob->privkey, data, lens[i]));
        sig[3] ^= 0x40;
        printf(" tampered=%08x", otrl_privkey_verify(sig, siglen, OTRL_PUBKEY_TYPE_DSA, alice->privkey, data, lens[i]));
        printf(" short=%08x type1=%08x\n", otrl_privkey_verify(sig, siglen - 1, OTRL_PUBKEY_TYPE_DSA, alice->privkey, data, lens[i]),
               otrl_privkey_verify(sig, siglen, 1, alice->privkey, data, lens[i]));
        free(sig);
    }
    /* A signature by the real libotr over 00..1f with alice's key. */
    FILE *sv = fopen("src/crypto/testdata/libotr_sig_alice.hex", "r");
    if (sv) {
        char h[100];
        unsigned char s2[40];
        if (fgets(h, sizeof h, sv)) {
            for (int i = 0; i < 40; i++) sscanf(h + 2 * i, "%2hhx", &s2[i]);
            printf("libotr signature verifies=%08x\n", otrl_privkey_verify(s2, 40, 0, alice->privkey, data, 32));
        }
        fclose(sv);
    }

    otrl_privkey_forget(bob);
    printf("after forget bob:\n");
    walk_keys(us);
    otrl_privkey_forget_all(us);
    printf("after forget_all: root=%p\n", (void *)us->privkey_root);

    /* Pending generations. */
    void *nk = NULL, *nk2 = (void *)1;
    printf("start=%08x ", otrl_privkey_generate_start(us, "a", "p", &nk));
    printf("again=%08x newkey_null=%d ", otrl_privkey_generate_start(us, "a", "p", &nk2), nk2 == NULL);
    printf("pending=%s|%s\n", us->pending_root->accountname, us->pending_root->protocol);
    otrl_privkey_generate_cancelled(us, nk);
    printf("cancelled: pending=%p\n", (void *)us->pending_root);
    otrl_privkey_generate_start(us, "b", "p", &nk);
    otrl_privkey_pending_forget_all(us);
    printf("pending_forget_all: pending=%p\n", (void *)us->pending_root);
    otrl_privkey_generate_cancelled(us, nk);
    otrl_userstate_free(us);

    /* Error values (golden.tsv). */
    us = otrl_userstate_create();
    printf("read missing=%08x\n", otrl_privkey_read(us, "/nonexistent/otr.private_key"));
    printf("read dir=%08x\n", otrl_privkey_read(us, "/tmp"));
    printf("read NULL FILEp=%08x\n", otrl_privkey_read_FILEp(us, NULL));
    printf("generate unwritable=%08x pending=%p\n", otrl_privkey_generate(us, "/nonexistent/dir/k", "a", "p"), (void *)us->pending_root);
    otrl_userstate_free(us);
    read_case("empty", "", 0);
    read_case("garbage", "hello world", 11);
    read_case("unbalanced", "(privkeys (account (name a)", 27);
    read_case("wrong-top", "(foo)", 5);
    read_case("no-accounts", "(privkeys)", 10);
    read_case("no-privkey", "(privkeys (account (name a) (protocol p)))", 42);
    read_case("canon-empty", "(8:privkeys)", 12);
    read_case("odd-hex", "(privkeys (account (name a) (protocol p) (private-key (dsa (p #123#)))))", 71);
    read_case("too-long", "(100:privkeys)", 14);
    read_case("bad-char", "(privkeys &)", 12);
    read_case("p-missing", "(privkeys (account (name a) (protocol p) (private-key (dsa (q #01#) (g #01#) (y #01#)))))", 87);
    /* Embedded NUL bytes: a token character to libgcrypt, bad inside #hex# or |b64|. */
    read_case("nul-first", "\0(privkeys)", 11);
    read_case("nul-after-tok", "(privkeys\0)", 11);
    read_case("nul-in-tok", "(priv\0keys)", 11);
    read_case("nul-element", "(privkeys \0)", 12);
    read_case("nul-after-list", "(privkeys)\0", 11);
    read_case("nul-only", "\0", 1);
    read_case("nul-quoted", "(privkeys (account (name \"a\0b\") (protocol p)))", 46);
    read_case("nul-hex", "(privkeys #00\0#)", 16);
    read_case("nul-b64", "(privkeys |AA\0|)", 16);
    read_case("nul-canonical", "(8:privkeys3:a\0b)", 17);
    nul_fixture_case("nul-at-end", NULL, 0, 0);
    nul_fixture_case("nul-name-2", "(name ", 2, 6);
    nul_fixture_case("nul-account-2", "(account", 2, 0);
    return 0;
}
