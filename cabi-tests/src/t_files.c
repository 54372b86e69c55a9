/* The fingerprint store and the instance-tag file: reading the fixtures, odd lines,
 * writing them back byte for byte. */
#include "common.h"

static void fp_case(const char *name, const char *content) {
    char path[256];
    char *d = tmpdir();
    snprintf(path, sizeof path, "%s/fp", d);
    write_text(path, content, strlen(content));
    OtrlUserState us = otrl_userstate_create();
    printf("fp %-10s err=%08x\n", name, otrl_privkey_read_fingerprints(us, path, NULL, NULL));
    walk_contexts(us);
    otrl_privkey_write_fingerprints(us, path);
    print_file(path);
    otrl_userstate_free(us);
    unlink(path);
    rmdir(d);
}

static void tag_case(const char *name, const char *content) {
    char path[256];
    char *d = tmpdir();
    snprintf(path, sizeof path, "%s/it", d);
    write_text(path, content, strlen(content));
    OtrlUserState us = otrl_userstate_create();
    printf("instag %-10s err=%08x\n", name, otrl_instag_read(us, path));
    walk_instags(us);
    otrl_instag_write(us, path);
    print_file(path);
    otrl_userstate_free(us);
    unlink(path);
    rmdir(d);
}

/* A directory opens (fopen "rb" succeeds) but every read fails with EISDIR: libotr's
 * line readers take that as the end of the file, return 0 and keep what was loaded. */
static void dir_cases(void) {
    char *d = tmpdir();
    OtrlUserState us = otrl_userstate_create();
    otrl_privkey_read_fingerprints(us, fixture("otr.fingerprints"), NULL, NULL);
    otrl_instag_read(us, fixture("otr.instance_tags"));
    printf("read_fingerprints(dir)=%08x\n", otrl_privkey_read_fingerprints(us, d, NULL, NULL));
    printf("instag_read(dir)=%08x\n", otrl_instag_read(us, d));
    FILE *f = fopen(d, "rb");
    printf("fopen(dir) ok=%d\n", f != NULL);
    if (f) {
        printf("read_fingerprints_FILEp(dir)=%08x\n", otrl_privkey_read_fingerprints_FILEp(us, f, NULL, NULL));
        rewind(f);
        printf("instag_read_FILEp(dir)=%08x\n", otrl_instag_read_FILEp(us, f));
        fclose(f);
    }
    walk_contexts(us);
    walk_instags(us);
    otrl_userstate_free(us);
    rmdir(d);
}

static int napp;
static void add_app(void *data, ConnContext *c) { (void)data; (void)c; napp++; }

int main(void) {
    OTRL_INIT;
    char *d = tmpdir();
    char out[256];
    snprintf(out, sizeof out, "%s/out", d);

    OtrlUserState us = otrl_userstate_create();
    printf("read fixture fingerprints=%08x\n", otrl_privkey_read_fingerprints(us, fixture("otr.fingerprints"), add_app, NULL));
    printf("add_app_data calls=%d\n", napp);
    walk_contexts(us);
    printf("write=%08x\n", otrl_privkey_write_fingerprints(us, out));
    print_file(out);
    FILE *f = fopen(out, "rb");
    printf("read again (FILEp)=%08x\n", otrl_privkey_read_fingerprints_FILEp(us, f, NULL, NULL));
    fclose(f);
    walk_contexts(us);
    f = fopen(out, "wb");
    printf("write FILEp=%08x\n", otrl_privkey_write_fingerprints_FILEp(us, f));
    fclose(f);
    print_file(out);
    printf("read missing=%08x\n", otrl_privkey_read_fingerprints(us, "/nonexistent/fp", NULL, NULL));
    printf("write unwritable=%08x\n", otrl_privkey_write_fingerprints(us, "/nonexistent/dir/fp"));
    otrl_userstate_free(us);

    fp_case("trust", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\tverified\n");
    fp_case("notrust", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\n");
    fp_case("crlf", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\tsmp\r\n");
    fp_case("nonl", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\tverified");
    fp_case("upper", "u\ta\tp\tABCDEF0102030405060708090A0B0C0D0E0F1011\t\n");
    fp_case("nonhex", "u\ta\tp\tzz0102030405060708090a0b0c0d0e0f10111213\t\n");
    fp_case("short", "u\ta\tp\t000102030405060708090a0b0c0d0e0f1011121\t\n");
    fp_case("3fields", "u\ta\tp\n# comment\n\n");
    fp_case("twice", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\tone\nu\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\ttwo\n");
    fp_case("tabtrust", "u\ta\tp\t000102030405060708090a0b0c0d0e0f10111213\tx\ty\n");
    fp_case("sorting", "zed\ta\tp\t1111111111111111111111111111111111111111\t\nam\tz\tp\t2222222222222222222222222222222222222222\t\nam\ta\tq\t3333333333333333333333333333333333333333\t\nam\ta\tp\t4444444444444444444444444444444444444444\t\n");

    us = otrl_userstate_create();
    printf("instag fixture=%08x\n", otrl_instag_read(us, fixture("otr.instance_tags")));
    walk_instags(us);
    OtrlInsTag *t = otrl_instag_find(us, "bob", "irc");
    printf("find bob/irc=%08x missing=%p\n", t ? t->instag : 0, (void *)otrl_instag_find(us, "x", "y"));
    printf("write=%08x\n", otrl_instag_write(us, out));
    print_file(out);
    printf("generate=%08x\n", otrl_instag_generate(us, out, "new", "proto"));
    t = otrl_instag_find(us, "new", "proto");
    printf("new tag valid=%d at head=%d\n", t && t->instag >= OTRL_MIN_VALID_INSTAG, us->instag_root == t);
    printf("generate unwritable=%08x\n", otrl_instag_generate(us, "/nonexistent/dir/it", "other", "proto"));
    printf("other tag present=%d\n", otrl_instag_find(us, "other", "proto") != NULL);
    otrl_instag_forget(t);
    walk_instags(us);
    otrl_instag_forget_all(us);
    printf("forget_all root=%p\n", (void *)us->instag_root);
    printf("read missing=%08x\n", otrl_instag_read(us, "/nonexistent/it"));
    for (int i = 0; i < 50; i++) {
        otrl_instag_t v = otrl_instag_get_new();
        if (v < OTRL_MIN_VALID_INSTAG) printf("get_new gave %x\n", v);
    }
    otrl_userstate_free(us);

    tag_case("normal", "acct\tproto\t0000abcd\n");
    tag_case("upper", "acct\tproto\t0000ABCD\n");
    tag_case("small", "acct\tproto\t000000ff\n");
    tag_case("7digits", "acct\tproto\t000abcd\n");
    tag_case("nonl", "acct\tproto\t0000abcd");
    tag_case("junk", "acct\tproto\tzzzzzzzz\nacct\tproto\t0x000101\n");
    tag_case("two", "a1\tp\t00000101\na2\tp\t00000102\n");
    dir_cases();
    unlink(out);
    rmdir(d);
    return 0;
}
