/*
 * store: the SQLite database, the one source of truth.  See store.h.
 *
 * The schema is versioned with PRAGMA user_version; store_open brings an
 * older database up to STORE_SCHEMA_VERSION one step at a time inside one
 * transaction, and refuses a database written by a newer finewsd.  Every
 * statement is prepared once, on first use, and kept for the life of the
 * handle; after each use it is reset and its bindings cleared, so that no
 * read transaction outlives a call, except the loop's reads held together
 * until it next waits (store_hold), and the WAL can always be checkpointed.
 * The checkpoints themselves are a thread's of their own (store_ckpt), on
 * a second connection.  Errors are logged here, once, as "database PATH:
 * what: sqlite message"; store_open and store_open_readonly, which have no
 * handle to log under yet, put theirs in the caller's buffer instead.
 * Calls SQLite, POSIX threads, util (err_set) and log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

#define STORE_SCHEMA_VERSION	4
/*
 * Milliseconds a write waits for another writer (an operator's sqlite3
 * shell: finewsd itself is one process per database).  The wait happens
 * on the event loop, so it is short: past it the write fails, the poll
 * with it, and it is tried again later, while signals, the watchdog and the
 * transfers in flight go on.
 */
#define STORE_BUSY_TIMEOUT	200

/*
 * Migrations[N] takes a database from schema version N to N + 1; version 0
 * is the empty database.  The first 11 columns of posts are fixed by the
 * contract.  The indexes end in "info_code DESC" so that the newest-first
 * walks (published_at DESC, info_code DESC) are plain index scans that stop
 * after LIMIT rows, with no sort.
 */
static const char *const store_migrations[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE posts ("
	" info_code TEXT PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" category TEXT NOT NULL,"
	" tag TEXT NOT NULL,"
	" media TEXT,"
	" title TEXT NOT NULL,"
	" published TEXT NOT NULL,"
	" link TEXT,"
	" body TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" fetched_at INTEGER NOT NULL,"
	" file_id TEXT NOT NULL,"
	" published_at INTEGER NOT NULL);"
	"CREATE INDEX posts_category_time"
	" ON posts(category, published_at DESC, info_code DESC);"
	"CREATE INDEX posts_time ON posts(published_at DESC, info_code DESC);"
	"CREATE INDEX posts_source ON posts(source);"
	"CREATE TABLE categories (slug TEXT PRIMARY KEY, tag TEXT NOT NULL);"
	"CREATE TABLE media_slugs (media TEXT PRIMARY KEY, slug TEXT NOT NULL);"
	"CREATE TABLE sources (name TEXT PRIMARY KEY, etag TEXT,"
	" last_modified TEXT, last_poll INTEGER NOT NULL DEFAULT 0,"
	" next_poll INTEGER NOT NULL DEFAULT 0, result TEXT,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" posts INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE flags (key TEXT PRIMARY KEY, value INTEGER NOT NULL);",
	/* 2: the configuration the validators were saved under (conf_hash);
	 * an index on path, so that archiving looks at the posts still in
	 * _posts/ and not at every archived one. */
	"ALTER TABLE sources ADD COLUMN conf_hash TEXT;"
	"CREATE INDEX posts_path ON posts(path);",
	/* 3: the post's page on the site when it is not where its path puts
	 * it (NULL: the rule of its path); the category pages the site has;
	 * the readings the site chose for its media's characters. */
	"ALTER TABLE posts ADD COLUMN url TEXT;"
	"CREATE TABLE pages (slug TEXT PRIMARY KEY);"
	"CREATE TABLE readings (cp INTEGER NOT NULL, reading TEXT NOT NULL,"
	" n INTEGER NOT NULL, PRIMARY KEY (cp, reading)) WITHOUT ROWID;",
	/* 4: when each source last polled without failing, for --status and
	 * the metrics. */
	"ALTER TABLE sources ADD COLUMN last_success INTEGER NOT NULL DEFAULT 0;",
};

/* The kept statements, by what they do; their SQL is in store_sql. */
enum store_stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_HOLD, ST_UNHOLD,
	ST_POST_EXISTS, ST_POST_ADD, ST_CATEGORY_ADD, ST_POST_SET_PATH,
	ST_POSTS_NEWEST, ST_POSTS_NEWEST_CAT, ST_POSTS_OLDER,
	ST_POST_GET, ST_PATHS_EACH,
	ST_POSTS_COUNT, ST_POSTS_COUNT_SOURCE, ST_POSTS_LAST, ST_CATEGORIES_EACH,
	ST_MEDIA_GET, ST_MEDIA_SET,
	ST_PAGE_ADD, ST_PAGES_EACH, ST_PAGE_EXISTS, ST_PATH_OWNER,
	ST_READING_ADD, ST_READING_GET, ST_READINGS_EACH,
	ST_SOURCE_GET, ST_SOURCE_SET,
	ST_FLAG_GET, ST_FLAG_SET,
	ST__COUNT
};

/* The column order store_row_post reads. */
#define POST_COLUMNS							\
	"SELECT info_code, source, category, tag, media, title, published,"	\
	" link, body, path, fetched_at, file_id, published_at, url FROM posts"

#define SOURCE_COLUMNS							\
	"etag, last_modified, last_poll, next_poll, result, failures, posts," \
	" conf_hash, last_success"

