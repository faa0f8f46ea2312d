/*
 * check_disclosure.c: the parts of node/disclosure/disclosure.[ch] that stand alone:
 * an answer sealed to the requesting node opens only with its key pair
 * (not a relay's, not the holder's, not after a byte is changed), and
 * what is shared of a record is that record's own fields and that one
 * person's, never another person's details or fields the import format
 * does not define.  The request/decision/answer flow between real daemons
 * is tests/integration/test_disclosure_lab.sh.  Also replays the seeds of
 * tests/fuzz/fuzz_disclosure.c through that harness.
 */
#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <stdio.h>

#include "common/seen.h"
#include "node/disclosure/disclosure.h"

/* The harness, under its own name so that every suite links into one
 * runner; its seeds replay through it. */
#define LLVMFuzzerTestOneInput fuzz_disclosure_one
#include "tests/fuzz/fuzz_disclosure.c"

#include "tests/suites.h"

/* The example of spec/import.md, with an unknown field at both levels. */
static const char record[] =
    "{\"id\":\"TVP-DA-2025-00412\",\"kind\":\"domestic_abuse_incident\","
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"
    "\"high\",\"child_present\":true,\"child_voice\":\"I hid under the bed "
    "when they shouted\",\"summary\":\"Neighbour called police\","
    "\"internal_notes\":\"officer's private note\",\"people\":["
    "{\"ref\":\"v1\",\"role\":\"adult_victim\",\"given_name\":\"Chantelle\","
    "\"family_name\":\"Ward\",\"date_of_birth\":\"1994-02-11\",\"postcode\":"
    "\"RG1 5DF\",\"address\":\"14 Oxford Road\"},"
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\",\"family_name\""
    ":\"Ward\",\"date_of_birth\":\"2020-09-30\",\"nhs_number\":\"943 476 "
    "5919\",\"school_note\":\"not a field\",\"sex\":null},"
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\",\"pnc_id\":"
    "\"2011/0234567F\"}]}";

struct pair {
    uint8_t pk[32], sk[32];
};

static void
pair_new(struct pair *p)
{

    ck_assert_int_eq(crypto_box_keypair(p->pk, p->sk), 0);
}

START_TEST(test_only_the_requester_opens_the_answer)
{
    static const uint8_t msg[] = "I hid under the bed when they shouted";
    struct pair requester, relay, holder;
    uint8_t *sealed, *plain;
    size_t slen, plen;

    pair_new(&requester);
    pair_new(&relay);
    pair_new(&holder);
    ck_assert_int_eq(seen_disclosure_seal(msg, sizeof msg, requester.pk,
                         &sealed, &slen),
        0);
    ck_assert_uint_eq(slen, sizeof msg + crypto_box_SEALBYTES);
    ck_assert_ptr_null(memmem(sealed, slen, "bed", 3)); /* no clear text */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         requester.sk, &plain, &plen),
        0);
    ck_assert_uint_eq(plen, sizeof msg);
    ck_assert_mem_eq(plain, msg, sizeof msg);
    free(plain);
    /* A relay, or the holder that sealed it, cannot read it. */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, relay.pk, relay.sk,
                         &plain, &plen),
        SEEN_EAUTH);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, holder.pk, holder.sk,
                         &plain, &plen),
        SEEN_EAUTH);
    /* The requester's public key with another secret key: no. */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         relay.sk, &plain, &plen),
        SEEN_EAUTH);
    free(sealed);
}
END_TEST

START_TEST(test_a_changed_or_short_answer_does_not_open)
{
    static const uint8_t msg[] = "details";
    struct pair requester;
    uint8_t *sealed, *plain;
    size_t slen, plen, i;

    pair_new(&requester);
    ck_assert_int_eq(seen_disclosure_seal(msg, sizeof msg, requester.pk,
                         &sealed, &slen),
        0);
    for (i = 0; i < slen; i++) {
        sealed[i] ^= 0x01;
        ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                             requester.sk, &plain, &plen),
            SEEN_EAUTH);
        sealed[i] ^= 0x01;
    }
    for (i = 0; i < slen; i++)
        ck_assert_int_eq(seen_disclosure_open(sealed, i, requester.pk,
                             requester.sk, &plain, &plen),
            SEEN_EAUTH);
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         requester.sk, &plain, &plen),
        0);
    free(plain);
    free(sealed);
}
END_TEST

