/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* Who hears an event (contract v2: fan-out follows interest, not rank).
 *
 * The socket layer (the hub) registers each authenticated socket here and
 * hands over every event of the service; this module resolves the event's
 * audience (HdEvent: user ids, the subscribers of a request, the presence
 * of a technician) to sockets and writes the frame to each through the
 * hub's send callback, once per socket.  It also keeps each socket's
 * subscriptions (subscribe / unsubscribe frames, at most
 * HD_MAX_SUBSCRIPTIONS) and coalesces presence: the presence changes of one
 * tick reach a socket as one frame.
 *
 * The cost of delivering an event is the number of sockets it goes to:
 * nothing here walks every socket of a team or every staff socket, except
 * for presence (which is for all staff) and events for everyone.
 *
 * Sockets are opaque pointers of the hub's.  Every call holds the
 * audience's lock: the core thread delivers most events itself
 * (hd_core_set_event_sink ()), and the send callback may run there; the
 * rest (presence ticks, the core's answers to subscribe frames) runs on
 * the main context of the thread that called hd_audience_new (), which
 * must be the one that calls hd_audience_free (). */
typedef struct _HdAudience HdAudience;

/* Writes the text frame @frame to @sock. */
typedef void (*HdAudienceSend) (gpointer    sock,
                                const char *frame,
                                gpointer    user_data);

HdAudience *hd_audience_new          (HdChatService  *service,
                                      HdAudienceSend  send,
                                      gpointer        user_data);
void        hd_audience_free         (HdAudience     *self);

void        hd_audience_add          (HdAudience     *self,
                                      gpointer        sock,
                                      gint64          user_id,
                                      HdRole          role);
/* Forgets @sock and its subscriptions; safe to call for an unknown one. */
void        hd_audience_remove       (HdAudience     *self,
                                      gpointer        sock);

/* Sends @event to its audience (presence: at the next tick).  For
 * HD_EVENT_REQUEST_ACCESS it sends nothing but drops the subscriptions to
 * that request whose socket may no longer see it (`unsubscribed`). */
void        hd_audience_deliver      (HdAudience     *self,
                                      const HdEvent  *event);

/* Handles the frames of this module (HD_FRAME_SUBSCRIBE,
 * HD_FRAME_UNSUBSCRIBE) from @sock of @user: answers with `subscribed` /
 * `unsubscribed` or an `error` frame.  FALSE when @type is not one of
 * them (the hub handles it then). */
gboolean    hd_audience_handle_frame (HdAudience     *self,
                                      gpointer        sock,
                                      const HdUserRecord *user,
                                      const char     *type,
                                      JsonObject     *data);

/* Sends the pending presence changes now (tests; shutdown). */
void        hd_audience_flush_presence (HdAudience   *self);

guint       hd_audience_get_n_subscriptions (HdAudience *self,
                                             gpointer    sock);

G_END_DECLS
