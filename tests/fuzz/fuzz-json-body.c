/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: a REST request body, as a stranger sends it, into what
 * the routes read from it: common/hd-json-input.c (the one way in for JSON:
 * not JSON, not an object, U+0000) and then the members the routes take
 * (strings, ids, booleans) and the message-body rule of the contract. */
#include "hd-json-input.h"
#include "hd-protocol.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
read_members (JsonObject *o)
{
  static const char *const names[] = {
    "login", "password", "name", "email", "role", "subject", "description",
    "body", "client_id", "status", "shortcut", "title", "comment", NULL
  };

  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *n = json_object_get_member (o, names[i]);

      if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
        continue;
      if (json_node_get_value_type (n) == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (n);

          /* The helper's promise: no string the routes see was cut short. */
          g_assert (s != NULL);
          hd_protocol_validate_message_body (s, -1, NULL);
        }
      else if (json_node_get_value_type (n) == G_TYPE_INT64)
        (void) json_node_get_int (n);
      else if (json_node_get_value_type (n) == G_TYPE_BOOLEAN)
        (void) json_node_get_boolean (n);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gboolean has_nul = hd_json_input_has_nul ((const char *) data, size);
  JsonObject *o = hd_json_input_parse_object (parser, (const char *) data, size, &error);

  /* Whatever holds U+0000 never reaches a route. */
  if (has_nul)
    g_assert (o == NULL);
  if (o == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  read_members (o);
  return 0;
}
