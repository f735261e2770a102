/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small JSON writer on a GString.  Events are serialised once and the
 * same text goes to every recipient, so this is on the hot path of every
 * chat message: no intermediate trees, no per-field allocations. */

void hd_json_append_string  (GString    *out,
                             const char *str);
void hd_json_append_time    (GString    *out,
                             gint64      unix_usec);
/* "2026-11-24T19:00:00.123Z" */
#define HD_JSON_TIME_LEN 24
void hd_json_format_time    (gint64      unix_usec,
                             char        out[HD_JSON_TIME_LEN + 1]);
/* Appends "key": (with a leading comma unless @first). */
void hd_json_append_key     (GString    *out,
                             const char *key,
                             gboolean    first);
void hd_json_append_id      (GString    *out,
                             gint64      id);
/* A whole error object: {"error":{"code","message"}} */
char *hd_json_error_body    (const char *code,
                             const char *message);

#define HD_JSON_KEY(out, key) g_string_append ((out), ",\"" key "\":")
#define HD_JSON_FIRST_KEY(out, key) g_string_append ((out), "{\"" key "\":")

G_END_DECLS
