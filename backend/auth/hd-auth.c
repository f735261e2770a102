/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-auth"

#include "hd-auth.h"
#include "hd-error.h"

#include <sodium.h>
#include <string.h>

/* OPSLIMIT/MEMLIMIT_INTERACTIVE (2 passes, 64 MiB) is libsodium's advice for
 * interactive logins.  MODERATE (256 MiB, ~0.7 s) would let a handful of
 * concurrent logins exhaust a small server's memory and its two cores, which
 * is an easier attack than the offline cracking it defends against. */
#define HD_PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define HD_PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

#define TOKEN_BYTES 32

gboolean
hd_auth_init (GError **error)
{
  /* sodium_init () returns 1 when it already ran, which is fine. */
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_INTERNAL,
                           "libsodium could not be initialised");
      return FALSE;
    }
  return TRUE;
}

/* Secrets handed to a worker thread are wiped when the task is done with
 * them, so a password does not linger in freed heap memory. */
typedef struct {
  char            *hash;
  char            *password;
  GTaskThreadFunc  func;
} AuthData;

static void
wipe_string (char *s)
{
  if (s != NULL)
    {
      sodium_memzero (s, strlen (s));
      g_free (s);
    }
}

static void
auth_data_free (gpointer data)
{
  AuthData *d = data;

  g_free (d->hash);
  wipe_string (d->password);
  g_free (d);
}

/* Argon2id with MEMLIMIT_INTERACTIVE takes 64 MiB while it runs.  GTask's
 * shared pool would run as many at once as there are logins (200 wrong
 * passwords at once: 676 MiB), so hashing has a pool of its own, and a
 * bounded queue in front of it. */
#define HD_AUTH_MAX_HASHING 2
#define HD_AUTH_MAX_QUEUED  256

static void
hash_pool_run (gpointer data,
               gpointer user_data)
{
  GTask *task = data;
  AuthData *d = g_task_get_task_data (task);

  d->func (task, g_task_get_source_object (task), d, g_task_get_cancellable (task));
  g_object_unref (task);
}

static GThreadPool *
hash_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *p = g_thread_pool_new (hash_pool_run, NULL, HD_AUTH_MAX_HASHING, FALSE, NULL);

      g_once_init_leave (&pool, p);
    }
  return pool;
}

/* Takes @task; it completes with HD_ERROR_TOO_MANY_REQUESTS when the queue
 * is full. */
static void
run_hashing (GTask           *task,
             GTaskThreadFunc  func)
{
  AuthData *d = g_task_get_task_data (task);
  GThreadPool *pool = hash_pool ();

  if (g_thread_pool_unprocessed (pool) >= HD_AUTH_MAX_QUEUED)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS,
                               "The server is busy checking passwords; try again shortly");
      g_object_unref (task);
      return;
    }
  d->func = func;
  g_thread_pool_push (pool, task, NULL);
}

guint
hd_auth_get_max_hashing (void)
{
  return HD_AUTH_MAX_HASHING;
}

char *
hd_auth_hash_password_sync (const char  *password,
                            GError     **error)
{
  char out[crypto_pwhash_STRBYTES];
  size_t len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (password == NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "A password is required");
      return NULL;
    }

  len = strlen (password);
  if (len > crypto_pwhash_PASSWD_MAX)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "The password is too long");
      return NULL;
    }

  if (!hd_auth_init (error))
    return NULL;

  if (crypto_pwhash_str (out, password, len,
                         HD_PWHASH_OPSLIMIT, HD_PWHASH_MEMLIMIT) != 0)
    {
      /* The only documented failure is running out of memory. */
      g_set_error_literal (error, HD_ERROR, HD_ERROR_INTERNAL,
                           "Not enough memory to hash the password");
      return NULL;
    }

  return g_strdup (out);
}

static void
hash_password_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  AuthData *d = task_data;
  GError *error = NULL;
  char *hash;

  if (g_task_return_error_if_cancelled (task))
    return;

  hash = hd_auth_hash_password_sync (d->password, &error);
  if (hash == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hash, g_free);
}

