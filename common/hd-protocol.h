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
/* An attachment's raw body (POST /chats/{id}/attachments). */
#define HD_MAX_ATTACHMENT_BYTES  (10 * 1024 * 1024)
#define HD_MAX_FILENAME_BYTES    255
#define HD_MAX_NOTE_CHARS        4000

/* Event types sent on /api/v1/events. */
#define HD_EVENT_HELLO              "hello"
#define HD_EVENT_CHAT_REQUESTED     "chat.requested"
#define HD_EVENT_CHAT_TAKEN         "chat.taken"
#define HD_EVENT_CHAT_ACCEPTED      "chat.accepted"
#define HD_EVENT_CHAT_MESSAGE       "chat.message"
#define HD_EVENT_CHAT_TYPING        "chat.typing"
#define HD_EVENT_CHAT_ENDED         "chat.ended"
#define HD_EVENT_CHAT_TRANSFERRED   "chat.transferred"
#define HD_EVENT_NOTE_UPDATED       "note.updated"
#define HD_EVENT_NOTE_CREATED       "note.created"
#define HD_EVENT_CHAT_UPDATED       "chat.updated"
#define HD_EVENT_PRESENCE_CHANGED   "presence.changed"
#define HD_EVENT_PRIVILEGES_CHANGED "privileges.changed"
#define HD_EVENT_ERROR              "error"
/* contract v2: fan-out follows interest */
#define HD_EVENT_SUBSCRIBED         "subscribed"
#define HD_EVENT_UNSUBSCRIBED       "unsubscribed"
#define HD_MAX_SUBSCRIPTIONS        64
/* Not sent to clients: who may see a request changed (its assignee or
 * team); the door checks that request's subscriptions again. */
#define HD_EVENT_REQUEST_ACCESS     "request.access"
/* Frames a client may send. */
#define HD_FRAME_CHAT_SEND          "chat.send"
#define HD_FRAME_CHAT_TYPING        "chat.typing"
#define HD_FRAME_SUBSCRIBE          "subscribe"
#define HD_FRAME_UNSUBSCRIBE        "unsubscribe"

/* Checks a chat message body against the contract: valid UTF-8, 1 to
 * HD_MAX_MESSAGE_CHARS characters, not only white space.  @len may be -1. */
gboolean  hd_protocol_validate_message_body (const char  *body,
                                             gssize       len,
                                             GError     **error);

/* The content type of an attachment, decided from its bytes alone:
 * "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
 * "text/plain" (valid UTF-8 without NUL or other control characters but
 * tab, line breaks and form feed), or NULL for anything else.  The
 * clients use it too, to refuse a file before uploading it. */
const char *hd_protocol_sniff_content_type  (const guint8 *data,
                                             gsize         len);
/* Whether @content_type (as above) is an image the apps show inline. */
gboolean  hd_protocol_content_type_is_image (const char  *content_type);
/* A size as the transcript line shows it: "67 bytes", "1.5 kB",
 * "10.5 MB" (SI units, always a full stop, whatever the locale). */
char     *hd_protocol_format_size           (guint64      bytes);
/* The attachment's file name as kept: the part after the last '/' or
 * '\\', valid UTF-8, 1 to HD_MAX_FILENAME_BYTES bytes, no control
 * characters, not "." or "..".  NULL with HD_ERROR_BAD_REQUEST otherwise. */
char     *hd_protocol_clean_filename        (const char  *name,
                                             GError     **error);

/* The largest request body the door lets in for @method on @path:
 * HD_MAX_ATTACHMENT_BYTES for an attachment upload, else
 * HD_MAX_BODY_BYTES. */
gsize     hd_protocol_max_body_bytes        (const char  *method,
                                             const char  *path);

/* RFC 3339 UTC with milliseconds, e.g. 2026-11-24T19:00:00.123Z, from
 * microseconds since the Unix epoch. */
char     *hd_protocol_format_time           (gint64       unix_usec);
gboolean  hd_protocol_parse_time            (const char  *text,
                                             gint64      *out_unix_usec);

G_END_DECLS
