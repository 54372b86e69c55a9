/* Library init, version, memory, base64 and TLV functions. */
#include "common.h"

int main(void) {
    OTRL_INIT;
    printf("version %s\n", otrl_version());
    printf("init(4,0,0)=%08x\n", otrl_init(4, 0, 0));
    printf("init(4,2,0)=%08x\n", otrl_init(4, 2, 0));
    otrl_mem_init();
    unsigned char a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
    printf("mem_differ %d %d %d\n", otrl_mem_differ(a, b, 4), otrl_mem_differ(a, a, 4), otrl_mem_differ(a, b, 3));

    /* base64: fixed and pseudo-random inputs (alphabet, padding, junk). */
    char enc[64];
    size_t n = otrl_base64_encode(enc, (const unsigned char *)"hello world", 11);
    printf("b64 encode %zu %.*s\n", n, (int)n, enc);
    unsigned int seed = 7;
    for (int t = 0; t < 3000; t++) {
        char in[32];
        int len = seed % 28;
        for (int j = 0; j < len; j++) {
            seed = seed * 1103515245 + 12345;
            in[j] = "ABCab01+/=  =.\nZz9"[(seed >> 16) % 18];
        }
        unsigned char out[64];
        size_t m = otrl_base64_decode(out, in, len);
        printf("d%d:", t);
        hex(out, m);
        printf("\n");
        seed = seed * 1103515245 + 12345;
    }
    for (int len = 0; len < 20; len++) {
        unsigned char raw[20];
        for (int j = 0; j < len; j++) raw[j] = (unsigned char)(j * 37 + len);
        char *s = otrl_base64_otr_encode(raw, len);
        unsigned char *back;
        size_t bl;
        int r = otrl_base64_otr_decode(s, &back, &bl);
        printf("otr %d %s r=%d same=%d\n", len, s, r, r == 0 && bl == (size_t)len && !memcmp(raw, back, len));
        if (r == 0) free(back);
        free(s);
    }
    const char *msgs[] = {"?OTR:.", "?OTR:===.", "x?OTR:QUJD.y", "?OTR:QUJD", "hello", "?OTR:QU.JD.", NULL};
    for (int i = 0; msgs[i]; i++) {
        unsigned char *back;
        size_t bl;
        int r = otrl_base64_otr_decode(msgs[i], &back, &bl);
        printf("otr_decode %s r=%d", msgs[i], r);
        if (r == 0) { printf(" "); hex(back, bl); free(back); }
        printf("\n");
    }

    /* TLVs */
    OtrlTLV *t1 = otrl_tlv_new(OTRL_TLV_DISCONNECTED, 0, NULL);
    t1->next = otrl_tlv_new(OTRL_TLV_SYMKEY, 4, (const unsigned char *)"abcd");
    size_t sl = otrl_tlv_seriallen(t1);
    unsigned char ser[64];
    otrl_tlv_serialize(ser, t1);
    printf("tlv seriallen %zu ", sl);
    hex(ser, sl);
    printf(" data0_nul=%d\n", t1->next->data[4] == 0);
    for (size_t cut = 0; cut <= sl; cut++) {
        OtrlTLV *p = otrl_tlv_parse(ser, cut);
        int k = 0;
        for (OtrlTLV *q = p; q; q = q->next) k++;
        printf("parse %zu -> %d find_symkey=%d\n", cut, k, otrl_tlv_find(p, OTRL_TLV_SYMKEY) != NULL);
        otrl_tlv_free(p);
    }
    otrl_tlv_free(t1);
    otrl_tlv_free(NULL);

    unsigned char h[20];
    char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    for (int i = 0; i < 20; i++) h[i] = 0xa0 + i;
    otrl_privkey_hash_to_human(human, h);
    printf("human %s (%zu)\n", human, strlen(human));
    return 0;
}
