/*
 * check_main.c: the one runner of every unit suite (redis's redisTests[]):
 *
 *   seen_check NAME...   run the suites named (ctest runs one each)
 *   seen_check           run every suite
 *   seen_check --list    print the names
 *
 * It initialises libsodium once and sets Check's per-test timeout for
 * every test to SEEN_CHECK_TIMEOUT seconds (CK_DEFAULT_TIMEOUT, when set,
 * wins; no suite sets its own): a guard against a hang and never a target,
 * so that a slow or loaded machine cannot fail a correct test.  Exits 0 when every test passed, 1 when one failed, 2 for
 * a name it does not know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "tests/suites.h"

/* A timeout no test comes near on a quiet machine, in seconds. */
#define SEEN_CHECK_TIMEOUT "600"

static const struct {
    const char *name;
    Suite *(*make)(void);
} suites[] = {
    {"check_audit", audit_suite},
    {"check_audit_frames", audit_frames_suite},
    {"check_backup", backup_suite},
    {"check_checkpoint", checkpoint_suite},
    {"check_common_file", file_suite},
    {"check_config", config_suite},
    {"check_control", control_suite},
    {"check_crypto_keys", keys_suite},
    {"check_crypto_keystore", keystore_suite},
    {"check_crypto_merkle", merkle_suite},
    {"check_crypto_note", note_suite},
    {"check_custodian", custodian_suite},
    {"check_crypto_oprf", crypto_oprf_suite},
    {"check_crypto_seal", seal_suite},
    {"check_crypto_sign", sign_suite},
    {"check_crypto_token", token_suite},
    {"check_disclosure", disclosure_suite},
    {"check_envelope", envelope_suite},
    {"check_match_cluster", cluster_suite},
    {"check_match_dates", match_dates_suite},
    {"check_match_em", match_em_suite},
    {"check_match_dmetaphone", dmetaphone_suite},
    {"check_match_ident", ident_suite},
    {"check_match_nickname", nickname_suite},
    {"check_match_normalise", normalise_suite},
    {"check_match_prf", match_prf_suite},
    {"check_match_anchored", match_anchored_suite},
    {"check_match_prfbatch", match_prfbatch_suite},
    {"check_match_tokens", tokens_suite},
    {"check_matcher", matcher_suite},
    {"check_matcher_steps", matcher_steps_suite},
    {"check_membership", membership_suite},
    {"check_membership_oprf", membership_oprf_suite},
    {"check_node_index", node_index_suite},
    {"check_node_ptokens", node_ptokens_suite},
    {"check_node_reimport", node_reimport_suite},
    {"check_operators", operators_suite},
    {"check_operators_peer", operators_peer_suite},
    {"check_outbox", outbox_suite},
    {"check_policy", policy_suite},
    {"check_record", record_suite},
    {"check_report", report_suite},
    {"check_replication", replication_suite},
    {"check_replication_attack", replication_attack_suite},
    {"check_replication_fuzz", replication_fuzz_suite},
    {"check_replication_ring", replication_ring_suite},
    {"check_service", service_suite},
    {"check_space", space_suite},
    {"check_storage", storage_suite},
    {"check_storage_alerts", storage_alerts_suite},
    {"check_storage_blocks", storage_blocks_suite},
    {"check_storage_defer", storage_defer_suite},
    {"check_storage_feed", storage_feed_suite},
    {"check_storage_index", storage_index_suite},
    {"check_storage_migrate", storage_migrate_suite},
    {"check_transport", transport_suite},
    {"check_world", world_suite},
    {"check_xlog", xlog_suite},
    {"check_xlog_pack", xlog_pack_suite},
};

#define NSUITES (sizeof suites / sizeof suites[0])

/* The suite called ${name}, or -1. */
static int
find(const char *name)
{
    size_t i;

    for (i = 0; i < NSUITES; i++)
        if (strcmp(suites[i].name, name) == 0)
            return (int)i;
    return -1;
}

int
main(int argc, char **argv)
{
    SRunner *sr = NULL;
    size_t i;
    int failed, k;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < NSUITES; i++)
            printf("%s\n", suites[i].name);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "seen_check: sodium_init failed\n");
        return 1;
    }
    setenv("CK_DEFAULT_TIMEOUT", SEEN_CHECK_TIMEOUT, 0);
    for (k = 1; k < argc; k++) {
        if (find(argv[k]) < 0) {
            fprintf(stderr, "seen_check: no suite named '%s' (--list)\n",
                argv[k]);
            return 2;
        }
    }
    for (i = 0; i < NSUITES; i++) {
        for (k = 1; k < argc; k++)
            if (strcmp(argv[k], suites[i].name) == 0)
                break;
        if (argc > 1 && k == argc)
            continue;
        if (sr == NULL)
            sr = srunner_create(suites[i].make());
        else
            srunner_add_suite(sr, suites[i].make());
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
