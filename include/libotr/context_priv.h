/* context_priv.h: the private part of a context: session keys, fragments, timers.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __CONTEXT_PRIV_H__
#define __CONTEXT_PRIV_H__

#include <stddef.h>
#include <time.h>
#include "dh.h"

typedef struct context_priv {
    /* A message being reassembled from fragments. */
    char *fragment;
    size_t fragment_len;
    unsigned short fragment_n, fragment_k;

    /* Their two most recent DH public keys. */
    unsigned int their_keyid;
    gcry_mpi_t their_y;
    gcry_mpi_t their_old_y;

    /* Our two most recent DH key pairs. */
    unsigned int our_keyid;
    DH_keypair our_dh_key;
    DH_keypair our_old_dh_key;

    /* sesskeys[i][j]: keys for our key (i=0 current, 1 previous) and their key
     * (j=0 current, 1 previous). */
    DH_sesskeys sesskeys[2][2];

    /* Receiving MAC keys to reveal in the next data message. */
    unsigned int numsavedkeys;
    unsigned char *saved_mac_keys;

    /* Bumped whenever the session keys change. */
    unsigned int generation;

    /* When we last sent and received a data message. */
    time_t lastsent;
    time_t lastrecv;

    /* The last message we sent, kept to be resent after a new AKE. */
    char *lastmessage;
    int may_retransmit;
} ConnContextPriv;

#ifdef __cplusplus
extern "C" {
#endif

/* A zero-filled private part (malloc'd). */
ConnContextPriv *otrl_context_priv_new();
void otrl_context_priv_force_finished(ConnContextPriv *context_priv);

#ifdef __cplusplus
}
#endif

#endif
