/* API misuse cases, shared by t_api.c (the trace compared with the real libotr) and
 * cabi-tests/robust/null_args.c (the cases where libotr 4.1.1 crashes, run against
 * ours only).
 *
 * Every case runs in its own forked child, starting from the same state: two peers
 * (otrsim.h) with an ENCRYPTED v3 session, and one data message from bob to alice not
 * yet delivered (g_datamsg).  The child prints what the call returned and what it
 * changed, frees everything and exits 0; the parent prints a line if the child died.
 * Cases flagged PRE run before otrl_init; cases flagged CRASH crash (or corrupt the
 * heap of) libotr 4.1.1 and are left out of the trace.
 *
 * Modes (api_main):
 *   trace  - every case not flagged CRASH or V1 (t_api's default)
 *   probe  - every case; one status line per case (how the CRASH flags were found:
 *            build t_api against the real libotr and run `t_api probe`)
 *   robust - only the CRASH cases; each must return normally (null_args.c)
 */
#ifndef API_H
#define API_H
#include "otrsim.h"
#include <signal.h>
#include <sys/wait.h>
#include <stddef.h>
#include <libotr/auth.h>
#include <libotr/dh.h>
#include <libotr/sm.h>

/* Exported by libotr but declared in no header. */
void otrl_sm_msg1_init(gcry_mpi_t **msg1);
void otrl_sm_msg2_init(gcry_mpi_t **msg2);
void otrl_sm_msg3_init(gcry_mpi_t **msg3);
void otrl_sm_msg4_init(gcry_mpi_t **msg4);
void otrl_sm_msg_free(gcry_mpi_t **message, int msglen);

/* ---------- case registry ---------- */
#define PRE 1   /* run before otrl_init */
#define CRASH 2 /* libotr 4.1.1 crashes or corrupts memory: not in the trace */
#define V1 4    /* speaks OTR v1, which ours refuses by design (README): not compared */
typedef struct { const char *name; void (*fn)(void); int flags; int line; } ApiCase;
static ApiCase api_cases[400];
static int n_api_cases;
static void api_reg(const char *name, void (*fn)(void), int flags, int line) {
    api_cases[n_api_cases++] = (ApiCase){name, fn, flags, line};
}
#define CASE(id, flags)                                                                            \
    static void c_##id(void);                                                                      \
    __attribute__((constructor)) static void reg_##id(void) { api_reg(#id, c_##id, flags, __LINE__); } \
    static void c_##id(void)

/* ---------- the shared state (made in the parent, inherited by every child) ---------- */
static Peer *A, *B;         /* alice and bob1, ENCRYPTED v3 */
static char *g_datamsg;     /* a data message bob -> alice, not delivered */
static char *g_fragmsg;     /* a fragment bob -> alice (piece 1 of 2) */

static ConnContext *actx(void) { return otrl_context_find(A->us, BOB, ALICE, PROTO, TAG_BOB1, 0, NULL, NULL, NULL); }
static ConnContext *amaster(void) { return otrl_context_find(A->us, BOB, ALICE, PROTO, OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL); }
static ConnContext *bctx(void) { return otrl_context_find(B->us, ALICE, BOB, PROTO, TAG_ALICE, 0, NULL, NULL, NULL); }

static void base_state(void) {
    section("base state (every case starts here)");
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    send_msg(A, "?OTR?");
    pump();
    send_msg(A, "first");
    pump();
    send_msg(B, "reply");
    pump();
    hold_queue = 1;
    send_msg(B, "held back: delivered by the cases");
    QMsg *q = dequeue();
    g_datamsg = strdup(q->msg);
    qfree(q);
    hold_queue = 0;
    g_fragmsg = strdup("?OTR|0b0b0001|0a11ce01,00001,00002,?OTR:AAMDCwsAAQoRzgEA,");
    show(A);
    show(B);
    flush_policy();
}

/* In a child: start over with no peers (cases that need fresh ones). */
static void fresh(void) {
    drop_queue("fresh peers");
    while (npeers) peer_free(peers[npeers - 1]);
    A = B = NULL;
}

/* ---------- small printing helpers ---------- */
static void pe(const char *what, gcry_error_t e) { OUT("  %s -> %08x\n", what, e); }
static void ps(const char *what, const char *s) {
    OUT("  %s -> ", what);
    desc(s);
    printf("\n");
}
static const char *setnull(const void *p) { return p ? "set" : "NULL"; }
static void done_line(void) { OUT("  returned\n"); }

/* ---------- callbacks for NULL opdata: libotr passes opdata through untouched ---------- */
static Peer *np(void *o) { return o ? (Peer *)o : A; }
static OtrlPolicy np_policy(void *o, ConnContext *c) { return cb_policy(np(o), c); }
static void np_create_privkey(void *o, const char *a, const char *p) { cb_create_privkey(np(o), a, p); }
static int np_is_logged_in(void *o, const char *a, const char *p, const char *r) { return cb_is_logged_in(np(o), a, p, r); }
static void np_inject(void *o, const char *a, const char *p, const char *r, const char *m) {
    if (!o) OUT("    (inject with opdata NULL)\n");
    cb_inject(np(o), a, p, r, m);
}
static int np_mms(void *o, ConnContext *c) { return cb_max_message_size(np(o), c); }
static void np_symkey(void *o, ConnContext *c, unsigned int u, const unsigned char *d, size_t l, const unsigned char *k) {
    cb_received_symkey(np(o), c, u, d, l, k);
}
static const char *np_prefix(void *o, ConnContext *c) { return cb_resent_msg_prefix(np(o), c); }
static void np_create_instag(void *o, const char *a, const char *p) { cb_create_instag(np(o), a, p); }
static void np_convert(void *o, ConnContext *c, OtrlConvertType t, char **d, const char *s) { cb_convert_msg(np(o), c, t, d, s); }
static OtrlMessageAppOps np_ops;
static void np_init(void) {
    np_ops = full_ops;
    np_ops.policy = np_policy;
    np_ops.create_privkey = np_create_privkey;
    np_ops.is_logged_in = np_is_logged_in;
    np_ops.inject_message = np_inject;
    np_ops.max_message_size = np_mms;
    np_ops.received_symkey = np_symkey;
    np_ops.resent_msg_prefix = np_prefix;
    np_ops.create_instag = np_create_instag;
    np_ops.convert_msg = np_convert;
}

/* ================= 1. NULL for each pointer argument ================= */

/* ---- otrl_message_sending(us, ops, opdata, accountname, protocol, recipient, instag,
 *      original_msg, tlvs, messagep, fragPolicy, contextp, add_appdata, data) ---- */
static void msend(int which, const char *msg) {
    char *out = (char *)"untouched";
    ConnContext *ctx = (ConnContext *)1;
    OtrlTLV *tlv = otrl_tlv_new(0x99, 2, (const unsigned char *)"hi");
    OtrlUserState us = which == 0 ? NULL : A->us;
    const OtrlMessageAppOps *ops = which == 1 ? NULL : which == 2 ? &np_ops : A->ops;
    void *od = which == 2 ? NULL : A;
    OUT("  otrl_message_sending(alice -> bob, BEST, ");
    pesc(which == 6 ? NULL : msg);
    printf(")\n");
    gcry_error_t e = otrl_message_sending(us, ops, od, which == 3 ? NULL : ALICE, which == 4 ? NULL : PROTO,
                                          which == 5 ? NULL : BOB, OTRL_INSTAG_BEST, which == 6 ? NULL : msg,
                                          which == 7 ? NULL : tlv, which == 8 ? NULL : &out, OTRL_FRAGMENT_SEND_ALL,
                                          which == 9 ? NULL : &ctx, NULL, NULL);
    OUT("   => err=%08x ctx=%s *messagep=", e, ctx == (ConnContext *)1 ? "untouched" : ctxname(ctx));
    if (out && !strcmp(out, "untouched")) printf("untouched");
    else desc(out);
    printf("\n");
    if (out && strcmp(out, "untouched")) otrl_message_free(out);
    otrl_tlv_free(tlv);
    pump();
    show(A);
}
CASE(sending_us_NULL, CRASH) { msend(0, "x"); }
CASE(sending_ops_NULL, CRASH) { msend(1, "x"); }
CASE(sending_opdata_NULL, 0) { msend(2, "x"); }
CASE(sending_accountname_NULL, 0) { msend(3, "x"); }
CASE(sending_protocol_NULL, 0) { msend(4, "x"); }
CASE(sending_recipient_NULL, 0) { msend(5, "x"); }
CASE(sending_original_msg_NULL, 0) { msend(6, "x"); }
CASE(sending_tlvs_NULL, 0) { msend(7, "x"); }
CASE(sending_messagep_NULL, 0) { msend(8, "x"); }
CASE(sending_contextp_NULL, 0) { msend(9, "x"); }
CASE(sending_messagep_NULL_plaintext, 0) {
    otrl_context_force_plaintext(actx());
    msend(8, "plain");
}

/* ---- otrl_message_receiving(us, ops, opdata, accountname, protocol, sender, message,
 *      newmessagep, tlvsp, contextp, add_appdata, data) ---- */
