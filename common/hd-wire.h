/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The wire format of api-contract.md, once, for the server and the
 * clients: the enumerations and their strings, the contract's objects as
 * plain C records, and record <-> JSON.
 *
 * Each enumeration is declared once, as a list of (value, wire string)
 * pairs; the enum, its GType ("nick" = the wire string), _to_string () and
 * _from_string () are all generated from that list (hd-wire.c). */

/* ---- enumerations ----------------------------------------------------- */

#define HD_ROLE_VALUES(X) \
  X (HD_ROLE_CUSTOMER,   "customer")   \
  X (HD_ROLE_TECHNICIAN, "technician") \
  X (HD_ROLE_ADMIN,      "admin")

#define HD_CHAT_STATE_VALUES(X) \
  X (HD_CHAT_STATE_WAITING, "waiting") \
  X (HD_CHAT_STATE_ACTIVE,  "active")  \
  X (HD_CHAT_STATE_ENDED,   "ended")

#define HD_REQUEST_STATUS_VALUES(X) \
  X (HD_REQUEST_STATUS_OPEN,   "open") \
  X (HD_REQUEST_STATUS_CLOSED, "closed")

/* chat.target.kind */
#define HD_TARGET_KIND_VALUES(X) \
  X (HD_TARGET_TECHNICIAN, "technician") \
  X (HD_TARGET_TEAM,       "team")

#define HD_NOTE_KIND_VALUES(X) \
  X (HD_NOTE_KIND_NOTE,       "note")            \
  X (HD_NOTE_KIND_TRANSCRIPT, "chat_transcript") \
  X (HD_NOTE_KIND_EVENT,      "event")

/* chat.end_reason (v2); NONE is written as null. */
#define HD_END_REASON_VALUES(X) \
  X (HD_END_REASON_NONE,       "none")       \
  X (HD_END_REASON_CUSTOMER,   "customer")   \
  X (HD_END_REASON_TECHNICIAN, "technician") \
  X (HD_END_REASON_WITHDRAWN,  "withdrawn")  \
  X (HD_END_REASON_NO_ANSWER,  "no_answer")  \
  X (HD_END_REASON_INACTIVE,   "inactive")

/* message.kind (v2) */
#define HD_MESSAGE_KIND_VALUES(X) \
  X (HD_MESSAGE_KIND_TEXT,       "text")   \
  X (HD_MESSAGE_KIND_SYSTEM,     "system") \
  X (HD_MESSAGE_KIND_ATTACHMENT, "attachment")

/* canned_response.scope (v2) */
#define HD_CANNED_SCOPE_VALUES(X) \
  X (HD_CANNED_SCOPE_PERSONAL, "personal") \
  X (HD_CANNED_SCOPE_TEAM,     "team")     \
  X (HD_CANNED_SCOPE_GLOBAL,   "global")

/* chat_options.reason is an error code: hd_error_code_to_string (). */

#define HD_WIRE_ENUM_MEMBER(value, nick) value,

#define HD_WIRE_DECLARE_ENUM(TypeName, type_name, VALUES)                  \
  typedef enum { VALUES (HD_WIRE_ENUM_MEMBER) } TypeName;                  \
  GType       type_name##_get_type    (void) G_GNUC_CONST;                 \
  /* The wire string; the first value's for an unknown value. */          \
  const char *type_name##_to_string   (TypeName    value);                 \
  /* FALSE (and *@out untouched) unless @str is one of the strings. */    \
  gboolean    type_name##_from_string (const char *str,                    \
                                       TypeName   *out);

HD_WIRE_DECLARE_ENUM (HdRole,          hd_role,           HD_ROLE_VALUES)
HD_WIRE_DECLARE_ENUM (HdChatState,     hd_chat_state,     HD_CHAT_STATE_VALUES)
HD_WIRE_DECLARE_ENUM (HdRequestStatus, hd_request_status, HD_REQUEST_STATUS_VALUES)
HD_WIRE_DECLARE_ENUM (HdTargetKind,    hd_target_kind,    HD_TARGET_KIND_VALUES)
HD_WIRE_DECLARE_ENUM (HdNoteKind,      hd_note_kind,      HD_NOTE_KIND_VALUES)
HD_WIRE_DECLARE_ENUM (HdEndReason,     hd_end_reason,     HD_END_REASON_VALUES)
HD_WIRE_DECLARE_ENUM (HdMessageKind,   hd_message_kind,   HD_MESSAGE_KIND_VALUES)
HD_WIRE_DECLARE_ENUM (HdCannedScope,   hd_canned_scope,   HD_CANNED_SCOPE_VALUES)

