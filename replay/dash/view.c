// SPDX-License-Identifier: MIT
/*
 * Drawing the dashboard: the layout (panels stacked below 150 columns, in
 * two columns from there; the focused panel gets the room it wants first),
 * the header, the replay's timeline strip, the status line, the footer with
 * the keys, the help overlay and the filter prompt. Each frame is drawn
 * whole; ncurses sends only what changed.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "replay/dash/view.h"

#define TWO_COLUMNS_FROM 150
#define MIN_LINES 12
#define MIN_COLS 60

uint64_t view__mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void view__status(struct dash *d, bool alert, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->status, sizeof(d->status), fmt, ap);
	va_end(ap);
	d->status_alert = alert;
	d->status_until = view__mono_ns() + 5000000000ULL;
	d->dirty = true;
}

/* ---- helpers ------------------------------------------------------------- */

static void style_on(struct dash *d, int pair, attr_t extra)
{
	if (d->colors && pair)
		attron(COLOR_PAIR(pair));
	if (extra)
		attron(extra);
}

static void style_off(struct dash *d, int pair, attr_t extra)
{
	if (d->colors && pair)
		attroff(COLOR_PAIR(pair));
	if (extra)
		attroff(extra);
}

int view__put(int y, int x, int w, const char *s)
{
	char buf[512];
	int n = 0;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	/* Printable ASCII only: the columns then add up exactly. */
	for (; s[n] && n < w && n < (int)sizeof(buf) - 1; n++)
		buf[n] = (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f ? s[n] : '?';
	buf[n] = 0;
	mvaddstr(y, x, buf);
	return n;
}

void view__put_right(int y, int x, int w, const char *s)
{
	int len = (int)strlen(s);

	if (len > w)
		len = w;
	view__put(y, x + w - len, len, s);
}

static void put_glyph(struct dash *d, int y, int x, const char *utf8, char ascii)
{
	char a[2] = { ascii, 0 };

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	mvaddstr(y, x, d->utf8 ? utf8 : a);
}

static void rule(struct dash *d, int y, int x, int w)
{
	for (int i = 0; i < w; i++)
		put_glyph(d, y, x + i, "\xe2\x94\x80", '-'); /* U+2500 */
}

void view__title(struct dash *d, int y, int x, int w, enum dash_panel p, const char *name,
		 const char *extra)
{
	char buf[256];
	int used;
	bool focused = d->focus == p;

	snprintf(buf, sizeof(buf), " %d %s ", (int)p + 1, name);
	style_on(d, focused ? 0 : PAIR_TITLE, focused ? A_REVERSE | A_BOLD : A_BOLD);
	used = view__put(y, x, w, buf);
	style_off(d, focused ? 0 : PAIR_TITLE, focused ? A_REVERSE | A_BOLD : A_BOLD);
	if (extra && *extra && used < w) {
		snprintf(buf, sizeof(buf), " %s ", extra);
		used += view__put(y, x + used, w - used, buf);
	}
	if (used < w) {
		style_on(d, PAIR_DIM, 0);
		rule(d, y, x + used, w - used);
		style_off(d, PAIR_DIM, 0);
	}
}

void view__bar(struct dash *d, int y, int x, int w, uint64_t value, uint64_t max)
{
	static const char *const eighths[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
						"\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a",
						"\xe2\x96\x89" };
	if (w <= 0 || !max || !value)
		return;
	uint64_t units = (uint64_t)((double)value / (double)max * (double)w * 8.0 + 0.5);
	if (units == 0)
		units = 1; /* something, however small */
	int full = (int)(units / 8), part = (int)(units % 8);

	style_on(d, PAIR_BAR, 0);
	for (int i = 0; i < full && i < w; i++)
		put_glyph(d, y, x + i, "\xe2\x96\x88", '#'); /* U+2588 */
	if (part && full < w)
		put_glyph(d, y, x + full, eighths[part], '#');
	style_off(d, PAIR_BAR, 0);
}

void view__spark(struct dash *d, int y, int x, const uint64_t *v, size_t n, bool alert)
{
	static const char *const levels[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
					      "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
					      "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char ascii[] = "_.-:=+*#";
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	style_on(d, alert ? PAIR_ALERT : PAIR_BAR, 0);
	for (size_t i = 0; i < n; i++) {
		if (!v[i]) {
			put_glyph(d, y, x + (int)i, " ", ' ');
			continue;
		}
		size_t l = (size_t)((double)v[i] / (double)max * 7.0 + 0.5);
		put_glyph(d, y, x + (int)i, levels[l], ascii[l]);
	}
	style_off(d, alert ? PAIR_ALERT : PAIR_BAR, 0);
}

/* Pieces of a line, dropped by priority (higher first) when the line is
 * too narrow, kept in their order. */
struct piece {
	char text[320];
	int prio;
	int pair;
	attr_t attr;
};

static void pack(struct dash *d, int y, int w, struct piece *p, size_t n, int pair, attr_t attr)
{
	int maxprio = 0, x = 0;
	bool keep[16] = { false };

	for (size_t i = 0; i < n; i++)
		if (p[i].prio > maxprio)
			maxprio = p[i].prio;
	for (int level = 0; level <= maxprio; level++) {
		for (size_t i = 0; i < n && i < 16; i++) {
			if (p[i].prio != level)
				continue;
			int width = 0;
			keep[i] = true;
			for (size_t k = 0; k < n && k < 16; k++)
				if (keep[k])
					width += (int)strlen(p[k].text) + 2;
			if (width - 2 > w - 1 && level > 0)
				keep[i] = false;
		}
	}
	style_on(d, pair, attr);
	for (int i = 0; i < w; i++)
		mvaddch(y, i, ' ');
	x = 1;
	for (size_t i = 0; i < n && i < 16; i++) {
		if (!keep[i] || x >= w)
			continue;
		if (p[i].pair || p[i].attr)
			style_on(d, p[i].pair, p[i].attr);
		x += view__put(y, x, w - x, p[i].text) + 2;
		if (p[i].pair || p[i].attr) {
			style_off(d, p[i].pair, p[i].attr);
			style_on(d, pair, attr);
		}
	}
	style_off(d, pair, attr);
}

/* ---- header --------------------------------------------------------------- */

static int64_t realtime_of(struct dash *d, uint64_t boot_ns)
{
	int64_t real = 0;

	if (d->live) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	if (trace_reader__realtime(dash_player__reader(d->pl), 0, boot_ns, &real))
		return 0;
	return real;
}

static void draw_header(struct dash *d, int y, int w)
{
	struct piece p[8];
	char a[32], b[32], filt[96];
	size_t n = 0;

	memset(p, 0, sizeof(p));
	snprintf(p[n].text, sizeof(p[n].text), "ebpf-trace");
	p[n].attr = A_BOLD;
	p[n++].prio = 0;
	snprintf(p[n].text, sizeof(p[n].text), "%s", d->title);
	p[n++].prio = 0;
	snprintf(p[n].text, sizeof(p[n].text), "host %s", d->hostname);
	p[n++].prio = 1;
	snprintf(p[n].text, sizeof(p[n].text), "kernel %s", d->kernel);
	p[n++].prio = 2;
	pack(d, y, w, p, n, PAIR_HEADER, A_REVERSE);

	memset(p, 0, sizeof(p));
	n = 0;
	if (d->live) {
		dash_fmt_elapsed(a, sizeof(a), view__mono_ns() - d->start_mono);
		snprintf(p[n].text, sizeof(p[n].text), "elapsed %s", a);
		p[n++].prio = 0;
		snprintf(p[n].text, sizeof(p[n].text), "%s", dash_fmt_clock(a, sizeof(a), realtime_of(d, 0)));
		p[n++].prio = 2;
	} else {
		uint64_t first = dash_player__first_ns(d->pl), pos = dash_player__position(d->pl);

		dash_fmt_elapsed(a, sizeof(a), pos - first);
		dash_fmt_elapsed(b, sizeof(b), dash_player__last_ns(d->pl) - first);
		snprintf(p[n].text, sizeof(p[n].text), "at %s of %s", a, b);
		p[n++].prio = 0;
		snprintf(p[n].text, sizeof(p[n].text), "%s",
			 dash_fmt_clock(a, sizeof(a), realtime_of(d, pos)));
		p[n++].prio = 2;
	}
	snprintf(p[n].text, sizeof(p[n].text), "events/s %s",
		 dash_fmt_rate(a, sizeof(a), dash_model__rate(d->m)));
	p[n++].prio = 0;
	snprintf(p[n].text, sizeof(p[n].text), "events %s",
		 dash_fmt_count(a, sizeof(a), dash_model__events(d->m), 9));
	p[n++].prio = 1;
	uint64_t lost = d->live && d->have_counts ? d->counts.lost : dash_model__lost(d->m);
	snprintf(p[n].text, sizeof(p[n].text), "lost %s", dash_fmt_count(a, sizeof(a), lost, 9));
	if (lost)
		p[n].pair = PAIR_ALERT, p[n].attr = A_BOLD;
	p[n++].prio = 0;
	if (d->live && d->have_counts) {
		snprintf(p[n].text, sizeof(p[n].text), "disk %s",
			 dash_fmt_bytes(a, sizeof(a), d->counts.bytes_written, 4));
		p[n++].prio = 1;
	}
	if (d->live)
		snprintf(filt, sizeof(filt), "%s", d->live_filter);
	else
		dash_model__filter_text(d->m, filt, sizeof(filt));
	snprintf(p[n].text, sizeof(p[n].text), "filter %s", filt);
	if (strcmp(filt, "none") != 0)
		p[n].attr = A_BOLD;
	p[n++].prio = 0;
	pack(d, y + 1, w, p, n, 0, 0);
}

/* ---- the timeline strip (replay) ----------------------------------------- */

static void draw_strip(struct dash *d, int y, int w)
{
	uint64_t first = dash_player__first_ns(d->pl), last = dash_player__last_ns(d->pl);
	uint64_t len = last - first, pos = dash_player__position(d->pl);
	int n = w - 2;
	uint64_t ev[512], lost[512], max = 0;
	char a[32], label[48];

	if (n > 512)
		n = 512;
	d->strip_cells = n;
	for (int i = 0; i < n; i++) {
		/* The cells of dash_play__cell(). */
		uint64_t from = first + (uint64_t)((double)i * (double)len / n);
		uint64_t to = i == n - 1 ? last + 1 : first + (uint64_t)((double)(i + 1) * (double)len / n);

		dash_player__strip(d->pl, from, to, &ev[i], &lost[i]);
		if (ev[i] > max)
			max = ev[i];
	}
	int cur = (int)dash_play__cell(&d->play, pos, (size_t)n);
	for (int i = 0; i < n; i++) {
		static const char *const levels[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
						      "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
						      "\xe2\x96\x87", "\xe2\x96\x88" };
		static const char ascii[] = "_.-:=+*#";
		bool played = i <= cur;

		if (lost[i]) {
			style_on(d, PAIR_ALERT, A_BOLD);
			put_glyph(d, y, 1 + i, "!", '!');
			style_off(d, PAIR_ALERT, A_BOLD);
			continue;
		}
		style_on(d, played ? PAIR_BAR : PAIR_DIM, 0);
		if (!ev[i]) {
			put_glyph(d, y, 1 + i, "\xc2\xb7", '.'); /* middle dot: nothing here */
		} else {
			size_t l = (size_t)((double)ev[i] / (double)max * 7.0 + 0.5);
			put_glyph(d, y, 1 + i, levels[l], ascii[l]);
		}
		style_off(d, played ? PAIR_BAR : PAIR_DIM, 0);
	}
	/* Below: the ends and the cursor with its offset. */
	view__put(y + 1, 1, 8, "0s");
	dash_fmt_elapsed(a, sizeof(a), len);
	view__put_right(y + 1, 1, n, a);
	dash_fmt_elapsed(a, sizeof(a), pos - first);
	int lw = (int)strlen(a);
	style_on(d, PAIR_CURSOR, A_BOLD);
	if (cur + 2 + lw <= n) {
		snprintf(label, sizeof(label), "^ %s", a);
		view__put(y + 1, 1 + cur, n - cur, label);
	} else {
		snprintf(label, sizeof(label), "%s ^", a);
		int x = cur - lw - 1;
		view__put(y + 1, 1 + (x < 0 ? 0 : x), lw + 2, label);
	}
	style_off(d, PAIR_CURSOR, A_BOLD);
	if (!dash_player__scanned(d->pl))
		view__put(y + 1, 1 + n / 2 - 12, 24, " reading the timeline... ");
}

/* ---- status line and footer ------------------------------------------------ */

static const char *mode_text(struct dash *d, char *buf, size_t size)
{
	char s[16];

	if (d->live) {
		snprintf(buf, size, "%s", d->paused ? "PAUSED (recording goes on)" : "RECORDING");
		return buf;
	}
	double prog = dash_player__progress(d->pl);
	if (prog < 1.0)
		snprintf(buf, size, "SEEKING %d%%", (int)(prog * 100));
	else if (d->play.playing)
		snprintf(buf, size, "PLAYING %s", dash_play__speed_text(&d->play, s, sizeof(s)));
	else if (dash_player__position(d->pl) >= dash_player__last_ns(d->pl))
		snprintf(buf, size, "END (%s)", dash_play__speed_text(&d->play, s, sizeof(s)));
	else
		snprintf(buf, size, "PAUSED (%s)", dash_play__speed_text(&d->play, s, sizeof(s)));
	return buf;
}

static void draw_status(struct dash *d, int y, int w)
{
	char mode[64], right[48], a[16];
	int x;

	move(y, 0);
	clrtoeol();
	if (d->prompting) {
		char filt[96], line[256];

		if (d->live)
			snprintf(filt, sizeof(filt), "%s", d->live_filter);
		else
			dash_model__filter_text(d->m, filt, sizeof(filt));
		snprintf(line, sizeof(line), "filter: pid or comm, empty clears (now %s): %s", filt,
			 d->prompt.text);
		style_on(d, 0, A_BOLD);
		x = view__put(y, 0, w - 1, line);
		style_off(d, 0, A_BOLD);
		move(y, x);
		return;
	}
	style_on(d, PAIR_HEADER, A_REVERSE | A_BOLD);
	x = view__put(y, 0, w, " ");
	x += view__put(y, x, w - x, mode_text(d, mode, sizeof(mode)));
	x += view__put(y, x, w - x, " ");
	style_off(d, PAIR_HEADER, A_REVERSE | A_BOLD);
	x++;
	if (d->refresh_ms >= 1000)
		snprintf(a, sizeof(a), "%us", d->refresh_ms / 1000);
	else
		snprintf(a, sizeof(a), "%ums", d->refresh_ms);
	snprintf(right, sizeof(right), "refresh %s", a);
	int rw = (int)strlen(right);
	if (d->status[0] && view__mono_ns() < d->status_until) {
		int room = w - x - rw - 2, len = (int)strlen(d->status);

		style_on(d, d->status_alert ? PAIR_ALERT : 0, A_BOLD);
		if (len <= room) {
			view__put(y, x, room, d->status);
		} else {
			/* Too long: the message takes the keys' row as well, broken
			 * at a space, for the few seconds it is shown. */
			int cut = room;

			while (cut > room / 2 && d->status[cut] != ' ')
				cut--;
			if (d->status[cut] != ' ')
				cut = room;
			view__put(y, x, cut, d->status);
			move(y + 1, 0);
			clrtoeol();
			view__put(y + 1, 1, w - 2, d->status + cut + (d->status[cut] == ' '));
			rw = 0;
		}
		style_off(d, d->status_alert ? PAIR_ALERT : 0, A_BOLD);
	} else if (d->damaged_blocks) {
		char msg[96];

		snprintf(msg, sizeof(msg), "damaged trace: %llu block(s) skipped",
			 (unsigned long long)d->damaged_blocks);
		style_on(d, PAIR_ALERT, 0);
		view__put(y, x, w - x - rw - 2, msg);
		style_off(d, PAIR_ALERT, 0);
	}
	if (rw && w - rw - 1 > x)
		view__put(y, w - rw - 1, rw, right);
}

static void draw_footer(struct dash *d, int y, int w)
{
	static const struct {
		const char *text;
		int prio;
		bool replay_only;
	} keys[] = {
		{ "q quit", 0, false },	       { "h help", 0, false },
		{ "space play", 0, true },     { "<> speed", 1, true },
		{ "<-/-> seek", 1, true },     { "g/G ends", 2, true },
		{ "p pause", 1, false },       { "f filter", 0, false },
		{ "r reset", 1, false },       { "s sort", 1, false },
		{ "1-4 focus", 1, false },     { "+/- refresh", 2, false },
	};
	struct piece p[16];
	size_t n = 0;

	memset(p, 0, sizeof(p));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].replay_only && d->live)
			continue;
		if (d->live && strcmp(keys[i].text, "p pause") == 0)
			p[n].prio = 0;
		else
			p[n].prio = keys[i].prio;
		snprintf(p[n].text, sizeof(p[n].text), "%s", keys[i].text);
		n++;
	}
	pack(d, y, w, p, n, PAIR_DIM, 0);
}