static const char *const store_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_HOLD] = "BEGIN",
	[ST_UNHOLD] = "COMMIT",
	[ST_POST_EXISTS] = "SELECT 1 FROM posts WHERE info_code = ?1",
	[ST_POST_ADD] = "INSERT INTO posts (info_code, source, category, tag,"
	    " media, title, published, link, body, path, fetched_at, file_id,"
	    " published_at, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13, ?14)",
	[ST_CATEGORY_ADD] =
	    "INSERT OR IGNORE INTO categories (slug, tag) VALUES (?1, ?2)",
	[ST_POST_SET_PATH] = "UPDATE posts SET path = ?2, url = ?3 WHERE info_code = ?1",
	[ST_POSTS_NEWEST] = POST_COLUMNS
	    " ORDER BY published_at DESC, info_code DESC LIMIT ?1",
	[ST_POSTS_NEWEST_CAT] = POST_COLUMNS " WHERE category = ?1"
	    " ORDER BY published_at DESC, info_code DESC LIMIT ?2",
	[ST_POST_GET] = POST_COLUMNS " WHERE info_code = ?1",
	[ST_PATHS_EACH] = "SELECT info_code, path FROM posts",
	/* A range, not LIKE: a '%' or '_' in the prefix is no wildcard, and
	 * the range walks posts_path; the "+"s keep posts_time, which would
	 * walk every post ever archived, out of the plan. */
	[ST_POSTS_OLDER] = POST_COLUMNS " WHERE +published_at < ?1"
	    " AND path >= ?2 AND (?3 IS NULL OR path < ?3)"
	    " ORDER BY +published_at, +info_code",
	[ST_POSTS_COUNT] = "SELECT count(*) FROM posts",
	[ST_POSTS_COUNT_SOURCE] = "SELECT count(*) FROM posts WHERE source = ?1",
	/* The end of the rowid b-tree: one page read, whatever the size. */
	[ST_POSTS_LAST] = "SELECT coalesce(max(rowid), 0) FROM posts",
	[ST_CATEGORIES_EACH] = "SELECT slug, tag FROM categories ORDER BY slug",
	[ST_MEDIA_GET] = "SELECT slug FROM media_slugs WHERE media = ?1",
	[ST_MEDIA_SET] = "INSERT INTO media_slugs (media, slug) VALUES (?1, ?2)"
	    " ON CONFLICT(media) DO UPDATE SET slug = excluded.slug",
	[ST_PAGE_ADD] = "INSERT OR IGNORE INTO pages (slug) VALUES (?1)",
	[ST_PATH_OWNER] = "SELECT info_code FROM posts WHERE path = ?1 LIMIT 1",
	/* A category finewsd wrote a post of has its page too. */
	[ST_PAGES_EACH] = "SELECT slug FROM pages UNION SELECT slug FROM categories",
	[ST_PAGE_EXISTS] = "SELECT 1 FROM pages WHERE slug = ?1"
	    " UNION ALL SELECT 1 FROM categories WHERE slug = ?1",
	[ST_READING_ADD] = "INSERT INTO readings (cp, reading, n) VALUES (?1, ?2, 1)"
	    " ON CONFLICT(cp, reading) DO UPDATE SET n = n + 1",
	[ST_READING_GET] = "SELECT reading, n FROM readings WHERE cp = ?1"
	    " ORDER BY n DESC LIMIT 2",
	[ST_READINGS_EACH] = "SELECT cp, reading, n FROM readings ORDER BY cp, n DESC, reading",
	[ST_SOURCE_GET] = "SELECT " SOURCE_COLUMNS
	    " FROM sources WHERE name = ?1",
	[ST_SOURCE_SET] = "INSERT INTO sources (name, " SOURCE_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(name)"
	    " DO UPDATE SET etag = excluded.etag,"
	    " last_modified = excluded.last_modified,"
	    " last_poll = excluded.last_poll, next_poll = excluded.next_poll,"
	    " result = excluded.result, failures = excluded.failures,"
	    " posts = excluded.posts, conf_hash = excluded.conf_hash,"
	    " last_success = excluded.last_success",
	[ST_FLAG_GET] = "SELECT value FROM flags WHERE key = ?1",
	[ST_FLAG_SET] = "INSERT INTO flags (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
};

/*
 * The state of a source in a database of an older schema, which a
 * read-only handle (--status beside a daemon not yet upgraded) reads as it
 * is: no last_success column before version 4, no conf_hash before 2
 * (which only the daemon, after migrating, needs).
 */
#define STORE_SOURCE_GET_OLD "SELECT etag, last_modified, last_poll,"	\
	" next_poll, result, failures, posts, NULL, 0 FROM sources"	\
	" WHERE name = ?1"

struct store {
	sqlite3		*db;
	char		*path;
	int		 lockfd;	/* PATH.lock, held by a writer; -1 */
	int		 created;	/* the writer found no database file */
	int		 version;	/* the schema version of the file */
	int		 hold;		/* reads share a transaction (store_hold) */
	int		 holding;	/* ... which is open */
	sqlite3_stmt	*stmt[ST__COUNT];
};

