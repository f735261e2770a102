/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

#define HD_TYPE_CHAT (hd_chat_get_type ())
G_DECLARE_FINAL_TYPE (HdChat, hd_chat, HD, CHAT, GObject)

/* A chat (contract "chat").  Properties: "id", "request-id", "state"
 * (HdChatState), "customer" (HdUser), "technician" (HdUser or NULL),
 * "target-kind" ("technician"|"team"), "target-id", "note-id" (0 = none),
 * "created-at", "accepted-at", "ended-at" (GDateTime or NULL). */
HdChat     *hd_chat_new_from_json    (JsonObject *object,
                                      GError    **error);
void        hd_chat_update_from_json (HdChat     *self,
                                      JsonObject *object);

gint64      hd_chat_get_id           (HdChat *self);
gint64      hd_chat_get_request_id   (HdChat *self);
HdChatState hd_chat_get_state        (HdChat *self);
HdUser     *hd_chat_get_customer     (HdChat *self);
HdUser     *hd_chat_get_technician   (HdChat *self);
const char *hd_chat_get_target_kind  (HdChat *self);
gint64      hd_chat_get_target_id    (HdChat *self);
gint64      hd_chat_get_note_id      (HdChat *self);
GDateTime  *hd_chat_get_created_at   (HdChat *self);
GDateTime  *hd_chat_get_accepted_at  (HdChat *self);
GDateTime  *hd_chat_get_ended_at     (HdChat *self);
/* Contract v2, customers: "queue-position" (1 = next; 0 unless
 * waiting), "estimated-wait" (seconds; -1 unknown), "rating" (1..5, 0 =
 * not rated), "rating-comment" (or NULL). */
gint64      hd_chat_get_queue_position (HdChat *self);
gint64      hd_chat_get_estimated_wait (HdChat *self);
int         hd_chat_get_rating         (HdChat *self);
const char *hd_chat_get_rating_comment (HdChat *self);
/* Contract v2, technicians: "end-reason" (HdEndReason; NONE while the
 * chat is open or when the server did not say).  Set from the wire's
 * "end_reason" and by chat.updated / chat.ended events. */
HdEndReason hd_chat_get_end_reason     (HdChat *self);

G_END_DECLS
