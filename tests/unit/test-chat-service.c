/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-auth.h"
#include "hd-chat-service.h"
#include "service-text.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* The demo data's ids. */
enum { ADMIN = 1, TINA, THEO, CAROL, CHRIS };
enum { PRINTER = 1, VPN, LAPTOP };

typedef struct {
  char    *type;
  GArray  *recipients;   /* NULL: everyone (with no other audience) */
  gint64   request_id;   /* >0: the request's subscribers too */
  gint64   presence_of;  /* >0: presence audience of this technician */
  char    *staff;
  char    *customer;
} Event;

typedef struct {
  char          *dir;
  HdStore       *store;
  HdChatService *service;
  HdUserRecord        *users[6];
  GPtrArray     *events;
} Fixture;

static void
event_free (Event *e)
{
  g_free (e->type);
  if (e->recipients)
    g_array_unref (e->recipients);
  g_free (e->staff);
  g_free (e->customer);
  g_free (e);
}

static void
record_event (const HdEvent *event,
              gpointer       user_data)
{
  Fixture *f = user_data;
  Event *e = g_new0 (Event, 1);

  e->type = g_strdup (event->type);
  if (event->recipients)
    {
      e->recipients = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_vals (e->recipients, event->recipients->data, event->recipients->len);
    }
  e->request_id = event->request_id;
  e->presence_of = event->presence_of;
  e->staff = g_strdup (event->staff_frame);
  e->customer = g_strdup (event->customer_frame ? event->customer_frame : event->staff_frame);
  g_ptr_array_add (f->events, e);
}

/* The event writer, counted: each event is written once, when emitted.
 * This test is linked with -Wl,--wrap=hd_wire_event_frames (meson.build):
 * the service's call comes here. */
static guint writer_calls;

void __real_hd_wire_event_frames (const char *type, const HdEventData *data, HdWireViewFor view_for,
                                  gpointer view_data, char **staff_frame, char **customer_frame);
void __wrap_hd_wire_event_frames (const char *type, const HdEventData *data, HdWireViewFor view_for,
                                  gpointer view_data, char **staff_frame, char **customer_frame);

void
__wrap_hd_wire_event_frames (const char        *type,
                             const HdEventData *data,
                             HdWireViewFor      view_for,
                             gpointer           view_data,
                             char             **staff_frame,
                             char             **customer_frame)
{
  g_assert_nonnull (data);
  g_assert_null (*staff_frame);
  writer_calls++;
  __real_hd_wire_event_frames (type, data, view_for, view_data, staff_frame, customer_frame);
}

/* The seeded demo database, made once (argon2id hashing is slow on
 * purpose) and copied for every test. */
