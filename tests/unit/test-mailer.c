/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-mailer.h"
#include "hd-error.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define HOSTILE_NAME "Eve Evil\r\nBcc: victim@example.net\nX-Injected: yes"
#define UTF8_SUBJECT "Transcript — Drucker offline ✓ «Ünïcödé»"

/* RFC 5322: every line ends with CRLF (no bare CR or LF) and is at most 998
 * characters; we keep to 78 so every MTA is happy. */
static void
assert_crlf_lines (const char *msg)
{
  const char *line = msg;

  for (const char *p = msg; *p; p++)
    {
      if (*p == '\r')
        g_assert_cmpint (p[1], ==, '\n');
      if (*p == '\n')
        {
          g_assert_true (p > msg && p[-1] == '\r');
          g_assert_cmpint (p - 1 - line, <=, 78);
          line = p + 1;
        }
    }
  /* The message ends with a line end. */
  g_assert_true (g_str_has_suffix (msg, "\r\n"));
}

/* The header block (up to the empty line), unfolded, as "Name: value"
 * strings. */
static GPtrArray *
header_lines (const char *msg)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const char *end = strstr (msg, "\r\n\r\n");
  g_autofree char *block = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (end);
  block = g_strndup (msg, end - msg);
  lines = g_strsplit (block, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      if ((lines[i][0] == ' ' || lines[i][0] == '\t') && out->len > 0)
        {
          char *prev = out->pdata[out->len - 1];

          out->pdata[out->len - 1] = g_strconcat (prev, lines[i], NULL);
          g_free (prev);
        }
      else
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  return g_steal_pointer (&out);
}

static const char *
find_header (GPtrArray  *headers,
             const char *name)
{
  const char *found = NULL;
  gsize n = strlen (name);

  for (guint i = 0; i < headers->len; i++)
    {
      const char *h = headers->pdata[i];

      if (g_ascii_strncasecmp (h, name, n) == 0 && h[n] == ':')
        {
          /* Each header at most once. */
          g_assert_null (found);
          found = h + n + 1;
          while (*found == ' ')
            found++;
        }
    }
  return found;
}

static void
test_build_message (void)
{
  g_autoptr(HdMailer) mailer = hd_mailer_new ("smtp://127.0.0.1:1", "desk@example.org");
  g_autofree char *msg = NULL;
  g_autoptr(GPtrArray) headers = NULL;
  g_autoptr(GRegex) date_re = NULL;
  const char *v;
  /* 2026-11-24T19:00:00Z is a Tuesday. */
  gint64 when = G_GINT64_CONSTANT (1795546800) * G_USEC_PER_SEC;

  msg = hd_mailer_build_message (mailer, "carol@example.com", HOSTILE_NAME,
                                 UTF8_SUBJECT, "Hello\nsecond line\n", when);
  assert_crlf_lines (msg);
  headers = header_lines (msg);

  /* No header line came out of the name. */
  g_assert_null (find_header (headers, "Bcc"));
  g_assert_null (find_header (headers, "X-Injected"));
  g_assert_null (strstr (msg, "\r\nBcc:"));
  g_assert_null (strstr (msg, "\nX-Injected"));

  v = find_header (headers, "From");
  g_assert_nonnull (v);
  g_assert_nonnull (strstr (v, "<desk@example.org>"));

  v = find_header (headers, "To");
  g_assert_nonnull (v);
  g_assert_true (g_str_has_suffix (v, "<carol@example.com>"));
  g_assert_nonnull (strstr (v, "Eve Evil"));

  v = find_header (headers, "Date");
  g_assert_nonnull (v);
  g_assert_cmpstr (v, ==, "Tue, 24 Nov 2026 19:00:00 +0000");

  v = find_header (headers, "Message-ID");
  g_assert_nonnull (v);
  g_assert_true (g_str_has_prefix (v, "<"));
  g_assert_true (g_str_has_suffix (v, "@example.org>"));

  v = find_header (headers, "Subject");
  g_assert_nonnull (v);
  /* Non-ASCII: encoded words only, no raw 8-bit byte in the header. */
  g_assert_true (g_str_has_prefix (v, "=?UTF-8?B?"));
  for (const char *p = v; *p; p++)
    g_assert_cmpint ((guchar) *p, <, 0x80);

  g_assert_cmpstr (find_header (headers, "MIME-Version"), ==, "1.0");
  g_assert_cmpstr (find_header (headers, "Content-Type"), ==, "text/plain; charset=UTF-8");
  g_assert_nonnull (find_header (headers, "Content-Transfer-Encoding"));

  /* Body after the blank line. */
  g_assert_nonnull (strstr (msg, "\r\n\r\nHello\r\nsecond line\r\n"));

  date_re = g_regex_new ("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000$", 0, 0, NULL);
  g_clear_pointer (&msg, g_free);
  g_clear_pointer (&headers, g_ptr_array_unref);
  msg = hd_mailer_build_message (mailer, "carol@example.com", "Carol", "Plain", "x",
                                 g_get_real_time ());
  headers = header_lines (msg);
  g_assert_true (g_regex_match (date_re, find_header (headers, "Date"), 0, NULL));
  /* An ASCII subject stays readable. */
  g_assert_cmpstr (find_header (headers, "Subject"), ==, "Plain");
}

