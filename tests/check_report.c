/*
 * check_report.c: the chronology's checks, the HTML report and the
 * network (tools/report*.c), on the contract's sample and variants of it.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "tools/report.h"
#include "tools/report_graph.h"
#include "tools/report_html.h"

#define SAMPLE SEEN_SOURCE_DIR "/tests/data/report/sample.json"

static json_t *
sample(void)
{
    json_error_t je;
    json_t *doc = json_load_file(SAMPLE, 0, &je);

    ck_assert_msg(doc != NULL, "%s: %s", SAMPLE, je.text);
    return doc;
}

/* The page of ${doc} (checked first); the caller frees it. */
static char *
page(json_t *doc)
{
    char why[256], *out;
    size_t len;

    ck_assert_int_eq(report_check(doc, why, sizeof why), 0);
    ck_assert_int_eq(report_html(doc, &out, &len), 0);
    ck_assert_uint_eq(strlen(out), len);
    return out;
}

/* How many times ${needle} occurs in ${hay}. */
static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
        n++;
    return n;
}

/* The first event's first person of the details, for planting things. */
static json_t *
details_person(json_t *doc)
{
    json_t *d = json_object_get(
        json_array_get(json_object_get(doc, "events"), 0), "details");

    return json_array_get(json_object_get(d, "people"), 0);
}

START_TEST(test_check_accepts_the_contract_sample)
{
    json_t *doc = sample();
    char why[256];

    ck_assert_int_eq(report_check(doc, why, sizeof why), 0);
    json_decref(doc);
}
END_TEST

START_TEST(test_check_refuses_what_the_renderers_cannot_draw)
{
    json_t *doc = sample();
    char why[256];

    json_object_set_new(doc, "ok", json_false());
    ck_assert_int_eq(report_check(doc, why, sizeof why), SEEN_EINVAL);
    json_object_set_new(doc, "ok", json_true());
    json_object_set_new(doc, "alerts", json_string("none"));
    ck_assert_int_eq(report_check(doc, why, sizeof why), SEEN_EINVAL);
    ck_assert_str_eq(why, "\"alerts\" is not an array");
    json_object_set_new(doc, "alerts", json_array());
    json_object_del(json_array_get(json_object_get(doc, "events"), 3), "date");
    ck_assert_int_eq(report_check(doc, why, sizeof why), SEEN_EINVAL);
    ck_assert_str_eq(why, "\"events\"[3] has no \"date\" string");
    json_decref(doc);
}
END_TEST

