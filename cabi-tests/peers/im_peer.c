/* im_peer: an OTR instant-messaging client built on libotr's otrl_message_* API, the
 * way pidgin-otr and irssi-otr use it, driven over stdin/stdout by
 * cabi-tests/interop/run.py. The same source builds against the real libotr 4.1.1
 * and against ours; it includes only <libotr/...> headers and calls no libgcrypt function.
 *
 *   im_peer STATEDIR ACCOUNT BUDDY PROTOCOL
 *
 * STATEDIR holds otr.private_key, otr.instance_tags and (optionally) otr.fingerprints;
 * write_fingerprints rewrites otr.fingerprints there.
 *
 * Input lines (one per line; TEXT is escaped: bytes outside 0x20..0x7e and '\' are
 * written \xHH, '\\' is a backslash):
 *   MSG TEXT            an IM from BUDDY (goes to otrl_message_receiving)
 *   SEND TEXT           the user types TEXT (otrl_message_sending, OTRL_FRAGMENT_SEND_ALL)
 *   QUERY               send "?OTR?" through otrl_message_sending (libotr turns it into
 *                       the default query message)
 *   DISCONNECT          otrl_message_disconnect on the best instance
 *   DISCONNECT-ALL      otrl_message_disconnect_all_instances
 *   POLICY SPEC         SPEC: a number (0x.. ok) or names joined by '|': NEVER MANUAL
 *                       OPPORTUNISTIC ALWAYS DEFAULT V1 V2 V3 REQUIRE WS_TAG WS_START
 *                       ERR_START
 *   MAXSIZE N           max_message_size returns N (0 = no fragmentation)
 *   LOGGEDIN N          is_logged_in returns N
 *   RESENTPREFIX TEXT|- resent_msg_prefix returns a copy of TEXT, or NULL for "-"
 *   SYMKEY USE HEX      otrl_message_symkey(use, usedata=HEX) on the best instance
 *   SMP-INIT SECRET [QUESTION]   SMP-RESPOND SECRET   SMP-ABORT
 *                       (SECRET and QUESTION are escaped TEXT, SECRET without spaces;
 *                       the question ends at a NUL; -DIM_PEER_NO_SMP builds without the
 *                       otrl_message_*_smp calls, for a library that lacks them)
 *   POLL                otrl_message_poll
 *   STATE?              print the state of the best instance
 *   PING TOKEN          print "PONG TOKEN" (a barrier for the driver)
 *   QUIT                free everything and exit 0
 *
 * Output lines:
 *   READY ...                            once, at start
 *   MSG TEXT                             inject_message: an IM to BUDDY
 *   CB <callback> ...                    every callback invocation
 *   TLV type=N len=N data=HEX            TLVs returned by otrl_message_receiving
 *   RECV ret=R otr=O text=TEXT           result of otrl_message_receiving: R its return
 *                                        value, O 1 if *newmessagep was set; TEXT what the
 *                                        user sees (newmessage, or the input when R=0)
 *   SENT err=0xE otr=O                   result of otrl_message_sending
 *   SYMKEY-RESULT err=0xE key=HEX
 *   STATE ...                            see do_state()
 *   PONG TOKEN, ERROR ..., BYE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <stdarg.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <libotr/tlv.h>
#include <libotr/message.h>

static OtrlUserState us;
static const char *account, *buddy, *protocol;
static char keyfile[4096], instagfile[4096], fpfile[4096];
static unsigned int policy = OTRL_POLICY_DEFAULT;
static int maxsize = 0;
static int loggedin = 1;
static char *resent_prefix = NULL;   /* NULL: the callback returns NULL */

/* ---- output helpers ---- */

static char *escbuf;
static size_t escsize;

/* Escaped copy of s (valid until the next call). */
static const char *esc(const char *s) {
    size_t need = strlen(s) * 4 + 1;
    if (need > escsize) { escbuf = realloc(escbuf, need); escsize = need; }
    char *o = escbuf;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\') { *o++ = '\\'; *o++ = '\\'; }
        else if (*p >= 0x20 && *p < 0x7f) *o++ = (char)*p;
        else o += sprintf(o, "\\x%02x", *p);
    }
    *o = 0;
    return escbuf;
}

