/* protocol-notes §3.4: unbounded fragment reassembly. A peer sends pieces of one
 * 65535-fragment message, 2 KiB each; libotr 4.1.1 keeps them all (about 128 MiB). Ours
 * caps a reassembled message at 4 MiB: when a piece would pass the cap the partial
 * message is dropped and RCVDMSG_MALFORMED is reported. Checks: the buffer never
 * exceeds the cap, the event fires, and a normal message still gets through after.
 * Ours only (the real library has no cap). Exits non-zero on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/context.h>
#include <libotr/userstate.h>

static int malformed;
static OtrlPolicy pol(void *o, ConnContext *c) { (void)o; (void)c; return OTRL_POLICY_MANUAL; }
static void ev(void *o, OtrlMessageEvent e, ConnContext *c, const char *m, gcry_error_t err) {
    (void)o; (void)c; (void)m; (void)err;
    if (e == OTRL_MSGEVENT_RCVDMSG_MALFORMED) malformed++;
}
static OtrlMessageAppOps ops = { .policy = pol, .handle_msg_event = ev };

int main(void) {
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    char *piece = malloc(2049), *msg = malloc(4096);
    memset(piece, 'A', 2048);
    piece[2048] = 0;
    size_t maxlen = 0;
    int k;
    for (k = 1; k <= 3000; k++) {
        char *nm = NULL;
        snprintf(msg, 4096, "?OTR|00000101|00000000,%05d,65535,%s,", k, piece);
        int r = otrl_message_receiving(us, &ops, NULL, "bob", "p", "alice", msg, &nm, NULL, NULL, NULL, NULL);
        otrl_message_free(nm);
        if (r != 1) { printf("fragment %d: returned %d\n", k, r); return 1; }
        ConnContext *c = otrl_context_find(us, "alice", "bob", "p", 0x101, 0, NULL, NULL, NULL);
        if (c && c->context_priv->fragment_len > maxlen) maxlen = c->context_priv->fragment_len;
    }
    char *nm = NULL;
    int r = otrl_message_receiving(us, &ops, NULL, "bob", "p", "alice", "hello", &nm, NULL, NULL, NULL, NULL);
    int ok = malformed >= 1 && maxlen <= (4u << 20) && r == 0 && nm == NULL;
    printf("3000 pieces of 2 KiB: largest partial message %zu bytes, %d malformed event(s), plain message after: %s\n",
        maxlen, malformed, r == 0 ? "delivered" : "lost");
    otrl_message_free(nm);
    free(piece); free(msg);
    otrl_userstate_free(us);
    return ok ? 0 : 1;
}
