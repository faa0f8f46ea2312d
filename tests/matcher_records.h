/*
 * matcher_records.h: the import lines check_matcher.c imports (spec/
 * import.md), each with its id: a few households, their moves, a Clare's
 * Law disclosure and an unborn child.  Included by check_matcher.c only.
 */
#ifndef SEEN_TESTS_MATCHER_RECORDS_H
#define SEEN_TESTS_MATCHER_RECORDS_H

/* Police, Reading: a mother, her child, and the man who hurt her. */
#define TVP1_ID "TVP-DA-2025-00412"
#define TVP1                                                                   \
    "{\"id\":\"" TVP1_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"v1\",\"role\":\"adult_victim\","        \
    "\"given_name\":\"Chantelle\",\"family_name\":\"Ward\","                   \
    "\"date_of_birth\":\"1994-02-11\",\"postcode\":\"RG1 5DF\"},"              \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\","               \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","               \
    "\"nhs_number\":\"9434765919\",\"postcode\":\"RG1 5DF\"},"                 \
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","        \
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\","               \
    "\"sex\":\"M\",\"pnc_id\":\"2011/0234567F\"}]}"

/* Social care, Reading: the same child and mother, the name misspelt. */
#define SC1_ID "RDG-CIN-204117"
#define SC1                                                                    \
    "{\"id\":\"" SC1_ID "\",\"kind\":\"child_in_need_assessment\","            \
    "\"date\":\"2025-07-01\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"c1\",\"role\":\"child\","               \
    "\"given_name\":\"Miah\",\"family_name\":\"Ward\",\"date_of_birth\":"      \
    "\"2020-09-30\",\"nhs_number\":\"943 476 5919\",\"postcode\":"             \
    "\"RG1 5DF\"},{\"ref\":\"m1\",\"role\":\"parent\",\"given_name\":"         \
    "\"Chantelle\",\"family_name\":\"Ward\",\"date_of_birth\":"                \
    "\"1994-02-11\",\"postcode\":\"RG1 5DF\"}]}"

/* Police, Hertfordshire: the same man, another household. */
#define HERTS1_ID "HC-DA-2025-03311"
#define HERTS1                                                                 \
    "{\"id\":\"" HERTS1_ID "\",\"kind\":\"domestic_abuse_incident\","          \
    "\"date\":\"2025-05-20\",\"local_authority\":\"Hertfordshire\","           \
    "\"risk\":\"medium\",\"people\":[{\"ref\":\"v1\",\"role\":"                \
    "\"adult_victim\",\"given_name\":\"Kelly\",\"family_name\":\"Price\","     \
    "\"date_of_birth\":\"1992-07-19\",\"postcode\":\"SG1 1AA\"},"              \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Kayden\","            \
    "\"family_name\":\"Price\",\"date_of_birth\":\"2016-03-04\","              \
    "\"postcode\":\"SG1 1AA\"},{\"ref\":\"p1\",\"role\":\"perpetrator\","      \
    "\"given_name\":\"Dean\",\"family_name\":\"Holt\",\"date_of_birth\":"      \
    "\"1989-05-02\",\"sex\":\"M\",\"pnc_id\":\"2011/0234567F\"}]}"

/* Police, Hertfordshire: the family of TVP1 after a move, the same man;
 * the mother's date of birth written another way (she is not joined to
 * herself), the child's NHS number the same (she is). */
#define HERTS2_ID "HC-DA-2025-04410"
#define HERTS2                                                                 \
    "{\"id\":\"" HERTS2_ID "\",\"kind\":\"domestic_abuse_incident\","          \
    "\"date\":\"2025-09-02\",\"local_authority\":\"Hertfordshire\","           \
    "\"risk\":\"medium\",\"people\":[{\"ref\":\"v1\",\"role\":"                \
    "\"adult_victim\",\"given_name\":\"Chantal\",\"family_name\":"           \
    "\"Warde\",\"date_of_birth\":\"1993-11-02\",\"postcode\":\"SG2 0QQ\"},"  \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\","               \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","               \
    "\"nhs_number\":\"9434765919\",\"postcode\":\"SG2 0QQ\"},"                 \
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","        \
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\","               \
    "\"sex\":\"M\",\"pnc_id\":\"2011/0234567F\"}]}"

/* Police, Hertfordshire: the mother of TVP1 written otherwise (her
 * record scores as perhaps her, not surely), with another child of
 * hers, and the same man. */
