// SPDX-License-Identifier: MIT
/* Running a query straight from trace files: only the record types the
 * kind needs, only the chunks of the time range (the reader skips the
 * others without decompressing them), conditions checked on fields bound
 * by name, rows built only for the events that match. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/groups.h"
#include "query/qerror.h"
#include "query/scan.h"
#include "query/values.h"

typedef void (*getter_fn)(void *src, int col, struct qrval *out);

struct scan {
	const struct query *q;
	const struct qkind_desc *k;
	struct query_result *r;
	struct qgroups *groups;	 /* QM_COUNT */
	struct qhists *hists;	 /* QM_HIST */
	struct query_scan_stats *st;
	struct query_error *err;
	FILE *explain;
	FILE *damage_out;
	const char *path; /* of the session being read, for messages */
	bool stop;	  /* a limit in row order is reached */
	/* A syscall name missing from some session's table, and whether the
	 * names were found in another. */
	struct query_error names_err;
	bool names_found;
};

static void on_damage(const struct trace_damage *d, void *ctx)
{
	struct scan *s = ctx;

	fprintf(s->damage_out ? s->damage_out : stderr,
		"ebpf-query: %s: damaged data at offset %llu (%llu bytes skipped): %s\n", d->path,
		(unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

static int fail(struct scan *s, int err, const char *fmt, const char *a, const char *b)
{
	if (s->err) {
		memset(s->err, 0, sizeof(*s->err));
		s->err->code = err;
		snprintf(s->err->msg, sizeof(s->err->msg), fmt, a, b);
	}
	return err;
}

/* One row that matched: into the result, or into its group. */
static int emit(struct scan *s, int32_t sid, uint64_t seq, getter_fn get, void *src)
{
	const struct query *q = s->q;
	struct query_result *r = s->r;

	if (q->mode == QM_COUNT) {
		struct qrval g[QMAX_GROUP];
		int64_t w = 1;
		for (size_t i = 0; i < q->ngroup; i++)
			get(src, q->group[i], &g[i]);
		if (s->k->weight >= 0) {
			struct qrval v;
			get(src, s->k->weight, &v);
			w = v.i;
		}
		return qgroups__add(s->groups, g, w);
	}
	struct qrval *row = qres_row(r, sid, seq);
	if (!row)
		return -ENOMEM;
	for (size_t c = 0; c < r->ncols; c++) {
		get(src, (int)c, &row[c]);
		if (!row[c].null && row[c].s) {
			row[c].s = qres_str(r, row[c].s, strlen(row[c].s));
			if (!row[c].s)
				return -ENOMEM;
		}
	}
	if (q->limit && q->sort_col >= 0 && r->nrows >= 2 * q->limit + 4096)
		return qres_finish(r, q);
	/* Rows of records come in their final order: enough is enough. Rows
	 * of analyses are sorted afterwards, so all of them are needed. */
	if (q->limit && q->sort_col < 0 && !*s->k->order && r->nrows >= q->limit)
		s->stop = true;
	return 0;
}

static bool matches(const struct scan *s, getter_fn get, void *src)
{
	for (size_t i = 0; i < s->q->nconds; i++) {
		const struct qcond *c = &s->q->conds[i];
		struct qrval v;
		get(src, c->col, &v);
		if (!qcond_match(c, &s->k->cols[c->col], &v))
			return false;
	}
	return true;
}

static void get_event(void *src, int col, struct qrval *out)
{
	qrows__get(src, col, out);
}

static void get_row(void *src, int col, struct qrval *out)
{
	*out = ((struct qrval *)src)[col];
}

/* Reads the syscall table; checks that the syscall names the query gives
 * exist there. */
static int read_names(struct scan *s, struct trace_reader *rd, struct syscall_names *names,
		      struct hist_analysis *hist)
{
	static const char *const types[] = { "syscall_name", NULL };
	struct trace_event ev;
	bool any = false;
	int ret;

	ret = trace_reader__set_types(rd, types);
	if (ret)
		return fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		syscall_names__feed(names, &ev);
		if (hist)
			hist_analysis__feed(hist, &ev);
		any = true;
	}
	if (ret != -ENOENT)
		return fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	ret = trace_reader__rewind(rd);
	if (ret)
		return fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	if (!any)
		return 0;
	const char *cands[1024];
	size_t nc = 0;
	for (uint32_t nr = 0; nr < 8192 && nc < 1024; nr++)
		if (syscall_names__get(names, nr))
			cands[nc++] = syscall_names__get(names, nr);
	for (size_t i = 0; i < s->q->nconds; i++) {
		const struct qcond *c = &s->q->conds[i];
		if (c->col != s->k->name_col)
			continue;
		for (size_t j = 0; j < c->nv; j++) {
			bool found = c->v[j].glob;
			for (size_t n = 0; n < nc && !found; n++)
				found = strcmp(cands[n], c->v[j].s) == 0;
			if (found) {
				s->names_found = true;
				continue;
			}
			/* Another session may know it (traces of several hosts):
			 * only a name no session knows is a mistake. */
			if (!s->names_err.msg[0]) {
				qerror_set(&s->names_err, c->pos, c->len, "unknown syscall '%s' in %s",
					   c->v[j].s, s->path);
				qerror_suggest(&s->names_err, c->v[j].s, strlen(c->v[j].s), cands, nc);
			}
		}
	}
	return 0;
}

static int scan_events(struct scan *s, struct trace_reader *rd, int32_t sid,
		       const struct syscall_names *names)
{
	struct qrows *x = qrows__new(s->q->kind);
	struct trace_event ev;
	uint64_t seq = 0;
	int ret;

	if (!x)
		return -ENOMEM;
	qrows__set_names(x, names);
	while (!s->stop && (ret = trace_reader__next(rd, &ev)) == 0) {
		s->st->events++;
		if (!qrows__bind(x, &ev))
			continue;
		seq++;
		if (!matches(s, get_event, x))
			continue;
		ret = emit(s, sid, seq, get_event, x);
		if (ret)
			goto cleanup;
	}
	if (s->stop)
		ret = 0;
	else if (ret == -ENOENT)
		ret = 0;
	else
		fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
cleanup:
	qrows__free(x);
	return ret;
}

struct tcp_collect {
	struct tcp_conn *c;
	size_t n, cap;
	int err;
};

static void on_close(const struct tcp_conn *c, void *ctx)
{
	struct tcp_collect *tc = ctx;

	if (tc->n == tc->cap) {
		size_t ncap = tc->cap ? tc->cap * 2 : 256;
		struct tcp_conn *nc = realloc(tc->c, ncap * sizeof(*nc));
		if (!nc) {
			tc->err = -ENOMEM;
			return;
		}
		tc->c = nc;
		tc->cap = ncap;
	}
	tc->c[tc->n++] = *c;
}

/* Rows of a derived kind, time-filtered as QUERY.md says. */
static int emit_derived(struct scan *s, int32_t sid, uint64_t seq, struct qrval *row,
			uint64_t lo, uint64_t hi)
{
	const struct qkind_desc *k = s->k;

	if (s->q->kind == QK_TCP) {
		uint64_t end = (uint64_t)row[k->time_col].i;
		if (end < lo || end > hi)
			return 0;
	} else if (s->q->kind == QK_PROCESSES) {
		/* Alive at some point of the range. */
		if (!row[4].null && (uint64_t)row[4].i > hi)
			return 0;
		if (!row[6].null && (uint64_t)row[6].i < lo)
			return 0;
	}
	if (!matches(s, get_row, row))
		return 0;
	return emit(s, sid, seq, get_row, row);
}

static int scan_tcp(struct scan *s, struct trace_reader *rd, int32_t sid, uint64_t lo,
		    uint64_t hi)
{
	struct tcp_collect tc = { 0 };
	struct tcp_analysis_opts o = { .sz = sizeof(o), .on_close = on_close, .ctx = &tc };
	struct tcp_analysis *a = tcp_analysis__new(&o);
	struct trace_event ev;
	struct qrval row[32];
	char addr[2][64];
	int ret;

	if (!a)
		return -ENOMEM;
	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		s->st->events++;
		ret = tcp_analysis__feed(a, &ev);
		if (ret || tc.err)
			break;
	}
	if (ret == -ENOENT)
		ret = tc.err;
	else if (!ret)
		ret = tc.err;
	else if (ret != -ENOMEM)
		fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	uint64_t seq = 0;
	for (size_t i = 0; !ret && i < tc.n; i++) {
		qrow_from_tcp(&tc.c[i], row, addr);
		ret = emit_derived(s, sid, ++seq, row, lo, hi);
	}
	/* Asked only when some are open: replay's accessor sorts a NULL array
	 * when none ever was (undefined behaviour under UBSan). */
	struct tcp_totals tt;
	tcp_analysis__totals(a, &tt);
	size_t nopen = ret || !tt.open ? 0 : tcp_analysis__nopen(a);
	for (size_t i = 0; !ret && i < nopen; i++) {
		qrow_from_tcp(tcp_analysis__open_at(a, i), row, addr);
		ret = emit_derived(s, sid, ++seq, row, lo, hi);
	}
	tcp_analysis__free(a);
	free(tc.c);
	return ret;
}

static int scan_udp_flows(struct scan *s, struct trace_reader *rd, int32_t sid)
{
	/* Every flow, as the index keeps them all. */
	struct udp_analysis_opts o = { .sz = sizeof(o), .max_flows = (size_t)1 << 30 };
	struct udp_analysis *a = udp_analysis__new(&o);
	struct trace_event ev;
	struct qrval row[32];
	char addr[2][64];
	int ret;

	if (!a)
		return -ENOMEM;
	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		s->st->events++;
		ret = udp_analysis__feed(a, &ev);
		if (ret)
			break;
	}
	if (ret == -ENOENT)
		ret = 0;
	else if (ret != -ENOMEM)
		fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	size_t n = ret ? 0 : udp_analysis__nflows(a);
	for (size_t i = 0; !ret && i < n; i++) {
		qrow_from_flow(udp_analysis__flow_at(a, i), row, addr);
		ret = emit_derived(s, sid, i + 1, row, 0, UINT64_MAX);
	}
	udp_analysis__free(a);
	return ret;
}

