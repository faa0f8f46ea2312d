/*
 * check_match_ident.c: NHS number, UPN and PNC id checks.
 *
 * The vectors were worked by hand (the sums are in the comments) and
 * cross-checked against an independent script.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "match/ident.h"

#include "tests/suites.h"

/* ---- NHS number ---- */

static void
nhs_ok(const char *in, const char *want, int want_test)
{
    char out[SEEN_NHS_BYTES];
    int test = -1;

    ck_assert_msg(seen_nhs_check(in, out, &test) == 0, "rejected '%s'", in);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(test, want_test);
}

static void
nhs_bad(const char *in)
{
    char out[SEEN_NHS_BYTES];
    int test = -1;

    memset(out, 'x', sizeof(out));
    ck_assert_msg(seen_nhs_check(in, out, &test) == SEEN_EINVAL,
        "accepted '%s'", in ? in : "(null)");
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(test, -1);
}

START_TEST(test_nhs_accepts_valid_numbers)
{

    /* 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9 */
    nhs_ok("943 476 5919", "9434765919", 0);
    nhs_ok("9434765919", "9434765919", 0);
    nhs_ok("943-476-5919", "9434765919", 0);
    nhs_ok("  943 476 5919 ", "9434765919", 0);
    nhs_ok("94 34 76 59 19", "9434765919", 0);
    /* 40+0+8+0+12+15+8+3+6 = 92; 92 mod 11 = 4; 11-4 = 7 */
    nhs_ok("401 023 2137", "4010232137", 0);
}
END_TEST

START_TEST(test_nhs_flags_the_test_range)
{

    /* 90+81+72+0+0+0+0+0+1*2 = 245; 245 mod 11 = 3; 11-3 = 8 */
    nhs_ok("999 000 0018", "9990000018", 1);
    /* 243+5*2 = 253 = 23*11: 11-0 = 11, written 0 */
    nhs_ok("9990000050", "9990000050", 1);
}
END_TEST

START_TEST(test_nhs_accepts_null_test_range)
{
    char out[SEEN_NHS_BYTES];

    ck_assert_int_eq(seen_nhs_check("9434765919", out, NULL), 0);
    ck_assert_str_eq(out, "9434765919");
}
END_TEST

START_TEST(test_nhs_rejects_bad_check_digit)
{

    nhs_bad("943 476 5918");
    nhs_bad("943 476 5910");
    nhs_bad("9990000051");
}
END_TEST

START_TEST(test_nhs_rejects_check_value_ten)
{
    char in[11];
    int d;

    /* 90+81+72 = 243; 243 mod 11 = 1; 11-1 = 10: no check digit works. */
    for (d = 0; d <= 9; d++) {
        snprintf(in, sizeof(in), "999000000%d", d);
        nhs_bad(in);
    }
}
END_TEST

START_TEST(test_nhs_detects_any_mistyped_digit)
{
    const char *good = "9434765919";
    char in[11];
    int i, d;

    for (i = 0; i < 10; i++) {
        for (d = '0'; d <= '9'; d++) {
            if (d == good[i])
                continue;
            memcpy(in, good, sizeof(in));
            in[i] = (char)d;
            nhs_bad(in);
        }
    }
}
END_TEST

START_TEST(test_nhs_detects_swapped_neighbours)
{
    const char *good = "9434765919";
    char in[11], t;
    int i;

    for (i = 0; i < 9; i++) {
        if (good[i] == good[i + 1])
            continue;
        memcpy(in, good, sizeof(in));
        t = in[i];
        in[i] = in[i + 1];
        in[i + 1] = t;
        nhs_bad(in);
    }
}
END_TEST

START_TEST(test_nhs_rejects_wrong_length)
{

    nhs_bad("");
    nhs_bad("   ");
    nhs_bad("943476591");
    nhs_bad("94347659190");
    nhs_bad("09434765919");
    nhs_bad("943 476 5919 1");
}
END_TEST

START_TEST(test_nhs_rejects_letters_and_other_separators)
{

    nhs_bad("943476591A");
    nhs_bad("943 476 59I9");
    nhs_bad("9434765919x");
    nhs_bad("943.476.5919");
    nhs_bad("943_476_5919");
    nhs_bad("943/476/5919");
    nhs_bad("943\t476\t5919");
    nhs_bad("-9434765919");
    nhs_bad("9434765919-");
    nhs_bad("\xef\xbc\x99"
            "434765919"); /* fullwidth 9 */
    nhs_bad(NULL);
}
END_TEST

START_TEST(test_nhs_rejects_repeated_digit_placeholders)
{
    char in[11];
    int d;

    /* Ten equal digits pass the modulus 11 check but are never issued. */
    for (d = 0; d <= 9; d++) {
        memset(in, '0' + d, 10);
        in[10] = '\0';
        nhs_bad(in);
    }
    nhs_bad("000 000 0000");
    nhs_bad("999-999-9999");
}
END_TEST

/* ---- UPN ---- */

