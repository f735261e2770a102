/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

#define HD_TYPE_EVENT_STREAM (hd_event_stream_get_type ())
G_DECLARE_FINAL_TYPE (HdEventStream, hd_event_stream, HD, EVENT_STREAM, GObject)

/* The WebSocket /api/v1/events of a logged-in HdClient.  It reconnects
 * after any drop with back-off (0.5 s doubling to 30 s, reset once
 * "hello" arrives) and treats 30 s of silence (no frame, and GET /health
 * not answering within 10 s) as a dead server; HD_EVENTS_SILENCE_MS
 * shortens the 30 s (tests).  A connect attempt gives up after 15 s.  Resuming chats and resending unsent
 * messages is HdSession's job; it listens to "connected".
 *
 * Property "state" (HdConnectionState, notify).
 * Signals:
 *   "event"     (const char *type, JsonObject *data): every frame the
 *               server sends, "hello" and "error" included; the detail is
 *               the type, so "event::chat.message" works.
 *   "connected" (HdUser *user, gboolean reconnect): after "hello".
 *   "unauthorized" (): the server refused the token (401); the stream
 *               has stopped (state OFFLINE) and will not retry. */
HdEventStream    *hd_event_stream_new       (HdClient      *client);
HdClient         *hd_event_stream_get_client (HdEventStream *self);
HdConnectionState hd_event_stream_get_state (HdEventStream *self);
/* Starts connecting (no-op if started). */
void              hd_event_stream_start     (HdEventStream *self);
/* Closes and stops reconnecting; state goes OFFLINE. */
void              hd_event_stream_stop      (HdEventStream *self);
/* Drops the current socket as if the network failed (for tests and for
 * "the system woke up"); it then reconnects as after any drop. */
void              hd_event_stream_drop      (HdEventStream *self);
/* Sends {"type": @type, "data": @data}; FALSE if not connected. */
gboolean          hd_event_stream_send      (HdEventStream *self,
                                             const char    *type,
                                             JsonObject    *data);

G_END_DECLS