void
hd_auth_hash_password_async (const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AuthData *d;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_auth_hash_password_async);

  d = g_new0 (AuthData, 1);
  d->password = g_strdup (password);
  g_task_set_task_data (task, d, auth_data_free);

  run_hashing (g_steal_pointer (&task), hash_password_thread);
}

char *
hd_auth_hash_password_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hd_auth_hash_password_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
hd_auth_verify_password_sync (const char *hash,
                              const char *password)
{
  g_autofree char *copy = NULL;
  gsize hash_len;

  if (hash == NULL || password == NULL)
    return FALSE;

  if (sodium_init () < 0)
    return FALSE;

  /* crypto_pwhash_str_verify wants a NUL-terminated string of at most
   * crypto_pwhash_STRBYTES bytes; anything longer is not one of ours. */
  hash_len = strlen (hash);
  if (hash_len == 0 || hash_len >= crypto_pwhash_STRBYTES)
    return FALSE;

  copy = g_strndup (hash, hash_len);
  return crypto_pwhash_str_verify (copy, password, strlen (password)) == 0;
}

static void
verify_password_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  AuthData *d = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_boolean (task,
                         hd_auth_verify_password_sync (d->hash, d->password));
}

void
hd_auth_verify_password_async (const char          *hash,
                               const char          *password,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AuthData *d;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_auth_verify_password_async);

  d = g_new0 (AuthData, 1);
  d->hash = g_strdup (hash);
  d->password = g_strdup (password);
  g_task_set_task_data (task, d, auth_data_free);

  run_hashing (g_steal_pointer (&task), verify_password_thread);
}

gboolean
hd_auth_verify_password_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hd_auth_verify_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
hd_auth_new_token (void)
{
  guint8 raw[TOKEN_BYTES];
  char hex[TOKEN_BYTES * 2 + 1];

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised; no safe random source");

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
  sodium_memzero (raw, sizeof raw);

  return g_strdup (hex);
}

char *
hd_auth_hash_token (const char *token)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  g_return_val_if_fail (token != NULL, NULL);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");

  crypto_hash_sha256 (digest, (const guint8 *) token, strlen (token));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);

  return g_strdup (hex);
}

/* The throttle.  Each login keeps the times of its most recent failures
 * (never more than max_failures of them: older ones cannot matter) and the
 * number of checks under way.  A check reserves its place before the
 * password is hashed, so concurrent attempts cannot all pass "allow" while
 * the first ones are still hashing (60 at once used to get 34 real checks
 * instead of 10).  Logins with no failure in the window and nothing under
 * way are dropped, so guessing many names does not grow the table without
 * bound for longer than one window. */

typedef struct {
  GQueue times;     /* gint64 *, oldest first */
  guint  pending;   /* reserved, not yet settled */
  GQueue shared;    /* gint64 *: the shared places of those (any order) */
} Entry;

struct _HdLoginThrottle {
  GMutex      mutex;
  guint       max_failures;
  gint64      window_usec;
  GHashTable *entries;    /* login → Entry */
  gint64      last_sweep;
  /* Several servers: told of every failure and reset made here. */
  HdLoginThrottleMirror mirror;
  gpointer    mirror_data;
  /* Several servers: one count for all (hd_login_throttle_set_shared). */
  const HdLoginThrottleShared *shared;
  gpointer    shared_data;
};

/* A sweep of the whole table at most this often. */
#define SWEEP_INTERVAL_USEC (10 * G_USEC_PER_SEC)

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_queue_clear_full (&e->times, g_free);
  g_queue_clear_full (&e->shared, g_free);
  g_free (e);
}

HdLoginThrottle *
hd_login_throttle_new (guint  max_failures,
                       gint64 window_usec)
{
  HdLoginThrottle *self;

  g_return_val_if_fail (window_usec >= 0, NULL);

  self = g_new0 (HdLoginThrottle, 1);
  g_mutex_init (&self->mutex);
  self->max_failures = max_failures;
  self->window_usec = window_usec;
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  self->last_sweep = G_MININT64;

  return self;
}

