/* Context and fingerprint lists, trust, forgetting. (Cases where we deliberately
 * differ from libotr 4.1.1 are not traced here; tests/contexts.rs covers them.) */
#include "common.h"

static int freed;
static void app_free(void *p) { freed++; free(p); }
static void add_app(void *data, ConnContext *c) {
    printf("  add_app_data(%s/%s, their=%x, data=%s)\n", c->username, c->protocol, c->their_instance, (char *)data);
    c->app_data = strdup("x");
    c->app_data_free = app_free;
}

int main(void) {
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    int added = -1;
    ConnContext *m = otrl_context_find(us, "bob", "acc", "prpl", OTRL_INSTAG_MASTER, 1, &added, add_app, "d1");
    printf("master added=%d\n", added);
    ConnContext *c1 = otrl_context_find(us, "bob", "acc", "prpl", 0x300, 1, &added, add_app, "d2");
    ConnContext *c2 = otrl_context_find(us, "bob", "acc", "prpl", 0x200, 1, &added, add_app, "d3");
    otrl_context_find(us, "bob", "acc", "aaa", 0, 1, &added, add_app, "d4");
    otrl_context_find(us, "bob", "acc", "zzz", 0, 1, NULL, NULL, NULL);
    otrl_context_find(us, "alice", "acc", "prpl", OTRL_INSTAG_RECENT, 1, &added, add_app, "d5");
    otrl_context_find(us, "bob", "aac", "prpl", 0, 1, NULL, NULL, NULL);
    otrl_context_find(us, "carol", "acc", "prpl", 7, 1, &added, NULL, NULL);
    printf("carol inst 7 added=%d\n", added);
    walk_contexts(us);
    printf("find existing child: %d added=%d\n", otrl_context_find(us, "bob", "acc", "prpl", 0x200, 1, &added, add_app, "x") == c2, added);
    printf("find missing no-add: %p\n", (void *)otrl_context_find(us, "bob", "acc", "prpl", 0x250, 0, &added, NULL, NULL));
    printf("find inst 7 no-add: %p\n", (void *)otrl_context_find(us, "carol", "acc", "prpl", 7, 0, NULL, NULL, NULL));
    printf("NULL user: %p\n", (void *)otrl_context_find(us, NULL, "acc", "prpl", 0, 1, NULL, NULL, NULL));
    printf("master of child ok=%d\n", c1->m_context == m && c2->m_context == m && m->m_context == m);

    printf("RECENT before any child is used == master %d\n", otrl_context_find(us, "bob", "acc", "prpl", OTRL_INSTAG_RECENT, 0, NULL, NULL, NULL) == m);
    otrl_context_update_recent_child(c1, 1);
    printf("after sent c1: rc=%d rs=%d rr=%d\n", m->recent_child == c1, m->recent_sent_child == c1, m->recent_rcvd_child == c1);
    otrl_context_update_recent_child(c2, 0);
    printf("after rcvd c2: rc=%d rs=%d rr=%d\n", m->recent_child == c2, m->recent_sent_child == c1, m->recent_rcvd_child == c2);
    printf("RECENT=c2 %d RECENT_SENT=c1 %d RECENT_RECEIVED=c2 %d\n",
           otrl_context_find(us, "bob", "acc", "prpl", OTRL_INSTAG_RECENT, 0, NULL, NULL, NULL) == c2,
           otrl_context_find_recent_instance(c1, OTRL_INSTAG_RECENT_SENT) == c1,
           otrl_context_find_recent_instance(m, OTRL_INSTAG_RECENT_RECEIVED) == c2);
    printf("BEST all plaintext == master %d\n", otrl_context_find(us, "bob", "acc", "prpl", OTRL_INSTAG_BEST, 0, NULL, NULL, NULL) == m);
    c1->msgstate = OTRL_MSGSTATE_FINISHED;
    printf("BEST finished child == c1 %d\n", otrl_context_find_recent_secure_instance(m) == c1);
    c2->msgstate = OTRL_MSGSTATE_ENCRYPTED;
    printf("BEST encrypted child == c2 %d\n", otrl_context_find_recent_secure_instance(c1) == c2);
    c1->msgstate = c2->msgstate = OTRL_MSGSTATE_PLAINTEXT;

    unsigned char fa[20], fb[20], fc[20];
    memset(fa, 0x11, 20); memset(fb, 0x22, 20); memset(fc, 0x33, 20);
    Fingerprint *f1 = otrl_context_find_fingerprint(c1, fa, 1, &added);
    printf("fp add on child: added=%d on_master=%d\n", added, f1->context == m);
    Fingerprint *f2 = otrl_context_find_fingerprint(m, fb, 1, &added);
    printf("second fp at head=%d, refind=%d added=%d\n", m->fingerprint_root.next == f2, otrl_context_find_fingerprint(c2, fa, 0, &added) == f1, added);
    printf("missing no-add %p\n", (void *)otrl_context_find_fingerprint(m, fc, 0, &added));
    printf("trusted(new)=%d\n", otrl_context_is_fingerprint_trusted(f1));
    otrl_context_set_trust(f1, "verified");
    printf("trusted(verified)=%d %s\n", otrl_context_is_fingerprint_trusted(f1), f1->trust);
    otrl_context_set_trust(f1, "");
    printf("trusted(\"\")=%d null=%d\n", otrl_context_is_fingerprint_trusted(f1), f1->trust == NULL);
    otrl_context_set_trust(f1, NULL);
    printf("trust NULL -> %p\n", (void *)f1->trust);
    otrl_context_set_trust(f2, "smp");
    walk_contexts(us);

    /* force_finished / force_plaintext */
    m->msgstate = OTRL_MSGSTATE_ENCRYPTED;
    m->active_fingerprint = f2;
    m->protocol_version = 3;
    m->sessionid_len = 8;
    memset(m->sessionid, 7, 20);
    m->smstate->nextExpected = OTRL_SMP_EXPECT3;
    m->smstate->sm_prog_state = OTRL_SMP_PROG_FAILED;
    m->context_priv->lastrecv = 88;
    m->context_priv->generation = 5;
    m->otr_offer = OFFER_SENT;
    otrl_context_force_finished(m);
    printf("finished: msgstate=%d active=%p pv=%u sidlen=%zu sid0=%d sm=%d/%d lastrecv=%ld gen=%u offer=%d auth=%d\n",
           m->msgstate, (void *)m->active_fingerprint, m->protocol_version, m->sessionid_len, m->sessionid[0],
           m->smstate->nextExpected, m->smstate->sm_prog_state, (long)m->context_priv->lastrecv,
           m->context_priv->generation, m->otr_offer, m->auth.authstate);
    otrl_context_force_plaintext(m);
    printf("plaintext: msgstate=%d\n", m->msgstate);

    /* Forgetting fingerprints (cases where libotr and we agree). */
    otrl_context_forget_fingerprint(f1, 0);
    printf("forgot f1:\n");
    walk_contexts(us);
    m->active_fingerprint = f2;
    otrl_context_forget_fingerprint(f2, 1);
    printf("f2 active in plaintext master: kept=%d\n", m->fingerprint_root.next == f2);
    m->active_fingerprint = NULL;
    otrl_context_forget_fingerprint(&c2->fingerprint_root, 1);
    printf("forgot child c2 via its root, freed=%d\n", freed);
    c1->msgstate = OTRL_MSGSTATE_FINISHED;
    printf("forget master with finished child: %d\n", otrl_context_forget(m));
    printf("forget finished child: %d\n", otrl_context_forget(c1));
    c1->msgstate = OTRL_MSGSTATE_PLAINTEXT;
    otrl_context_forget_fingerprint(f2, 1);
    printf("forgot last fp with and_maybe: freed=%d\n", freed);
    walk_contexts(us);

    ConnContext *z = otrl_context_find(us, "zed", "acc", "prpl", 0, 1, NULL, add_app, "d9");
    z->msgstate = OTRL_MSGSTATE_ENCRYPTED;
    printf("forget encrypted: %d\n", otrl_context_forget(z));
    otrl_context_forget_all(us);
    printf("forget_all: root=%p freed=%d\n", (void *)us->context_root, freed);
    otrl_context_find(us, "y", "acc", "prpl", 0, 1, NULL, add_app, "d10");
    otrl_userstate_free(us);
    printf("userstate freed, freed=%d\n", freed);

    ConnContextPriv *p = otrl_context_priv_new();
    printf("priv_new zero=%d\n", p->fragment == NULL && p->their_keyid == 0 && p->generation == 0 && p->lastmessage == NULL);
    p->generation = 3;
    p->may_retransmit = 1;
    otrl_context_priv_force_finished(p);
    printf("priv force_finished: gen=%u may=%d\n", p->generation, p->may_retransmit);
    free(p);
    return 0;
}
