// SPDX-License-Identifier: MIT
/*
 * The dashboard's life on the terminal: taking it over and giving it back
 * (on quit, on SIGINT/SIGTERM/SIGHUP, on errors, and at exit() as a last
 * resort), the keys, the live tick, and the replay's loop, which plans
 * playback in trace time mapped to wall time by the speed and feeds the
 * model in bounded slices so keys are answered while it reads.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "replay/dash/view.h"

#define MS 1000000ULL
#define FEED_BUDGET (30 * MS)  /* reading per loop turn */
#define SCAN_BUDGET (10 * MS)  /* timeline scan per loop turn */
#define BUSY_REDRAW (100 * MS) /* while seeking: progress this often */

static const unsigned refresh_ladder[] = { 100, 200, 500, 1000, 2000, 5000 };
#define NREFRESH (sizeof(refresh_ladder) / sizeof(refresh_ladder[0]))

/* The dashboard holding the terminal, for the exit-time safety net. */
static struct dash *holder;
static SCREEN *screen;

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- the terminal ---------------------------------------------------------- */

static void term_close(struct dash *d)
{
	if (!d || !d->curses)
		return;
	curs_set(1);
	endwin();
	if (screen)
		delscreen(screen);
	screen = NULL;
	d->curses = false;
	holder = NULL;
}

static void at_exit(void)
{
	term_close(holder);
}

static int term_open(struct dash *d)
{
	static bool registered;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	if (holder)
		return -EBUSY;
	/* Characters only: numbers keep the C locale's decimal point. */
	setlocale(LC_CTYPE, "");
	d->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	screen = newterm(NULL, stdout, stdin);
	if (!screen)
		return -ENXIO; /* no terminfo entry for $TERM */
	d->curses = true;
	holder = d;
	if (!registered && atexit(at_exit) == 0)
		registered = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_CYAN, -1);
		init_pair(PAIR_BAR, COLOR_GREEN, -1);
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_HEADER, COLOR_BLUE, -1);
		init_pair(PAIR_CURSOR, COLOR_YELLOW, -1);
		init_pair(PAIR_DIM, COLOR_WHITE, -1);
		d->colors = true;
	}
	d->dirty = true;
	return 0;
}

/* ---- keys ------------------------------------------------------------------- */

/* Replay, playing: the play clock goes back to what is shown (the feed
 * runs behind it by up to a redraw), so a pause, a speed change or a step
 * starts from the position on the screen. Once per batch of keys: the
 * position moves only when the loop feeds. */
static void sync_play(struct dash *d, uint64_t wall)
{
	if (d->live || !d->play.playing || d->synced)
		return;
	dash_play__seek(&d->play, dash_player__position(d->pl), wall);
	d->synced = true;
}

static void toggle_play(struct dash *d, uint64_t wall)
{
	if (d->play.playing) {
		sync_play(d, wall);
		dash_play__set_playing(&d->play, false, wall);
	} else {
		dash_play__set_playing(&d->play, true, wall);
	}
}

static void apply_filter(struct dash *d, const char *text)
{
	char comm[16], err[128], msg[160] = "", desc[96];
	int64_t pid;

	if (dash_parse_filter(text, &pid, comm, sizeof(comm), err, sizeof(err))) {
		view__status(d, true, "%s", err);
		return;
	}
	if (d->live) {
		int e = d->host.set_filter ?
				d->host.set_filter(d->host.ctx, pid, comm[0] ? comm : NULL, msg, sizeof(msg)) :
				-ENOTSUP;
		if (e) {
			view__status(d, true, "cannot change the filter: %s",
				     msg[0] ? msg : strerror(-e));
			return;
		}
		if (pid >= 0 && comm[0])
			snprintf(d->live_filter, sizeof(d->live_filter), "pid %lld, comm %s",
				 (long long)pid, comm);
		else if (pid >= 0)
			snprintf(d->live_filter, sizeof(d->live_filter), "pid %lld", (long long)pid);
		else if (comm[0])
			snprintf(d->live_filter, sizeof(d->live_filter), "comm %s", comm);
		else
			snprintf(d->live_filter, sizeof(d->live_filter), "none");
		/* What is recorded changed: count from here, and connections
		 * from scratch (the filter may hide their closes). */
		dash_model__restart(d->m, boot_ns());
		dash_model__forget_connections(d->m);
		view__status(d, false, "recording %s from now on; counters reset%s%s",
			     pid < 0 && !comm[0] ? "everything" : d->live_filter, msg[0] ? ": " : "",
			     msg);
		return;
	}
	dash_player__set_filter(d->pl, pid, comm);
	view__status(d, false, "filter %s: replayed again from the start",
		     dash_model__filter_text(d->m, desc, sizeof(desc)));
}