void
hd_login_throttle_free (HdLoginThrottle *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->entries);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Drops failures at or before now - window.  A failure at exactly
 * now - window has left the window. */
static void
prune (HdLoginThrottle *self,
       Entry           *e,
       gint64           now_usec)
{
  while (!g_queue_is_empty (&e->times))
    {
      gint64 *t = g_queue_peek_head (&e->times);

      if (now_usec - *t < self->window_usec)
        break;
      g_free (g_queue_pop_head (&e->times));
    }
}

static gboolean
entry_unused (Entry *e)
{
  return g_queue_is_empty (&e->times) && e->pending == 0 && g_queue_is_empty (&e->shared);
}

static gboolean
sweep_one (gpointer key,
           gpointer value,
           gpointer user_data)
{
  struct { HdLoginThrottle *self; gint64 now; } *ctx = user_data;

  prune (ctx->self, value, ctx->now);
  return entry_unused (value);
}

static void
maybe_sweep (HdLoginThrottle *self,
             gint64           now_usec)
{
  struct { HdLoginThrottle *self; gint64 now; } ctx = { self, now_usec };

  if (self->last_sweep != G_MININT64 &&
      now_usec - self->last_sweep < SWEEP_INTERVAL_USEC &&
      now_usec >= self->last_sweep)
    return;

  self->last_sweep = now_usec;
  g_hash_table_foreach_remove (self->entries, sweep_one, &ctx);
}

static Entry *
lookup (HdLoginThrottle *self,
        const char      *login,
        gboolean         create)
{
  Entry *e = g_hash_table_lookup (self->entries, login);

  if (e == NULL && create)
    {
      e = g_new0 (Entry, 1);
      g_queue_init (&e->times);
      g_queue_init (&e->shared);
      g_hash_table_insert (self->entries, g_strdup (login), e);
    }
  return e;
}

/* Failures in the window plus checks under way, under the lock. */
static gboolean
allowed_locked (HdLoginThrottle *self,
                const char      *login,
                gint64           now_usec)
{
  Entry *e = lookup (self, login, FALSE);

  if (e == NULL)
    return self->max_failures > 0;
  prune (self, e, now_usec);
  if (entry_unused (e))
    {
      g_hash_table_remove (self->entries, login);
      return self->max_failures > 0;
    }
  return g_queue_get_length (&e->times) + e->pending < self->max_failures;
}

gboolean
hd_login_throttle_allow (HdLoginThrottle *self,
                         const char      *login,
                         gint64           now_usec)
{
  gboolean allowed;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  allowed = allowed_locked (self, login ? login : "", now_usec);
  g_mutex_unlock (&self->mutex);

  return allowed;
}

gboolean
hd_login_throttle_reserve (HdLoginThrottle *self,
                           const char      *login,
                           gint64           now_usec)
{
  gboolean allowed;

  g_return_val_if_fail (self != NULL, FALSE);

  if (login == NULL)
    login = "";
  g_mutex_lock (&self->mutex);
  maybe_sweep (self, now_usec);
  allowed = allowed_locked (self, login, now_usec);
  if (self->shared != NULL)
    {
      const HdLoginThrottleShared *shared = self->shared;
      gpointer data = self->shared_data;
      gint64 id;

      /* The shared count decides when it can; this one otherwise. */
      g_mutex_unlock (&self->mutex);
      id = shared->reserve (login, self->max_failures, self->window_usec, data);
      g_mutex_lock (&self->mutex);
      if (id >= 0)
        allowed = id > 0;
      if (id > 0)
        g_queue_push_tail (&lookup (self, login, TRUE)->shared, g_memdup2 (&id, sizeof id));
    }
  if (allowed)
    lookup (self, login, TRUE)->pending++;
  g_mutex_unlock (&self->mutex);

  return allowed;
}

