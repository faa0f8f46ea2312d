/*
 * check_match_normalise.c: name, date and postcode normalisation.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "match/normalise.h"

#include "tests/suites.h"

/* ---- names ---- */

static void
name_is(const char *in, const char *want)
{
    char out[SEEN_NAME_MAX];

    ck_assert_msg(seen_norm_name(in, out) == 0, "rejected '%s'", in);
    ck_assert_msg(
        strcmp(out, want) == 0, "'%s' gave '%s', not '%s'", in, out, want);
}

static void
name_bad(const char *in)
{
    char out[SEEN_NAME_MAX];

    memset(out, 'x', sizeof(out));
    ck_assert_int_eq(seen_norm_name(in, out), SEEN_EINVAL);
    ck_assert_str_eq(out, "");
}

/* 1 if ${s} is A-Z words separated by single spaces, under SEEN_NAME_MAX. */
static int
is_clean(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n >= SEEN_NAME_MAX || s[0] == ' ' || s[n - 1] == ' ')
        return (0);
    for (i = 0; i < n; i++) {
        if (s[i] == ' ') {
            if (s[i + 1] == ' ')
                return (0);
        } else if (s[i] < 'A' || s[i] > 'Z') {
            return (0);
        }
    }
    return (1);
}

START_TEST(test_norm_name_uppercases_and_collapses_spaces)
{

    name_is("smith", "SMITH");
    name_is("Smith", "SMITH");
    name_is("  john   paul  ", "JOHN PAUL");
    name_is("Mary\tAnn\n", "MARY ANN");
}
END_TEST

START_TEST(test_norm_name_folds_accents)
{

    name_is("José", "JOSE");
    name_is("Zoë", "ZOE");
    name_is("Łukasz", "LUKASZ");
    name_is("Øyvind", "OYVIND");
    name_is("François", "FRANCOIS");
    name_is("Müller", "MULLER");
    name_is("ÉLODIE", "ELODIE");
    name_is("Şükrü", "SUKRU");
    name_is("Nguyễn", "NGUYEN");
    name_is("Dvořák", "DVORAK");
    name_is("Ștefan", "STEFAN");
    /* Decomposed input: e and a combining acute accent. */
    name_is("Jose\xcc\x81", "JOSE");
}
END_TEST

START_TEST(test_norm_name_spells_out_letters_nfkd_keeps)
{

    name_is("Strauß", "STRAUSS");
    name_is("STRAUẞ", "STRAUSS");
    name_is("Æsa", "AESA");
    name_is("æsa", "AESA");
    name_is("Þór", "THOR");
    name_is("Œuvray", "OEUVRAY");
    name_is("Đorđe", "DORDE");
    name_is("Ðuro", "DURO");
    name_is("Işık", "ISIK");
    name_is("İpek", "IPEK");
    name_is("Ħal", "HAL");
    name_is("Əliyev", "ELIYEV");
    name_is("Ɓello", "BELLO");
    name_is("Ɗanjuma", "DANJUMA");
    name_is("Ƙasim", "KASIM");
    name_is("Ɔsei", "OSEI");
    name_is("Ɛfua", "EFUA");
}
END_TEST

START_TEST(test_norm_name_folds_compatibility_forms)
{

    name_is("Ｊｏｈｎ", "JOHN");         /* fullwidth */
    name_is("\xef\xac\x81ona", "FIONA"); /* U+FB01 fi ligature */
    name_is("Ĳsbrand", "IJSBRAND");
}
END_TEST

START_TEST(test_norm_name_removes_apostrophes_inside_words)
{

    name_is("O'Brien", "OBRIEN");
    name_is("O’Brien", "OBRIEN");
    name_is("O‘Brien", "OBRIEN");
    name_is("O`Brien", "OBRIEN");
    name_is("O´Brien", "OBRIEN");
    name_is("Oʼbrien", "OBRIEN");
    name_is("D'Souza", "DSOUZA");
    name_is("Sa'id", "SAID");
    name_is("Saʿid", "SAID");
    name_is("'Smith'", "SMITH");
}
END_TEST

