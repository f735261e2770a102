/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-json-input"

#include "hd-json-input.h"
#include "hd-error.h"

gboolean
hd_json_input_has_nul (const char *data,
                       gsize       len)
{
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char ch = data[i];

      if (ch == '\0')
        return TRUE;
      if (!in_string)
        {
          if (ch == '"')
            in_string = TRUE;
          continue;
        }
      if (ch == '"')
        in_string = FALSE;
      else if (ch == '\\' && i + 1 < len)
        {
          i++;
          /* \u0000 (hex digits, any case: only zeros are zero) */
          if (data[i] == 'u' && i + 4 < len &&
              data[i + 1] == '0' && data[i + 2] == '0' && data[i + 3] == '0' && data[i + 4] == '0')
            return TRUE;
        }
    }
  return FALSE;
}

JsonObject *
hd_json_input_parse_object (JsonParser  *parser,
                            const char  *data,
                            gsize        len,
                            GError     **error)
{
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (len == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "A JSON object is expected");
      return NULL;
    }
  /* Before the parser: it would cut the string short. */
  if (hd_json_input_has_nul (data, len))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "A JSON string may not hold U+0000");
      return NULL;
    }
  if (len > G_MAXSSIZE || !json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "Malformed JSON: %s",
                   local ? local->message : "too long");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "A JSON object is expected");
      return NULL;
    }
  return json_node_get_object (root);
}

gboolean
hd_json_input_parse_frame (JsonParser  *parser,
                           const char  *text,
                           gsize        len,
                           const char **type,
                           JsonObject **data,
                           GError     **error)
{
  JsonObject *o = hd_json_input_parse_object (parser, text, len, error);
  JsonNode *n;

  *type = NULL;
  *data = NULL;
  if (o == NULL)
    return FALSE;
  n = json_object_get_member (o, "type");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The frame has no type");
      return FALSE;
    }
  *type = json_node_get_string (n);
  n = json_object_get_member (o, "data");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    {
      *type = NULL;
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The frame has no data object");
      return FALSE;
    }
  *data = json_node_get_object (n);
  return TRUE;
}
