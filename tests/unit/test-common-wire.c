/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-wire.h"
#include "hd-protocol.h"

#include <json-glib/json-glib.h>

/* Every enum: the GType's nicks are the wire strings, and to/from string
 * round-trip. */
static void
check_enum (GType        type,
            const char *(*to_string) (int),
            gboolean     (*from_string) (const char *, int *))
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  g_assert_cmpuint (klass->n_values, >, 1);
  for (guint i = 0; i < klass->n_values; i++)
    {
      GEnumValue *v = &klass->values[i];
      int back = -1;

      g_assert_cmpint (v->value, ==, (int) i);
      g_assert_cmpstr (to_string (v->value), ==, v->value_nick);
      g_assert_true (from_string (v->value_nick, &back));
      g_assert_cmpint (back, ==, v->value);
    }
  g_assert_false (from_string ("no-such-value", &(int) { 0 }));
  g_assert_false (from_string (NULL, &(int) { 0 }));
}

#define CHECK_ENUM(type, prefix) \
  check_enum (type, (const char *(*) (int)) prefix##_to_string, (gboolean (*) (const char *, int *)) prefix##_from_string)

static void
test_enums (void)
{
  CHECK_ENUM (HD_TYPE_ROLE, hd_role);
  CHECK_ENUM (HD_TYPE_CHAT_STATE, hd_chat_state);
  CHECK_ENUM (HD_TYPE_REQUEST_STATUS, hd_request_status);
  CHECK_ENUM (HD_TYPE_TARGET_KIND, hd_target_kind);
  CHECK_ENUM (HD_TYPE_NOTE_KIND, hd_note_kind);
  CHECK_ENUM (HD_TYPE_END_REASON, hd_end_reason);
  CHECK_ENUM (HD_TYPE_MESSAGE_KIND, hd_message_kind);
  CHECK_ENUM (HD_TYPE_CANNED_SCOPE, hd_canned_scope);
  g_assert_cmpstr (hd_note_kind_to_string (HD_NOTE_KIND_TRANSCRIPT), ==, "chat_transcript");
  g_assert_cmpstr (hd_chat_state_to_string (HD_CHAT_STATE_ACTIVE), ==, "active");
  g_assert_cmpstr (hd_role_to_string (HD_ROLE_ADMIN), ==, "admin");
}

static HdUserRecord carol = { 4, "carol", "Carol \"C\" <b>x</b>", "carol@example.com", HD_ROLE_CUSTOMER, FALSE, TRUE, "secret-hash" };
static HdUserRecord tina = { 2, "tina", "Tina Tech", "tina@example.com", HD_ROLE_TECHNICIAN, TRUE, FALSE, NULL };
static HdTeamRecord desk = { 7, "Service Desk" };

static const HdUserRecord *
lookup_user (gpointer data, gint64 id)
{
  return id == carol.id ? &carol : id == tina.id ? &tina : NULL;
}

static const HdTeamRecord *
lookup_team (gpointer data, gint64 id)
{
  return id == desk.id ? &desk : NULL;
}

static JsonObject *
parse (GString *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_user (void)
{
  HdWireView staff = { 0, TRUE, lookup_user, lookup_team, NULL };
  HdWireView other_customer = { 99, FALSE, lookup_user, lookup_team, NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonObject) o = NULL;
  HdUserRecord back = { 0, };

  hd_wire_write_user (out, &carol, &staff);
  o = parse (out);
  g_assert_false (json_object_has_member (o, "password_hash"));
  g_assert_true (hd_wire_read_user (o, &back));
  g_assert_cmpint (back.id, ==, carol.id);
  g_assert_cmpstr (back.name, ==, carol.name);
  g_assert_cmpstr (back.login, ==, "carol");
  g_assert_cmpstr (back.email, ==, carol.email);
  g_assert_cmpint (back.role, ==, HD_ROLE_CUSTOMER);
  g_assert_true (back.online);
  g_assert_false (back.available);
  g_clear_pointer (&o, json_object_unref);

  /* Another customer sees neither login nor email. */
  g_string_truncate (out, 0);
  hd_wire_write_user (out, &carol, &other_customer);
  o = parse (out);
  g_assert_false (json_object_has_member (o, "login"));
  g_assert_false (json_object_has_member (o, "email"));
  g_assert_true (hd_wire_read_user (o, &back));
  g_assert_null (back.email);
  g_free (back.login);
  g_free (back.name);
}

static void
test_chat_and_message (void)
{
  HdWireView view = { 4, FALSE, lookup_user, lookup_team, NULL };
  HdChatRecord chat = { 11, 1, HD_CHAT_STATE_ACTIVE, 4, 2, HD_TARGET_TEAM, 7, 31,
                        1764000000123000, 1764000001456000, 0, 5 };
  HdChatRecord back = { 0, };
  HdMessageRecord m = { 100, 11, 3, 2, NULL, "line\none \"quoted\" \x01", "cid-1", 1764000002789000 };
  HdMessageRecord mback = { 0, };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonObject) o = NULL;

  hd_wire_write_chat (out, &chat, &view);
  o = parse (out);
  g_assert_true (hd_wire_read_chat (o, &back));
  g_assert_cmpint (back.id, ==, 11);
  g_assert_cmpint (back.state, ==, HD_CHAT_STATE_ACTIVE);
  g_assert_cmpint (back.customer_id, ==, 4);
  g_assert_cmpint (back.technician_id, ==, 2);
  g_assert_cmpint (back.target_kind, ==, HD_TARGET_TEAM);
  g_assert_cmpint (back.target_id, ==, 7);
  g_assert_cmpint (back.note_id, ==, 31);
  g_assert_cmpint (back.created_at, ==, chat.created_at);
  g_assert_cmpint (back.accepted_at, ==, chat.accepted_at);
  g_assert_cmpint (back.ended_at, ==, 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (o, "ended_at")));
  g_clear_pointer (&o, json_object_unref);

  g_string_truncate (out, 0);
  hd_wire_write_message (out, &m, &view);
  o = parse (out);
  g_assert_true (hd_wire_read_message (o, &mback));
  g_assert_cmpstr (mback.body, ==, m.body);
  g_assert_cmpstr (mback.client_id, ==, "cid-1");
  g_assert_cmpint (mback.author_id, ==, 2);
  g_assert_cmpstr (mback.author_name, ==, "Tina Tech");
  g_assert_cmpint (mback.seq, ==, 3);
  g_assert_cmpint (mback.created_at, ==, m.created_at);
  g_free (mback.body);
  g_free (mback.client_id);
  g_free (mback.author_name);
}

