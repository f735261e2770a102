/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What to tell a person about @error, in their language: the server's
 * messages are English, so an HD_ERROR is explained by its code (the
 * contract's error codes); anything else keeps its own message (GLib's
 * are translated already).  Transfer full. */
char *hd_error_dup_text (const GError *error);

G_END_DECLS
