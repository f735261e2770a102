/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"
#include "hd-attachment.h"

G_BEGIN_DECLS

#define HD_TYPE_MESSAGE (hd_message_get_type ())
G_DECLARE_FINAL_TYPE (HdMessage, hd_message, HD, MESSAGE, GObject)

/* A chat message (contract "message").  Properties: "id", "chat-id",
 * "seq" (0 while still sending), "author" (HdUser), "body", "client-id",
 * "created-at" (GDateTime; the local time while sending), "state"
 * (HdMessageState), "is-own" (TRUE when the session's user wrote it). */
HdMessage     *hd_message_new_from_json    (JsonObject *object,
                                            GError    **error);
/* A local, not yet acknowledged message in state SENDING. */
HdMessage     *hd_message_new_pending      (gint64      chat_id,
                                            HdUser     *author,
                                            const char *body,
                                            const char *client_id);
/* Takes id, seq, created_at, body from the server's copy and sets the
 * state to SENT. */
void           hd_message_update_from_json (HdMessage  *self,
                                            JsonObject *object);

gint64         hd_message_get_id           (HdMessage *self);
gint64         hd_message_get_chat_id      (HdMessage *self);
gint64         hd_message_get_seq          (HdMessage *self);
HdUser        *hd_message_get_author       (HdMessage *self);
const char    *hd_message_get_body         (HdMessage *self);
const char    *hd_message_get_client_id    (HdMessage *self);
GDateTime     *hd_message_get_created_at   (HdMessage *self);
HdMessageState hd_message_get_state        (HdMessage *self);
void           hd_message_set_state        (HdMessage     *self,
                                            HdMessageState state);
gboolean       hd_message_get_is_own       (HdMessage *self);
/* The file of a message of kind "attachment" ("attachment" property),
 * else NULL. */
HdAttachment  *hd_message_get_attachment   (HdMessage *self);
void           hd_message_set_is_own       (HdMessage *self,
                                            gboolean   is_own);

G_END_DECLS