static void
test_request_and_note (void)
{
  HdWireView view = { 4, FALSE, lookup_user, lookup_team, NULL };
  HdRequestRecord r = { 1, "Printer offline", "It is “offline”.", FALSE, 4, 2, 7, 1764000000000000 };
  HdRequestRecord back = { 0, };
  g_autoptr(GPtrArray) techs = g_ptr_array_new ();
  HdChatOptions options = { FALSE, "technician_unavailable", techs };
  HdNoteRecord n = { 31, 1, HD_NOTE_KIND_TRANSCRIPT, 11, NULL, 1764000000000000, 1764000003000000, 42 };
  HdNoteRecord nback = { 0, };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonObject) o = NULL;
  JsonObject *opts;

  g_ptr_array_add (techs, &tina);
  hd_wire_write_request (out, &r, NULL, &options, &view);
  o = parse (out);
  g_assert_true (hd_wire_read_request (o, &back));
  g_assert_cmpint (back.team_id, ==, 7);
  g_assert_cmpint (back.assignee_id, ==, 2);
  g_assert_false (back.closed);
  g_assert_cmpstr (back.subject, ==, r.subject);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "team"), "name"), ==, "Service Desk");
  opts = json_object_get_object_member (o, "chat_options");
  g_assert_cmpstr (json_object_get_string_member (opts, "reason"), ==, "technician_unavailable");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (opts, "technicians")), ==, 1);
  g_free (back.subject);
  g_free (back.description);
  g_clear_pointer (&o, json_object_unref);

  g_string_truncate (out, 0);
  hd_wire_write_note (out, &n, "a\nb\n");
  o = parse (out);
  g_assert_true (hd_wire_read_note (o, &nback));
  g_assert_cmpint (nback.kind, ==, HD_NOTE_KIND_TRANSCRIPT);
  g_assert_cmpint (nback.length, ==, 42);
  g_assert_cmpstr (nback.body, ==, "a\nb\n");
  g_free (nback.body);
  g_clear_pointer (&o, json_object_unref);

  g_string_truncate (out, 0);
  hd_wire_write_note_appended (out, &n, "c\n");
  o = parse (out);
  g_assert_false (json_object_has_member (o, "body"));
  g_assert_cmpstr (json_object_get_string_member (o, "appended"), ==, "c\n");
}

/* The v2 records of technicians and attachments, byte for byte as the
 * contract shows them. */
static void
test_v2_records (void)
{
  HdCannedRecord personal = { 5, HD_CANNED_SCOPE_PERSONAL, 2, 7, "hi", "Hello", "Hello \"you\"", 1, 2 };
  HdCannedRecord team = { 6, HD_CANNED_SCOPE_TEAM, 1, 7, "vpn", "VPN", "Restart", 1, 2 };
  HdSearchHitRecord hit = { 3, 0, 0, 9, 1764000000000000, "the \002pr\u00e4nter\003 is \002off\003" };
  HdAttachmentRecord a = { 12, 11, 4, "shot.png", "image/png", 2048, "ab01", 1 };
  g_autoptr(GString) out = g_string_new (NULL);

  hd_wire_write_canned (out, &personal);
  g_assert_cmpstr (out->str, ==,
                   "{\"id\":5,\"shortcut\":\"hi\",\"title\":\"Hello\",\"body\":\"Hello \\\"you\\\"\","
                   "\"scope\":\"personal\",\"team_id\":null}");
  g_string_truncate (out, 0);
  hd_wire_write_canned (out, &team);
  g_assert_cmpstr (out->str, ==,
                   "{\"id\":6,\"shortcut\":\"vpn\",\"title\":\"VPN\",\"body\":\"Restart\","
                   "\"scope\":\"team\",\"team_id\":7}");

  /* Highlights count characters, not bytes. */
  g_string_truncate (out, 0);
  hd_wire_write_search_hit (out, &hit);
  g_assert_cmpstr (out->str, ==,
                   "{\"request_id\":3,\"chat_id\":null,\"message_id\":null,\"note_id\":9,"
                   "\"snippet\":\"the pr\u00e4nter is off\",\"highlights\":[{\"start\":4,\"length\":7},"
                   "{\"start\":15,\"length\":3}],\"created_at\":\"2025-11-24T16:00:00.000Z\"}");

  g_string_truncate (out, 0);
  hd_wire_write_attachment (out, &a);
  g_assert_cmpstr (out->str, ==,
                   "{\"id\":12,\"filename\":\"shot.png\",\"content_type\":\"image/png\",\"size\":2048,"
                   "\"sha256\":\"ab01\"}");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/enums", test_enums);
  g_test_add_func ("/wire/user", test_user);
  g_test_add_func ("/wire/chat-message", test_chat_and_message);
  g_test_add_func ("/wire/request-note", test_request_and_note);
  g_test_add_func ("/wire/v2-records", test_v2_records);
  return g_test_run ();
}