static char *template_path;

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hd-service-template-XXXXXX", &error);
  g_autoptr(HdStore) store = NULL;
  g_autoptr(HdChatService) service = NULL;

  g_assert_no_error (error);
  template_path = g_build_filename (dir, "template.db", NULL);
  store = hd_store_open (template_path, &error);
  g_assert_no_error (error);
  service = hd_chat_service_new (store, NULL);
  g_assert_true (hd_chat_service_seed_demo (service, &error));
  g_assert_no_error (error);
  /* Closing the last connection checkpoints the WAL into the file. */
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  f->dir = g_dir_make_tmp ("hd-service-XXXXXX", &error);
  path = g_build_filename (f->dir, "hd.db", NULL);
  g_assert_true (g_file_get_contents (template_path, &contents, &len, &error));
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, &error));
  f->store = hd_store_open (path, &error);
  g_assert_no_error (error);
  f->service = hd_chat_service_new (f->store, NULL);
  for (int i = ADMIN; i <= CHRIS; i++)
    f->users[i] = hd_store_user_get (f->store, i, &error);
  g_assert_no_error (error);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  hd_chat_service_set_event_sink (f->service, record_event, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_clear_object (&f->service);
  g_clear_object (&f->store);
  for (int i = 0; i < 6; i++)
    hd_user_record_free (f->users[i]);
  g_ptr_array_unref (f->events);
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Fresh copy of a user (availability changes). */
static HdUserRecord *
U (Fixture *f,
   int      id)
{
  hd_user_record_free (f->users[id]);
  f->users[id] = hd_store_user_get (f->store, id, NULL);
  return f->users[id];
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static gint64
id_of (const char *json)
{
  g_autoptr(JsonNode) n = parse (json);
  return json_object_get_int_member (json_node_get_object (n), "id");
}

static Event *
last_event (Fixture    *f,
            const char *type)
{
  for (guint i = f->events->len; i > 0; i--)
    {
      Event *e = g_ptr_array_index (f->events, i - 1);
      if (strcmp (e->type, type) == 0)
        return e;
    }
  return NULL;
}

static gboolean
has_recipient (Event  *e,
               gint64  id)
{
  if (e->recipients == NULL)
    return TRUE;
  for (guint i = 0; i < e->recipients->len; i++)
    if (g_array_index (e->recipients, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
go_available (Fixture *f,
              int      id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *me = NULL;

  hd_chat_service_set_online (f->service, id, TRUE);
  me = svc_set_available (f->service, U (f, id), TRUE, &error);
  g_assert_no_error (error);
  U (f, id);
}

static gint64
start_chat (Fixture *f,
            gint64   request,
            gint64   technician)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chat = svc_start_chat (f->service, f->users[CAROL], request, technician, &error);

  g_assert_no_error (error);
  return id_of (chat);
}

static gint64
active_chat (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = NULL;
  gint64 id;

  go_available (f, TINA);
  id = start_chat (f, PRINTER, 0);
  accepted = svc_accept_chat (f->service, f->users[TINA], id, &error);
  g_assert_no_error (error);
  return id;
}

#define ASSERT_FAILS(call, code) G_STMT_START {        \
    g_autoptr(GError) _e = NULL;                        \
    g_autofree char *_r = call;                         \
    g_assert_null (_r);                                 \
    g_assert_error (_e, HD_ERROR, code);                \
  } G_STMT_END
/* the call must use &_e */

static void
test_seed (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *privileges = svc_get_privileges (f->service, f->users[CAROL], &error);
  g_autoptr(JsonNode) p = parse (privileges);
  g_autoptr(GPtrArray) requests = hd_store_requests_list (f->store, HD_REQUESTS_ALL, 0, &error);
  HdRequestRecord *r;

  g_assert_cmpstr (f->users[ADMIN]->login, ==, "admin");
  g_assert_cmpint (f->users[ADMIN]->role, ==, HD_ROLE_ADMIN);
  g_assert_cmpstr (f->users[CHRIS]->email, ==, "chris@example.com");
  for (int i = ADMIN; i <= CHRIS; i++)
    g_assert_false (f->users[i]->available);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (p), "chat_enabled"));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (p), "customer_chat_with_team"));

  g_assert_cmpuint (requests->len, ==, 3);
  r = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (r->subject, ==, "Printer offline");
  g_assert_cmpint (r->customer_id, ==, CAROL);
  g_assert_cmpint (r->assignee_id, ==, TINA);
  g_assert_false (r->closed);
  r = g_ptr_array_index (requests, 2);
  g_assert_true (r->closed);
  g_assert_true (hd_store_team_has_member (f->store, r->id > 0 ? 1 : 0, THEO));

  /* A second seed leaves a non-empty database alone. */
  g_assert_true (hd_chat_service_seed_demo (f->service, &error));
  g_assert_cmpint (hd_store_count_users (f->store), ==, 5);
}

