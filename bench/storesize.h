/*
 * storesize.h: what a store holds per index entry, beside the raw limit
 * of the same leaves in a plain LMDB database (issue 12's target: at most
 * 1 KiB an entry, everything included).
 */
#ifndef SEEN_BENCH_STORESIZE_H
#define SEEN_BENCH_STORESIZE_H

/**
 * bench_store_size(dir):
 * Print the bytes per live index entry of the closed store in directory
 * ${dir} (its data.mdb, and the pages its tables use, the largest tables
 * by name), beside "target <= 1024" and the raw limit measured now: the
 * bytes per entry of a plain LMDB database holding only the leaves of
 * the store's feeds (their keys and bytes, appended in order), made in
 * ${dir}.raw and removed after; and the ratios.  Returns 0, or -1 (said
 * on standard error) when the store cannot be read.
 */
int bench_store_size(const char *dir);

#endif /* !SEEN_BENCH_STORESIZE_H */