static int scan_procs(struct scan *s, struct trace_reader *rd, int32_t sid, uint64_t lo,
		      uint64_t hi)
{
	struct procs_analysis *a = procs_analysis__new();
	struct trace_event ev;
	struct qrval row[32];
	int ret;

	if (!a)
		return -ENOMEM;
	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		s->st->events++;
		ret = procs_analysis__feed(a, &ev);
		if (ret)
			break;
	}
	if (ret == -ENOENT)
		ret = 0;
	else if (ret != -ENOMEM)
		fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
	size_t n = ret ? 0 : procs_analysis__count(a);
	for (size_t i = 0; !ret && i < n; i++) {
		qrow_from_proc(procs_analysis__at(a, i), row);
		ret = emit_derived(s, sid, i + 1, row, lo, hi);
	}
	procs_analysis__free(a);
	return ret;
}

static int scan_hist(struct scan *s, struct trace_reader *rd, struct hist_analysis *h)
{
	struct trace_event ev;
	int ret;

	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		s->st->events++;
		ret = hist_analysis__feed(h, &ev);
		if (ret)
			break;
	}
	if (ret != -ENOENT) {
		if (ret != -ENOMEM)
			fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
		return ret;
	}
	size_t n = hist_analysis__count(h);
	for (size_t i = 0; i < n; i++) {
		const struct replay_hist *e = hist_analysis__at(h, i);
		if (!e->from_kernel)
			continue;
		ret = qhists__add(s->hists, e->name, e->nr, e->count, e->total_ns, e->max_ns,
				  e->slots, REPLAY_HIST_SLOTS);
		if (ret)
			return ret;
	}
	return 0;
}