static void
test_availability (Fixture       *f,
                   gconstpointer  data)
{
  Event *e;

  ASSERT_FAILS (svc_set_available (f->service, f->users[CAROL], TRUE, &_e), HD_ERROR_FORBIDDEN);

  go_available (f, TINA);
  g_assert_true (f->users[TINA]->available);
  g_assert_true (hd_chat_service_is_online (f->service, TINA));

  /* Presence goes to her presence audience (staff and her customers);
   * customers do not see her email. */
  e = last_event (f, HD_EVENT_PRESENCE_CHANGED);
  g_assert_nonnull (e);
  g_assert_null (e->recipients);
  g_assert_cmpint (e->presence_of, ==, TINA);
  g_assert_cmpint (e->request_id, ==, 0);
  {
    /* Carol's open request #1 is Tina's; Chris's #2 is Theo's. */
    g_autoptr(GArray) tina_customers = hd_chat_service_presence_audience (f->service, TINA);
    g_autoptr(GArray) theo_customers = hd_chat_service_presence_audience (f->service, THEO);

    g_assert_cmpuint (tina_customers->len, ==, 1);
    g_assert_cmpint (g_array_index (tina_customers, HdPresenceLink, 0).customer_id, ==, CAROL);
    g_assert_cmpint (g_array_index (tina_customers, HdPresenceLink, 0).request_id, ==, PRINTER);
    g_assert_cmpuint (theo_customers->len, ==, 1);
    g_assert_cmpint (g_array_index (theo_customers, HdPresenceLink, 0).customer_id, ==, CHRIS);
    g_assert_cmpint (g_array_index (theo_customers, HdPresenceLink, 0).request_id, ==, VPN);
  }
  g_assert_nonnull (strstr (e->staff, "tina@example.com"));
  g_assert_null (strstr (e->customer, "tina@example.com"));
  g_assert_nonnull (strstr (e->customer, "\"available_for_chat\":true"));

  /* A customer's presence is nobody's business. */
  g_ptr_array_set_size (f->events, 0);
  hd_chat_service_set_online (f->service, CAROL, TRUE);
  g_assert_null (last_event (f, HD_EVENT_PRESENCE_CHANGED));
  hd_chat_service_set_online (f->service, TINA, FALSE);
  g_assert_nonnull (last_event (f, HD_EVENT_PRESENCE_CHANGED));
}

static void
test_start_rules (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *disabled = NULL;
  g_autofree char *chat = NULL;
  Event *e;

  /* Assignee offline, then online but not available. */
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_TECHNICIAN_UNAVAILABLE);
  hd_chat_service_set_online (f->service, TINA, TRUE);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_TECHNICIAN_UNAVAILABLE);
  /* Available but not logged in. */
  hd_chat_service_set_online (f->service, TINA, FALSE);
  g_free (svc_set_available (f->service, U (f, TINA), TRUE, NULL));
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_TECHNICIAN_UNAVAILABLE);
  hd_chat_service_set_online (f->service, TINA, TRUE);

  /* Only customers start chats, only on their own open requests. */
  ASSERT_FAILS (svc_start_chat (f->service, U (f, TINA), PRINTER, 0, &_e), HD_ERROR_FORBIDDEN);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CHRIS], PRINTER, 0, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], VPN, 0, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], 999, 0, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], LAPTOP, 0, &_e), HD_ERROR_REQUEST_CLOSED);

  /* The facility switch. */
  disabled = svc_set_privileges (f->service, f->users[ADMIN], FALSE, -1, &error);
  g_assert_no_error (error);
  e = last_event (f, HD_EVENT_PRIVILEGES_CHANGED);
  g_assert_nonnull (e);
  g_assert_null (e->recipients);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_CHAT_DISABLED);
  ASSERT_FAILS (svc_set_privileges (f->service, U (f, TINA), TRUE, -1, &_e), HD_ERROR_FORBIDDEN);
  g_free (svc_set_privileges (f->service, f->users[ADMIN], TRUE, -1, &error));

  /* Picking a technician other than the assignee needs the team privilege. */
  go_available (f, THEO);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, THEO, &_e), HD_ERROR_TECHNICIAN_UNAVAILABLE);

  chat = svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) n = parse (chat);
    JsonObject *o = json_node_get_object (n);
    JsonObject *target = json_object_get_object_member (o, "target");

    g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "waiting");
    g_assert_cmpstr (json_object_get_string_member (target, "kind"), ==, "technician");
    g_assert_cmpint (json_object_get_int_member (target, "id"), ==, TINA);
  }
  e = last_event (f, HD_EVENT_CHAT_REQUESTED);
  g_assert_nonnull (e);
  g_assert_cmpuint (e->recipients->len, ==, 1);
  g_assert_true (has_recipient (e, TINA));

  /* One waiting or active chat per request. */
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_CHAT_IN_PROGRESS);
}

