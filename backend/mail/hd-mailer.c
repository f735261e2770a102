/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-mailer"

#include "hd-mailer.h"
#include "hd-error.h"

#include <curl/curl.h>
#include <string.h>

#define DEFAULT_FROM        "helpdesk@localhost"
#define FROM_DISPLAY_NAME   "Helpdesk Chat"
/* RFC 5322 asks for lines of at most 78 characters; 76 is the
 * quoted-printable limit (RFC 2045, 6.7). */
#define QP_LINE_MAX         76
/* An encoded word is at most 75 characters: "=?UTF-8?B?" + data + "?=";
 * 45 input bytes make 60 base64 characters. */
#define EW_CHUNK_BYTES      45

struct _HdMailer {
  GObject parent_instance;

  char *smtp_url;   /* NULL when not configured */
  char *from;
};

G_DEFINE_FINAL_TYPE (HdMailer, hd_mailer, G_TYPE_OBJECT)

static void
hd_mailer_finalize (GObject *object)
{
  HdMailer *self = HD_MAILER (object);

  g_free (self->smtp_url);
  g_free (self->from);

  G_OBJECT_CLASS (hd_mailer_parent_class)->finalize (object);
}

static void
hd_mailer_class_init (HdMailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hd_mailer_finalize;

  /* Once, from the thread that creates the first mailer: curl_global_init
   * is not guaranteed thread-safe on every libcurl we may meet. */
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

static void
hd_mailer_init (HdMailer *self)
{
}

/* Replaces every control character (CR and LF above all) with a space, so
 * no text of a caller can end a header line and start another. */
static char *
sanitize_header_text (const char *text)
{
  g_autofree char *valid = NULL;
  GString *s;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  s = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f)
        g_string_append_c (s, ' ');
      else
        g_string_append_c (s, *p);
    }
  g_strstrip (s->str);
  s->len = strlen (s->str);

  return g_string_free (s, FALSE);
}

/* An address fit for the envelope and for the header: no white space or
 * control characters, no angle brackets, one "@" with text on both sides. */
static gboolean
address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || *address == '\0' || strlen (address) > 254)
    return FALSE;

  for (const char *p = address; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
          c == '(' || c == ')' || c == ',' || c == ';' || c == '\\')
        return FALSE;
    }

  at = strrchr (address, '@');
  return at != NULL && at != address && at[1] != '\0';
}

