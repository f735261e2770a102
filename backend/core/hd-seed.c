/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --seed-demo: the demo helpdesk (five people, a team, three requests),
 * written once into an empty database (of several servers starting
 * together on one PostgreSQL database, one seeds: the store's
 * count_users takes a lock). */
#define G_LOG_DOMAIN "hd-chat-service"

#include "hd-chat-service.h"
#include "hd-auth.h"
#include "hd-store.h"

gboolean
hd_chat_service_seed_demo (HdChatService  *self,
                           GError        **error)
{
  static const struct {
    const char *login, *name, *email;
    HdRole role;
  } users[] = {
    { "admin", "Ada Admin", "admin@example.com", HD_ROLE_ADMIN },
    { "tina", "Tina Tech", "tina@example.com", HD_ROLE_TECHNICIAN },
    { "theo", "Theo Tech", "theo@example.com", HD_ROLE_TECHNICIAN },
    { "carol", "Carol Customer", "carol@example.com", HD_ROLE_CUSTOMER },
    { "chris", "Chris Customer", "chris@example.com", HD_ROLE_CUSTOMER },
  };
  gint64 ids[G_N_ELEMENTS (users)];
  g_autofree char *hash = NULL;
  g_autoptr(HdTeamRecord) team = NULL;
  HdPrivileges p = { TRUE, FALSE };
  gint64 now = g_get_real_time ();
  gboolean ok = TRUE;
  HdStore *store = hd_chat_service_get_store (self);

  if (hd_store_count_users (store) != 0)
    return TRUE;

  /* Every demo password is "demo"; one hash serves them all. */
  hash = hd_auth_hash_password_sync ("demo", error);
  if (hash == NULL)
    return FALSE;

  if (!hd_store_begin (store, error))
    return FALSE;

  for (guint i = 0; ok && i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr(HdUserRecord) u = hd_store_user_create (store, users[i].login, users[i].name,
                                                  users[i].email, users[i].role, hash, error);
      ok = u != NULL;
      ids[i] = u ? u->id : 0;
    }
  if (ok)
    {
      team = hd_store_team_create (store, "Service Desk", ids, 3, error);
      ok = team != NULL;
    }
  if (ok)
    {
      g_autoptr(HdRequestRecord) r1 = hd_store_request_create (store, "Printer offline",
        "The printer on the second floor shows “offline” since this morning.",
        ids[3], ids[1], team->id, FALSE, now, error);
      g_autoptr(HdRequestRecord) r2 = r1 ? hd_store_request_create (store, "VPN drops every hour",
        "The VPN connection drops about once an hour and has to be restarted.",
        ids[4], ids[2], team->id, FALSE, now, error) : NULL;
      g_autoptr(HdRequestRecord) r3 = r2 ? hd_store_request_create (store, "New laptop",
        "Please set up the new laptop.",
        ids[3], ids[1], 0, TRUE, now, error) : NULL;
      ok = r3 != NULL;
    }
  /* The rest (limits, timeouts) keep the schema's defaults. */
  ok = ok && hd_store_privileges_get (store, &p, error);
  p.chat_enabled = TRUE;
  p.customer_chat_with_team = FALSE;
  ok = ok && hd_store_privileges_set (store, &p, error);

  if (!ok)
    {
      hd_store_rollback (store);
      return FALSE;
    }
  return hd_store_commit (store, error);
}
