/* Every API-misuse case of cabi-tests/src/api.h where libotr 4.1.1 crashes or corrupts
 * its heap (flag CRASH: NULL pointer arguments, otrl_message_receiving of a query
 * before otrl_init, callbacks that free the context libotr is working on, contexts
 * and fingerprints forgotten under a live session), run against ours only, each in a
 * forked child. Ours must return normally in every one of them; what it did is
 * printed (build/cabi/null_args.txt). Exits non-zero if any child crashed, hung or
 * exited non-zero (under valgrind/ASan: reported an error). */
#include "../src/api.h"

int main(void) { return api_main(MODE_ROBUST); }
