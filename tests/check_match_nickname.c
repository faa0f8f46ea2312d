/*
 * check_match_nickname.c: nickname groups from the compiled-in table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/nickname.h"

#include "tests/suites.h"

#define MAXG 64

/* 1 if ${head} is among the groups of ${name}. */
static int
in_group(const char *name, const char *head)
{
    const char *heads[MAXG];
    size_t n, i;

    n = seen_nickname_groups(name, heads, MAXG);
    for (i = 0; i < n; i++) {
        if (strcmp(heads[i], head) == 0)
            return (1);
    }
    return (0);
}

START_TEST(test_nickname_bill_and_william_are_related)
{

    ck_assert_int_eq(seen_nickname_related("BILL", "WILLIAM"), 1);
    ck_assert_int_eq(seen_nickname_related("WILLIAM", "BILL"), 1);
    ck_assert_int_eq(seen_nickname_related("BILLY", "WILL"), 1);
    ck_assert(in_group("BILL", "WILLIAM"));
}
END_TEST

START_TEST(test_nickname_mohammed_spellings_are_related)
{

    ck_assert_int_eq(seen_nickname_related("MOHAMMED", "MUHAMMAD"), 1);
    ck_assert_int_eq(seen_nickname_related("MOHAMED", "MUHAMMAD"), 1);
    ck_assert_int_eq(seen_nickname_related("MOHAMAD", "MO"), 1);
    ck_assert(in_group("MUHAMMAD", "MOHAMMED"));
}
END_TEST

START_TEST(test_nickname_uk_variants_are_related)
{

    ck_assert_int_eq(seen_nickname_related("SIOBHAN", "SHIVAUN"), 1);
    ck_assert_int_eq(seen_nickname_related("NIAMH", "NEVE"), 1);
    ck_assert_int_eq(seen_nickname_related("RHYS", "REECE"), 1);
    ck_assert_int_eq(seen_nickname_related("WOJCIECH", "WOJTEK"), 1);
    ck_assert_int_eq(seen_nickname_related("MALGORZATA", "GOSIA"), 1);
    ck_assert_int_eq(seen_nickname_related("OLUWASEUN", "SEUN"), 1);
    ck_assert_int_eq(seen_nickname_related("CHUKWUEMEKA", "EMEKA"), 1);
    ck_assert_int_eq(seen_nickname_related("KAYLEIGH", "KAYLEE"), 1);
    ck_assert_int_eq(seen_nickname_related("JAYDEN", "JAIDEN"), 1);
    ck_assert_int_eq(seen_nickname_related("ABDUL", "ABDOOL"), 1);
    ck_assert_int_eq(seen_nickname_related("HUSSAIN", "HUSSEIN"), 1);
}
END_TEST

START_TEST(test_nickname_lines_with_one_head_merge_across_files)
{

    /* nicknames-uk.csv adds "william,liam" to the US list's WILLIAM. */
    ck_assert_int_eq(seen_nickname_related("LIAM", "WILLIAM"), 1);
    ck_assert_int_eq(seen_nickname_related("LIAM", "BILL"), 1);
    ck_assert(in_group("LIAM", "WILLIAM"));
    ck_assert(in_group("BILL", "WILLIAM"));
}
END_TEST

START_TEST(test_nickname_unknown_name_is_in_no_group)
{
    const char *heads[MAXG];

    ck_assert_uint_eq(seen_nickname_groups("ZZYZX", heads, MAXG), 0);
    ck_assert_uint_eq(seen_nickname_groups("", heads, MAXG), 0);
    ck_assert_int_eq(seen_nickname_related("ZZYZX", "BILL"), 0);
    ck_assert_int_eq(seen_nickname_related("BILL", "ZZYZX"), 0);
    /* Equal names are related even when no list knows them. */
    ck_assert_int_eq(seen_nickname_related("ZZYZX", "ZZYZX"), 1);
}
END_TEST

START_TEST(test_nickname_al_is_in_several_groups)
{
    const char *heads[MAXG];
    size_t n, i;

    n = seen_nickname_groups("AL", heads, MAXG);
    ck_assert_uint_ge(n, 10);
    ck_assert(in_group("AL", "ALAN"));
    ck_assert(in_group("AL", "ALBERT"));
    ck_assert(in_group("AL", "ALFRED"));
    ck_assert(in_group("AL", "ALEXANDER"));
    for (i = 1; i < n; i++)
        ck_assert_msg(strcmp(heads[i - 1], heads[i]) < 0,
            "not sorted or not unique: %s, %s", heads[i - 1], heads[i]);
}
END_TEST

START_TEST(test_nickname_relation_is_not_transitive)
{

    ck_assert_int_eq(seen_nickname_related("ALAN", "AL"), 1);
    ck_assert_int_eq(seen_nickname_related("AL", "ALFRED"), 1);
    ck_assert_int_eq(seen_nickname_related("ALAN", "ALFRED"), 0);
}
END_TEST

