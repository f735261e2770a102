/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* Events and presence between servers sharing one PostgreSQL database.
 *
 * Every event this server delivers is written to the hd_events table by a
 * writer thread, many per transaction, followed by one NOTIFY per batch
 * outside that transaction (a transaction holding a NOTIFY takes a
 * cluster-wide lock at commit, measured in tests/bench/README.md).  A listener
 * thread LISTENs: the notification only wakes it, the events are read from
 * the table by id and handed to the local sockets on the main loop.
 *
 * Presence: each server keeps a lease row in hd_servers (renewed every
 * HD_BUS_LEASE_RENEW_SECONDS, valid for HD_BUS_LEASE_SECONDS) and one row
 * per user holding a socket on it in hd_presence.  A user is online
 * elsewhere while a live server (lease not expired) has their row, so a
 * server that dies takes its users offline within lease + renewal.
 *
 * The login throttle counts in hd_login_attempts (a third connection, used
 * from the core thread): a place is reserved under the login's advisory
 * lock, so simultaneous attempts on several servers share one count. */

#define HD_BUS_LEASE_SECONDS        30
#define HD_BUS_LEASE_RENEW_SECONDS  5

#define HD_TYPE_BUS (hd_bus_get_type ())
G_DECLARE_FINAL_TYPE (HdBus, hd_bus, HD, BUS, GObject)

/* Connects (writer, listener, login throttle) and starts the threads;
 * registers itself on @service. */
HdBus      *hd_bus_new           (const char     *uri,
                                  HdChatService  *service,
                                  GError        **error);
const char *hd_bus_get_server_id (HdBus          *self);
/* Stops the threads and removes this server's presence and lease. */
void        hd_bus_stop          (HdBus          *self);

G_END_DECLS
