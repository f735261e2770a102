/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"
#include "hd-user.h"

G_BEGIN_DECLS

#define HD_TYPE_NOTE (hd_note_get_type ())
G_DECLARE_FINAL_TYPE (HdNote, hd_note, HD, NOTE, GObject)

/* A request note (contract "note").  Properties: "id", "request-id",
 * "kind" ("note"|"chat_transcript"), "chat-id" (0 = none), "body",
 * "created-at", "updated-at" (GDateTime). */
HdNote     *hd_note_new_from_json    (JsonObject *object,
                                      GError    **error);
void        hd_note_update_from_json (HdNote     *self,
                                      JsonObject *object);
/* Appends @text to the body (transcript notes grow line by line). */
void        hd_note_append           (HdNote     *self,
                                      const char *text);
/* The body's length in characters, as the contract's "length" counts. */
glong       hd_note_get_length       (HdNote *self);

gint64      hd_note_get_id           (HdNote *self);
gint64      hd_note_get_request_id   (HdNote *self);
const char *hd_note_get_kind         (HdNote *self);
gboolean    hd_note_is_transcript    (HdNote *self);
gint64      hd_note_get_chat_id      (HdNote *self);
const char *hd_note_get_body         (HdNote *self);
GDateTime  *hd_note_get_created_at   (HdNote *self);
GDateTime  *hd_note_get_updated_at   (HdNote *self);
/* Contract v2: "author" (HdUser, NULL for transcripts), kind "event"
 * (written by the server), and a transcript's chat "rating" (0 = none)
 * and "rating-comment". */
HdUser     *hd_note_get_author       (HdNote *self);
gboolean    hd_note_is_event         (HdNote *self);
int         hd_note_get_rating       (HdNote *self);
const char *hd_note_get_rating_comment (HdNote *self);

G_END_DECLS