static void hexprint(const unsigned char *d, size_t n) {
    if (n == 0) { printf("-"); return; }
    for (size_t i = 0; i < n; i++) printf("%02x", d[i]);
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* In-place unescape; returns the new length. */
static size_t unesc(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1] == '\\') { *o++ = '\\'; p++; }
        else if (*p == '\\' && p[1] == 'x' && isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
            char h[3] = { p[2], p[3], 0 };
            *o++ = (char)strtoul(h, NULL, 16);
            p += 3;
        } else if (*p == '\\' && p[1] == 'n') { *o++ = '\n'; p++; }
        else if (*p == '\\' && p[1] == 't') { *o++ = '\t'; p++; }
        else *o++ = *p;
    }
    *o = 0;
    return (size_t)(o - s);
}

static size_t unhex(const char *h, unsigned char *out, size_t max) {
    size_t n = 0;
    if (!strcmp(h, "-")) return 0;
    while (h[0] && h[1] && n < max) {
        char b[3] = { h[0], h[1], 0 };
        out[n++] = (unsigned char)strtoul(b, NULL, 16);
        h += 2;
    }
    return n;
}

static const char *msgevent_name(OtrlMessageEvent e) {
    switch (e) {
    case OTRL_MSGEVENT_NONE: return "NONE";
    case OTRL_MSGEVENT_ENCRYPTION_REQUIRED: return "ENCRYPTION_REQUIRED";
    case OTRL_MSGEVENT_ENCRYPTION_ERROR: return "ENCRYPTION_ERROR";
    case OTRL_MSGEVENT_CONNECTION_ENDED: return "CONNECTION_ENDED";
    case OTRL_MSGEVENT_SETUP_ERROR: return "SETUP_ERROR";
    case OTRL_MSGEVENT_MSG_REFLECTED: return "MSG_REFLECTED";
    case OTRL_MSGEVENT_MSG_RESENT: return "MSG_RESENT";
    case OTRL_MSGEVENT_RCVDMSG_NOT_IN_PRIVATE: return "RCVDMSG_NOT_IN_PRIVATE";
    case OTRL_MSGEVENT_RCVDMSG_UNREADABLE: return "RCVDMSG_UNREADABLE";
    case OTRL_MSGEVENT_RCVDMSG_MALFORMED: return "RCVDMSG_MALFORMED";
    case OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD: return "LOG_HEARTBEAT_RCVD";
    case OTRL_MSGEVENT_LOG_HEARTBEAT_SENT: return "LOG_HEARTBEAT_SENT";
    case OTRL_MSGEVENT_RCVDMSG_GENERAL_ERR: return "RCVDMSG_GENERAL_ERR";
    case OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED: return "RCVDMSG_UNENCRYPTED";
    case OTRL_MSGEVENT_RCVDMSG_UNRECOGNIZED: return "RCVDMSG_UNRECOGNIZED";
    case OTRL_MSGEVENT_RCVDMSG_FOR_OTHER_INSTANCE: return "RCVDMSG_FOR_OTHER_INSTANCE";
    }
    return "UNKNOWN";
}

static const char *smpevent_name(OtrlSMPEvent e) {
    switch (e) {
    case OTRL_SMPEVENT_NONE: return "NONE";
    case OTRL_SMPEVENT_ERROR: return "ERROR";
    case OTRL_SMPEVENT_ABORT: return "ABORT";
    case OTRL_SMPEVENT_CHEATED: return "CHEATED";
    case OTRL_SMPEVENT_ASK_FOR_ANSWER: return "ASK_FOR_ANSWER";
    case OTRL_SMPEVENT_ASK_FOR_SECRET: return "ASK_FOR_SECRET";
    case OTRL_SMPEVENT_IN_PROGRESS: return "IN_PROGRESS";
    case OTRL_SMPEVENT_SUCCESS: return "SUCCESS";
    case OTRL_SMPEVENT_FAILURE: return "FAILURE";
    }
    return "UNKNOWN";
}

static const char *errcode_name(OtrlErrorCode c) {
    switch (c) {
    case OTRL_ERRCODE_NONE: return "NONE";
    case OTRL_ERRCODE_ENCRYPTION_ERROR: return "ENCRYPTION_ERROR";
    case OTRL_ERRCODE_MSG_NOT_IN_PRIVATE: return "MSG_NOT_IN_PRIVATE";
    case OTRL_ERRCODE_MSG_UNREADABLE: return "MSG_UNREADABLE";
    case OTRL_ERRCODE_MSG_MALFORMED: return "MSG_MALFORMED";
    }
    return "UNKNOWN";
}

/* ---- callbacks: each one logs itself ---- */

static OtrlMessageAppOps ops;   /* defined below */