/* ---- help ------------------------------------------------------------------ */

static void draw_help(struct dash *d)
{
	static const char *const lines[] = {
		"Keys",
		"q           quit (live: stops the recording)",
		"p           live: freeze the display; replay: play/pause",
		"r           reset: counters, rates, histograms, lost, closed",
		"f           filter by pid or comm; empty clears",
		"1-4, Tab    focus a panel (it gets the room first)",
		"up/down j/k select a row in the focused panel",
		"PgUp/PgDn   a page of rows",
		"s           cycle the focused panel's sort",
		"+ / -       redraw more / less often",
		"h, ?        this help; any key closes it",
		"",
		"Replay",
		"space       play / pause",
		"< / >       slower / faster: 1x up to max",
		"left/right  seek one cell of the timeline",
		"b / w       seek ten cells (shift-arrows too)",
		"g / G       go to the start / the end",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0]));
	if (d->live)
		n -= 7; /* the replay's keys */
	int bw = 68, bh = n + 2;

	if (bw > COLS - 2)
		bw = COLS - 2;
	if (bh > LINES - 2)
		bh = LINES - 2;
	int y0 = (LINES - bh) / 2, x0 = (COLS - bw) / 2;
	for (int y = 0; y < bh; y++) {
		move(y0 + y, x0);
		for (int x = 0; x < bw; x++)
			addch(' ');
	}
	style_on(d, PAIR_TITLE, 0);
	for (int x = 0; x < bw; x++) {
		put_glyph(d, y0, x0 + x, "\xe2\x94\x80", '-');
		put_glyph(d, y0 + bh - 1, x0 + x, "\xe2\x94\x80", '-');
	}
	for (int y = 0; y < bh; y++) {
		put_glyph(d, y0 + y, x0, "\xe2\x94\x82", '|');
		put_glyph(d, y0 + y, x0 + bw - 1, "\xe2\x94\x82", '|');
	}
	put_glyph(d, y0, x0, "\xe2\x94\x8c", '+');
	put_glyph(d, y0, x0 + bw - 1, "\xe2\x94\x90", '+');
	put_glyph(d, y0 + bh - 1, x0, "\xe2\x94\x94", '+');
	put_glyph(d, y0 + bh - 1, x0 + bw - 1, "\xe2\x94\x98", '+');
	style_off(d, PAIR_TITLE, 0);
	for (int i = 0; i < n && i < bh - 2; i++) {
		bool head = i == 0 || strcmp(lines[i], "Replay") == 0;

		if (head)
			attron(A_BOLD);
		view__put(y0 + 1 + i, x0 + 2, bw - 4, lines[i]);
		if (head)
			attroff(A_BOLD);
	}
}