static void mrecv(int which, const char *msg) {
    char *nm = (char *)"untouched";
    OtrlTLV *tlvs = (OtrlTLV *)1;
    ConnContext *ctx = (ConnContext *)1;
    OUT("  otrl_message_receiving(alice <- bob: ");
    desc(which == 6 ? NULL : msg);
    printf(")\n");
    int r = otrl_message_receiving(which == 0 ? NULL : A->us, which == 1 ? NULL : which == 2 ? &np_ops : A->ops,
                                   which == 2 ? NULL : A, which == 3 ? NULL : ALICE, which == 4 ? NULL : PROTO,
                                   which == 5 ? NULL : BOB, which == 6 ? NULL : msg, which == 7 ? NULL : &nm,
                                   which == 8 ? NULL : &tlvs, which == 9 ? NULL : &ctx, NULL, NULL);
    OUT("   => ret=%d new=", r);
    if (nm && !strcmp(nm, "untouched")) printf("untouched");
    else pesc(nm);
    if (tlvs == (OtrlTLV *)1) printf(" tlvs=untouched");
    else print_tlvs(tlvs);
    printf(" ctx=%s\n", ctx == (ConnContext *)1 ? "untouched" : ctxname(ctx));
    if (nm && strcmp(nm, "untouched")) otrl_message_free(nm);
    if (tlvs != (OtrlTLV *)1) otrl_tlv_free(tlvs);
    pump();
    show(A);
}
CASE(receiving_us_NULL, CRASH) { mrecv(0, g_datamsg); }
CASE(receiving_ops_NULL, CRASH) { mrecv(1, g_datamsg); }
CASE(receiving_opdata_NULL, 0) { mrecv(2, g_datamsg); }
CASE(receiving_accountname_NULL, 0) { mrecv(3, g_datamsg); }
CASE(receiving_protocol_NULL, 0) { mrecv(4, g_datamsg); }
CASE(receiving_sender_NULL, 0) { mrecv(5, g_datamsg); }
CASE(receiving_message_NULL, 0) { mrecv(6, g_datamsg); }
CASE(receiving_newmessagep_NULL, 0) { mrecv(7, g_datamsg); }
CASE(receiving_tlvsp_NULL, 0) { mrecv(8, g_datamsg); }
CASE(receiving_contextp_NULL, 0) { mrecv(9, g_datamsg); }
CASE(receiving_newmessagep_NULL_plaintext, 0) { mrecv(7, "plain text"); }
CASE(receiving_tlvsp_NULL_plaintext, 0) { mrecv(8, "plain text"); }
CASE(receiving_newmessagep_NULL_fragment, 0) { mrecv(7, g_fragmsg); }
CASE(receiving_ops_NULL_plaintext, CRASH) { mrecv(1, "plain text"); }

/* ---- otrl_message_disconnect(us, ops, opdata, accountname, protocol, username, instance)
 *      and otrl_message_disconnect_all_instances (the same without instance) ---- */
static void mdisc(int all, int which) {
    OUT("  otrl_message_disconnect%s(alice, bob)\n", all ? "_all_instances" : "");
    OtrlUserState us = which == 0 ? NULL : A->us;
    const OtrlMessageAppOps *ops = which == 1 ? NULL : which == 2 ? &np_ops : A->ops;
    void *od = which == 2 ? NULL : A;
    const char *ac = which == 3 ? NULL : ALICE, *pr = which == 4 ? NULL : PROTO, *us2 = which == 5 ? NULL : BOB;
    if (all) otrl_message_disconnect_all_instances(us, ops, od, ac, pr, us2);
    else otrl_message_disconnect(us, ops, od, ac, pr, us2, TAG_BOB1);
    done_line();
    pump();
    show(A);
    show(B);
}
CASE(disconnect_us_NULL, CRASH) { mdisc(0, 0); }
CASE(disconnect_ops_NULL, CRASH) { mdisc(0, 1); }
CASE(disconnect_opdata_NULL, 0) { mdisc(0, 2); }
CASE(disconnect_accountname_NULL, 0) { mdisc(0, 3); }
CASE(disconnect_protocol_NULL, 0) { mdisc(0, 4); }
CASE(disconnect_username_NULL, 0) { mdisc(0, 5); }
CASE(disconnect_all_us_NULL, CRASH) { mdisc(1, 0); }
CASE(disconnect_all_ops_NULL, CRASH) { mdisc(1, 1); }
CASE(disconnect_all_opdata_NULL, 0) { mdisc(1, 2); }
CASE(disconnect_all_accountname_NULL, 0) { mdisc(1, 3); }
CASE(disconnect_all_protocol_NULL, 0) { mdisc(1, 4); }
CASE(disconnect_all_username_NULL, 0) { mdisc(1, 5); }

/* ---- SMP: initiate_smp(us, ops, opdata, context, secret, secretlen),
 *      initiate_smp_q(..., question, secret, secretlen), respond_smp, abort_smp ---- */
static void msmp(int fn, int which) {
    static const char *fnn[] = {"initiate_smp", "initiate_smp_q", "respond_smp", "abort_smp"};
    Peer *p = A;
    ConnContext *c = actx();
    if (fn >= 2) {
        /* bob answers / aborts an SMP alice started */
        otrl_message_initiate_smp_q(A->us, A->ops, A, actx(), "question?", (const unsigned char *)"secret", 6);
        pump();
        p = B;
        c = bctx();
    }
    OUT("  otrl_message_%s(%s)\n", fnn[fn], p->name);
    OtrlUserState us = which == 0 ? NULL : p->us;
    const OtrlMessageAppOps *ops = which == 1 ? NULL : which == 2 ? &np_ops : p->ops;
    void *od = which == 2 ? NULL : p;
    ConnContext *ctx = which == 3 ? NULL : c;
    const unsigned char *sec = which == 4 || which == 6 ? NULL : (const unsigned char *)"secret";
    size_t seclen = which == 6 ? 0 : 6;
    const char *q = which == 5 ? NULL : "question?";
    if (fn == 0) otrl_message_initiate_smp(us, ops, od, ctx, sec, seclen);
    else if (fn == 1) otrl_message_initiate_smp_q(us, ops, od, ctx, q, sec, seclen);
    else if (fn == 2) otrl_message_respond_smp(us, ops, od, ctx, sec, seclen);
    else otrl_message_abort_smp(us, ops, od, ctx);
    done_line();
    pump();
    show(A);
    show(B);
}
CASE(initiate_smp_us_NULL, CRASH) { msmp(0, 0); }
CASE(initiate_smp_ops_NULL, CRASH) { msmp(0, 1); }
CASE(initiate_smp_opdata_NULL, 0) { msmp(0, 2); }
CASE(initiate_smp_context_NULL, 0) { msmp(0, 3); }
CASE(initiate_smp_secret_NULL, CRASH) { msmp(0, 4); }
CASE(initiate_smp_secret_NULL_len0, 0) { msmp(0, 6); }
CASE(initiate_smp_q_us_NULL, CRASH) { msmp(1, 0); }
CASE(initiate_smp_q_ops_NULL, CRASH) { msmp(1, 1); }
CASE(initiate_smp_q_opdata_NULL, 0) { msmp(1, 2); }
CASE(initiate_smp_q_context_NULL, 0) { msmp(1, 3); }
CASE(initiate_smp_q_secret_NULL, CRASH) { msmp(1, 4); }
CASE(initiate_smp_q_question_NULL, 0) { msmp(1, 5); }
CASE(initiate_smp_q_secret_NULL_len0, 0) { msmp(1, 6); }
CASE(respond_smp_us_NULL, CRASH) { msmp(2, 0); }
CASE(respond_smp_ops_NULL, CRASH) { msmp(2, 1); }
CASE(respond_smp_opdata_NULL, 0) { msmp(2, 2); }
CASE(respond_smp_context_NULL, 0) { msmp(2, 3); }
CASE(respond_smp_secret_NULL, CRASH) { msmp(2, 4); }
CASE(respond_smp_secret_NULL_len0, 0) { msmp(2, 6); }
CASE(abort_smp_us_NULL, 0) { msmp(3, 0); }
CASE(abort_smp_ops_NULL, CRASH) { msmp(3, 1); }
CASE(abort_smp_opdata_NULL, 0) { msmp(3, 2); }
CASE(abort_smp_context_NULL, CRASH) { msmp(3, 3); }

/* ---- otrl_message_symkey(us, ops, opdata, context, use, usedata, usedatalen, symkey) ---- */
static void msym(int which) {
    unsigned char k[32];
    memset(k, 0xee, sizeof k);
    OUT("  otrl_message_symkey(alice, use=7)\n");
    gcry_error_t e = otrl_message_symkey(which == 0 ? NULL : A->us, which == 1 ? NULL : which == 2 ? &np_ops : A->ops,
                                         which == 2 ? NULL : A, which == 3 ? NULL : actx(), 7,
                                         which == 4 || which == 6 ? NULL : (const unsigned char *)"usedata",
                                         which == 6 ? 0 : 7, which == 5 ? NULL : k);
    OUT("   => err=%08x key written=%d\n", e, k[0] != 0xee || k[31] != 0xee);
    pump();
    OUT("  bob got a key: %d, equal: %d\n", B->have_symkey, B->have_symkey && !memcmp(k, B->symkey, 32));
}
CASE(symkey_us_NULL, 0) { msym(0); }
CASE(symkey_ops_NULL, CRASH) { msym(1); }
CASE(symkey_opdata_NULL, 0) { msym(2); }
CASE(symkey_context_NULL, 0) { msym(3); }
CASE(symkey_usedata_NULL, 0) { msym(4); }
CASE(symkey_usedata_NULL_len0, 0) { msym(6); }
CASE(symkey_symkey_NULL, 0) { msym(5); }

