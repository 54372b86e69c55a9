/* make demo: two OTR users in one process, talking through this library's C API
 * exactly as an IM plugin would (pidgin-otr, irssi-otr): each has a key file, an
 * instance-tag file and a fingerprint file; what one side injects is delivered to
 * the other's otrl_message_receiving. The transcript shows what travels over the
 * "network" and what each user sees.
 *
 * Steps: keys and instance tags; Alice asks for OTR (query message); the AKE runs;
 * both go private; they chat (UTF-8, a long message fragmented at 400 bytes); they
 * verify each other with the Socialist Millionaires' Protocol (a question and its
 * answer, then a shared secret, then a wrong guess); they agree on an extra symmetric
 * key; Bob ends the conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <libotr/context.h>

#define PROTO "prpl-jabber"

typedef struct {
    const char *name, *peer;
    OtrlUserState us;
    char keyf[96], tagf[96], fpf[96];
    char *queue[512];
    int qn;
} User;

static User U[2];
static int mms_on;

static User *by_name(const char *n) { return strcmp(n, U[0].name) == 0 ? &U[0] : &U[1]; }

static void wire(const char *from, const char *to, const char *m) {
    size_t n = strlen(m);
    if (n > 60) printf("   %-5s -> %-5s  %.52s... (%zu bytes)\n", from, to, m, n);
    else printf("   %-5s -> %-5s  %s\n", from, to, m);
}

/* Callbacks: what a plugin implements. */
static OtrlPolicy cb_policy(void *o, ConnContext *c) { (void)o; (void)c; return OTRL_POLICY_DEFAULT; }
static void cb_inject(void *o, const char *acct, const char *proto, const char *to, const char *m) {
    (void)o; (void)proto;
    User *dst = by_name(to);
    if (!*m) return; /* an IM client sends nothing for an empty message */
    wire(acct, to, m);
    if (dst->qn < 512) dst->queue[dst->qn++] = strdup(m);
}
static void cb_create_privkey(void *o, const char *acct, const char *proto) {
    (void)o;
    User *u = by_name(acct);
    printf("   [%s] creating a private key...\n", acct);
    otrl_privkey_generate(u->us, u->keyf, acct, proto);
}
static void cb_create_instag(void *o, const char *acct, const char *proto) {
    (void)o;
    User *u = by_name(acct);
    otrl_instag_generate(u->us, u->tagf, acct, proto);
}
static int cb_is_logged_in(void *o, const char *a, const char *p, const char *r) { (void)o; (void)a; (void)p; (void)r; return 1; }
static void cb_new_fingerprint(void *o, OtrlUserState us, const char *acct, const char *proto, const char *who, unsigned char fp[20]) {
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    (void)o; (void)us; (void)proto;
    otrl_privkey_hash_to_human(human, fp);
    printf("   [%s] new fingerprint for %s: %s\n", acct, who, human);
}
static void cb_write_fingerprints(void *o) {
    (void)o;
    for (int i = 0; i < 2; i++) otrl_privkey_write_fingerprints(U[i].us, U[i].fpf);
}
static void cb_gone_secure(void *o, ConnContext *c) {
    (void)o;
    char ssid[64] = "";
    for (size_t i = 0; i < c->sessionid_len; i++) sprintf(ssid + 2 * i, "%02x", c->sessionid[i]);
    printf("   [%s] PRIVATE conversation with %s (OTR v%u, session id %s, %s half bold)\n",
        c->accountname, c->username, c->protocol_version, ssid,
        c->sessionid_half == OTRL_SESSIONID_FIRST_HALF_BOLD ? "first" : "second");
}
static void cb_gone_insecure(void *o, ConnContext *c) { (void)o; printf("   [%s] gone insecure\n", c->accountname); }
static void cb_still_secure(void *o, ConnContext *c, int r) { (void)o; (void)r; printf("   [%s] still private\n", c->accountname); }
static int cb_mms(void *o, ConnContext *c) { (void)o; (void)c; return mms_on ? 400 : 0; }
static const char *cb_err(void *o, ConnContext *c, OtrlErrorCode code) { (void)o; (void)c; (void)code; return "(error)"; }
static void cb_symkey(void *o, ConnContext *c, unsigned int use, const unsigned char *ud, size_t udlen, const unsigned char *key) {
    (void)o;
    printf("   [%s] peer will use our extra key for purpose %u (%.*s): key %02x%02x%02x%02x...\n",
        c->accountname, use, (int)udlen, (const char *)ud, key[0], key[1], key[2], key[3]);
}
static const char *smp_names[] = { "NONE", "ERROR", "ABORT", "CHEATED", "ASK_FOR_ANSWER",
    "ASK_FOR_SECRET", "IN_PROGRESS", "SUCCESS", "FAILURE" };
