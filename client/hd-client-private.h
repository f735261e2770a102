/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

/* JSON helpers that tolerate missing or mistyped members (the server is
 * trusted to follow the contract, but a bad frame must never crash us). */
gboolean    hd_json_has          (JsonObject *object,
                                  const char *member);
gint64      hd_json_get_int      (JsonObject *object,
                                  const char *member,
                                  gint64      fallback);
const char *hd_json_get_string   (JsonObject *object,
                                  const char *member);
gboolean    hd_json_get_bool     (JsonObject *object,
                                  const char *member,
                                  gboolean    fallback);
JsonObject *hd_json_get_object   (JsonObject *object,
                                  const char *member);
JsonArray  *hd_json_get_array    (JsonObject *object,
                                  const char *member);
GDateTime  *hd_json_get_time     (JsonObject *object,
                                  const char *member);

/* Setters that notify only on a real change. */
gboolean    hd_set_string        (GObject     *object,
                                  char       **field,
                                  const char  *value,
                                  GParamSpec  *pspec);
gboolean    hd_set_int           (GObject     *object,
                                  gint64      *field,
                                  gint64       value,
                                  GParamSpec  *pspec);
gboolean    hd_set_bool          (GObject     *object,
                                  gboolean    *field,
                                  gboolean     value,
                                  GParamSpec  *pspec);
gboolean    hd_set_time          (GObject     *object,
                                  GDateTime  **field,
                                  GDateTime   *value,
                                  GParamSpec  *pspec);
gboolean    hd_set_object        (GObject     *object,
                                  gpointer    *field,
                                  gpointer     value,
                                  GParamSpec  *pspec);

/* A user object for @object, reusing an existing instance with the same
 * id (updated in place) when the caller has one. */
HdUser     *hd_user_reuse_or_new (HdUser     *existing,
                                  JsonObject *object);

/* Resources (hd-resources.c generated). */
void        hd_client_ensure_types (void);

G_END_DECLS
