/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-error"

#include "hd-error.h"

#include <string.h>

G_DEFINE_QUARK (hd-error-quark, hd_error)

static const struct {
  const char *name;
  guint       status;
} codes[HD_ERROR_N_CODES] = {
  [HD_ERROR_BAD_REQUEST]            = { "bad_request", 400 },
  [HD_ERROR_UNAUTHORIZED]           = { "unauthorized", 401 },
  [HD_ERROR_FORBIDDEN]              = { "forbidden", 403 },
  [HD_ERROR_NOT_FOUND]              = { "not_found", 404 },
  [HD_ERROR_CONFLICT]               = { "conflict", 409 },
  [HD_ERROR_CHAT_DISABLED]          = { "chat_disabled", 403 },
  [HD_ERROR_TECHNICIAN_UNAVAILABLE] = { "technician_unavailable", 409 },
  [HD_ERROR_REQUEST_CLOSED]         = { "request_closed", 409 },
  [HD_ERROR_CHAT_IN_PROGRESS]       = { "chat_in_progress", 409 },
  [HD_ERROR_ALREADY_TAKEN]          = { "already_taken", 409 },
  [HD_ERROR_CHAT_ENDED]             = { "chat_ended", 409 },
  [HD_ERROR_PAYLOAD_TOO_LARGE]      = { "payload_too_large", 413 },
  [HD_ERROR_TOO_MANY_REQUESTS]      = { "too_many_requests", 429 },
  [HD_ERROR_MAIL_NOT_CONFIGURED]    = { "mail_not_configured", 503 },
  [HD_ERROR_MAIL_FAILED]            = { "mail_failed", 502 },
  [HD_ERROR_UNSUPPORTED_MEDIA_TYPE] = { "unsupported_media_type", 415 },
  [HD_ERROR_TECHNICIAN_BUSY]        = { "technician_busy", 409 },
  [HD_ERROR_INTERNAL]               = { "internal_error", 500 },
  [HD_ERROR_NETWORK]                = { "network_error", 0 },
  [HD_ERROR_PROTOCOL]               = { "protocol_error", 0 },
};

const char *
hd_error_code_to_string (HdErrorCode code)
{
  if ((guint) code >= HD_ERROR_N_CODES)
    return "internal_error";
  return codes[code].name;
}

gboolean
hd_error_code_from_string (const char  *str,
                           HdErrorCode *out_code)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < HD_ERROR_N_CODES; i++)
    {
      if (strcmp (codes[i].name, str) == 0)
        {
          if (out_code)
            *out_code = (HdErrorCode) i;
          return TRUE;
        }
    }
  return FALSE;
}

guint
hd_error_code_http_status (HdErrorCode code)
{
  if ((guint) code >= HD_ERROR_N_CODES)
    return 500;
  return codes[code].status ? codes[code].status : 500;
}