START_TEST(test_details_hold_the_record_and_that_person_only)
{
    json_t *d, *r, *p, *holder = json_pack("{s:s}", "node", "tvp");
    char *text;

    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "c1",
                         holder, &d),
        0);
    r = json_object_get(d, "record");
    p = json_object_get(d, "person");
    ck_assert_str_eq(json_string_value(json_object_get(r, "reference")),
        "TVP-DA-2025-00412");
    ck_assert_str_eq(json_string_value(json_object_get(r, "child_voice")),
        "I hid under the bed when they shouted");
    ck_assert_str_eq(json_string_value(json_object_get(r, "risk")), "high");
    ck_assert(json_is_true(json_object_get(r, "child_present")));
    ck_assert_str_eq(json_string_value(json_object_get(p, "given_name")),
        "Mia");
    ck_assert_str_eq(json_string_value(json_object_get(p, "nhs_number")),
        "943 476 5919");
    ck_assert_str_eq(json_string_value(json_object_get(p, "role")), "child");
    ck_assert_ptr_null(json_object_get(p, "ref"));
    ck_assert_ptr_null(json_object_get(p, "sex")); /* null: left out */
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(d, "holder"), "node")),
        "tvp");
    ck_assert_uint_eq(json_array_size(json_object_get(d, "others_in_record")),
        2);
    text = json_dumps(d, JSON_COMPACT);
    ck_assert_ptr_nonnull(text);
    /* Nothing of the other people but their roles; no unknown field. */
    ck_assert_ptr_null(strstr(text, "Chantelle"));
    ck_assert_ptr_null(strstr(text, "Oxford Road"));
    ck_assert_ptr_null(strstr(text, "Dean"));
    ck_assert_ptr_null(strstr(text, "2011/0234567F"));
    ck_assert_ptr_null(strstr(text, "1994-02-11"));
    ck_assert_ptr_null(strstr(text, "private note"));
    ck_assert_ptr_null(strstr(text, "not a field"));
    ck_assert_ptr_nonnull(strstr(text, "\"perpetrator\""));
    free(text);
    json_decref(d);

    /* The mother's request gives her address, not the child's NHS number. */
    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "v1",
                         NULL, &d),
        0);
    p = json_object_get(d, "person");
    ck_assert_str_eq(json_string_value(json_object_get(p, "address")),
        "14 Oxford Road");
    ck_assert_ptr_null(json_object_get(d, "holder"));
    text = json_dumps(d, JSON_COMPACT);
    ck_assert_ptr_null(strstr(text, "943 476 5919"));
    ck_assert_ptr_null(strstr(text, "Mia"));
    free(text);
    json_decref(d);
    json_decref(holder);
}
END_TEST

START_TEST(test_details_of_what_is_not_there)
{
    json_t *d = (json_t *)1;

    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "x9",
                         NULL, &d),
        SEEN_ENOTFOUND);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(seen_disclosure_details("{\"people\":[]}", 13, "c1",
                         NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_int_eq(seen_disclosure_details("not json", 8, "c1", NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_int_eq(seen_disclosure_details(record, strlen(record) / 2,
                         "c1", NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_fuzz_seeds_replay)
{
    const char *dirpath = SEEN_SOURCE_DIR "/tests/fuzz/corpus/disclosure";
    char path[4096];
    uint8_t buf[65536];
    struct dirent *e;
    size_t n, files = 0;
    DIR *dp;
    FILE *f;

    ck_assert_ptr_nonnull(dp = opendir(dirpath));
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
        ck_assert_ptr_nonnull(f = fopen(path, "rb"));
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        ck_assert_int_eq(LLVMFuzzerTestOneInput(buf, n), 0);
        files++;
    }
    closedir(dp);
    ck_assert_uint_ge(files, 5);
}
END_TEST

Suite *
disclosure_suite(void)
{
    Suite *s = suite_create("disclosure");
    TCase *tc = tcase_create("seal");

    tcase_add_test(tc, test_only_the_requester_opens_the_answer);
    tcase_add_test(tc, test_a_changed_or_short_answer_does_not_open);
    suite_add_tcase(s, tc);
    tc = tcase_create("details");
    tcase_add_test(tc, test_details_hold_the_record_and_that_person_only);
    tcase_add_test(tc, test_details_of_what_is_not_there);
    suite_add_tcase(s, tc);
    tc = tcase_create("fuzz");
    tcase_add_test(tc, test_fuzz_seeds_replay);
    suite_add_tcase(s, tc);
    return s;
}