static void
test_chat_options (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *as_carol = NULL;
  g_autofree char *as_tina = NULL;
  g_autoptr(JsonNode) n = NULL;
  JsonObject *options;

  as_carol = svc_get_request (f->service, f->users[CAROL], PRINTER, &error);
  n = parse (as_carol);
  options = json_object_get_object_member (json_node_get_object (n), "chat_options");
  g_assert_false (json_object_get_boolean_member (options, "can_start"));
  g_assert_cmpstr (json_object_get_string_member (options, "reason"), ==, "technician_unavailable");
  /* Other people's login and email are not for customers. */
  g_assert_null (strstr (as_carol, "tina@example.com"));
  g_assert_null (strstr (as_carol, "\"login\":\"tina\""));
  g_assert_nonnull (strstr (as_carol, "carol@example.com"));
  g_clear_pointer (&n, json_node_unref);
  g_clear_pointer (&as_carol, g_free);

  go_available (f, TINA);
  as_carol = svc_get_request (f->service, f->users[CAROL], PRINTER, &error);
  n = parse (as_carol);
  options = json_object_get_object_member (json_node_get_object (n), "chat_options");
  g_assert_true (json_object_get_boolean_member (options, "can_start"));
  g_assert_true (json_object_get_null_member (options, "reason"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (options, "technicians")), ==, 1);

  /* Staff get no chat_options, and see emails. */
  as_tina = svc_get_request (f->service, U (f, TINA), PRINTER, &error);
  g_assert_null (strstr (as_tina, "chat_options"));
  g_assert_nonnull (strstr (as_tina, "carol@example.com"));

  /* With the team privilege every available team technician is listed. */
  go_available (f, THEO);
  g_free (svc_set_privileges (f->service, f->users[ADMIN], -1, TRUE, &error));
  g_clear_pointer (&n, json_node_unref);
  g_clear_pointer (&as_carol, g_free);
  as_carol = svc_get_request (f->service, f->users[CAROL], PRINTER, &error);
  n = parse (as_carol);
  options = json_object_get_object_member (json_node_get_object (n), "chat_options");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (options, "technicians")), ==, 2);

  /* The closed request says why. */
  g_clear_pointer (&n, json_node_unref);
  g_clear_pointer (&as_carol, g_free);
  as_carol = svc_get_request (f->service, f->users[CAROL], LAPTOP, &error);
  n = parse (as_carol);
  options = json_object_get_object_member (json_node_get_object (n), "chat_options");
  g_assert_cmpstr (json_object_get_string_member (options, "reason"), ==, "request_closed");
}

