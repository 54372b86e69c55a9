/* irssi-plugin-otr and hexchat-otr implement the create_instag callback as
 *     otrl_instag_generate(us, "/dev/null", accountname, protocol);
 * and then write the instance tags to their own file. libotr fopen()s the name and
 * writes into it, so /dev/null stays /dev/null. This program calls it on the path given
 * and reports the result, whether the tag is in the state, and what the file is now.
 * cabi-tests/plugins/run.sh runs it against a character device made with mknod in a
 * temporary directory (never the real /dev/null), and as user nobody on /dev/null. */
#include <stdio.h>
#include <sys/stat.h>
#include <libotr/proto.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
#include <gcrypt.h>
int main(int argc, char **argv) {
    struct stat st;
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    gcry_error_t e = otrl_instag_generate(us, argv[1], "acct", "IRC");
    stat(argv[1], &st);
    printf("otrl_instag_generate(\"%s\") = %u (%s); instag in state: %s; file now: %s\n", argv[1], e, gcry_strerror(e),
           otrl_instag_find(us, "acct", "IRC") ? "yes" : "no", S_ISCHR(st.st_mode) ? "character device" : S_ISREG(st.st_mode) ? "REGULAR FILE" : "other");
    return 0;
}