START_TEST(test_norm_name_removes_dots_inside_words)
{

    name_is("St. John", "STJOHN");
    name_is("St.John", "STJOHN");
    name_is("J.R.", "JR");
    name_is("Smith.", "SMITH");
    name_is("Paŀla", "PALLA"); /* l with middle dot */
}
END_TEST

START_TEST(test_norm_name_splits_hyphenated_and_punctuated)
{

    name_is("Smith-Jones", "SMITH JONES");
    name_is("Smith - Jones", "SMITH JONES");
    name_is("Smith–Jones", "SMITH JONES"); /* en dash */
    name_is("Anne‑Marie", "ANNE MARIE");   /* no-break hyphen */
    name_is("Smith/Jones", "SMITH JONES");
    name_is("Smith_Jones", "SMITH JONES");
    name_is("Smith,Jones", "SMITH JONES");
    name_is("Smith (Jones)", "SMITH JONES");
    name_is("Smith\xc2\xa0Jones", "SMITH JONES"); /* no-break space */
    name_is("Smith&Jones", "SMITH JONES");
    name_is("-Smith-", "SMITH");
}
END_TEST

START_TEST(test_norm_name_fuses_particles)
{

    name_is("van der Berg", "VANDERBERG");
    name_is("Van Der Berg", "VANDERBERG");
    name_is("de la Cruz", "DELACRUZ");
    name_is("Maria de la Cruz", "MARIA DELACRUZ");
    name_is("Mc Donald", "MCDONALD");
    name_is("Mac Donald", "MACDONALD");
    name_is("O Brien", "OBRIEN");
    name_is("Al-Hassan", "ALHASSAN");
    name_is("al Hassan", "ALHASSAN");
    name_is("El Sayed", "ELSAYED");
    name_is("dos Santos", "DOSSANTOS");
    name_is("da Silva", "DASILVA");
    name_is("Di Marco", "DIMARCO");
    name_is("le Blanc", "LEBLANC");
    name_is("von Trapp", "VONTRAPP");
    name_is("ter Horst", "TERHORST");
    name_is("St John", "STJOHN");
    name_is("Saint John", "STJOHN");
    name_is("Saint-John", "STJOHN");
    name_is("Smith van der Berg", "SMITH VANDERBERG");
    /* Not particles: DO and NI are Vietnamese and Chinese family names. */
    name_is("Do Van Minh", "DO VANMINH");
}
END_TEST

START_TEST(test_norm_name_keeps_particles_without_a_following_word)
{

    name_is("Al", "AL");
    name_is("Le", "LE");
    name_is("Saint", "SAINT");
    name_is("Smith Van", "SMITH VAN");
    name_is("Smith van der", "SMITH VAN DER");
}
END_TEST

START_TEST(test_norm_name_drops_digits_and_other_scripts)
{

    name_is("J0hn", "JHN");
    name_is("Smith 2", "SMITH");
    name_is("Иван Smith", "SMITH");
    name_is("Smith 李", "SMITH");
    name_is("Smithβ", "SMITH");
    name_is("Smith \xf0\x9f\x98\x80 Jones", "SMITH JONES"); /* emoji */
}
END_TEST

START_TEST(test_norm_name_ignores_invisible_characters)
{

    name_is("Smi\xc2\xadth", "SMITH");     /* soft hyphen */
    name_is("Smi\xe2\x80\x8bth", "SMITH"); /* zero-width space */
    name_is("\xef\xbb\xbfSmith", "SMITH"); /* byte order mark */
}
END_TEST

START_TEST(test_norm_name_rejects_empty_and_blank)
{

    name_bad("");
    name_bad(" ");
    name_bad("   \t\n ");
    name_bad("-");
    name_bad("'");
    name_bad("...");
    name_bad("123");
    name_bad("李小龍");
    name_bad("محمد");
    name_bad(NULL);
}
END_TEST

START_TEST(test_norm_name_rejects_invalid_utf8)
{

    name_bad("\xc3"); /* truncated */
    name_bad("Jos\xc3");
    name_bad("Jos\xc3(");         /* bad continuation */
    name_bad("\xc0\xaf");         /* overlong */
    name_bad("\xe0\x80\xaf");     /* overlong */
    name_bad("\xed\xa0\x80");     /* surrogate */
    name_bad("\xf4\x90\x80\x80"); /* above U+10FFFF */
    name_bad("\xff");
    name_bad("\x80Smith");      /* lone continuation */
    name_bad("Smith \xe2\x82"); /* truncated at the end */
}
END_TEST