START_TEST(test_page_has_one_event_per_event_and_one_lane_per_agency)
{
    json_t *doc = sample();
    char *html = page(doc);

    ck_assert_uint_eq(count(html, "<div class=\"event\""), 8);
    ck_assert_uint_eq(count(html, "class=\"lane\""), 3);
    ck_assert_uint_eq(count(html, "badge voice-missing"), 4 + 1);
    ck_assert_uint_eq(count(html, "<h1>"), 1);
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_page_loads_nothing_and_holds_no_script)
{
    json_t *doc = sample();
    char *html = page(doc);

    ck_assert_ptr_nonnull(strstr(html,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
        "'none'; style-src 'unsafe-inline'; img-src data:\">"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<link"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_ptr_null(strstr(html, "src="));
    ck_assert_ptr_null(strstr(html, "href=\"http"));
    ck_assert_ptr_null(strstr(html, "@import"));
    ck_assert_ptr_null(strstr(html, "url("));
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_page_escapes_every_value)
{
    json_t *doc = sample();
    json_t *p = json_array_get(json_object_get(doc, "people"), 0);
    char *html;

    json_object_set_new(p, "name", json_string("<script>x()</script>"));
    json_object_set_new(doc, "purpose", json_string("a\" onclick=\"x"));
    json_object_set_new(json_array_get(json_object_get(doc, "agencies"), 0),
        "agency", json_string("<b>&amp;'"));
    html = page(doc);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "\" onclick"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;x()&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;b&gt;&amp;amp;&#39;"));
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_page_never_shows_an_address_postcode_or_birth_date)
{
    json_t *doc = sample();
    json_t *p = details_person(doc);
    char *html;

    json_object_set_new(p, "address", json_string("14 Oxford Road"));
    json_object_set_new(p, "postcode", json_string("RG1 5DF"));
    json_object_set_new(p, "date_of_birth", json_string("2020-09-30"));
    json_object_set_new(p, "nhs_number", json_string("999 001 0005"));
    json_object_set_new(
        json_object_get(
            json_array_get(json_object_get(doc, "events"), 0), "details"),
        "address", json_string("14 Oxford Road"));
    html = page(doc);
    ck_assert_ptr_null(strstr(html, "Oxford Road"));
    ck_assert_ptr_null(strstr(html, "RG1 5DF"));
    ck_assert_ptr_null(strstr(html, "2020-09-30"));
    ck_assert_ptr_null(strstr(html, "999 001 0005"));
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_withheld_shows_the_reason_or_says_none_was_given)
{
    json_t *doc = sample();
    json_t *e = json_array_get(json_object_get(doc, "events"), 6);
    char *html = page(doc);

    ck_assert_ptr_nonnull(strstr(html, "Reason: Ongoing criminal "
                                       "investigation; to be reviewed"));
    free(html);
    json_object_set_new(e, "withheld_reason", json_null());
    html = page(doc);
    ck_assert_ptr_nonnull(strstr(html, "Reason: not given to this node"));
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_several_requests_for_a_record_are_each_shown)
{
    json_t *doc = sample();
    json_t *e = json_array_get(json_object_get(doc, "events"), 6);
    char *html;

    json_object_set_new(e, "requests",
        json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:n}]", "request",
            "aaaa0000aaaa0000aaaa0000aaaa0000", "handle", "h1", "status",
            "withheld", "reason", "<live> investigation", "request",
            "bbbb0000bbbb0000bbbb0000bbbb0000", "handle", "h2", "status",
            "pending", "reason"));
    html = page(doc);
    ck_assert_ptr_nonnull(strstr(html, "aaaa0000aaaa0000aaaa0000aaaa0000</span>"
                                       ": withheld (&lt;live&gt; "
                                       "investigation)</li>"));
    ck_assert_ptr_nonnull(strstr(html, "bbbb0000bbbb0000bbbb0000bbbb0000</span>"
                                       ": pending</li>"));
    free(html);
    json_decref(doc);
}
END_TEST

START_TEST(test_graph_holds_people_records_agencies_and_authorities)
{
    struct report_graph_counts c;
    json_t *doc = sample();
    char *dot;
    size_t len;

    ck_assert_int_eq(report_graph_dot(doc, &dot, &len, &c), 0);
    ck_assert_uint_eq(c.people, 6);
    ck_assert_uint_eq(c.records, 8);
    ck_assert_uint_eq(c.agencies, 3);
    ck_assert_uint_eq(c.authorities, 2);
    ck_assert_uint_eq(count(dot, "shape=hexagon"), 1);
    ck_assert_uint_eq(count(dot, "shape=doubleoctagon"), 1);
    ck_assert_uint_eq(count(dot, "shape=note"), 8);
    ck_assert_ptr_nonnull(strstr(dot, "SHIELDED: no address shown"));
    free(dot);
    json_decref(doc);
}
END_TEST

