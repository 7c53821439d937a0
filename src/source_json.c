/*
 * source_json: the JSON parsers of the source parser, through SQLite's JSON
 * functions on a private in-memory connection.  See source_impl.h.
 *
 * It owns that connection and its prepared statements, and closes them in
 * source_json_cleanup(), which source_cleanup() calls.  It calls SQLite,
 * util (error messages), utf8 (validation) and record (the record list and
 * record_check()); nothing else, and never source.c.  Apart from that
 * cache, a pure function of its arguments: no I/O, no logging, so that a
 * fuzzer can drive it.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "record.h"
#include "source_impl.h"
#include "utf8.h"
#include "util.h"

/*
 * JSON goes through SQLite's JSON functions on a private in-memory
 * connection: they take a text response about seven times as fast as
 * jansson did, and the daemon's throughput target had no room for the
 * difference.  The connection and its prepared statements are the one
 * static state of the source parser: a cache, opened by the first JSON
 * parse and closed by source_json_cleanup(), never parse state.  Between
 * calls it holds nothing of a response, for every call resets its
 * statement and clears its bindings, so no statement keeps a pointer into
 * a caller's buffer.
 * Nothing guards it: the daemon parses on its one thread, which is also
 * why the connection is opened without SQLite's mutexes.
 */
static struct {
	sqlite3 *db;
	sqlite3_stmt *head;	/* validity, top-level type, type at a path */
	sqlite3_stmt *items;	/* the wanted fields of each item of a list */
	sqlite3_stmt *text;	/* the article of a text response */
} source_sql;

/*
 * The JSON functions fail the statement on malformed JSON, while
 * json_valid() merely says so; and a WHERE term of constants is evaluated
 * before any result column.  So an invalid response gives no row at all.
 */
static const char source_sql_head[] =
    "SELECT json_type(?1), json_type(?1, ?2) WHERE json_valid(?1)";

static const char source_sql_text[] =
    "SELECT json_type(?1), json_type(?1, ?2), json_extract(?1, ?2),"
    " json_type(?1, '$.\"content\"'), json_extract(?1, '$.\"content\"'),"
    " instr(?1, '\\u0000') WHERE json_valid(?1)";

/*
 * One row per item of the array at ?2, in the array's order, with the
 * json_type() and the value of each of the keys ?3 to ?9.  The CTE is
 * materialized so that each item's JSON text is made once, not once per
 * use; the functions then share one parse of it through SQLite's JSON
 * cache.  An item that is not an object gives no JSON text: a string
 * item's value is its unquoted text, which would not parse.
 */
#define SOURCE_SQL_FIELD(n) \
	", json_type(obj, ?" #n "), json_extract(obj, ?" #n ")"
static const char source_sql_items[] =
    "WITH item(type, obj) AS MATERIALIZED ("
    "SELECT type, CASE type WHEN 'object' THEN value END"
    " FROM json_each(?1, ?2))"
    " SELECT type" SOURCE_SQL_FIELD(3) SOURCE_SQL_FIELD(4) SOURCE_SQL_FIELD(5)
    SOURCE_SQL_FIELD(6) SOURCE_SQL_FIELD(7) SOURCE_SQL_FIELD(8)
    SOURCE_SQL_FIELD(9) ", instr(obj, '\\u0000') FROM item";

/* The column of the items statement that says an item holds a "\u0000"
 * (SQLite keeps the escapes of the item's text as they were written). */
#define SOURCE_SQL_NUL_COL	15

/*
 * The fields a list item gives, in the order of the items statement's key
 * parameters: where the key's name is in the configuration, and where the
 * value goes in the record.  The id and the file id may be integers.
 */
#define SOURCE_JSON_FIELD(key, field, integer_ok) { \
	offsetof(struct conf_source, key), offsetof(struct record, field), \
	integer_ok }
