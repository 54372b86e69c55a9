/* Known-answer Data Messages made by the library it is linked to (the real libotr
 * for src/crypto/testdata/libotr_data.txt):
 *   gcc -std=c99 datavec.c -o datavec -lotr -lgcrypt && ./datavec > src/crypto/testdata/libotr_data.txt
 *
 * Two ConnContexts, Alice's and Bob's, are put in the state libotr's go_encrypted
 * leaves after an AKE in which Alice's AKE key was A1 and Bob's B1: each has
 * our_old_dh_key = X1 (keyid 1), our_dh_key = X2 (keyid 2), their_y = the other's
 * X1 (their_keyid 1), sesskeys[0][0] and [1][0] computed with otrl_dh_session, all
 * counters zero.  All DH private keys are fixed constants (A1.. for Alice, B1.. for
 * Bob), so the whole exchange is deterministic: whenever otrl_proto_accept_data
 * rotates the receiver's own key (rotate_dh_keys, which draws a random key), the
 * fresh key is replaced by the receiver's next constant and sesskeys[0][0] / [0][1]
 * are recomputed from it -- what rotate_dh_keys would have computed had it drawn
 * that key (the replaced session keys are fresh and unused, so nothing else of the
 * state depends on the random key).
 *
 * The scenario (the same for protocol versions 3 and 2) is a list of steps; in each
 * one side calls otrl_proto_create_data and the other otrl_proto_accept_data on
 * the result.  Printed per step: the inputs, the encoded message, the sender's extra
 * key, what the receiver got (text up to the first NUL, TLVs re-serialized, flags,
 * extra key), which constant key replaced a rotation (if any), and afterwards both
 * sides' keyids and saved (to-be-revealed) MAC keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/dh.h>
#include <libotr/tlv.h>
#include <libotr/context.h>
#include <libotr/context_priv.h>
#include <libotr/userstate.h>

#define NKEYS 6
static const char *ALICE_KEYS[NKEYS] = {
    "16fe5e773ac9f6dbfc00021bb475df269f4a64948df4f3aa4ad0ade8a7f095458c282bb21bb1c8a8",
    "dfeb4e3c7dfce8b10e82371cbc9ec51478f93b91b19302cc8625cf5525847cfd27e6b44a0456251a",
    "46735925525b4d51fda4d49489a53085d48d0cd7d941a76fcd80de7edb6836479d19018f2519f0e4",
    "bfff4d8f1d15b8e87cf1d5efb6760bf5cd862763157ee1db7a06de32d8fa5cc3122ea21997c9b189",
    "67e8748a33ec9a70a326804b907fb9e4a83ab95bdfc5373c67aedddddb50d0f4a9544c0ef4f2b032",
    "a306fc6ae6b0a80ee81bb56355a536a5d69200b42af72f39957fd97cbb1f1c8468487708e512d7be",
};
static const char *BOB_KEYS[NKEYS] = {
    "63437f7bbe752f702e54bc1a1255224c569c1916872ab6a23a650dd0ea40897c58e52c8798331e98",
    "aa4ab58251d7fb75ec2676309d02acbcdb54fd2004c4c9945bec802fc0fe12fcab6d474ad818b866",
    "c3a58a5d335c951bdba3ae37cf41f190a208d73e216f5f7d22d67c744f069930156cd942de13ec12",
    "2c40bebb3bbd60541af78d68b0fdd1d5bcd448f04727dd362f9be7e70a6f410adee565f18f7732fb",
    "aa48068cc10e6fd6137da897e2f9d8e2be0ea51e60e03c64af31b19917427c2ecf8db80e8f920690",
    "4eeb5ccfc67222f4124b391efedfbd5b6f697d2cdcf05922acbf79ec3a6244dcc58077ba851dfa75",
};
static const char *P_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22"
    "514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6"
    "F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";
#define ALICE_INSTANCE 0x1111aaaau
#define BOB_INSTANCE 0x2222bbbbu

static gcry_mpi_t P;

static void ck(gcry_error_t e, const char *what) {
    if (e) { fprintf(stderr, "%s: %s\n", what, gcry_strerror(e)); exit(1); }
}
static void ph(const char *n, const unsigned char *b, size_t l) {
    printf("%s=", n);
    for (size_t i = 0; i < l; i++) printf("%02x", b[i]);
    printf("\n");
}
static void pmpi(const char *n, gcry_mpi_t m) {
    unsigned char *b; size_t l;
    ck(gcry_mpi_aprint(GCRYMPI_FMT_USG, &b, &l, m), "aprint");
    ph(n, b, l);
    gcry_free(b);
}
static void set_key(DH_keypair *kp, const char *privhex) {
    otrl_dh_keypair_init(kp);
    kp->groupid = DH1536_GROUP_ID;
    ck(gcry_mpi_scan(&kp->priv, GCRYMPI_FMT_HEX, privhex, 0, NULL), "scan");
    kp->pub = gcry_mpi_new(1536);
    gcry_mpi_t g = gcry_mpi_set_ui(NULL, 2);
    gcry_mpi_powm(kp->pub, g, kp->priv, P);
    gcry_mpi_release(g);
}

struct side {
    const char *name;
    const char **keys;
    int next_key;           /* index of the next constant to use */
    ConnContext *ctx;
};

