/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "hd-chat-service.h"
#include "hd-core.h"

G_BEGIN_DECLS

/* The WebSocket connections of this process, per user: presence (first
 * socket open / last closed), fan-out of the service's events, incoming
 * chat.send and chat.typing frames.  The sockets themselves (framing,
 * limits, pings, dead peers) are hd-ws.c's. */
#define HD_TYPE_HUB (hd_hub_get_type ())
G_DECLARE_FINAL_TYPE (HdHub, hd_hub, HD, HUB, GObject)

/* The service is reached through @core (its thread); events arrive
 * through hd_core_set_event_sink (). */
HdHub   *hd_hub_new               (HdCore                  *core);
/* A user holds at most this many WebSockets on one server at once
 * (--max-sockets-per-user): each app holds one, so this leaves room for
 * many devices and for reconnects that come before the old socket is
 * known dead, not for one account taking every descriptor. */
#define HD_HUB_MAX_SOCKETS_PER_USER 32
/* A socket may send this many messages a second on average, in bursts
 * of twice that (--max-frames-per-second); past it the socket is read
 * slower, nothing of it refused: far above what a person types (the apps
 * send chat.typing at most every few seconds), and a scripted flood gets
 * this rate and no more (doc/websocket.md, "A rate per socket"). */
#define HD_HUB_FRAMES_PER_SECOND 100

/* Answers @msg's upgrade request for @user (already authenticated; taken)
 * with 101, or 400 when it is not a valid WebSocket handshake (FALSE).
 * When @user holds the most sockets allowed already (counting upgrades
 * under way), returns FALSE with HD_ERROR_TOO_MANY_REQUESTS in @error and
 * leaves @msg for the caller to answer.  The socket then moves to the
 * connection layer (hd-ws.h). */
gboolean hd_hub_upgrade           (HdHub                   *self,
                                   SoupServerMessage       *msg,
                                   HdUserRecord            *user,
                                   GError                 **error);
/* 0: no cap.  Sockets open already stay. */
void     hd_hub_set_max_per_user  (HdHub                   *self,
                                   guint                    max_per_user);
/* 0: no limit; the burst is twice the rate. */
void     hd_hub_set_frame_rate    (HdHub                   *self,
                                   guint                    frames_per_second);
/* Closes every socket with @code (1001 on shutdown). */
void     hd_hub_close_all         (HdHub                   *self,
                                   gushort                  code,
                                   const char              *reason);
guint    hd_hub_get_n_connections (HdHub                   *self);

G_END_DECLS
