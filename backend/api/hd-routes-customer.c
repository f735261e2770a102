/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-routes-customer"

#include "hd-routes-customer.h"
#include "hd-api-private.h"
#include "hd-answers.h"
#include "hd-customer.h"
#include "hd-core.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"

#include <string.h>

/* A download is handed to libsoup in pieces of this size, each read from
 * the store when the previous one was written: a 10 MiB file never sits
 * whole in memory. */
#define DOWNLOAD_PIECE (256 * 1024)

/* A string member: absent or null gives NULL (an error if @required). */
static gboolean
get_string (SoupServerMessage *msg,
            JsonObject        *body,
            const char        *member,
            gboolean           required,
            const char       **out)
{
  JsonNode *n = json_object_get_member (body, member);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (required)
        {
          g_autofree char *m = g_strdup_printf ("“%s” is required", member);
          hd_api_respond_error (msg, HD_ERROR_BAD_REQUEST, m);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_autofree char *m = g_strdup_printf ("“%s” must be a string", member);
      hd_api_respond_error (msg, HD_ERROR_BAD_REQUEST, m);
      return FALSE;
    }
  *out = json_node_get_string (n);
  return TRUE;
}

void
hd_routes_post_note (HdChatService     *service,
                     SoupServerMessage *msg,
                     const HdUserRecord      *caller,
                     JsonObject        *body,
                     gint64             request_id)
{
  GError *error = NULL;
  const char *text;
  g_autoptr(HdNoteRecord) note = NULL;

  if (!get_string (msg, body, "body", TRUE, &text))
    return;
  note = hd_chat_service_add_note (service, caller, request_id, text, &error);
  hd_api_respond_result (msg, SOUP_STATUS_CREATED, note ? hd_answer_note (service, note, caller) : NULL,
                         &error);
}

void
hd_routes_post_rating (HdChatService     *service,
                       SoupServerMessage *msg,
                       const HdUserRecord      *caller,
                       JsonObject        *body,
                       gint64             chat_id)
{
  GError *error = NULL;
  JsonNode *n = json_object_get_member (body, "score");
  const char *comment;
  gint64 score;
  g_autofree HdChatRecord *chat = NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      (score = json_node_get_int (n)) < 1 || score > 5)
    {
      hd_api_respond_error (msg, HD_ERROR_BAD_REQUEST, "“score” must be a whole number from 1 to 5");
      return;
    }
  if (!get_string (msg, body, "comment", FALSE, &comment))
    return;
  chat = hd_chat_service_rate_chat (service, caller, chat_id, (int) score, comment, &error);
  hd_api_respond_result (msg, SOUP_STATUS_CREATED, chat ? hd_answer_chat (service, chat, caller) : NULL,
                         &error);
}

void
hd_routes_post_attachment (HdChatService     *service,
                           SoupServerMessage *msg,
                           const HdUserRecord      *caller,
                           gint64             chat_id,
                           GHashTable        *query)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) data = NULL;
  GError *error = NULL;
  gboolean created = FALSE;
  const char *filename = query ? g_hash_table_lookup (query, "filename") : NULL;
  const char *client_id = query ? g_hash_table_lookup (query, "client_id") : NULL;
  g_autoptr(HdMessageRecord) m = NULL;

  /* A chunked body has no length to refuse it by before it is read. */
  if (request_body->length > HD_MAX_ATTACHMENT_BYTES)
    {
      hd_api_respond_error (msg, HD_ERROR_PAYLOAD_TOO_LARGE, "A file may have at most 10 MiB");
      return;
    }
  data = soup_message_body_flatten (request_body);
  m = hd_chat_service_add_attachment (service, caller, chat_id, filename, data, client_id,
                                      &created, &error);
  hd_api_respond_result (msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK,
                         m ? hd_answer_message (service, m, m->author_id == caller->id ? caller : NULL, caller)
                           : NULL,
                         &error);
}

/* ---- download ------------------------------------------------------- */

typedef struct {
  HdChatService *service;
  gint64         id;
  gint64         offset;
  gint64         size;
} Download;

static void
download_free (gpointer data,
               GClosure *closure)
{
  Download *d = data;

  g_object_unref (d->service);
  g_free (d);
}

/* Core thread: reads the next piece. */
static GBytes *
download_read (Download *d)
{
  g_autoptr(GError) error = NULL;
  GBytes *piece;

  piece = hd_chat_service_read_attachment (d->service, d->id, d->offset, DOWNLOAD_PIECE, &error);
  if (piece == NULL || g_bytes_get_size (piece) == 0)
    {
      g_warning ("Reading attachment %" G_GINT64_FORMAT " failed: %s", d->id,
                 error ? error->message : "it is shorter than its size");
      g_clear_pointer (&piece, g_bytes_unref);
    }
  return piece;
}