static void
test_build_message_long (void)
{
  g_autoptr(HdMailer) mailer = hd_mailer_new ("smtp://127.0.0.1:1", NULL);
  g_autoptr(GString) subject = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *msg = NULL;
  g_autoptr(GPtrArray) headers = NULL;

  for (int i = 0; i < 60; i++)
    g_string_append (subject, "Überlänge ");
  for (int i = 0; i < 500; i++)
    g_string_append (body, "ä=b ");
  g_string_append (body, "\r\nlone\rcr\n\ttab end \n");

  msg = hd_mailer_build_message (mailer, "x@example.com", "Zoë", subject->str,
                                 body->str, g_get_real_time ());
  /* Folded and soft-broken: every line fits. */
  assert_crlf_lines (msg);
  headers = header_lines (msg);
  /* A default sender when none was given. */
  g_assert_nonnull (find_header (headers, "From"));
  g_assert_nonnull (strstr (find_header (headers, "From"), "@"));
  g_assert_true (g_str_has_prefix (find_header (headers, "To"), "=?UTF-8?B?"));

  /* Invalid UTF-8 does not produce an invalid mail. */
  g_clear_pointer (&msg, g_free);
  msg = hd_mailer_build_message (mailer, "x@example.com", "bad\xff name",
                                 "bad \xfe subject", "bad \xc3 body",
                                 g_get_real_time ());
  assert_crlf_lines (msg);
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} SendCtx;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SendCtx *ctx = user_data;

  ctx->ok = hd_mailer_send_finish (HD_MAILER (source), result, &ctx->error);
  g_main_loop_quit (ctx->loop);
}

static gboolean
send_and_wait (HdMailer    *mailer,
               const char  *to,
               const char  *name,
               const char  *subject,
               const char  *body,
               GError     **error)
{
  SendCtx ctx = { 0 };

  ctx.loop = g_main_loop_new (NULL, FALSE);
  hd_mailer_send_async (mailer, to, name, subject, body, NULL, send_done, &ctx);
  g_main_loop_run (ctx.loop);
  g_main_loop_unref (ctx.loop);
  if (ctx.error)
    g_propagate_error (error, ctx.error);
  return ctx.ok;
}

