/*
 * seen-synth: the synthetic data generator for the demo, the tests and
 * the benchmarks.  Writes, for every node of a lab manifest (or for one
 * node), the records that agency would hold in the import format
 * (spec/import.md), with truth.jsonl (who is who) and scenarios.jsonl (the
 * planted hard cases).  Deterministic for a seed and arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/log.h"

#include "names.h"
#include "places.h"
#include "rng.h"
#include "synth.h"

#define DEFAULT_HOUSEHOLDS 200
#define DEFAULT_END "2026-10-31"
#define DEFAULT_YEARS 3
#define MAX_HOUSEHOLDS UINT64_C(100000000)

static const char usage_text[] =
    "usage: seen-synth --manifest LAB.json --out DIR [options]\n"
    "       seen-synth --node NAME --type TYPE --local-authority LA "
    "--out DIR [options]\n"
    "       seen-synth --help\n"
    "\n"
    "Write synthetic safeguarding records for every node of a lab manifest\n"
    "(or one node) to DIR/NAME.jsonl, in the import format, with\n"
    "DIR/truth.jsonl (who is who) and DIR/scenarios.jsonl (planted cases).\n"
    "\n"
    "options:\n"
    "  --households N   household groups per local authority (default 200)\n"
    "  --seed S         seed, an unsigned integer (default 1)\n"
    "  --end DATE       last day of the records, YYYY-MM-DD "
    "(default 2026-10-31)\n"
    "  --years N        years of records up to --end, 1-30 (default 3)\n"
    "  --agency TEXT    with --node: the agency's name (not used in output)\n"
    "\n"
    "TYPE is one of social_care, police, health, school, probation,\n"
    "youth_justice, other.  See docs/synth.md.\n";

/* Say ${reason} (if not NULL) and how to use seen-synth on stderr;
 * return the exit status of bad usage, 2. */
static int
usage(const char *reason)
{

    if (reason != NULL)
        seen_error("%s", reason);
    fputs(usage_text, stderr);
    return 2;
}

/* The synth_agency named ${s}, or -1. */
static int
agency_type(const char *s)
{
    int i;

    for (i = 0; i < SYNTH_NAGENCIES; i++)
        if (strcmp(s, synth_agency_names[i]) == 0)
            return i;
    return -1;
}

/* A node name becomes a file name: keep it to a safe alphabet. */
static int
good_name(const char *s)
{
    const char *p;

    if (s[0] == '\0' || s[0] == '.' || strlen(s) > 100)
        return 0;
    for (p = s; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
            *p == '.'))
            return 0;
    return strcmp(s, "truth") != 0 && strcmp(s, "scenarios") != 0;
}

/* Parse the decimal ${s}, at most ${max}, into ${out}.  Returns 0 or -1. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

struct spec {
    char *name, *agency, *la;
    int type;
};

struct config {
    struct spec *specs;
    int nspecs;
    json_t *manifest;
};

/* Add the node ${name} (of ${agency}, ${type}, in ${la}) to ${cf}, after
 * checking it; ${where} says where it came from in a message.  Returns 0
 * or -1 (said why). */
static int
add_spec(struct config *cf, const char *name, const char *agency,
    const char *type, const char *la, const char *where)
{
    struct spec *s;
    int t, i;

    if (!good_name(name)) {
        seen_error("%s: bad node name '%s' (letters, digits, '-', '_', "
            "'.')", where, name);
        return -1;
    }
    if ((t = agency_type(type)) < 0) {
        seen_error("%s: node '%s': unknown type '%s'", where, name, type);
        return -1;
    }
    if (la[0] == '\0') {
        seen_error("%s: node '%s': empty local_authority", where, name);
        return -1;
    }
    for (i = 0; i < cf->nspecs; i++)
        if (strcmp(cf->specs[i].name, name) == 0) {
            seen_error("%s: node '%s' named twice", where, name);
            return -1;
        }
    if ((s = realloc(cf->specs, sizeof(*s) * (size_t)(cf->nspecs + 1))) ==
        NULL) {
        seen_errorp("out of memory");
        return -1;
    }
    cf->specs = s;
    s = &cf->specs[cf->nspecs];
    s->name = strdup(name);
    s->agency = strdup(agency != NULL ? agency : name);
    s->la = strdup(la);
    s->type = t;
    if (s->name == NULL || s->agency == NULL || s->la == NULL) {
        free(s->name);
        free(s->agency);
        free(s->la);
        seen_errorp("out of memory");
        return -1;
    }
    cf->nspecs++;
    return 0;
}