START_TEST(test_norm_name_rejects_invalid_utf8_after_truncation_point)
{
    char in[200];

    /* The output is full long before the bad byte: still rejected. */
    memset(in, 'a', sizeof(in));
    for (size_t i = 3; i < 150; i += 4)
        in[i] = ' ';
    in[180] = '\xff';
    in[sizeof(in) - 1] = '\0';
    name_bad(in);
}
END_TEST

START_TEST(test_norm_name_truncates_at_a_word_boundary)
{
    char out[SEEN_NAME_MAX];
    const char *eight = "abcdefg abcdefg abcdefg abcdefg abcdefg abcdefg "
                        "abcdefg abcdefg";
    const char *nine = "abcdefg abcdefg abcdefg abcdefg abcdefg abcdefg "
                       "abcdefg abcdefg abcdefg";

    /* Eight words of 7 and seven spaces: 63 bytes, which fits exactly. */
    ck_assert_int_eq(seen_norm_name(eight, out), 0);
    ck_assert_uint_eq(strlen(out), SEEN_NAME_MAX - 1);
    /* A ninth word does not fit and is left out whole. */
    ck_assert_int_eq(seen_norm_name(nine, out), 0);
    ck_assert_uint_eq(strlen(out), SEEN_NAME_MAX - 1);
    ck_assert_str_eq(out, "ABCDEFG ABCDEFG ABCDEFG ABCDEFG ABCDEFG ABCDEFG "
                          "ABCDEFG ABCDEFG");
    /* Nor does a later word that would fit (X) jump the queue. */
    ck_assert_int_eq(
        seen_norm_name("abcdefg abcdefg abcdefg abcdefg "
                       "abcdefg abcdefg abcdefg abcde abcdefghij x",
            out),
        0);
    ck_assert_str_eq(out, "ABCDEFG ABCDEFG ABCDEFG ABCDEFG ABCDEFG ABCDEFG "
                          "ABCDEFG ABCDE");
}
END_TEST

START_TEST(test_norm_name_rejects_a_first_word_too_long)
{
    char in[80], out[SEEN_NAME_MAX];

    memset(in, 'a', SEEN_NAME_MAX - 1);
    in[SEEN_NAME_MAX - 1] = '\0';
    ck_assert_int_eq(seen_norm_name(in, out), 0);
    ck_assert_uint_eq(strlen(out), SEEN_NAME_MAX - 1);

    memset(in, 'a', SEEN_NAME_MAX);
    in[SEEN_NAME_MAX] = '\0';
    name_bad(in);

    /* Particles count towards the word they fuse to. */
    memcpy(in, "van ", 4);
    memset(in + 4, 'a', 60);
    in[64] = '\0';
    ck_assert_int_eq(seen_norm_name(in, out), 0);
    ck_assert_uint_eq(strlen(out), SEEN_NAME_MAX - 1);
    memset(in + 4, 'a', 61);
    in[65] = '\0';
    name_bad(in);
}
END_TEST

START_TEST(test_norm_name_survives_10k_input)
{
    static char in[10 * 1024 + 1];
    char out[SEEN_NAME_MAX];
    size_t i;

    /* One 10 kB word. */
    memset(in, 'a', sizeof(in) - 1);
    in[sizeof(in) - 1] = '\0';
    name_bad(in);

    /* 10 kB of short words: the first 21 "AB" fit. */
    for (i = 0; i < sizeof(in) - 1; i++)
        in[i] = "ab "[i % 3];
    ck_assert_int_eq(seen_norm_name(in, out), 0);
    ck_assert_uint_eq(strlen(out), 21 * 3 - 1);
    ck_assert(is_clean(out));

    /* 10 kB of particles, then a word. */
    for (i = 0; i < sizeof(in) - 1; i++)
        in[i] = "de "[i % 3];
    memcpy(in + sizeof(in) - 6, " Cruz", 5);
    name_bad(in);

    /* 10 kB of two-byte letters. */
    for (i = 0; i + 2 < sizeof(in); i += 2)
        memcpy(in + i, "\xc3\xa9", 2);
    in[i] = '\0';
    name_bad(in);

    /* 10 kB of apostrophes and accents around short words. */
    for (i = 0; i + 5 < sizeof(in); i += 5)
        memcpy(in + i, "o'\xcc\x81 ", 5);
    in[i] = '\0';
    ck_assert_int_eq(seen_norm_name(in, out), 0);
    ck_assert(is_clean(out));
}
END_TEST