START_TEST(test_a_large_network_is_laid_out_with_less_effort)
{
    json_t *doc = sample(), *events = json_object_get(doc, "events");
    json_t *e0 = json_array_get(events, 0);
    char *dot, rec[40];
    size_t len, i;

    ck_assert_int_eq(report_graph_dot(doc, &dot, &len, NULL), 0);
    ck_assert_ptr_null(strstr(dot, "mclimit"));
    free(dot);
    for (i = 0; i < 200; i++) {
        json_t *e = json_deep_copy(e0);

        snprintf(rec, sizeof rec, "G%032zx", i);
        json_object_set_new(e, "record", json_string(rec));
        json_array_append_new(events, e);
    }
    ck_assert_int_eq(report_graph_dot(doc, &dot, &len, NULL), 0);
    ck_assert_ptr_nonnull(strstr(dot, "mclimit=0.1"));
    free(dot);
    json_decref(doc);
}
END_TEST

START_TEST(test_graph_says_who_is_unborn_and_each_role_in_words)
{
    json_t *doc = sample();
    char *dot;
    size_t len;

    json_object_set_new(json_array_get(json_object_get(doc, "people"), 5),
        "birth_band", json_string("unborn"));
    ck_assert_int_eq(report_graph_dot(doc, &dot, &len, NULL), 0);
    ck_assert_ptr_nonnull(strstr(dot, "label=\"CHILD: UNBORN\\n"));
    ck_assert_ptr_nonnull(strstr(dot, "[label=\"adult victim\"]"));
    ck_assert_ptr_null(strstr(dot, "adult_victim"));
    free(dot);
    json_decref(doc);
}
END_TEST

START_TEST(test_graph_label_text_is_never_a_graphviz_escape)
{
    json_t *doc = sample();
    char *dot;
    size_t len;

    json_object_set_new(json_array_get(json_object_get(doc, "people"), 0),
        "name", json_string("Mia \\N \\G"));
    ck_assert_int_eq(report_graph_dot(doc, &dot, &len, NULL), 0);
    ck_assert_ptr_nonnull(strstr(dot, "Mia \\\\N \\\\G"));
    free(dot);
    json_decref(doc);
}
END_TEST

START_TEST(test_svg_is_one_element_with_its_text_alternatives)
{
    struct report_graph_counts c;
    json_t *doc = sample();
    char *svg;
    size_t len;

    ck_assert_int_eq(report_graph_svg(doc, "The <network>", &svg, &len, &c), 0);
    ck_assert_int_eq(strncmp(svg,
                         "<svg class=\"network\" role=\"img\" "
                         "aria-label=\"The &lt;network&gt;\"",
                         60),
        0);
    ck_assert_ptr_null(strstr(svg, "<?xml"));
    ck_assert_ptr_nonnull(strstr(svg, "<title>The &lt;network&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(svg, "<desc id=\"network-desc\">6 people"));
    ck_assert_uint_eq(count(svg, "class=\"node"), 6 + 8 + 3 + 2);
    ck_assert_uint_eq(strlen(svg), len);
    free(svg);
    json_decref(doc);
}
END_TEST

Suite *
report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");

    tcase_add_test(tc, test_check_accepts_the_contract_sample);
    tcase_add_test(tc, test_check_refuses_what_the_renderers_cannot_draw);
    tcase_add_test(
        tc, test_page_has_one_event_per_event_and_one_lane_per_agency);
    tcase_add_test(tc, test_page_loads_nothing_and_holds_no_script);
    tcase_add_test(tc, test_page_escapes_every_value);
    tcase_add_test(tc, test_page_never_shows_an_address_postcode_or_birth_date);
    tcase_add_test(tc, test_withheld_shows_the_reason_or_says_none_was_given);
    tcase_add_test(tc, test_several_requests_for_a_record_are_each_shown);
    tcase_add_test(
        tc, test_graph_holds_people_records_agencies_and_authorities);
    tcase_add_test(tc, test_a_large_network_is_laid_out_with_less_effort);
    tcase_add_test(tc, test_graph_says_who_is_unborn_and_each_role_in_words);
    tcase_add_test(tc, test_graph_label_text_is_never_a_graphviz_escape);
    tcase_add_test(tc, test_svg_is_one_element_with_its_text_alternatives);
    suite_add_tcase(s, tc);
    return s;
}
