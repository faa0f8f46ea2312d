/*
 * fuzz_import.c: libFuzzer harness for the import-line parser
 * (proto/record.[ch]).  The whole input is one line.  Beyond "no crash, no
 * leak, no undefined behaviour" it checks what callers rely on: the return
 * codes and *out agree, a rejected line reported at least one error, the
 * number of reports is bounded, an accepted record satisfies import.md's
 * rules, and the body of an accepted record parses again to the same body.
 *
 * Seeds: tests/fuzz/corpus/import; inputs that once broke it:
 * tests/fuzz/regress/import (replayed by tests/check_record.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "proto/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
    size_t n;
    size_t nerr;
};

static void
diag(void *ctx, const char *field, const char *reason, int warning)
{
    struct count *c = ctx;

    if (field == NULL || reason == NULL || field[0] == '\0' ||
        reason[0] == '\0' || strlen(field) > 64 || strlen(reason) > 160 ||
        (warning != 0 && warning != 1))
        abort();
    c->n++;
    if (!warning)
        c->nerr++;
}

/* Abort unless ${r} keeps the rules of import.md. */
static void
check_record(const struct seen_record *r)
{
    const struct seen_person *p;
    size_t i, j;

    if (r->id == NULL || r->id[0] == '\0')
        abort();
    if (!r->deleted &&
        (r->kind < 1 || r->kind > 14 || r->local_authority == NULL ||
            r->npeople < 1 || r->npeople > SEEN_RECORD_PEOPLE_MAX))
        abort();
    if (r->risk < 0 || r->risk > 4 || r->dvds < 0 || r->dvds > 2)
        abort();
    for (i = 0; i < r->npeople; i++) {
        p = &r->people[i];
        if (p->ref == NULL || p->ref[0] == '\0' || p->role < 1 ||
            p->role > 6)
            abort();
        for (j = 0; j < i; j++) {
            if (strcmp(r->people[j].ref, p->ref) == 0)
                abort();
        }
        if (p->sex != 0 && strchr("FMXU", p->sex) == NULL)
            abort();
        if ((p->nhs[0] != '\0' && strlen(p->nhs) != 10) ||
            strlen(p->upn) > 13 || strlen(p->pnc) > 13 ||
            strlen(p->postcode) > 8 || strlen(p->district) > 4 ||
            (p->postcode[0] == '\0') != (p->district[0] == '\0'))
            abort();
        for (j = 0; j < p->n_other_names; j++) {
            if (p->other_names[j] == NULL || p->other_names[j][0] == '\0')
                abort();
        }
        if (p->nhs[0] == '\0' && p->upn[0] == '\0' && p->pnc[0] == '\0' &&
            !(p->family != NULL && (p->has_dob || p->has_due)) &&
            !(p->given != NULL && p->family != NULL))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_record *r, *r2;
    struct count c = {0, 0}, c2 = {0, 0};
    char *body, *body2;
    size_t len, len2;
    int rc;

    (void)seen_record_line_blank((const char *)data, size);
    rc = seen_record_parse((const char *)data, size, &r, diag, &c);
    if (c.n > SEEN_RECORD_DIAG_MAX + 1)
        abort();
    switch (rc) {
    case 0:
        if (r == NULL)
            abort();
        break;
    case SEEN_EINVAL:
        if (r != NULL || c.nerr == 0)
            abort();
        return 0;
    case SEEN_ENOMEM:
        if (r != NULL)
            abort();
        return 0;
    default:
        abort();
    }
    if (c.nerr != 0)
        abort();
    check_record(r);

    /* What the node stores must import again, to the same bytes. */
    if ((body = seen_record_body(r, &len)) == NULL)
        goto done;
    if (len != strlen(body))
        abort();
    if (len <= SEEN_RECORD_LINE_MAX) {
        if (seen_record_parse(body, len, &r2, diag, &c2) != 0)
            abort();
        if (strcmp(r->id, r2->id) != 0 || r->npeople != r2->npeople ||
            r->deleted != r2->deleted || c2.n != c.n)
            abort();
        if ((body2 = seen_record_body(r2, &len2)) != NULL) {
            if (len2 != len || memcmp(body, body2, len) != 0)
                abort();
            free(body2);
        }
        seen_record_destroy(&r2);
    }
    free(body);
done:
    seen_record_destroy(&r);
    return 0;
}
