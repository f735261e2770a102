/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Password hashing (argon2id through libsodium's crypto_pwhash_str), random
 * session tokens and the login throttle of the contract.  Hashing and
 * verifying take tens of milliseconds, so the async variants run on a
 * pool of hd_auth_get_max_hashing () threads (argon2id holds 64 MiB while it
 * runs) with a bounded queue: when it is full they complete with
 * HD_ERROR_TOO_MANY_REQUESTS. */

gboolean  hd_auth_init                      (GError             **error);

char     *hd_auth_hash_password_sync        (const char          *password,
                                             GError             **error);
void      hd_auth_hash_password_async       (const char          *password,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char     *hd_auth_hash_password_finish      (GAsyncResult        *result,
                                             GError             **error);

gboolean  hd_auth_verify_password_sync      (const char          *hash,
                                             const char          *password);
/* Completes with TRUE when @password matches @hash, FALSE (and no error)
 * when it does not. */
void      hd_auth_verify_password_async     (const char          *hash,
                                             const char          *password,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  hd_auth_verify_password_finish    (GAsyncResult        *result,
                                             GError             **error);

/* Password hashes computed at once at most (each takes 64 MiB). */
guint     hd_auth_get_max_hashing           (void);

/* A new 256-bit random token, as 64 lowercase hex characters. */
char     *hd_auth_new_token                 (void);
/* What the store keeps instead of the token: SHA-256 as 64 hex characters. */
char     *hd_auth_hash_token                (const char          *token);

/* The login throttle: at most @max_failures failed logins for one login name
 * within @window_usec; then refused until the oldest failure leaves the
 * window.  Times are monotonic microseconds (g_get_monotonic_time ()). */
typedef struct _HdLoginThrottle HdLoginThrottle;

HdLoginThrottle *hd_login_throttle_new            (guint            max_failures,
                                                   gint64           window_usec);
void             hd_login_throttle_free           (HdLoginThrottle *self);
/* TRUE when another attempt for @login is allowed now. */
gboolean         hd_login_throttle_allow          (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gint64           now_usec);
void             hd_login_throttle_record_failure (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gint64           now_usec);
void             hd_login_throttle_reset          (HdLoginThrottle *self,
                                                   const char      *login);

/* Several servers share one throttle (backend/bus/): @mirror hears of each
 * failure (@failed TRUE) and reset recorded here; apply_remote () records
 * another server's without calling @mirror.  Main thread only. */
typedef void (*HdLoginThrottleMirror) (const char *login,
                                       gboolean    failed,
                                       gpointer    user_data);
void             hd_login_throttle_set_mirror     (HdLoginThrottle       *self,
                                                   HdLoginThrottleMirror  mirror,
                                                   gpointer               user_data);
void             hd_login_throttle_apply_remote   (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gboolean         failed,
                                                   gint64           now_usec);

/* Concurrent checks: reserve a place before the password is checked (FALSE:
 * refused, as allow), then settle it with the outcome.  Failures plus
 * checks under way never pass max_failures. */
typedef enum {
  HD_LOGIN_SUCCEEDED,
  HD_LOGIN_FAILED,
  HD_LOGIN_NOT_CHECKED,   /* gives the place back, counts nothing */
} HdLoginOutcome;

gboolean         hd_login_throttle_reserve        (HdLoginThrottle *self,
                                                   const char      *login,
                                                   gint64           now_usec);
void             hd_login_throttle_settle         (HdLoginThrottle *self,
                                                   const char      *login,
                                                   HdLoginOutcome   outcome,
                                                   gint64           now_usec);

/* Several servers count in one place (backend/bus/: the database):
 * @reserve takes a place for @login when failures plus checks under way
 * stay below @max_failures within @window_usec, atomically for every
 * server, and returns its id (> 0), 0 when refused, or -1 when it cannot
 * tell (then this throttle decides alone); @settle ends that place with the
 * outcome.  Called from the thread that calls reserve/settle, without the
 * throttle's lock. */
typedef struct {
  gint64 (*reserve) (const char     *login,
                     guint           max_failures,
                     gint64          window_usec,
                     gpointer        user_data);
  void   (*settle)  (gint64          id,
                     const char     *login,
                     HdLoginOutcome  outcome,
                     gpointer        user_data);
} HdLoginThrottleShared;

void             hd_login_throttle_set_shared     (HdLoginThrottle             *self,
                                                   const HdLoginThrottleShared *shared,
                                                   gpointer                     user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdLoginThrottle, hd_login_throttle_free)

/* The same window counter for other limits (transcript mails per chat):
 * at most @max uses of one key within @window_usec.  Reserve before the
 * work (FALSE: over the limit), then commit (it counts) or release (it
 * failed: the place is given back). */
typedef HdLoginThrottle HdRateLimit;

#define hd_rate_limit_new(max, window_usec) hd_login_throttle_new ((max), (window_usec))
#define hd_rate_limit_free(self)            hd_login_throttle_free (self)
#define hd_rate_limit_reserve(self, key, now_usec) \
  hd_login_throttle_reserve ((self), (key), (now_usec))
#define hd_rate_limit_commit(self, key, now_usec) \
  hd_login_throttle_settle ((self), (key), HD_LOGIN_FAILED, (now_usec))
#define hd_rate_limit_release(self, key, now_usec) \
  hd_login_throttle_settle ((self), (key), HD_LOGIN_NOT_CHECKED, (now_usec))

G_END_DECLS