/* ---- otrl_message_poll_get_default_interval(us), otrl_message_poll(us, ops, opdata) ---- */
CASE(poll_get_default_interval_us_NULL, 0) { OUT("  -> %u\n", otrl_message_poll_get_default_interval(NULL)); }
static void mpoll(int which) {
    /* a DH-Commit pending on alice's master context, old enough to expire */
    otrl_context_force_plaintext(actx());
    hold_queue = 1;
    send_msg(A, "?OTRv3?");
    hold_queue = 0;
    drop_queue("not delivered");
    advance_clock(70);
    OUT("  otrl_message_poll(alice)\n");
    otrl_message_poll(which == 0 ? NULL : A->us, which == 1 ? NULL : which == 2 ? &np_ops : A->ops, which == 2 ? NULL : A);
    done_line();
    show(A);
}
CASE(poll_us_NULL, 0) { mpoll(0); }
CASE(poll_ops_NULL, 0) { mpoll(1); }
CASE(poll_opdata_NULL, 0) { mpoll(2); }

/* ---- proto.h ---- */
CASE(proto_default_query_msg_ourname_NULL, CRASH) {
    char *q = otrl_proto_default_query_msg(NULL, OTRL_POLICY_DEFAULT);
    ps("otrl_proto_default_query_msg(NULL, DEFAULT)", q);
    free(q);
}
CASE(proto_query_bestversion_querymsg_NULL, CRASH) { OUT("  -> %u\n", otrl_proto_query_bestversion(NULL, OTRL_POLICY_DEFAULT)); }
static void pwb(int which) {
    const char *msg = "hi \x20\x09\x20\x20\x09\x09\x09\x09\x20\x09\x20\x09\x20\x09\x20\x20\x20\x20\x09\x09\x20\x20\x09\x20\x20\x20\x09\x09\x20\x20\x09\x09";
    const char *s = "untouched", *e = "untouched";
    unsigned int v = otrl_proto_whitespace_bestversion(which == 0 ? NULL : msg, which == 1 ? NULL : &s, which == 2 ? NULL : &e,
                                                       OTRL_POLICY_DEFAULT);
    OUT("  -> %u start=%s end=%s\n", v, which == 1 ? "-" : s == msg + 3 ? "tag" : s && !strcmp(s, "untouched") ? "untouched" : "other",
        which == 2 ? "-" : e && !strcmp(e, "untouched") ? "untouched" : e ? (e - msg < 0 || e - msg > 64 ? "other" : "in msg") : "NULL");
}
CASE(proto_whitespace_bestversion_msg_NULL, CRASH) { pwb(0); }
CASE(proto_whitespace_bestversion_starttagp_NULL, CRASH) { pwb(1); }
CASE(proto_whitespace_bestversion_endtagp_NULL, CRASH) { pwb(2); }
CASE(proto_message_type_NULL, CRASH) { OUT("  -> %d\n", otrl_proto_message_type(NULL)); }
CASE(proto_message_version_NULL, CRASH) { OUT("  -> %d\n", otrl_proto_message_version(NULL)); }
static void pinst(int which) {
    unsigned int f = 0xdead, t = 0xdead;
    gcry_error_t e = otrl_proto_instance(which == 0 ? NULL : g_datamsg, which == 1 ? NULL : &f, which == 2 ? NULL : &t);
    OUT("  -> %08x from=%x to=%x\n", e, f, t);
}
CASE(proto_instance_otrmsg_NULL, 0) { pinst(0); }
CASE(proto_instance_instance_from_NULL, CRASH) { pinst(1); }
CASE(proto_instance_instance_to_NULL, CRASH) { pinst(2); }
static void pcreate(int which) {
    char *out = (char *)"untouched";
    unsigned char xk[32];
    memset(xk, 0xee, 32);
    gcry_error_t e = otrl_proto_create_data(which == 0 ? NULL : &out, which == 1 ? NULL : actx(), which == 2 ? NULL : "msg",
                                            NULL, 0, which == 3 ? NULL : xk);
    OUT("  -> %08x out=", e);
    if (out && !strcmp(out, "untouched")) printf("untouched");
    else desc(out);
    printf(" extrakey written=%d\n", xk[0] != 0xee || xk[31] != 0xee);
    if (out && strcmp(out, "untouched")) {
        char *nm = NULL;
        OtrlTLV *tl = NULL;
        ConnContext *ctx = NULL;
        int r = otrl_message_receiving(B->us, B->ops, B, BOB, PROTO, ALICE, out, &nm, &tl, &ctx, NULL, NULL);
        OUT("  bob receives it: ret=%d new=", r);
        pesc(nm);
        printf("\n");
        otrl_message_free(nm);
        otrl_tlv_free(tl);
        free(out);
    }
}
CASE(proto_create_data_encmessagep_NULL, CRASH) { pcreate(0); }
CASE(proto_create_data_context_NULL, CRASH) { pcreate(1); }
CASE(proto_create_data_msg_NULL, CRASH) { pcreate(2); }
CASE(proto_create_data_extrakey_NULL, 0) { pcreate(3); }
static void pflags(int which) {
    unsigned char fl = 0xee;
    gcry_error_t e = otrl_proto_data_read_flags(which == 0 ? NULL : g_datamsg, which == 1 ? NULL : &fl);
    OUT("  -> %08x flags=%02x\n", e, fl);
}
CASE(proto_data_read_flags_datamsg_NULL, CRASH) { pflags(0); }
CASE(proto_data_read_flags_flagsp_NULL, 0) { pflags(1); }
static void paccept(int which) {
    char *pt = (char *)"untouched";
    OtrlTLV *tl = (OtrlTLV *)1;
    unsigned char fl = 0xee, xk[32];
    memset(xk, 0xee, 32);
    gcry_error_t e = otrl_proto_accept_data(which == 0 ? NULL : &pt, which == 1 ? NULL : &tl, which == 2 ? NULL : actx(),
                                            which == 3 ? NULL : g_datamsg, which == 4 ? NULL : &fl, which == 5 ? NULL : xk);
    OUT("  -> %08x plaintext=", e);
    if (pt && !strcmp(pt, "untouched")) printf("untouched");
    else pesc(pt);
    printf(" tlvs=%s flags=%02x extrakey written=%d\n", tl == (OtrlTLV *)1 ? "untouched" : setnull(tl), fl, xk[0] != 0xee || xk[31] != 0xee);
    if (pt && strcmp(pt, "untouched")) free(pt);
    if (tl != (OtrlTLV *)1) otrl_tlv_free(tl);
}
CASE(proto_accept_data_plaintextp_NULL, CRASH) { paccept(0); }
CASE(proto_accept_data_tlvsp_NULL, CRASH) { paccept(1); }
CASE(proto_accept_data_context_NULL, CRASH) { paccept(2); }
CASE(proto_accept_data_datamsg_NULL, CRASH) { paccept(3); }
CASE(proto_accept_data_flagsp_NULL, 0) { paccept(4); }
CASE(proto_accept_data_extrakey_NULL, 0) { paccept(5); }
static void pacc(int which) {
    char *out = (char *)"untouched";
    OtrlFragmentResult r = otrl_proto_fragment_accumulate(which == 0 ? NULL : &out, which == 1 ? NULL : actx(),
                                                          which == 2 ? NULL : g_fragmsg);
    OUT("  -> %d out=", r);
    if (out && !strcmp(out, "untouched")) printf("untouched");
    else pesc(out);
    printf("\n");
    if (out && strcmp(out, "untouched")) free(out);
}
CASE(proto_fragment_accumulate_unfragmessagep_NULL, 0) { pacc(0); }
CASE(proto_fragment_accumulate_context_NULL, CRASH) { pacc(1); }
CASE(proto_fragment_accumulate_msg_NULL, CRASH) { pacc(2); }
static void pfcreate(int which) {
    char **frags = (char **)1;
    const char *m = "?OTR:AAMDCwsAAQoRzgEAAAAAAQAAAAEAAADAVf3Ei72ZgFeKqWvLMnuVB1.";
    gcry_error_t e = otrl_proto_fragment_create(20, 4, which == 0 ? NULL : &frags, which == 1 ? NULL : actx(),
                                                which == 2 ? NULL : m);
    OUT("  -> %08x frags=%s\n", e, frags == (char **)1 ? "untouched" : setnull(frags));
    if (frags && frags != (char **)1) {
        for (int i = 0; i < 4; i++) {
            OUT("    [%d] ", i);
            desc(frags[i]);
            printf("\n");
        }
        otrl_proto_fragment_free(&frags, 4);
    }
}
CASE(proto_fragment_create_fragments_NULL, CRASH) { pfcreate(0); }
CASE(proto_fragment_create_context_NULL, CRASH) { pfcreate(1); }
CASE(proto_fragment_create_message_NULL, CRASH) { pfcreate(2); }
CASE(proto_fragment_free_fragments_NULL, CRASH) {
    otrl_proto_fragment_free(NULL, 3);
    done_line();
}
CASE(proto_fragment_free_array_NULL, 0) {
    char **f = NULL;
    otrl_proto_fragment_free(&f, 3);
    done_line();
}