static void cycle_sort(struct dash *d)
{
	switch (d->focus) {
	case PANEL_HIST:
		d->hist_sort = (d->hist_sort + 1) % DASH_HIST_NSORT;
		view__status(d, false, "syscalls sorted by %s", dash_hist_sort_name(d->hist_sort));
		break;
	case PANEL_TCP:
		d->tcp_sort = (d->tcp_sort + 1) % DASH_TCP_NSORT;
		view__status(d, false, "connections sorted by %s", dash_tcp_sort_name(d->tcp_sort));
		break;
	case PANEL_EVENTS:
		d->type_sort = (d->type_sort + 1) % DASH_TYPE_NSORT;
		view__status(d, false, "event types sorted by %s", dash_type_sort_name(d->type_sort));
		break;
	default:
		view__status(d, false, "the probes panel has one order; focus 1, 2 or 3 to sort");
		break;
	}
	d->sel[d->focus] = d->top[d->focus] = 0;
}

static void move_sel(struct dash *d, int delta)
{
	size_t n = panel__rows(d, d->focus);
	int64_t s = (int64_t)d->sel[d->focus] + delta;

	if (s < 0 || n == 0)
		s = 0;
	else if ((size_t)s >= n)
		s = (int64_t)n - 1;
	d->sel[d->focus] = (size_t)s;
}

static void change_refresh(struct dash *d, int delta)
{
	size_t i = 0;

	while (i + 1 < NREFRESH && refresh_ladder[i] < d->refresh_ms)
		i++;
	if (delta > 0 && i > 0)
		i--;
	else if (delta < 0 && i + 1 < NREFRESH)
		i++;
	d->refresh_ms = refresh_ladder[i];
	d->next_draw = 0;
	view__status(d, false, "redrawing every %u ms", d->refresh_ms);
}