static void
upn_ok(const char *in, const char *want, int want_temp)
{
    char out[SEEN_UPN_BYTES];
    int temp = -1;

    ck_assert_msg(seen_upn_check(in, out, &temp) == 0, "rejected '%s'", in);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(temp, want_temp);
}

static void
upn_bad(const char *in)
{
    char out[SEEN_UPN_BYTES];
    int temp = -1;

    memset(out, 'x', sizeof(out));
    ck_assert_msg(seen_upn_check(in, out, &temp) == SEEN_EINVAL,
        "accepted '%s'", in ? in : "(null)");
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(temp, -1);
}

START_TEST(test_upn_accepts_hand_computed_vectors)
{

    /* 8*2+1*4+2*5+5*10+1*13 = 93; 93 mod 23 = 1: B */
    upn_ok("B801200005001", "B801200005001", 0);
    /* 2*2+7*4+1*9+6*10+4*12+9*13 = 266; 266 mod 23 = 13: P.  (A widely
     * copied help page works this example to 267 and Q; both are wrong.) */
    upn_ok("P207000016049", "P207000016049", 0);
    /* 16+6+12+20+30+42+56+72+90+0+12+26 = 382; 382 mod 23 = 14: Q */
    upn_ok("Q823456789012", "Q823456789012", 0);
}
END_TEST

START_TEST(test_upn_accepts_temporary_form)
{

    /* 4+28+9+60+48 = 149, A = 0: 149 mod 23 = 11: M */
    upn_ok("M20700001604A", "M20700001604A", 1);
    /* 149 + 22*13 = 435 (Z = 22); 435 mod 23 = 21: Y */
    upn_ok("Y20700001604Z", "Y20700001604Z", 1);
}
END_TEST

START_TEST(test_upn_is_case_insensitive_and_trims_spaces)
{

    upn_ok("b801200005001", "B801200005001", 0);
    upn_ok("m20700001604a", "M20700001604A", 1);
    upn_ok("  B801200005001  ", "B801200005001", 0);
}
END_TEST

START_TEST(test_upn_accepts_null_temporary)
{
    char out[SEEN_UPN_BYTES];

    ck_assert_int_eq(seen_upn_check("B801200005001", out, NULL), 0);
    ck_assert_str_eq(out, "B801200005001");
}
END_TEST

START_TEST(test_upn_rejects_bad_check_letter)
{

    upn_bad("A801200005001");
    upn_bad("Q207000016049");
    upn_bad("N20700001604A");
    upn_bad("I801200005001");
    upn_bad("1801200005001");
}
END_TEST

START_TEST(test_upn_detects_any_mistyped_digit)
{
    const char *good = "B801200005001";
    char in[14];
    int i, d;

    /* 93 + 13 = 106; 106 mod 23 = 14: Q, not B */
    upn_bad("B801200005002");
    for (i = 1; i < 13; i++) {
        for (d = '0'; d <= '9'; d++) {
            if (d == good[i])
                continue;
            memcpy(in, good, sizeof(in));
            in[i] = (char)d;
            upn_bad(in);
        }
    }
}
END_TEST

START_TEST(test_upn_rejects_i_o_s_as_temporary_letter)
{
    const char *tbl = "ABCDEFGHJKLMNPQRTUVWXYZ";
    char in[14];
    const char *bad = "IOS";
    int i, j;

    for (j = 0; j < 3; j++) {
        for (i = 0; tbl[i] != '\0'; i++) {
            snprintf(in, sizeof(in), "%c20700001604%c", tbl[i], bad[j]);
            upn_bad(in);
        }
    }
}
END_TEST

START_TEST(test_upn_rejects_wrong_length_and_shape)
{

    upn_bad("");
    upn_bad("B80120000500");
    upn_bad("B8012000050011");
    upn_bad("B801 200 005 001");
    upn_bad("B8012000A5001");
    upn_bad("B80120000500-");
    upn_bad("BB01200005001");
    upn_bad(NULL);
}
END_TEST

/* ---- PNC id ---- */

static void
pnc_ok(const char *in, const char *want)
{
    char out[SEEN_PNC_BYTES];

    ck_assert_msg(seen_pnc_check(in, out) == 0, "rejected '%s'", in);
    ck_assert_str_eq(out, want);
}

static void
pnc_bad(const char *in)
{
    char out[SEEN_PNC_BYTES];

    memset(out, 'x', sizeof(out));
    ck_assert_msg(seen_pnc_check(in, out) == SEEN_EINVAL, "accepted '%s'",
        in ? in : "(null)");
    ck_assert_str_eq(out, "");
}

START_TEST(test_pnc_accepts_long_form)
{

    /* 110234567 = 23*4792807 + 6: F */
    pnc_ok("2011/0234567F", "2011/0234567F");
    /* 980012345 = 23*42609232 + 9: J */
    pnc_ok("1998/0012345J", "1998/0012345J");
    /* 231000000: 230000000 = 23*10^7, 1000000 = 23*43478 + 6: F */
    pnc_ok("2023/1000000F", "2023/1000000F");
    /* 1: A */
    pnc_ok("2000/0000001A", "2000/0000001A");
    pnc_ok(" 2011/0234567F ", "2011/0234567F");
}
END_TEST

