/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The front door: the SoupServer, the TCP connections and the limits every
 * client meets before any route runs (doc/door.md).
 *
 * It accepts connections itself and hands them to libsoup through
 * soup_server_accept_iostream (), so that it sees each connection's bytes:
 * libsoup 3.2.3 never releases a keep-alive connection that its client
 * closed (fixed upstream in 3.3, commit d20c6601), and has no deadline for
 * a request head, none for an idle connection, no cap on a chunked body and
 * no refusal of Content-Length together with Transfer-Encoding. */
#define HD_TYPE_DOOR (hd_door_get_type ())
G_DECLARE_FINAL_TYPE (HdDoor, hd_door, HD, DOOR, GObject)

/* The contract's limits at the door. */
#define HD_DOOR_HEAD_TIMEOUT_S 15   /* a request head complete within */
#define HD_DOOR_IDLE_TIMEOUT_S 60   /* a keep-alive connection idle for */
#define HD_DOOR_BODY_TIMEOUT_S 60   /* a request body complete within */
#define HD_DOOR_WRITE_TIMEOUT_S 30  /* an answer the peer takes none of for */
/* HTTP connections one client address may hold at once (WebSockets, which
 * need a login, do not count once upgraded) */
#define HD_DOOR_MAX_PER_ADDRESS 1024

/* The largest body allowed for @method on @path, in bytes. */
typedef gsize (*HdDoorBodyLimitFunc) (const char *method,
                                      const char *path,
                                      gpointer    user_data);

/* @certificate: serve HTTPS with it, or NULL for plain HTTP. */
HdDoor     *hd_door_new                 (GTlsCertificate     *certificate);
SoupServer *hd_door_get_soup            (HdDoor              *self);
/* Without one, hd_protocol_max_body_bytes () says. */
void        hd_door_set_body_limit_func (HdDoor              *self,
                                         HdDoorBodyLimitFunc  func,
                                         gpointer             user_data);
/* Listens on @address:@port (0 picks a free port); returns the port. */
gboolean    hd_door_listen              (HdDoor              *self,
                                         const char          *address,
                                         guint                port,
                                         guint               *out_port,
                                         GError             **error);
/* One client address holds at most @max_per_address HTTP connections (0:
 * no cap); the next is closed as soon as it is accepted.  @trusted: the
 * addresses that are never capped (a proxy in front, through which every
 * client comes), or NULL for every loopback address (the default). */
void        hd_door_set_address_limit   (HdDoor              *self,
                                         guint                max_per_address,
                                         const char * const  *trusted);
/* Stops accepting and closes every HTTP connection (stolen ones, that is
 * WebSockets, are their owners' to close). */
void        hd_door_disconnect          (HdDoor              *self);
/* Connections accepted and not yet closed (WebSockets included). */
guint       hd_door_get_n_connections   (HdDoor              *self);
/* The TCP socket under @msg's connection (soup_server_message_get_socket ()
 * is NULL for connections accepted by the door); NULL under TLS, where the
 * socket carries TLS records, not HTTP. */
GSocket    *hd_door_get_socket          (SoupServerMessage   *msg);

/* NULL when the head's framing is unambiguous, else why not (the door then
 * answers 400 and closes): Content-Length with Transfer-Encoding, more than
 * one Content-Length or one that is not a decimal number, a
 * Transfer-Encoding other than one "chunked" (or any in HTTP/1.0).
 * Pure; fuzzed with libsoup's head parser (tests/fuzz/fuzz-http-head.c). */
const char *hd_door_check_framing       (SoupMessageHeaders  *headers,
                                         SoupHTTPVersion      version);

G_END_DECLS