/* Appends @piece (or ends the body) to @msg. */
static void
download_append (SoupServerMessage *msg,
                 Download          *d,
                 GBytes            *piece)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (piece == NULL)
    {
      /* The headers (and a length) are out: all that is left is to cut
       * the connection short, so the client sees an incomplete body. */
      d->offset = d->size;
      soup_message_body_complete (body);
      return;
    }
  d->offset += (gint64) g_bytes_get_size (piece);
  soup_message_body_append_bytes (body, piece);
}

typedef struct {
  SoupServerMessage *msg;
  Download          *d;
  GBytes            *piece;
} PieceJob;

static void
piece_job_free (gpointer data)
{
  PieceJob *j = data;

  g_object_unref (j->msg);
  g_clear_pointer (&j->piece, g_bytes_unref);
  g_free (j);
}

static gboolean
piece_read (HdChatService *service,
            gpointer       data)
{
  PieceJob *j = data;

  j->piece = download_read (j->d);
  return TRUE;
}

static void
piece_done (gpointer data,
            gboolean committed)
{
  PieceJob *j = data;

  download_append (j->msg, j->d, j->piece);
  soup_server_message_unpause (j->msg);
}

/* Main context: the store is the core thread's, so the next piece is read
 * there while the message waits. */
static void
on_wrote_chunk (SoupServerMessage *msg,
                gpointer           user_data)
{
  Download *d = user_data;
  PieceJob *j;

  if (d->offset >= d->size)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }
  j = g_new0 (PieceJob, 1);
  j->msg = g_object_ref (msg);
  j->d = d;
  soup_server_message_pause (msg);
  hd_core_run (hd_core_of (d->service), piece_read, TRUE, piece_done, j, piece_job_free);
}

/* RFC 6266: a plain ASCII fallback and the exact name in RFC 8187
 * encoding.  Quotes, backslashes and anything outside printable ASCII
 * never reach the quoted form, so the header is always one clean line. */
static char *
content_disposition (const char *filename)
{
  GString *out = g_string_new ("attachment; filename=\"");

  for (const char *p = filename; *p; p++)
    {
      guchar c = (guchar) *p;
      g_string_append_c (out, c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_');
    }
  g_string_append (out, "\"; filename*=UTF-8''");
  for (const char *p = filename; *p; p++)
    {
      guchar c = (guchar) *p;

      if (g_ascii_isalnum (c) || strchr ("!#$&+-.^_`|~", c) != NULL)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
  return g_string_free (out, FALSE);
}

void
hd_routes_attachment (HdChatService     *service,
                      SoupServerMessage *msg,
                      const HdUserRecord      *caller,
                      const char        *method,
                      const char        *id_text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(HdAttachmentRecord) a = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *content_type = NULL;
  GError *error = NULL;
  gboolean head = strcmp (method, "HEAD") == 0;
  Download *d;
  gint64 id;

  if (strcmp (method, "GET") != 0 && !head)
    {
      hd_api_method_not_allowed (msg);
      return;
    }
  if (!hd_api_parse_id (id_text, &id))
    {
      hd_api_respond_error (msg, HD_ERROR_NOT_FOUND, "Attachment not found");
      return;
    }
  a = hd_chat_service_get_attachment (service, caller, id, &error);
  if (a == NULL)
    {
      hd_api_respond_result (msg, 0, NULL, &error);
      return;
    }

  content_type = strcmp (a->content_type, "text/plain") == 0
                 ? g_strdup ("text/plain; charset=utf-8") : g_strdup (a->content_type);
  disposition = content_disposition (a->filename);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  /* Even if a browser were told to show it: no scripts, no plugins. */
  soup_message_headers_replace (headers, "Content-Security-Policy", "default-src 'none'; sandbox");
  soup_message_headers_replace (headers, "Cache-Control", "private, max-age=3600");
  soup_message_headers_set_content_length (headers, a->size);
  if (head)
    return;

  d = g_new0 (Download, 1);
  d->service = g_object_ref (service);
  d->id = a->id;
  d->size = a->size;
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_signal_connect_data (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), d, download_free, 0);
  /* The first piece now, on the core thread, before the answer goes. */
  if (d->size > 0)
    {
      g_autoptr(GBytes) first = download_read (d);

      download_append (msg, d, first);
    }
  else
    soup_message_body_complete (soup_server_message_get_response_body (msg));
}
