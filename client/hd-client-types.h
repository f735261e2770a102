/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

/* HdChatState, HdRole, … and their wire strings: common/hd-wire.h */
#include "hd-wire.h"
/* HdConnectionState, HdMessageState; GTypes generated (mkenums) */
#include "hd-states.h"
#include "hd-client-enums.h"

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

G_END_DECLS
