/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits of the wire contract. */
#define HD_MAX_BODY_BYTES        (64 * 1024)
#define HD_MAX_FRAME_BYTES       (64 * 1024)
#define HD_MAX_MESSAGE_CHARS     4000
#define HD_MESSAGES_PAGE_MAX     1000
#define HD_API_PREFIX            "/api/v1"

/* Event types sent on /api/v1/events. */
#define HD_EVENT_HELLO              "hello"
#define HD_EVENT_CHAT_REQUESTED     "chat.requested"
#define HD_EVENT_CHAT_TAKEN         "chat.taken"
#define HD_EVENT_CHAT_ACCEPTED      "chat.accepted"
#define HD_EVENT_CHAT_MESSAGE       "chat.message"
#define HD_EVENT_CHAT_TYPING        "chat.typing"
#define HD_EVENT_CHAT_ENDED         "chat.ended"
#define HD_EVENT_NOTE_UPDATED       "note.updated"
#define HD_EVENT_PRESENCE_CHANGED   "presence.changed"
#define HD_EVENT_PRIVILEGES_CHANGED "privileges.changed"
#define HD_EVENT_ERROR              "error"
/* Frames a client may send. */
#define HD_FRAME_CHAT_SEND          "chat.send"
#define HD_FRAME_CHAT_TYPING        "chat.typing"

/* Checks a chat message body against the contract: valid UTF-8, 1 to
 * HD_MAX_MESSAGE_CHARS characters, not only white space.  @len may be -1. */
gboolean  hd_protocol_validate_message_body (const char  *body,
                                             gssize       len,
                                             GError     **error);

/* RFC 3339 UTC with milliseconds, e.g. 2026-11-24T19:00:00.123Z, from
 * microseconds since the Unix epoch. */
char     *hd_protocol_format_time           (gint64       unix_usec);
gboolean  hd_protocol_parse_time            (const char  *text,
                                             gint64      *out_unix_usec);

G_END_DECLS