static void handle_key(struct dash *d, int ch)
{
	uint64_t wall = view__mono_ns();
	char s[16];

	if (ch == KEY_RESIZE) {
		clearok(curscr, TRUE);
		d->dirty = true;
		return;
	}
	d->dirty = true;
	if (d->help) {
		d->help = false;
		return;
	}
	if (d->prompting) {
		enum dash_prompt_result r = dash_prompt__key(&d->prompt, ch);

		if (r == DASH_PROMPT_DONE) {
			d->prompting = false;
			apply_filter(d, d->prompt.text);
		} else if (r == DASH_PROMPT_CANCEL) {
			d->prompting = false;
			view__status(d, false, "filter unchanged");
		}
		return;
	}
	switch (dash_keys__action(ch, !d->live)) {
	case DASH_ACT_QUIT:
		d->quit = true;
		break;
	case DASH_ACT_PAUSE:
		if (d->live) {
			d->paused = !d->paused;
			view__status(d, false, d->paused ? "display frozen; the recording goes on (p resumes)"
							 : "display resumed");
		} else {
			toggle_play(d, wall);
		}
		break;
	case DASH_ACT_PLAY:
		toggle_play(d, wall);
		break;
	case DASH_ACT_RESET:
		if (d->live)
			dash_model__restart(d->m, boot_ns());
		else
			dash_player__restart(d->pl);
		view__status(d, false, "counters reset: counting from here");
		break;
	case DASH_ACT_FILTER:
		d->prompting = true;
		d->prompt.len = 0;
		d->prompt.text[0] = 0;
		break;
	case DASH_ACT_FOCUS1: case DASH_ACT_FOCUS2: case DASH_ACT_FOCUS3: case DASH_ACT_FOCUS4:
		d->focus = (enum dash_panel)(dash_keys__action(ch, !d->live) - DASH_ACT_FOCUS1);
		break;
	case DASH_ACT_FOCUS_NEXT:
		d->focus = (enum dash_panel)((d->focus + 1) % NPANELS);
		break;
	case DASH_ACT_REFRESH_UP:
		change_refresh(d, 1);
		break;
	case DASH_ACT_REFRESH_DOWN:
		change_refresh(d, -1);
		break;
	case DASH_ACT_HELP:
		d->help = true;
		break;
	case DASH_ACT_SORT:
		cycle_sort(d);
		break;
	case DASH_ACT_SLOWER:
	case DASH_ACT_FASTER:
		sync_play(d, wall);
		dash_play__change_speed(&d->play, dash_keys__action(ch, true) == DASH_ACT_FASTER ? 1 : -1,
					wall);
		view__status(d, false, "speed %s", dash_play__speed_text(&d->play, s, sizeof(s)));
		break;
	case DASH_ACT_BACK: case DASH_ACT_FORWARD: case DASH_ACT_BACK_MORE: case DASH_ACT_FORWARD_MORE: {
		enum dash_action a = dash_keys__action(ch, true);
		int steps = a == DASH_ACT_BACK ? -1 : a == DASH_ACT_FORWARD ? 1 :
			    a == DASH_ACT_BACK_MORE ? -10 : 10;

		sync_play(d, wall);
		dash_play__step(&d->play, steps, d->strip_cells > 0 ? (size_t)d->strip_cells : 100, wall);
		break;
	}
	case DASH_ACT_START:
		dash_play__seek(&d->play, d->play.first_ns, wall);
		break;
	case DASH_ACT_END:
		dash_play__seek(&d->play, d->play.last_ns, wall);
		break;
	case DASH_ACT_UP: move_sel(d, -1); break;
	case DASH_ACT_DOWN: move_sel(d, 1); break;
	case DASH_ACT_PAGE_UP: move_sel(d, -10); break;
	case DASH_ACT_PAGE_DOWN: move_sel(d, 10); break;
	case DASH_ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		d->dirty = false;
		break;
	}
}

static void read_keys(struct dash *d)
{
	int ch;

	while (d->curses && (ch = getch()) != ERR)
		handle_key(d, ch);
}

static void init_ui(struct dash *d, unsigned refresh_ms)
{
	d->refresh_ms = refresh_ms ? refresh_ms : 1000;
	if (d->refresh_ms < refresh_ladder[0])
		d->refresh_ms = refresh_ladder[0];
	d->focus = PANEL_HIST;
}

/* ---- live ------------------------------------------------------------------- */

struct dash *dash__open_live(const struct dash_live_opts *opts)
{
	struct dash_live_opts o = { .sz = sizeof(o), .pid = -1 };
	struct dash_model_opts mo = { .sz = sizeof(mo), .bucket_ns = 1000000000ULL };
	struct utsname u;
	struct dash *d;
	int err = -ENOMEM;

