/* API misuse across the conversation API (protocol-notes §2 class 23): NULL for each
 * pointer argument of otrl_message_*, otrl_proto_*, otrl_auth_*, otrl_dh_*, otrl_sm_*,
 * otrl_tlv_* and otrl_context_*, one at a time; freeing NULL; otrl_message_* before
 * otrl_init; callbacks that re-enter the library; every optional callback NULL in turn
 * through AKE, messages, SMP, heartbeat, refresh, poll, resend and disconnect; contexts
 * forgotten while the peer still sends.  The cases are in api.h, each in its own forked
 * child from the same ENCRYPTED two-peer state.
 *
 * Left out of this trace because libotr 4.1.1 crashes there: SIGSEGV, or for the last
 * three use-after-free shown by valgrind (flag CRASH in api.h; 143 cases, run against
 * ours by cabi-tests/robust/null_args.c, which requires ours to return normally):
 *   otrl_message_sending: us_NULL, ops_NULL
 *   otrl_message_receiving: us_NULL, ops_NULL, ops_NULL_plaintext
 *   otrl_message_disconnect_all_instances: us_NULL, ops_NULL
 *   otrl_message_disconnect: us_NULL, ops_NULL
 *   otrl_message_initiate_smp_q: us_NULL, ops_NULL, secret_NULL
 *   otrl_message_initiate_smp: us_NULL, ops_NULL, secret_NULL
 *   otrl_message_respond_smp: us_NULL, ops_NULL, secret_NULL
 *   otrl_message_abort_smp: ops_NULL, context_NULL
 *   otrl_message_symkey: ops_NULL
 *   otrl_proto_*: default_query_msg_ourname_NULL, query_bestversion_querymsg_NULL,
 *       whitespace_bestversion_msg_NULL, whitespace_bestversion_starttagp_NULL,
 *       whitespace_bestversion_endtagp_NULL, message_type_NULL,
 *       message_version_NULL, instance_instance_from_NULL,
 *       instance_instance_to_NULL, create_data_encmessagep_NULL,
 *       create_data_context_NULL, create_data_msg_NULL,
 *       data_read_flags_datamsg_NULL, accept_data_plaintextp_NULL,
 *       accept_data_tlvsp_NULL, accept_data_context_NULL, accept_data_datamsg_NULL,
 *       fragment_accumulate_context_NULL, fragment_accumulate_msg_NULL,
 *       fragment_create_fragments_NULL, fragment_create_context_NULL,
 *       fragment_create_message_NULL, fragment_free_fragments_NULL
 *   otrl_auth_*: new_context_NULL, clear_auth_NULL, start_v23_auth_NULL,
 *       handle_commit_auth_NULL, handle_commit_commitmsg_NULL,
 *       handle_key_auth_NULL, handle_key_keymsg_NULL, handle_key_havemsgp_NULL,
 *       handle_key_privkey_NULL, handle_revealsig_auth_NULL,
 *       handle_revealsig_revealmsg_NULL, handle_revealsig_havemsgp_NULL,
 *       handle_revealsig_privkey_NULL, handle_signature_auth_NULL,
 *       handle_signature_sigmsg_NULL, handle_signature_havemsgp_NULL,
 *       start_v1_auth_NULL, start_v1_privkey_NULL,
 *       handle_v1_key_exchange_auth_NULL, handle_v1_key_exchange_keyexchmsg_NULL,
 *       handle_v1_key_exchange_havemsgp_NULL, handle_v1_key_exchange_privkey_NULL,
 *       copy_on_key_m_auth_NULL
 *   otrl_dh_*: keypair_init_NULL, keypair_free_NULL, keypair_copy_dst_NULL,
 *       keypair_copy_src_NULL, gen_keypair_kp_NULL, session_sess_NULL,
 *       session_kp_NULL, session_y_NULL, compute_v2_auth_keys_our_dh_NULL,
 *       compute_v2_auth_keys_their_pub_NULL, compute_v2_auth_keys_sessionid_NULL,
 *       compute_v2_auth_keys_sessionidlenp_NULL, compute_v2_auth_keys_enc_c_NULL,
 *       compute_v2_auth_keys_enc_cp_NULL, compute_v2_auth_keys_mac_m1_NULL,
 *       compute_v2_auth_keys_mac_m1p_NULL, compute_v2_auth_keys_mac_m2_NULL,
 *       compute_v2_auth_keys_mac_m2p_NULL, compute_v1_session_id_our_dh_NULL,
 *       compute_v1_session_id_their_pub_NULL, compute_v1_session_id_sessionid_NULL,
 *       compute_v1_session_id_sessionidlenp_NULL, compute_v1_session_id_halfp_NULL,
 *       session_free_NULL, session_blank_NULL, incctr_NULL, cmpctr_ctr1_NULL,
 *       cmpctr_ctr2_NULL
 *   otrl_sm_*: state_new_NULL, state_init_NULL, state_free_NULL, step1_astate_NULL,
 *       step1_secret_NULL, step1_output_NULL, step1_outputlen_NULL,
 *       step2a_bstate_NULL, step2a_input_NULL, step2b_bstate_NULL,
 *       step2b_secret_NULL, step2b_output_NULL, step2b_outputlen_NULL,
 *       step3_astate_NULL, step3_input_NULL, step3_output_NULL,
 *       step3_outputlen_NULL, step4_bstate_NULL, step4_input_NULL,
 *       step4_output_NULL, step4_outputlen_NULL, step5_astate_NULL,
 *       step5_input_NULL, msg1_init_NULL, msg2_init_NULL, msg3_init_NULL,
 *       msg4_init_NULL, msg_free_message_NULL, msg_free_array_NULL
 *   otrl_tlv_*: new_data_NULL_len3, parse_serialized_NULL_len8, serialize_buf_NULL
 *   otrl_context_*: find_us_NULL, find_us_NULL_add, update_recent_child_NULL,
 *       find_fingerprint_fingerprint_NULL, find_fingerprint_fingerprint_NULL_add,
 *       force_finished_NULL, force_plaintext_NULL, forget_fingerprint_NULL,
 *       forget_NULL, forget_all_NULL, priv_force_finished_NULL
 *   otrl_userstate_free: NULL
 *   other cases: preinit_receiving_query, reenter_gone_secure_forget_all,
 *       forget_instance_then_send_recent, forget_active_fingerprint_while_encrypted
 * Also left out (flag V1): the four otrl_auth_*_v1 cases libotr survives; ours refuses
 * OTR v1 by design (README), so they are not compared.
 * Where ours deliberately differs (protocol-notes 3.5: an AKE over a live session does
 * not downgrade it before completing) its trace is expected/t_api.ours.txt.
 *
 * `t_api probe` runs every case and prints PROBE <case> ok|CRASH. */
#include "api.h"

int main(int argc, char **argv) {
    int mode = MODE_TRACE;
    if (argc > 1 && !strcmp(argv[1], "probe")) mode = MODE_PROBE;
    return api_main(mode);
}