static void setup(struct side *s, OtrlUserState us, const char *user, int version,
        unsigned int our_inst, unsigned int their_inst, const char *their_first) {
    int added;
    s->ctx = otrl_context_find(us, user, s->name, "prpl-kat", OTRL_INSTAG_MASTER, 1,
            &added, NULL, NULL);
    ConnContext *c = s->ctx;
    ConnContextPriv *p = c->context_priv;
    c->msgstate = OTRL_MSGSTATE_ENCRYPTED;
    c->protocol_version = version;
    c->our_instance = our_inst;
    c->their_instance = their_inst;
    otrl_dh_keypair_free(&p->our_old_dh_key);
    otrl_dh_keypair_free(&p->our_dh_key);
    set_key(&p->our_old_dh_key, s->keys[0]);
    set_key(&p->our_dh_key, s->keys[1]);
    s->next_key = 2;
    p->our_keyid = 2;
    DH_keypair them;
    set_key(&them, their_first);
    p->their_y = gcry_mpi_copy(them.pub);
    p->their_old_y = NULL;
    p->their_keyid = 1;
    otrl_dh_keypair_free(&them);
    ck(otrl_dh_session(&p->sesskeys[0][0], &p->our_dh_key, p->their_y), "sess00");
    ck(otrl_dh_session(&p->sesskeys[1][0], &p->our_old_dh_key, p->their_y), "sess10");
}

/* After accept_data rotated our key: use our next constant instead of the random one. */
static void fix_rotation(struct side *s) {
    ConnContextPriv *p = s->ctx->context_priv;
    otrl_dh_keypair_free(&p->our_dh_key);
    set_key(&p->our_dh_key, s->keys[s->next_key]);
    printf("recv_newkey=%d\n", s->next_key + 1);
    s->next_key++;
    otrl_dh_session_free(&p->sesskeys[0][0]);
    otrl_dh_session_free(&p->sesskeys[0][1]);
    ck(otrl_dh_session(&p->sesskeys[0][0], &p->our_dh_key, p->their_y), "rot00");
    if (p->their_old_y) {
        ck(otrl_dh_session(&p->sesskeys[0][1], &p->our_dh_key, p->their_old_y), "rot01");
    } else {
        otrl_dh_session_blank(&p->sesskeys[0][1]);
    }
}

static void ptlvs(const char *n, const OtrlTLV *t) {
    size_t l = otrl_tlv_seriallen(t);
    unsigned char *b = malloc(l + 1);
    otrl_tlv_serialize(b, t);
    ph(n, b, l);
    free(b);
}

static void pstate(struct side *s) {
    ConnContextPriv *p = s->ctx->context_priv;
    printf("%s_our_keyid=%u\n", s->name, p->our_keyid);
    printf("%s_their_keyid=%u\n", s->name, p->their_keyid);
    char n[32];
    snprintf(n, sizeof n, "%s_saved", s->name);
    ph(n, p->saved_mac_keys, 20 * p->numsavedkeys);
}

struct step {
    int from_alice;
    const char *msg;
    int ntlv;               /* TLVs: list of (type, data) */
    unsigned short tlvtype[3];
    const char *tlvdata[3]; /* raw bytes, length given by tlvlen */
    unsigned short tlvlen[3];
    unsigned char flags;
};