/* ---- auth.h: two scratch contexts carry the OtrlAuthInfos ---- */
static ConnContext *xa, *xb;
static OtrlPrivKey *kA, *kB;
static char *m_commit, *m_key, *m_rs, *m_sig;
static const char *mtype(const char *m) {
    static const char *n[] = {"NOTOTR", "TAGGEDPLAINTEXT", "QUERY", "DH_COMMIT", "DH_KEY", "REVEALSIG",
                              "SIGNATURE", "V1_KEYEXCH", "DATA", "ERROR", "UNKNOWN"};
    if (!m) return "NULL";
    int t = otrl_proto_message_type(m);
    return t >= 0 && t <= 10 ? n[t] : "?";
}
static void pauth(const char *who, OtrlAuthInfo *a) {
    OUT("  %s auth: state=%s pv=%u last=%s our_dh=%s their_pub=%s\n", who, authstate_s(a->authstate), a->protocol_version,
        mtype(a->lastauthmsg), setnull(a->our_dh.pub), setnull(a->their_pub));
}
static gcry_error_t auth_ok(const OtrlAuthInfo *a, void *asdata) {
    OUT("    auth_succeeded(asdata=%s) state=%s\n", asdata ? (char *)asdata : "NULL", authstate_s(a->authstate));
    return 0;
}
static char *sdup(const char *s) { return s ? strdup(s) : NULL; }
/* Run an honest AKE between xa (alice) and xb (bob) up to step `upto`. */
static void auth_env(int upto) {
    int have = 0;
    xa = otrl_context_find(A->us, "x-bob", ALICE, PROTO, OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
    xb = otrl_context_find(B->us, "x-alice", BOB, PROTO, OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
    kA = otrl_privkey_find(A->us, ALICE, PROTO);
    kB = otrl_privkey_find(B->us, BOB, PROTO);
    if (upto >= 1) { otrl_auth_start_v23(&xa->auth, 3); m_commit = sdup(xa->auth.lastauthmsg); }
    if (upto >= 2) { otrl_auth_handle_commit(&xb->auth, m_commit, 3); m_key = sdup(xb->auth.lastauthmsg); }
    if (upto >= 3) { otrl_auth_handle_key(&xa->auth, m_key, &have, kA); m_rs = sdup(xa->auth.lastauthmsg); }
    if (upto >= 4) { otrl_auth_handle_revealsig(&xb->auth, m_rs, &have, kB, auth_ok, "env"); m_sig = sdup(xb->auth.lastauthmsg); }
}
static void auth_env_free(void) {
    free(m_commit); free(m_key); free(m_rs); free(m_sig);
    m_commit = m_key = m_rs = m_sig = NULL;
}
CASE(auth_new_context_NULL, CRASH) { otrl_auth_new(NULL); done_line(); }
CASE(auth_clear_auth_NULL, CRASH) { otrl_auth_clear(NULL); done_line(); }
CASE(auth_start_v23_auth_NULL, CRASH) { pe("otrl_auth_start_v23(NULL, 3)", otrl_auth_start_v23(NULL, 3)); }
static void ahc(int which) {
    auth_env(1);
    pe("otrl_auth_handle_commit", otrl_auth_handle_commit(which == 0 ? NULL : &xb->auth, which == 1 ? NULL : m_commit, 3));
    pauth("bob", &xb->auth);
    auth_env_free();
}
CASE(auth_handle_commit_auth_NULL, CRASH) { ahc(0); }
CASE(auth_handle_commit_commitmsg_NULL, CRASH) { ahc(1); }
static void ahk(int which) {
    int have = -1;
    auth_env(2);
    pe("otrl_auth_handle_key", otrl_auth_handle_key(which == 0 ? NULL : &xa->auth, which == 1 ? NULL : m_key,
                                                    which == 2 ? NULL : &have, which == 3 ? NULL : kA));
    OUT("  havemsg=%d\n", have);
    pauth("alice", &xa->auth);
    auth_env_free();
}
CASE(auth_handle_key_auth_NULL, CRASH) { ahk(0); }
CASE(auth_handle_key_keymsg_NULL, CRASH) { ahk(1); }
CASE(auth_handle_key_havemsgp_NULL, CRASH) { ahk(2); }
CASE(auth_handle_key_privkey_NULL, CRASH) { ahk(3); }
static void ahr(int which) {
    int have = -1;
    auth_env(3);
    pe("otrl_auth_handle_revealsig",
       otrl_auth_handle_revealsig(which == 0 ? NULL : &xb->auth, which == 1 ? NULL : m_rs, which == 2 ? NULL : &have,
                                  which == 3 ? NULL : kB, which == 4 ? NULL : auth_ok, which == 5 ? NULL : "bob"));
    OUT("  havemsg=%d\n", have);
    pauth("bob", &xb->auth);
    auth_env_free();
}
CASE(auth_handle_revealsig_auth_NULL, CRASH) { ahr(0); }
CASE(auth_handle_revealsig_revealmsg_NULL, CRASH) { ahr(1); }
CASE(auth_handle_revealsig_havemsgp_NULL, CRASH) { ahr(2); }
CASE(auth_handle_revealsig_privkey_NULL, CRASH) { ahr(3); }
CASE(auth_handle_revealsig_auth_succeeded_NULL, 0) { ahr(4); }
CASE(auth_handle_revealsig_asdata_NULL, 0) { ahr(5); }
static void ahs(int which) {
    int have = -1;
    auth_env(4);
    pe("otrl_auth_handle_signature",
       otrl_auth_handle_signature(which == 0 ? NULL : &xa->auth, which == 1 ? NULL : m_sig, which == 2 ? NULL : &have,
                                  which == 3 ? NULL : auth_ok, which == 4 ? NULL : "alice"));
    OUT("  havemsg=%d\n", have);
    pauth("alice", &xa->auth);
    auth_env_free();
}
CASE(auth_handle_signature_auth_NULL, CRASH) { ahs(0); }
CASE(auth_handle_signature_sigmsg_NULL, CRASH) { ahs(1); }
CASE(auth_handle_signature_havemsgp_NULL, CRASH) { ahs(2); }
CASE(auth_handle_signature_auth_succeeded_NULL, 0) { ahs(3); }
CASE(auth_handle_signature_asdata_NULL, 0) { ahs(4); }
static void av1(int which) {
    DH_keypair kp;
    otrl_dh_keypair_init(&kp);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &kp);
    auth_env(0);
    pe("otrl_auth_start_v1", otrl_auth_start_v1(which == 0 ? NULL : &xa->auth, which == 1 ? NULL : &kp, 1, which == 2 ? NULL : kA));
    pauth("alice", &xa->auth);
    otrl_dh_keypair_free(&kp);
}
CASE(auth_start_v1_auth_NULL, CRASH) { av1(0); }
CASE(auth_start_v1_our_dh_NULL, V1) { av1(1); }
CASE(auth_start_v1_privkey_NULL, CRASH) { av1(2); }
static void ahv1(int which) {
    DH_keypair ka, kb;
    int have = -1;
    otrl_dh_keypair_init(&ka);
    otrl_dh_keypair_init(&kb);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &ka);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &kb);
    auth_env(0);
    otrl_auth_start_v1(&xa->auth, &ka, 1, kA);
    char *m = sdup(xa->auth.lastauthmsg);
    pe("otrl_auth_handle_v1_key_exchange",
       otrl_auth_handle_v1_key_exchange(which == 0 ? NULL : &xb->auth, which == 1 ? NULL : m, which == 2 ? NULL : &have,
                                        which == 3 ? NULL : kB, which == 4 ? NULL : &kb, 1, which == 5 ? NULL : auth_ok,
                                        which == 6 ? NULL : "bob"));
    OUT("  havemsg=%d\n", have);
    pauth("bob", &xb->auth);
    free(m);
    otrl_dh_keypair_free(&ka);
    otrl_dh_keypair_free(&kb);
}
CASE(auth_handle_v1_key_exchange_auth_NULL, CRASH) { ahv1(0); }
CASE(auth_handle_v1_key_exchange_keyexchmsg_NULL, CRASH) { ahv1(1); }
CASE(auth_handle_v1_key_exchange_havemsgp_NULL, CRASH) { ahv1(2); }
CASE(auth_handle_v1_key_exchange_privkey_NULL, CRASH) { ahv1(3); }
CASE(auth_handle_v1_key_exchange_our_dh_NULL, V1) { ahv1(4); }
CASE(auth_handle_v1_key_exchange_auth_succeeded_NULL, V1) { ahv1(5); }
CASE(auth_handle_v1_key_exchange_asdata_NULL, V1) { ahv1(6); }
static void acopy(int which) {
    auth_env(2);
    otrl_auth_copy_on_key(which == 0 ? NULL : &xb->auth, which == 1 ? NULL : &xa->auth);
    done_line();
    pauth("alice", &xa->auth);
    pauth("bob", &xb->auth);
    auth_env_free();
}
CASE(auth_copy_on_key_m_auth_NULL, CRASH) { acopy(0); }
CASE(auth_copy_on_key_auth_NULL, 0) { acopy(1); }

