/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HD_ERROR (hd_error_quark ())

/* The error codes of the wire contract (api-contract.md, "Conventions"),
 * plus two that only ever live on the client side (network, protocol). */
typedef enum {
  HD_ERROR_BAD_REQUEST,
  HD_ERROR_UNAUTHORIZED,
  HD_ERROR_FORBIDDEN,
  HD_ERROR_NOT_FOUND,
  HD_ERROR_CONFLICT,
  HD_ERROR_CHAT_DISABLED,
  HD_ERROR_TECHNICIAN_UNAVAILABLE,
  HD_ERROR_REQUEST_CLOSED,
  HD_ERROR_CHAT_IN_PROGRESS,
  HD_ERROR_ALREADY_TAKEN,
  HD_ERROR_CHAT_ENDED,
  HD_ERROR_PAYLOAD_TOO_LARGE,
  HD_ERROR_TOO_MANY_REQUESTS,
  HD_ERROR_MAIL_NOT_CONFIGURED,
  HD_ERROR_MAIL_FAILED,
  HD_ERROR_UNSUPPORTED_MEDIA_TYPE,
  HD_ERROR_TECHNICIAN_BUSY,
  HD_ERROR_INTERNAL,
  /* client side only */
  HD_ERROR_NETWORK,
  HD_ERROR_PROTOCOL,
} HdErrorCode;

#define HD_ERROR_N_CODES (HD_ERROR_PROTOCOL + 1)

GQuark       hd_error_quark             (void);
const char  *hd_error_code_to_string    (HdErrorCode  code);
gboolean     hd_error_code_from_string  (const char  *str,
                                         HdErrorCode *out_code);
guint        hd_error_code_http_status  (HdErrorCode  code);

G_END_DECLS
