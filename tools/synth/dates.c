#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "synth.h"

/* Howard Hinnant's days_from_civil and civil_from_days. */

/**
 * synth_days(y, m, d):
 * Return the day number of ${y}-${m}-${d}.
 */
int32_t
synth_days(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

/**
 * synth_civil(days, y, m, d):
 * Store the year, month and day of day number ${days}.
 */
void
synth_civil(int32_t days, int *y, int *m, int *d)
{
    int32_t z = days + 719468, era, doe, yoe, doy, mp;

    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/**
 * synth_year(days):
 * Return the year of day number ${days}.
 */
int
synth_year(int32_t days)
{
    int y, m, d;

    synth_civil(days, &y, &m, &d);
    return y;
}

/**
 * synth_date_format(days, out):
 * Write "YYYY-MM-DD" for ${days} to ${out}.
 */
void
synth_date_format(int32_t days, char out[static 11])
{
    int y, m, d;

    synth_civil(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static int
month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
        31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return md[m - 1];
}

/**
 * synth_date_parse(s, days):
 * Parse the valid date "YYYY-MM-DD" ${s} into ${days}.  Returns 0, or -1
 * when ${s} is not a valid date.
 */
int
synth_date_parse(const char *s, int32_t *days)
{
    int i, y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    *days = synth_days(y, m, d);
    return 0;
}

/**
 * synth_age(dob, on):
 * Return the age in whole years on day ${on} of someone born on ${dob}.
 */
int
synth_age(int32_t dob, int32_t on)
{
    int by, bm, bd, y, m, d, age;

    synth_civil(dob, &by, &bm, &bd);
    synth_civil(on, &y, &m, &d);
    age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

/**
 * synth_add_years(days, n):
 * Return the same day ${n} years later (29 February becomes 28).
 */
int32_t
synth_add_years(int32_t days, int n)
{
    int y, m, d;

    synth_civil(days, &y, &m, &d);
    y += n;
    if (m == 2 && d == 29 && month_days(y, 2) == 28)
        d = 28;
    return synth_days(y, m, d);
}

const char *const synth_kind_names[SYNTH_NKINDS] = {
    "domestic_abuse_incident", "dvds_disclosure", "marac_referral",
    "child_in_need_assessment", "strategy_meeting", "child_protection_plan",
    "safety_plan", "midwifery_booking", "health_visitor_contact",
    "ed_attendance", "safeguarding_concern", "safeguarding_concern",
    "supervision", "youth_justice", "other",
};

const char *const synth_agency_names[SYNTH_NAGENCIES] = {
    "social_care", "police", "health", "school", "probation",
    "youth_justice", "other",
};

const char *const synth_scenario_names[SYNTH_NSCENARIOS] = {
    "perpetrator_two_authorities", "perpetrator_two_households",
    "siblings", "twins", "mother_and_child",
    "same_name_same_dob_different_people", "unborn", "moved",
    "dvds_subject_with_child_at_social_care",
    "child_high_risk_unknown_to_social_care", "changed_family_name",
    "hyphenated_family_name", "nickname", "father_and_son_same_name",
    "given_family_swapped", "dob_day_month_swapped", "name_typo",
    "dob_missing", "invalid_identifier", "alias",
};
