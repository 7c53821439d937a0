/*
 * main: the command line, and the daemon's life: start, signals, stop.
 *
 * Parses the options, loads the configuration (a bad one is fatal at start,
 * only logged at reload), opens the store, and wires the modules together
 * on one libev loop: fetch (transport) → scheduler (polls, parsing, dedupe)
 * → batch (files, rows) → feeds, after the repair at start.  Signals
 * arrive as ev_signal watchers, so no work is done in signal context and
 * none is lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <ev.h>
#include <libxml/parser.h>

#include "archive.h"
#include "conf.h"
#include "fetch.h"
#include "fsutil.h"
#include "hook.h"
#include "import.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "finewsd_paths.h"
#include "repair.h"
#include "scheduler.h"
#include "source.h"
#include "status.h"
#include "store.h"
#include "util.h"
#include "websub.h"

#define DEFAULT_CONF SYSCONFDIR "/finewsd/finewsd.conf"

enum mode { MODE_DAEMON, MODE_ONCE, MODE_CHECK, MODE_IMPORT, MODE_STATUS,
	MODE_READINGS };

struct daemon {
	struct ev_loop *loop;
	const char *conf_path;
	struct scheduler *sched;
	struct store *st;
	struct hook *hook;
	struct websub *websub;
	int sitefd;             /* the lock of the site being written */
	int next_sitefd;        /* that of a reload's new site_dir, until the
	                         * reload takes effect; -1 */
	ev_signal sigusr1, sighup, sigterm, sigint;
	ev_timer watchdog;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: finewsd [-v] [-c FILE]                 run as a daemon\n"
	    "       finewsd [-v] [-c FILE] --once          poll every source once, write, exit\n"
	    "       finewsd [-c FILE] --check              validate the configuration\n"
	    "       finewsd [-v] [-c FILE] --import DIR    import existing Jekyll posts\n"
	    "       finewsd [-c FILE] --status [--json]    each source's state; exit 0 ok,\n"
	    "                                              1 some failing, 2 no database\n"
	    "       finewsd [-c FILE] --readings           show the learned readings\n"
	    "       finewsd --version | --help\n"
	    "The default FILE is %s.\n", DEFAULT_CONF);
}

/*
 * Descriptors: every transfer holds a socket, and finewsd itself a few
 * more (the database and its WAL, the event loop, the hook's pipes), and
 * the batch writer up to FSUTIL_HELD_MAX unnamed post files until their
 * batch is committed.  A max_transfers the descriptor limit cannot hold
 * would fail transfers as "Couldn't connect" (EMFILE): the soft limit is
 * raised towards the hard one if need be, and a configuration that still
 * does not fit its transfers is refused at start, naming both numbers.
 * What is left past the transfers is what the writer may hold; with less
 * than FSUTIL_HELD_MAX its other files get temporary names.
 */
#define MAIN_FDS_OWN	32

static int
limits_check(const struct conf *c)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)c->max_transfers + MAIN_FDS_OWN;
	rlim_t want = need + FSUTIL_HELD_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ?
		    want : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		log_error("%s: max_transfers = %ld needs %llu file descriptors, "
		    "but the limit (RLIMIT_NOFILE) is %llu: lower max_transfers "
		    "or raise the limit (LimitNOFILE= in the unit)", c->path,
		    c->max_transfers, (unsigned long long)need,
		    (unsigned long long)rl.rlim_cur);
		return -1;
	}
	fsutil_set_held_max(rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= want ? FSUTIL_HELD_MAX : (size_t)(rl.rlim_cur - need));
	return 0;
}

/*
 * One process writes a site: two finewsd on two databases and one site_dir
 * would each take the other's post files for free (a post of one written
 * over a post of the other with the same file name) and each rewrite the
 * feeds with its own posts alone.  The writer (the daemon, --once,
 * --import) holds an exclusive flock on the site's folder itself, so that
 * nothing is added to the site and no time of it changes; a reload that
 * moves site_dir takes the new folder's at the signal, and lets the old
 * one go only when the reload takes effect, once no poll is under way:
 * until then the daemon still writes there (reload_lock, on_applied).
 * The descriptor, or -1 logged.
 */