#define HERTS3_ID "HC-DA-2025-05120"
#define HERTS3                                                                 \
    "{\"id\":\"" HERTS3_ID "\",\"kind\":\"domestic_abuse_incident\","          \
    "\"date\":\"2025-10-12\",\"local_authority\":\"Hertfordshire\","           \
    "\"risk\":\"medium\",\"people\":[{\"ref\":\"v1\",\"role\":"                \
    "\"adult_victim\",\"given_name\":\"Chantal\",\"family_name\":"           \
    "\"Ward\",\"date_of_birth\":\"1994-11-02\",\"postcode\":\"SG2 0QQ\"},"   \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Leo\","               \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2022-01-05\","               \
    "\"postcode\":\"SG2 0QQ\"},"                                               \
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","        \
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\","               \
    "\"sex\":\"M\",\"pnc_id\":\"2011/0234567F\"}]}"

/* Police, elsewhere: the same man once more, alone in the record. */
#define LOW1_ID "LP-DA-2025-00007"
#define LOW1                                                                   \
    "{\"id\":\"" LOW1_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-04-02\",\"local_authority\":\"Slough\",\"risk\":"         \
    "\"medium\",\"people\":[{\"ref\":\"p1\",\"role\":\"perpetrator\","         \
    "\"given_name\":\"Dean\",\"family_name\":\"Holt\",\"date_of_birth\":"      \
    "\"1989-05-02\",\"sex\":\"M\",\"pnc_id\":\"2011/0234567F\"}]}"

/*
 * Twins, born the same day to one mother, each recorded with her in a
 * record of his own (so that no record holds both, and only what the
 * scorer makes of their names keeps them apart), and one of them again,
 * alone.
 */
#define TVP2_ID "TVP-DA-2025-00530"
#define TVP2                                                                   \
    "{\"id\":\"" TVP2_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-03-03\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"m1\",\"role\":\"adult_victim\","        \
    "\"given_name\":\"Jade\",\"family_name\":\"Brown\",\"date_of_birth\":"     \
    "\"1990-01-01\",\"postcode\":\"RG2 7AB\"},{\"ref\":\"c1\",\"role\":"       \
    "\"child\",\"given_name\":\"Oliver\",\"family_name\":\"Brown\","           \
    "\"date_of_birth\":\"2019-06-15\",\"sex\":\"M\",\"postcode\":"             \
    "\"RG2 7AB\"}]}"
#define SC2_ID "RDG-CIN-204200"
#define SC2                                                                    \
    "{\"id\":\"" SC2_ID "\",\"kind\":\"child_in_need_assessment\","            \
    "\"date\":\"2025-04-10\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"m1\",\"role\":\"parent\","              \
    "\"given_name\":\"Jade\",\"family_name\":\"Brown\",\"date_of_birth\":"     \
    "\"1990-01-01\",\"postcode\":\"RG2 7AB\"},{\"ref\":\"c2\",\"role\":"       \
    "\"child\",\"given_name\":\"Harry\",\"family_name\":\"Brown\","            \
    "\"date_of_birth\":\"2019-06-15\",\"sex\":\"M\",\"postcode\":"             \
    "\"RG2 7AB\"}]}"
#define SC3_ID "RDG-CIN-204201"
#define SC3                                                                    \
    "{\"id\":\"" SC3_ID "\",\"kind\":\"child_in_need_assessment\","            \
    "\"date\":\"2025-04-12\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"c1\",\"role\":\"child\","               \
    "\"given_name\":\"Oliver\",\"family_name\":\"Brown\",\"date_of_birth\":"   \
    "\"2019-06-15\",\"sex\":\"M\",\"postcode\":\"RG2 7AB\"}]}"

/* Police, Reading: a Clare's Law disclosure about a man with a child. */
#define DVDS1_ID "TVP-DVDS-2025-0042"
#define DVDS1                                                                  \
    "{\"id\":\"" DVDS1_ID "\",\"kind\":\"dvds_disclosure\",\"date\":"          \
    "\"2025-02-01\",\"local_authority\":\"Reading\",\"risk\":\"medium\","      \
    "\"people\":[{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":"     \
    "\"Lee\",\"family_name\":\"Carter\",\"date_of_birth\":\"1985-11-23\","     \
    "\"sex\":\"M\"},{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":"        \
    "\"Ruby\",\"family_name\":\"Carter\",\"date_of_birth\":\"2018-08-08\","    \
    "\"sex\":\"F\",\"postcode\":\"RG4 8XY\"}]}"