static void explain_session(struct scan *s, const struct qsession_info *si, uint64_t lo,
			    uint64_t hi, bool ranged)
{
	FILE *out = s->explain;
	const char *const *types = qkind__types(s->q->kind);

	fprintf(out, "session:  %s (id %s)\n", s->path, si->key);
	fprintf(out, "          events from boottime %llu to %llu (%.6f s)\n",
		(unsigned long long)si->start, (unsigned long long)si->end,
		si->end > si->start ? (double)(si->end - si->start) / 1e9 : 0.0);
	fprintf(out, "types:    ");
	for (size_t i = 0; types[i]; i++)
		fprintf(out, "%s%s", i ? ", " : "", types[i]);
	fprintf(out, " (chunks holding none of them are skipped)\n");
	if (lo == 0 && hi == UINT64_MAX) {
		fprintf(out, "range:    the whole trace\n");
		return;
	}
	fprintf(out, "range:    boottime %llu to %llu = +%.6f s to +%.6f s", (unsigned long long)lo,
		(unsigned long long)(hi == UINT64_MAX ? si->end : hi),
		lo > si->start ? (double)(lo - si->start) / 1e9 : 0.0,
		hi == UINT64_MAX ? (double)(si->end - si->start) / 1e9
				 : ((double)hi - (double)si->start) / 1e9);
	if (ranged)
		fprintf(out, "; chunks outside it are skipped\n");
	else if (s->q->kind == QK_TCP)
		fprintf(out, "; applied to the close time, every tcp record is read\n");
	else
		fprintf(out, "; applied to lifetimes, every process record is read\n");
}

