/* Time per complete SMP run (steps 1, 2a, 2b, 3, 4, 5 for both parties in one process)
 * for the library it is linked to:
 *   gcc -O2 smbench.c -o smbench.real /usr/lib/x86_64-linux-gnu/libotr.so.5 -lgcrypt
 *   gcc -O2 -I include smbench.c -o smbench.ours -L target/release -Wl,-rpath,$PWD/target/release -lotr
 *   ./smbench.real 50; ./smbench.ours 50 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libotr/proto.h>
#include <libotr/sm.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20, ok = 0;
    double step[6] = {0};
    OTRL_INIT;
    unsigned char secret[32];
    memset(secret, 7, sizeof secret);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        OtrlSMState a, b;
        unsigned char *m1, *m2, *m3, *m4;
        int l1, l2, l3, l4;
        double t;
        otrl_sm_state_new(&a);
        otrl_sm_state_new(&b);
        t = now(); otrl_sm_step1(&a, secret, 32, &m1, &l1); step[0] += now() - t;
        t = now(); otrl_sm_step2a(&b, m1, l1, 0); step[1] += now() - t;
        t = now(); otrl_sm_step2b(&b, secret, 32, &m2, &l2); step[2] += now() - t;
        t = now(); otrl_sm_step3(&a, m2, l2, &m3, &l3); step[3] += now() - t;
        t = now(); otrl_sm_step4(&b, m3, l3, &m4, &l4); step[4] += now() - t;
        t = now(); ok += otrl_sm_step5(&a, m4, l4) == 0; step[5] += now() - t;
        free(m1); free(m2); free(m3); free(m4);
        otrl_sm_state_free(&a);
        otrl_sm_state_free(&b);
    }
    double total = now() - t0;
    printf("%d runs, %d succeeded: %.1f ms per run (step1 %.1f, 2a %.1f, 2b %.1f, 3 %.1f, 4 %.1f, 5 %.1f)\n", n, ok,
           total * 1e3 / n, step[0] * 1e3 / n, step[1] * 1e3 / n, step[2] * 1e3 / n, step[3] * 1e3 / n,
           step[4] * 1e3 / n, step[5] * 1e3 / n);
    return ok == n ? 0 : 1;
}
