/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The WebSocket connection layer (doc/websocket.md).  libsoup answers the
 * HTTP upgrade; the socket then leaves libsoup and GLib's main loop for a
 * thread of ours: one epoll set for every socket, framing by wslay, pings
 * and the silence check on lists ordered by time (no timer per socket).
 * The main context hears of messages and closes through one source, in
 * the order they happened, and sends through a queue.
 *
 * HTTPS sockets (--tls-certificate) stay on libsoup's
 * SoupWebsocketConnection behind the same calls: TLS is expected to end
 * at the proxy in front of the server, so they are not the fast path. */

typedef struct _HdWsLoop HdWsLoop;
typedef struct _HdWsConn HdWsConn;

/* Both run on the main context the loop was created in.  @data is only
 * valid during the call. */
typedef void (*HdWsMessageFunc) (HdWsConn   *conn,
                                 gboolean    is_text,
                                 const char *data,
                                 gsize       len,
                                 gpointer    user_data);
typedef void (*HdWsClosedFunc)  (HdWsConn   *conn,
                                 gpointer    user_data);

typedef struct {
  guint  ping_interval_ms;  /* a silent peer is pinged after this */
  guint  dead_timeout_ms;   /* and closed when silent this long */
  gsize  max_message;       /* all fragments of one message; more: 1009 */
  gsize  max_queued;        /* bytes waiting for a peer that does not read */
  gboolean no_thread;       /* the caller runs hd_ws_loop_iterate ()
                             * itself (the server's core thread, tests,
                             * fuzzing) */
  guint  write_timeout_ms;  /* a peer that takes none of our bytes this
                             * long is dropped (0: 30 s) */
  guint  frames_per_second; /* data frames a socket may send on average;
                             * past that it is not read until its credit
                             * has grown back, and what it sent meanwhile
                             * waits in the kernel (0: no limit) */
  guint  frame_burst;       /* the credit a socket starts with and may
                             * save up (0: frames_per_second) */
} HdWsLimits;

HdWsLoop  *hd_ws_loop_new           (const HdWsLimits  *limits,
                                     HdWsMessageFunc    on_message,
                                     HdWsClosedFunc     on_closed,
                                     gpointer           user_data);
/* Sets limits.frames_per_second and .frame_burst (from any thread); the
 * sockets open already keep the credit they have. */
void       hd_ws_loop_set_frame_rate (HdWsLoop         *loop,
                                      guint             frames_per_second,
                                      guint             frame_burst);

/* The fast path: runs on the socket thread for each text message of a
 * connection marked ready (hd_ws_conn_set_ready ()) while none of its
 * messages waits for the main context, and returns TRUE when it took the
 * message (the main context then never hears of it); FALSE sends it the
 * usual way.  A connection's messages reach the two in the order they
 * came: one that waits for the main context sends every later one there
 * too, until the main context had it.  Set before the first upgrade. */
typedef gboolean (*HdWsThreadFunc) (HdWsConn   *conn,
                                    gint64      tag,
                                    const char *data,
                                    gsize       len,
                                    gpointer    user_data);
void       hd_ws_loop_set_thread_func (HdWsLoop        *loop,
                                       HdWsThreadFunc   func,
                                       gpointer         user_data);
/* Stops the thread and drops every socket still open (without waiting
 * for close handshakes: close them first). */
void       hd_ws_loop_free          (HdWsLoop          *loop);

/* Checks @msg's upgrade request (no extension is negotiated, so no
 * permessage-deflate) and answers 101, or answers 400 and returns FALSE.
 * When the 101 has been written the socket moves to the loop and
 * @on_open runs with the new connection (a reference for the callee). */
typedef void (*HdWsOpenFunc) (HdWsConn *conn,
                              gpointer  data);
gboolean   hd_ws_loop_upgrade       (HdWsLoop          *loop,
                                     SoupServerMessage *msg,
                                     HdWsOpenFunc       on_open,
                                     gpointer           data,
                                     GDestroyNotify     destroy);

/* Takes @fd, a connected stream socket past its upgrade, as a server
 * side WebSocket (tests and fuzzing: socketpair ()); returns a reference. */
HdWsConn  *hd_ws_loop_adopt_fd      (HdWsLoop          *loop,
                                     int                fd);
/* Frames this thread sends between the two wake nobody; at the release
 * they are written by this thread itself if the socket thread waits (one
 * hand-over between threads fewer), else handed to it.  One thread holds
 * at a time: FALSE if another does (then frames go as usual, and the
 * caller does not release). */
gboolean   hd_ws_loop_hold          (HdWsLoop          *loop);
void       hd_ws_loop_release       (HdWsLoop          *loop);
/* With no_thread: one round of the socket side in the calling thread. */
void       hd_ws_loop_iterate       (HdWsLoop          *loop,
                                     int                max_wait_ms);
/* With no_thread, for a caller that waits itself: the descriptor that
 * becomes readable when the loop has work, and how long it may wait at
 * most before the next round (its timers). */
int        hd_ws_loop_get_fd        (HdWsLoop          *loop);
int        hd_ws_loop_next_wait_ms  (HdWsLoop          *loop);

HdWsConn  *hd_ws_conn_ref           (HdWsConn          *conn);
void       hd_ws_conn_unref         (HdWsConn          *conn);
/* Main context only: the caller's pointer for this connection. */
void       hd_ws_conn_set_data      (HdWsConn          *conn,
                                     gpointer           data);
gpointer   hd_ws_conn_get_data      (HdWsConn          *conn);
/* Main context: from now on the connection's text messages may take the
 * thread func (with @tag); not for HTTPS connections (on the main context
 * anyway). */
void       hd_ws_conn_set_ready     (HdWsConn          *conn,
                                     gint64             tag);
/* FALSE once either side started closing. */
gboolean   hd_ws_conn_is_open       (HdWsConn          *conn);
/* Any thread: queues a text frame (copied); nothing when no longer open.
 * The frames one thread sends to a socket go out in that order. */
void       hd_ws_conn_send_text     (HdWsConn          *conn,
                                     const char        *text,
                                     gsize              len);
/* The same, sharing @payload (one frame's text) between sockets. */
void       hd_ws_conn_send_bytes    (HdWsConn          *conn,
                                     GBytes            *payload);
/* Starts the close handshake; the closed callback follows once it is
 * done or has timed out. */
void       hd_ws_conn_close         (HdWsConn          *conn,
                                     gushort            code,
                                     const char        *reason);
/* The code of the close frame the peer sent (0: none yet). */
gushort    hd_ws_conn_get_close_code (HdWsConn         *conn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdWsConn, hd_ws_conn_unref)

G_END_DECLS
