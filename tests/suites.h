/*
 * suites.h: every Check suite of the unit tests, one per tests/check_*.c.
 * tests/check_main.c runs them by name; a new suite is one row there.
 */
#ifndef SEEN_TESTS_SUITES_H
#define SEEN_TESTS_SUITES_H

#include <check.h>

Suite *audit_suite(void);
Suite *audit_frames_suite(void);
Suite *backup_suite(void);
Suite *checkpoint_suite(void);
Suite *file_suite(void);
Suite *config_suite(void);
Suite *control_suite(void);
Suite *keys_suite(void);
Suite *keystore_suite(void);
Suite *merkle_suite(void);
Suite *note_suite(void);
Suite *crypto_oprf_suite(void);
Suite *seal_suite(void);
Suite *sign_suite(void);
Suite *space_suite(void);
Suite *token_suite(void);
Suite *disclosure_suite(void);
Suite *envelope_suite(void);
Suite *cluster_suite(void);
Suite *match_dates_suite(void);
Suite *match_em_suite(void);
Suite *match_prf_suite(void);
Suite *match_anchored_suite(void);
Suite *dmetaphone_suite(void);
Suite *ident_suite(void);
Suite *nickname_suite(void);
Suite *match_prfbatch_suite(void);
Suite *node_ptokens_suite(void);
Suite *node_reimport_suite(void);
Suite *normalise_suite(void);
Suite *tokens_suite(void);
Suite *matcher_suite(void);
Suite *matcher_steps_suite(void);
Suite *membership_suite(void);
Suite *membership_oprf_suite(void);
Suite *custodian_suite(void);
Suite *node_index_suite(void);
Suite *operators_suite(void);
Suite *operators_peer_suite(void);
Suite *outbox_suite(void);
Suite *policy_suite(void);
Suite *record_suite(void);
Suite *report_suite(void);
Suite *replication_suite(void);
Suite *replication_attack_suite(void);
Suite *replication_fuzz_suite(void);
Suite *replication_ring_suite(void);
Suite *service_suite(void);
Suite *storage_suite(void);
Suite *storage_alerts_suite(void);
Suite *storage_defer_suite(void);
Suite *storage_feed_suite(void);
Suite *storage_index_suite(void);
Suite *storage_blocks_suite(void);
Suite *storage_migrate_suite(void);
Suite *transport_suite(void);
Suite *xlog_suite(void);
Suite *xlog_pack_suite(void);
Suite *world_suite(void);

#endif /* !SEEN_TESTS_SUITES_H */
