/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The client library both apps link (see README.md). */
#include "hd-client-types.h"
#include "hd-user.h"
#include "hd-request.h"
#include "hd-chat.h"
#include "hd-message.h"
#include "hd-note.h"
#include "hd-list-model.h"
#include "hd-session.h"
#include "hd-session-customer.h"
#include "hd-session-transfer.h"
#include "hd-session-canned.h"
#include "hd-session-away.h"
#include "hd-session-search.h"
#include "hd-attachment.h"
#include "hd-attachment-view.h"
#include "hd-error-text.h"
#include "hd-credentials.h"
#include "hd-login-dialog.h"
#include "hd-chat-view.h"
#include "hd-notes-view.h"
#include "hd-message-row.h"
#include "hd-note-row.h"
#include "hd-a11y.h"
#include "hd-app-shell.h"

G_BEGIN_DECLS

/* Call once after gtk_init()/adw_init() (e.g. in GApplication::startup):
 * registers the library's GResource, its widget types, and adds
 * /com/helpdeskchat/icons to the default icon theme so the symbolic icon
 * "hd-chat-symbolic" can be used by name. */
void hd_client_init_resources (void);

G_END_DECLS
