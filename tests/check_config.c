/*
 * check_config: seen.conf, as agency IT edit it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/home.h"
#include "common/log.h"
#include "tests/suites.h"
#include "tests/testutil.h"

static const char good[] = "[node]\nname = tvp\ntype = police\n"
                           "local_authority = Reading\nagency = TVP\n"
                           "[store]\nmap_size_mb = 2048\n"
                           "[network]\nlisten = tcp://127.0.0.1:7400\n"
                           "peers = a,b\n[log]\nlevel = debug\n";

START_TEST(test_config_reads_every_key)
{
    struct seen_config c;

    ck_assert_int_eq(seen_config_parse_string(good, &c), 0);
    ck_assert_str_eq(c.name, "tvp");
    ck_assert_str_eq(c.type, "police");
    ck_assert_str_eq(c.local_authority, "Reading");
    ck_assert_uint_eq(c.map_size_mb, 2048);
    ck_assert_uint_eq(c.map_limit_mb, 65536); /* not given: the default */
    ck_assert_str_eq(c.listen, "tcp://127.0.0.1:7400");
    ck_assert_str_eq(c.peers, "a,b");
    ck_assert_int_eq(c.log_level, SEEN_LOG_DEBUG);
}
END_TEST

/* map_limit_mb: given, or 64 GiB, or the start size when that is more;
 * never below the start size. */
START_TEST(test_config_map_limit_defaults_and_bounds)
{
    static const char head[] = "[node]\nname = tvp\ntype = police\n"
                               "local_authority = R\n[store]\n";
    struct seen_config c;
    char text[512];

    snprintf(text, sizeof text, "%smap_limit_mb = 32\nmap_size_mb = 16\n",
        head);
    ck_assert_int_eq(seen_config_parse_string(text, &c), 0);
    ck_assert_uint_eq(c.map_size_mb, 16);
    ck_assert_uint_eq(c.map_limit_mb, 32);
    /* A seen.conf from before the key: a start size above 64 GiB is kept
     * as the limit, so that such a store still opens. */
    snprintf(text, sizeof text, "%smap_size_mb = 100000\n", head);
    ck_assert_int_eq(seen_config_parse_string(text, &c), 0);
    ck_assert_uint_eq(c.map_limit_mb, 100000);
    snprintf(text, sizeof text, "%smap_size_mb = 64\nmap_limit_mb = 32\n",
        head);
    ck_assert_int_eq(seen_config_parse_string(text, &c), SEEN_EINVAL);
    snprintf(text, sizeof text, "%smap_limit_mb = 8\n", head);
    ck_assert_int_eq(seen_config_parse_string(text, &c), SEEN_EINVAL);
    snprintf(text, sizeof text, "%smap_limit_mb = lots\n", head);
    ck_assert_int_eq(seen_config_parse_string(text, &c), SEEN_EINVAL);
}
END_TEST

START_TEST(test_config_refuses_bad_input)
{
    static const char *bad[] = {
        "[node]\nname = tvp\ntype = police\nlocal_authority = R\ncolour = red\n",
        "[node]\nname = TVP!\ntype = police\nlocal_authority = R\n",
        "[node]\nname = tvp\ntype = wizard\nlocal_authority = R\n",
        "[node]\nname = tvp\ntype = police\n",
        "[node]\nname = tvp\ntype = police\nlocal_authority = R\n"
        "[store]\nmap_size_mb = 1\n",
        "[node]\nname = tvp\ntype = police\nlocal_authority = R\n"
        "[store]\nmap_size_mb = 12x\n",
        "[node]\nname = tvp\ntype = police\nlocal_authority = R\n"
        "[network]\nlisten = udp://x:1\n",
        "[node\nname = tvp\n",
        "name without section\n",
    };
    struct seen_config c;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(seen_config_parse_string(bad[i], &c) == SEEN_EINVAL,
            "accepted case %zu", i);
}
END_TEST

START_TEST(test_config_save_then_load_round_trips)
{
    struct seen_config c, d;
    char dir[256];

    tu_tmpdir(dir, sizeof dir);
    ck_assert_int_eq(seen_config_parse_string(good, &c), 0);
    ck_assert_int_eq(seen_config_save(dir, &c), 0);
    ck_assert_int_eq(seen_config_load(dir, &d), 0);
    ck_assert_str_eq(d.name, c.name);
    ck_assert_str_eq(d.listen, c.listen);
    ck_assert_str_eq(d.peers, c.peers);
    ck_assert_uint_eq(d.map_size_mb, c.map_size_mb);
    c.map_limit_mb = 12345;
    ck_assert_int_eq(seen_config_save(dir, &c), 0);
    ck_assert_int_eq(seen_config_load(dir, &d), 0);
    ck_assert_uint_eq(d.map_limit_mb, 12345);
    tu_rmrf(dir);
}
END_TEST

START_TEST(test_config_federation_cadences_default_read_and_bounds)
{
    static const char *bad[] = {"heads_every = 9", "heads_every = 86401",
        "checkpoint_every = 0", "checkpoint_every = 1m", "witnesses = 0",
        "witnesses = 17", "gossip = yes"};
    char text[512], dir[256];
    struct seen_config c, d;
    size_t i;

    ck_assert_int_eq(seen_config_parse_string(good, &c), 0);
    ck_assert_uint_eq(c.heads_every, 300);
    ck_assert_uint_eq(c.checkpoint_every, 60);
    ck_assert_uint_eq(c.witnesses, 3);
    snprintf(text, sizeof text, "%s[federation]\nheads_every = 600\n"
        "checkpoint_every = 5\nwitnesses = 2\n", good);
    ck_assert_int_eq(seen_config_parse_string(text, &c), 0);
    ck_assert_uint_eq(c.heads_every, 600);
    ck_assert_uint_eq(c.checkpoint_every, 5);
    ck_assert_uint_eq(c.witnesses, 2);
    tu_tmpdir(dir, sizeof dir);
    ck_assert_int_eq(seen_config_save(dir, &c), 0);
    ck_assert_int_eq(seen_config_load(dir, &d), 0);
    ck_assert_uint_eq(d.heads_every, 600);
    ck_assert_uint_eq(d.checkpoint_every, 5);
    ck_assert_uint_eq(d.witnesses, 2);
    tu_rmrf(dir);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "%s[federation]\n%s\n", good, bad[i]);
        ck_assert_msg(seen_config_parse_string(text, &c) == SEEN_EINVAL,
            "accepted '%s'", bad[i]);
    }
}
END_TEST

Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");

    seen_log_init("check_config", SEEN_LOG_ERROR);
    tcase_add_test(tc, test_config_reads_every_key);
    tcase_add_test(tc, test_config_map_limit_defaults_and_bounds);
    tcase_add_test(tc, test_config_refuses_bad_input);
    tcase_add_test(tc, test_config_save_then_load_round_trips);
    tcase_add_test(tc, test_config_federation_cadences_default_read_and_bounds);
    suite_add_tcase(s, tc);
    return s;
}
