/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-error-text"

#include "hd-error-text.h"
#include "hd-error.h"

#include <glib/gi18n.h>

char *
hd_error_dup_text (const GError *error)
{
  const char *text = NULL;

  if (error == NULL)
    return g_strdup (_("Something went wrong."));
  if (error->domain != HD_ERROR)
    return g_strdup (error->message);

  switch ((HdErrorCode) error->code)
    {
    case HD_ERROR_BAD_REQUEST:
      text = _("The server did not accept what was sent. Please check your input.");
      break;
    case HD_ERROR_UNAUTHORIZED:
      text = _("Your session has ended. Please log in again.");
      break;
    case HD_ERROR_FORBIDDEN:
      text = _("You are not allowed to do that.");
      break;
    case HD_ERROR_NOT_FOUND:
      text = _("It no longer exists, or you may not see it.");
      break;
    case HD_ERROR_CONFLICT:
      text = _("That is not possible now.");
      break;
    case HD_ERROR_CHAT_DISABLED:
      text = _("Chat is switched off at the moment.");
      break;
    case HD_ERROR_TECHNICIAN_UNAVAILABLE:
      text = _("Nobody is available for a chat right now.");
      break;
    case HD_ERROR_REQUEST_CLOSED:
      text = _("The request is closed.");
      break;
    case HD_ERROR_CHAT_IN_PROGRESS:
      text = _("This request already has a chat in progress.");
      break;
    case HD_ERROR_ALREADY_TAKEN:
      text = _("Someone else accepted this chat first.");
      break;
    case HD_ERROR_CHAT_ENDED:
      text = _("The chat has ended.");
      break;
    case HD_ERROR_PAYLOAD_TOO_LARGE:
      text = _("That is too large to send. Files may have at most 10 MiB.");
      break;
    case HD_ERROR_TOO_MANY_REQUESTS:
      text = _("Too many attempts. Please wait a moment and try again.");
      break;
    case HD_ERROR_MAIL_NOT_CONFIGURED:
      text = _("This server cannot send mail.");
      break;
    case HD_ERROR_MAIL_FAILED:
      text = _("The mail could not be sent. Please try again later.");
      break;
    case HD_ERROR_UNSUPPORTED_MEDIA_TYPE:
      text = _("Only pictures (PNG, JPEG, GIF, WebP), PDF documents and plain text files can be sent.");
      break;
    case HD_ERROR_TECHNICIAN_BUSY:
      text = _("That technician already has as many chats as allowed. Please choose someone else.");
      break;
    case HD_ERROR_NETWORK:
      text = _("The server cannot be reached. Please check your connection.");
      break;
    case HD_ERROR_PROTOCOL:
    case HD_ERROR_INTERNAL:
    default:
      text = _("The server had a problem. Please try again later.");
      break;
    }
  return g_strdup (text);
}
