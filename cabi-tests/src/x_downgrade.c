/* protocol-notes.md section 3.5: silent downgrade of a live session by one forged
 * DH-Key.  NOT a t_* trace: ours must behave DIFFERENTLY from libotr 4.1.1 here, so the
 * runner does not compare it.  Build and run by hand, from the repository root:
 *   gcc -std=gnu11 cabi-tests/src/x_downgrade.c -o /tmp/x.real /usr/lib/x86_64-linux-gnu/libotr.so.5 -lgcrypt
 *   gcc -std=gnu11 -Icabi-tests/../include cabi-tests/src/x_downgrade.c -o /tmp/x.ours -Ltarget/release -Wl,-rpath,$PWD/target/release -lotr
 *
 * Scenario: alice and bob1 have an ENCRYPTED v3 session (alice's child context for
 * bob1's instance).  An attacker who can send IMs as bob@example.org sends "?OTRv3?",
 * so alice's MASTER context answers with a DH-Commit and sits in AWAITING_DHKEY; then
 * a forged DH-Key carrying bob1's real instance tag (g^y = 2, nothing else valid).
 *
 * libotr 4.1.1 (what the real library prints, marked "REAL"):
 *   - on the forged DH-Key, otrl_message_receiving copies the master's PLAINTEXT
 *     msgstate onto the live child ("Switching from m_context to existing instance
 *     context") before parsing anything; no callback fires; it answers with a
 *     Reveal-Sig and returns 1;
 *   - the child is now PLAINTEXT/AWAITING_SIG, and alice's next message (MANUAL
 *     policy) is returned untouched (*messagep NULL): the application sends it IN
 *     THE CLEAR.
 * Ours ("OURS_SAFE") must instead: keep the child ENCRYPTED (an unauthenticated
 * message never changes the msgstate of an ENCRYPTED context), and still encrypt
 * alice's next message; a forged DH-Key may at most be answered within the AKE
 * (or ignored), and only a completed AKE may replace the session (then gone_secure
 * or still_secure as for a refresh).
 */
#include "otrsim.h"

int main(void) {
    sim_init();
    Peer *a = peer_new("alice", ALICE, "alice.key", TAG_ALICE, OTRL_POLICY_MANUAL);
    Peer *b = peer_new("bob1", BOB, "bob.key", TAG_BOB1, OTRL_POLICY_MANUAL);
    (void)b;
    send_msg(a, "?OTR?");
    pump();
    show(a);
    printf("\n--- attacker: \"?OTRv3?\" as bob ---\n");
    hold_queue = 1;
    feed(a, BOB, "?OTRv3?");
    drop_queue("the attacker swallows alice's DH-Commit");
    show(a);
    printf("\n--- attacker: forged DH-Key with bob1's instance tag ---\n");
    unsigned char buf[64];
    size_t n = 0;
    buf[n++] = 0; buf[n++] = 3; buf[n++] = 0x0a;
    unsigned tags[2] = {TAG_BOB1, TAG_ALICE};
    for (int t = 0; t < 2; t++) { buf[n++] = tags[t] >> 24; buf[n++] = tags[t] >> 16; buf[n++] = tags[t] >> 8; buf[n++] = tags[t]; }
    buf[n++] = 0; buf[n++] = 0; buf[n++] = 0; buf[n++] = 1; buf[n++] = 2; /* MPI g^y = 2 */
    char *forged = otrl_base64_otr_encode(buf, n);
    feed(a, BOB, forged);
    free(forged);
    drop_queue("the attacker swallows alice's Reveal-Sig");
    show(a);
    ConnContext *c = otrl_context_find(a->us, BOB, ALICE, PROTO, TAG_BOB1, 0, NULL, NULL, NULL);
    printf("\nchild msgstate: %s  (REAL: PLAINTEXT; OURS_SAFE: ENCRYPTED)\n", c ? msgstate_s(c->msgstate) : "none");
    hold_queue = 0;
    printf("\n--- alice's next message ---\n");
    send_msg(a, "my secret");
    printf("(REAL: *messagep NULL, the text went out in the clear; OURS_SAFE: a DATA message)\n");
    pump();
    peers_free_all();
    return 0;
}
