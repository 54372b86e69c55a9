/* Runs two SMP exchanges (equal, then different secrets) inside the library it is linked
 * to (the real libotr for src/crypto/testdata/libotr_smp.txt) and prints every message
 * and the state values after each step, so that our steps can be fed the real library's
 * messages with the real library's state:
 *   gcc smvec.c -o smvec -lotr -lgcrypt && ./smvec > src/crypto/testdata/libotr_smp.txt */
#include <stdio.h>
#include <string.h>
#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/sm.h>

static void pm(const char *run, const char *who, const char *n, gcry_mpi_t m) {
    unsigned char *b;
    if (!m) { printf("%s.%s.%s=NULL\n", run, who, n); return; }
    gcry_mpi_aprint(GCRYMPI_FMT_HEX, &b, NULL, m);
    printf("%s.%s.%s=%s\n", run, who, n, b);
    gcry_free(b);
}
static void ph(const char *run, const char *n, const unsigned char *b, int l) {
    printf("%s.%s=", run, n);
    for (int i = 0; i < l; i++) printf("%02x", b[i]);
    printf("\n");
}
static void dump(const char *run, const char *who, OtrlSMState *s) {
    pm(run, who, "secret", s->secret); pm(run, who, "x2", s->x2); pm(run, who, "x3", s->x3);
    pm(run, who, "g1", s->g1); pm(run, who, "g2", s->g2); pm(run, who, "g3", s->g3);
    pm(run, who, "g3o", s->g3o); pm(run, who, "p", s->p); pm(run, who, "q", s->q);
    pm(run, who, "pab", s->pab); pm(run, who, "qab", s->qab);
    printf("%s.%s.prog=%d\n", run, who, s->sm_prog_state);
}
static void one_run(const char *run, const char *sa, const char *sb) {
    OtrlSMState a, b;
    unsigned char *m1, *m2, *m3, *m4;
    int l1, l2, l3, l4;
    char who[16];
    otrl_sm_state_new(&a); otrl_sm_state_new(&b);
    printf("%s.step1=%08x\n", run, otrl_sm_step1(&a, (const unsigned char *)sa, strlen(sa), &m1, &l1));
    dump(run, "a1", &a); ph(run, "msg1", m1, l1);
    printf("%s.step2a=%08x\n", run, otrl_sm_step2a(&b, m1, l1, 1));
    dump(run, "b2a", &b);
    printf("%s.step2b=%08x\n", run, otrl_sm_step2b(&b, (const unsigned char *)sb, strlen(sb), &m2, &l2));
    dump(run, "b2b", &b); ph(run, "msg2", m2, l2);
    printf("%s.step3=%08x\n", run, otrl_sm_step3(&a, m2, l2, &m3, &l3));
    dump(run, "a3", &a); ph(run, "msg3", m3, l3);
    printf("%s.step4=%08x\n", run, otrl_sm_step4(&b, m3, l3, &m4, &l4));
    dump(run, "b4", &b); ph(run, "msg4", m4, l4);
    printf("%s.step5=%08x\n", run, otrl_sm_step5(&a, m4, l4));
    strcpy(who, "a5"); dump(run, who, &a);
    free(m1); free(m2); free(m3); free(m4);
    otrl_sm_state_free(&a); otrl_sm_state_free(&b);
}
int main(void) {
    OTRL_INIT;
    one_run("same", "a shared secret", "a shared secret");
    one_run("diff", "one secret", "another secret");
    return 0;
}
