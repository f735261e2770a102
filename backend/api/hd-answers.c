/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-answers"

#include "hd-answers.h"
#include "hd-json.h"

typedef void (*WriteItem) (GString          *out,
                           gconstpointer     item,
                           const HdWireView *view);

/* {"@key":[item,…] (without the closing brace): the @n items at @items +
 * i × @stride (@stride 0: @items is an array of pointers to them). */
static GString *
list_open (const char       *key,
           gconstpointer     items,
           guint             n,
           gsize             stride,
           WriteItem         write,
           const HdWireView *view)
{
  GString *out = g_string_sized_new (64 + 256 * n);

  g_string_append_c (out, '{');
  hd_json_append_string (out, key);
  g_string_append (out, ":[");
  for (guint i = 0; i < n; i++)
    {
      gconstpointer item = stride > 0 ? (gconstpointer) ((const char *) items + i * stride)
                                      : ((gconstpointer const *) items)[i];

      if (i > 0)
        g_string_append_c (out, ',');
      write (out, item, view);
    }
  g_string_append_c (out, ']');
  return out;
}

/* {"@key":[item,…]} */
static char *
list_text (const char       *key,
           gconstpointer     items,
           guint             n,
           gsize             stride,
           WriteItem         write,
           const HdWireView *view)
{
  GString *out = list_open (key, items, n, stride, write, view);

  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* One record that names nobody (no view needed). */
static char *
bare_text (WriteItem     write,
           gconstpointer record)
{
  GString *out = g_string_sized_new (256);

  write (out, record, NULL);
  return g_string_free (out, FALSE);
}

/* One record as @viewer sees it (@known: a user at hand). */
static char *
record_text (HdChatService      *service,
             const HdUserRecord *viewer,
             const HdUserRecord *known,
             WriteItem           write,
             gconstpointer       record)
{
  HdWireView view = hd_chat_service_view (service, viewer, known);
  GString *out = g_string_sized_new (256);

  write (out, record, &view);
  return g_string_free (out, FALSE);
}

/* {"@key":[…]} of @array (a GPtrArray, or with @stride a GArray) as
 * @viewer sees it. */
static char *
array_text (HdChatService      *service,
            const HdUserRecord *viewer,
            const char         *key,
            gconstpointer       items,
            guint               n,
            gsize               stride,
            WriteItem           write)
{
  HdWireView view = hd_chat_service_view (service, viewer, NULL);

  return list_text (key, items, n, stride, write, &view);
}

#define PTRS_TEXT(service, viewer, key, array, write) \
  array_text ((service), (viewer), (key), (array)->pdata, (array)->len, 0, (WriteItem) (write))

static void
write_team (GString            *out,
            const HdTeamRecord *team,
            const HdWireView   *view)
{
  hd_wire_write_team (out, team, team->member_ids, view);
}

static void
write_request (GString              *out,
               const HdRequestEntry *e,
               const HdWireView     *view)
{
  hd_wire_write_request (out, e->request, e->has_chat ? &e->chat : NULL,
                         e->has_options ? &e->options : NULL, view);
}

static void
write_note (GString            *out,
            const HdNoteRecord *note,
            const HdWireView   *view)
{
  hd_wire_write_note_for (out, note, note->body, view);
}

char *
hd_answer_user (HdChatService      *service,
                const HdUserRecord *user,
                const HdUserRecord *viewer)
{
  return record_text (service, viewer, NULL, (WriteItem) hd_wire_write_user, user);
}

char *
hd_answer_users (HdChatService      *service,
                 GPtrArray          *users,
                 const HdUserRecord *viewer)
{
  return PTRS_TEXT (service, viewer, "users", users, hd_wire_write_user);
}

static void
write_privileges (GString            *out,
                  const HdPrivileges *privileges,
                  const HdWireView   *view)
{
  hd_wire_write_privileges (out, privileges);
}

char *
hd_answer_privileges (const HdPrivileges *privileges)
{
  return bare_text ((WriteItem) write_privileges, privileges);
}

char *
hd_answer_team (HdChatService      *service,
                const HdTeamRecord *team,
                const HdUserRecord *viewer)
{
  return record_text (service, viewer, NULL, (WriteItem) write_team, team);
}

char *
hd_answer_teams (HdChatService      *service,
                 GPtrArray          *teams,
                 const HdUserRecord *viewer)
{
  return PTRS_TEXT (service, viewer, "teams", teams, write_team);
}

char *
hd_answer_request (HdChatService        *service,
                   const HdRequestEntry *entry,
                   const HdUserRecord   *viewer)
{
  return record_text (service, viewer, NULL, (WriteItem) write_request, entry);
}

char *
hd_answer_requests (HdChatService      *service,
                    GPtrArray          *entries,
                    const HdUserRecord *viewer)
{
  return PTRS_TEXT (service, viewer, "requests", entries, write_request);
}

char *
hd_answer_note (HdChatService      *service,
                const HdNoteRecord *note,
                const HdUserRecord *viewer)
{
  return record_text (service, viewer, NULL, (WriteItem) write_note, note);
}

char *
hd_answer_notes (HdChatService      *service,
                 GPtrArray          *notes,
                 const HdUserRecord *viewer)
{
  return PTRS_TEXT (service, viewer, "notes", notes, write_note);
}

char *
hd_answer_chat (HdChatService      *service,
                const HdChatRecord *chat,
                const HdUserRecord *viewer)
{
  return record_text (service, viewer, NULL, (WriteItem) hd_wire_write_chat, chat);
}

char *
hd_answer_chats (HdChatService      *service,
                 GArray             *chats,
                 const HdUserRecord *viewer)
{
  return array_text (service, viewer, "chats", chats->data, chats->len, sizeof (HdChatRecord),
                     (WriteItem) hd_wire_write_chat);
}

char *
hd_answer_message (HdChatService         *service,
                   const HdMessageRecord *message,
                   const HdUserRecord    *author,
                   const HdUserRecord    *viewer)
{
  return record_text (service, viewer, author, (WriteItem) hd_wire_write_message, message);
}

char *
hd_answer_messages (HdChatService      *service,
                    GPtrArray          *messages,
                    gboolean            more,
                    const HdUserRecord *viewer)
{
  HdWireView view = hd_chat_service_view (service, viewer, NULL);
  GString *out = list_open ("messages", messages->pdata, messages->len, 0,
                            (WriteItem) hd_wire_write_message, &view);

  g_string_append (out, more ? ",\"more\":true}" : ",\"more\":false}");
  return g_string_free (out, FALSE);
}

char *
hd_answer_login (HdChatService *service,
                 const HdLogin *login)
{
  HdWireView view = hd_chat_service_view (service, login->user, NULL);
  GString *out = g_string_new ("{\"token\":");

  hd_json_append_string (out, login->token);
  g_string_append (out, ",\"user\":");
  hd_wire_write_user (out, login->user, &view);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
write_canned (GString              *out,
              const HdCannedRecord *canned,
              const HdWireView     *view)
{
  hd_wire_write_canned (out, canned);
}

static void
write_search_hit (GString                 *out,
                  const HdSearchHitRecord *hit,
                  const HdWireView        *view)
{
  hd_wire_write_search_hit (out, hit);
}

char *
hd_answer_canned (const HdCannedRecord *canned)
{
  return bare_text ((WriteItem) write_canned, canned);
}

char *
hd_answer_canned_list (GPtrArray *canned)
{
  return list_text ("canned_responses", canned->pdata, canned->len, 0, (WriteItem) write_canned, NULL);
}

char *
hd_answer_search (GPtrArray *hits)
{
  return list_text ("results", hits->pdata, hits->len, 0, (WriteItem) write_search_hit, NULL);
}

char *
hd_answer_sent_to (const char *address)
{
  GString *out = g_string_new ("{\"sent_to\":");

  hd_json_append_string (out, address);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