START_TEST(test_norm_name_works_in_place)
{
    char buf[SEEN_NAME_MAX] = "Zoë van der Berg";

    ck_assert_int_eq(seen_norm_name(buf, buf), 0);
    ck_assert_str_eq(buf, "ZOE VANDERBERG");
}
END_TEST

START_TEST(test_norm_name_output_is_always_clean)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        " ",
        "-",
        "'",
        ".",
        "van",
        "de",
        "la",
        "O",
        "St",
        "saint",
        "é",
        "ß",
        "Ł",
        "\xcc\x81",
        "\xef\xbc\xa1",
        "李",
        "9",
        "\xc2\xad",
        "\xff",
        "\xc3",
        "\xe2\x80",
        "ﬁ",
        "\t",
        "Mc",
        "al",
    };
    char in[256], out[SEEN_NAME_MAX];
    size_t len, k, npieces = sizeof(pieces) / sizeof(pieces[0]);
    unsigned int seed = 12345;
    int i, rc;

    for (i = 0; i < 20000; i++) {
        len = 0;
        in[0] = '\0';
        for (k = (size_t)(rand_r(&seed) % 40); k > 0; k--) {
            const char *p = pieces[rand_r(&seed) % npieces];

            if (len + strlen(p) >= sizeof(in))
                break;
            memcpy(in + len, p, strlen(p) + 1);
            len += strlen(p);
        }
        rc = seen_norm_name(in, out);
        if (rc == 0)
            ck_assert_msg(is_clean(out), "'%s' gave '%s'", in, out);
        else
            ck_assert_int_eq(rc, SEEN_EINVAL);
    }
}
END_TEST

/* ---- name variants ---- */

static void
variants_are(
    const char *norm, size_t max, const char *const *want, size_t nwant)
{
    char out[8][SEEN_NAME_MAX];
    size_t n, i;

    n = seen_name_variants(norm, out, max);
    ck_assert_msg(n == nwant, "'%s': %zu variants, not %zu", norm, n, nwant);
    for (i = 0; i < n; i++)
        ck_assert_str_eq(out[i], want[i]);
}

#define VARIANTS(norm, max, ...)                                               \
    do {                                                                       \
        static const char *const w_[] = {__VA_ARGS__};                         \
        variants_are((norm), (max), w_, sizeof(w_) / sizeof(w_[0]));           \
    } while (0)

START_TEST(test_variants_of_one_word_is_itself)
{

    VARIANTS("SMITH", 8, "SMITH");
    VARIANTS("NG", 8, "NG");
}
END_TEST

START_TEST(test_variants_of_double_barrelled_name)
{

    VARIANTS("SMITH JONES", 8, "SMITHJONES", "SMITH", "JONES");
    VARIANTS("GARCIA LOPEZ PEREZ", 8, "GARCIALOPEZPEREZ", "GARCIA", "LOPEZ",
        "PEREZ");
}
END_TEST

START_TEST(test_variants_strip_a_leading_particle)
{

    VARIANTS("ALHASSAN", 8, "ALHASSAN", "HASSAN");
    VARIANTS("VANDERBERG", 8, "VANDERBERG", "BERG");
    VARIANTS("DASILVA", 8, "DASILVA", "SILVA");
    VARIANTS("DOSSANTOS", 8, "DOSSANTOS", "SANTOS");
    VARIANTS("DELACRUZ", 8, "DELACRUZ", "CRUZ");
    VARIANTS("ELSAYED", 8, "ELSAYED", "SAYED");
    VARIANTS(
        "SMITH ALHASSAN", 8, "SMITHALHASSAN", "SMITH", "ALHASSAN", "HASSAN");
    VARIANTS("ALHASSAN SMITH", 8, "ALHASSANSMITH", "ALHASSAN", "SMITH",
        "HASSANSMITH", "HASSAN");
}
END_TEST