START_TEST(test_nickname_unrelated_names_are_not_related)
{

    ck_assert_int_eq(seen_nickname_related("JOHN", "MARY"), 0);
    ck_assert_int_eq(seen_nickname_related("WILLIAM", "ROBERTA"), 0);
    ck_assert_int_eq(seen_nickname_related("SIOBHAN", "SEAN"), 0);
    ck_assert_int_eq(seen_nickname_related("MOHAMMED", "AHMED"), 0);
}
END_TEST

START_TEST(test_nickname_groups_respects_max)
{
    const char *all[MAXG], *some[3];
    size_t n, i;

    n = seen_nickname_groups("AL", all, MAXG);
    ck_assert_uint_gt(n, 3);
    ck_assert_uint_eq(seen_nickname_groups("AL", some, 3), 3);
    for (i = 0; i < 3; i++)
        ck_assert_str_eq(some[i], all[i]);
    ck_assert_uint_eq(seen_nickname_groups("AL", some, 0), 0);
}
END_TEST

START_TEST(test_nickname_initials_with_dots_are_read_as_letters)
{

    /* names.csv has "casey,k.c." */
    ck_assert(in_group("KC", "CASEY"));
    ck_assert_int_eq(seen_nickname_related("KC", "CASEY"), 1);
}
END_TEST

START_TEST(test_nickname_handles_bad_input)
{
    const char *heads[MAXG];
    char longname[4096];

    ck_assert_uint_eq(seen_nickname_groups(NULL, heads, MAXG), 0);
    ck_assert_uint_eq(seen_nickname_groups("BILL", NULL, MAXG), 0);
    ck_assert_uint_eq(seen_nickname_groups("bill", heads, MAXG), 0);
    ck_assert_uint_eq(seen_nickname_groups("BILL ", heads, MAXG), 0);
    ck_assert_int_eq(seen_nickname_related(NULL, "BILL"), 0);
    ck_assert_int_eq(seen_nickname_related("BILL", NULL), 0);
    ck_assert_int_eq(seen_nickname_related("", ""), 0);
    memset(longname, 'W', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_uint_eq(seen_nickname_groups(longname, heads, MAXG), 0);
    ck_assert_int_eq(seen_nickname_related(longname, "BILL"), 0);
}
END_TEST

/* Check every line of ${rel} (under the source tree) against the table. */
static size_t
check_csv(const char *rel)
{
    char path[4096], line[1024], name[128], head[128];
    FILE *f;
    size_t nlines = 0, k;
    const char *p;

    snprintf(path, sizeof(path), "%s/%s", SEEN_SOURCE_DIR, rel);
    ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        head[0] = '\0';
        for (p = line; *p != '\0' && *p != '\n';) {
            /* One field, upper-cased, letters only. */
            for (k = 0; *p != ',' && *p != '\n' && *p != '\0'; p++) {
                if (*p >= 'a' && *p <= 'z' && k < sizeof(name) - 1)
                    name[k++] = (char)(*p - 'a' + 'A');
            }
            name[k] = '\0';
            if (*p == ',')
                p++;
            if (k == 0)
                continue;
            if (head[0] == '\0')
                memcpy(head, name, k + 1);
            ck_assert_msg(in_group(name, head), "%s: %s not in group %s", rel,
                name, head);
            ck_assert_msg(seen_nickname_related(name, head),
                "%s: %s not related to %s", rel, name, head);
        }
        if (head[0] != '\0')
            nlines++;
    }
    fclose(f);
    return (nlines);
}

START_TEST(test_nickname_table_holds_every_line_of_both_files)
{

    ck_assert_uint_ge(check_csv("match/data/nicknames.csv"), 1000);
    ck_assert_uint_ge(check_csv("match/data/nicknames-uk.csv"), 80);
}
END_TEST

Suite *
nickname_suite(void)
{
    Suite *s = suite_create("match_nickname");
    TCase *tc = tcase_create("nickname");

    tcase_add_test(tc, test_nickname_bill_and_william_are_related);
    tcase_add_test(tc, test_nickname_mohammed_spellings_are_related);
    tcase_add_test(tc, test_nickname_uk_variants_are_related);
    tcase_add_test(tc, test_nickname_lines_with_one_head_merge_across_files);
    tcase_add_test(tc, test_nickname_unknown_name_is_in_no_group);
    tcase_add_test(tc, test_nickname_al_is_in_several_groups);
    tcase_add_test(tc, test_nickname_relation_is_not_transitive);
    tcase_add_test(tc, test_nickname_unrelated_names_are_not_related);
    tcase_add_test(tc, test_nickname_groups_respects_max);
    tcase_add_test(tc, test_nickname_initials_with_dots_are_read_as_letters);
    tcase_add_test(tc, test_nickname_handles_bad_input);
    tcase_add_test(tc, test_nickname_table_holds_every_line_of_both_files);
    suite_add_tcase(s, tc);
    return (s);
}
