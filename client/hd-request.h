/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

#define HD_TYPE_REQUEST (hd_request_get_type ())
G_DECLARE_FINAL_TYPE (HdRequest, hd_request, HD, REQUEST, GObject)

/* A customer request (contract "request").  Properties: "id", "subject",
 * "description", "status" ("open"|"closed"), "customer" (HdUser),
 * "assignee" (HdUser or NULL), "team-id" (0 = none), "team-name",
 * "active-chat" (HdChat or NULL), and from "chat_options" (only present
 * for the request's customer): "can-start-chat" (gboolean),
 * "chat-reason" (NULL or "chat_disabled"|"request_closed"|
 * "technician_unavailable"|"chat_in_progress") and "technicians"
 * (a GListModel of HdUser whom the customer may pick now). */
HdRequest  *hd_request_new_from_json      (JsonObject *object,
                                           GError    **error);
void        hd_request_update_from_json   (HdRequest  *self,
                                           JsonObject *object);

gint64      hd_request_get_id             (HdRequest *self);
const char *hd_request_get_subject        (HdRequest *self);
const char *hd_request_get_description    (HdRequest *self);
const char *hd_request_get_status         (HdRequest *self);
gboolean    hd_request_is_open            (HdRequest *self);
HdUser     *hd_request_get_customer       (HdRequest *self);
HdUser     *hd_request_get_assignee       (HdRequest *self);
gint64      hd_request_get_team_id        (HdRequest *self);
const char *hd_request_get_team_name      (HdRequest *self);
HdChat     *hd_request_get_active_chat    (HdRequest *self);
gboolean    hd_request_get_can_start_chat (HdRequest *self);
const char *hd_request_get_chat_reason    (HdRequest *self);
/* (transfer none): a GListModel of HdUser, never NULL. */
GListModel *hd_request_get_technicians    (HdRequest *self);

G_END_DECLS
