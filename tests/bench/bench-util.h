/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the benchmarks (hd-bench.c, hd-scale.c, hd-relay.c) share: reading
 * a process's memory and CPU time, the machine's load, sorting latencies,
 * and finding a value in a frame without parsing it. */
#include <glib.h>
#include <json-glib/json-glib.h>

/* The 1-minute load average, or -1. */
double   bench_load_average (void);
/* VmRSS of @pid in KiB, or -1. */
long     bench_vm_rss_kib   (GPid         pid);
/* CPU time of @pid so far (user + system, all its threads, also those
 * that ended), in µs, from /proc/PID/stat; 0 when unreadable. */
double   bench_cpu_us       (GPid         pid);
/* Sorts an array of doubles, smallest first. */
void     bench_sort_doubles (GArray      *values);
/* For g_subprocess_launcher_set_child_setup (): the child gets SIGTERM
 * when the benchmark dies. */
void     bench_child_setup  (gpointer     user_data);
/* The integer member @name of the object @node, or -1 without one. */
gint64   bench_member_int   (JsonNode    *node,
                             const char  *name);
/* The HTTP request that opens the event WebSocket as @token, offering
 * permessage-deflate as browsers, Node's ws and libsoup do. */
char    *bench_ws_upgrade_request (const char *host,
                                   guint       port,
                                   const char *token);
/* The value after @key (which ends with its opening quote) up to the next
 * '"' in @text: compact JSON the peer wrote, with no escapes in the
 * values looked at, so a frame is only scanned, not parsed. */
gboolean bench_scan_value   (const char  *text,
                             gsize        len,
                             const char  *key,
                             const char **out,
                             gsize       *out_len);