static const struct source_json_field {
	size_t key;
	size_t field;
	int integer_ok;
} source_json_fields[] = {
	SOURCE_JSON_FIELD(id_field, id, 1),
	SOURCE_JSON_FIELD(file_id_field, file_id, 1),
	SOURCE_JSON_FIELD(title_field, title, 0),
	SOURCE_JSON_FIELD(date_field, date, 0),
	SOURCE_JSON_FIELD(media_field, media, 0),
	SOURCE_JSON_FIELD(digest_field, digest, 0),
	SOURCE_JSON_FIELD(link_field, link, 0),
};

#define SOURCE_NFIELDS \
	(sizeof(source_json_fields) / sizeof(source_json_fields[0]))
#define SOURCE_KEY(sc, i) \
	(*(char *const *)((const char *)(sc) + source_json_fields[i].key))
#define SOURCE_FIELD(r, i) \
	((char **)((char *)(r) + source_json_fields[i].field))

_Static_assert(SOURCE_NFIELDS == 7, "the items statement has 7 key slots");

static const char source_not_json[] = "the response is not valid JSON";

/* Reports the last error of the connection; returns -1. */
static int
source_sql_fail(char *err, size_t errlen)
{
	err_set(err, errlen, "SQLite: %s", sqlite3_errmsg(source_sql.db));
	return -1;
}

static int
source_sql_prepare(const char *sql, sqlite3_stmt **st, char *err,
    size_t errlen)
{
	if (sqlite3_prepare_v3(source_sql.db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return source_sql_fail(err, errlen);
	return 0;
}

/* Opens the connection and prepares the statements, unless done already. */
static int
source_sql_open(char *err, size_t errlen)
{
	if (source_sql.db != NULL)
		return 0;
	if (sqlite3_open_v2(":memory:", &source_sql.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_set(err, errlen, "SQLite: %s",
		    source_sql.db != NULL ? sqlite3_errmsg(source_sql.db) :
		    "out of memory");
		goto fail;
	}
	/*
	 * A big list's materialized items would otherwise spill to a
	 * temporary file, and a parser does no I/O.
	 */
	if (sqlite3_exec(source_sql.db, "PRAGMA temp_store = MEMORY", NULL,
	    NULL, NULL) != SQLITE_OK) {
		source_sql_fail(err, errlen);
		goto fail;
	}
	if (source_sql_prepare(source_sql_head, &source_sql.head, err,
	    errlen) == -1 ||
	    source_sql_prepare(source_sql_items, &source_sql.items, err,
	    errlen) == -1 ||
	    source_sql_prepare(source_sql_text, &source_sql.text, err,
	    errlen) == -1)
		goto fail;
	return 0;
fail:
	source_json_cleanup();
	return -1;
}

/*
 * Binds the response BUF[LEN] to ?1 of ST, without a copy, and PATH (NULL
 * naming nothing) to ?2.  The caller checked that BUF holds no NUL byte.
 */
static int
source_sql_bind(sqlite3_stmt *st, const char *buf, size_t len,
    const char *path, char *err, size_t errlen)
{
	if (sqlite3_bind_text64(st, 1, len > 0 ? buf : "", len, SQLITE_STATIC,
	    SQLITE_UTF8) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC) != SQLITE_OK)
		return source_sql_fail(err, errlen);
	return 0;
}

/*
 * Resets ST and clears its bindings, so that it keeps no pointer into the
 * caller's buffers.  sqlite3_reset() returns again the code of the last
 * step, which the caller has dealt with; sqlite3_clear_bindings() cannot
 * fail.
 */
static void
source_sql_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* 1 when column COL of ST is the text S (a json_type() name). */
static int
source_sql_is(sqlite3_stmt *st, int col, const char *s)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL && strcmp((const char *)t, s) == 0;
}

/* 1 when the json_type() in column COL of ST says missing, or null. */
static int
source_sql_is_absent(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ||
	    source_sql_is(st, col, "null");
}

/*
 * A malloc'd copy of the string in column COL of ST, into *OUT.  SQLite
 * passes through whatever bytes a JSON string holds, decodes a lone
 * surrogate escape into bytes no UTF-8 allows, and a "\u0000" into a NUL
 * that would cut the string short ("nul\u0000/../x" read as "nul", which
 * could be another record's id): such a string is refused, its record
 * skipped, and the rest of the response read.  0; 1 with *WHY set (static)
 * for a string refused; -1 with ERR set.
 */
/*
 * 1 when a string SQLite's JSON functions take out of BUF[LEN] may not be
 * valid UTF-8.  BUF is valid UTF-8 (source.c decoded it), and SQLite
 * copies a string's bytes as they are and turns its escapes into what
 * they stand for, which is valid UTF-8 but for a surrogate: it writes
 * "\uD800" out as the three bytes ED A0 80.  (The JSON5 escape "\xHH",
 * which SQLite 3.42 to 3.44 wrote out as the raw byte, never gets here:
 * json_valid(), the statements' WHERE, refuses JSON5.)  So only a "\u" followed by
 * D and one of 8 to F can give one.  Every backslash is looked at, even
 * one that a backslash before it escapes: a false alarm costs a
 * validation, never a miss.  Validating every string was a twelfth of the
 * daemon's instructions in `make bench`, whose responses have none.
 */
static int
source_json_may_be_invalid(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 4 && p[1] == 'u' && (p[2] | 0x20) == 'd' &&
		    (p[3] == '8' || p[3] == '9' ||
		    ((p[3] | 0x20) >= 'a' && (p[3] | 0x20) <= 'f')))
			return 1;
		p++;
	}
	return 0;
}

