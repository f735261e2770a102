/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* The routes of contract v2 "Customers"; hd-server.c dispatches to them
 * after authenticating the caller (and, for JSON bodies, parsing them). */

/* POST /requests/{id}/notes {"body"} */
void hd_routes_post_note       (HdChatService *service, SoupServerMessage *msg,
                                const HdUserRecord *caller, JsonObject *body, gint64 request_id);
/* POST /chats/{id}/rating {"score", "comment"?} */
void hd_routes_post_rating     (HdChatService *service, SoupServerMessage *msg,
                                const HdUserRecord *caller, JsonObject *body, gint64 chat_id);
/* POST /chats/{id}/attachments?filename=NAME[&client_id=ID], raw body */
void hd_routes_post_attachment (HdChatService *service, SoupServerMessage *msg,
                                const HdUserRecord *caller, gint64 chat_id, GHashTable *query);
/* /attachments/{id}: GET (and HEAD) */
void hd_routes_attachment      (HdChatService *service, SoupServerMessage *msg,
                                const HdUserRecord *caller, const char *method, const char *id_text);

G_END_DECLS