#define HD_TYPE_ROLE           (hd_role_get_type ())
#define HD_TYPE_CHAT_STATE     (hd_chat_state_get_type ())
#define HD_TYPE_REQUEST_STATUS (hd_request_status_get_type ())
#define HD_TYPE_TARGET_KIND    (hd_target_kind_get_type ())
#define HD_TYPE_NOTE_KIND      (hd_note_kind_get_type ())
#define HD_TYPE_END_REASON     (hd_end_reason_get_type ())
#define HD_TYPE_MESSAGE_KIND   (hd_message_kind_get_type ())
#define HD_TYPE_CANNED_SCOPE   (hd_canned_scope_get_type ())

#define HD_ROLE_IS_STAFF(r) ((r) == HD_ROLE_TECHNICIAN || (r) == HD_ROLE_ADMIN)

/* ---- records ------------------------------------------------------------ */

/* The contract's objects as plain C data: what the store reads and writes,
 * what the core decides on and what the wire writes.  Times are
 * microseconds since the Unix epoch (0: none, written as null); ids are
 * positive (0: none, null).  Nested objects are referred to by id and
 * resolved when written (HdWireView). */

typedef struct {
  gint64    id;
  char     *login;
  char     *name;
  char     *email;
  HdRole    role;
  gboolean  available;
  gboolean  online;          /* presence, filled in by the core */
  char     *password_hash;   /* server only; never written to the wire */
  gboolean  away;            /* v2: the desktop is idle or locked */
  /* Extension: a staff member's active chats, written (for staff viewers
   * only) when known, so that a transfer offers only those under the
   * limit (GET /users). */
  gboolean  active_chats_known;
  gint64    active_chats;
} HdUserRecord;

typedef struct {
  gint64    id;
  char     *subject;
  char     *description;
  gboolean  closed;
  gint64    customer_id;
  gint64    assignee_id;
  gint64    team_id;
  gint64    created_at;
} HdRequestRecord;

/* No pointers inside, so it lives on the stack and in GArrays. */
typedef struct {
  gint64        id;
  gint64        request_id;
  HdChatState   state;
  gint64        customer_id;
  gint64        technician_id;
  HdTargetKind  target_kind;
  gint64        target_id;
  gint64        note_id;
  gint64        created_at;
  gint64        accepted_at;
  gint64        ended_at;
  gint64        last_seq;    /* server only: the last message's seq */
  int           rating;      /* 1..5, 0 while not rated */
  HdEndReason   end_reason;  /* v2; NONE (null) while open */
  gint64        waiting_since; /* server only: when it last went to waiting */
} HdChatRecord;

typedef struct {
  gint64  id;
  gint64  chat_id;
  gint64  seq;
  gint64  author_id;
  char   *author_name;       /* for transcript lines */
  char   *body;
  char   *client_id;
  gint64  created_at;
  gint64  attachment_id;     /* 0: a text message */
  HdMessageKind kind;        /* v2; a system message is written with author null */
} HdMessageRecord;

typedef struct {
  gint64      id;
  gint64      request_id;
  HdNoteKind  kind;
  gint64      chat_id;
  char       *body;          /* NULL for transcripts: derived from messages */
  gint64      created_at;
  gint64      updated_at;
  gint64      length;        /* transcripts: the body's length in characters */
  gint64      author_id;     /* 0: none (transcripts) */
} HdNoteRecord;

typedef struct {
  gint64  id;
  char   *name;
  GArray *member_ids;        /* gint64; NULL when not read (freed with the record) */
} HdTeamRecord;

typedef struct {
  gboolean chat_enabled;
  gboolean customer_chat_with_team;
  gint64   max_chats_per_technician;   /* v2; 0: no limit */
  gint64   waiting_timeout_s;          /* v2 */
  gint64   inactivity_timeout_s;       /* v2; 0: never */
} HdPrivileges;

