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
        "witnesses = 17", "gossip = yes", "custodian_member_limit = 0",
        "custodian_operator_limit = 4000000001", "custodian_timeout = 0",
        "custodian_timeout = 301"};
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

/* Parse ${text}: it must be refused with a log line holding ${want}. */
static void
refused_saying(const char *text, const char *want)
{
    struct seen_config c;
    char dir[256], log[300];
    size_t len;
    char *got;

    tu_tmpdir(dir, sizeof dir);
    snprintf(log, sizeof log, "%s/log", dir);
    tu_quiet(log);
    ck_assert_int_eq(seen_config_parse_string(text, &c), SEEN_EINVAL);
    tu_loud();
    ck_assert_ptr_nonnull(got = tu_slurp(log, &len));
    ck_assert_msg(strstr(got, want) != NULL, "said '%s', not '%s'", got,
        want);
    free(got);
    tu_rmrf(dir);
}

#define NODE "[node]\nname = tvp\ntype = police\nlocal_authority = R\n"

/* Each kind of bad line is named by its line and key, and says what the
 * key takes. */
START_TEST(test_config_bad_value_names_line_key_and_what_it_takes)
{
    refused_saying(NODE "[store]\nmap_size_mb = 12x\n",
        "seen.conf:6: [store] map_size_mb: bad value '12x': expected a "
        "whole number of MiB from 16 to 16777216");
    refused_saying(NODE "[store]\nmap_size_mb = 8\n",
        "seen.conf:6: [store] map_size_mb: bad value '8'");
    refused_saying(NODE "[federation]\nwitnesses = 17\n",
        "seen.conf:6: [federation] witnesses: bad value '17': expected a "
        "whole number from 1 to 16");
    refused_saying(NODE "[store]\ncheck_on_start = true\n",
        "seen.conf:6: [store] check_on_start: bad value 'true': expected "
        "yes or no");
    refused_saying(NODE "[log]\nlevel = loud\n",
        "seen.conf:6: [log] level: bad value 'loud': expected one of error, "
        "warning, info, debug");
    refused_saying("[node]\nname = TVP!\ntype = police\n",
        "seen.conf:2: [node] name: bad value 'TVP!': expected 1 to 63");
    refused_saying("[node]\ntype = wizard\n",
        "seen.conf:2: [node] type: bad value 'wizard': expected one of "
        "social_care");
    refused_saying(NODE "[network]\nlisten = udp://x:1\n",
        "seen.conf:6: [network] listen: bad value 'udp://x:1'");
}
END_TEST

START_TEST(test_config_bad_text_values_are_refused_with_their_bound)
{
    char text[1024];

    snprintf(text, sizeof text, NODE "agency = %0300d\n", 7);
    refused_saying(text, "seen.conf:5: [node] agency: bad value");
    refused_saying(text, "expected text of at most 255 bytes");
    /* inih's 200-byte lines are gone: a long agency still fits. */
    snprintf(text, sizeof text, NODE "agency = %0250d\n", 7);
    {
        struct seen_config c;

        ck_assert_int_eq(seen_config_parse_string(text, &c), 0);
        ck_assert_uint_eq(strlen(c.agency), 250);
    }
    /* A '#' comment after a value is part of the value: the error says
     * how to write one. */
    refused_saying(NODE "[log]\nlevel = info   # quieter\n",
        "(a comment after a value starts with ';')");
}
END_TEST

START_TEST(test_config_unknown_sections_keys_and_repeats_are_named)
{
    refused_saying(NODE "colour = red\n",
        "seen.conf:5: [node] colour: unknown key (see seen.conf(5))");
    refused_saying(NODE "[stroe]\nmap_size_mb = 64\n",
        "seen.conf:6: [stroe] map_size_mb: unknown section (the sections "
        "are node, store, network, federation, log)");
    refused_saying("name = tvp\n" NODE,
        "seen.conf:1: name: a key before any [section]");
    refused_saying(NODE "name = other\n",
        "seen.conf:5: [node] name: given twice (first on line 2)");
}
END_TEST

