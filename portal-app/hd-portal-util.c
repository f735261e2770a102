/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>

#include "hd-portal-util.h"

char *
hd_portal_chat_reason_text (const char *reason,
                            const char *technician_name)
{
  if (reason == NULL || *reason == '\0')
    return NULL;

  if (g_str_equal (reason, "technician_unavailable"))
    {
      if (technician_name != NULL && *technician_name != '\0')
        /* Translators: %s is the technician's name */
        return g_strdup_printf (_("%s is not available for chat right now"), technician_name);
      return g_strdup (_("No technician is available for chat right now"));
    }
  if (g_str_equal (reason, "chat_disabled"))
    return g_strdup (_("Chat is switched off"));
  if (g_str_equal (reason, "request_closed"))
    return g_strdup (_("This request is closed"));
  if (g_str_equal (reason, "chat_in_progress"))
    return g_strdup (_("A chat about this request is already in progress"));

  /* A reason from a newer server: still say something true. */
  return g_strdup (_("Chat is not possible right now"));
}
