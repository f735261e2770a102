/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char  *hd_config_find_file  (char               **argv);
char **hd_config_merge_argv (const char          *path,
                             const GOptionEntry  *entries,
                             char               **argv,
                             GError             **error);
void   hd_config_notify     (const char          *state);

G_END_DECLS