START_TEST(test_pnc_canonicalises_short_form_and_short_serial)
{

    pnc_ok("11/0234567F", "2011/0234567F");
    pnc_ok("11/234567F", "2011/0234567F");
    pnc_ok("2011/234567F", "2011/0234567F");
    pnc_ok("98/12345J", "1998/0012345J");
    pnc_ok("00/1A", "2000/0000001A");
    /* 700000001 mod 23 = 15: Q; 690000001 mod 23 = 1: A */
    pnc_ok("70/1Q", "1970/0000001Q");
    pnc_ok("69/1A", "2069/0000001A");
}
END_TEST

START_TEST(test_pnc_check_letter_is_case_insensitive)
{

    pnc_ok("2011/0234567f", "2011/0234567F");
    pnc_ok("98/12345j", "1998/0012345J");
}
END_TEST

START_TEST(test_pnc_rejects_bad_check_letter)
{

    pnc_bad("2011/0234567G");
    pnc_bad("2011/0234567Z");
    pnc_bad("2011/02345671");
}
END_TEST

START_TEST(test_pnc_detects_mistyped_digits)
{
    const char *good = "2011/0234567F";
    char in[14];
    int i, d;

    /* 110234576 mod 23 = 15: Q, not F */
    pnc_bad("2011/0234576F");
    for (i = 2; i < 12; i++) {
        if (i == 4)
            continue;
        for (d = '0'; d <= '9'; d++) {
            if (d == good[i])
                continue;
            memcpy(in, good, sizeof(in));
            in[i] = (char)d;
            pnc_bad(in);
        }
    }
}
END_TEST

START_TEST(test_pnc_rejects_bad_shapes)
{

    pnc_bad("");
    pnc_bad("2011-0234567F");
    pnc_bad("2011/02345678F");
    pnc_bad("2011/F");
    pnc_bad("2011/0234567");
    pnc_bad("2011/0234567FF");
    pnc_bad("201/0234567F");
    pnc_bad("1/0234567F");
    pnc_bad("20111/0234567F");
    pnc_bad("/0234567F");
    pnc_bad("2011 / 0234567F");
    pnc_bad("2011/0234567 F");
    pnc_bad("2011/02345-67F");
    pnc_bad(NULL);
}
END_TEST

START_TEST(test_pnc_rejects_zero_serial_and_years_outside_window)
{

    /* 110000000 mod 23 = 17: R, but serial 0 is never issued. */
    pnc_bad("2011/0000000R");
    pnc_bad("11/0R");
    /* The check letter matches, the year is outside 1970-2069. */
    pnc_bad("1969/0000001A");
    pnc_bad("2070/0000001Q");
    pnc_bad("1911/0234567F");
}
END_TEST

Suite *
ident_suite(void)
{
    Suite *s = suite_create("match_ident");
    TCase *tc;

    tc = tcase_create("nhs");
    tcase_add_test(tc, test_nhs_accepts_valid_numbers);
    tcase_add_test(tc, test_nhs_flags_the_test_range);
    tcase_add_test(tc, test_nhs_accepts_null_test_range);
    tcase_add_test(tc, test_nhs_rejects_bad_check_digit);
    tcase_add_test(tc, test_nhs_rejects_check_value_ten);
    tcase_add_test(tc, test_nhs_detects_any_mistyped_digit);
    tcase_add_test(tc, test_nhs_detects_swapped_neighbours);
    tcase_add_test(tc, test_nhs_rejects_wrong_length);
    tcase_add_test(tc, test_nhs_rejects_letters_and_other_separators);
    tcase_add_test(tc, test_nhs_rejects_repeated_digit_placeholders);
    suite_add_tcase(s, tc);

    tc = tcase_create("upn");
    tcase_add_test(tc, test_upn_accepts_hand_computed_vectors);
    tcase_add_test(tc, test_upn_accepts_temporary_form);
    tcase_add_test(tc, test_upn_is_case_insensitive_and_trims_spaces);
    tcase_add_test(tc, test_upn_accepts_null_temporary);
    tcase_add_test(tc, test_upn_rejects_bad_check_letter);
    tcase_add_test(tc, test_upn_detects_any_mistyped_digit);
    tcase_add_test(tc, test_upn_rejects_i_o_s_as_temporary_letter);
    tcase_add_test(tc, test_upn_rejects_wrong_length_and_shape);
    suite_add_tcase(s, tc);

    tc = tcase_create("pnc");
    tcase_add_test(tc, test_pnc_accepts_long_form);
    tcase_add_test(tc, test_pnc_canonicalises_short_form_and_short_serial);
    tcase_add_test(tc, test_pnc_check_letter_is_case_insensitive);
    tcase_add_test(tc, test_pnc_rejects_bad_check_letter);
    tcase_add_test(tc, test_pnc_detects_mistyped_digits);
    tcase_add_test(tc, test_pnc_rejects_bad_shapes);
    tcase_add_test(tc, test_pnc_rejects_zero_serial_and_years_outside_window);
    suite_add_tcase(s, tc);

    return (s);
}
