/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sends mail through libcurl's SMTP (smtp://, smtps://, STARTTLS when the
 * server offers it) on a worker thread. */
#define HD_TYPE_MAILER (hd_mailer_get_type ())
G_DECLARE_FINAL_TYPE (HdMailer, hd_mailer, HD, MAILER, GObject)

/* @smtp_url may be NULL: then every send fails with
 * HD_ERROR_MAIL_NOT_CONFIGURED.  @from is an address such as
 * helpdesk@example.com (a default is used when NULL). */
HdMailer *hd_mailer_new               (const char          *smtp_url,
                                       const char          *from);
gboolean  hd_mailer_is_configured     (HdMailer            *self);

/* A proper MIME mail: From, To, Date, Message-ID, Subject (RFC 2047 encoded
 * when not ASCII), UTF-8 text/plain body.  Header values never carry a
 * newline from the caller's text.  Fails with HD_ERROR_MAIL_FAILED (with
 * the server's or curl's reason in the message) or
 * HD_ERROR_MAIL_NOT_CONFIGURED. */
void      hd_mailer_send_async        (HdMailer            *self,
                                       const char          *to_address,
                                       const char          *to_name,
                                       const char          *subject,
                                       const char          *body,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hd_mailer_send_finish       (HdMailer            *self,
                                       GAsyncResult        *result,
                                       GError             **error);

/* The whole message as sent (headers and body, CRLF line ends); exposed for
 * the unit tests. */
char     *hd_mailer_build_message     (HdMailer            *self,
                                       const char          *to_address,
                                       const char          *to_name,
                                       const char          *subject,
                                       const char          *body,
                                       gint64               now_unix_usec);

G_END_DECLS
