/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

/* The client's own states; their GTypes are generated
 * (gnome.mkenums_simple → hd-client-enums.h). */

G_BEGIN_DECLS

/* The state of the event stream, shown by the apps as a banner. */
typedef enum {
  HD_CONNECTION_OFFLINE,       /* not started, or stopped */
  HD_CONNECTION_CONNECTING,    /* first attempt */
  HD_CONNECTION_CONNECTED,     /* "hello" received */
  HD_CONNECTION_RECONNECTING,  /* dropped; retrying with back-off */
} HdConnectionState;

/* A message is SENDING from the moment it is typed until the server's
 * chat.message with the same client_id arrives; FAILED when the chat ended
 * before that (it will never be delivered). */
typedef enum {
  HD_MESSAGE_STATE_SENT,
  HD_MESSAGE_STATE_SENDING,
  HD_MESSAGE_STATE_FAILED,
} HdMessageState;

G_END_DECLS