static void
record_failure_locked (HdLoginThrottle *self,
                       Entry           *e,
                       gint64           now_usec)
{
  gint64 *t;

  prune (self, e, now_usec);
  t = g_new (gint64, 1);
  *t = now_usec;
  g_queue_push_tail (&e->times, t);
  /* Only the newest max_failures matter for "allow". */
  while (g_queue_get_length (&e->times) > MAX (self->max_failures, 1))
    g_free (g_queue_pop_head (&e->times));
}

void
hd_login_throttle_settle (HdLoginThrottle *self,
                          const char      *login,
                          HdLoginOutcome   outcome,
                          gint64           now_usec)
{
  Entry *e;
  gint64 *shared_id;
  const HdLoginThrottleShared *shared;
  gpointer shared_data;

  g_return_if_fail (self != NULL);

  if (login == NULL)
    login = "";
  g_mutex_lock (&self->mutex);
  e = lookup (self, login, TRUE);
  if (e->pending > 0)
    e->pending--;
  shared_id = g_queue_pop_head (&e->shared);
  shared = self->shared;
  shared_data = self->shared_data;
  if (outcome == HD_LOGIN_FAILED)
    record_failure_locked (self, e, now_usec);
  else if (outcome == HD_LOGIN_SUCCEEDED)
    g_queue_clear_full (&e->times, g_free);
  if (entry_unused (e))
    g_hash_table_remove (self->entries, login);
  g_mutex_unlock (&self->mutex);
  if (shared_id != NULL && shared != NULL)
    shared->settle (*shared_id, login, outcome, shared_data);
  g_free (shared_id);
  /* Other servers hear of failures and resets, not of places. */
  if (self->mirror != NULL && outcome != HD_LOGIN_NOT_CHECKED)
    self->mirror (login, outcome == HD_LOGIN_FAILED, self->mirror_data);
}

void
hd_login_throttle_record_failure (HdLoginThrottle *self,
                                  const char      *login,
                                  gint64           now_usec)
{
  g_return_if_fail (self != NULL);

  if (login == NULL)
    login = "";
  g_mutex_lock (&self->mutex);
  maybe_sweep (self, now_usec);
  record_failure_locked (self, lookup (self, login, TRUE), now_usec);
  g_mutex_unlock (&self->mutex);
  if (self->mirror != NULL)
    self->mirror (login, TRUE, self->mirror_data);
}

void
hd_login_throttle_reset (HdLoginThrottle *self,
                         const char      *login)
{
  Entry *e;

  g_return_if_fail (self != NULL);

  if (login == NULL)
    login = "";
  g_mutex_lock (&self->mutex);
  e = lookup (self, login, FALSE);
  if (e != NULL)
    {
      g_queue_clear_full (&e->times, g_free);
      if (entry_unused (e))
        g_hash_table_remove (self->entries, login);
    }
  g_mutex_unlock (&self->mutex);
  if (self->mirror != NULL)
    self->mirror (login, FALSE, self->mirror_data);
}

void
hd_login_throttle_set_shared (HdLoginThrottle             *self,
                              const HdLoginThrottleShared *shared,
                              gpointer                     user_data)
{
  g_mutex_lock (&self->mutex);
  self->shared = shared;
  self->shared_data = user_data;
  g_mutex_unlock (&self->mutex);
}

void
hd_login_throttle_set_mirror (HdLoginThrottle       *self,
                              HdLoginThrottleMirror  mirror,
                              gpointer               user_data)
{
  self->mirror = mirror;
  self->mirror_data = user_data;
}

/* Another server's failure or reset: applied here without telling the
 * mirror again. */
void
hd_login_throttle_apply_remote (HdLoginThrottle *self,
                                const char      *login,
                                gboolean         failed,
                                gint64           now_usec)
{
  HdLoginThrottleMirror mirror;

  g_mutex_lock (&self->mutex);
  mirror = self->mirror;
  self->mirror = NULL;
  g_mutex_unlock (&self->mutex);
  /* Main thread only (the mirror is set and used there), so nothing else
   * records between these lines. */
  if (failed)
    hd_login_throttle_record_failure (self, login, now_usec);
  else
    hd_login_throttle_reset (self, login);
  self->mirror = mirror;
}