static void
test_team_queue_and_race (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gint64 id;
  Event *e;

  /* Assignee tina is away; theo and admin are available. */
  go_available (f, THEO);
  go_available (f, ADMIN);
  hd_chat_service_set_online (f->service, TINA, TRUE);
  ASSERT_FAILS (svc_start_chat (f->service, f->users[CAROL], PRINTER, 0, &_e), HD_ERROR_TECHNICIAN_UNAVAILABLE);
  g_free (svc_set_privileges (f->service, f->users[ADMIN], -1, TRUE, &error));

  id = start_chat (f, PRINTER, 0);
  e = last_event (f, HD_EVENT_CHAT_REQUESTED);
  g_assert_true (has_recipient (e, THEO));
  g_assert_true (has_recipient (e, ADMIN));
  g_assert_false (has_recipient (e, TINA));
  g_assert_nonnull (strstr (e->staff, "\"kind\":\"team\""));

  queue = svc_queue (f->service, f->users[THEO], &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (queue, "\"state\":\"waiting\""));
  ASSERT_FAILS (svc_queue (f->service, f->users[CAROL], &_e), HD_ERROR_FORBIDDEN);
  /* A technician not offered the chat cannot see or take it. */
  ASSERT_FAILS (svc_get_chat (f->service, f->users[TINA], id, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_accept_chat (f->service, f->users[TINA], id, &_e), HD_ERROR_NOT_FOUND);

  /* Two accepts: exactly one wins. */
  a = svc_accept_chat (f->service, f->users[THEO], id, &error);
  b = svc_accept_chat (f->service, f->users[ADMIN], id, &error2);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_null (b);
  g_assert_error (error2, HD_ERROR, HD_ERROR_ALREADY_TAKEN);

  e = last_event (f, HD_EVENT_CHAT_TAKEN);
  g_assert_nonnull (e);
  g_assert_true (has_recipient (e, ADMIN));
  e = last_event (f, HD_EVENT_CHAT_ACCEPTED);
  g_assert_true (has_recipient (e, CAROL));
  g_assert_true (has_recipient (e, THEO));
  g_assert_false (has_recipient (e, ADMIN));

  g_clear_pointer (&queue, g_free);
  queue = svc_queue (f->service, f->users[ADMIN], &error);
  g_assert_cmpstr (queue, ==, "{\"chats\":[]}");
}

static void
test_members_only (Fixture       *f,
                   gconstpointer  data)
{
  gint64 id = active_chat (f);
  g_autoptr(GError) error = NULL;
  gboolean created;

  /* Strangers: a customer and a technician; everything is 404. */
  ASSERT_FAILS (svc_get_chat (f->service, f->users[CHRIS], id, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_get_chat (f->service, f->users[THEO], id, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_list_messages (f->service, f->users[THEO], id, 0, 10, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_post_message (f->service, f->users[CHRIS], id, "hi", "x", &created, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_end_chat (f->service, f->users[THEO], id, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_get_request (f->service, f->users[CHRIS], PRINTER, &_e), HD_ERROR_NOT_FOUND);
  ASSERT_FAILS (svc_list_notes (f->service, f->users[CHRIS], PRINTER, &_e), HD_ERROR_NOT_FOUND);
  g_assert_false (hd_chat_service_typing (f->service, f->users[CHRIS], id, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_email_rules (Fixture       *f,
                  gconstpointer  data)
{
  gint64 id = active_chat (f);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  hd_chat_service_email_chat_async (f->service, f->users[CHRIS], id, NULL, store_result, &result);
  body = svc_email_chat_finish (f->service, wait_result (&result), &error);
  g_assert_null (body);
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
  g_clear_object (&result);
  g_clear_error (&error);

  hd_chat_service_email_chat_async (f->service, f->users[TINA], id, NULL, store_result, &result);
  body = svc_email_chat_finish (f->service, wait_result (&result), &error);
  g_assert_null (body);
  g_assert_error (error, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED);
  g_clear_object (&result);
}

static void
test_messages_and_transcript (Fixture       *f,
                              gconstpointer  data)
{
  gint64 id = active_chat (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) copy = g_string_new (NULL);
  const char *texts[] = { "Hello", "Grüße aus Köln — ✓ 🖨", "two\nlines", "<b>not markup</b>" };
  gint64 length = 0;
  Event *e;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *cid = g_strdup_printf ("c%u", i);
      gboolean created = FALSE;
      const HdUserRecord *author = i % 2 ? f->users[TINA] : f->users[CAROL];
      g_autofree char *m = svc_post_message (f->service, author, id, texts[i], cid, &created, &error);
      g_autoptr(JsonNode) n = NULL;
      g_autoptr(JsonNode) ev = NULL;
      JsonObject *ev_data;

      g_assert_no_error (error);
      g_assert_true (created);
      n = parse (m);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (n), "seq"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (n), "body"), ==, texts[i]);

      e = last_event (f, HD_EVENT_CHAT_MESSAGE);
      g_assert_cmpuint (e->recipients->len, ==, 2);
      g_assert_true (has_recipient (e, CAROL));
      g_assert_true (has_recipient (e, TINA));
      /* the author last: the peer's frame is written first */
      g_assert_cmpint (g_array_index (e->recipients, gint64, 1), ==, author->id);
      g_assert_null (strstr (e->customer, "tina@example.com"));

      e = last_event (f, HD_EVENT_NOTE_UPDATED);
      g_assert_true (has_recipient (e, CAROL));
      g_assert_true (has_recipient (e, TINA));
      /* v2: the members and the request's subscribers, not every staff
       * member who can see the request. */
      g_assert_cmpuint (e->recipients->len, ==, 2);
      g_assert_false (has_recipient (e, THEO));
      g_assert_false (has_recipient (e, ADMIN));
      g_assert_false (has_recipient (e, CHRIS));
      g_assert_cmpint (e->request_id, ==, PRINTER);
      ev = parse (e->staff);
      ev_data = json_object_get_object_member (json_node_get_object (ev), "data");
      g_assert_false (json_object_has_member (ev_data, "body"));
      g_string_append (copy, json_object_get_string_member (ev_data, "appended"));
      length = json_object_get_int_member (ev_data, "length");
      g_assert_cmpint (length, ==, g_utf8_strlen (copy->str, -1));
      g_assert_nonnull (strstr (json_object_get_string_member (ev_data, "appended"), texts[i]));
    }

  /* The same client_id: the first message again, no event, no copy. */
  {
    gboolean created = TRUE;
    guint n_events = f->events->len;
    g_autofree char *again = svc_post_message (f->service, f->users[CAROL], id, "other", "c0",
                                                           &created, &error);
    g_autofree char *all = svc_list_messages (f->service, f->users[CAROL], id, 0, 1000, &error);
    g_autoptr(JsonNode) n = parse (all);

    g_assert_false (created);
    g_assert_nonnull (strstr (again, "\"seq\":1"));
    g_assert_cmpuint (f->events->len, ==, n_events);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (n), "messages")), ==, 4);
  }

  /* The note's body is the transcript, derived, equal to what clients
   * assembled from the events. */
  {
    g_autofree char *notes = svc_list_notes (f->service, f->users[CAROL], PRINTER, &error);
    g_autoptr(JsonNode) n = parse (notes);
    JsonArray *list = json_object_get_array_member (json_node_get_object (n), "notes");
    JsonObject *note;

    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    note = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (note, "kind"), ==, "chat_transcript");
    g_assert_cmpstr (json_object_get_string_member (note, "body"), ==, copy->str);
    g_assert_cmpint (json_object_get_int_member (note, "chat_id"), ==, id);
  }

  /* Bad bodies change nothing. */
  {
    g_autofree char *long_body = g_strnfill (HD_MAX_MESSAGE_CHARS + 1, 'x');
    gboolean created;

    ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], id, "", "e1", &created, &_e), HD_ERROR_BAD_REQUEST);
    ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], id, " \n\t", "e2", &created, &_e), HD_ERROR_BAD_REQUEST);
    ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], id, long_body, "e3", &created, &_e), HD_ERROR_BAD_REQUEST);
  }

  /* Typing goes to the other member only. */
  g_assert_true (hd_chat_service_typing (f->service, f->users[CAROL], id, &error));
  e = last_event (f, HD_EVENT_CHAT_TYPING);
  g_assert_cmpuint (e->recipients->len, ==, 1);
  g_assert_true (has_recipient (e, TINA));
}

