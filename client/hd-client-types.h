/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

/* HdChatState, HdRole, … and their wire strings: common/hd-wire.h */
#include "hd-wire.h"

G_BEGIN_DECLS

/* Forward typedefs of the client library, so headers can name each other's
 * types without including each other. */
typedef struct _HdUser         HdUser;
typedef struct _HdRequest      HdRequest;
typedef struct _HdChat         HdChat;
typedef struct _HdMessage      HdMessage;
typedef struct _HdNote         HdNote;
typedef struct _HdClient       HdClient;
typedef struct _HdEventStream  HdEventStream;
typedef struct _HdSession      HdSession;

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

GType hd_connection_state_get_type (void) G_GNUC_CONST;
GType hd_message_state_get_type    (void) G_GNUC_CONST;
#define HD_TYPE_CONNECTION_STATE (hd_connection_state_get_type ())
#define HD_TYPE_MESSAGE_STATE    (hd_message_state_get_type ())

G_END_DECLS
