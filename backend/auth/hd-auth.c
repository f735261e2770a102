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
  char *hash;
  char *password;
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

  g_task_run_in_thread (task, hash_password_thread);
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

  g_task_run_in_thread (task, verify_password_thread);
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
 * (never more than max_failures of them: older ones cannot matter).  Logins
 * whose failures all left the window are dropped, so guessing many names
 * does not grow the table without bound for longer than one window. */

struct _HdLoginThrottle {
  GMutex      mutex;
  guint       max_failures;
  gint64      window_usec;
  GHashTable *failures;   /* login → GQueue of gint64 times, oldest first */
  gint64      last_sweep;
  /* Several servers: told of every failure and reset made here. */
  HdLoginThrottleMirror mirror;
  gpointer    mirror_data;
};

/* A sweep of the whole table at most this often. */
#define SWEEP_INTERVAL_USEC (10 * G_USEC_PER_SEC)

static void
time_queue_free (gpointer data)
{
  GQueue *q = data;

  g_queue_free_full (q, g_free);
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
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal,
                                          g_free, time_queue_free);
  self->last_sweep = G_MININT64;

  return self;
}

void
hd_login_throttle_free (HdLoginThrottle *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->failures);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Drops failures at or before now - window.  A failure at exactly
 * now - window has left the window. */
static void
prune_queue (HdLoginThrottle *self,
             GQueue          *q,
             gint64           now_usec)
{
  while (!g_queue_is_empty (q))
    {
      gint64 *t = g_queue_peek_head (q);

      if (now_usec - *t < self->window_usec)
        break;
      g_free (g_queue_pop_head (q));
    }
}

static gboolean
sweep_one (gpointer key,
           gpointer value,
           gpointer user_data)
{
  struct { HdLoginThrottle *self; gint64 now; } *ctx = user_data;

  prune_queue (ctx->self, value, ctx->now);
  return g_queue_is_empty (value);
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
  g_hash_table_foreach_remove (self->failures, sweep_one, &ctx);
}

gboolean
hd_login_throttle_allow (HdLoginThrottle *self,
                         const char      *login,
                         gint64           now_usec)
{
  GQueue *q;
  gboolean allowed = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);

  if (login == NULL)
    login = "";

  g_mutex_lock (&self->mutex);

  q = g_hash_table_lookup (self->failures, login);
  if (q != NULL)
    {
      prune_queue (self, q, now_usec);
      allowed = g_queue_get_length (q) < self->max_failures;
      if (g_queue_is_empty (q))
        g_hash_table_remove (self->failures, login);
    }
  else
    allowed = self->max_failures > 0;

  g_mutex_unlock (&self->mutex);

  return allowed;
}

void
hd_login_throttle_record_failure (HdLoginThrottle *self,
                                  const char      *login,
                                  gint64           now_usec)
{
  GQueue *q;
  gint64 *t;

  g_return_if_fail (self != NULL);

  if (login == NULL)
    login = "";

  g_mutex_lock (&self->mutex);

  maybe_sweep (self, now_usec);

  q = g_hash_table_lookup (self->failures, login);
  if (q == NULL)
    {
      q = g_queue_new ();
      g_hash_table_insert (self->failures, g_strdup (login), q);
    }

  prune_queue (self, q, now_usec);

  t = g_new (gint64, 1);
  *t = now_usec;
  g_queue_push_tail (q, t);

  /* Only the newest max_failures matter for "allow". */
  while (g_queue_get_length (q) > MAX (self->max_failures, 1))
    g_free (g_queue_pop_head (q));

  g_mutex_unlock (&self->mutex);
  if (self->mirror != NULL)
    self->mirror (login, TRUE, self->mirror_data);
}

void
hd_login_throttle_reset (HdLoginThrottle *self,
                         const char      *login)
{
  g_return_if_fail (self != NULL);

  if (login == NULL)
    login = "";

  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->failures, login);
  g_mutex_unlock (&self->mutex);
  if (self->mirror != NULL)
    self->mirror (login, FALSE, self->mirror_data);
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