static OtrlPolicy cb_policy(void *opdata, ConnContext *context) {
    (void)opdata; (void)context;
    out("CB policy -> 0x%x", policy);
    return policy;
}

static void cb_create_privkey(void *opdata, const char *accountname, const char *proto) {
    (void)opdata;
    out("CB create_privkey account=%s protocol=%s", accountname, proto);
    /* The committed key file must be found; generating one would hide a bug. */
}

static int cb_is_logged_in(void *opdata, const char *accountname, const char *proto, const char *recipient) {
    (void)opdata; (void)accountname; (void)proto;
    out("CB is_logged_in recipient=%s -> %d", recipient, loggedin);
    return loggedin;
}

static void cb_inject_message(void *opdata, const char *accountname, const char *proto,
                              const char *recipient, const char *message) {
    (void)opdata; (void)accountname; (void)proto;
    if (strcmp(recipient, buddy)) out("ERROR inject_message to unexpected recipient %s", recipient);
    out("MSG %s", esc(message));
}

static void cb_update_context_list(void *opdata) {
    (void)opdata;
    out("CB update_context_list");
}

static void cb_new_fingerprint(void *opdata, OtrlUserState u, const char *accountname, const char *proto,
                               const char *username, unsigned char fingerprint[20]) {
    (void)opdata; (void)accountname; (void)proto;
    if (u != us) out("ERROR new_fingerprint with a foreign userstate");
    printf("CB new_fingerprint user=%s fp=", username);
    hexprint(fingerprint, 20);
    out("%s", "");
}

static void cb_write_fingerprints(void *opdata) {
    (void)opdata;
    unsigned int e = otrl_privkey_write_fingerprints(us, fpfile);
    out("CB write_fingerprints err=0x%08x", e);
}

static void ctx_summary(ConnContext *c) {
    printf("ver=%d their_instance=%08x ssid=", c->protocol_version, c->their_instance);
    hexprint(c->sessionid, c->sessionid_len);
    printf(" fp=");
    if (c->active_fingerprint) hexprint(c->active_fingerprint->fingerprint, 20);
    else printf("-");
}

static void cb_gone_secure(void *opdata, ConnContext *context) {
    (void)opdata;
    printf("CB gone_secure ");
    ctx_summary(context);
    out("%s", "");
}

static void cb_gone_insecure(void *opdata, ConnContext *context) {
    (void)opdata;
    printf("CB gone_insecure ");
    ctx_summary(context);
    out("%s", "");
}

static void cb_still_secure(void *opdata, ConnContext *context, int is_reply) {
    (void)opdata;
    printf("CB still_secure is_reply=%d ", is_reply);
    ctx_summary(context);
    out("%s", "");
}

static int cb_max_message_size(void *opdata, ConnContext *context) {
    (void)opdata; (void)context;
    out("CB max_message_size -> %d", maxsize);
    return maxsize;
}

static const char *cb_account_name(void *opdata, const char *acc, const char *proto) {
    (void)opdata;
    out("CB account_name account=%s protocol=%s", acc, proto);
    return strdup(acc);
}

static void cb_account_name_free(void *opdata, const char *name) {
    (void)opdata;
    out("CB account_name_free");
    free((char *)name);
}

static void cb_received_symkey(void *opdata, ConnContext *context, unsigned int use,
                               const unsigned char *usedata, size_t usedatalen, const unsigned char *symkey) {
    (void)opdata; (void)context;
    printf("CB received_symkey use=%u usedata=", use);
    hexprint(usedata, usedatalen);
    printf(" key=");
    hexprint(symkey, OTRL_EXTRAKEY_BYTES);
    out("%s", "");
}

static const char *cb_otr_error_message(void *opdata, ConnContext *context, OtrlErrorCode code) {
    (void)opdata; (void)context;
    out("CB otr_error_message code=%s", errcode_name(code));
    const char *text;
    switch (code) {
    case OTRL_ERRCODE_ENCRYPTION_ERROR: text = "Error occurred encrypting message."; break;
    case OTRL_ERRCODE_MSG_NOT_IN_PRIVATE: text = "You sent encrypted data to im_peer, who wasn't expecting it."; break;
    case OTRL_ERRCODE_MSG_UNREADABLE: text = "You transmitted an unreadable encrypted message."; break;
    case OTRL_ERRCODE_MSG_MALFORMED: text = "You transmitted a malformed data message."; break;
    default: text = "unknown error"; break;
    }
    return strdup(text);
}

static void cb_otr_error_message_free(void *opdata, const char *msg) {
    (void)opdata;
    out("CB otr_error_message_free");
    free((char *)msg);
}