/* ---- layout ----------------------------------------------------------------- */

/* Shares rows between panels: each gets its title and up to three rows
 * more, the focused one then up to half of the room, the others what they
 * want, the focused one the rest of what it wants; anything left over
 * goes to the focused panel. */
static void share(int total, const int *want, int n, int focus, int *h)
{
	int left = total;

	for (int i = 0; i < n; i++)
		h[i] = 0;
	for (int pass = 0; pass < 5 && left > 0; pass++) {
		for (int k = 0; k < n && left > 0; k++) {
			int i = (focus + k) % n, cap;

			switch (pass) {
			case 0: cap = 1; break;
			case 1: cap = want[i] < 4 ? want[i] : 4; break;
			case 2: cap = i == focus ? (want[i] < total / 2 ? want[i] : total / 2) : 0; break;
			case 3: cap = i == focus ? 0 : want[i]; break;
			default: cap = i == focus ? want[i] : 0; break;
			}
			if (cap > h[i]) {
				int give = cap - h[i] < left ? cap - h[i] : left;
				h[i] += give;
				left -= give;
			}
		}
	}
	if (left > 0)
		h[focus] += left;
}

static void draw_panels(struct dash *d, int y, int h, int w)
{
	int want[NPANELS], hh[NPANELS];

	if (w >= TWO_COLUMNS_FROM) {
		/* Left: histograms over events; right: TCP over probes. */
		static const enum dash_panel cols[2][2] = { { PANEL_HIST, PANEL_EVENTS },
							    { PANEL_TCP, PANEL_PROBES } };
		int lw = (w - 1) / 2, rw = w - lw - 1;

		for (int c = 0; c < 2; c++) {
			int cw = c ? rw : lw, cx = c ? lw + 1 : 0, wv[2], hv[2];
			int focus = d->focus == cols[c][1] ? 1 : 0;

			for (int k = 0; k < 2; k++)
				wv[k] = panel__want(d, cols[c][k], cw);
			share(h, wv, 2, focus, hv);
			panel__draw(d, cols[c][0], y, cx, hv[0], cw);
			panel__draw(d, cols[c][1], y + hv[0], cx, hv[1], cw);
		}
		style_on(d, PAIR_DIM, 0);
		for (int r = 0; r < h; r++)
			put_glyph(d, y + r, lw, "\xe2\x94\x82", '|');
		style_off(d, PAIR_DIM, 0);
		return;
	}
	for (int i = 0; i < NPANELS; i++)
		want[i] = panel__want(d, (enum dash_panel)i, w);
	share(h, want, NPANELS, (int)d->focus, hh);
	for (int i = 0; i < NPANELS; i++) {
		panel__draw(d, (enum dash_panel)i, y, 0, hh[i], w);
		y += hh[i];
	}
}

void view__draw(struct dash *d)
{
	int h = LINES, w = COLS, y = 0;

	erase();
	curs_set(0);
	if (h < MIN_LINES || w < MIN_COLS) {
		char msg[96];

		snprintf(msg, sizeof(msg), "The terminal is %dx%d: the dashboard needs %dx%d. q quits.",
			 w, h, MIN_COLS, MIN_LINES);
		view__put(0, 0, w, msg);
		refresh();
		return;
	}
	draw_header(d, y, w);
	y += 2;
	if (!d->live) {
		draw_strip(d, y, w);
		y += 2;
	}
	draw_panels(d, y, h - 2 - y, w);
	draw_footer(d, h - 1, w);
	if (d->help)
		draw_help(d);
	draw_status(d, h - 2, w);
	if (d->prompting)
		curs_set(1);
	refresh();
}