/* v2: an attachment's description; its bytes stay in the store and are
 * read in pieces. */
typedef struct {
  gint64  id;
  gint64  chat_id;
  gint64  author_id;
  char   *filename;
  char   *content_type;
  gint64  size;
  char   *sha256;          /* lower-case hex */
  gint64  created_at;
} HdAttachmentRecord;

/* v2: a canned response. */
typedef struct {
  gint64         id;
  HdCannedScope  scope;
  gint64         owner_id;
  gint64         team_id;      /* team scope only */
  char          *shortcut;
  char          *title;
  char          *body;
  gint64         created_at;
  gint64         updated_at;
} HdCannedRecord;

/* v2: one result of GET /search. */
typedef struct {
  gint64  request_id;
  gint64  chat_id;
  gint64  message_id;
  gint64  note_id;
  gint64  created_at;
  /* The words found are between HD_SEARCH_MARK_START and _END. */
  char   *snippet;
} HdSearchHitRecord;

#define HD_SEARCH_MARK_START '\002'
#define HD_SEARCH_MARK_END   '\003'

void hd_user_record_free    (HdUserRecord    *user);
void hd_request_record_free (HdRequestRecord *request);
void hd_message_record_free (HdMessageRecord *message);
void hd_note_record_free    (HdNoteRecord    *note);
void hd_team_record_free    (HdTeamRecord    *team);
HdUserRecord *hd_user_record_copy (const HdUserRecord *user);
void hd_attachment_record_free (HdAttachmentRecord *attachment);
void hd_canned_record_free     (HdCannedRecord     *canned);
void hd_search_hit_record_free (HdSearchHitRecord  *hit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdUserRecord, hd_user_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdRequestRecord, hd_request_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdMessageRecord, hd_message_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdNoteRecord, hd_note_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdTeamRecord, hd_team_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdAttachmentRecord, hd_attachment_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdCannedRecord, hd_canned_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdSearchHitRecord, hd_search_hit_record_free)

/* ---- record -> JSON ---------------------------------------------------- */

/* What the server knows of a chat beyond its record: its v2 members. */
typedef struct {
  gint64      queue_position;    /* <= 0: not waiting (null) */
  gint64      estimated_wait_s;  /* < 0: unknown (null) */
  const char *rating_comment;    /* owned by the resolver */
} HdChatFacts;

/* Who a text is written for, and how the ids inside records become nested
 * objects.  Staff see every field; a customer sees other people without
 * their email and login.  @user returns NULL for an unknown id (written as
 * null); the record stays owned by the resolver. */
typedef struct {
  gint64   viewer_id;
  gboolean staff;
  const HdUserRecord *(*user) (gpointer data, gint64 id);
  const HdTeamRecord *(*team) (gpointer data, gint64 id);
  gpointer data;
  /* The server's v2 members, each written only when its resolver is set:
   * a chat's queue_position, estimated_wait_s and rating (@chat_facts
   * fills @out, which starts as { 0, -1, NULL }); ... */
  void (*chat_facts) (gpointer data, const HdChatRecord *chat, HdChatFacts *out);
  /* ... an attachment message's "attachment" (NULL: left out; owned by
   * the resolver); ... */
  const HdAttachmentRecord *(*attachment) (gpointer data, gint64 id);
  /* ... a note's "author" and, for a transcript, its chat's "rating"
   * (the score, 0: none; *@comment owned by the resolver). */
  int  (*chat_rating) (gpointer data, gint64 chat_id, const char **comment);
} HdWireView;

/* chat_options of a request, for its customer. */
typedef struct {
  gboolean     can_start;
  const char  *reason;       /* an error code string, or NULL */
  /* HdUserRecord *, whom the customer may pick */
  GPtrArray   *technicians;
} HdChatOptions;

/* Each appends one JSON object to @out. */
void hd_wire_write_user       (GString               *out,
                               const HdUserRecord    *user,
                               const HdWireView      *view);
void hd_wire_write_user_id    (GString               *out,
                               gint64                 id,
                               const HdWireView      *view);
