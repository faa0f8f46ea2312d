#include <stdlib.h>
#include <string.h>

#include "match/common.h"

/* Sorted, upper case.  Class 2 names first in each list's comment. */
static const char *const very_common[] = {
    "BROWN", "DANIEL", "DAVID", "DAVIES", "EMMA", "EVANS", "JAMES", "JOHN",
    "JOHNSON", "JONES", "LAURA", "MARK", "MICHAEL", "MOHAMMED", "MUHAMMAD",
    "OLIVER", "OLIVIA", "PAUL", "ROBERTS", "SARAH", "SMITH", "TAYLOR",
    "THOMAS", "WILLIAMS", "WILSON",
};

static const char *const common[] = {
    "ADAMS", "AHMED", "ALI", "ALLEN", "AMELIA", "AMY", "ANDERSON", "ANDREW",
    "ARTHUR", "BAILEY", "BAKER", "BARKER", "BARNES", "BEGUM", "BELL",
    "BENNETT", "CAMPBELL", "CARTER", "CHAPMAN", "CHARLIE", "CHARLOTTE",
    "CHLOE", "CHRISTOPHER", "CLAIRE", "CLARK", "CLARKE", "COLLINS", "COOK",
    "COOPER", "COX", "CRAIG", "DARREN", "DAVIS", "DEAN", "DIXON", "EDWARDS",
    "ELLIS", "EMILY", "FISHER", "FOSTER", "FREYA", "GARY", "GEMMA", "GEORGE",
    "GRACE", "GRAY", "GREEN", "GRIFFITHS", "HALL", "HANNAH", "HARRIS",
    "HARRISON", "HARRY", "HARVEY", "HILL", "HOLMES", "HUGHES", "HUNT",
    "HUSSAIN", "ISLA", "JACK", "JACKSON", "JACOB", "JAMIE", "JASON", "JENKINS",
    "JESSICA", "KAUR", "KELLY", "KHAN", "KING", "KNIGHT", "LEE", "LEO",
    "LEWIS", "LILY", "LISA", "LLOYD", "MARSHALL", "MARTIN", "MASON",
    "MATTHEW", "MATTHEWS", "MIA", "MICHELLE", "MILLER", "MILLS", "MITCHELL",
    "MOORE", "MORGAN", "MORRIS", "MURPHY", "MURRAY", "NICOLA", "NOAH", "OWEN",
    "PALMER", "PARKER", "PATEL", "PETER", "PHILLIPS", "POPPY", "POWELL",
    "PRICE", "REBECCA", "RICHARD", "RICHARDS", "RICHARDSON", "ROBERT",
    "ROBINSON", "ROGERS", "RUSSELL", "SAMANTHA", "SCOTT", "SHAW", "SIMPSON",
    "SINGH", "SOPHIE", "STEPHEN", "STEVENS", "THOMPSON", "TURNER", "WALKER",
    "WARD", "WATSON", "WEBB", "WHITE", "WILKINSON", "WOOD", "WRIGHT", "YOUNG",
};

static int
cmp(const void *a, const void *b)
{

    return strcmp(a, *(const char *const *)b);
}

/**
 * seen_name_commonness(norm):
 * Return 2 for one of the most common names (${norm} as seen_norm_name
 * writes one word, upper case), 1 for a common one, 0 otherwise.
 */
int
seen_name_commonness(const char *norm)
{

    if (norm == NULL || norm[0] == '\0')
        return 0;
    if (bsearch(norm, very_common, sizeof very_common / sizeof very_common[0],
            sizeof very_common[0], cmp) != NULL)
        return 2;
    if (bsearch(norm, common, sizeof common / sizeof common[0],
            sizeof common[0], cmp) != NULL)
        return 1;
    return 0;
}