static int scan_session(struct scan *s, struct trace_reader *rd, int32_t sid,
			const struct qsession_info *si)
{
	const struct query *q = s->q;
	struct syscall_names *names = NULL;
	struct hist_analysis *hist = NULL;
	uint64_t lo, hi;
	int ret;

	ret = query__range(q, si->start, si->end, si->has_real, si->real_offset, &lo, &hi);
	if (ret == -ENODATA)
		return fail(s, -EINVAL,
			    "%s has no clock calibration, so a wall-clock time cannot be placed "
			    "in it; give offsets from its start such as 10s%s", s->path, "");
	if (q->kind == QK_SYSCALLS || q->kind == QK_SYSCALL_HIST) {
		names = syscall_names__new();
		if (!names)
			return -ENOMEM;
		if (q->kind == QK_SYSCALL_HIST) {
			/* Interval mode when the range starts after the first event:
			 * the first snapshot in the range is subtracted. */
			struct hist_analysis_opts ho = { .sz = sizeof(ho), .interval = lo > si->start };
			hist = hist_analysis__new(&ho);
			if (!hist) {
				ret = -ENOMEM;
				goto cleanup;
			}
		}
		ret = read_names(s, rd, names, hist);
		if (ret)
			goto cleanup;
	}
	bool ranged = q->kind != QK_TCP && q->kind != QK_PROCESSES;
	ret = trace_reader__set_types(rd, qkind__types(q->kind));
	if (!ret && ranged)
		ret = trace_reader__set_range(rd, lo, hi);
	if (ret) {
		fail(s, ret, "%s: %s", s->path, trace_strerror(ret));
		goto cleanup;
	}
	if (s->explain)
		explain_session(s, si, lo, hi, ranged);
	switch (q->kind) {
	case QK_TCP:
		ret = scan_tcp(s, rd, sid, lo, hi);
		break;
	case QK_UDP_FLOWS:
		ret = scan_udp_flows(s, rd, sid);
		break;
	case QK_PROCESSES:
		ret = scan_procs(s, rd, sid, lo, hi);
		break;
	case QK_SYSCALL_HIST:
		ret = scan_hist(s, rd, hist);
		break;
	default:
		ret = scan_events(s, rd, sid, names);
		break;
	}
	struct trace_reader_stats rs;
	trace_reader__stats(rd, &rs);
	s->st->chunks += rs.chunks - rs.chunks_skipped;
	s->st->chunks_skipped += rs.chunks_skipped;
	s->st->chunks_bad += rs.chunks_bad;
	if (s->explain)
		fprintf(s->explain, "chunks:   %llu read, %llu skipped, %llu damaged\n",
			(unsigned long long)(rs.chunks - rs.chunks_skipped),
			(unsigned long long)rs.chunks_skipped, (unsigned long long)rs.chunks_bad);
cleanup:
	hist_analysis__free(hist);
	syscall_names__free(names);
	return ret;
}

/* The traces of one recording (same session id) are read together. */
struct sgroup {
	char key[80];
	const char **paths;
	size_t n;
};

static int group_paths(struct scan *s, const char *const *paths, size_t n, struct sgroup **out,
		       size_t *nout)
{
	struct sgroup *g = calloc(n ? n : 1, sizeof(*g));
	size_t ng = 0;
	int ret = 0;

	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage, .ctx = s };
		struct trace_reader *rd = trace_reader__open(paths[i], &ro);
		struct qsession_info si;
		if (!rd) {
			ret = -errno;
			fail(s, ret, "cannot read %s: %s", paths[i], trace_strerror(ret));
			goto cleanup;
		}
		qsession_info(rd, &si);
		trace_reader__close(rd);
		size_t j;
		for (j = 0; j < ng; j++)
			if (strcmp(g[j].key, si.key) == 0)
				break;
		if (j == ng) {
			snprintf(g[ng].key, sizeof(g[ng].key), "%s", si.key);
			g[ng].paths = calloc(n, sizeof(*g[ng].paths));
			if (!g[ng].paths) {
				ret = -ENOMEM;
				goto cleanup;
			}
			ng++;
		}
		g[j].paths[g[j].n++] = paths[i];
	}
