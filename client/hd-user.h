/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

#define HD_TYPE_USER (hd_user_get_type ())
G_DECLARE_FINAL_TYPE (HdUser, hd_user, HD, USER, GObject)

/* A person (contract "user").  Properties (all notify on change):
 * "id" (gint64), "login", "name", "email" (NULL when hidden from the
 * caller), "role" ("admin"|"technician"|"customer"),
 * "available-for-chat", "online", "away" (gboolean; contract v2: the
 * technician's desktop is idle or locked). */
HdUser     *hd_user_new_from_json          (JsonObject *object,
                                            GError    **error);
/* Copies the fields present in @object into @self; notifies only what
 * really changed.  Missing fields are left alone. */
void        hd_user_update_from_json       (HdUser     *self,
                                            JsonObject *object);

gint64      hd_user_get_id                 (HdUser *self);
const char *hd_user_get_login              (HdUser *self);
const char *hd_user_get_name               (HdUser *self);
const char *hd_user_get_email              (HdUser *self);
const char *hd_user_get_role               (HdUser *self);
/* TRUE for technicians and admins. */
gboolean    hd_user_is_staff               (HdUser *self);
gboolean    hd_user_is_admin               (HdUser *self);
gboolean    hd_user_get_available_for_chat (HdUser *self);
gboolean    hd_user_get_online             (HdUser *self);
gboolean    hd_user_get_away               (HdUser *self);

G_END_DECLS
