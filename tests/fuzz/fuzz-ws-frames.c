/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: what a stranger sends on an upgraded WebSocket, into
 * the connection layer (door/hd-ws.c: wslay framing, the 64 KiB message
 * limit, UTF-8, close handshake, lingering close) as the server runs it,
 * the layer driven in this thread (no_thread) over a socketpair.  Each
 * input is one connection's bytes; every message the layer delivers is
 * checked against the limits it promises.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... (see tests/fuzz/README or
 *   the meson option that builds the fuzz targets) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include "hd-ws.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static HdWsLoop *loop;
static gboolean  closed;

static void
on_message (HdWsConn   *conn,
            gboolean    is_text,
            const char *data,
            gsize       len,
            gpointer    user_data)
{
  /* The layer's promises: never more than the limit, text always UTF-8
   * (wslay's DFA also refuses surrogates and overlongs, as GLib does). */
  g_assert (len <= 64 * 1024);
  if (is_text)
    g_assert (g_utf8_validate_len (data, len, NULL) || memchr (data, '\0', len) != NULL);
}

static void
on_closed (HdWsConn *conn,
           gpointer  user_data)
{
  closed = TRUE;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  HdWsConn *conn;
  int sv[2];
  gsize off = 0;
  guint8 sink[4096];

  if (loop == NULL)
    {
      /* pings and silence far away: only the bytes matter */
      HdWsLimits limits = { 600000, 1200000, 64 * 1024, 256 * 1024, TRUE };

      loop = hd_ws_loop_new (&limits, on_message, on_closed, NULL);
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return 0;
  fcntl (sv[1], F_SETFL, fcntl (sv[1], F_GETFL) | O_NONBLOCK);
  closed = FALSE;
  conn = hd_ws_loop_adopt_fd (loop, sv[0]);

  /* what the server sends first, like the hub's hello */
  hd_ws_conn_send_text (conn, "{\"type\":\"hello\"}", 16);
  while (off < size && !closed)
    {
      ssize_t n = write (sv[1], data + off, size - off);

      if (n > 0)
        off += n;
      else if (n < 0 && errno != EAGAIN)
        break;
      hd_ws_loop_iterate (loop, 0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      while (read (sv[1], sink, sizeof sink) > 0)
        ;
    }
  /* the peer goes: the layer must let go of the socket */
  shutdown (sv[1], SHUT_WR);
  for (int i = 0; i < 1000 && !closed; i++)
    {
      hd_ws_loop_iterate (loop, 1);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      while (read (sv[1], sink, sizeof sink) > 0)
        ;
    }
  g_assert (closed);
  close (sv[1]);
  hd_ws_conn_unref (conn);
  return 0;
}
