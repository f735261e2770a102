/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: a request head as a stranger sends it, through
 * libsoup's parser (soup_headers_parse_request, what the server runs) and
 * the door's framing rule (hd_door_check_framing: Content-Length with
 * Transfer-Encoding, two Content-Lengths, odd encodings). */
#include "hd-door.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SoupMessageHeaders *headers;
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  SoupHTTPVersion version;
  guint status;

  if (size > 64 * 1024)
    return 0;
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  status = soup_headers_parse_request ((const char *) data, (int) size, headers,
                                       &method, &path, &version);
  if (status == SOUP_STATUS_OK)
    {
      const char *refusal = hd_door_check_framing (headers, version);

      /* Both framings at once are always refused. */
      if (soup_message_headers_get_one (headers, "Content-Length") != NULL &&
          soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
        g_assert (refusal != NULL);
      (void) soup_message_headers_get_encoding (headers);
      (void) soup_message_headers_get_content_length (headers);
    }
  soup_message_headers_unref (headers);
  return 0;
}