static char pending_question[256];
static int smp_asked;
static void cb_smp(void *o, OtrlSMPEvent ev, ConnContext *c, unsigned short progress, char *question) {
    (void)o;
    printf("   [%s] SMP %s (%u%%)%s%s%s\n", c->accountname, smp_names[ev], progress,
        question ? ": \"" : "", question ? question : "", question ? "\"" : "");
    if (ev == OTRL_SMPEVENT_ASK_FOR_ANSWER || ev == OTRL_SMPEVENT_ASK_FOR_SECRET) {
        snprintf(pending_question, sizeof pending_question, "%s", question ? question : "");
        smp_asked = 1;
    }
    if (ev == OTRL_SMPEVENT_SUCCESS || ev == OTRL_SMPEVENT_FAILURE)
        printf("   [%s] %s's fingerprint is now %s\n", c->accountname, c->username,
            c->active_fingerprint && otrl_context_is_fingerprint_trusted(c->active_fingerprint)
                ? "trusted (\"smp\")" : "not trusted");
}
static void cb_event(void *o, OtrlMessageEvent ev, ConnContext *c, const char *m, gcry_error_t e) {
    (void)o; (void)e;
    /* SMP, extra-key and disconnect messages carry no text: libotr reports them as
     * heartbeats. A plugin logs these quietly; so does the demo. */
    if (ev == OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD || ev == OTRL_MSGEVENT_LOG_HEARTBEAT_SENT) return;
    const char *what = ev == OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD ? "heartbeat received"
        : ev == OTRL_MSGEVENT_CONNECTION_ENDED ? "peer has ended the conversation; message not sent"
        : ev == OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED ? "received an unencrypted message" : "event";
    printf("   [%s] %s (%d)%s%s\n", c ? c->accountname : "?", what, (int)ev, m ? ": " : "", m ? m : "");
}

static OtrlMessageAppOps ops = {
    .policy = cb_policy, .create_privkey = cb_create_privkey, .is_logged_in = cb_is_logged_in,
    .inject_message = cb_inject, .new_fingerprint = cb_new_fingerprint,
    .write_fingerprints = cb_write_fingerprints, .gone_secure = cb_gone_secure,
    .gone_insecure = cb_gone_insecure, .still_secure = cb_still_secure,
    .max_message_size = cb_mms, .otr_error_message = cb_err, .received_symkey = cb_symkey,
    .handle_msg_event = cb_event, .create_instag = cb_create_instag, .handle_smp_event = cb_smp,
};

/* Deliver everything in flight until both queues are empty. */
static void network(void) {
    for (int busy = 1; busy;) {
        busy = 0;
        for (int i = 0; i < 2; i++) {
            User *u = &U[i];
            while (u->qn) {
                char *m = u->queue[0], *shown = NULL;
                OtrlTLV *tlvs = NULL;
                memmove(u->queue, u->queue + 1, --u->qn * sizeof *u->queue);
                busy = 1;
                int internal = otrl_message_receiving(u->us, &ops, NULL, u->name, PROTO, u->peer, m,
                    &shown, &tlvs, NULL, NULL, NULL);
                if (!internal) printf("   [%s] sees: %s\n", u->name, shown ? shown : m);
                otrl_tlv_free(tlvs);
                otrl_message_free(shown);
                free(m);
            }
        }
    }
}