/* ---- dh.h ---- */
CASE(dh_keypair_init_NULL, CRASH) { otrl_dh_keypair_init(NULL); done_line(); }
CASE(dh_keypair_free_NULL, CRASH) { otrl_dh_keypair_free(NULL); done_line(); }
CASE(dh_keypair_copy_dst_NULL, CRASH) {
    DH_keypair k;
    otrl_dh_keypair_init(&k);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &k);
    otrl_dh_keypair_copy(NULL, &k);
    done_line();
    otrl_dh_keypair_free(&k);
}
CASE(dh_keypair_copy_src_NULL, CRASH) {
    DH_keypair k;
    otrl_dh_keypair_init(&k);
    otrl_dh_keypair_copy(&k, NULL);
    OUT("  returned: groupid=%u priv=%s pub=%s\n", k.groupid, setnull(k.priv), setnull(k.pub));
    otrl_dh_keypair_free(&k);
}
CASE(dh_gen_keypair_kp_NULL, CRASH) { pe("otrl_dh_gen_keypair(DH1536, NULL)", otrl_dh_gen_keypair(DH1536_GROUP_ID, NULL)); }
static DH_keypair dk1, dk2;
static void dh_env(void) {
    otrl_dh_keypair_init(&dk1);
    otrl_dh_keypair_init(&dk2);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &dk1);
    otrl_dh_gen_keypair(DH1536_GROUP_ID, &dk2);
}
static void dh_env_free(void) {
    otrl_dh_keypair_free(&dk1);
    otrl_dh_keypair_free(&dk2);
}
static void dsess(int which) {
    DH_sesskeys s;
    memset(&s, 0, sizeof s);
    dh_env();
    pe("otrl_dh_session", otrl_dh_session(which == 0 ? NULL : &s, which == 1 ? NULL : &dk1, which == 2 ? NULL : dk2.pub));
    if (which) {
        OUT("  handles %d%d%d%d\n", s.sendenc != NULL, s.rcvenc != NULL, s.sendmac != NULL, s.rcvmac != NULL);
        otrl_dh_session_free(&s);
    }
    dh_env_free();
}
CASE(dh_session_sess_NULL, CRASH) { dsess(0); }
CASE(dh_session_kp_NULL, CRASH) { dsess(1); }
CASE(dh_session_y_NULL, CRASH) { dsess(2); }
static void dv2(int which) {
    unsigned char sid[20];
    size_t sidlen = 99;
    dh_env();
    auth_env(0);
    OtrlAuthInfo *a = &xa->auth; /* its handles are closed by otrl_auth_clear */
    pe("otrl_dh_compute_v2_auth_keys",
       otrl_dh_compute_v2_auth_keys(which == 0 ? NULL : &dk1, which == 1 ? NULL : dk2.pub, which == 2 ? NULL : sid,
                                    which == 3 ? NULL : &sidlen, which == 4 ? NULL : &a->enc_c, which == 5 ? NULL : &a->enc_cp,
                                    which == 6 ? NULL : &a->mac_m1, which == 7 ? NULL : &a->mac_m1p,
                                    which == 8 ? NULL : &a->mac_m2, which == 9 ? NULL : &a->mac_m2p));
    OUT("  sessionid_len=%zu handles %d%d%d%d%d%d\n", sidlen, a->enc_c != NULL, a->enc_cp != NULL, a->mac_m1 != NULL,
        a->mac_m1p != NULL, a->mac_m2 != NULL, a->mac_m2p != NULL);
    otrl_auth_clear(a);
    dh_env_free();
}
CASE(dh_compute_v2_auth_keys_our_dh_NULL, CRASH) { dv2(0); }
CASE(dh_compute_v2_auth_keys_their_pub_NULL, CRASH) { dv2(1); }
CASE(dh_compute_v2_auth_keys_sessionid_NULL, CRASH) { dv2(2); }
CASE(dh_compute_v2_auth_keys_sessionidlenp_NULL, CRASH) { dv2(3); }
CASE(dh_compute_v2_auth_keys_enc_c_NULL, CRASH) { dv2(4); }
CASE(dh_compute_v2_auth_keys_enc_cp_NULL, CRASH) { dv2(5); }
CASE(dh_compute_v2_auth_keys_mac_m1_NULL, CRASH) { dv2(6); }
CASE(dh_compute_v2_auth_keys_mac_m1p_NULL, CRASH) { dv2(7); }
CASE(dh_compute_v2_auth_keys_mac_m2_NULL, CRASH) { dv2(8); }
CASE(dh_compute_v2_auth_keys_mac_m2p_NULL, CRASH) { dv2(9); }
static void dv1(int which) {
    unsigned char sid[20];
    size_t sidlen = 99;
    OtrlSessionIdHalf half = 7;
    dh_env();
    pe("otrl_dh_compute_v1_session_id",
       otrl_dh_compute_v1_session_id(which == 0 ? NULL : &dk1, which == 1 ? NULL : dk2.pub, which == 2 ? NULL : sid,
                                     which == 3 ? NULL : &sidlen, which == 4 ? NULL : &half));
    OUT("  sessionid_len=%zu half=%s\n", sidlen, half == 7 ? "untouched" : "set");
    dh_env_free();
}
CASE(dh_compute_v1_session_id_our_dh_NULL, CRASH) { dv1(0); }
CASE(dh_compute_v1_session_id_their_pub_NULL, CRASH) { dv1(1); }
CASE(dh_compute_v1_session_id_sessionid_NULL, CRASH) { dv1(2); }
CASE(dh_compute_v1_session_id_sessionidlenp_NULL, CRASH) { dv1(3); }
CASE(dh_compute_v1_session_id_halfp_NULL, CRASH) { dv1(4); }
CASE(dh_session_free_NULL, CRASH) { otrl_dh_session_free(NULL); done_line(); }
CASE(dh_session_blank_NULL, CRASH) { otrl_dh_session_blank(NULL); done_line(); }
CASE(dh_incctr_NULL, CRASH) { otrl_dh_incctr(NULL); done_line(); }
CASE(dh_cmpctr_ctr1_NULL, CRASH) {
    unsigned char c[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    OUT("  -> %d\n", otrl_dh_cmpctr(NULL, c));
}
CASE(dh_cmpctr_ctr2_NULL, CRASH) {
    unsigned char c[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    OUT("  -> %d\n", otrl_dh_cmpctr(c, NULL));
}

/* ---- sm.h ---- */
static void smstate(const char *who, OtrlSMState *s) {
    OUT("  %s next=%d prog=%d secret=%s\n", who, s->nextExpected, s->sm_prog_state, setnull(s->secret));
}
CASE(sm_state_new_NULL, CRASH) { otrl_sm_state_new(NULL); done_line(); }
CASE(sm_state_init_NULL, CRASH) { otrl_sm_state_init(NULL); done_line(); }
CASE(sm_state_free_NULL, CRASH) { otrl_sm_state_free(NULL); done_line(); }
typedef struct { OtrlSMState a, b; unsigned char *m1, *m2, *m3, *m4; int l1, l2, l3, l4; } SmRun;
static void sm_env(SmRun *r, int upto) {
    memset(r, 0, sizeof *r);
    otrl_sm_state_new(&r->a);
    otrl_sm_state_new(&r->b);
    if (upto >= 1) otrl_sm_step1(&r->a, (const unsigned char *)"s", 1, &r->m1, &r->l1);
    if (upto >= 2) otrl_sm_step2a(&r->b, r->m1, r->l1, 0);
    if (upto >= 3) otrl_sm_step2b(&r->b, (const unsigned char *)"s", 1, &r->m2, &r->l2);
    if (upto >= 4) otrl_sm_step3(&r->a, r->m2, r->l2, &r->m3, &r->l3);
    if (upto >= 5) otrl_sm_step4(&r->b, r->m3, r->l3, &r->m4, &r->l4);
}
static void sm_env_free(SmRun *r) {
    free(r->m1); free(r->m2); free(r->m3); free(r->m4);
    otrl_sm_state_free(&r->a);
    otrl_sm_state_free(&r->b);
}
static void smout(gcry_error_t e, unsigned char *out, int len) {
    OUT("  -> %08x output=%s len>0=%d\n", e, out == (unsigned char *)1 ? "untouched" : setnull(out), len > 0);
    if (out != (unsigned char *)1) free(out);
}
static void sm1(int which) {
    SmRun r;
    unsigned char *out = (unsigned char *)1;
    int len = -1;
    sm_env(&r, 0);
    gcry_error_t e = otrl_sm_step1(which == 0 ? NULL : &r.a, which == 1 ? NULL : (const unsigned char *)"s", 1,
                                   which == 2 ? NULL : &out, which == 3 ? NULL : &len);
    smout(e, which == 2 ? (unsigned char *)1 : out, len);
    smstate("alice", &r.a);
    sm_env_free(&r);
}
CASE(sm_step1_astate_NULL, CRASH) { sm1(0); }
CASE(sm_step1_secret_NULL, CRASH) { sm1(1); }
CASE(sm_step1_output_NULL, CRASH) { sm1(2); }
CASE(sm_step1_outputlen_NULL, CRASH) { sm1(3); }
static void sm2a(int which) {
    SmRun r;
    sm_env(&r, 1);
    pe("otrl_sm_step2a", otrl_sm_step2a(which == 0 ? NULL : &r.b, which == 1 ? NULL : r.m1, r.l1, 0));
    smstate("bob", &r.b);
    sm_env_free(&r);
}
CASE(sm_step2a_bstate_NULL, CRASH) { sm2a(0); }
CASE(sm_step2a_input_NULL, CRASH) { sm2a(1); }
static void sm2b(int which) {
    SmRun r;
    unsigned char *out = (unsigned char *)1;
    int len = -1;
    sm_env(&r, 2);
    gcry_error_t e = otrl_sm_step2b(which == 0 ? NULL : &r.b, which == 1 ? NULL : (const unsigned char *)"s", 1,
                                    which == 2 ? NULL : &out, which == 3 ? NULL : &len);
    smout(e, which == 2 ? (unsigned char *)1 : out, len);
    smstate("bob", &r.b);
    sm_env_free(&r);
}
CASE(sm_step2b_bstate_NULL, CRASH) { sm2b(0); }
CASE(sm_step2b_secret_NULL, CRASH) { sm2b(1); }
CASE(sm_step2b_output_NULL, CRASH) { sm2b(2); }
CASE(sm_step2b_outputlen_NULL, CRASH) { sm2b(3); }
static void sm34(int step, int which) {
    SmRun r;
    unsigned char *out = (unsigned char *)1;
    int len = -1;
    sm_env(&r, step == 3 ? 3 : 4);
    OtrlSMState *s = step == 3 ? &r.a : &r.b;
    unsigned char *in = step == 3 ? r.m2 : r.m3;
    int inlen = step == 3 ? r.l2 : r.l3;
    gcry_error_t e = (step == 3 ? otrl_sm_step3 : otrl_sm_step4)(which == 0 ? NULL : s, which == 1 ? NULL : in, inlen,
                                                                  which == 2 ? NULL : &out, which == 3 ? NULL : &len);
    smout(e, which == 2 ? (unsigned char *)1 : out, len);
    smstate(step == 3 ? "alice" : "bob", s);
    sm_env_free(&r);
}
CASE(sm_step3_astate_NULL, CRASH) { sm34(3, 0); }
CASE(sm_step3_input_NULL, CRASH) { sm34(3, 1); }
CASE(sm_step3_output_NULL, CRASH) { sm34(3, 2); }
CASE(sm_step3_outputlen_NULL, CRASH) { sm34(3, 3); }
CASE(sm_step4_bstate_NULL, CRASH) { sm34(4, 0); }
CASE(sm_step4_input_NULL, CRASH) { sm34(4, 1); }
CASE(sm_step4_output_NULL, CRASH) { sm34(4, 2); }
CASE(sm_step4_outputlen_NULL, CRASH) { sm34(4, 3); }
static void sm5(int which) {
    SmRun r;
    sm_env(&r, 5);
    pe("otrl_sm_step5", otrl_sm_step5(which == 0 ? NULL : &r.a, which == 1 ? NULL : r.m4, r.l4));
    smstate("alice", &r.a);
    sm_env_free(&r);
}
CASE(sm_step5_astate_NULL, CRASH) { sm5(0); }
CASE(sm_step5_input_NULL, CRASH) { sm5(1); }
CASE(sm_msg1_init_NULL, CRASH) { otrl_sm_msg1_init(NULL); done_line(); }
CASE(sm_msg2_init_NULL, CRASH) { otrl_sm_msg2_init(NULL); done_line(); }
CASE(sm_msg3_init_NULL, CRASH) { otrl_sm_msg3_init(NULL); done_line(); }
CASE(sm_msg4_init_NULL, CRASH) { otrl_sm_msg4_init(NULL); done_line(); }
CASE(sm_msg_free_message_NULL, CRASH) { otrl_sm_msg_free(NULL, 6); done_line(); }
CASE(sm_msg_free_array_NULL, CRASH) {
    gcry_mpi_t *m = NULL;
    otrl_sm_msg_free(&m, 6);
    done_line();
}

/* ---- tlv.h ---- */
static void ptlv(OtrlTLV *t) {
    if (!t) { OUT("  -> NULL\n"); return; }
    OUT("  -> type=%u len=%u data=%s next=%s\n", t->type, t->len, setnull(t->data), setnull(t->next));
    otrl_tlv_free(t);
}
CASE(tlv_new_data_NULL_len0, 0) { ptlv(otrl_tlv_new(1, 0, NULL)); }
CASE(tlv_new_data_NULL_len3, CRASH) { ptlv(otrl_tlv_new(1, 3, NULL)); }
CASE(tlv_parse_serialized_NULL_len0, 0) { ptlv(otrl_tlv_parse(NULL, 0)); }
CASE(tlv_parse_serialized_NULL_len8, CRASH) { ptlv(otrl_tlv_parse(NULL, 8)); }
CASE(tlv_seriallen_NULL, 0) { OUT("  -> %zu\n", otrl_tlv_seriallen(NULL)); }
CASE(tlv_serialize_buf_NULL, CRASH) {
    OtrlTLV *t = otrl_tlv_new(1, 2, (const unsigned char *)"ab");
    otrl_tlv_serialize(NULL, t);
    done_line();
    otrl_tlv_free(t);
}
CASE(tlv_serialize_tlv_NULL, 0) {
    unsigned char buf[8];
    memset(buf, 0xee, 8);
    otrl_tlv_serialize(buf, NULL);
    OUT("  returned: buf[0]=%02x\n", buf[0]);
}
CASE(tlv_find_tlvs_NULL, 0) { OUT("  -> %s\n", setnull(otrl_tlv_find(NULL, 1))); }

/* ---- context.h ---- */
static void cfind(int which, int add) {
    int added = -1;
    ConnContext *c = otrl_context_find(which == 0 ? NULL : A->us, which == 1 ? NULL : "carol", which == 2 ? NULL : ALICE,
                                       which == 3 ? NULL : PROTO, OTRL_INSTAG_MASTER, add, which == 4 ? NULL : &added, NULL, NULL);
    OUT("  -> %s added=%d\n", c ? ctxname(c) : "NULL", added);
    show(A);
}
CASE(context_find_us_NULL, CRASH) { cfind(0, 0); }
CASE(context_find_user_NULL, 0) { cfind(1, 0); }
CASE(context_find_accountname_NULL, 0) { cfind(2, 0); }
CASE(context_find_protocol_NULL, 0) { cfind(3, 0); }
CASE(context_find_us_NULL_add, CRASH) { cfind(0, 1); }
CASE(context_find_user_NULL_add, 0) { cfind(1, 1); }
CASE(context_find_accountname_NULL_add, 0) { cfind(2, 1); }
CASE(context_find_protocol_NULL_add, 0) { cfind(3, 1); }
CASE(context_find_addedp_NULL_add, 0) { cfind(4, 1); }
CASE(context_is_fingerprint_trusted_NULL, 0) { OUT("  -> %d\n", otrl_context_is_fingerprint_trusted(NULL)); }
CASE(context_update_recent_child_NULL, CRASH) { otrl_context_update_recent_child(NULL, 1); done_line(); }
static void cfp(int which, int add) {
    int added = -1;
    unsigned char fp[20];
    memset(fp, 0x42, 20);
    Fingerprint *f = otrl_context_find_fingerprint(which == 0 ? NULL : amaster(), which == 1 ? NULL : fp, add,
                                                   which == 2 ? NULL : &added);
    OUT("  -> %s added=%d\n", f ? fpname(f->fingerprint) : "NULL", added);
    show(A);
}
CASE(context_find_fingerprint_context_NULL, 0) { cfp(0, 0); }
CASE(context_find_fingerprint_fingerprint_NULL, CRASH) { cfp(1, 0); }
CASE(context_find_fingerprint_context_NULL_add, 0) { cfp(0, 1); }
CASE(context_find_fingerprint_fingerprint_NULL_add, CRASH) { cfp(1, 1); }
CASE(context_find_fingerprint_addedp_NULL_add, 0) { cfp(2, 1); }
CASE(context_set_trust_fprint_NULL, 0) { otrl_context_set_trust(NULL, "verified"); done_line(); }
CASE(context_set_trust_trust_NULL, 0) {
    otrl_context_set_trust(actx()->active_fingerprint, "verified");
    otrl_context_set_trust(actx()->active_fingerprint, NULL);
    done_line();
    show(A);
}
CASE(context_force_finished_NULL, CRASH) { otrl_context_force_finished(NULL); done_line(); }
CASE(context_force_plaintext_NULL, CRASH) { otrl_context_force_plaintext(NULL); done_line(); }
CASE(context_forget_fingerprint_NULL, CRASH) { otrl_context_forget_fingerprint(NULL, 1); done_line(); }
CASE(context_forget_NULL, CRASH) { OUT("  -> %d\n", otrl_context_forget(NULL)); }
CASE(context_forget_all_NULL, CRASH) { otrl_context_forget_all(NULL); done_line(); }
CASE(context_find_recent_instance_NULL, 0) { OUT("  -> %s\n", setnull(otrl_context_find_recent_instance(NULL, OTRL_INSTAG_BEST))); }
CASE(context_find_recent_secure_instance_NULL, 0) { OUT("  -> %s\n", setnull(otrl_context_find_recent_secure_instance(NULL))); }
CASE(context_priv_force_finished_NULL, CRASH) { otrl_context_priv_force_finished(NULL); done_line(); }

/* ================= 2. freeing NULL ================= */
CASE(message_free_NULL, 0) { otrl_message_free(NULL); done_line(); }
CASE(tlv_free_NULL, 0) { otrl_tlv_free(NULL); done_line(); }
CASE(userstate_free_NULL, CRASH) { otrl_userstate_free(NULL); done_line(); }

/* ================= 3. before otrl_init (run first, in children of a parent that has
 * not called otrl_init either) ================= */
static Peer *pre_peers(OtrlPolicy pol) {
    Peer *a = peer_new("alice", ALICE, NULL, 0, pol);
    a->keyfile = "alice.key";
    a->instag = TAG_ALICE;
    return a;
}
static void pre_send(const char *m) {
    Peer *a = pre_peers(OTRL_POLICY_MANUAL);
    send_msg(a, m);
    show(a);
}
static void pre_recv(const char *m) {
    Peer *a = pre_peers(OTRL_POLICY_MANUAL);
    feed(a, BOB, m);
    show(a);
}
CASE(preinit_sending_plain, PRE) { pre_send("hello"); }
CASE(preinit_sending_query, PRE) { pre_send("?OTR?"); }
CASE(preinit_receiving_plain, PRE) { pre_recv("hello"); }
CASE(preinit_receiving_query, PRE | CRASH) { pre_recv("?OTRv3?"); }
CASE(preinit_receiving_error, PRE) { pre_recv("?OTR Error: x"); }
CASE(preinit_receiving_data, PRE) { pre_recv("?OTR:AAMDAAAAAQAAAAAA."); }

/* ================= 4. callbacks that re-enter the library ================= */
static OtrlMessageAppOps re_ops;
static int depth;

/* inject_message calls otrl_message_sending (bounded depth) */
static void re_inject(void *o, const char *ac, const char *pr, const char *rc, const char *m) {
    Peer *p = o;
    cb_inject(o, ac, pr, rc, m);
    if (depth < 2 && p == A && otrl_proto_message_type(m) == OTRL_MSGTYPE_DATA) {
        char text[32];
        depth++;
        snprintf(text, sizeof text, "nested %d", depth);
        OUT("    (inject re-enters: otrl_message_sending %s)\n", text);
        char *out = NULL;
        gcry_error_t e = otrl_message_sending(p->us, &re_ops, p, ALICE, PROTO, BOB, OTRL_INSTAG_BEST, text, NULL, &out,
                                              OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
        OUT("    (nested sending %s -> %08x)\n", text, e);
        otrl_message_free(out);
        depth--;
    }
}
CASE(reenter_inject_sending, 0) {
    re_ops = full_ops;
    re_ops.inject_message = re_inject;
    A->ops = &re_ops;
    send_msg(A, "outer");
    pump();
    show(A);
    show(B);
    A->mms = 150; /* fragments: inject called for each piece */
    send_msg(A, "outer, fragmented");
    pump();
    show(B);
}
CASE(reenter_inject_sending_ake, 0) {
    /* during the AKE: every AKE message injected makes alice send a message */
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.inject_message = re_inject;
    A->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    send_msg(A, "after ake");
    pump();
    show(A);
    show(B);
}

/* update_context_list walks us->context_root */
static void re_update(void *o) {
    Peer *p = o;
    OUT("    [%s] update_context_list:", p->name);
    for (ConnContext *c = p->us->context_root; c; c = c->next)
        printf(" %s/%s", ctxname(c), msgstate_s(c->msgstate));
    printf("\n");
}
CASE(reenter_update_context_list_walk, 0) {
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.update_context_list = re_update;
    A->ops = B->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    send_msg(A, "hello");
    pump();
    otrl_message_disconnect_all_instances(A->us, A->ops, A, ALICE, PROTO, BOB);
    pump();
}

/* gone_secure calls otrl_message_sending */
static void re_gone_secure_send(void *o, ConnContext *c) {
    Peer *p = o;
    cb_gone_secure(o, c);
    char *out = NULL;
    gcry_error_t e = otrl_message_sending(p->us, p->ops, p, p->account, PROTO, buddy_of(p), c->their_instance,
                                          "sent from gone_secure", NULL, &out, OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    OUT("    (gone_secure: otrl_message_sending -> %08x)\n", e);
    otrl_message_free(out);
}
CASE(reenter_gone_secure_sending, 0) {
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.gone_secure = re_gone_secure_send;
    A->ops = B->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    show(A);
    show(B);
}
/* gone_secure calls otrl_context_forget_all: the context libotr is working on is freed */
static void re_gone_secure_forget(void *o, ConnContext *c) {
    Peer *p = o;
    cb_gone_secure(o, c);
    OUT("    (gone_secure: otrl_context_forget_all)\n");
    otrl_context_forget_all(p->us);
}
CASE(reenter_gone_secure_forget_all, CRASH) {
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.gone_secure = re_gone_secure_forget;
    A->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    show(A);
    show(B);
}

/* handle_msg_event calls otrl_message_disconnect */
static void re_event_disconnect(void *o, OtrlMessageEvent ev, ConnContext *c, const char *m, gcry_error_t err) {
    Peer *p = o;
    cb_handle_msg_event(o, ev, c, m, err);
    if (ev == OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED || ev == OTRL_MSGEVENT_CONNECTION_ENDED ||
        ev == OTRL_MSGEVENT_RCVDMSG_UNREADABLE) {
        OUT("    (msg_event: otrl_message_disconnect %s)\n", ctxname(c));
        otrl_message_disconnect(p->us, p->ops, p, p->account, PROTO, buddy_of(p), c ? c->their_instance : OTRL_INSTAG_BEST);
    }
}
CASE(reenter_msg_event_disconnect, 0) {
    re_ops = full_ops;
    re_ops.handle_msg_event = re_event_disconnect;
    A->ops = B->ops = &re_ops;
    OUT("  -- unencrypted message while ENCRYPTED\n");
    feed(B, ALICE, "plain while encrypted");
    pump();
    show(A);
    show(B);
    OUT("  -- sending while FINISHED (CONNECTION_ENDED)\n");
    send_msg(A, "into a finished session");
    pump();
    show(A);
}
CASE(reenter_msg_event_disconnect_unreadable, 0) {
    re_ops = full_ops;
    re_ops.handle_msg_event = re_event_disconnect;
    A->ops = B->ops = &re_ops;
    feed(A, BOB, g_datamsg);
    feed(A, BOB, g_datamsg); /* replayed: unreadable */
    pump();
    show(A);
    show(B);
}

/* new_fingerprint calls otrl_context_set_trust */
static void re_new_fp(void *o, OtrlUserState us, const char *ac, const char *pr, const char *un, unsigned char fp[20]) {
    cb_new_fingerprint(o, us, ac, pr, un, fp);
    ConnContext *m = otrl_context_find(us, un, ac, pr, OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL);
    Fingerprint *f = m ? otrl_context_find_fingerprint(m, fp, 0, NULL) : NULL;
    OUT("    (new_fingerprint: master=%s fingerprint=%s; otrl_context_set_trust \"verified\")\n", ctxname(m), f ? fpname(f->fingerprint) : "NULL");
    if (f) otrl_context_set_trust(f, "verified");
}
CASE(reenter_new_fingerprint_set_trust, 0) {
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.new_fingerprint = re_new_fp;
    A->ops = B->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    show(A);
    show(B);
}

/* write_fingerprints calls otrl_privkey_write_fingerprints */
static char fpdir[64];
static void re_write_fps(void *o) {
    Peer *p = o;
    cb_write_fingerprints(o);
    char path[128];
    snprintf(path, sizeof path, "%s/%s.fp", fpdir, p->name);
    gcry_error_t e = otrl_privkey_write_fingerprints(p->us, path);
    OUT("    (write_fingerprints: otrl_privkey_write_fingerprints -> %08x)\n", e);
    print_file(path);
    unlink(path);
}
CASE(reenter_write_fingerprints, 0) {
    fresh();
    strcpy(fpdir, tmpdir());
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    re_ops = full_ops;
    re_ops.write_fingerprints = re_write_fps;
    A->ops = B->ops = &re_ops;
    send_msg(A, "?OTR?");
    pump();
    rmdir(fpdir);
}

/* ================= 5. every optional callback NULL in turn ================= */
static const struct { const char *name; size_t off; } opfields[] = {
#define F(x) {#x, offsetof(OtrlMessageAppOps, x)}
    F(policy), F(create_privkey), F(is_logged_in), F(inject_message), F(update_context_list), F(new_fingerprint),
    F(write_fingerprints), F(gone_secure), F(gone_insecure), F(still_secure), F(max_message_size), F(account_name),
    F(account_name_free), F(received_symkey), F(otr_error_message), F(otr_error_message_free), F(resent_msg_prefix),
    F(resent_msg_prefix_free), F(handle_smp_event), F(handle_msg_event), F(create_instag), F(convert_msg),
    F(convert_free), F(timer_control),
#undef F
};
static OtrlMessageAppOps nul_ops;
/* With a *_free callback NULL the library cannot hand back what the paired callback
 * allocated: keep those strings here and free them when the case ends. */
static void *pool[64];
static int npool;
static void pool_add(const void *x) { if (x && npool < 64) pool[npool++] = (void *)x; }
static void pool_free(void) { while (npool) free(pool[--npool]); }
static const char *pl_errmsg(void *o, ConnContext *c, OtrlErrorCode e) {
    const char *m = cb_otr_error_message(o, c, e);
    pool_add(m);
    return m;
}
static void pl_convert(void *o, ConnContext *c, OtrlConvertType t, char **d, const char *src) {
    cb_convert_msg(o, c, t, d, src);
    pool_add(*d);
}
static const char *pl_prefix(void *o, ConnContext *c) {
    const char *m = cb_resent_msg_prefix(o, c);
    pool_add(m);
    return m;
}
static void null_op(int i) {
    fresh();
    hide_lens = 1;
    nul_ops = full_ops;
    /* without create_instag alice has no stored tag: the library makes random ones */
    hide_instags = !strcmp(opfields[i].name, "create_instag");
    memset((char *)&nul_ops + opfields[i].off, 0, sizeof(void *));
    if (!nul_ops.otr_error_message_free) nul_ops.otr_error_message = pl_errmsg;
    if (!nul_ops.convert_free) nul_ops.convert_msg = pl_convert;
    if (!nul_ops.resent_msg_prefix_free) nul_ops.resent_msg_prefix = pl_prefix;
    OUT("  ops.%s = NULL (both peers); alice's key and instance tag are made on demand\n", opfields[i].name);
    /* alice: key and instance tag created on demand (create_privkey, create_instag) */
    A = peer_new("alice", ALICE, NULL, 0, OTRL_POLICY_MANUAL);
    A->keyfile = "alice.key";
    A->instag = TAG_ALICE;
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    A->ops = B->ops = &nul_ops;
    A->convert = 1;
    A->mms = 600;
    send_msg(A, "?OTR?");
    pump();
    send_msg(A, "hello");
    pump();
    send_msg(B, "hi");
    pump();
    unsigned char k[32];
    ConnContext *ac = actx(), *bc = bctx();
    if (!ac || !bc) {
        OUT("  (no instance contexts: alice's %s, bob's %s; the rest needs them)\n", ac ? "exists" : "missing", bc ? "exists" : "missing");
        show(A);
        show(B);
        return;
    }
    OUT("  otrl_message_symkey -> %08x\n", otrl_message_symkey(A->us, A->ops, A, ac, 7, (const unsigned char *)"u", 1, k));
    pump();
    OUT("  -- SMP with a question\n");
    otrl_message_initiate_smp_q(A->us, A->ops, A, ac, "q?", (const unsigned char *)"s", 1);
    pump();
    otrl_message_respond_smp(B->us, B->ops, B, bc, (const unsigned char *)"s", 1);
    pump();
    OUT("  -- SMP aborted\n");
    otrl_message_initiate_smp(A->us, A->ops, A, ac, (const unsigned char *)"s", 1);
    otrl_message_abort_smp(A->us, A->ops, A, ac);
    pump();
    OUT("  -- plaintext while encrypted, a replayed data message, heartbeat\n");
    feed(B, ALICE, "plain");
    hold_queue = 1;
    send_msg(A, "replayed");
    QMsg *q = dequeue();
    hold_queue = 0;
    if (q) {
        feed(B, ALICE, q->msg);
        feed(B, ALICE, q->msg);
        qfree(q);
    }
    pump();
    advance_clock(61);
    send_msg(B, "after a minute");
    pump();
    OUT("  -- refresh AKE (msgstates during it not shown: protocol-notes 3.5)\n");
    hide_msgstate = 1;
    send_msg(A, "?OTRv3?");
    pump();
    hide_msgstate = 0;
    OUT("  -- poll with a stale DH-Commit\n");
    otrl_context_force_plaintext(ac);
    otrl_context_force_plaintext(bc);
    hold_queue = 1;
    send_msg(A, "?OTRv3?");
    hold_queue = 0;
    drop_queue("lost");
    advance_clock(61);
    otrl_message_poll(A->us, A->ops, A);
    show(A);
    show(B);
    OUT("  -- v2 session lost by bob, alice's message resent\n");
    fresh();
    A = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ERROR_START_AKE);
    B = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ERROR_START_AKE);
    A->ops = B->ops = &nul_ops;
    send_msg(A, "?OTR?");
    pump();
    send_msg(A, "important");
    otrl_context_force_plaintext(otrl_context_find(B->us, ALICE, BOB, PROTO, OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL));
    pump();
    OUT("  -- disconnect\n");
    otrl_message_disconnect(A->us, A->ops, A, ALICE, PROTO, BOB, OTRL_INSTAG_MASTER);
    pump();
    send_msg(B, "to a closed session");
    pump();
    show(A);
    show(B);
    fresh();
    pool_free();
}
#define NULLOP(i, name, flags) CASE(null_op_##name, flags) { null_op(i); }
NULLOP(0, policy, 0)
NULLOP(1, create_privkey, 0)
NULLOP(2, is_logged_in, 0)
NULLOP(3, inject_message, 0)
NULLOP(4, update_context_list, 0)
NULLOP(5, new_fingerprint, 0)
NULLOP(6, write_fingerprints, 0)
NULLOP(7, gone_secure, 0)
NULLOP(8, gone_insecure, 0)
NULLOP(9, still_secure, 0)
NULLOP(10, max_message_size, 0)
NULLOP(11, account_name, 0)
NULLOP(12, account_name_free, 0)
NULLOP(13, received_symkey, 0)
NULLOP(14, otr_error_message, 0)
NULLOP(15, otr_error_message_free, 0)
NULLOP(16, resent_msg_prefix, 0)
NULLOP(17, resent_msg_prefix_free, 0)
NULLOP(18, handle_smp_event, 0)
NULLOP(19, handle_msg_event, 0)
NULLOP(20, create_instag, 0)
NULLOP(21, convert_msg, 0)
NULLOP(22, convert_free, 0)
NULLOP(23, timer_control, 0)

/* ================= 6. a context forgotten while its peer still sends ================= */
/* show() follows recent_child pointers; after a child is forgotten they may dangle in
 * libotr, so print them only as a position in the list. */
static int hide_recent; /* libotr leaves them dangling after a child is forgotten */
static void show_safe(Peer *p) {
    OUT("  contexts of %s:", p->name);
    if (!p->us->context_root) printf(" none");
    printf("\n");
    for (ConnContext *c = p->us->context_root; c; c = c->next) {
        printf("    %s msg=%s auth=%s", ctxname(c), msgstate_s(c->msgstate), authstate_s(c->auth.authstate));
        if (c->m_context == c && !hide_recent) {
            ConnContext *r[3] = {c->recent_child, c->recent_rcvd_child, c->recent_sent_child};
            for (int i = 0; i < 3; i++) {
                int pos = -1, j = 0;
                for (ConnContext *d = p->us->context_root; d; d = d->next, j++)
                    if (d == r[i]) pos = j;
                printf(" %s=%s", i == 0 ? "recent" : i == 1 ? "rcvd" : "sent",
                       r[i] == NULL ? "NULL" : pos >= 0 ? ctxname(r[i]) : "(not in list)");
            }
        }
        printf("\n");
    }
}
CASE(forget_encrypted_refused, 0) {
    OUT("  otrl_context_forget(alice's master) while ENCRYPTED -> %d\n", otrl_context_forget(amaster()));
    OUT("  otrl_context_forget(alice's instance) while ENCRYPTED -> %d\n", otrl_context_forget(actx()));
    show_safe(A);
}
CASE(forget_master_peer_sends, 0) {
    otrl_context_force_plaintext(actx());
    OUT("  otrl_context_forget(alice's master) -> %d\n", otrl_context_forget(amaster()));
    show_safe(A);
    feed(A, BOB, g_datamsg);
    pump();
    send_msg(B, "bob still sends");
    pump();
    show_safe(A);
    show(B);
}
CASE(forget_instance_peer_sends, 0) {
    /* libotr leaves the master's recent_child, recent_rcvd_child and recent_sent_child
     * pointing at the freed instance (a new instance may even reuse its address), ours
     * points them back at the master: not printed here */
    hide_recent = 1;
    otrl_context_force_plaintext(actx());
    OUT("  otrl_context_forget(alice's instance) -> %d\n", otrl_context_forget(actx()));
    show_safe(A);
    feed(A, BOB, g_datamsg);
    pump();
    send_msg(B, "bob still sends");
    pump();
    show_safe(A);
    show(B);
}
CASE(forget_instance_then_send_recent, CRASH) {
    /* the master's recent_child pointers still name the freed instance in libotr */
    otrl_context_force_plaintext(actx());
    OUT("  otrl_context_forget(alice's instance) -> %d\n", otrl_context_forget(actx()));
    send_msg_tlv(A, OTRL_INSTAG_RECENT, "to the most recent instance", NULL, OTRL_FRAGMENT_SEND_ALL);
    pump();
    show_safe(A);
}
CASE(forget_all_peer_sends, 0) {
    otrl_context_forget_all(A->us);
    OUT("  otrl_context_forget_all(alice)\n");
    show_safe(A);
    feed(A, BOB, g_datamsg);
    pump();
    send_msg(B, "bob still sends");
    pump();
    send_msg(A, "?OTR?");
    pump();
    send_msg(B, "after a new AKE");
    pump();
    show(A);
    show(B);
}
CASE(forget_fingerprint_peer_sends, 0) {
    Fingerprint *f = actx()->active_fingerprint;
    otrl_context_force_plaintext(actx());
    otrl_context_forget_fingerprint(f, 1);
    OUT("  otrl_context_forget_fingerprint(active, and_maybe_context=1)\n");
    show_safe(A);
    feed(A, BOB, g_datamsg);
    pump();
    show_safe(A);
}

CASE(forget_active_fingerprint_while_encrypted, CRASH) {
    /* fingerprints hang off the master context, which is PLAINTEXT: libotr frees the
     * fingerprint the ENCRYPTED instance still uses as active_fingerprint */
    otrl_context_forget_fingerprint(actx()->active_fingerprint, 1);
    OUT("  otrl_context_forget_fingerprint(active, and_maybe_context=1)\n");
    show_safe(A);
    feed(A, BOB, g_datamsg);
    pump();
    send_msg(A, "alice still sends");
    pump();
    show(A);
}

/* ================= the runner ================= */
static int cmp_case(const void *a, const void *b) { return ((const ApiCase *)a)->line - ((const ApiCase *)b)->line; }

/* Run one case in a child. Returns 0 if it returned normally. */
static int run_case(const ApiCase *c, int quiet_status) {
    flush_policy();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        alarm(600);
        hide_lens = 1;
        c->fn();
        flush_policy();
        fresh();
        pool_free();
        flush_policy();
        free(g_datamsg);
        free(g_fragmsg);
        fflush(stdout);
        exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (!quiet_status) {
        if (WIFSIGNALED(st)) printf("  !! child killed by signal %d (%s)\n", WTERMSIG(st), strsignal(WTERMSIG(st)));
        else printf("  !! child exited with status %d\n", WEXITSTATUS(st));
    }
    return 1;
}

enum { MODE_TRACE, MODE_PROBE, MODE_ROBUST };
static int api_main(int mode) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    qsort(api_cases, n_api_cases, sizeof *api_cases, cmp_case);
    np_init();
    int failed = 0, ran = 0;
    const char *only = getenv("API_ONLY"); /* one case, for debugging: API_ONLY=<name> */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            sim_init();
            base_state();
        }
        for (int i = 0; i < n_api_cases; i++) {
            const ApiCase *c = &api_cases[i];
            if (!!(c->flags & PRE) != (pass == 0)) continue;
            if (mode == MODE_TRACE && (c->flags & (CRASH | V1))) continue;
            if (mode == MODE_ROBUST && !(c->flags & CRASH)) continue;
            if (only && strcmp(only, c->name)) continue;
            printf("\n--- %s%s\n", c->name, c->flags & PRE ? " (before otrl_init)" : "");
            int r = run_case(c, 0);
            ran++;
            if (mode == MODE_PROBE) printf("PROBE %s %s\n", c->name, r ? "CRASH" : "ok");
            else if (r) failed++;
        }
    }
    flush_policy();
    free(g_datamsg);
    free(g_fragmsg);
    fresh();
    printf("\n%d cases, %d did not return normally\n", ran, failed);
    return failed ? 1 : 0;
}
#endif