static void
test_not_configured (void)
{
  g_autoptr(HdMailer) none = hd_mailer_new (NULL, NULL);
  g_autoptr(HdMailer) empty = hd_mailer_new ("", "a@b.example");
  g_autoptr(GError) error = NULL;

  g_assert_false (hd_mailer_is_configured (none));
  g_assert_false (hd_mailer_is_configured (empty));

  g_assert_false (send_and_wait (none, "carol@example.com", "Carol", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED);
  g_clear_error (&error);

  g_assert_false (send_and_wait (empty, "carol@example.com", "Carol", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED);
}

static void
test_bad_recipient_address (void)
{
  g_autoptr(HdMailer) mailer = hd_mailer_new ("smtp://127.0.0.1:1", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (hd_mailer_is_configured (mailer));
  g_assert_false (send_and_wait (mailer, "carol@example.com>\r\nRCPT TO:<x@y.z",
                                 "C", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_FAILED);
  g_clear_error (&error);
  g_assert_false (send_and_wait (mailer, "no-at-sign", "C", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_FAILED);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(HdMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (sock, G_SOCKET_ADDRESS (any), TRUE, &error));
  bound = g_socket_get_local_address (sock, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);

  url = g_strdup_printf ("smtp://127.0.0.1:%u", port);
  mailer = hd_mailer_new (url, NULL);
  g_assert_false (send_and_wait (mailer, "carol@example.com", "C", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_FAILED);
  g_assert_cmpstr (error->message, !=, "");
}

/* --- against a real SMTP server --------------------------------------- */

typedef struct {
  GSubprocess      *proc;
  GDataInputStream *out;
  guint             port;
} Sink;

static void
sink_start (Sink *sink)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *line = NULL;
  const char *root = g_getenv ("HD_SOURCE_ROOT");

  g_assert_nonnull (root);
  script = g_build_filename (root, "tests", "integration", "smtp_sink.py", NULL);
  sink->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                 &error,
                                 "/usr/bin/python3", script,
                                 "--refuse", "refused@example.com", NULL);
  g_assert_no_error (error);
  sink->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sink->proc));

  line = g_data_input_stream_read_line_utf8 (sink->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  sink->port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  g_assert_cmpuint (sink->port, >, 0);
}

static JsonObject *
sink_next (Sink *sink)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* Blocking is fine: the send has already completed when we read. */
  line = g_data_input_stream_read_line_utf8 (sink->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
sink_stop (Sink *sink)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (sink->proc), NULL, NULL);
  g_subprocess_wait (sink->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&sink->out);
  g_clear_object (&sink->proc);
}

static void
test_send_real_smtp (void)
{
  Sink sink = { 0 };
  g_autoptr(HdMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(GString) long_line = g_string_new (NULL);
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected_body = NULL;
  JsonArray *rcpts;
  JsonArray *headers;
  const char *to;

  sink_start (&sink);
  url = g_strdup_printf ("smtp://127.0.0.1:%u", sink.port);
  mailer = hd_mailer_new (url, "helpdesk@example.org");

  for (int i = 0; i < 40; i++)
    g_string_append (long_line, "lang=Zeile ");
  /* Lines that SMTP itself cares about: a lone dot ends DATA unless curl
   * stuffs it; a leading dot must survive. */
  body = g_strdup_printf ("19:00 Carol: Hello, <b>printer</b> is off ✓\n"
                          ".\n"
                          ".hidden line\n"
                          "%s\n"
                          "trailing space \n"
                          "last",
                          long_line->str);

  g_assert_true (send_and_wait (mailer, "carol@example.com", HOSTILE_NAME,
                                UTF8_SUBJECT, body, &error));
  g_assert_no_error (error);

  got = sink_next (&sink);
  g_assert_cmpstr (json_object_get_string_member (got, "mail_from"), ==,
                   "helpdesk@example.org");
  rcpts = json_object_get_array_member (got, "rcpt_tos");
  g_assert_cmpuint (json_array_get_length (rcpts), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (rcpts, 0), ==, "carol@example.com");

  /* The hostile name: one To header, no Bcc, no X-Injected. */
  headers = json_object_get_array_member (got, "headers");
  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonArray *h = json_array_get_array_element (headers, i);
      const char *name = json_array_get_string_element (h, 0);

      g_assert_cmpstr (name, !=, "Bcc");
      g_assert_cmpstr (name, !=, "X-Injected");
    }
  to = json_object_get_string_member (got, "to");
  g_assert_nonnull (strstr (to, "carol@example.com"));
  g_assert_nonnull (strstr (to, "Eve Evil"));
  g_assert_null (strchr (to, '\n'));

  g_assert_cmpstr (json_object_get_string_member (got, "subject"), ==, UTF8_SUBJECT);

  /* Decoded by Python: the exact text, with a final newline added. */
  expected_body = g_strconcat (body, "\n", NULL);
  g_assert_cmpstr (json_object_get_string_member (got, "body"), ==, expected_body);

  /* A refused recipient: mail_failed with the server's reason. */
  g_assert_false (send_and_wait (mailer, "refused@example.com", "R", "s", "b", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_FAILED);
  g_assert_nonnull (strstr (error->message, "550"));
  g_clear_error (&error);

  /* And the sink still works afterwards: the next mail arrives. */
  g_assert_true (send_and_wait (mailer, "chris@example.com", "Chris", "Plain ASCII", "ok", &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, json_object_unref);
  got = sink_next (&sink);
  g_assert_cmpstr (json_object_get_string_member (got, "subject"), ==, "Plain ASCII");
  g_assert_cmpstr (json_object_get_string_member (got, "body"), ==, "ok\n");

  sink_stop (&sink);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mailer/build-message", test_build_message);
  g_test_add_func ("/mailer/build-message-long", test_build_message_long);
  g_test_add_func ("/mailer/not-configured", test_not_configured);
  g_test_add_func ("/mailer/bad-recipient-address", test_bad_recipient_address);
  g_test_add_func ("/mailer/connection-refused", test_connection_refused);
  g_test_add_func ("/mailer/send-real-smtp", test_send_real_smtp);

  return g_test_run ();
}