/*
 * Copies column COL of ST into *OUT.  CHECK: the response may hold a
 * string that is not valid UTF-8 (source_json_may_be_invalid), so it is
 * validated.  0; 1 with *WHY set when the field is not taken; -1 with ERR
 * set.
 */
static int
source_sql_column_dup(sqlite3_stmt *st, int col, int check, char **out,
    const char **why, char *err, size_t errlen)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n, bytes;

	*out = NULL;
	if (s == NULL)
		return source_sql_fail(err, errlen);
	bytes = (size_t)sqlite3_column_bytes(st, col);
	n = strnlen((const char *)s, bytes);
	if (n < bytes) {
		*why = "a field holds a NUL character (\\u0000)";
		return 1;
	}
	if (check && !utf8_is_valid(s, n)) {
		*why = "a field is not valid UTF-8 (a lone surrogate or a stray byte)";
		return 1;
	}
	if ((*out = malloc(n + 1)) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return 0;
}

/*
 * SQLite reads bound text only up to a NUL byte whatever its length, and
 * would take "{} NUL junk" for valid: a NUL byte makes a response invalid
 * here.
 */
static int
source_json_check_nul(const char *buf, size_t len, char *err, size_t errlen)
{
	if (len > 0 && memchr(buf, '\0', len) != NULL) {
		err_set(err, errlen, "%s: it holds a NUL byte",
		    source_not_json);
		return -1;
	}
	return 0;
}

/*
 * The SQLite JSON path of the key NAME, or with DOTTED of the key path
 * NAME ("data.list" gives '$."data"."list"'), malloc'd, into *PATH.  Each
 * key is quoted, so that one with '.', '[' or a blank in it still names a
 * key, and a '\' doubled, as in the key's JSON text, which is what SQLite
 * compares.  SQLite has no way to name a key with a '"' in it: *PATH is
 * then NULL, a path that names nothing, as it is for a NULL NAME.  -1 when
 * memory runs out.
 */