static int
site_lock(const struct conf *c)
{
	int fd;

	if (fsutil_mkdirs(c->site_dir) == -1 ||
	    (fd = open(c->site_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("site %s", c->site_dir);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("site %s is in use by another finewsd; one "
			    "process per site_dir", c->site_dir);
		else
			log_warn("site %s: lock", c->site_dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* The first post file nftw() meets, in site_has_post's search. */
static char site_post[4096];

static int
site_post_find(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	const char *name = path + ftw->base;
	size_t len = strlen(name);

	(void)sb;
	if (flag == FTW_F && name[0] != '.' && len > 3 &&
	    strcmp(name + len - 3, ".md") == 0) {
		(void)snprintf(site_post, sizeof(site_post), "%s", path);
		return 1;
	}
	return 0;
}

/*
 * A post file below the site's _posts/ or archive folder, at any depth, as
 * --import and Jekyll read them (links not followed), into site_post: 1,
 * or 0.
 */
static int
site_has_post(const struct conf *c)
{
	const char *const dirs[] = { "_posts", c->archive_dir };
	int found = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !found; i++) {
		char *path = path_join(c->site_dir, dirs[i]);

		found = path != NULL && nftw(path, site_post_find, 16, FTW_PHYS) == 1;
		free(path);
	}
	return found;
}

/*
 * A new database (or a lost one) pointed at a site that is not new: the
 * posts already there would never be in the feeds, the slugs the site
 * uses for their media would not be known, so new posts of those media
 * could get other URLs, and the feeds would be written anew with the new
 * posts alone.  --import takes a site over.  So a database without posts
 * is refused beside a site with post files, until it has passed this
 * check once with that site (the flag site_checked names the site that
 * passed: a crash in its first run leaves post files without rows, which
 * its next run writes again; another site_dir, at a start or a reload, is
 * checked afresh), and so is a database whose last --import did not
 * finish (import_running).  0, or -1 logged.
 */
static int
site_check(const struct conf *c, struct store *st)
{
	long long checked = 0, importing = 0, key = path_key(c->site_dir), n;

	if (store_flag_get(st, "import_running", &importing) == -1 ||
	    store_flag_get(st, "site_checked", &checked) == -1)
		return -1;
	if (importing) {
		log_error("database %s: the last --import into it did not "
		    "finish: run it again (\"finewsd -c %s --import %s\")",
		    c->database, c->path, c->site_dir);
		return -1;
	}
	if (checked == key)
		return 0;
	if ((n = store_posts_count(st, NULL)) < 0)
		return -1;
	if (n == 0 && site_has_post(c)) {
		log_error("site %s has posts (%s) and database %s has none: "
		    "take the site over with \"finewsd -c %s --import %s\" "
		    "first, or give the database that wrote them", c->site_dir,
		    site_post, c->database, c->path, c->site_dir);
		return -1;
	}
	return store_flag_set(st, "site_checked", key);
}

/* Lets go of the lock a reload took that has not taken effect. */
static void
reload_unlock(struct daemon *d)
{
	if (d->next_sitefd != -1)
		close(d->next_sitefd);
	d->next_sitefd = -1;
}

/* 1 when PATH is the folder open as FD, however it is spelled. */
static int
site_same(int fd, const char *path)
{
	struct stat a, b;

	return fd != -1 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * The lock of C's site_dir, for a reload to C: none needed when it is the
 * site the daemon writes, kept when it is a pending reload's; a pending
 * reload to another site gives way, and its lock with it.  The folders are
 * compared as files, since flock would refuse the daemon its own site
 * spelled another way ("/srv/site/").  0, or -1 logged (the pending
 * reload, if any, then stays).
 */
static int
reload_lock(struct daemon *d, const struct conf *c)
{
	int fd = -1;

	if (site_same(d->next_sitefd, c->site_dir))
		return 0;
	if (!site_same(d->sitefd, c->site_dir) && (fd = site_lock(c)) == -1)
		return -1;
	reload_unlock(d);
	d->next_sitefd = fd;
	return 0;
}

/*
 * A reload took effect: the old site is written no more, and the hook and
 * the hub of the new configuration are those told of the polls from now
 * on (the polls that ended under the old one told the old ones).
 */
static void
on_applied(void *arg)
{
	struct daemon *d = arg;
	const struct conf *c = scheduler_conf(d->sched);

	if (d->next_sitefd != -1) {
		close(d->sitefd);
		d->sitefd = d->next_sitefd;
		d->next_sitefd = -1;
	}
	hook_set_argv(d->hook, c->on_update);
	(void)websub_set_hub(d->websub, c->websub_hub, c->interval);
}

/* What a refused reload leaves in place, for its message. */
static const char *
reload_kept(const struct daemon *d)
{
	return scheduler_reload_pending(d->sched) ? "the configuration read "
	    "at the SIGHUP before stays, to take effect once no poll is under "
	    "way" : "keeping the old configuration";
}

static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	char err[1024];
	struct conf *c;

	switch (w->signum) {
	case SIGUSR1:
		log_info("SIGUSR1: polling every source now");
		scheduler_all_now(d->sched);
		break;
	case SIGHUP:
		log_info("SIGHUP: reading %s", d->conf_path);
		notify_reloading();
		if ((c = conf_load(d->conf_path, err, sizeof(err))) == NULL ||
		    limits_check(c) == -1 || (!site_same(d->sitefd,
		    c->site_dir) && site_check(c, d->st) == -1) ||
		    reload_lock(d, c) == -1) {
			if (c == NULL)
				log_error("reload: %s; %s", err, reload_kept(d));
			else
				log_error("reload: %s", reload_kept(d));
			conf_destroy(c);
			notify_ready();
			scheduler_all_now(d->sched);
			break;
		}
		if (strcmp(c->database, scheduler_conf(d->sched)->database) != 0)
			log_warnx("reload: database changes take effect at the next start");
		scheduler_reload(d->sched, c);
		break;
	default:
		log_info("signal %d: stopping", w->signum);
		notify_stopping();
		ev_break(loop, EVBREAK_ALL);
	}
}

static void
on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	notify_watchdog();
}

static void
on_wrote(void *arg, int posts)
{
	struct daemon *d = arg;

	archive_run(scheduler_conf(d->sched), d->st, time(NULL));
	if (posts > 0)
		hook_run(d->hook);
}

/* A feed changed: tell the WebSub hub, if there is one. */
static void
on_feed_written(void *arg, const char *url)
{
	struct daemon *d = arg;

	websub_publish(d->websub, url);
}

static void
signal_watch(struct daemon *d, ev_signal *w, int signum)
{
	ev_signal_init(w, on_signal, signum);
	w->data = d;
	ev_signal_start(d->loop, w);
}

/*
 * Creates the database's folder when it is missing, as the site's folders
 * are: mode 0700, since the database (the sources' state, every post) is
 * finewsd's alone, while the site beside it is for a web server to read.
 * 0, or -1 logged.
 */
static int
database_dir_make(const struct conf *c)
{
	if (fsutil_mkparent(c->database, 0700) == -1) {
		log_warn("database %s: cannot create its folder", c->database);
		return -1;
	}
	return 0;
}

/* Runs the loop: once, or as a daemon until SIGTERM/SIGINT.  Exit status. */
static int
run(struct conf *c, const char *conf_path, int once)
{
	struct daemon d = { .conf_path = conf_path, .sitefd = -1,
	    .next_sitefd = -1 };
	struct store *st = NULL;
	struct fetch *f = NULL;
	struct feeds *feeds = NULL;
	struct batch *batch = NULL;
	struct store_ckpt *ckpt;
	struct metrics *metrics = NULL;
	struct fetch_opts fo;
	char err[1024] = "";
	int status = 1;

	if (database_dir_make(c) == -1 ||
	    (st = store_open(c->database, err, sizeof(err))) == NULL ||
	    (d.sitefd = site_lock(c)) == -1 || site_check(c, st) == -1) {
		if (st == NULL && err[0] != '\0')
			log_error("%s", err);
		if (d.sitefd != -1)
			close(d.sitefd);
		/* A refused start leaves no new database behind. */
		if (st != NULL && store_created(st))
			store_discard(st);
		else
			store_close(st);
		conf_destroy(c);
		return 1;
	}
	d.st = st;
	ckpt = store_ckpt_open(st);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	scheduler_fetch_opts(c, &fo);
	if ((metrics = metrics_create()) == NULL ||
	    (f = fetch_create(d.loop, &fo)) == NULL ||
	    (feeds = feeds_create(c, st)) == NULL ||
	    (batch = batch_create(c, st, feeds)) == NULL ||
	    (d.websub = websub_create(d.loop, f, once)) == NULL ||
	    websub_set_hub(d.websub, c->websub_hub, c->interval) == -1)
		goto out;
	feeds_on_written(feeds, on_feed_written, &d);
	if (repair_run(c, st, feeds) == -1)
		goto out;
	if ((d.hook = hook_create(d.loop, c->on_update, (double)c->on_update_timeout)) == NULL)
		goto out;
	if (!once) {
		signal_watch(&d, &d.sigusr1, SIGUSR1);
		signal_watch(&d, &d.sighup, SIGHUP);
		signal_watch(&d, &d.sigterm, SIGTERM);
		signal_watch(&d, &d.sigint, SIGINT);
		if (notify_watchdog_interval() > 0) {
			ev_timer_init(&d.watchdog, on_watchdog, 0., notify_watchdog_interval());
			ev_timer_start(d.loop, &d.watchdog);
		}
		log_info("finewsd %s started: %zu sources, database %s, site %s",
		    PACKAGE_VERSION, c->nsources, c->database, c->site_dir);
		notify_ready();
	}
	if ((d.sched = scheduler_create(d.loop, c, st, f, batch, feeds, once)) == NULL) {
		log_warn("scheduler");
		goto out;
	}
	c = NULL;   /* the scheduler owns it now */
	scheduler_on_wrote(d.sched, on_wrote, &d);
	scheduler_on_applied(d.sched, on_applied, &d);
	scheduler_set_metrics(d.sched, metrics);
	if (!once || scheduler_busy(d.sched))
		ev_run(d.loop, 0);
	if (once) {
		/* on_update of a --once run is waited for: the caller expects the
		 * site to be rebuilt when finewsd returns. */
		hook_wait(d.hook);
		websub_wait(d.websub);
		status = scheduler_failed(d.sched) || scheduler_feeds_failed(d.sched) ||
		    hook_failed(d.hook) ? 1 : 0;
	} else {
		/* Complete posts still queued are written; a poll cut short is
		 * taken up again at the next start. */
		if (batch_flush(batch) >= 0)
			(void)feeds_write(feeds);
		status = 0;
	}
	/* Nothing more is written: the next start may trust the site. */
	(void)repair_stamp(scheduler_conf(d.sched), st);
out:
	/* The transfers first: their callbacks free what the polls hold. */
	fetch_destroy(f);
	websub_destroy(d.websub);
	scheduler_destroy(d.sched);
	conf_destroy(c);
	hook_destroy(d.hook);
	batch_destroy(batch);
	feeds_destroy(feeds);
	metrics_destroy(metrics);
	store_ckpt_close(ckpt);
	store_close(st);
	close(d.sitefd);
	reload_unlock(&d);
	if (d.loop != NULL)
		ev_loop_destroy(d.loop);
	if (!once && status == 0)
		log_info("stopped");
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'k' },
		{ "import", required_argument, NULL, 'i' },
		{ "status", no_argument, NULL, 's' },
		{ "readings", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = DEFAULT_CONF, *import_dir = NULL;
	enum mode mode = MODE_DAEMON;
	int ch, verbose = 0, nmodes = 0, json = 0, rc;
	struct conf *c;
	char err[1024];

	while ((ch = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'o': mode = MODE_ONCE; nmodes++; break;
		case 'k': mode = MODE_CHECK; nmodes++; break;
		case 'i': mode = MODE_IMPORT; import_dir = optarg; nmodes++; break;
		case 's': mode = MODE_STATUS; nmodes++; break;
		case 'r': mode = MODE_READINGS; nmodes++; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'V': printf("finewsd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || nmodes > 1 || (json && mode != MODE_STATUS)) {
		usage(stderr);
		return 2;
	}
	log_init(verbose);
	notify_init();
	signal(SIGPIPE, SIG_IGN);
	if ((c = conf_load(conf_path, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		if (mode == MODE_STATUS && json)
			(void)status_print_conf_error(err, stdout);
		return 2;
	}
	if (mode != MODE_STATUS && mode != MODE_READINGS && limits_check(c) == -1) {
		conf_destroy(c);
		return 2;
	}
	if (mode == MODE_CHECK) {
		rc = printf("%s: ok, %zu sources\n", conf_path, c->nsources) < 0 ||
		    fflush(stdout) == EOF ? 1 : 0;
		if (rc != 0)
			log_warn("stdout");
		conf_destroy(c);
		return rc;
	}
	if (mode == MODE_STATUS || mode == MODE_READINGS) {
		rc = mode == MODE_STATUS ? status_print(c, json, stdout) :
		    status_readings_print(c, stdout);
		conf_destroy(c);
		return rc;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("curl_global_init failed");
		conf_destroy(c);
		return 1;
	}
	xmlInitParser();
	if (mode == MODE_IMPORT) {
		int sitefd = -1;

		rc = database_dir_make(c) == -1 || (sitefd = site_lock(c)) == -1 ?
		    1 : import_run(c, import_dir);
		if (sitefd != -1)
			close(sitefd);
		conf_destroy(c);
	} else
		rc = run(c, conf_path, mode == MODE_ONCE);
	source_cleanup();
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
