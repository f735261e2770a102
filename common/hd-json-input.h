/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The one way in for JSON that a stranger sends: REST request bodies and
 * WebSocket frames both come through here, so a rule about what JSON is
 * acceptable is written once.
 *
 * U+0000: refused everywhere (400 bad_request).  JSON-GLib hands strings
 * out as C strings, so "a\u0000b" would silently become "a" (a name, an
 * email address "x@x\u0000@evil.example" mailed as "x@x", a client_id
 * "\u0000" colliding with "").  Keeping such strings exactly would need
 * lengths through every layer; nobody needs U+0000 in a helpdesk. */

/* TRUE when @data (@len bytes of JSON text) holds U+0000 inside a string
 * (member names included): written as the escape \u0000, or as a raw NUL
 * byte anywhere.  A pure scan of the text, valid JSON or not. */
gboolean    hd_json_input_has_nul        (const char  *data,
                                          gsize        len);

/* Parses @len bytes of @data with @parser and returns its root object
 * (owned by @parser), or NULL with an HD_ERROR_BAD_REQUEST error whose
 * message a person can read: not JSON, not an object, or U+0000 in a
 * string. */
JsonObject *hd_json_input_parse_object   (JsonParser  *parser,
                                          const char  *data,
                                          gsize        len,
                                          GError     **error);

/* A WebSocket frame of the contract: {"type": "...", "data": {...}}.
 * Returns the type and the data object (both owned by @parser), or FALSE
 * with an HD_ERROR_BAD_REQUEST error (as hd_json_input_parse_object, or no
 * type string, or no data object). */
gboolean    hd_json_input_parse_frame    (JsonParser  *parser,
                                          const char  *text,
                                          gsize        len,
                                          const char **type,
                                          JsonObject **data,
                                          GError     **error);

G_END_DECLS
