/* proto.h: query messages, whitespace tags, classification, instance tags, data
 * flags, fragment creation and reassembly. */
#include "common.h"

static void accumulate(ConnContext *c, const char *m) {
    char *out = NULL;
    OtrlFragmentResult r = otrl_proto_fragment_accumulate(&out, c, m);
    printf("acc %-45s -> %d k=%u n=%u len=%zu out=%s\n", m, r, c->context_priv->fragment_k, c->context_priv->fragment_n,
           c->context_priv->fragment_len, out ? out : "(none)");
    free(out);
}

int main(void) {
    OTRL_INIT;
    OtrlPolicy pols[] = {0, 1, 2, 4, 6, 7, 0x76, 0x6e, 0x3f};
    for (int i = 0; i < 9; i++) {
        char *q = otrl_proto_default_query_msg("me <x>", pols[i]);
        printf("query %02x: %s\n", pols[i], q);
        free(q);
    }
    const char *qs[] = {"?OTR?", "?OTRv2?", "?OTRv3?", "?OTRv23?", "?OTR?v2?", "?OTRv?", "?OTRv234?", "?OTR?v23?",
                        "hello ?OTRv3? world", "?OTRv32?", "?OTR", "?OTRv", "?OTRv3", "?OTR?v", "?OTRv9999?", "x?OTR?", "", NULL};
    for (int i = 0; qs[i]; i++) {
        printf("best %-20s", qs[i]);
        for (int j = 0; j < 9; j++) printf(" %u", otrl_proto_query_bestversion(qs[i], pols[j]));
        printf(" type=%d\n", otrl_proto_message_type(qs[i]));
    }
    const char *tags[] = {"", OTRL_MESSAGE_TAG_V1, OTRL_MESSAGE_TAG_V2, OTRL_MESSAGE_TAG_V3,
                          OTRL_MESSAGE_TAG_V2 OTRL_MESSAGE_TAG_V3, OTRL_MESSAGE_TAG_V3 OTRL_MESSAGE_TAG_V2,
                          "        ", " \t \t \t \t", OTRL_MESSAGE_TAG_V2 "   ", NULL};
    for (int i = 0; tags[i]; i++) {
        char m[128];
        snprintf(m, sizeof m, "hi%s%sthere", OTRL_MESSAGE_TAG_BASE, tags[i]);
        printf("ws %d:", i);
        for (int j = 0; j < 9; j++) {
            const char *s, *e;
            unsigned int v = otrl_proto_whitespace_bestversion(m, &s, &e, pols[j]);
            printf(" %u/%ld/%ld", v, s ? (long)(s - m) : -1L, e ? (long)(e - m) : -1L);
        }
        printf(" type=%d\n", otrl_proto_message_type(m));
    }
    const char *s0, *e0;
    printf("ws none: %u %p %p\n", otrl_proto_whitespace_bestversion("no tag", &s0, &e0, 7), (void *)s0, (void *)e0);
    const char *ms[] = {"hello", "?OTR?v2?", "?OTRv3?", "?OTR Error: boom", "?OTR:AAIC", "?OTR:AAMC", "?OTR:AAIK",
                        "?OTR:AAMD", "?OTR:AAIR", "?OTR:AAIS", "?OTR:AAED", "?OTR:AAEK", "?OTR:AAMZ", "?OTR:ABCD",
                        "?OTR|00000100|00000101,00001,00002,?OTR:AAMD,", "?OTR,00001,00002,?OTR:AAID,", "x ?OTR:AAMD",
                        "?OTR", "?OTR:", "?OTR:AA", NULL};
    for (int i = 0; ms[i]; i++) {
        unsigned int from = 7, to = 7;
        unsigned char fl = 9;
        gcry_error_t e = otrl_proto_instance(ms[i], &from, &to);
        gcry_error_t e2 = otrl_proto_data_read_flags(ms[i], &fl);
        printf("msg %-45s type=%d version=%d instance=%08x %x %x flags=%08x %u\n", ms[i], otrl_proto_message_type(ms[i]),
               otrl_proto_message_version(ms[i]), e, e ? 0 : from, e ? 0 : to, e2, fl);
    }
    const char *enc[] = {"?OTR:AAMCAAABAAAAAAAAAAVoZWxsbw==.", "?OTR:AAMDAAABAAAAAAIBAAAA.", "?OTR:AAIDAQAAAA==.",
                         "?OTR:AAIDAQ", "?OTR:AAIC.", "?OTR:AAEDAQ==.", NULL};
    for (int i = 0; enc[i]; i++) {
        unsigned int from = 7, to = 7;
        unsigned char fl = 9;
        gcry_error_t e = otrl_proto_instance(enc[i], &from, &to);
        gcry_error_t e2 = otrl_proto_data_read_flags(enc[i], &fl);
        printf("enc %s instance=%08x %x %x flags=%08x %u\n", enc[i], e, e ? 0 : from, e ? 0 : to, e2, fl);
    }

    OtrlUserState us = otrl_userstate_create();
    ConnContext *c = otrl_context_find(us, "bob", "acc", "p", 0, 1, NULL, NULL, NULL);
    c->our_instance = 0x101;
    c->their_instance = 0x102;
    const char *big = "?OTR:AAMDabcdefghijklmnopqrstuvwxyz0123456789.";
    int mmss[] = {57, 39, 60, 100};
    for (unsigned pv = 2; pv <= 3; pv++)
        for (unsigned av = 2; av <= 3; av++)
            for (int i = 0; i < 4; i++) {
                char **fr;
                int count = 3;
                c->protocol_version = pv;
                c->auth.protocol_version = av;
                gcry_error_t e = otrl_proto_fragment_create(mmss[i], count, &fr, c, big);
                printf("create pv=%u av=%u mms=%d err=%08x", pv, av, mmss[i], e);
                if (!e) {
                    for (int k = 0; k < count; k++) printf(" [%s]", fr[k]);
                    otrl_proto_fragment_free(&fr, count);
                    printf(" freed=%d", fr == NULL);
                }
                printf("\n");
            }
    char **fr;
    printf("count 0: %08x\n", otrl_proto_fragment_create(57, 0, &fr, c, big));

    const char *seq[] = {"?OTR|00000101|00000102,00001,00003,abc,", "?OTR|00000101|00000102,00002,00003,def,",
                         "?OTR|00000101|00000102,00003,00003,ghi,", "?OTR,00001,00002,xy,", "?OTR,00002,00002,z,",
                         "?OTR,1,3,a,", "?OTR,3,3,c,", "?OTR,1,2,a,", "plain text", "?OTR,2,2,b,",
                         "?OTR,1,2,a,", "?OTR,0,2,b,", "?OTR,2,2,b,", "?OTR,1,2,a,", "?OTR,3,2,b,", "?OTR,2,2,b",
                         "?OTR,1,2,a,", "?OTR,2,2,,", "?OTR,1,1,only,", "?OTR,00001,00002,p,q,", "?OTR,2,2,r,",
                         "?OTR,1,2,a,", "?OTR,x,2,b,", "?OTR,2,2,c,", "?OTR,1,2,?OTR,1,1,a,,", NULL};
    for (int i = 0; seq[i]; i++) accumulate(c, seq[i]);
    otrl_userstate_free(us);
    return 0;
}
