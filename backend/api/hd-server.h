/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "hd-chat-service.h"
#include "hd-hub.h"
#include "hd-core.h"

G_BEGIN_DECLS

/* The libsoup routes of /api/v1: parse and check the input, call the chat
 * service, write its JSON.  No SQL here. */
#define HD_TYPE_SERVER (hd_server_get_type ())
G_DECLARE_FINAL_TYPE (HdServer, hd_server, HD, SERVER, GObject)

HdServer   *hd_server_new        (HdChatService    *service,
                                  GTlsCertificate  *certificate);
void        hd_server_set_store_kind (HdServer   *self,
                                      const char *kind);
/* The door's cap on HTTP connections per client address
 * (hd_door_set_address_limit ()). */
void        hd_server_set_address_limit (HdServer          *self,
                                         guint              max_per_address,
                                         const char * const *trusted);
/* The hub's cap on WebSockets per user (hd_hub_set_max_per_user ()). */
void        hd_server_set_socket_limit (HdServer          *self,
                                        guint              max_per_user);
/* The messages a WebSocket may send a second (hd_hub_set_frame_rate ()). */
void        hd_server_set_frame_rate   (HdServer          *self,
                                        guint              frames_per_second);
/* The core thread the service now lives on (hd_core_enter () to call it
 * directly). */
HdCore     *hd_server_get_core   (HdServer         *self);
HdHub      *hd_server_get_hub    (HdServer         *self);
SoupServer *hd_server_get_soup   (HdServer         *self);
/* Listens on @address:@port (0 picks a free port); returns the port. */
gboolean    hd_server_listen     (HdServer         *self,
                                  const char       *address,
                                  guint             port,
                                  guint            *out_port,
                                  GError          **error);
/* Stops accepting and closes every WebSocket with 1001. */
void        hd_server_shutdown   (HdServer         *self);

G_END_DECLS