cleanup:
	*out = g;
	*nout = ng;
	return ret;
}

int query__scan(const struct query *q, const char *const *paths, size_t n,
		const struct query_scan_opts *opts, struct query_result **out,
		struct query_scan_stats *stats, struct query_error *err)
{
	struct query_scan_stats st_local;
	struct scan s = { .q = q, .k = &qkinds[q->kind], .err = err };
	struct sgroup *groups = NULL;
	size_t ngroups = 0;
	int ret;

	if (err)
		memset(err, 0, sizeof(*err));
	s.st = stats ? stats : &st_local;
	memset(s.st, 0, sizeof(*s.st));
	if (opts && opts->sz >= sizeof(*opts)) {
		s.explain = opts->explain;
		s.damage_out = opts->damage_out;
	}
	*out = NULL;
	s.r = qres_new();
	if (!s.r)
		return -ENOMEM;
	ret = qres_cols_for(s.r, q);
	if (ret)
		goto cleanup;
	if (q->mode == QM_COUNT) {
		s.groups = qgroups__new(s.r, q->ngroup);
		if (!s.groups) {
			ret = -ENOMEM;
			goto cleanup;
		}
	} else if (q->mode == QM_HIST) {
		s.hists = qhists__new();
		if (!s.hists) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}
	ret = group_paths(&s, paths, n, &groups, &ngroups);
	if (ret)
		goto cleanup;
	for (size_t i = 0; i < ngroups && !s.stop; i++) {
		struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage, .ctx = &s };
		struct trace_reader *rd = groups[i].n == 1
			? trace_reader__open(groups[i].paths[0], &ro)
			: trace_reader__open_files(groups[i].paths, groups[i].n, &ro);
		struct qsession_info si;
		if (!rd) {
			ret = -errno;
			fail(&s, ret, "cannot read %s: %s", groups[i].paths[0], trace_strerror(ret));
			goto cleanup;
		}
		qsession_info(rd, &si);
		s.path = groups[i].paths[0];
		int sid = qres_add_session(s.r, s.path, si.start);
		if (sid < 0) {
			trace_reader__close(rd);
			ret = sid;
			goto cleanup;
		}
		s.st->sessions++;
		ret = scan_session(&s, rd, sid, &si);
		trace_reader__close(rd);
		if (ret)
			goto cleanup;
	}
	if (s.names_err.msg[0] && !s.names_found) {
		if (err)
			*err = s.names_err;
		ret = -EINVAL;
		goto cleanup;
	}
	if (q->mode == QM_HIST) {
		/* The summary decides which histograms pass the conditions. */
		struct query summary = *q;
		summary.hist_slots = false;
		struct query_result *sr = qres_new();
		if (!sr) {
			ret = -ENOMEM;
			goto cleanup;
		}
		ret = qres_cols_for(sr, &summary);
		if (!ret)
			ret = qhists__rows(s.hists, sr, false);
		if (!ret)
			qhists__filter(s.hists, sr, q);
		if (!ret && q->hist_slots) {
			query_result__free(sr);
			sr = NULL;
			ret = qhists__rows(s.hists, s.r, true);
		} else if (!ret) {
			query_result__free(s.r);
			s.r = sr;
			sr = NULL;
		}
		query_result__free(sr);
		if (ret)
			goto cleanup;
	}
	ret = qres_finish(s.r, q);
	if (ret)
		goto cleanup;
	s.r->show_session = q->mode == QM_ROWS && s.r->nsessions > 1;
	*out = s.r;
	s.r = NULL;
cleanup:
	if (ret == -ENOMEM && err && !err->msg[0]) {
		err->code = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	for (size_t i = 0; i < ngroups; i++)
		free(groups[i].paths);
	free(groups);
	qgroups__free(s.groups);
	qhists__free(s.hists);
	query_result__free(s.r);
	return ret;
}
