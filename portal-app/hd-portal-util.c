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

char *
hd_portal_chat_end_text (HdEndReason  reason,
                         gboolean     accepted,
                         gboolean     withdrawn,
                         const char  *partner,
                         char       **title,
                         gboolean    *offer_message)
{
  g_return_val_if_fail (title != NULL && offer_message != NULL, NULL);

  *title = NULL;
  *offer_message = FALSE;
  if (partner == NULL || *partner == '\0')
    partner = _("The technician");

  if (accepted)
    switch (reason)
      {
      case HD_END_REASON_TECHNICIAN:
        /* Translators: %s is the technician's name */
        return g_strdup_printf (_("%s ended the chat. The transcript was saved as a note on this request."),
                                partner);
      case HD_END_REASON_CUSTOMER:
        return g_strdup (_("You ended the chat. The transcript was saved as a note on this request."));
      case HD_END_REASON_INACTIVE:
        return g_strdup (_("The chat ended after a long time without messages. "
                           "The transcript was saved as a note on this request."));
      case HD_END_REASON_NONE:
      case HD_END_REASON_WITHDRAWN:
      case HD_END_REASON_NO_ANSWER:
      default:
        return g_strdup (_("The chat has ended. The transcript was saved as a note on this request."));
      }

  /* Never accepted: no conversation, no transcript. */
  if (withdrawn || reason == HD_END_REASON_WITHDRAWN || reason == HD_END_REASON_CUSTOMER)
    {
      *title = g_strdup (_("Chat Request Withdrawn"));
      return g_strdup (_("You withdrew the chat request. You can start another one from the request."));
    }

  *offer_message = TRUE;
  switch (reason)
    {
    case HD_END_REASON_NO_ANSWER:
      *title = g_strdup (_("Nobody Could Answer"));
      return g_strdup (_("Sorry, nobody was free to take your chat this time. "
                         "You can leave a message instead; it reaches them on the request."));
    case HD_END_REASON_TECHNICIAN:
      *title = g_strdup (_("Chat Request Declined"));
      /* Translators: %s is the technician's name */
      return g_strdup_printf (_("%s could not take your chat this time. "
                                "You can leave a message instead; it reaches them on the request."),
                              partner);
    case HD_END_REASON_NONE:
    case HD_END_REASON_CUSTOMER:
    case HD_END_REASON_WITHDRAWN:
    case HD_END_REASON_INACTIVE:
    default:
      *title = g_strdup (_("Chat Request Ended"));
      return g_strdup (_("The chat request ended before anyone accepted it. "
                         "You can leave a message instead; it reaches them on the request."));
    }
}
