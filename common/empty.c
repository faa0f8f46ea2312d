/* empty.c: stands in for a module folder whose sources are not written. */
typedef int seen_empty_translation_unit;