static void say(User *u, const char *text) {
    char *out = NULL;
    gcry_error_t e = otrl_message_sending(u->us, &ops, NULL, u->name, PROTO, u->peer, OTRL_INSTAG_BEST,
        text, NULL, &out, OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    if (e) printf("   [%s] sending failed: %08x\n", u->name, e);
    otrl_message_free(out);
    network();
}

static ConnContext *ctx_of(User *u) {
    return otrl_context_find(u->us, u->peer, u->name, PROTO, OTRL_INSTAG_BEST, 0, NULL, NULL, NULL);
}

static void step(const char *what) { printf("\n== %s\n", what); }

int main(void) {
    char dir[] = "/tmp/otr-demo-XXXXXX";
    OTRL_INIT;
    printf("libotr %s (Rust re-implementation)\n", otrl_version());
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    U[0].name = "alice"; U[0].peer = "bob";
    U[1].name = "bob"; U[1].peer = "alice";
    for (int i = 0; i < 2; i++) {
        snprintf(U[i].keyf, sizeof U[i].keyf, "%s/%s.private_key", dir, U[i].name);
        snprintf(U[i].tagf, sizeof U[i].tagf, "%s/%s.instance_tags", dir, U[i].name);
        snprintf(U[i].fpf, sizeof U[i].fpf, "%s/%s.fingerprints", dir, U[i].name);
        U[i].us = otrl_userstate_create();
    }

    step("Alice asks Bob for an OTR conversation (keys are made on demand)");
    say(&U[0], "?OTR?");

    step("They chat");
    say(&U[0], "Hi Bob, is this private?");
    say(&U[1], "Yes. Ça marche — ünïcödé too.");
    say(&U[0], "Great.");

    step("A long message is split into fragments of at most 400 bytes");
    mms_on = 1;
    {
        char big[2000];
        for (size_t i = 0; i < sizeof big - 1; i++) big[i] = "the quick brown fox "[i % 20];
        big[sizeof big - 1] = 0;
        say(&U[1], big);
    }
    mms_on = 0;

    step("Alice asks Bob a question only he can answer (SMP with a question)");
    otrl_message_initiate_smp_q(U[0].us, &ops, NULL, ctx_of(&U[0]), "Where did we meet?",
        (const unsigned char *)"Berlin", 6);
    network();
    if (smp_asked) {
        printf("   [bob] answers \"Berlin\"\n");
        smp_asked = 0;
        otrl_message_respond_smp(U[1].us, &ops, NULL, ctx_of(&U[1]), (const unsigned char *)"Berlin", 6);
        network();
    }

    step("Bob checks Alice with a secret they share (SMP without a question)");
    otrl_message_initiate_smp(U[1].us, &ops, NULL, ctx_of(&U[1]), (const unsigned char *)"our secret", 10);
    network();
    if (smp_asked) {
        printf("   [alice] enters the same secret\n");
        smp_asked = 0;
        otrl_message_respond_smp(U[0].us, &ops, NULL, ctx_of(&U[0]), (const unsigned char *)"our secret", 10);
        network();
    }

    step("A wrong guess fails on both sides");
    otrl_message_initiate_smp(U[0].us, &ops, NULL, ctx_of(&U[0]), (const unsigned char *)"blue", 4);
    network();
    if (smp_asked) {
        printf("   [bob] enters \"green\"\n");
        smp_asked = 0;
        otrl_message_respond_smp(U[1].us, &ops, NULL, ctx_of(&U[1]), (const unsigned char *)"green", 5);
        network();
    }

    step("Alice and Bob agree on an extra symmetric key (e.g. for a file transfer)");
    {
        unsigned char key[OTRL_EXTRAKEY_BYTES];
        gcry_error_t e = otrl_message_symkey(U[0].us, &ops, NULL, ctx_of(&U[0]), 1,
            (const unsigned char *)"file.txt", 8, key);
        printf("   [alice] extra key %02x%02x%02x%02x... (%s)\n", key[0], key[1], key[2], key[3], e ? "error" : "ok");
        network();
    }

    step("Bob ends the private conversation; Alice's next message is not sent in the clear");
    otrl_message_disconnect(U[1].us, &ops, NULL, "bob", PROTO, "alice", OTRL_INSTAG_BEST);
    network();
    printf("   alice's state: %s\n", ctx_of(&U[0])->msgstate == OTRL_MSGSTATE_FINISHED ? "FINISHED" : "?");
    say(&U[0], "Are you still there?");

    for (int i = 0; i < 2; i++) {
        otrl_userstate_free(U[i].us);
        unlink(U[i].keyf); unlink(U[i].tagf); unlink(U[i].fpf);
    }
    rmdir(dir);
    return 0;
}