START_TEST(test_variants_keep_mc_mac_o_and_st)
{

    VARIANTS("MCDONALD", 8, "MCDONALD");
    VARIANTS("MACDONALD", 8, "MACDONALD");
    VARIANTS("OBRIEN", 8, "OBRIEN");
    VARIANTS("ONEIL", 8, "ONEIL");
    VARIANTS("STJOHN", 8, "STJOHN");
    VARIANTS("OLIVER", 8, "OLIVER");
}
END_TEST

START_TEST(test_variants_leave_at_least_four_letters)
{

    VARIANTS("DEAN", 8, "DEAN");
    VARIANTS("ALAN", 8, "ALAN");
    VARIANTS("DIXON", 8, "DIXON");
    VARIANTS("LEBLANC", 8, "LEBLANC", "BLANC");
    /* The longest particle wins even when it leaves too little. */
    VARIANTS("DELRIO", 8, "DELRIO");
    VARIANTS("DELANEY", 8, "DELANEY");
}
END_TEST

START_TEST(test_variants_skip_initials_and_duplicates)
{

    VARIANTS("SMITH J", 8, "SMITHJ", "SMITH");
    VARIANTS("SMITH SMITH", 8, "SMITHSMITH", "SMITH");
}
END_TEST

START_TEST(test_variants_respect_max)
{
    char out[2][SEEN_NAME_MAX];

    VARIANTS("SMITH JONES", 2, "SMITHJONES", "SMITH");
    VARIANTS("ALHASSAN", 1, "ALHASSAN");
    ck_assert_uint_eq(seen_name_variants("SMITH", out, 0), 0);
}
END_TEST

