/*
 * fuzz_config: the seen.conf parser (common/home.c: its lines, and the
 * table of keys).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/home.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_config c;
    char *text;
    static int quiet;

    if (!quiet) {
        seen_log_init("fuzz_config", SEEN_LOG_ERROR - 1);
        quiet = 1;
    }
    if ((text = malloc(size + 1)) == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (seen_config_parse_string(text, &c) == 0) {
        /* What was accepted is what the node will use. */
        if (!seen_node_name_valid(c.name) || !seen_agency_type_valid(c.type))
            abort();
    }
    free(text);
    return 0;
}