static const char *cb_resent_msg_prefix(void *opdata, ConnContext *context) {
    (void)opdata; (void)context;
    out("CB resent_msg_prefix -> %s", resent_prefix ? esc(resent_prefix) : "NULL");
    return resent_prefix ? strdup(resent_prefix) : NULL;
}

static void cb_resent_msg_prefix_free(void *opdata, const char *prefix) {
    (void)opdata;
    out("CB resent_msg_prefix_free");
    free((char *)prefix);
}

static void cb_handle_smp_event(void *opdata, OtrlSMPEvent ev, ConnContext *context,
                                unsigned short progress, char *question) {
    (void)opdata; (void)context;
    out("CB handle_smp_event %s progress=%u question=%s", smpevent_name(ev), progress,
        question ? esc(question) : "-");
#ifndef IM_PEER_NO_SMP
    if (ev == OTRL_SMPEVENT_CHEATED || ev == OTRL_SMPEVENT_ERROR)
        otrl_message_abort_smp(us, &ops, NULL, context);
#endif
}

static void cb_handle_msg_event(void *opdata, OtrlMessageEvent ev, ConnContext *context,
                                const char *message, gcry_error_t err) {
    (void)opdata; (void)context;
    out("CB handle_msg_event %s err=0x%08x msg=%s", msgevent_name(ev), (unsigned int)err,
        message ? esc(message) : "-");
}

static void cb_create_instag(void *opdata, const char *accountname, const char *proto) {
    (void)opdata;
    out("CB create_instag account=%s protocol=%s", accountname, proto);
    otrl_instag_generate(us, instagfile, accountname, proto);
}

static void cb_convert_msg(void *opdata, ConnContext *context, OtrlConvertType type, char **dest, const char *src) {
    (void)opdata; (void)context;
    out("CB convert_msg %s len=%zu", type == OTRL_CONVERT_SENDING ? "sending" : "receiving", strlen(src));
    /* An identity conversion into a fresh buffer, so that convert_free is exercised. */
    *dest = strdup(src);
}

static void cb_convert_free(void *opdata, ConnContext *context, char *dest) {
    (void)opdata; (void)context;
    out("CB convert_free");
    free(dest);
}

static void cb_timer_control(void *opdata, unsigned int interval) {
    (void)opdata;
    out("CB timer_control interval=%u", interval);
}

static OtrlMessageAppOps ops = {
    cb_policy, cb_create_privkey, cb_is_logged_in, cb_inject_message, cb_update_context_list,
    cb_new_fingerprint, cb_write_fingerprints, cb_gone_secure, cb_gone_insecure, cb_still_secure,
    cb_max_message_size, cb_account_name, cb_account_name_free, cb_received_symkey,
    cb_otr_error_message, cb_otr_error_message_free, cb_resent_msg_prefix, cb_resent_msg_prefix_free,
    cb_handle_smp_event, cb_handle_msg_event, cb_create_instag, cb_convert_msg, cb_convert_free,
    cb_timer_control,
};

/* ---- commands ---- */

static ConnContext *best(void) {
    return otrl_context_find(us, buddy, account, protocol, OTRL_INSTAG_BEST, 0, NULL, NULL, NULL);
}

static void do_send(const char *text) {
    char *newmsg = NULL;
    ConnContext *ctx = NULL;
    gcry_error_t e = otrl_message_sending(us, &ops, NULL, account, protocol, buddy, OTRL_INSTAG_BEST,
                                          text, NULL, &newmsg, OTRL_FRAGMENT_SEND_ALL, &ctx, NULL, NULL);
    /* With OTRL_FRAGMENT_SEND_ALL libotr has already injected whatever it produced; if it
     * produced nothing (and no error), the application sends the original text. */
    if (!e && !newmsg) out("MSG %s", esc(text));
    out("SENT err=0x%08x otr=%d", (unsigned int)e, newmsg != NULL);
    otrl_message_free(newmsg);
}

static void do_receive(const char *text) {
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    ConnContext *ctx = NULL;
    int ret = otrl_message_receiving(us, &ops, NULL, account, protocol, buddy, text, &newmsg, &tlvs, &ctx,
                                     NULL, NULL);
    for (OtrlTLV *t = tlvs; t; t = t->next) {
        printf("TLV type=%u len=%u data=", t->type, t->len);
        hexprint(t->data, t->len);
        out("%s", "");
    }
    otrl_tlv_free(tlvs);
    if (ret) out("RECV ret=%d otr=%d text=%s", ret, newmsg != NULL, newmsg ? esc(newmsg) : "-");
    else out("RECV ret=0 otr=%d text=%s", newmsg != NULL, esc(newmsg ? newmsg : text));
    otrl_message_free(newmsg);
}