/* Add the nodes of the lab manifest ${path} to ${cf}, which keeps the
 * parsed manifest (its strings are the specs').  Returns 0 or -1 (said
 * why). */
static int
load_manifest(struct config *cf, const char *path)
{
    json_error_t err;
    json_t *root, *nodes, *n, *v;
    const char *f[4], *keys[4] = {"name", "agency", "type",
        "local_authority"};
    char where[64];
    size_t i;
    int k;

    if ((root = json_load_file(path, 0, &err)) == NULL) {
        seen_error("manifest '%s': line %d: %s", path, err.line, err.text);
        return -1;
    }
    cf->manifest = root;
    nodes = json_object_get(root, "nodes");
    if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
        seen_error("manifest '%s': nodes: expected a non-empty array", path);
        return -1;
    }
    json_array_foreach(nodes, i, n) {
        snprintf(where, sizeof where, "manifest: nodes[%zu]", i);
        if (!json_is_object(n)) {
            seen_error("%s: expected an object", where);
            return -1;
        }
        for (k = 0; k < 4; k++) {
            v = json_object_get(n, keys[k]);
            f[k] = json_is_string(v) ? json_string_value(v) : NULL;
            if (f[k] == NULL && k != 1) {
                seen_error("%s: %s: expected a string", where, keys[k]);
                return -1;
            }
        }
        if (add_spec(cf, f[0], f[1], f[2], f[3], where) != 0)
            return -1;
    }
    return 0;
}

/* mkdir -p */
static int
make_dir(const char *path)
{
    char buf[PATH_MAX];
    size_t i, len = strlen(path);

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        buf[i] = (i == len) ? '\0' : '/';
    }
    return 0;
}

/* Create ${dir}/${name}.jsonl for writing.  Returns it, or NULL (said
 * why). */
