/*
 * charset: which character set a response is written in, and its bytes as
 * UTF-8.
 *
 * Owns the decision, in this order of trust: the source's configured
 * charset (which wins), the charset parameter of the response's
 * Content-Type, a byte order mark, and, for an HTML page, the <meta
 * charset> or <meta http-equiv="Content-Type"> found by a prescan of the
 * page's first CHARSET_SNIFF_MAX bytes; UTF-8 when nothing says.  Labels
 * are read as the WHATWG Encoding Standard reads them (gb2312 and gbk are
 * decoded as GB18030, their superset; iso-8859-1 and us-ascii as
 * windows-1252); any other name is handed to iconv as it is written.
 *
 * Owns the conversion too, with glibc's iconv.  Bytes that do not decode
 * are neither guessed at nor dropped: each run of them becomes a mark, a
 * short string of Unicode noncharacters (U+FDD0, the decimal digits of the
 * run's offset in the response as U+FDE0..U+FDE9, U+FDD1) that survives the
 * JSON and HTML parsers, so that a parser can tell which record the bad
 * bytes fell into and say where they were.  A source's own U+FDD0..U+FDEF,
 * noncharacters no text should carry, count as bytes that do not decode,
 * so that a mark is always one of ours.
 *
 * Pure functions of their arguments, libc and iconv: no I/O, no logging,
 * no state, so that a fuzzer can drive them.  Calls utf8 and util.
 */
#ifndef FINEWSD_CHARSET_H
#define FINEWSD_CHARSET_H

#include <stddef.h>

/* Room for a charset name, its NUL included; a longer label is unknown. */
#define CHARSET_NAME_MAX	40

/*
 * How much of an HTML page the <meta> prescan reads.  The WHATWG prescan
 * stops at 1024 bytes, but a browser still honours a later <meta> while it
 * parses the head; pages with long inline scripts before theirs are
 * common, so finewsd looks further.
 */
#define CHARSET_SNIFF_MAX	65536

/*
 * A response with more runs of bytes that do not decode than this is not
 * in the charset it was read as: it fails as a whole rather than skipping
 * record after record (and a mark per byte would grow it thirtyfold).
 */
#define CHARSET_MARKS_MAX	100

enum charset_origin {
	CHARSET_FROM_DEFAULT,
	CHARSET_FROM_CONFIG,
	CHARSET_FROM_HEADER,
	CHARSET_FROM_BOM,
	CHARSET_FROM_META,
};

/* The charset a response is read in. */
struct charset_choice {
	char name[CHARSET_NAME_MAX];	/* for iconv_open(); "UTF-8" */
	enum charset_origin origin;
	size_t bom;			/* bytes of byte order mark to skip */
};

/*
 * The iconv name of LABEL into NAME: a WHATWG label of UTF-8, GBK,
 * GB18030, Big5, windows-1252 or UTF-16 by its table, anything else as
 * written once iconv has opened it.  Blanks around LABEL are ignored.  0,
 * or -1 when LABEL is not a charset iconv knows (or has characters no
 * charset name has: only letters, digits and "._:+-" are taken).
 */
int charset_resolve(const char *label, char name[CHARSET_NAME_MAX]);

/* Where a choice came from, for messages: "the Content-Type", ... */
const char *charset_origin_name(enum charset_origin origin);

/*
 * Decides the charset of the response BUF[LEN] into *CH: CONFIGURED (a
 * source's charset key, already checked; NULL when unset), else the
 * charset parameter of CONTENT_TYPE (NULL when the response had none),
 * else a BOM, else with HTML the page's <meta>, else UTF-8.  0, or -1 with
 * a message in ERR when the label found is not a charset iconv knows.
 */
int charset_choose(const char *configured, const char *content_type,
    const char *buf, size_t len, int html, struct charset_choice *ch,
    char *err, size_t errlen);

/*
 * BUF[LEN] read in CH's charset, as UTF-8 without its BOM, each run of
 * bytes that do not decode replaced by a mark.  Returns a pointer to the
 * UTF-8 and its length in *OUTLEN: into BUF itself when BUF is UTF-8
 * needing no change (by far the usual case; *COPY is then NULL), else a
 * NUL-terminated copy also stored in *COPY for the caller to free.  The
 * number of marks made goes in *MARKS (MARKS may be NULL): with none, no
 * string parsed out of the UTF-8 needs looking at for one.  NULL with a
 * message in ERR (errno EILSEQ when more than CHARSET_MARKS_MAX runs do
 * not decode, ENOMEM, or EINVAL when iconv cannot open CH).
 */
const char *charset_decode(const struct charset_choice *ch, const char *buf,
    size_t len, size_t *outlen, char **copy, size_t *marks, char *err,
    size_t errlen);

/*
 * 1 when S[N] holds a mark (or any of U+FDD0..U+FDEF), with the offset it
 * names in *OFFSET (the first mark's; (size_t)-1 when it names none, as a
 * mark cut short does); 0 when it holds none.
 */
int charset_mark_find(const char *s, size_t n, size_t *offset);

/*
 * "bytes that do not decode as NAME at offset OFFSET" (OFFSET as
 * charset_mark_find() gives it) into ERR: the one wording of the logs.
 */
void charset_undecoded_message(char *err, size_t errlen, const char *name,
    size_t offset);

#endif