static void do_state(void) {
    ConnContext *c = best();
    if (!c) { out("STATE none"); return; }
    int nchildren = 0;
    for (ConnContext *p = c->m_context; p && p->m_context == c->m_context; p = p->next) nchildren++;
    printf("STATE msgstate=%d version=%d their_instance=%08x our_instance=%08x authstate=%d contexts=%d fp=",
           (int)c->msgstate, c->protocol_version, c->their_instance, c->our_instance, (int)c->auth.authstate,
           nchildren);
    if (c->active_fingerprint) {
        hexprint(c->active_fingerprint->fingerprint, 20);
        printf(" trust=%s", c->active_fingerprint->trust && c->active_fingerprint->trust[0]
                                ? c->active_fingerprint->trust : "-");
    } else printf("- trust=-");
    printf(" ssid=");
    hexprint(c->sessionid, c->sessionid_len);
    out(" ssid_half=%d offer=%d smp=%d", (int)c->sessionid_half, (int)c->otr_offer,
        c->smstate ? (int)c->smstate->sm_prog_state : -99);
}

static unsigned int parse_policy(char *spec) {
    if (isdigit((unsigned char)spec[0])) return (unsigned int)strtoul(spec, NULL, 0);
    unsigned int p = 0;
    for (char *tok = strtok(spec, "|"); tok; tok = strtok(NULL, "|")) {
        if (!strcmp(tok, "NEVER")) p |= OTRL_POLICY_NEVER;
        else if (!strcmp(tok, "MANUAL")) p |= OTRL_POLICY_MANUAL;
        else if (!strcmp(tok, "OPPORTUNISTIC")) p |= OTRL_POLICY_OPPORTUNISTIC;
        else if (!strcmp(tok, "ALWAYS")) p |= OTRL_POLICY_ALWAYS;
        else if (!strcmp(tok, "DEFAULT")) p |= OTRL_POLICY_DEFAULT;
        else if (!strcmp(tok, "V1")) p |= OTRL_POLICY_ALLOW_V1;
        else if (!strcmp(tok, "V2")) p |= OTRL_POLICY_ALLOW_V2;
        else if (!strcmp(tok, "V3")) p |= OTRL_POLICY_ALLOW_V3;
        else if (!strcmp(tok, "REQUIRE")) p |= OTRL_POLICY_REQUIRE_ENCRYPTION;
        else if (!strcmp(tok, "WS_TAG")) p |= OTRL_POLICY_SEND_WHITESPACE_TAG;
        else if (!strcmp(tok, "WS_START")) p |= OTRL_POLICY_WHITESPACE_START_AKE;
        else if (!strcmp(tok, "ERR_START")) p |= OTRL_POLICY_ERROR_START_AKE;
        else out("ERROR unknown policy name %s", tok);
    }
    return p;
}

static void do_symkey(char *args) {
    char *sp = strchr(args, ' ');
    const char *hex = sp ? sp + 1 : "-";
    if (sp) *sp = 0;
    unsigned int use = (unsigned int)strtoul(args, NULL, 0);
    size_t hl = strlen(hex);
    unsigned char *usedata = malloc(hl / 2 + 1);
    size_t ulen = unhex(hex, usedata, hl / 2 + 1);
    unsigned char key[OTRL_EXTRAKEY_BYTES];
    memset(key, 0, sizeof key);
    ConnContext *c = best();
    gcry_error_t e = otrl_message_symkey(us, &ops, NULL, c, use, ulen ? usedata : NULL, ulen, key);
    printf("SYMKEY-RESULT err=0x%08x key=", (unsigned int)e);
    hexprint(key, sizeof key);
    out("%s", "");
    free(usedata);
}