static void
test_end_and_withdraw (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ended = NULL;
  g_autofree char *withdrawn = NULL;
  gint64 id = active_chat (f);
  gint64 second;
  gboolean created;
  Event *e;

  ended = svc_end_chat (f->service, f->users[TINA], id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (ended, "\"state\":\"ended\""));
  e = last_event (f, HD_EVENT_CHAT_ENDED);
  g_assert_true (has_recipient (e, CAROL));
  g_assert_true (has_recipient (e, TINA));
  ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], id, "late", "l1", &created, &_e), HD_ERROR_CHAT_ENDED);
  ASSERT_FAILS (svc_end_chat (f->service, f->users[CAROL], id, &_e), HD_ERROR_CHAT_ENDED);
  /* The transcript note stays for the customer. */
  {
    g_autofree char *notes = svc_list_notes (f->service, f->users[CAROL], PRINTER, &error);
    g_assert_nonnull (strstr (notes, "chat_transcript"));
  }

  /* A customer withdraws a waiting chat; the offer is taken back. */
  second = start_chat (f, PRINTER, 0);
  ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], second, "early", "w1", &created, &_e), HD_ERROR_CONFLICT);
  g_ptr_array_set_size (f->events, 0);
  withdrawn = svc_end_chat (f->service, f->users[CAROL], second, &error);
  g_assert_no_error (error);
  g_assert_nonnull (withdrawn);
  e = last_event (f, HD_EVENT_CHAT_TAKEN);
  g_assert_nonnull (e);
  g_assert_true (has_recipient (e, TINA));
  ASSERT_FAILS (svc_accept_chat (f->service, f->users[TINA], second, &_e), HD_ERROR_ALREADY_TAKEN);

  /* A technician offered a waiting chat may not end it for the customer. */
  {
    gint64 third = start_chat (f, PRINTER, 0);
    ASSERT_FAILS (svc_end_chat (f->service, f->users[TINA], third, &_e), HD_ERROR_NOT_FOUND);
  }

  /* Members list their chats, newest first, by state. */
  {
    g_autofree char *mine = svc_list_chats (f->service, f->users[CAROL], HD_CHAT_STATE_ENDED, &error);
    g_autoptr(JsonNode) n = parse (mine);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (n), "chats")), ==, 2);
  }
}

