/* One side of an OTR AKE driven through libotr's otrl_auth_* API, talking over
 * stdin/stdout one message per line. Linked to the real libotr it is the reference
 * peer for our AKE (examples/ake_peer.rs); linked to ours it exercises our exports.
 *   ake_peer KEYFILE ACCOUNT PROTOCOL VERSION initiate|respond
 * Prints "ME <our fingerprint hex>" to stderr at the start, and on success
 * "SECURE <ssid hex> <bold half> <their fingerprint hex> keyids <ours> <theirs>".
 * The same source builds against the real libotr and against ours
 * (cabi-tests/peers/run_ake_interop.sh does both). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libotr/proto.h>
#include <libotr/auth.h>
#include <libotr/context.h>
#include <libotr/privkey.h>
#include <libotr/userstate.h>

static int done;

static gcry_error_t succeeded(const OtrlAuthInfo *auth, void *asdata) {
    (void)asdata;
    fprintf(stderr, "SECURE ");
    for (size_t i = 0; i < auth->secure_session_id_len; i++) fprintf(stderr, "%02x", auth->secure_session_id[i]);
    fprintf(stderr, " %d ", auth->session_id_half);
    for (int i = 0; i < 20; i++) fprintf(stderr, "%02x", auth->their_fingerprint[i]);
    fprintf(stderr, " keyids %u %u\n", auth->our_keyid, auth->their_keyid);
    done = 1;
    return 0;
}

static void say(const OtrlAuthInfo *a) {
    if (a->lastauthmsg) { printf("%s\n", a->lastauthmsg); fflush(stdout); }
}

int main(int argc, char **argv) {
    if (argc < 6) return 2;
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    if (otrl_privkey_read(us, argv[1])) return 3;
    OtrlPrivKey *key = otrl_privkey_find(us, argv[2], argv[3]);
    if (!key) return 4;
    unsigned char fp[20];
    if (!otrl_privkey_fingerprint_raw(us, fp, argv[2], argv[3])) return 4;
    fprintf(stderr, "ME ");
    for (int i = 0; i < 20; i++) fprintf(stderr, "%02x", fp[i]);
    fprintf(stderr, "\n");
    int version = atoi(argv[4]);
    ConnContext *c = otrl_context_find(us, "peer", argv[2], argv[3], OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
    c->our_instance = strcmp(argv[5], "initiate") ? 0x2222 : 0x1111;
    c->their_instance = strcmp(argv[5], "initiate") ? 0x1111 : 0x2222;
    if (!strcmp(argv[5], "initiate")) {
        if (otrl_auth_start_v23(&c->auth, version)) return 5;
        say(&c->auth);
    }
    char line[8192];
    while (!done && fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        int have = 0;
        gcry_error_t e = 0;
        switch (otrl_proto_message_type(line)) {
        case OTRL_MSGTYPE_DH_COMMIT: e = otrl_auth_handle_commit(&c->auth, line, version); have = 1; break;
        case OTRL_MSGTYPE_DH_KEY: e = otrl_auth_handle_key(&c->auth, line, &have, key); break;
        case OTRL_MSGTYPE_REVEALSIG: e = otrl_auth_handle_revealsig(&c->auth, line, &have, key, succeeded, NULL); break;
        case OTRL_MSGTYPE_SIGNATURE: e = otrl_auth_handle_signature(&c->auth, line, &have, succeeded, NULL); break;
        default: fprintf(stderr, "unexpected: %s\n", line); return 6;
        }
        if (e) { fprintf(stderr, "auth error %08x\n", e); return 7; }
        if (have) say(&c->auth);
    }
    otrl_userstate_free(us);
    return done ? 0 : 8;
}