#ifndef IM_PEER_NO_SMP
static void do_smp(const char *cmd, char *args) {
    ConnContext *c = best();
    if (!c) { out("ERROR no context for %s", cmd); return; }
    if (!strcmp(cmd, "SMP-ABORT")) { otrl_message_abort_smp(us, &ops, NULL, c); return; }
    char *q = args ? strchr(args, ' ') : NULL;
    if (q) { *q++ = 0; unesc(q); }
    char *secret = args ? args : (char *)"";
    size_t slen = unesc(secret);
    if (!strcmp(cmd, "SMP-INIT")) {
        if (q) otrl_message_initiate_smp_q(us, &ops, NULL, c, q, (const unsigned char *)secret, slen);
        else otrl_message_initiate_smp(us, &ops, NULL, c, (const unsigned char *)secret, slen);
    } else {
        otrl_message_respond_smp(us, &ops, NULL, c, (const unsigned char *)secret, slen);
    }
    out("SMP-STARTED %s", cmd);
}
#else
static void do_smp(const char *cmd, char *args) {
    (void)args;
    out("ERROR %s: built with -DIM_PEER_NO_SMP", cmd);
}
#endif

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: im_peer STATEDIR ACCOUNT BUDDY PROTOCOL\n");
        return 2;
    }
    account = argv[2];
    buddy = argv[3];
    protocol = argv[4];
    snprintf(keyfile, sizeof keyfile, "%s/otr.private_key", argv[1]);
    snprintf(instagfile, sizeof instagfile, "%s/otr.instance_tags", argv[1]);
    snprintf(fpfile, sizeof fpfile, "%s/otr.fingerprints", argv[1]);

    OTRL_INIT;
    us = otrl_userstate_create();
    unsigned int e1 = otrl_privkey_read(us, keyfile);
    unsigned int e2 = otrl_instag_read(us, instagfile);
    FILE *f = fopen(fpfile, "r");
    unsigned int e3 = 0;
    if (f) { fclose(f); e3 = otrl_privkey_read_fingerprints(us, fpfile, NULL, NULL); }
    char ourfp[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    if (!otrl_privkey_fingerprint(us, ourfp, account, protocol)) strcpy(ourfp, "-");
    for (char *p = ourfp; *p; p++) if (*p == ' ') *p = '_';
    OtrlInsTag *tag = otrl_instag_find(us, account, protocol);
    out("READY impl=libotr account=%s instag=%08x fp=%s keyread=0x%08x instagread=0x%08x fpread=0x%08x "
        "versions=2,3 interval=%u",
        account, tag ? tag->instag : 0, ourfp, e1, e2, e3, otrl_message_poll_get_default_interval(us));

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        char *arg = strchr(line, ' ');
        if (arg) *arg++ = 0;
        const char *cmd = line;
        if (!strcmp(cmd, "MSG")) { char *m = arg ? arg : (char *)""; unesc(m); do_receive(m); }
        else if (!strcmp(cmd, "SEND")) { char *m = arg ? arg : (char *)""; unesc(m); do_send(m); }
        else if (!strcmp(cmd, "QUERY")) do_send("?OTR?");
        else if (!strcmp(cmd, "DISCONNECT")) {
            ConnContext *c = best();
            otrl_message_disconnect(us, &ops, NULL, account, protocol, buddy, c ? c->their_instance : 0);
            out("DISCONNECTED");
        } else if (!strcmp(cmd, "DISCONNECT-ALL")) {
            otrl_message_disconnect_all_instances(us, &ops, NULL, account, protocol, buddy);
            out("DISCONNECTED");
        } else if (!strcmp(cmd, "POLICY") && arg) { policy = parse_policy(arg); out("POLICY 0x%x", policy); }
        else if (!strcmp(cmd, "MAXSIZE") && arg) { maxsize = atoi(arg); out("MAXSIZE %d", maxsize); }
        else if (!strcmp(cmd, "LOGGEDIN") && arg) { loggedin = atoi(arg); out("LOGGEDIN %d", loggedin); }
        else if (!strcmp(cmd, "RESENTPREFIX") && arg) {
            free(resent_prefix);
            resent_prefix = strcmp(arg, "-") ? (unesc(arg), strdup(arg)) : NULL;
            out("RESENTPREFIX %s", resent_prefix ? esc(resent_prefix) : "NULL");
        } else if (!strcmp(cmd, "SYMKEY") && arg) do_symkey(arg);
        else if (!strncmp(cmd, "SMP-", 4)) do_smp(cmd, arg);
        else if (!strcmp(cmd, "POLL")) { otrl_message_poll(us, &ops, NULL); out("POLLED"); }
        else if (!strcmp(cmd, "STATE?")) do_state();
        else if (!strcmp(cmd, "PING")) out("PONG %s", arg ? arg : "");
        else if (!strcmp(cmd, "QUIT")) break;
        else out("ERROR unknown command %s", cmd);
    }
    free(line);
    free(resent_prefix);
    free(escbuf);
    otrl_userstate_free(us);
    out("BYE");
    return 0;
}