static const struct step STEPS[] = {
    /* Alice's first messages: keys (A1,B1), counter 1..4, next Y = A2 */
    { 1, "Hello Bob", 0, {0}, {0}, {0}, 0 },
    { 1, "", 0, {0}, {0}, {0}, 0 },
    { 1, "with TLVs \xc3\xa9", 2, { 0, 8 }, { "\0\0\0\0\0", "\0\0\0\x01" "abc" }, { 5, 7 }, 0 },
    { 1, "", 1, { 1 }, { "" }, { 0 }, OTRL_MSGFLAGS_IGNORE_UNREADABLE },
    /* Bob answers with (B1,A2): Alice rotates her key (-> A3) and his (-> B2) */
    { 0, "Hi Alice", 0, {0}, {0}, {0}, 0 },
    /* again with (B1,A2), which Alice now holds as sesskeys[1][1] */
    { 0, "second from Bob", 1, { 6 }, { "" }, { 0 }, 0 },
    /* Alice with (A2,B2), revealing; Bob rotates both (-> B3, Y A3) */
    { 1, "back to Bob", 1, { 0 }, { "\0\0\0" }, { 3 }, OTRL_MSGFLAGS_IGNORE_UNREADABLE },
    { 1, "more", 0, {0}, {0}, {0}, 0 },
    /* Bob with (B2,A3), revealing; Alice rotates both (-> A4, Y B3) */
    { 0, "reply with reveals", 0, {0}, {0}, {0}, 0 },
    { 1, "final from Alice", 0, {0}, {0}, {0}, 0 },
    { 0, "final from Bob", 1, { 8 }, { "\0\0\0\x02" }, { 4 }, 0 },
    { 1, "last", 0, {0}, {0}, {0}, 0 },
};

static void run(int version) {
    OtrlUserState us = otrl_userstate_create();
    struct side alice = { "alice", ALICE_KEYS, 0, NULL }, bob = { "bob", BOB_KEYS, 0, NULL };
    printf("variant=%d\n", version);
    printf("alice_instance=%08x\nbob_instance=%08x\n", ALICE_INSTANCE, BOB_INSTANCE);
    setup(&alice, us, "bob", version, ALICE_INSTANCE, BOB_INSTANCE, BOB_KEYS[0]);
    setup(&bob, us, "alice", version, BOB_INSTANCE, ALICE_INSTANCE, ALICE_KEYS[0]);
    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++) {
        const struct step *st = &STEPS[i];
        struct side *snd = st->from_alice ? &alice : &bob;
        struct side *rcv = st->from_alice ? &bob : &alice;
        OtrlTLV *tlvs = NULL;
        for (int t = st->ntlv - 1; t >= 0; t--) {
            OtrlTLV *n = otrl_tlv_new(st->tlvtype[t], st->tlvlen[t],
                    (const unsigned char *)st->tlvdata[t]);
            n->next = tlvs;
            tlvs = n;
        }
        printf("step=%zu\nfrom=%s\n", i + 1, snd->name);
        ph("flags", &st->flags, 1);
        ph("msg", (const unsigned char *)st->msg, strlen(st->msg));
        ptlvs("tlvs", tlvs);
        char *enc = NULL;
        unsigned char sx[32], rx[32];
        ck(otrl_proto_create_data(&enc, snd->ctx, st->msg, tlvs, st->flags, sx), "create");
        otrl_tlv_free(tlvs);
        printf("data=%s\n", enc);
        ph("send_extrakey", sx, 32);
        char *plain = NULL;
        OtrlTLV *rt = NULL;
        unsigned char rflags = 0xee;
        unsigned int before = rcv->ctx->context_priv->our_keyid;
        ck(otrl_proto_accept_data(&plain, &rt, rcv->ctx, enc, &rflags, rx), "accept");
        ph("recv_msg", (const unsigned char *)plain, strlen(plain));
        ptlvs("recv_tlvs", rt);
        ph("recv_flags", &rflags, 1);
        ph("recv_extrakey", rx, 32);
        if (rcv->ctx->context_priv->our_keyid != before) fix_rotation(rcv);
        pstate(&alice);
        pstate(&bob);
        free(plain);
        otrl_tlv_free(rt);
        free(enc);
    }
    otrl_userstate_free(us);
}

int main(void) {
    OTRL_INIT;
    ck(gcry_mpi_scan(&P, GCRYMPI_FMT_HEX, P_HEX, 0, NULL), "p");
    for (int i = 0; i < NKEYS; i++) {
        DH_keypair k;
        char n[16];
        set_key(&k, ALICE_KEYS[i]);
        snprintf(n, sizeof n, "alice_priv%d", i + 1); pmpi(n, k.priv);
        snprintf(n, sizeof n, "alice_pub%d", i + 1); pmpi(n, k.pub);
        otrl_dh_keypair_free(&k);
        set_key(&k, BOB_KEYS[i]);
        snprintf(n, sizeof n, "bob_priv%d", i + 1); pmpi(n, k.priv);
        snprintf(n, sizeof n, "bob_pub%d", i + 1); pmpi(n, k.pub);
        otrl_dh_keypair_free(&k);
    }
    run(3);
    run(2);
    return 0;
}
