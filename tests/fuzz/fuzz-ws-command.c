/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the text of a WebSocket message into a command, as the
 * hub reads it (hd_json_input_parse_frame: the envelope {"type", "data"},
 * U+0000 refused), then the members a command takes: chat_id,
 * request_id, body (the contract's message rule), client_id. */
#include "hd-json-input.h"
#include "hd-protocol.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  const char *type = NULL;
  JsonObject *args = NULL;
  static const char *const ids[] = { "chat_id", "request_id", NULL };
  static const char *const strings[] = { "body", "client_id", NULL };

  if (!hd_json_input_parse_frame (parser, (const char *) data, size, &type, &args, &error))
    {
      g_assert (type == NULL && args == NULL && error != NULL);
      return 0;
    }
  g_assert (type != NULL && args != NULL);
  g_assert (!hd_json_input_has_nul ((const char *) data, size));
  (void) g_str_equal (type, HD_FRAME_CHAT_SEND);
  for (guint i = 0; ids[i]; i++)
    {
      JsonNode *n = json_object_get_member (args, ids[i]);

      if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
        (void) json_node_get_int (n);
    }
  for (guint i = 0; strings[i]; i++)
    {
      JsonNode *n = json_object_get_member (args, strings[i]);

      if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        hd_protocol_validate_message_body (json_node_get_string (n), -1, NULL);
    }
  return 0;
}
