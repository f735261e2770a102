/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-end-reason"

#include <glib/gi18n.h>

#include "hd-tech-end-reason.h"

/* The contract's end reasons (api-contract "Technicians"), from the
 * technician's side of the chat. */
const char *
hd_tech_end_reason_text (HdEndReason reason)
{
  switch (reason)
    {
    case HD_END_REASON_CUSTOMER:
      return _("The customer ended the chat");
    case HD_END_REASON_TECHNICIAN:
      return _("The chat was ended by a technician");
    case HD_END_REASON_WITHDRAWN:
      return _("The customer stopped waiting");
    case HD_END_REASON_NO_ANSWER:
      return _("Nobody answered in time");
    case HD_END_REASON_INACTIVE:
      return _("Ended after inactivity");
    case HD_END_REASON_NONE:
    default:
      return NULL;
    }
}