static void
test_batch_holds_events (Fixture       *f,
                         gconstpointer  data)
{
  gint64 id = active_chat (f);
  g_autoptr(GError) error = NULL;
  guint before;
  gboolean created;

  g_ptr_array_set_size (f->events, 0);
  writer_calls = 0;
  hd_chat_service_batch_begin (f->service);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *cid = g_strdup_printf ("b%d", i);
      g_autofree char *m = svc_post_message (f->service, f->users[CAROL], id, "burst", cid,
                                                         &created, &error);
      g_assert_no_error (error);
    }
  /* A late message to an ended chat does not spoil the batch. */
  ASSERT_FAILS (svc_post_message (f->service, f->users[CAROL], 999, "x", "y", &created, &_e), HD_ERROR_NOT_FOUND);
  /* Nothing goes out before the commit. */
  g_assert_cmpuint (f->events->len, ==, 0);
  before = f->events->len;
  g_assert_true (hd_chat_service_batch_end (f->service));
  g_assert_cmpuint (f->events->len, ==, before + 6);    /* 3 × (chat.message + note.updated) */
  /* Written once each, when emitted (not once per socket, not again at
   * the commit).  Carol's own message reads the same for staff and for
   * her: one text serves both. */
  g_assert_cmpuint (writer_calls, ==, 6);
  {
    Event *e = last_event (f, HD_EVENT_CHAT_MESSAGE);

    g_assert_nonnull (strstr (e->staff, "\"login\":\"carol\""));
    g_assert_cmpstr (e->customer, ==, e->staff);
  }
  {
    g_autofree char *all = svc_list_messages (f->service, f->users[TINA], id, 0, 1000, &error);
    g_assert_nonnull (strstr (all, "\"seq\":3"));
  }
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
login (Fixture     *f,
       const char  *name,
       const char  *password,
       GError     **error)
{
  GAsyncResult *result = NULL;
  char *out;

  hd_chat_service_login_async (f->service, name, password, NULL, login_cb, &result);
  {
    g_autoptr(HdLogin) l = hd_chat_service_login_finish (f->service, wait_result (&result), error);

    out = l ? hd_answer_login (f->service, l) : NULL;
  }
  g_object_unref (result);
  return out;
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ok = login (f, "carol", "demo", &error);
  g_autoptr(JsonNode) n = NULL;
  g_autoptr(HdUserRecord) who = NULL;
  const char *token;

  g_assert_no_error (error);
  n = parse (ok);
  token = json_object_get_string_member (json_node_get_object (n), "token");
  g_assert_cmpuint (strlen (token), ==, 64);
  who = hd_chat_service_authenticate (f->service, token, &error);
  g_assert_no_error (error);
  g_assert_cmpint (who->id, ==, CAROL);

  /* Ten failures in a minute, then 429 even with the right password. */
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *bad = login (f, "chris", "wrong", &error);
      g_assert_null (bad);
      g_assert_error (error, HD_ERROR, HD_ERROR_UNAUTHORIZED);
      g_clear_error (&error);
    }
  {
    g_autofree char *refused = login (f, "chris", "demo", &error);
    g_assert_null (refused);
    g_assert_error (error, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS);
    g_clear_error (&error);
  }
  /* Other logins are not affected; unknown logins fail plainly. */
  {
    g_autofree char *other = login (f, "tina", "demo", &error);
    g_assert_no_error (error);
  }
  {
    g_autofree char *nobody = login (f, "nobody", "demo", &error);
    g_assert_error (error, HD_ERROR, HD_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
  }

  /* Logout ends that token. */
  g_assert_true (hd_chat_service_logout (f->service, token, &error));
  g_clear_pointer (&who, hd_user_record_free);
  who = hd_chat_service_authenticate (f->service, token, &error);
  g_assert_null (who);
  g_assert_error (error, HD_ERROR, HD_ERROR_UNAUTHORIZED);
}

