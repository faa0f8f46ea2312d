/*
 * check_match_dmetaphone.c: Double Metaphone against the reference vectors
 * (tests/data/dmetaphone/names.tsv, Apache commons-codec with a
 * maximum code length of 6) and on hostile input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "match/dmetaphone.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define NAMES_TSV "dmetaphone/names.tsv"
#define NAMES_ROWS 8876

/* Encode ${name}, which must succeed, into ${p} and ${a}. */
static void
encode_ok(const char *name, char p[static SEEN_DMETAPHONE_MAX + 1],
    char a[static SEEN_DMETAPHONE_MAX + 1])
{

    ck_assert_int_eq(seen_dmetaphone(name, p, a), 0);
    ck_assert_uint_le(strlen(p), SEEN_DMETAPHONE_MAX);
    ck_assert_uint_le(strlen(a), SEEN_DMETAPHONE_MAX);
}

/* Split a names.tsv line into its three fields in place; 0 or -1. */
static int
split_row(char *line, char **name, char **pri, char **alt)
{
    char *t1, *t2;

    line[strcspn(line, "\r\n")] = '\0';
    if ((t1 = strchr(line, '\t')) == NULL)
        return -1;
    if ((t2 = strchr(t1 + 1, '\t')) == NULL)
        return -1;
    if (strchr(t2 + 1, '\t') != NULL)
        return -1;
    *t1 = *t2 = '\0';
    *name = line;
    *pri = t1 + 1;
    *alt = t2 + 1;
    return 0;
}

START_TEST(test_dmetaphone_agrees_with_every_reference_row)
{
    char path[4096], line[512];
    char p[SEEN_DMETAPHONE_MAX + 1], a[SEEN_DMETAPHONE_MAX + 1];
    char *name, *pri, *alt;
    FILE *f;
    int rows = 0, bad = 0, lineno = 0;

    tu_data(NAMES_TSV, path, sizeof path);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        ck_assert_msg(
            strchr(line, '\n') != NULL || feof(f), "line %d too long", lineno);
        if (line[0] == '#' || line[0] == '\n')
            continue;
        ck_assert_msg(split_row(line, &name, &pri, &alt) == 0,
            "line %d: not three tab-separated fields", lineno);
        rows++;
        encode_ok(name, p, a);
        if (strcmp(p, pri) != 0 || strcmp(a, alt) != 0) {
            if (bad++ < 10)
                fprintf(stderr,
                    "mismatch: \"%s\": expected \"%s\" \"%s\", "
                    "got \"%s\" \"%s\"\n",
                    name, pri, alt, p, a);
        }
    }
    ck_assert_int_eq(ferror(f), 0);
    fclose(f);
    ck_assert_msg(
        bad == 0, "%d of %d rows disagree (first ones above)", bad, rows);
    ck_assert_int_eq(rows, NAMES_ROWS);
}
END_TEST

START_TEST(test_dmetaphone_keeps_final_j_space_in_alternate)
{
    char p[SEEN_DMETAPHONE_MAX + 1], a[SEEN_DMETAPHONE_MAX + 1];

    encode_ok("Andrzej", p, a);
    ck_assert_str_eq(p, "ANTRSJ");
    ck_assert_str_eq(a, "ANTRS ");
}
END_TEST

START_TEST(test_dmetaphone_gives_empty_codes_for_empty_name)
{
    char p[SEEN_DMETAPHONE_MAX + 1] = "junk";
    char a[SEEN_DMETAPHONE_MAX + 1] = "junk";

    encode_ok("", p, a);
    ck_assert_str_eq(p, "");
    ck_assert_str_eq(a, "");
    memcpy(p, "junk", 5);
    memcpy(a, "junk", 5);
    encode_ok("  \t ", p, a);
    ck_assert_str_eq(p, "");
    ck_assert_str_eq(a, "");
}
END_TEST

START_TEST(test_dmetaphone_rejects_non_ascii_byte)
{
    char p[SEEN_DMETAPHONE_MAX + 1], a[SEEN_DMETAPHONE_MAX + 1];

    /* "José" in UTF-8, and a lone Latin-1 byte at the very end. */
    ck_assert_int_eq(seen_dmetaphone("Jos\xc3\xa9", p, a), SEEN_EINVAL);
    ck_assert_str_eq(p, "");
    ck_assert_str_eq(a, "");
    ck_assert_int_eq(seen_dmetaphone("Smith\xe9", p, a), SEEN_EINVAL);
    ck_assert_int_eq(seen_dmetaphone("\x80", p, a), SEEN_EINVAL);
}
END_TEST