/* Social care, Reading: the same child, later. */
#define SC4_ID "RDG-CIN-204377"
#define SC4                                                                    \
    "{\"id\":\"" SC4_ID "\",\"kind\":\"child_in_need_assessment\","            \
    "\"date\":\"2025-08-01\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"c1\",\"role\":\"child\","               \
    "\"given_name\":\"Ruby\",\"family_name\":\"Carter\",\"date_of_birth\":"    \
    "\"2018-08-08\",\"sex\":\"F\",\"postcode\":\"RG4 8XY\"}]}"

/*
 * Police, Reading: a mother and her unborn child (no given name, an
 * expected due date), then social care after the birth: the child, born
 * ten days after the due date, her brother two years older, the mother.
 */
#define TVP3_ID "TVP-DA-2025-00601"
#define TVP3                                                                   \
    "{\"id\":\"" TVP3_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-02-11\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"high\",\"people\":[{\"ref\":\"v1\",\"role\":\"adult_victim\","          \
    "\"given_name\":\"Sophie\",\"family_name\":\"Lane\","                    \
    "\"date_of_birth\":\"1995-04-04\",\"postcode\":\"RG30 2AB\"},"             \
    "{\"ref\":\"u1\",\"role\":\"unborn\",\"given_name\":null,"               \
    "\"family_name\":\"Lane\",\"expected_due_date\":\"2025-05-30\","         \
    "\"postcode\":\"RG30 2AB\"}]}"
#define SC5_ID "RDG-CIN-204480"
#define SC5                                                                    \
    "{\"id\":\"" SC5_ID "\",\"kind\":\"child_in_need_assessment\","            \
    "\"date\":\"2025-09-01\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"medium\",\"people\":[{\"ref\":\"c1\",\"role\":\"child\","               \
    "\"given_name\":\"Isla\",\"family_name\":\"Lane\",\"date_of_birth\":"      \
    "\"2025-06-09\",\"sex\":\"F\",\"postcode\":\"RG30 2AB\"},{\"ref\":"      \
    "\"c2\",\"role\":\"child\",\"given_name\":\"Alfie\",\"family_name\":"     \
    "\"Lane\",\"date_of_birth\":\"2023-02-10\",\"sex\":\"M\",\"postcode\":"   \
    "\"RG30 2AB\"},{\"ref\":\"m1\",\"role\":\"parent\",\"given_name\":"      \
    "\"Sophie\",\"family_name\":\"Lane\",\"date_of_birth\":\"1995-04-04\","   \
    "\"postcode\":\"RG30 2AB\"}]}"

/* Two records of one mother (the same name and date of birth), each with
 * a child: ${c1} in the first (no date of birth), ${c2} in the second. */
#define KIN(id, kind, c1)                                                      \
    "{\"id\":\"" id "\",\"kind\":\"" kind "\",\"date\":\"2025-05-01\","         \
    "\"local_authority\":\"Reading\",\"people\":[{\"ref\":\"m\",\"role\":"       \
    "\"parent\",\"given_name\":\"Leanne\",\"family_name\":\"Marsh\","           \
    "\"date_of_birth\":\"1990-03-04\"},{\"ref\":\"c\",\"role\":\"child\","      \
    c1 "}]}"
#define KIN_A KIN("SC-K-1", "child_in_need_assessment",                      \
    "\"given_name\":\"Kayden\",\"family_name\":\"Marsh\"")
#define KIN_B KIN("HP-K-1", "strategy_meeting",                               \
    "\"given_name\":\"Kayden\",\"family_name\":\"Marsh\",\"date_of_birth\":"  \
    "\"2019-05-06\"")
#define TWIN_A KIN("SC-T-1", "child_in_need_assessment",                     \
    "\"given_name\":\"Amber\",\"family_name\":\"Marsh\",\"date_of_birth\":"   \
    "\"2019-05-06\"")
#define TWIN_B KIN("HP-T-1", "strategy_meeting",                              \
    "\"given_name\":\"Jade\",\"family_name\":\"Marsh\",\"date_of_birth\":"    \
    "\"2019-05-06\"")

#endif /* !SEEN_TESTS_MATCHER_RECORDS_H */