	if (opts) {
		size_t n = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
		memcpy(&o, opts, n);
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->live = true;
	if (o.host) {
		size_t n = o.host->sz < sizeof(d->host) ? o.host->sz : sizeof(d->host);
		memcpy(&d->host, o.host, n);
	}
	d->m = dash_model__new(&mo);
	if (!d->m)
		goto fail;
	init_ui(d, o.refresh_ms);
	snprintf(d->title, sizeof(d->title), "RECORDING -> %s", o.output ? o.output : "?");
	if (uname(&u) == 0) {
		snprintf(d->hostname, sizeof(d->hostname), "%s", u.nodename);
		snprintf(d->kernel, sizeof(d->kernel), "%s", u.release);
	}
	if (o.pid >= 0 && o.comm)
		snprintf(d->live_filter, sizeof(d->live_filter), "pid %lld+children, comm %s",
			 (long long)o.pid, o.comm);
	else if (o.pid >= 0)
		snprintf(d->live_filter, sizeof(d->live_filter), "pid %lld+children", (long long)o.pid);
	else if (o.comm)
		snprintf(d->live_filter, sizeof(d->live_filter), "comm %s", o.comm);
	else
		snprintf(d->live_filter, sizeof(d->live_filter), "none");
	d->start_mono = view__mono_ns();
	err = term_open(d);
	if (err)
		goto fail;
	return d;
fail:
	dash__close(d);
	errno = -err;
	return NULL;
}

int dash__feed(struct dash *d, const struct trace_event *ev)
{
	return dash_model__feed(d->m, ev);
}

static void live_draw(struct dash *d)
{
	if (d->host.counts)
		d->have_counts = d->host.counts(d->host.ctx, &d->counts) == 0;
	dash_model__set_now(d->m, boot_ns());
	view__draw(d);
}

int dash__tick(struct dash *d)
{
	uint64_t now;

	if (!d)
		return 0;
	/* getch() also reports a resize (KEY_RESIZE), which stdin does not. */
	read_keys(d);
	if (d->quit)
		return 1;
	now = view__mono_ns();
	if (d->dirty || (!d->paused && now >= d->next_draw) ||
	    (d->status_until && now >= d->status_until)) {
		if (d->status_until && now >= d->status_until)
			d->status_until = 0;
		live_draw(d);
		d->dirty = false;
		if (now >= d->next_draw)
			d->next_draw = now + d->refresh_ms * MS;
	}
	return 0;
}

void dash__close(struct dash *d)
{
	if (!d)
		return;
	term_close(d);
	if (d->live)
		dash_model__free(d->m);
	free(d);
}

/* ---- replay ------------------------------------------------------------------ */

static volatile sig_atomic_t replay_signal;

static void on_signal(int sig)
{
	replay_signal = sig;
}

static void on_damage(const struct trace_damage *dm, void *ctx)
{
	struct dash *d = ctx;
	uint64_t key = (uint64_t)dm->offset ^ ((uint64_t)(unsigned)dm->err << 48) ^ dm->length << 20;

	/* Seeking back reads the same damage again: report each block once. */
	for (size_t i = 0; i < d->ndamage_seen; i++)
		if (d->damage_seen[i] == key)
			return;
	if (d->ndamage_seen < sizeof(d->damage_seen) / sizeof(d->damage_seen[0]))
		d->damage_seen[d->ndamage_seen++] = key;
	d->damaged_blocks++;
	d->damaged_bytes += dm->length;
	view__status(d, true, "damaged at offset %llu, %llu bytes skipped: %s",
		     (unsigned long long)dm->offset, (unsigned long long)dm->length,
		     dm->what ? dm->what : trace_strerror(dm->err));
}

static void replay_meta(struct dash *d, const char *const *paths, size_t n)
{
	struct trace_reader *r = dash_player__reader(d->pl);
	const char *v, *probes = trace_reader__meta(r, 0, "probes");

	/* The recorder's keys (format/FORMAT.md, "Metadata"). */
	v = trace_reader__meta(r, 0, "host.hostname");
	snprintf(d->hostname, sizeof(d->hostname), "%s", v ? v : "(unknown)");
	v = trace_reader__meta(r, 0, "host.kernel_release");
	snprintf(d->kernel, sizeof(d->kernel), "%s", v ? v : "(unknown)");
	if (n > 1)
		snprintf(d->title, sizeof(d->title), "REPLAY %s (+%zu files)", paths[0], n - 1);
	else
		snprintf(d->title, sizeof(d->title), "REPLAY %s", paths[0]);
	while (probes && *probes && d->nprobes < DASH_MAX_PROBES) {
		size_t len = strcspn(probes, ",");
		struct dash_probe_info *p = &d->probes[d->nprobes];
		char key[64];

		if (len && len < sizeof(p->name)) {
			memcpy(p->name, probes, len);
			p->name[len] = 0;
			snprintf(key, sizeof(key), "probe.%s", p->name);
			v = trace_reader__meta(r, 0, key);
			snprintf(p->strategy, sizeof(p->strategy), "%s", v ? v : "");
			d->nprobes++;
		}
		probes += len + (probes[len] == ',');
	}
}

static int replay_loop(struct dash *d)
{
	uint64_t wall;
	int err;

	while (!d->quit && !replay_signal) {
		bool busy, scanning = !dash_player__scanned(d->pl);

		if (scanning) {
			err = dash_player__scan(d->pl, SCAN_BUDGET);
			if (err < 0)
				return err;
			d->dirty |= err == 0;
		}
		wall = view__mono_ns();
		err = dash_player__advance(d->pl, dash_play__cursor(&d->play, wall), FEED_BUDGET);
		if (err < 0)
			return err;
		d->synced = false;
		busy = err == 1;
		wall = view__mono_ns();
		if (!busy && dash_play__check_end(&d->play, dash_player__position(d->pl), wall))
			d->dirty = true;
		if (d->status_until && wall >= d->status_until) {
			d->status_until = 0;
			d->dirty = true;
		}
		if (d->dirty || (wall >= d->next_draw && (d->play.playing || busy || scanning))) {
			view__draw(d);
			d->dirty = false;
			d->next_draw = wall + (busy || scanning ? BUSY_REDRAW : d->refresh_ms * MS);
		}

		/* Wait for a key, or until there is something to show. */
		int timeout = -1;
		if (busy || scanning)
			timeout = 0;
		else if (d->play.playing)
			timeout = d->next_draw > wall ? (int)((d->next_draw - wall) / MS) + 1 : 0;
		if (d->status_until) {
			int t = d->status_until > wall ? (int)((d->status_until - wall) / MS) + 1 : 0;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			return -errno;
		/* The terminal went away without a SIGHUP: nobody is watching. */
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		read_keys(d);
	}
	return 0;
}

int dash__replay(const char *const *paths, size_t n, struct dash_replay_opts *opts)
{
	struct dash_replay_opts o = { .sz = sizeof(o), .pid = -1 };
	struct sigaction sa, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct dash *d;
	int err = -ENOMEM;

	if (opts) {
		size_t k = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
		memcpy(&o, opts, k);
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	init_ui(d, o.refresh_ms);

	struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage, .ctx = d };
	struct dash_player_opts po = { .sz = sizeof(po), .reader = &ro, .pid = o.pid, .comm = o.comm };
	d->pl = dash_player__open(paths, n, &po);
	if (!d->pl) {
		err = -errno;
		free(d);
		return err;
	}
	d->m = dash_player__model(d->pl);
	replay_meta(d, paths, n);
	dash_play__init(&d->play, dash_player__first_ns(d->pl), dash_player__last_ns(d->pl),
			view__mono_ns());
	if (!o.paused)
		dash_play__set_playing(&d->play, true, view__mono_ns());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the wait returns at once */
	replay_signal = 0;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	err = term_open(d);
	if (!err)
		err = replay_loop(d);
	term_close(d);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (opts) {
		opts->damaged_blocks = d->damaged_blocks;
		opts->damaged_bytes = d->damaged_bytes;
	}
	dash_player__free(d->pl);
	free(d);
	return err;
}