START_TEST(test_dmetaphone_truncates_long_name_to_six)
{
    char p[SEEN_DMETAPHONE_MAX + 2], a[SEEN_DMETAPHONE_MAX + 2];
    char *name;
    size_t i;

    /* Canaries one past the buffers the API promises to stay within. */
    p[SEEN_DMETAPHONE_MAX + 1] = a[SEEN_DMETAPHONE_MAX + 1] = '!';
    ck_assert_ptr_nonnull(name = malloc(1001));
    for (i = 0; i < 1000; i++)
        name[i] = "BDFKLMNPRST"[i % 11];
    name[1000] = '\0';
    encode_ok(name, p, a);
    ck_assert_uint_eq(strlen(p), SEEN_DMETAPHONE_MAX);
    ck_assert_uint_eq(strlen(a), SEEN_DMETAPHONE_MAX);
    ck_assert_str_eq(p, "PTFKLM");
    ck_assert_int_eq(p[SEEN_DMETAPHONE_MAX + 1], '!');
    ck_assert_int_eq(a[SEEN_DMETAPHONE_MAX + 1], '!');

    /* 1,000 vowels: only the first is coded, the rest walked past. */
    memset(name, 'a', 1000);
    encode_ok(name, p, a);
    ck_assert_str_eq(p, "A");
    ck_assert_str_eq(a, "A");
    free(name);
}
END_TEST

START_TEST(test_dmetaphone_ignores_case)
{
    static const char *names[] = {"Schmidt", "McLaughlin", "Andrzej", "Thomas",
        "Xavier", "Caesar", "Gallegos", "Wasserman", "Zhao", "Filipowicz",
        "San Jacinto", "Van Gogh"};
    char up[64], lo[64];
    char p1[SEEN_DMETAPHONE_MAX + 1], a1[SEEN_DMETAPHONE_MAX + 1];
    char p2[SEEN_DMETAPHONE_MAX + 1], a2[SEEN_DMETAPHONE_MAX + 1];
    size_t i, j;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (j = 0; names[i][j] != '\0'; j++) {
            up[j] = (char)((names[i][j] >= 'a' && names[i][j] <= 'z')
                               ? names[i][j] - 'a' + 'A'
                               : names[i][j]);
            lo[j] = (char)((names[i][j] >= 'A' && names[i][j] <= 'Z')
                               ? names[i][j] - 'A' + 'a'
                               : names[i][j]);
        }
        up[j] = lo[j] = '\0';
        encode_ok(up, p1, a1);
        encode_ok(lo, p2, a2);
        ck_assert_str_eq(p1, p2);
        ck_assert_str_eq(a1, a2);
        encode_ok(names[i], p2, a2);
        ck_assert_str_eq(p1, p2);
        ck_assert_str_eq(a1, a2);
    }
}
END_TEST

START_TEST(test_dmetaphone_ignores_surrounding_whitespace)
{
    char p1[SEEN_DMETAPHONE_MAX + 1], a1[SEEN_DMETAPHONE_MAX + 1];
    char p2[SEEN_DMETAPHONE_MAX + 1], a2[SEEN_DMETAPHONE_MAX + 1];

    /* A final J is only final once the trailing blanks are trimmed. */
    encode_ok("Andrzej", p1, a1);
    encode_ok(" \tAndrzej \n", p2, a2);
    ck_assert_str_eq(p1, p2);
    ck_assert_str_eq(a1, a2);
}
END_TEST

START_TEST(test_dmetaphone_survives_every_short_ascii_string)
{
    char p[SEEN_DMETAPHONE_MAX + 1], a[SEEN_DMETAPHONE_MAX + 1];
    char s[4];
    int c0, c1, c2;
    long bad = 0;

    /*
     * Every string of one to three bytes from 0x01..0x7f: the look-ahead and
     * look-behind rules reach up to six bytes away, so these are all edges.
     * Under the sanitizers and valgrind any stray read shows.  (Check's
     * assertions write to a pipe each time, so count failures instead.)
     */
    for (c0 = 1; c0 < 0x80; c0++) {
        for (c1 = 0; c1 < 0x80; c1++) {
            for (c2 = 0; c2 < 0x80; c2++) {
                s[0] = (char)c0;
                s[1] = (char)c1;
                s[2] = (char)c2;
                s[3] = '\0';
                if (seen_dmetaphone(s, p, a) != 0 ||
                    strlen(p) > SEEN_DMETAPHONE_MAX ||
                    strlen(a) > SEEN_DMETAPHONE_MAX)
                    bad++;
                if (c1 == 0)
                    break;
            }
        }
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

Suite *
dmetaphone_suite(void)
{
    Suite *s = suite_create("match_dmetaphone");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_dmetaphone_agrees_with_every_reference_row);
    tcase_add_test(tc, test_dmetaphone_keeps_final_j_space_in_alternate);
    tcase_add_test(tc, test_dmetaphone_gives_empty_codes_for_empty_name);
    tcase_add_test(tc, test_dmetaphone_rejects_non_ascii_byte);
    tcase_add_test(tc, test_dmetaphone_truncates_long_name_to_six);
    tcase_add_test(tc, test_dmetaphone_ignores_case);
    tcase_add_test(tc, test_dmetaphone_ignores_surrounding_whitespace);
    tcase_add_test(tc, test_dmetaphone_survives_every_short_ascii_string);
    suite_add_tcase(s, tc);
    return s;
}