static gboolean
is_ascii_printable (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

static gsize current_line_length (GString *out);

/* RFC 2047 "B" encoded words of at most 75 characters, split on UTF-8
 * character boundaries, each fitting the 78-character line it starts on,
 * and folded with CRLF SP between them. */
static void
append_encoded_words (GString    *out,
                      const char *text)
{
  const char *p = text;

  while (*p)
    {
      const char *end = p;
      g_autofree char *b64 = NULL;
      gsize used = current_line_length (out);
      gsize chunk = EW_CHUNK_BYTES;

      /* "=?UTF-8?B?" and "?=" take 12; 3 bytes become 4 characters. */
      if (used + 12 + 4 * (chunk / 3) > 78)
        chunk = used + 12 + 4 < 78 ? 3 * ((78 - used - 12) / 4) : 0;
      if (chunk < 4)
        {
          /* Not even one character fits here: start a new line. */
          g_string_append (out, "\r\n ");
          chunk = EW_CHUNK_BYTES;
        }

      while (*end)
        {
          const char *next = g_utf8_next_char (end);

          if ((gsize) (next - p) > chunk)
            break;
          end = next;
        }

      b64 = g_base64_encode ((const guchar *) p, end - p);
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
      p = end;
      if (*p)
        g_string_append (out, "\r\n ");
    }
}

/* Characters on the last line of @out so far. */
static gsize
current_line_length (GString *out)
{
  const char *nl = strrchr (out->str, '\n');

  return nl != NULL ? out->len - (gsize) (nl + 1 - out->str) : out->len;
}

/* The length of @text as an RFC 5322 quoted-string. */
static gsize
quoted_length (const char *text)
{
  gsize n = 2;

  for (const char *p = text; *p; p++)
    n += (*p == '"' || *p == '\\') ? 2 : 1;
  return n;
}

/* A display name as a quoted string when it is plain ASCII and fits on the
 * line, otherwise as encoded words (which fold). */
static void
append_display_name (GString    *out,
                     const char *name)
{
  if (*name == '\0')
    return;

  if (is_ascii_printable (name) &&
      current_line_length (out) + quoted_length (name) + 1 <= 78)
    {
      g_string_append_c (out, '"');
      for (const char *p = name; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    append_encoded_words (out, name);

  g_string_append_c (out, ' ');
}

/* "<address>", folded onto a continuation line when it would not fit. */
static void
append_angle_address (GString    *out,
                      const char *address)
{
  if (current_line_length (out) + strlen (address) + 2 > 78)
    {
      /* Drop the space before the fold: the fold supplies it. */
      if (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append (out, "\r\n ");
    }
  g_string_append_printf (out, "<%s>\r\n", address);
}

/* The Date header in RFC 5322 form, in English whatever the locale. */
static void
append_date (GString *out,
             gint64   now_unix_usec)
{
  static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) dt = NULL;

  dt = g_date_time_new_from_unix_utc (now_unix_usec / G_USEC_PER_SEC);
  if (dt == NULL)
    dt = g_date_time_new_now_utc ();

  g_string_append_printf (out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                          days[g_date_time_get_day_of_week (dt) - 1],
                          g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt));
}

/* Quoted-printable (RFC 2045, 6.7) of one line without its line end. */
static void
append_qp_line (GString    *out,
                const char *line,
                gsize       len)
{
  gsize col = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) line[i];
      char enc[4];
      gsize w;
      gboolean last = (i + 1 == len);

      if ((c >= 33 && c <= 126 && c != '=') ||
          ((c == ' ' || c == '\t') && !last))
        {
          enc[0] = (char) c;
          enc[1] = '\0';
          w = 1;
        }
      else
        {
          g_snprintf (enc, sizeof enc, "=%02X", c);
          w = 3;
        }

      /* Keep room for the "=" of a soft line break. */
      if (col + w > QP_LINE_MAX - 1)
        {
          g_string_append (out, "=\r\n");
          col = 0;
        }
      g_string_append (out, enc);
      col += w;
    }
  g_string_append (out, "\r\n");
}

static const char *
address_domain (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL && at[1] != '\0' ? at + 1 : "localhost";
}

char *
hd_mailer_build_message (HdMailer   *self,
                         const char *to_address,
                         const char *to_name,
                         const char *subject,
                         const char *body,
                         gint64      now_unix_usec)
{
  g_autofree char *addr = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subj = NULL;
  g_autofree char *text = NULL;
  g_autofree char *msgid_rand = NULL;
  GString *out;
  const char *p;

  g_return_val_if_fail (HD_IS_MAILER (self), NULL);

  addr = sanitize_header_text (to_address);
  name = sanitize_header_text (to_name);
  subj = sanitize_header_text (subject);
  text = g_utf8_make_valid (body != NULL ? body : "", -1);

  out = g_string_new (NULL);

  g_string_append (out, "From: ");
  append_display_name (out, FROM_DISPLAY_NAME);
  append_angle_address (out, self->from);

  g_string_append (out, "To: ");
  append_display_name (out, name);
  append_angle_address (out, addr);

  append_date (out, now_unix_usec);

  msgid_rand = g_uuid_string_random ();
  g_string_append_printf (out, "Message-ID: <%s@%s>\r\n",
                          msgid_rand, address_domain (self->from));

  g_string_append (out, "Subject: ");
  if (is_ascii_printable (subj) && strlen ("Subject: ") + strlen (subj) <= 78)
    g_string_append (out, subj);
  else
    append_encoded_words (out, subj);
  g_string_append (out, "\r\n");

  g_string_append (out,
                   "MIME-Version: 1.0\r\n"
                   "Content-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n"
                   "\r\n");

  /* Any of CRLF, LF or a lone CR ends a body line; each becomes CRLF. */
  p = text;
  while (TRUE)
    {
      gsize n = strcspn (p, "\r\n");

      append_qp_line (out, p, n);
      p += n;
      if (*p == '\0')
        break;
      if (p[0] == '\r' && p[1] == '\n')
        p += 2;
      else
        p += 1;
      if (*p == '\0')
        break;
    }

  return g_string_free (out, FALSE);
}