START_TEST(test_variants_reject_unnormalised_input)
{
    char out[4][SEEN_NAME_MAX];
    char longname[SEEN_NAME_MAX + 1];

    ck_assert_uint_eq(seen_name_variants("smith", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants(" SMITH", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants("SMITH ", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants("SMITH  JONES", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants("O'BRIEN", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants("", out, 4), 0);
    ck_assert_uint_eq(seen_name_variants(NULL, out, 4), 0);
    memset(longname, 'A', SEEN_NAME_MAX);
    longname[SEEN_NAME_MAX] = '\0';
    ck_assert_uint_eq(seen_name_variants(longname, out, 4), 0);
    longname[SEEN_NAME_MAX - 1] = '\0';
    ck_assert_uint_eq(seen_name_variants(longname, out, 4), 1);
}
END_TEST

START_TEST(test_variants_link_al_hassan_to_hassan)
{
    char a[SEEN_NAME_MAX], b[SEEN_NAME_MAX], va[8][SEEN_NAME_MAX];
    size_t n, i;
    int found = 0;

    ck_assert_int_eq(seen_norm_name("Al-Hassan", a), 0);
    ck_assert_int_eq(seen_norm_name("Hassan", b), 0);
    n = seen_name_variants(a, va, 8);
    for (i = 0; i < n; i++)
        found |= strcmp(va[i], b) == 0;
    ck_assert(found);
}
END_TEST

/* ---- dates ---- */

static void
date_is(const char *s, int32_t want)
{
    int32_t d = 12345678;

    ck_assert_msg(seen_date_parse(s, &d) == 0, "rejected '%s'", s);
    ck_assert_int_eq(d, want);
}

static void
date_bad(const char *s)
{
    int32_t d = 12345678;

    ck_assert_msg(seen_date_parse(s, &d) == SEEN_EINVAL, "accepted '%s'",
        s ? s : "(null)");
    ck_assert_int_eq(d, 12345678);
}

START_TEST(test_date_parses_to_days_since_epoch)
{

    date_is("1970-01-01", 0);
    date_is("1970-01-02", 1);
    date_is("1969-12-31", -1);
    date_is("2024-02-29", 19782);
    date_is("2000-02-29", 11016);
    date_is("1900-03-01", -25508);
    date_is("1880-01-01", -32872);
    date_is("2150-12-31", 66108);
}
END_TEST

START_TEST(test_date_rejects_days_that_do_not_exist)
{

    date_bad("2023-02-29");
    date_bad("1900-02-29");
    date_bad("2100-02-29");
    date_bad("2024-02-30");
    date_bad("2024-04-31");
    date_bad("2024-13-01");
    date_bad("2024-00-10");
    date_bad("2024-01-00");
    date_bad("2024-01-32");
}
END_TEST

START_TEST(test_date_rejects_other_shapes)
{

    date_bad("2024-1-01");
    date_bad("2024-01-1");
    date_bad("24-01-01");
    date_bad("2024/01/01");
    date_bad("20240101");
    date_bad("01-01-2024");
    date_bad("2024-01-01 ");
    date_bad(" 2024-01-01");
    date_bad("2024-01-01x");
    date_bad("2024-01-01T00:00:00Z");
    date_bad("2024-01-");
    date_bad("2024");
    date_bad("");
    date_bad("+024-01-01");
    date_bad("2024-0a-01");
    date_bad("2024-01-0\xd9\xa1"); /* Arabic-Indic digit one */
    date_bad(NULL);
}
END_TEST

START_TEST(test_date_rejects_years_out_of_range)
{

    date_bad("1879-12-31");
    date_bad("2151-01-01");
    date_bad("0000-01-01");
    date_bad("9999-12-31");
}
END_TEST

START_TEST(test_date_format_writes_iso)
{
    char out[SEEN_DATE_BYTES];

    seen_date_format(0, out);
    ck_assert_str_eq(out, "1970-01-01");
    seen_date_format(-1, out);
    ck_assert_str_eq(out, "1969-12-31");
    seen_date_format(19782, out);
    ck_assert_str_eq(out, "2024-02-29");
    seen_date_format(-32872, out);
    ck_assert_str_eq(out, "1880-01-01");
}
END_TEST

START_TEST(test_date_round_trips_every_day_in_range)
{
    char out[SEEN_DATE_BYTES];
    int32_t first, last, d, back;
    int y, m, dd;

    ck_assert_int_eq(seen_date_parse("1880-01-01", &first), 0);
    ck_assert_int_eq(seen_date_parse("2150-12-31", &last), 0);
    for (d = first; d <= last; d++) {
        seen_date_format(d, out);
        ck_assert_int_eq(seen_date_parse(out, &back), 0);
        ck_assert_int_eq(back, d);
        seen_date_ymd(d, &y, &m, &dd);
        ck_assert_int_eq(seen_date_from_ymd(y, m, dd), d);
    }
    /* One day outside the range either side. */
    seen_date_format(first - 1, out);
    ck_assert_int_eq(seen_date_parse(out, &back), SEEN_EINVAL);
    seen_date_format(last + 1, out);
    ck_assert_int_eq(seen_date_parse(out, &back), SEEN_EINVAL);
}
END_TEST

START_TEST(test_date_format_is_safe_at_extremes)
{
    char out[SEEN_DATE_BYTES + 8];
    int y, m, d;

    memset(out, 'x', sizeof(out));
    seen_date_format(INT32_MAX, out);
    ck_assert_str_eq(out, "0000-00-00");
    ck_assert_int_eq(out[SEEN_DATE_BYTES], 'x');
    seen_date_format(INT32_MIN, out);
    ck_assert_str_eq(out, "0000-00-00");
    seen_date_ymd(INT32_MAX, &y, &m, &d);
    ck_assert_int_gt(y, 9999);
    seen_date_ymd(INT32_MIN, &y, &m, &d);
    ck_assert_int_lt(y, 0);
    ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    seen_date_format(seen_date_from_ymd(9999, 12, 31), out);
    ck_assert_str_eq(out, "9999-12-31");
    seen_date_format(seen_date_from_ymd(0, 1, 1), out);
    ck_assert_str_eq(out, "0000-01-01");
}
END_TEST

START_TEST(test_date_from_ymd_rejects_dates_that_do_not_exist)
{

    ck_assert_int_eq(seen_date_from_ymd(2024, 2, 29), 19782);
    ck_assert_int_eq(seen_date_from_ymd(2023, 2, 29), SEEN_DATE_NONE);
    ck_assert_int_eq(seen_date_from_ymd(2024, 0, 1), SEEN_DATE_NONE);
    ck_assert_int_eq(seen_date_from_ymd(2024, 13, 1), SEEN_DATE_NONE);
    ck_assert_int_eq(seen_date_from_ymd(2024, 1, 0), SEEN_DATE_NONE);
    ck_assert_int_eq(seen_date_from_ymd(-1, 1, 1), SEEN_DATE_NONE);
    ck_assert_int_eq(seen_date_from_ymd(10000, 1, 1), SEEN_DATE_NONE);
    ck_assert_int_eq(
        seen_date_from_ymd(INT32_MAX, INT32_MAX, INT32_MAX), SEEN_DATE_NONE);
    ck_assert_int_eq(
        seen_date_from_ymd(INT32_MIN, INT32_MIN, INT32_MIN), SEEN_DATE_NONE);
}
END_TEST

/* ---- postcodes ---- */

static void
postcode_is(const char *in, const char *want, const char *want_district)
{
    char out[SEEN_POSTCODE_BYTES], district[SEEN_DISTRICT_BYTES];

    ck_assert_msg(
        seen_postcode_norm(in, out, district) == 0, "rejected '%s'", in);
    ck_assert_str_eq(out, want);
    ck_assert_str_eq(district, want_district);
}

static void
postcode_bad(const char *in)
{
    char out[SEEN_POSTCODE_BYTES], district[SEEN_DISTRICT_BYTES];

    memset(out, 'x', sizeof(out));
    memset(district, 'x', sizeof(district));
    ck_assert_msg(seen_postcode_norm(in, out, district) == SEEN_EINVAL,
        "accepted '%s'", in ? in : "(null)");
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(district, "");
}

START_TEST(test_postcode_accepts_every_shape)
{

    postcode_is("M1 1AE", "M1 1AE", "M1");       /* A9 9AA */
    postcode_is("B33 8TH", "B33 8TH", "B33");    /* A99 9AA */
    postcode_is("CR2 6XH", "CR2 6XH", "CR2");    /* AA9 9AA */
    postcode_is("DN55 1PT", "DN55 1PT", "DN55"); /* AA99 9AA */
    postcode_is("W1A 0AX", "W1A 0AX", "W1A");    /* A9A 9AA */
    postcode_is("EC1A 1BB", "EC1A 1BB", "EC1A"); /* AA9A 9AA */
    postcode_is("GIR 0AA", "GIR 0AA", "GIR");
    postcode_is("RG1 5DF", "RG1 5DF", "RG1");
}
END_TEST

START_TEST(test_postcode_ignores_case_and_spacing)
{

    postcode_is("rg15df", "RG1 5DF", "RG1");
    postcode_is(" RG1  5DF ", "RG1 5DF", "RG1");
    postcode_is("r g 1 5 d f", "RG1 5DF", "RG1");
    postcode_is("\tRG1\xc2\xa0"
                "5DF\r\n",
        "RG1 5DF", "RG1");
    postcode_is("ec1a1bb", "EC1A 1BB", "EC1A");
    postcode_is("gir0aa", "GIR 0AA", "GIR");
    postcode_is("m11ae", "M1 1AE", "M1");
}
END_TEST

START_TEST(test_postcode_rejects_bad_inward_letters)
{

    postcode_bad("RG1 5CF");
    postcode_bad("RG1 5DI");
    postcode_bad("RG1 5KK");
    postcode_bad("RG1 5MD");
    postcode_bad("RG1 5DO");
    postcode_bad("RG1 5VD");
    postcode_bad("RG1 ADF");
    postcode_bad("RG1 55F");
}
END_TEST

START_TEST(test_postcode_rejects_bad_shapes)
{

    postcode_bad("");
    postcode_bad("   ");
    postcode_bad("RG1");
    postcode_bad("5DF");
    postcode_bad("R 5DF");
    postcode_bad("1G1 5DF");
    postcode_bad("RGX 5DF");
    postcode_bad("RGA1 5DF");
    postcode_bad("R1G1 5DF");
    postcode_bad("GIR 0AB");
    postcode_bad("RG1-5DF");
    postcode_bad("RG1 5DF.");
    postcode_bad("RG1 5DF\xc2");
    postcode_bad("RG1 5D\xc3\x89");
    postcode_bad(NULL);
}
END_TEST

START_TEST(test_postcode_rejects_too_long)
{
    static char in[10 * 1024 + 1];

    postcode_bad("RG11A 5DF");
    postcode_bad("RG1 5DFF");
    postcode_bad("EC1AA 1BB");
    memset(in, 'A', sizeof(in) - 1);
    in[sizeof(in) - 1] = '\0';
    postcode_bad(in);
    memset(in, ' ', sizeof(in) - 1);
    memcpy(in + 100, "RG1 5DF", 7);
    postcode_is(in, "RG1 5DF", "RG1");
}
END_TEST

Suite *
normalise_suite(void)
{
    Suite *s = suite_create("match_normalise");
    TCase *tc;

    tc = tcase_create("name");
    tcase_add_test(tc, test_norm_name_uppercases_and_collapses_spaces);
    tcase_add_test(tc, test_norm_name_folds_accents);
    tcase_add_test(tc, test_norm_name_spells_out_letters_nfkd_keeps);
    tcase_add_test(tc, test_norm_name_folds_compatibility_forms);
    tcase_add_test(tc, test_norm_name_removes_apostrophes_inside_words);
    tcase_add_test(tc, test_norm_name_removes_dots_inside_words);
    tcase_add_test(tc, test_norm_name_splits_hyphenated_and_punctuated);
    tcase_add_test(tc, test_norm_name_fuses_particles);
    tcase_add_test(tc, test_norm_name_keeps_particles_without_a_following_word);
    tcase_add_test(tc, test_norm_name_drops_digits_and_other_scripts);
    tcase_add_test(tc, test_norm_name_ignores_invisible_characters);
    tcase_add_test(tc, test_norm_name_rejects_empty_and_blank);
    tcase_add_test(tc, test_norm_name_rejects_invalid_utf8);
    tcase_add_test(
        tc, test_norm_name_rejects_invalid_utf8_after_truncation_point);
    tcase_add_test(tc, test_norm_name_truncates_at_a_word_boundary);
    tcase_add_test(tc, test_norm_name_rejects_a_first_word_too_long);
    tcase_add_test(tc, test_norm_name_survives_10k_input);
    tcase_add_test(tc, test_norm_name_works_in_place);
    tcase_add_test(tc, test_norm_name_output_is_always_clean);
    suite_add_tcase(s, tc);

    tc = tcase_create("variants");
    tcase_add_test(tc, test_variants_of_one_word_is_itself);
    tcase_add_test(tc, test_variants_of_double_barrelled_name);
    tcase_add_test(tc, test_variants_strip_a_leading_particle);
    tcase_add_test(tc, test_variants_keep_mc_mac_o_and_st);
    tcase_add_test(tc, test_variants_leave_at_least_four_letters);
    tcase_add_test(tc, test_variants_skip_initials_and_duplicates);
    tcase_add_test(tc, test_variants_respect_max);
    tcase_add_test(tc, test_variants_reject_unnormalised_input);
    tcase_add_test(tc, test_variants_link_al_hassan_to_hassan);
    suite_add_tcase(s, tc);

    tc = tcase_create("date");
    tcase_add_test(tc, test_date_parses_to_days_since_epoch);
    tcase_add_test(tc, test_date_rejects_days_that_do_not_exist);
    tcase_add_test(tc, test_date_rejects_other_shapes);
    tcase_add_test(tc, test_date_rejects_years_out_of_range);
    tcase_add_test(tc, test_date_format_writes_iso);
    tcase_add_test(tc, test_date_round_trips_every_day_in_range);
    tcase_add_test(tc, test_date_format_is_safe_at_extremes);
    tcase_add_test(tc, test_date_from_ymd_rejects_dates_that_do_not_exist);
    suite_add_tcase(s, tc);

    tc = tcase_create("postcode");
    tcase_add_test(tc, test_postcode_accepts_every_shape);
    tcase_add_test(tc, test_postcode_ignores_case_and_spacing);
    tcase_add_test(tc, test_postcode_rejects_bad_inward_letters);
    tcase_add_test(tc, test_postcode_rejects_bad_shapes);
    tcase_add_test(tc, test_postcode_rejects_too_long);
    suite_add_tcase(s, tc);

    return (s);
}