START_TEST(test_config_malformed_lines_and_missing_keys_are_named)
{
    refused_saying("[node\nname = tvp\n",
        "seen.conf:1: malformed section: '[node' (expected [NAME])");
    refused_saying(NODE "just words\n",
        "seen.conf:5: malformed line: 'just words' (expected KEY = VALUE)");
    refused_saying("[node]\nname = tvp\ntype = police\n",
        "seen.conf: [node] needs name, type and local_authority");
    refused_saying(NODE "[store]\nmap_size_mb = 64\n\nmap_limit_mb = 32\n",
        "seen.conf:8: [store] map_limit_mb: 32 is below map_size_mb (64)");
    {
        static const char nul[] = NODE "agency = a\0b\n";
        char dir[256], path[300];
        struct seen_config c;
        FILE *f;

        tu_tmpdir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/seen.conf", dir);
        ck_assert_ptr_nonnull(f = fopen(path, "w"));
        ck_assert_uint_eq(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
        fclose(f);
        tu_quiet(NULL);
        ck_assert_int_eq(seen_config_load(dir, &c), SEEN_EINVAL);
        tu_loud();
        tu_rmrf(dir);
    }
}
END_TEST

/* seen_config_load names the file by its path, and reports every bad
 * line, not only the first. */
START_TEST(test_config_load_names_the_path_and_every_bad_line)
{
    char dir[256], path[300], log[300], want[400];
    struct seen_config c;
    size_t len;
    char *got;
    FILE *f;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/seen.conf", dir);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs(NODE "[store]\nmap_size_mb = big\n[log]\nlevel = loud\n", f);
    fclose(f);
    snprintf(log, sizeof log, "%s/log", dir);
    tu_quiet(log);
    ck_assert_int_eq(seen_config_load(dir, &c), SEEN_EINVAL);
    tu_loud();
    ck_assert_ptr_nonnull(got = tu_slurp(log, &len));
    snprintf(want, sizeof want, "%s:6: [store] map_size_mb: bad value "
        "'big'", path);
    ck_assert_msg(strstr(got, want) != NULL, "said '%s'", got);
    snprintf(want, sizeof want, "%s:8: [log] level: bad value 'loud'",
        path);
    ck_assert_msg(strstr(got, want) != NULL, "said '%s'", got);
    free(got);
    tu_rmrf(dir);
}
END_TEST

/* What seen init wrote up to issue 15 (seen_config_save at 97b2c2c, byte
 * for byte), and inih's syntax that agency IT may have used by hand: ';'
 * comments after values, "KEY: VALUE", indentation, a BOM, CRLF. */
START_TEST(test_config_reads_what_the_previous_version_read)
{
    static const char saved[] =
        "# Seen node configuration; see docs/operations.md.\n"
        "[node]\nname = tvp\ntype = police\nlocal_authority = Reading\n"
        "agency = Thames Valley Police\n\n"
        "[store]\nmap_size_mb = 4096\nmap_limit_mb = 65536\n"
        "check_on_start = no\n\n"
        "[network]\nlisten = tcp://127.0.0.1:0\npeers = \n\n"
        "[federation]\nheads_every = 300\ncheckpoint_every = 60\n"
        "witnesses = 3\n\n"
        "[log]\nlevel = info\n";
    static const char hand[] =
        "\xef\xbb\xbf; by hand\r\n[node]\r\n  name: tvp\r\n"
        "type = police ; an agency type\r\nlocal_authority = Reading\r\n"
        "[ store ]\r\ncheck_on_start = yes\r\n";
    struct seen_config c;

    ck_assert_int_eq(seen_config_parse_string(saved, &c), 0);
    ck_assert_str_eq(c.agency, "Thames Valley Police");
    ck_assert_str_eq(c.peers, "");
    ck_assert_uint_eq(c.map_limit_mb, 65536);
    ck_assert_int_eq(c.check_on_start, 0);
    ck_assert_int_eq(c.log_level, SEEN_LOG_INFO);
    ck_assert_int_eq(seen_config_parse_string(hand, &c), 0);
    ck_assert_str_eq(c.name, "tvp");
    ck_assert_str_eq(c.type, "police");
    ck_assert_str_eq(c.local_authority, "Reading");
    ck_assert_int_eq(c.check_on_start, 1);
}
END_TEST

/* The package's /etc/seen/seen.conf.example loads, and every key it sets
 * outside [node] is the default. */
START_TEST(test_config_example_loads_with_the_defaults)
{
    struct seen_config c, d;
    char path[512];
    char *text;
    size_t len;

    snprintf(path, sizeof path, "%s/packaging/seen.conf.example",
        SEEN_SOURCE_DIR);
    ck_assert_ptr_nonnull(text = tu_slurp(path, &len));
    ck_assert_int_eq(seen_config_parse_string(text, &c), 0);
    free(text);
    seen_config_defaults(&d);
    ck_assert_uint_eq(c.map_size_mb, d.map_size_mb);
    ck_assert_uint_eq(c.map_limit_mb, d.map_limit_mb);
    ck_assert_int_eq(c.check_on_start, d.check_on_start);
    ck_assert_str_eq(c.listen, d.listen);
    ck_assert_str_eq(c.peers, d.peers);
    ck_assert_uint_eq(c.heads_every, d.heads_every);
    ck_assert_uint_eq(c.checkpoint_every, d.checkpoint_every);
    ck_assert_uint_eq(c.witnesses, d.witnesses);
    ck_assert_uint_eq(c.share_messages, d.share_messages);
    ck_assert_uint_eq(c.custodian_member_limit, 4000000);
    ck_assert_uint_eq(c.custodian_member_limit, d.custodian_member_limit);
    /* Unset: the custodian takes its epoch encoding's default. */
    ck_assert_uint_eq(c.custodian_operator_limit, 0);
    ck_assert_uint_eq(c.custodian_operator_limit,
        d.custodian_operator_limit);
    ck_assert_uint_eq(c.custodian_timeout, d.custodian_timeout);
    ck_assert_int_eq(c.log_level, d.log_level);
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
    tcase_add_test(tc, test_config_bad_value_names_line_key_and_what_it_takes);
    tcase_add_test(tc, test_config_bad_text_values_are_refused_with_their_bound);
    tcase_add_test(tc, test_config_unknown_sections_keys_and_repeats_are_named);
    tcase_add_test(tc, test_config_malformed_lines_and_missing_keys_are_named);
    tcase_add_test(tc, test_config_load_names_the_path_and_every_bad_line);
    tcase_add_test(tc, test_config_reads_what_the_previous_version_read);
    tcase_add_test(tc, test_config_example_loads_with_the_defaults);
    suite_add_tcase(s, tc);
    return s;
}