static int
source_json_path(const char *name, int dotted, char **path)
{
	const char *s;
	char *p;
	size_t n = sizeof("$.\"\"");

	*path = NULL;
	if (name == NULL || strchr(name, '"') != NULL)
		return 0;
	for (s = name; *s != '\0'; s++)
		n += *s == '.' && dotted ? 3 : *s == '\\' ? 2 : 1;
	if ((p = *path = malloc(n)) == NULL)
		return -1;
	memcpy(p, "$.\"", 3);
	for (p += 3, s = name; *s != '\0'; s++) {
		if (*s == '.' && dotted) {
			memcpy(p, "\".\"", 3);
			p += 3;
			continue;
		}
		if (*s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	memcpy(p, "\"", 2);
	return 0;
}

/* Checks that BUF[LEN] is a JSON object with an array at PATH. */
static int
source_json_head(const struct conf_source *sc, const char *buf, size_t len,
    const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st = source_sql.head;
	int rc = -1, step;

	if (source_sql_bind(st, buf, len, path, err, errlen) == -1)
		goto done;
	if ((step = sqlite3_step(st)) == SQLITE_DONE)
		err_set(err, errlen, "%s", source_not_json);
	else if (step != SQLITE_ROW)
		source_sql_fail(err, errlen);
	else if (!source_sql_is(st, 0, "object"))
		err_set(err, errlen, "the response is not a JSON object");
	else if (!source_sql_is(st, 1, "array"))
		err_set(err, errlen, "no array '%s' in the response",
		    sc->list_items != NULL ? sc->list_items : "");
	else
		rc = 0;
done:
	source_sql_done(st);
	return rc;
}

/*
 * Fills R from the current row of ST.  Only a JSON string counts, or an
 * integer where the field allows one (the ids; the date of a source whose
 * dates are Unix times), as its decimal text; an integer past 64 bits
 * comes from SQLite as a real and does not count.  Anything else
 * leaves the field NULL.  0, or -1 with ERR set.
 */
static int
source_json_item(const struct conf_source *sc, sqlite3_stmt *st, int check,
    struct record *r, char *err, size_t errlen)
{
	const char *bad = NULL;
	size_t i;
	int col, integer_ok, rc;

	if (!source_sql_is(st, 0, "object")) {
		r->skip = "item is not an object";
		return 0;
	}
	for (i = 0; i < SOURCE_NFIELDS; i++) {
		col = 1 + 2 * (int)i;
		/* A date may be a number where the source's dates are. */
		integer_ok = source_json_fields[i].integer_ok ||
		    (source_json_fields[i].field == offsetof(struct record,
		    date) && record_date_is_numeric(sc));
		if (!source_sql_is(st, col, "text") && !(integer_ok &&
		    source_sql_is(st, col, "integer") &&
		    sqlite3_column_type(st, col + 1) == SQLITE_INTEGER))
			continue;
		rc = source_sql_column_dup(st, col + 1, check,
		    SOURCE_FIELD(r, i), &bad, err, errlen);
		if (rc == -1)
			return -1;
	}
	/* SQLite cuts a string at its "\u0000": "nul\u0000/../x" would be read
	 * as "nul", which could be another record's id. */
	if (bad == NULL && sqlite3_column_int(st, SOURCE_SQL_NUL_COL) > 0)
		bad = "a field holds a NUL character (\\u0000)";
	if (bad != NULL) {
		r->skip = bad;
		return 0;
	}
	if (sc->file_id_field == NULL && r->id != NULL &&
	    (r->file_id = strdup(r->id)) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	r->skip = record_check(sc, r, sc->file_id_field != NULL,
	    sc->media_field != NULL);
	return 0;
}

/*
 * Appends a record per item of the array at PATH in BUF[LEN] to OUT.  The
 * path of each field's key goes in KEYS.
 */
static int
source_json_items(const struct conf_source *sc, const char *buf, size_t len,
    const char *path, char *keys[], struct record_list *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = source_sql.items;
	size_t i;
	int rc = -1, step, check = source_json_may_be_invalid(buf, len);

	if (source_sql_bind(st, buf, len, path, err, errlen) == -1)
		goto done;
	for (i = 0; i < SOURCE_NFIELDS; i++)
		if (sqlite3_bind_text(st, (int)i + 3, keys[i], -1,
		    SQLITE_STATIC) != SQLITE_OK) {
			source_sql_fail(err, errlen);
			goto done;
		}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (record_list_reserve(out, 1) == -1) {
			err_set(err, errlen, "out of memory");
			goto done;
		}
		if (source_json_item(sc, st, check, record_list_push(out),
		    err, errlen) == -1)
			goto done;
	}
	if (step != SQLITE_DONE)
		source_sql_fail(err, errlen);
	else
		rc = 0;
done:
	source_sql_done(st);
	return rc;
}

int
source_json_list(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	char *path, *keys[SOURCE_NFIELDS] = { NULL };
	size_t n0 = out->n, i;
	int rc = -1;

	if (source_json_check_nul(buf, len, err, errlen) == -1 ||
	    source_sql_open(err, errlen) == -1)
		return -1;
	if (source_json_path(sc->list_items, 1, &path) == -1)
		goto nomem;
	for (i = 0; i < SOURCE_NFIELDS; i++)
		if (source_json_path(SOURCE_KEY(sc, i), 0, &keys[i]) == -1)
			goto nomem;
	if (source_json_head(sc, buf, len, path, err, errlen) == 0 &&
	    source_json_items(sc, buf, len, path, keys, out, err, errlen) == 0)
		rc = 0;
	goto done;
nomem:
	err_set(err, errlen, "out of memory");
done:
	if (rc == -1)
		record_list_truncate(out, n0);
	for (i = 0; i < SOURCE_NFIELDS; i++)
		free(keys[i]);
	free(path);
	return rc;
}

/*
 * The article HTML of a JSON text response.  Some variants of the text API
 * name the key "content" instead of "text", so that name is tried where the
 * configured one is missing or null.
 */
char *
source_json_text(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    char *err, size_t errlen)
{
	const char *key = sc->text_field != NULL ? sc->text_field : "text";
	const char *why = NULL;
	sqlite3_stmt *st;
	char *path, *s = NULL;
	int col = 1, step;

	if (source_json_check_nul(buf, len, err, errlen) == -1 ||
	    source_sql_open(err, errlen) == -1)
		return NULL;
	if (source_json_path(key, 1, &path) == -1) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	st = source_sql.text;
	if (source_sql_bind(st, buf, len, path, err, errlen) == -1)
		goto done;
	if ((step = sqlite3_step(st)) == SQLITE_DONE) {
		err_set(err, errlen, "%s", source_not_json);
		goto done;
	}
	if (step != SQLITE_ROW) {
		source_sql_fail(err, errlen);
		goto done;
	}
	if (!source_sql_is(st, 0, "object")) {
		err_set(err, errlen, "the response is not a JSON object");
		goto done;
	}
	if (source_sql_is_absent(st, 1) && strcmp(key, "content") != 0)
		col = 3;
	if (source_sql_is_absent(st, col))
		err_set(err, errlen, "no '%s' in the response", key);
	else if (!source_sql_is(st, col, "text"))
		err_set(err, errlen,
		    "'%s' in the response is not a string", key);
	else if (sqlite3_column_int(st, 5) > 0)
		/* SQLite would cut the article at it, silently. */
		err_set(err, errlen, "'%s' in the response holds a NUL "
		    "character (\\u0000)", key);
	else if (source_sql_column_dup(st, col + 1,
	    source_json_may_be_invalid(buf, len), &s, &why, err, errlen) == 1)
		err_set(err, errlen, "'%s' in the response: %s", key, why);
done:
	source_sql_done(st);
	free(path);
	return s;
}

void
source_json_cleanup(void)
{
	/*
	 * Finalizing a statement that was reset returns SQLITE_OK, and with
	 * every statement finalized closing cannot fail.
	 */
	(void)sqlite3_finalize(source_sql.head);
	(void)sqlite3_finalize(source_sql.items);
	(void)sqlite3_finalize(source_sql.text);
	(void)sqlite3_close(source_sql.db);
	memset(&source_sql, 0, sizeof(source_sql));
}