static FILE *
open_out(const char *dir, const char *name)
{
    char path[PATH_MAX];
    FILE *f;

    if ((size_t)snprintf(path, sizeof path, "%s/%s.jsonl", dir, name) >=
        sizeof path) {
        seen_error("output path too long");
        return NULL;
    }
    if ((f = fopen(path, "w")) == NULL) {
        seen_errorp("cannot create '%s'", path);
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    return f;
}

/* Build the world's nodes and local authorities from the specs. */
static int
build_world(struct synth_world *w, const struct config *cf)
{
    struct synth_node *n;
    struct synth_la *L;
    uint64_t h;
    int i, k, t;

    w->nodes = calloc((size_t)cf->nspecs, sizeof(*w->nodes));
    w->las = calloc((size_t)cf->nspecs, sizeof(*w->las));
    if (w->nodes == NULL || w->las == NULL)
        return -1;
    w->nnodes = cf->nspecs;
    for (i = 0; i < cf->nspecs; i++) {
        n = &w->nodes[i];
        n->name = cf->specs[i].name;
        n->agency = cf->specs[i].agency;
        n->type = (enum synth_agency)cf->specs[i].type;
        for (k = 0; k < w->nlas; k++)
            if (strcmp(w->las[k].name, cf->specs[i].la) == 0)
                break;
        if (k == w->nlas) {
            L = &w->las[w->nlas++];
            L->name = cf->specs[i].la;
            synth_place_init(&L->place, L->name);
        }
        n->la = k;
        L = &w->las[k];
        L->nnodes[n->type]++;

        /* The node's system: record ids, accents, capitals. */
        h = synth_rng_mix(w->seed, synth_hash(n->name));
        n->counter = 1000 + (uint32_t)(h % 4000);
        n->urn = 100000 + (int)((h >> 20) % 50000);
        switch (n->type) {
        case SYNTH_POLICE:
            snprintf(n->prefix, sizeof n->prefix, "%s", L->place.police);
            n->upper = ((h >> 40) & 1) != 0;
            n->ascii = n->upper || ((h >> 41) % 10) < 4;
            break;
        case SYNTH_HEALTH:
            snprintf(n->prefix, sizeof n->prefix, "%s", L->place.health);
            n->ascii = ((h >> 41) % 10) < 4;
            break;
        case SYNTH_PROBATION:
            snprintf(n->prefix, sizeof n->prefix, "%s",
                L->place.probation);
            n->upper = ((h >> 40) & 1) != 0;
            n->ascii = n->upper;
            break;
        default:
            snprintf(n->prefix, sizeof n->prefix, "%s", L->place.council);
            n->ascii = ((h >> 41) % 10) < 3;
            break;
        }
        if (!L->place.known)
            synth_place_initials(n->name, n->prefix, sizeof n->prefix);
    }
    for (k = 0; k < w->nlas; k++) {
        L = &w->las[k];
        for (t = 0; t < SYNTH_NAGENCIES; t++) {
            if (L->nnodes[t] == 0)
                continue;
            if ((L->nodes[t] = calloc((size_t)L->nnodes[t],
                sizeof(int))) == NULL)
                return -1;
            L->nnodes[t] = 0;
        }
    }
    for (i = 0; i < cf->nspecs; i++) {
        L = &w->las[w->nodes[i].la];
        L->nodes[w->nodes[i].type][L->nnodes[w->nodes[i].type]++] = i;
    }
    return 0;
}

/* Close *${f} (if open), ${dir}/${name}.jsonl, and set it to NULL.
 * Returns 0, or -1 if it was not all written (said). */
static int
close_out(FILE **f, const char *dir, const char *name)
{
    int bad;

    if (*f == NULL)
        return 0;
    bad = ferror(*f);
    if (fclose(*f) != 0)
        bad = 1;
    *f = NULL;
    if (bad) {
        seen_errorp("cannot write '%s/%s.jsonl'", dir, name);
        return -1;
    }
    return 0;
}

/* The command line. */
struct args {
    const char *manifest, *out, *node, *type, *la, *agency;
    uint64_t households, seed, years;
    int32_t end;                /* --end, as a day number */
};

/*
 * Parse the command line ${argc}, ${argv} into ${a}.  Returns -1 to go
 * on, or the exit status: 0 after --help, 2 for bad usage (said why).
 */
static int
parse_args(int argc, char *argv[], struct args *a)
{
    static const struct option opts[] = {
        {"manifest", required_argument, NULL, 'm'},
        {"out", required_argument, NULL, 'o'},
        {"households", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"end", required_argument, NULL, 'e'},
        {"years", required_argument, NULL, 'y'},
        {"node", required_argument, NULL, 'N'},
        {"type", required_argument, NULL, 'T'},
        {"local-authority", required_argument, NULL, 'L'},
        {"agency", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *end = DEFAULT_END;
    char msg[128];
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            a->manifest = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'n':
            if (parse_u64(optarg, MAX_HOUSEHOLDS, &a->households) != 0 ||
                a->households == 0)
                return usage("--households: expected 1 to 100000000");
            break;
        case 's':
            if (parse_u64(optarg, UINT64_MAX, &a->seed) != 0)
                return usage("--seed: expected an unsigned integer");
            break;
        case 'e':
            end = optarg;
            break;
        case 'y':
            if (parse_u64(optarg, 30, &a->years) != 0 || a->years == 0)
                return usage("--years: expected 1 to 30");
            break;
        case 'N':
            a->node = optarg;
            break;
        case 'T':
            a->type = optarg;
            break;
        case 'L':
            a->la = optarg;
            break;
        case 'A':
            a->agency = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            if (optopt != 0)
                snprintf(msg, sizeof msg, "bad option '-%c' or missing "
                    "argument", optopt);
            else
                snprintf(msg, sizeof msg, "bad option '%s' or missing "
                    "argument", argv[optind - 1]);
            return usage(msg);
        }
    }
    if (optind < argc)
        return usage("unexpected argument");
    if (a->out == NULL)
        return usage("--out is required");
    if ((a->manifest != NULL) == (a->node != NULL))
        return usage("give either --manifest or --node");
    if (a->node != NULL && (a->type == NULL || a->la == NULL))
        return usage("--node needs --type and --local-authority");
    if (a->manifest != NULL &&
        (a->type != NULL || a->la != NULL || a->agency != NULL))
        return usage("--type, --local-authority and --agency go with "
            "--node");
    if (synth_date_parse(end, &a->end) != 0)
        return usage("--end: expected a valid date YYYY-MM-DD");
    if (a->node != NULL && agency_type(a->type) < 0)
        return usage("--type: expected social_care, police, health, "
            "school, probation, youth_justice or other");
    return -1;
}

/*
 * Make the folder ${dir} and open in it a file for every node of ${w},
 * the truth and the scenarios.  Returns 0, or -1 having said why (the
 * files opened are ${w}'s to close).
 */
static int
open_outputs(struct synth_world *w, const char *dir)
{
    int i;

    if (make_dir(dir) != 0) {
        seen_errorp("cannot create '%s'", dir);
        return -1;
    }
    for (i = 0; i < w->nnodes; i++)
        if ((w->nodes[i].f = open_out(dir, w->nodes[i].name)) == NULL)
            return -1;
    if ((w->truth = open_out(dir, "truth")) == NULL ||
        (w->scenarios = open_out(dir, "scenarios")) == NULL)
        return -1;
    return 0;
}

/*
 * Close the files of ${w} in ${dir} and, if they were all written, say
 * what was.  Returns the exit status: 0, or 1 after a write error.
 */
static int
close_outputs(struct synth_world *w, const char *dir)
{
    int i, rc = w->write_error ? 1 : 0;

    for (i = 0; i < w->nnodes; i++)
        if (close_out(&w->nodes[i].f, dir, w->nodes[i].name) != 0)
            rc = 1;
    if (close_out(&w->truth, dir, "truth") != 0 ||
        close_out(&w->scenarios, dir, "scenarios") != 0)
        rc = 1;
    if (rc != 0)
        return rc;
    fprintf(stderr, "seen-synth: %" PRIu64 " records, %u persons, %"
        PRIu64 " households:", w->records, (unsigned)w->next_pid,
        w->households);
    for (i = 0; i < w->nnodes; i++)
        fprintf(stderr, " %s %" PRIu64, w->nodes[i].name,
            w->nodes[i].records);
    fputc('\n', stderr);
    return 0;
}

/*
 * Write ${households} household groups of every local authority of ${w},
 * one at a time in ${g}, until a write fails.
 */
static void
generate(struct synth_world *w, struct synth_group *g, uint64_t households)
{
    uint64_t hh;
    int i;

    synth_names_init();
    synth_ids_init(&w->ids, synth_rng_mix(w->seed, UINT64_C(0x1d5)));
    for (i = 0; i < w->nlas && !w->write_error; i++)
        for (hh = 0; hh < households && !w->write_error; hh++) {
            synth_group_make(g, w, i, hh);
            synth_group_emit(g, w);
        }
    if (w->write_error)
        seen_error("write error or oversized record");
    if (w->ids.nhs_exhausted)
        seen_warn("the 999 range of NHS numbers ran out: later people "
            "have none");
}

/* Close what is still open of ${w} and free it, and ${cf}. */
static void
cleanup(struct synth_world *w, struct config *cf)
{
    int i, t;

    for (i = 0; i < w->nnodes; i++)
        if (w->nodes[i].f != NULL)
            fclose(w->nodes[i].f);
    if (w->truth != NULL)
        fclose(w->truth);
    if (w->scenarios != NULL)
        fclose(w->scenarios);
    for (i = 0; i < w->nlas; i++)
        for (t = 0; t < SYNTH_NAGENCIES; t++)
            free(w->las[i].nodes[t]);
    free(w->las);
    free(w->nodes);
    for (i = 0; i < cf->nspecs; i++) {
        free(cf->specs[i].name);
        free(cf->specs[i].agency);
        free(cf->specs[i].la);
    }
    free(cf->specs);
    json_decref(cf->manifest);
}

/* seen-synth: see usage_text and docs/synth.md. */
int
main(int argc, char *argv[])
{
    struct args a = {.households = DEFAULT_HOUSEHOLDS, .seed = 1,
        .years = DEFAULT_YEARS};
    struct config cf = {NULL, 0, NULL};
    struct synth_world w;
    struct synth_group *g = NULL;
    int rc = 1;

    seen_log_init("seen-synth", SEEN_LOG_WARN);
    memset(&w, 0, sizeof w);
    if ((rc = parse_args(argc, argv, &a)) != -1)
        return rc;
    rc = 1;
    w.end = a.end;
    w.start = synth_add_years(w.end, -(int)a.years) + 1;
    w.seed = a.seed;

    if (a.manifest != NULL) {
        if (load_manifest(&cf, a.manifest) != 0)
            goto done;
    } else if (add_spec(&cf, a.node, a.agency, a.type, a.la, "--node") !=
        0) {
        rc = 2;
        goto done;
    }
    if (build_world(&w, &cf) != 0) {
        seen_errorp("out of memory");
        goto done;
    }
    if (open_outputs(&w, a.out) != 0)
        goto done;
    if ((g = malloc(sizeof(*g))) == NULL) {
        seen_errorp("out of memory");
        goto done;
    }
    generate(&w, g, a.households);
    rc = close_outputs(&w, a.out);

done:
    cleanup(&w, &cf);
    free(g);
    return rc;
}
