/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the routes read from a URL: ids in the path, integers in the query
 * (?after=, ?limit=).  Pure functions, fuzzed (tests/fuzz/fuzz-query.c). */

/* A path segment that is an id: decimal digits only, 1 to G_MAXINT64. */
gboolean hd_query_parse_id  (const char *text,
                             gint64     *out);
/* @name from @query (soup_form_decode's table, may be NULL): @fallback
 * when absent; FALSE when present but not a decimal integer within
 * [@min, @max]. */
gboolean hd_query_int       (GHashTable *query,
                             const char *name,
                             gint64      fallback,
                             gint64      min,
                             gint64      max,
                             gint64     *out);

G_END_DECLS