void hd_wire_write_chat       (GString               *out,
                               const HdChatRecord    *chat,
                               const HdWireView      *view);
void hd_wire_write_message    (GString               *out,
                               const HdMessageRecord *message,
                               const HdWireView      *view);
/* The same without the closing brace, for a writer that adds members
 * (the *_extra () below). */
void hd_wire_write_chat_open    (GString               *out,
                                 const HdChatRecord    *chat,
                                 const HdWireView      *view);
void hd_wire_write_message_open (GString               *out,
                                 const HdMessageRecord *message,
                                 const HdWireView      *view);
void hd_wire_write_note_open    (GString               *out,
                                 const HdNoteRecord    *note,
                                 const char            *body);
/* A chat's v2 members: ,"queue_position" (@queue_position <= 0: null, as
 * is the wait then), "estimated_wait_s" (< 0: null), "rating". */
void hd_wire_write_chat_extra   (GString               *out,
                                 gint64                 queue_position,
                                 gint64                 estimated_wait_s,
                                 int                    rating,
                                 const char            *comment);
/* {"score","comment"}, or null when @score <= 0. */
void hd_wire_write_rating       (GString               *out,
                                 int                    score,
                                 const char            *comment);
/* An attachment message's "attachment" object. */
void hd_wire_write_attachment   (GString                  *out,
                                 const HdAttachmentRecord *attachment);
/* {"id","shortcut","title","body","scope","team_id"} */
void hd_wire_write_canned       (GString                  *out,
                                 const HdCannedRecord     *canned);
/* {"request_id","chat_id","message_id","note_id","snippet","highlights",
 * "created_at"}: the snippet without its marks, each marked range a
 * highlight {"start","length"} in characters. */
void hd_wire_write_search_hit   (GString                  *out,
                                 const HdSearchHitRecord  *hit);
/* @body: the note's body (a transcript's is derived by the caller). */
void hd_wire_write_note       (GString               *out,
                               const HdNoteRecord    *note,
                               const char            *body);
/* The same with the note's v2 members (@view's chat_rating). */
void hd_wire_write_note_for   (GString               *out,
                               const HdNoteRecord    *note,
                               const char            *body,
                               const HdWireView      *view);
/* note.updated of a transcript: no body, but the lines @appended and the
 * whole body's length. */
void hd_wire_write_note_appended (GString            *out,
                                  const HdNoteRecord *note,
                                  const char         *appended);
/* @active_chat and @options may be NULL (options: only for the
 * request's customer). */
void hd_wire_write_request    (GString               *out,
                               const HdRequestRecord *request,
                               const HdChatRecord    *active_chat,
                               const HdChatOptions   *options,
                               const HdWireView      *view);
/* {"id","name","members":[user]} ; @member_ids of gint64 */
void hd_wire_write_team       (GString               *out,
                               const HdTeamRecord    *team,
                               GArray                *member_ids,
                               const HdWireView      *view);
void hd_wire_write_privileges (GString               *out,
                               const HdPrivileges    *privileges);
/* {"chat_id","user_id"} */
void hd_wire_write_typing     (GString               *out,
                               gint64                 chat_id,
                               gint64                 user_id);
/* {"error":{"code","message"}} as a REST body */
char *hd_wire_error_body      (const char            *code,
                               const char            *message);
/* {"type":@type,"data":@data} */
char *hd_wire_frame           (const char            *type,
                               const char            *data);

/* ---- JSON -> record ---------------------------------------------------- */

/* Fill a record from an object of the contract (nested objects give
 * their ids).  FALSE when a required member is missing or of the wrong
 * type; then the record is left partly filled (free it as usual). */
gboolean hd_wire_read_user     (JsonObject      *object,
                                HdUserRecord    *out);
gboolean hd_wire_read_chat     (JsonObject      *object,
                                HdChatRecord    *out);
gboolean hd_wire_read_message  (JsonObject      *object,
                                HdMessageRecord *out);
gboolean hd_wire_read_note     (JsonObject      *object,
                                HdNoteRecord    *out);
gboolean hd_wire_read_request  (JsonObject      *object,
                                HdRequestRecord *out);

G_END_DECLS