HdMailer *
hd_mailer_new (const char *smtp_url,
               const char *from)
{
  HdMailer *self = g_object_new (HD_TYPE_MAILER, NULL);

  if (smtp_url != NULL && *smtp_url != '\0')
    self->smtp_url = g_strdup (smtp_url);

  if (from != NULL && address_is_valid (from))
    self->from = g_strdup (from);
  else
    {
      if (from != NULL)
        g_warning ("Ignoring the invalid sender address “%s”", from);
      self->from = g_strdup (DEFAULT_FROM);
    }

  return self;
}

gboolean
hd_mailer_is_configured (HdMailer *self)
{
  g_return_val_if_fail (HD_IS_MAILER (self), FALSE);

  return self->smtp_url != NULL;
}

typedef struct {
  char  *url;
  char  *from;
  char  *to;
  char  *message;
  gsize  length;
  gsize  offset;
  GCancellable *cancellable;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *d = data;

  g_free (d->url);
  g_free (d->from);
  g_free (d->to);
  g_free (d->message);
  g_free (d);
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *userdata)
{
  SendData *d = userdata;
  gsize room = size * nitems;
  gsize n = MIN (room, d->length - d->offset);

  memcpy (buffer, d->message + d->offset, n);
  d->offset += n;
  return n;
}

static int
progress_cb (void       *clientp,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  SendData *d = clientp;

  /* Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK. */
  return d->cancellable != NULL && g_cancellable_is_cancelled (d->cancellable);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendData *d = task_data;
  char errbuf[CURL_ERROR_SIZE] = "";
  g_autofree char *mail_from = NULL;
  g_autofree char *rcpt = NULL;
  struct curl_slist *recipients = NULL;
  CURL *curl;
  CURLcode res;

  if (g_task_return_error_if_cancelled (task))
    return;

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_MAIL_FAILED,
                               "Could not start the mail transfer");
      return;
    }

  mail_from = g_strdup_printf ("<%s>", d->from);
  rcpt = g_strdup_printf ("<%s>", d->to);
  recipients = curl_slist_append (recipients, rcpt);

  d->cancellable = cancellable;

  curl_easy_setopt (curl, CURLOPT_URL, d->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS, (long) (CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
  /* STARTTLS when the server offers it on smtp://; smtps:// is TLS from
   * the first byte anyway. */
  curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_TRY);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, mail_from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (curl, CURLOPT_READDATA, d);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) d->length);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  /* Signals belong to the server's main thread, not to this worker. */
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, d);

  res = curl_easy_perform (curl);

  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);

  if (res == CURLE_ABORTED_BY_CALLBACK &&
      g_task_return_error_if_cancelled (task))
    return;

  if (res != CURLE_OK)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_MAIL_FAILED,
                               "Sending the mail failed: %s",
                               errbuf[0] ? errbuf : curl_easy_strerror (res));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
hd_mailer_send_async (HdMailer            *self,
                      const char          *to_address,
                      const char          *to_name,
                      const char          *subject,
                      const char          *body,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *d;

  g_return_if_fail (HD_IS_MAILER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_mailer_send_async);

  if (self->smtp_url == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED,
                               "No mail server is configured");
      return;
    }

  if (!address_is_valid (to_address))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_MAIL_FAILED,
                               "The recipient address is not valid");
      return;
    }

  d = g_new0 (SendData, 1);
  d->url = g_strdup (self->smtp_url);
  d->from = g_strdup (self->from);
  d->to = g_strdup (to_address);
  d->message = hd_mailer_build_message (self, to_address, to_name, subject,
                                        body, g_get_real_time ());
  d->length = strlen (d->message);
  g_task_set_task_data (task, d, send_data_free);

  g_task_run_in_thread (task, send_thread);
}

gboolean
hd_mailer_send_finish (HdMailer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (HD_IS_MAILER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