static void store_logerr(struct store *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Logs what failed with SQLite's message, which must still be current. */
static void
store_logerr(struct store *st, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_warnx("database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

/*
 * The kept statement ID, prepared on first use.  A statement still busy
 * means a walk's callback called back into the same walk; resetting it would
 * pull the rows from under the outer walk, so that is refused instead.
 */
static void store_hold_for(struct store *st, enum store_stmt_id id,
    sqlite3_stmt *s);

static sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	const char *sql;

	if (s != NULL) {
		if (sqlite3_stmt_busy(s)) {
			log_warnx("database %s: statement in use by a walk: %s",
			    st->path, store_sql[id]);
			return NULL;
		}
		if (st->hold)
			store_hold_for(st, id, s);
		return s;
	}
	sql = id == ST_SOURCE_GET && st->version < 4 ? STORE_SOURCE_GET_OLD :
	    store_sql[id];
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		store_logerr(st, "prepare \"%s\"", sql);
		return NULL;
	}
	st->stmt[id] = s;
	if (st->hold)
		store_hold_for(st, id, s);
	return s;
}

/* Runs the hold's BEGIN or COMMIT, kept prepared like the rest: a poll
 * with nothing new begins and ends a few.  0 or -1 (not logged). */
static int
store_hold_step(struct store *st, enum store_stmt_id id)
{
	sqlite3_stmt *s = store_stmt(st, id);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	(void)sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * With store_hold on, the reads share one read transaction, begun by the
 * first of them and ended by store_release (the loop's, before it waits)
 * or by the next write, which always runs outside it.  A lone read takes
 * and drops its locks itself, two fcntl calls each way: two reads a new
 * record (is it known, is its file another post's) made that 40,000 system
 * calls for 10,000 records, and the loop handles several records between
 * two waits.  Only the loop's connection holds; a reader elsewhere, the
 * checkpointer included, is not held up by a read transaction.
 */
static void
store_hold_for(struct store *st, enum store_stmt_id id, sqlite3_stmt *s)
{
	if (id == ST_HOLD || id == ST_UNHOLD)
		return;
	if (id == ST_BEGIN || id == ST_COMMIT || id == ST_ROLLBACK ||
	    !sqlite3_stmt_readonly(s)) {
		store_release(st);
		return;
	}
	if (!st->holding && sqlite3_get_autocommit(st->db) &&
	    store_hold_step(st, ST_HOLD) == 0)
		st->holding = 1;
}

void
store_hold(struct store *st, int on)
{
	if (!on)
		store_release(st);
	st->hold = on;
}

void
store_release(struct store *st)
{
	if (!st->holding)
		return;
	/* It only read: COMMIT fails only while a walk is under way (a
	 * write from a walk's callback), and then the next release ends it. */
	if (store_hold_step(st, ST_UNHOLD) == 0 ||
	    sqlite3_get_autocommit(st->db))
		st->holding = 0;
}

/*
 * Makes a statement ready for its next use.  sqlite3_reset only repeats the
 * error of the last step, which the caller has already handled.
 */
static void
store_done(sqlite3_stmt *s)
{
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
}

/* Binds TEXT, or NULL; TEXT must stay valid until store_done. */
static int
store_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(s, idx);
	return sqlite3_bind_text(s, idx, text, -1, SQLITE_STATIC);
}

/*
 * Steps S once, unless binding its parameters failed (BOUND false); logs a
 * failure as "WHAT KEY".  SQLITE_ROW, SQLITE_DONE or -1.  The caller reads
 * the row, if any, then calls store_done.
 */
static int
store_step(struct store *st, sqlite3_stmt *s, int bound, const char *what,
    const char *key)
{
	int rc = bound ? sqlite3_step(s) : SQLITE_ERROR;

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	if (key != NULL)
		store_logerr(st, "%s %s", what, key);
	else
		store_logerr(st, "%s", what);
	return -1;
}

/* Runs a statement that returns no row, and resets it.  0 or -1. */
static int
store_run(struct store *st, sqlite3_stmt *s, int bound, const char *what,
    const char *key)
{
	int rc = store_step(st, s, bound, what, key);

	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs SQL (possibly several statements) once, outside the kept ones. */
static int
store_exec(sqlite3 *db, const char *path, const char *sql, const char *what,
    char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		err_set(err, errlen, "database %s: %s: %s", path, what,
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* Runs a one-row pragma and copies its text answer into BUF. */
static int
store_pragma(sqlite3 *db, const char *path, const char *sql, char *buf,
    size_t buflen, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	int ret = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		err_set(err, errlen, "database %s: %s: %s", path, sql,
		    sqlite3_errmsg(db));
		goto out;
	}
	v = sqlite3_column_text(s, 0);
	snprintf(buf, buflen, "%s", v != NULL ? (const char *)v : "");
	ret = 0;
out:
	/* A pragma that answered has nothing left to fail at finalize. */
	(void)sqlite3_finalize(s);
	return ret;
}

/* The schema version, or -1 with ERR set; a newer one than ours is refused. */
static int
store_user_version(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char buf[32];
	char *end;
	long v;

	if (store_pragma(db, path, "PRAGMA user_version", buf, sizeof(buf),
	    err, errlen) == -1)
		return -1;
	v = strtol(buf, &end, 10);
	if (end == buf || *end != '\0' || v < 0) {
		err_set(err, errlen, "database %s: bad user_version %s",
		    path, buf);
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		err_set(err, errlen, "database %s: schema version %s is "
		    "newer than this finewsd (%d)", path, buf,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	return (int)v;
}

/*
 * Brings the schema up to date.  The version is read inside the write
 * transaction so that two processes opening a new database at once do not
 * both create the tables.
 */
static int
store_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char sql[64];
	int v;

	if (store_exec(db, path, "BEGIN IMMEDIATE", "begin migration",
	    err, errlen) == -1)
		return -1;
	if ((v = store_user_version(db, path, err, errlen)) == -1)
		goto fail;
	if (v == STORE_SCHEMA_VERSION)
		return store_exec(db, path, "COMMIT", "commit", err, errlen);
	for (; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "migrate to schema version %d",
		    v + 1);
		if (store_exec(db, path, store_migrations[v], sql,
		    err, errlen) == -1)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if (store_exec(db, path, sql, "set schema version", err, errlen) == -1 ||
	    store_exec(db, path, "COMMIT", "commit migration", err, errlen) == -1)
		goto fail;
	return 0;
fail:
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * WAL lets --status read while the daemon writes; FULL makes a commit
 * durable.  A new database gets 16 KiB pages (an existing one keeps its
 * own): a row holds a whole article, which on 4 KiB pages took an overflow
 * page of its own, and a batch of 512 rows wrote ~1,100 WAL frames, two
 * write calls each; on 16 KiB pages several rows share a page.
 */
static int
store_setup(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char mode[32];

	if (store_exec(db, path, "PRAGMA page_size = 16384", "set page size",
	    err, errlen) == -1)
		return -1;
	if (store_pragma(db, path, "PRAGMA journal_mode = WAL", mode,
	    sizeof(mode), err, errlen) == -1)
		return -1;
	if (strcasecmp(mode, "wal") != 0) {
		err_set(err, errlen, "database %s: journal mode is %s, "
		    "not wal", path, mode);
		return -1;
	}
	return store_exec(db, path, "PRAGMA synchronous = FULL",
	    "set synchronous", err, errlen);
}

/*
 * One process writes a database: the writer holds an exclusive lock on
 * PATH.lock (flock, released by the kernel when the process ends, however
 * it ends) and writes its pid there, so that a second finewsd, a --once
 * beside the daemon, or an --import meanwhile is refused with a message
 * naming the first, instead of both fetching every text twice and failing
 * on each other's rows.  Readers (--status) take no lock.
 */
static int
store_lock(struct store *st, char *err, size_t errlen)
{
	char *lock = NULL, pid[32] = "";
	ssize_t n;

	if (asprintf(&lock, "%s.lock", st->path) == -1) {
		err_set(err, errlen, "database %s: out of memory", st->path);
		return -1;
	}
	/*
	 * The lock file is never removed, not even by a first start that
	 * fails (store_discard): a process that opened it before the unlink
	 * would get its flock once the remover let go, and a third would make
	 * a new file and lock that, two writers on one database.
	 */
	st->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lockfd == -1) {
		err_set(err, errlen, "database %s: lock %s: %s", st->path, lock,
		    strerror(errno));
		free(lock);
		return -1;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		if ((n = pread(st->lockfd, pid, sizeof(pid) - 1, 0)) > 0)
			pid[n] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			err_set(err, errlen, "database %s is in use by another "
			    "finewsd (pid %s); one process per database", st->path,
			    pid[0] != '\0' ? pid : "unknown");
		else
			err_set(err, errlen, "database %s: lock %s: %s", st->path,
			    lock, strerror(e));
		free(lock);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(st->lockfd, 0) == -1 || pwrite(st->lockfd, pid, (size_t)n, 0) != n) {
		err_set(err, errlen, "database %s: lock: %s", st->path,
		    strerror(errno));
		free(lock);
		return -1;
	}
	free(lock);
	return 0;
}

static struct store *
store_open_flags(const char *path, int readonly, char *err, size_t errlen)
{
	struct store *st;
	struct stat sb;
	int flags, v;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		err_set(err, errlen, "database %s: out of memory", path);
		free(st);
		return NULL;
	}
	st->lockfd = -1;
	if (!readonly && store_lock(st, err, errlen) == -1)
		goto fail;
	/* Under the lock: no other writer can make it meanwhile.  lstat: an
	 * operator's symlink to a volume not mounted yet is not ours to make,
	 * nor to remove if the open fails. */
	st->created = !readonly && lstat(path, &sb) == -1 && errno == ENOENT;
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		err_set(err, errlen, "database %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if (sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT) != SQLITE_OK) {
		err_set(err, errlen, "database %s: busy timeout: %s",
		    path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (readonly) {
		/* A read-only handle cannot create the tables it would need. */
		if ((v = store_user_version(st->db, path, err, errlen)) == -1)
			goto fail;
		if (v == 0) {
			err_set(err, errlen, "database %s: not a finewsd "
			    "database or empty", path);
			goto fail;
		}
		st->version = v;
	} else if (store_setup(st->db, path, err, errlen) == -1 ||
	    store_migrate(st->db, path, err, errlen) == -1)
		goto fail;
	else
		st->version = STORE_SCHEMA_VERSION;
	return st;
fail:
	/* A database this call began (a full disk at the very first start)
	 * is not left half made for the next start to take as its own. */
	if (st->created)
		store_discard(st);
	else
		store_close(st);
	return NULL;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	return store_open_flags(path, 0, err, errlen);
}

/*
 * Changes nothing, so it works beside a running daemon.  A database of an
 * older schema version can still be read: migrations only add.
 */
struct store *
store_open_readonly(const char *path, char *err, size_t errlen)
{
	return store_open_flags(path, 1, err, errlen);
}

/* Closes ST's SQLite handle, its statements first; the lock stays. */
static void
store_close_db(struct store *st)
{
	store_release(st);
	for (int i = 0; i < ST__COUNT; i++) {
		(void)sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("database %s: close: %s", st->path,
		    sqlite3_errmsg(st->db));
	st->db = NULL;
	st->holding = 0;
}

int
store_created(const struct store *st)
{
	return st->created;
}

/*
 * SQLite is closed first, since closing deletes the WAL by its name; then
 * the files go while the lock is still held.  The lock file stays: see
 * store_lock.
 */
void
store_discard(struct store *st)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[4096];

	if (st == NULL)
		return;
	store_close_db(st);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if ((size_t)snprintf(path, sizeof(path), "%s%s", st->path,
		    suffixes[i]) < sizeof(path) && unlink(path) == -1 &&
		    errno != ENOENT)
			log_warn("database %s", path);
	store_close(st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_close_db(st);
	if (st->lockfd != -1)
		(void)close(st->lockfd);
	free(st->path);
	free(st);
}

/*
 * The WAL's size in pages at which the checkpointer copies it (4 MiB: a
 * handful of batches of rows), and at which the loop's own commit does,
 * as SQLite's automatic checkpoint did before, when the checkpointer has
 * not caught up.
 */
#define STORE_CKPT_PAGES	256
#define STORE_CKPT_BACKSTOP	1000

struct store_ckpt {
	sqlite3		*db;
	sqlite3		*main;		/* the store's: its WAL hook */
	char		*path;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 frames;	/* under mu: the WAL's pages at the last
					 * commit, when the thread has to copy */
	int		 quit;		/* under mu */
};

/* On the loop, after each commit of the store's connection: a WAL worth
 * copying wakes the checkpointer, one too long is copied here. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *ck = arg;

	if (frames >= STORE_CKPT_BACKSTOP)
		(void)sqlite3_wal_checkpoint(db, name);
	else if (frames >= STORE_CKPT_PAGES) {
		pthread_mutex_lock(&ck->mu);
		ck->frames = frames;
		pthread_cond_signal(&ck->cv);
		pthread_mutex_unlock(&ck->mu);
	}
	return SQLITE_OK;
}

/* Passive: copies what no reader needs and never waits for a lock (BUSY:
 * the loop's backstop is copying, which does the same). */
static void
store_ckpt_copy(struct store_ckpt *ck)
{
	int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warnx("database %s: checkpoint: %s", ck->path,
		    sqlite3_errmsg(ck->db));
}

static void *
store_ckpt_thread(void *arg)
{
	struct store_ckpt *ck = arg;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (ck->frames == 0 && !ck->quit)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->quit)
			break;
		ck->frames = 0;
		pthread_mutex_unlock(&ck->mu);
		store_ckpt_copy(ck);
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

static void
store_ckpt_free(struct store_ckpt *ck)
{
	if (ck->db != NULL && sqlite3_close(ck->db) != SQLITE_OK)
		log_warnx("database %s: checkpointer: close: %s", ck->path,
		    sqlite3_errmsg(ck->db));
	free(ck->path);
	free(ck);
}

struct store_ckpt *
store_ckpt_open(struct store *st)
{
	struct store_ckpt *ck;
	sigset_t all, old;
	char err[512];
	int rc;

	if ((ck = calloc(1, sizeof(*ck))) == NULL ||
	    (ck->path = strdup(st->path)) == NULL) {
		log_warnx("database %s: checkpointer: out of memory", st->path);
		free(ck);
		return NULL;
	}
	/* No CREATE: the database is there, in WAL mode, opened by ST.  The
	 * copy is synced as ST's commits are. */
	if (sqlite3_open_v2(st->path, &ck->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("database %s: checkpointer: %s", st->path,
		    ck->db != NULL ? sqlite3_errmsg(ck->db) : "out of memory");
		store_ckpt_free(ck);
		return NULL;
	}
	if (store_exec(ck->db, st->path, "PRAGMA synchronous = FULL",
	    "checkpointer: set synchronous", err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		store_ckpt_free(ck);
		return NULL;
	}
	if ((rc = pthread_mutex_init(&ck->mu, NULL)) != 0) {
		log_warnx("database %s: checkpointer: %s", st->path,
		    strerror(rc));
		store_ckpt_free(ck);
		return NULL;
	}
	if ((rc = pthread_cond_init(&ck->cv, NULL)) != 0) {
		log_warnx("database %s: checkpointer: %s", st->path,
		    strerror(rc));
		pthread_mutex_destroy(&ck->mu);
		store_ckpt_free(ck);
		return NULL;
	}
	/* Signals are the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&ck->thread, NULL, store_ckpt_thread, ck);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("database %s: checkpointer thread: %s", st->path,
		    strerror(rc));
		pthread_cond_destroy(&ck->cv);
		pthread_mutex_destroy(&ck->mu);
		store_ckpt_free(ck);
		return NULL;
	}
	ck->main = st->db;
	(void)sqlite3_wal_hook(st->db, store_wal_hook, ck);
	return ck;
}

void
store_ckpt_close(struct store_ckpt *ck)
{
	if (ck == NULL)
		return;
	(void)sqlite3_wal_autocheckpoint(ck->main, STORE_CKPT_BACKSTOP);
	pthread_mutex_lock(&ck->mu);
	ck->quit = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	store_ckpt_free(ck);
}

int
store_begin(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, ST_BEGIN);

	return s == NULL ? -1 : store_run(st, s, 1, "begin", NULL);
}

/* On failure the transaction is still open: the caller rolls it back. */
int
store_commit(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, ST_COMMIT);

	return s == NULL ? -1 : store_run(st, s, 1, "commit", NULL);
}

int
store_in_transaction(struct store *st)
{
	return !sqlite3_get_autocommit(st->db) && !st->holding;
}

/* Some errors roll the transaction back by themselves: then nothing is left. */
void
store_rollback(struct store *st)
{
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(st->db))
		return;
	if ((s = store_stmt(st, ST_ROLLBACK)) != NULL)
		(void)store_run(st, s, 1, "rollback", NULL);
}

/* 1 when statement ID has a row for KEY (its first parameter), 0 if not,
 * -1 on error. */
static int
store_exists(struct store *st, enum store_stmt_id id, const char *key,
    const char *what)
{
	sqlite3_stmt *s = store_stmt(st, id);
	int rc;

	if (s == NULL)
		return -1;
	rc = store_step(st, s, store_bind_text(s, 1, key) == SQLITE_OK, what,
	    key);
	store_done(s);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

int
store_post_exists(struct store *st, const char *info_code)
{
	return store_exists(st, ST_POST_EXISTS, info_code, "look up post");
}

static int
store_bind_post(sqlite3_stmt *s, const struct store_post *p)
{
	return store_bind_text(s, 1, p->info_code) == SQLITE_OK &&
	    store_bind_text(s, 2, p->source) == SQLITE_OK &&
	    store_bind_text(s, 3, p->category) == SQLITE_OK &&
	    store_bind_text(s, 4, p->tag) == SQLITE_OK &&
	    store_bind_text(s, 5, p->media) == SQLITE_OK &&
	    store_bind_text(s, 6, p->title) == SQLITE_OK &&
	    store_bind_text(s, 7, p->published) == SQLITE_OK &&
	    store_bind_text(s, 8, p->link) == SQLITE_OK &&
	    store_bind_text(s, 9, p->body) == SQLITE_OK &&
	    store_bind_text(s, 10, p->path) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 11, p->fetched_at) == SQLITE_OK &&
	    store_bind_text(s, 12, p->file_id) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 13, p->published_at) == SQLITE_OK &&
	    store_bind_text(s, 14, p->url) == SQLITE_OK;
}

/*
 * No transaction of its own: the caller groups a batch between store_begin
 * and store_commit, and rolls back the whole batch on failure.
 */
int
store_post_add(struct store *st, const struct store_post *p)
{
	sqlite3_stmt *s, *c;

	if ((s = store_stmt(st, ST_POST_ADD)) == NULL ||
	    (c = store_stmt(st, ST_CATEGORY_ADD)) == NULL)
		return -1;
	if (store_run(st, s, store_bind_post(s, p), "insert post",
	    p->info_code) == -1)
		return -1;
	return store_run(st, c, store_bind_text(c, 1, p->category) ==
	    SQLITE_OK && store_bind_text(c, 2, p->tag) == SQLITE_OK,
	    "insert category", p->category);
}

int
store_post_move(struct store *st, const char *info_code, const char *path,
    const char *url)
{
	sqlite3_stmt *s = store_stmt(st, ST_POST_SET_PATH);

	if (s == NULL || store_run(st, s,
	    store_bind_text(s, 1, info_code) == SQLITE_OK &&
	    store_bind_text(s, 2, path) == SQLITE_OK &&
	    store_bind_text(s, 3, url) == SQLITE_OK,
	    "set path of post", info_code) == -1)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		log_warnx("database %s: set path of post %s: no such post",
		    st->path, info_code);
		return -1;
	}
	return 0;
}

static const char *
store_col_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* Fills P from the current row of a POST_COLUMNS statement. */
static int
store_row_post(sqlite3_stmt *s, struct store_post *p)
{
	p->info_code = store_col_text(s, 0);
	p->source = store_col_text(s, 1);
	p->category = store_col_text(s, 2);
	p->tag = store_col_text(s, 3);
	p->media = store_col_text(s, 4);
	p->title = store_col_text(s, 5);
	p->published = store_col_text(s, 6);
	p->link = store_col_text(s, 7);
	p->body = store_col_text(s, 8);
	p->path = store_col_text(s, 9);
	p->fetched_at = sqlite3_column_int64(s, 10);
	p->file_id = store_col_text(s, 11);
	p->published_at = sqlite3_column_int64(s, 12);
	p->url = store_col_text(s, 13);
	/* NOT NULL columns read as NULL only when SQLite ran out of memory. */
	if (p->info_code == NULL || p->source == NULL || p->category == NULL ||
	    p->tag == NULL || p->title == NULL || p->published == NULL ||
	    p->body == NULL || p->path == NULL || p->file_id == NULL)
		return -1;
	return 0;
}

/*
 * Steps a POST_COLUMNS statement (unless binding failed), calling FN per
 * row, then resets it.  The row's strings are valid only during FN.
 */
static int
store_walk_posts(struct store *st, sqlite3_stmt *s, int bound,
    const char *what, store_post_fn *fn, void *arg)
{
	struct store_post p;
	int rc, ret = -1;

	while ((rc = store_step(st, s, bound, what, NULL)) == SQLITE_ROW) {
		if (store_row_post(s, &p) == -1) {
			store_logerr(st, "%s: read row", what);
			goto out;
		}
		if (fn(arg, &p) == -1)
			goto out;
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	store_done(s);
	return ret;
}

int
store_posts_newest(struct store *st, const char *category, long limit,
    store_post_fn *fn, void *arg)
{
	sqlite3_stmt *s;
	int bound;

	if (category == NULL) {
		if ((s = store_stmt(st, ST_POSTS_NEWEST)) == NULL)
			return -1;
		bound = sqlite3_bind_int64(s, 1, limit) == SQLITE_OK;
	} else {
		if ((s = store_stmt(st, ST_POSTS_NEWEST_CAT)) == NULL)
			return -1;
		bound = store_bind_text(s, 1, category) == SQLITE_OK &&
		    sqlite3_bind_int64(s, 2, limit) == SQLITE_OK;
	}
	return store_walk_posts(st, s, bound, "newest posts", fn, arg);
}

int
store_post_get(struct store *st, const char *info_code, store_post_fn *fn, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, ST_POST_GET);

	if (s == NULL)
		return -1;
	return store_walk_posts(st, s, store_bind_text(s, 1, info_code) == SQLITE_OK,
	    "post", fn, arg);
}

/*
 * Steps S, a statement of two text columns, calling FN with both per row,
 * then resets it.  The strings are valid only during FN.
 */
static int
store_walk_pairs(struct store *st, sqlite3_stmt *s, const char *what,
    int (*fn)(void *, const char *, const char *), void *arg)
{
	const char *a, *b;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	while ((rc = store_step(st, s, 1, what, NULL)) == SQLITE_ROW) {
		if ((a = store_col_text(s, 0)) == NULL || (b = store_col_text(s, 1)) == NULL) {
			store_logerr(st, "%s: read row", what);
			goto out;
		}
		if (fn(arg, a, b) == -1)
			goto out;
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	store_done(s);
	return ret;
}

int
store_paths_each(struct store *st, store_path_fn *fn, void *arg)
{
	return store_walk_pairs(st, store_stmt(st, ST_PATHS_EACH), "paths", fn, arg);
}

/* Oldest first.  A NULL prefix matches every path. */
int
store_posts_older(struct store *st, long long before, const char *prefix,
    store_post_fn *fn, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, ST_POSTS_OLDER);
	char *end = NULL;
	size_t n = prefix != NULL ? strlen(prefix) : 0;
	int rc;

	if (s == NULL)
		return -1;
	/* Paths starting with PREFIX are those from PREFIX up to, not
	 * including, PREFIX with its last byte raised by one. */
	if (n > 0 && (unsigned char)prefix[n - 1] < 0xff) {
		if ((end = strdup(prefix)) == NULL) {
			log_warnx("database %s: older posts: out of memory", st->path);
			return -1;
		}
		end[n - 1]++;
	}
	rc = store_walk_posts(st, s,
	    sqlite3_bind_int64(s, 1, before) == SQLITE_OK &&
	    store_bind_text(s, 2, prefix != NULL ? prefix : "") == SQLITE_OK &&
	    store_bind_text(s, 3, end) == SQLITE_OK,
	    "older posts", fn, arg);
	free(end);
	return rc;
}

long long
store_posts_count(struct store *st, const char *source)
{
	sqlite3_stmt *s;
	long long n = -1;

	s = store_stmt(st, source == NULL ? ST_POSTS_COUNT :
	    ST_POSTS_COUNT_SOURCE);
	if (s == NULL)
		return -1;
	if (store_step(st, s, source == NULL ||
	    store_bind_text(s, 1, source) == SQLITE_OK, "count posts of",
	    source != NULL ? source : "all sources") == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	store_done(s);
	return n;
}

long long
store_posts_last(struct store *st)
{
	sqlite3_stmt *s;
	long long n = -1;

	if ((s = store_stmt(st, ST_POSTS_LAST)) == NULL)
		return -1;
	if (store_step(st, s, 1, "read the last post of", "the store") == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	store_done(s);
	return n;
}

int
store_categories_each(struct store *st, store_category_fn *fn, void *arg)
{
	return store_walk_pairs(st, store_stmt(st, ST_CATEGORIES_EACH), "categories",
	    fn, arg);
}

/* Copies a text column, NULL staying NULL.  -1 when out of memory. */
static int
store_col_dup(sqlite3_stmt *s, int col, char **out)
{
	const char *v = store_col_text(s, col);

	*out = NULL;
	if (v == NULL)
		return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 : -1;
	return (*out = strdup(v)) == NULL ? -1 : 0;
}

/*
 * The text of the first column of statement ID's one row for KEY (its
 * first parameter), malloc'd in *OUT, NULL when there is no row.  0 or -1.
 */
static int
store_get_text(struct store *st, enum store_stmt_id id, const char *key,
    const char *what, char **out)
{
	sqlite3_stmt *s = store_stmt(st, id);
	int rc, ret = -1;

	*out = NULL;
	if (s == NULL)
		return -1;
	rc = store_step(st, s, store_bind_text(s, 1, key) == SQLITE_OK, what,
	    key);
	if (rc == SQLITE_ROW && store_col_dup(s, 0, out) == -1)
		log_warnx("database %s: %s %s: out of memory", st->path, what, key);
	else if (rc != -1)
		ret = 0;
	store_done(s);
	return ret;
}

int
store_media_slug_get(struct store *st, const char *media, char **slug)
{
	return store_get_text(st, ST_MEDIA_GET, media, "slug of media", slug);
}

int
store_media_slug_set(struct store *st, const char *media, const char *slug)
{
	sqlite3_stmt *s = store_stmt(st, ST_MEDIA_SET);

	if (s == NULL)
		return -1;
	return store_run(st, s, store_bind_text(s, 1, media) == SQLITE_OK &&
	    store_bind_text(s, 2, slug) == SQLITE_OK, "set slug of media",
	    media);
}

int
store_path_owner(struct store *st, const char *path, char **info_code)
{
	return store_get_text(st, ST_PATH_OWNER, path, "owner of path", info_code);
}

int
store_page_add(struct store *st, const char *slug)
{
	sqlite3_stmt *s = store_stmt(st, ST_PAGE_ADD);

	if (s == NULL)
		return -1;
	return store_run(st, s, store_bind_text(s, 1, slug) == SQLITE_OK,
	    "add category page", slug);
}

int
store_page_exists(struct store *st, const char *slug)
{
	return store_exists(st, ST_PAGE_EXISTS, slug, "look up category page");
}

int
store_pages_each(struct store *st, store_page_fn *fn, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, ST_PAGES_EACH);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	while ((rc = store_step(st, s, 1, "category pages", NULL)) == SQLITE_ROW) {
		const char *slug = store_col_text(s, 0);

		if (slug == NULL || fn(arg, slug) == -1)
			goto out;
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	store_done(s);
	return ret;
}

int
store_reading_add(struct store *st, unsigned cp, const char *reading)
{
	sqlite3_stmt *s = store_stmt(st, ST_READING_ADD);

	if (s == NULL)
		return -1;
	return store_run(st, s, sqlite3_bind_int64(s, 1, cp) == SQLITE_OK &&
	    store_bind_text(s, 2, reading) == SQLITE_OK, "learn reading", reading);
}

/* A tie between the two most frequent readings is no choice: NULL. */
int
store_reading_get(struct store *st, unsigned cp, char **reading)
{
	sqlite3_stmt *s = store_stmt(st, ST_READING_GET);
	long long first = 0;
	int rc, ret = -1;

	*reading = NULL;
	if (s == NULL)
		return -1;
	rc = store_step(st, s, sqlite3_bind_int64(s, 1, cp) == SQLITE_OK,
	    "learned reading", NULL);
	if (rc == SQLITE_ROW) {
		first = sqlite3_column_int64(s, 1);
		if (store_col_dup(s, 0, reading) == -1)
			goto out;
		rc = store_step(st, s, 1, "learned reading", NULL);
		if (rc == SQLITE_ROW && sqlite3_column_int64(s, 1) == first) {
			free(*reading);
			*reading = NULL;
		}
	}
	if (rc != -1)
		ret = 0;
out:
	store_done(s);
	return ret;
}

int
store_readings_each(struct store *st, store_reading_fn *fn, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, ST_READINGS_EACH);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	while ((rc = store_step(st, s, 1, "learned readings", NULL)) == SQLITE_ROW) {
		const char *r = store_col_text(s, 1);

		if (r == NULL || fn(arg, (unsigned)sqlite3_column_int64(s, 0), r,
		    sqlite3_column_int64(s, 2)) == -1)
			goto out;
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	store_done(s);
	return ret;
}

/* Reads the numbers of a SOURCE_COLUMNS row; the strings are the caller's. */
static void
store_row_source_numbers(sqlite3_stmt *s, struct store_source *src)
{
	src->last_poll = sqlite3_column_int64(s, 2);
	src->next_poll = sqlite3_column_int64(s, 3);
	src->failures = sqlite3_column_int(s, 5);
	src->posts = sqlite3_column_int64(s, 6);
	src->last_success = sqlite3_column_int64(s, 8);
}

int
store_source_get(struct store *st, const char *name, struct store_source *src)
{
	sqlite3_stmt *s = store_stmt(st, ST_SOURCE_GET);
	int rc, ret = -1;

	memset(src, 0, sizeof(*src));
	if (s == NULL)
		return -1;
	rc = store_step(st, s, store_bind_text(s, 1, name) == SQLITE_OK,
	    "state of source", name);
	if (rc == SQLITE_DONE) {
		ret = 0;
	} else if (rc == SQLITE_ROW) {
		if (store_col_dup(s, 0, &src->etag) == -1 ||
		    store_col_dup(s, 1, &src->last_modified) == -1 ||
		    store_col_dup(s, 4, &src->result) == -1 ||
		    store_col_dup(s, 7, &src->conf_hash) == -1) {
			log_warnx("database %s: state of source %s: out of "
			    "memory", st->path, name);
			store_source_clear(src);
		} else {
			store_row_source_numbers(s, src);
			ret = 0;
		}
	}
	store_done(s);
	return ret;
}

int
store_source_set(struct store *st, const char *name,
    const struct store_source *src)
{
	sqlite3_stmt *s = store_stmt(st, ST_SOURCE_SET);
	int lazy = sqlite3_get_autocommit(st->db), rc;

	if (s == NULL)
		return -1;
	/*
	 * Committed without waiting for the disk: a state lost to a power cut
	 * costs a full list request at the next poll, nothing more, and the
	 * posts it vouches for were committed, durably, before it (the WAL
	 * keeps the order).  A poll of 100 sources with nothing new paid 100
	 * fdatasync calls, a second on a busy disk.  Inside a caller's
	 * transaction its commit decides.
	 */
	if (lazy && sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL,
	    NULL, NULL) != SQLITE_OK)
		lazy = 0;
	rc = store_run(st, s, store_bind_text(s, 1, name) == SQLITE_OK &&
	    store_bind_text(s, 2, src->etag) == SQLITE_OK &&
	    store_bind_text(s, 3, src->last_modified) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 4, src->last_poll) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 5, src->next_poll) == SQLITE_OK &&
	    store_bind_text(s, 6, src->result) == SQLITE_OK &&
	    sqlite3_bind_int(s, 7, src->failures) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 8, src->posts) == SQLITE_OK &&
	    store_bind_text(s, 9, src->conf_hash) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 10, src->last_success) == SQLITE_OK,
	    "set state of source", name);
	/* Every other commit stays durable. */
	if (lazy && sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL,
	    NULL, NULL) != SQLITE_OK) {
		store_logerr(st, "restore synchronous = FULL");
		rc = -1;
	}
	return rc;
}

int
store_durable(struct store *st)
{
	sqlite3_stmt *s;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int(s, 0) >= 2;
	sqlite3_finalize(s);
	return rc;
}

void
store_source_clear(struct store_source *src)
{
	if (src == NULL)
		return;
	free(src->etag);
	free(src->last_modified);
	free(src->result);
	free(src->conf_hash);
	memset(src, 0, sizeof(*src));
}

int
store_flag_get(struct store *st, const char *key, long long *value)
{
	sqlite3_stmt *s = store_stmt(st, ST_FLAG_GET);
	int rc;

	*value = 0;
	if (s == NULL)
		return -1;
	rc = store_step(st, s, store_bind_text(s, 1, key) == SQLITE_OK,
	    "flag", key);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == -1 ? -1 : 0;
}

int
store_flag_set(struct store *st, const char *key, long long value)
{
	sqlite3_stmt *s = store_stmt(st, ST_FLAG_SET);

	if (s == NULL)
		return -1;
	return store_run(st, s, store_bind_text(s, 1, key) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 2, value) == SQLITE_OK, "set flag", key);
}
