/* sm.h: the Socialist Millionaires' Protocol state and steps.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __SM_H__
#define __SM_H__

#include "privkey-t.h"

/* libgcrypt's number for SHA-256, and its digest size. */
#define SM_HASH_ALGORITHM 8
#define SM_DIGEST_SIZE 32

/* Which SMP message we expect next. */
typedef enum {
    OTRL_SMP_EXPECT1,
    OTRL_SMP_EXPECT2,
    OTRL_SMP_EXPECT3,
    OTRL_SMP_EXPECT4,
    OTRL_SMP_EXPECT5
} NextExpectedSMP;

/* How the current SMP run is going. */
typedef enum {
    OTRL_SMP_PROG_OK = 0,
    OTRL_SMP_PROG_CHEATED = -2,
    OTRL_SMP_PROG_FAILED = -1,
    OTRL_SMP_PROG_SUCCEEDED = 1
} OtrlSMProgState;

/* SMP state of one context. secret is non-NULL once our secret is known. */
typedef struct {
    gcry_mpi_t secret, x2, x3, g1, g2, g3, g3o, p, q, pab, qab;
    NextExpectedSMP nextExpected;
    int received_question;	/* the peer's SMP1 carried a question */
    OtrlSMProgState sm_prog_state;
} OtrlSMState;

typedef OtrlSMState OtrlSMAliceState;
typedef OtrlSMState OtrlSMBobState;

#ifdef __cplusplus
extern "C" {
#endif

void otrl_sm_init(void);
void otrl_sm_state_new(OtrlSMState *smst);
void otrl_sm_state_init(OtrlSMState *smst);
void otrl_sm_state_free(OtrlSMState *smst);
gcry_error_t otrl_sm_step1(OtrlSMAliceState *astate, const unsigned char *secret, int secretlen, unsigned char **output, int *outputlen);
gcry_error_t otrl_sm_step2a(OtrlSMBobState *bstate, const unsigned char *input, const int inputlen, int received_question);
gcry_error_t otrl_sm_step2b(OtrlSMBobState *bstate, const unsigned char *secret, int secretlen, unsigned char **output, int *outputlen);
gcry_error_t otrl_sm_step3(OtrlSMAliceState *astate, const unsigned char *input, const int inputlen, unsigned char **output, int *outputlen);
gcry_error_t otrl_sm_step4(OtrlSMBobState *bstate, const unsigned char *input, const int inputlen, unsigned char **output, int *outputlen);
gcry_error_t otrl_sm_step5(OtrlSMAliceState *astate, const unsigned char *input, const int inputlen);

#ifdef __cplusplus
}
#endif

#endif