static void
test_admin_calls (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autofree char *user = NULL;
  g_autofree char *teams = NULL;
  g_autofree char *team = NULL;
  g_autofree char *req = NULL;
  g_autofree char *patched = NULL;
  gint64 members[] = { THEO };

  hd_chat_service_create_user_async (f->service, f->users[ADMIN], "newbie", "New Bie", "new@example.com",
                                     HD_ROLE_TECHNICIAN, "long enough", 1, NULL, store_result, &result);
  user = svc_create_user_finish (f->service, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (user, "\"login\":\"newbie\""));
  g_clear_object (&result);

  hd_chat_service_create_user_async (f->service, f->users[ADMIN], "newbie", "Again", "a@example.com",
                                     HD_ROLE_CUSTOMER, "long enough", 0, NULL, store_result, &result);
  g_assert_null (svc_create_user_finish (f->service, wait_result (&result), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);
  g_clear_error (&error);
  g_clear_object (&result);

  hd_chat_service_create_user_async (f->service, f->users[ADMIN], "shorty", "S", "s@example.com",
                                     HD_ROLE_CUSTOMER, "short", 0, NULL, store_result, &result);
  g_assert_null (svc_create_user_finish (f->service, wait_result (&result), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&result);

  hd_chat_service_create_user_async (f->service, U (f, TINA), "x", "X", "x@example.com",
                                     HD_ROLE_CUSTOMER, "long enough", 0, NULL, store_result, &result);
  g_assert_null (svc_create_user_finish (f->service, wait_result (&result), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_clear_object (&result);

  teams = svc_list_teams (f->service, f->users[TINA], &error);
  g_assert_nonnull (strstr (teams, "newbie"));
  ASSERT_FAILS (svc_list_teams (f->service, f->users[CAROL], &_e), HD_ERROR_FORBIDDEN);
  ASSERT_FAILS (svc_list_users (f->service, f->users[CAROL], -1, &_e), HD_ERROR_FORBIDDEN);
  ASSERT_FAILS (svc_create_team (f->service, f->users[TINA], "T", members, 1, &_e), HD_ERROR_FORBIDDEN);
  team = svc_create_team (f->service, f->users[ADMIN], "Network", members, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (team, "Theo Tech"));

  /* Requests: a customer's own; staff name the customer. */
  ASSERT_FAILS (svc_create_request (f->service, f->users[CAROL], "  ", NULL, 0, 0, 0, &_e), HD_ERROR_BAD_REQUEST);
  ASSERT_FAILS (svc_create_request (f->service, f->users[TINA], "X", NULL, TINA, 0, 0, &_e), HD_ERROR_BAD_REQUEST);
  req = svc_create_request (f->service, f->users[CAROL], "Mouse broken", NULL, 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (req, "\"status\":\"open\""));
  g_assert_nonnull (strstr (req, "\"assignee\":null"));
  ASSERT_FAILS (svc_update_request (f->service, f->users[CAROL], id_of (req), 1, -1, -1, &_e), HD_ERROR_FORBIDDEN);
  ASSERT_FAILS (svc_update_request (f->service, f->users[TINA], id_of (req), 1, -1, -1, &_e), HD_ERROR_NOT_FOUND);
  patched = svc_update_request (f->service, f->users[ADMIN], id_of (req), -1, TINA, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (patched, "\"name\":\"Service Desk\""));
  g_clear_pointer (&patched, g_free);
  patched = svc_update_request (f->service, f->users[TINA], id_of (req), 1, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (patched, "\"status\":\"closed\""));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (hd_auth_init (&error));
  make_template ();

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/chat-service/seed", test_seed);
  ADD ("/chat-service/availability", test_availability);
  ADD ("/chat-service/start-rules", test_start_rules);
  ADD ("/chat-service/chat-options", test_chat_options);
  ADD ("/chat-service/team-queue-and-race", test_team_queue_and_race);
  ADD ("/chat-service/members-only", test_members_only);
  ADD ("/chat-service/email-rules", test_email_rules);
  ADD ("/chat-service/messages-and-transcript", test_messages_and_transcript);
  ADD ("/chat-service/end-and-withdraw", test_end_and_withdraw);
  ADD ("/chat-service/batch-holds-events", test_batch_holds_events);
  ADD ("/chat-service/login", test_login);
  ADD ("/chat-service/admin-calls", test_admin_calls);

  {
    int ret = g_test_run ();
    g_autofree char *dir = g_path_get_dirname (template_path);

    g_unlink (template_path);
    g_rmdir (dir);
    g_free (template_path);
    return ret;
  }
}
