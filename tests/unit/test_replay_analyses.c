// SPDX-License-Identifier: MIT
/* The analyses, fed from traces written with the format writer. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/replay_testlib.h"

#define S 1000000000ULL
#define MS 1000000ULL
#define US 1000ULL

#define FEEDER(obj, type)                                                     \
	static void feed_##obj(const struct trace_event *ev, void *ctx)      \
	{                                                                     \
		cr_assert_eq(obj##__feed((type *)ctx, ev), 0);                \
	}
FEEDER(hist_analysis, struct hist_analysis)
FEEDER(tcp_analysis, struct tcp_analysis)
FEEDER(udp_analysis, struct udp_analysis)
FEEDER(timeline, struct timeline)

struct all {
	struct hist_analysis *hist;
	struct opens_analysis *opens;
	struct tcp_analysis *tcp;
	struct udp_analysis *udp;
	struct procs_analysis *procs;
	struct timeline *tl;
	struct lost_analysis *lost;
	struct replay_filter *filter;
	size_t closes_seen;
};

static void on_close(const struct tcp_conn *c, void *ctx)
{
	(void)c;
	((struct all *)ctx)->closes_seen++;
}

static void feed_all(const struct trace_event *ev, void *ctx)
{
	struct all *a = ctx;

	if (a->filter && !replay_filter__match(a->filter, ev))
		return;
	cr_assert_eq(hist_analysis__feed(a->hist, ev), 0);
	cr_assert_eq(opens_analysis__feed(a->opens, ev), 0);
	cr_assert_eq(tcp_analysis__feed(a->tcp, ev), 0);
	cr_assert_eq(udp_analysis__feed(a->udp, ev), 0);
	cr_assert_eq(procs_analysis__feed(a->procs, ev), 0);
	cr_assert_eq(timeline__feed(a->tl, ev), 0);
	cr_assert_eq(lost_analysis__feed(a->lost, ev), 0);
}

static void all_new(struct all *a)
{
	struct tcp_analysis_opts to = { .sz = sizeof(to), .on_close = on_close, .ctx = a };
	struct opens_analysis_opts oo = { .sz = sizeof(oo), .top_paths = 8, .top_slowest = 3 };

	memset(a, 0, sizeof(*a));
	a->hist = hist_analysis__new(NULL);
	a->opens = opens_analysis__new(&oo);
	a->tcp = tcp_analysis__new(&to);
	a->udp = udp_analysis__new(NULL);
	a->procs = procs_analysis__new();
	a->tl = timeline__new(NULL);
	a->lost = lost_analysis__new();
	cr_assert(a->hist && a->opens && a->tcp && a->udp && a->procs && a->tl && a->lost);
}

static void all_free(struct all *a)
{
	hist_analysis__free(a->hist);
	opens_analysis__free(a->opens);
	tcp_analysis__free(a->tcp);
	udp_analysis__free(a->udp);
	procs_analysis__free(a->procs);
	timeline__free(a->tl);
	lost_analysis__free(a->lost);
	replay_filter__free(a->filter);
}

Test(replay_hist, log2_slots_match_the_kernel_layout)
{
	cr_assert_eq(replay_log2_slot(0), 0);
	cr_assert_eq(replay_log2_slot(1), 0);
	cr_assert_eq(replay_log2_slot(2), 1);
	cr_assert_eq(replay_log2_slot(3), 1);
	cr_assert_eq(replay_log2_slot(1023), 9);
	cr_assert_eq(replay_log2_slot(1024), 10);
	cr_assert_eq(replay_log2_slot(UINT64_MAX), 63);
}

Test(replay_hist, events_and_kernel_snapshots)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;

	tw_open(&t, p, 0);
	tw_name(&t, 0, "read");
	tw_name(&t, 1, "write");
	/* read: 3 events of 1.5 us and one of 3 ms */
	for (int i = 0; i < 3; i++)
		tw_sys(&t, 2 * S + i, 42, 0, 1500);
	tw_sys(&t, 2 * S + 10, 42, 0, 3 * MS);
	/* write: two cumulative kernel snapshots, then a restart (new recording) */
	struct t_syscall_hist h = { .ts = 3 * S, .nr = 1, .count = 5, .total_ns = 5000, .max_ns = 1500 };
	h.slots[10] = 5;
	cr_assert_eq(trace_writer__append(t.w, t.syscall_hist, &h, sizeof(h)), 0);
	h.ts = 4 * S;
	h.count = 8;
	h.total_ns = 9000;
	h.slots[10] = 7;
	h.slots[12] = 1;
	cr_assert_eq(trace_writer__append(t.w, t.syscall_hist, &h, sizeof(h)), 0);
	h.ts = 5 * S;
	h.count = 2;
	h.total_ns = 2000;
	memset(h.slots, 0, sizeof(h.slots));
	h.slots[10] = 2;
	cr_assert_eq(trace_writer__append(t.w, t.syscall_hist, &h, sizeof(h)), 0);
	tw_close(&t);

	all_new(&a);
	tr_each(p, feed_all, &a);
	cr_assert_eq(hist_analysis__count(a.hist), 2);
	const struct replay_hist *w = hist_analysis__at(a.hist, 0);
	cr_assert_str_eq(w->name, "write");
	cr_assert(w->from_kernel);
	cr_assert_eq(w->count, 10, "8 cumulative, then 2 after the restart: %lu", w->count);
	cr_assert_eq(w->slots[10], 9);
	cr_assert_eq(w->slots[12], 1);
	cr_assert_eq(w->total_ns, 11000);
	const struct replay_hist *r = hist_analysis__at(a.hist, 1);
	cr_assert_str_eq(r->name, "read");
	cr_assert_eq(r->count, 4);
	cr_assert_eq(r->slots[10], 3); /* 1500 ns in [1024, 2048) */
	cr_assert_eq(r->slots[21], 1); /* 3 ms in [2^21, 2^22) */
	cr_assert_eq(r->max_ns, 3 * MS);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_hist, per_process)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct hist_analysis_opts o = { .sz = sizeof(o), .per_process = true };
	struct hist_analysis *h;

	tw_open(&t, p, 0);
	tw_sys(&t, 2 * S, 1, 0, 100);
	tw_sys(&t, 2 * S + 1, 2, 0, 100);
	tw_sys(&t, 2 * S + 2, 2, 0, 100);
	tw_close(&t);
	h = hist_analysis__new(&o);
	tr_each(p, feed_hist_analysis, h);
	cr_assert_eq(hist_analysis__count(h), 2);
	cr_assert_eq(hist_analysis__at(h, 0)->pid, 2);
	cr_assert_eq(hist_analysis__at(h, 0)->count, 2);
	cr_assert_str_eq(hist_analysis__at(h, 0)->comm, "p2");
	hist_analysis__free(h);
	unlink(p);
	free(p);
}

Test(replay_opens, totals_paths_errnos_slowest)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;

	tw_open(&t, p, 4); /* several chunks */
	for (int i = 0; i < 10; i++)
		tw_opn(&t, 2 * S + i * US, 100, "cat", "/etc/passwd", 3, 1000 + i);
	for (int i = 0; i < 4; i++)
		tw_opn(&t, 3 * S + i * US, 101, "ls", "/nope", -2, 500);
	tw_opn(&t, 4 * S, 101, "ls", "/root/x", -13, 7 * MS);
	tw_close(&t);

	all_new(&a);
	tr_each(p, feed_all, &a);
	struct opens_totals tot;
	opens_analysis__totals(a.opens, &tot);
	cr_assert_eq(tot.count, 15);
	cr_assert_eq(tot.failures, 5);
	cr_assert_eq(tot.max_ns, 7 * MS);
	cr_assert_eq(opens_analysis__npaths(a.opens), 3);
	const struct opens_key *k = opens_analysis__path_at(a.opens, 0);
	cr_assert_str_eq(k->key, "/etc/passwd");
	cr_assert_eq(k->count, 10);
	cr_assert_eq(k->failures, 0);
	cr_assert_eq(k->error, 0);
	cr_assert_eq(k->total_ns, 10 * 1000 + 45);
	cr_assert_str_eq(opens_analysis__path_at(a.opens, 1)->key, "/nope");
	cr_assert_eq(opens_analysis__path_at(a.opens, 1)->failures, 4);
	cr_assert_eq(opens_analysis__ncomms(a.opens), 2);
	cr_assert_str_eq(opens_analysis__comm_at(a.opens, 0)->key, "cat");
	cr_assert_eq(opens_analysis__nerrnos(a.opens), 2);
	cr_assert_eq(opens_analysis__errno_at(a.opens, 0)->err, 2);
	cr_assert_eq(opens_analysis__errno_at(a.opens, 0)->count, 4);
	cr_assert_eq(opens_analysis__errno_at(a.opens, 1)->err, 13);
	cr_assert_str_eq(opens_analysis__errno_at(a.opens, 1)->path, "/root/x");
	cr_assert_eq(opens_analysis__nslowest(a.opens), 3);
	cr_assert_eq(opens_analysis__slowest_at(a.opens, 0)->latency_ns, 7 * MS);
	cr_assert_str_eq(opens_analysis__slowest_at(a.opens, 0)->path, "/root/x");
	cr_assert_eq(opens_analysis__slowest_at(a.opens, 1)->latency_ns, 1009);
	cr_assert_eq(opens_analysis__slowest_at(a.opens, 2)->latency_ns, 1008);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_opens, bounded_table_keeps_heavy_hitters)
{
	char *p = tmp_path(".trace");
	char path[64];
	struct tw t;
	struct all a;

	tw_open(&t, p, 0);
	/* 100 distinct rare paths, and two frequent ones, through a table of 8 */
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/rare/%d", i);
		tw_opn(&t, 2 * S + i * 10, 1, "x", path, 3, 10);
		tw_opn(&t, 2 * S + i * 10 + 1, 1, "x", "/hot/a", 3, 10);
		if (i % 2)
			tw_opn(&t, 2 * S + i * 10 + 2, 1, "x", "/hot/b", 3, 10);
	}
	tw_close(&t);
	all_new(&a);
	tr_each(p, feed_all, &a);
	cr_assert_eq(opens_analysis__npaths(a.opens), 8, "memory bounded by top_paths");
	const struct opens_key *k0 = opens_analysis__path_at(a.opens, 0);
	const struct opens_key *k1 = opens_analysis__path_at(a.opens, 1);
	cr_assert_str_eq(k0->key, "/hot/a");
	cr_assert_str_eq(k1->key, "/hot/b");
	/* Space-Saving: true count in [count - error, count] */
	cr_assert(k0->count - k0->error <= 100 && k0->count >= 100);
	cr_assert(k1->count - k1->error <= 50 && k1->count >= 50);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_opens, older_schema_without_latency_degrades)
{
	char *p = tmp_path(".trace");
	struct all a;

	tw_write_old_opens(p);
	all_new(&a);
	tr_each(p, feed_all, &a);
	struct opens_totals tot;
	opens_analysis__totals(a.opens, &tot);
	cr_assert_eq(tot.count, 3);
	cr_assert_eq(tot.failures, 1);
	cr_assert_eq(tot.total_ns, 0, "no latency field: latencies read as 0");
	cr_assert_str_eq(opens_analysis__path_at(a.opens, 0)->key, "/old/0");
	cr_assert_eq(opens_analysis__path_at(a.opens, 0)->count, 2);
	cr_assert_eq(opens_analysis__errno_at(a.opens, 0)->err, 13);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_tcp, lifetimes_open_never_established_listeners)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;

	tw_open(&t, p, 3);
	/* A: connect, established, close; tcp_life after the CLOSE state. */
	tw_state(&t, 2 * S, 0xa, 10, 7, 2, 40000, 80);
	tw_state(&t, 2 * S + 1 * MS, 0xa, 10, 2, 1, 40000, 80);
	tw_state(&t, 4 * S, 0xa, 0, 1, 7, 40000, 80);
	tw_life(&t, 4 * S, 0xa, 2 * S, 10, 1000, 2000, 0x7, 40000, 80);
	/* B: refused: SYN_SENT then CLOSE, tcp_life before the state change */
	tw_state(&t, 5 * S, 0xb, 11, 7, 2, 40001, 81);
	tw_life(&t, 5 * S + 2 * MS, 0xb, 5 * S, 11, 0, 0, 0x6, 40001, 81);
	tw_state(&t, 5 * S + 2 * MS, 0xb, 0, 2, 7, 40001, 81);
	/* a listener: ignored */
	tw_state(&t, 5 * S + 3 * MS, 0xc, 12, 7, 10, 8080, 0);
	/* D: accepted, still open at the end */
	tw_state(&t, 6 * S, 0xd, 12, 7, 3, 8080, 50000);
	tw_state(&t, 6 * S + 1, 0xd, 12, 3, 1, 8080, 50000);
	/* E: closes with a state change only (no tcp_life in this trace) */
	tw_state(&t, 6 * S + 5, 0xe, 13, 7, 2, 40002, 82);
	tw_state(&t, 6 * S + 6, 0xe, 13, 2, 1, 40002, 82);
	tw_state(&t, 6 * S + 7, 0xe, 13, 1, 7, 40002, 82);
	/* F: only a tcp_life, predating the trace */
	tw_life(&t, 8 * S, 0xf, 0, 14, 5, 6, 0x3, 40003, 83);
	tw_close(&t);

	all_new(&a);
	tr_each(p, feed_all, &a);
	tcp_analysis__finish(a.tcp);
	struct tcp_totals tt;
	tcp_analysis__totals(a.tcp, &tt);
	cr_assert_eq(tt.closed, 4, "A, B, E, F closed: %lu", tt.closed);
	cr_assert_eq(a.closes_seen, 4);
	cr_assert_eq(tt.never_established, 1);
	cr_assert_eq(tcp_analysis__nopen(a.tcp), 1);
	const struct tcp_conn *d = tcp_analysis__open_at(a.tcp, 0);
	cr_assert_eq(d->skaddr, 0xd);
	cr_assert_eq(d->sport, 8080);
	cr_assert(d->flags & TCP_CONN_ESTABLISHED);
	cr_assert_eq(tt.tx_bytes, 1005);
	cr_assert_eq(tt.rx_bytes, 2006);
	uint64_t dropped;
	size_t n = tcp_analysis__nclosed(a.tcp, &dropped);
	cr_assert_eq(n, 4);
	cr_assert_eq(dropped, 0);
	const struct tcp_conn *c = tcp_analysis__closed_at(a.tcp, 0);
	cr_assert_eq(c->skaddr, 0xa);
	cr_assert_eq(c->duration_ns, 2 * S);
	cr_assert_eq(c->pid, 10);
	cr_assert_eq(c->tx_bytes, 1000);
	cr_assert(c->flags & TCP_CONN_LIFE);
	char buf[64];
	cr_assert_str_eq(replay_format_addr(c->family, c->daddr, buf, sizeof(buf)), "10.0.0.2");
	cr_assert_eq(tcp_analysis__nlongest(a.tcp), 3, "F's start is unknown");
	cr_assert_eq(tcp_analysis__longest_at(a.tcp, 0)->skaddr, 0xa);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_tcp, memory_bounded_by_open_connections)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct tcp_analysis_opts o = { .sz = sizeof(o), .keep_closed = 5, .top_longest = 2 };
	struct tcp_analysis *a;

	tw_open(&t, p, 0);
	for (uint64_t i = 0; i < 50; i++) {
		tw_state(&t, 2 * S + i * 10, 0x100 + i, 1, 7, 2, 1000, 80);
		tw_life(&t, 2 * S + i * 10 + 5, 0x100 + i, 2 * S + i * 10, 1, i, i, 0x7, 1000, 80);
	}
	tw_close(&t);
	a = tcp_analysis__new(&o);
	tr_each(p, feed_tcp_analysis, a);
	tcp_analysis__finish(a);
	uint64_t dropped;
	cr_assert_eq(tcp_analysis__nclosed(a, &dropped), 5);
	cr_assert_eq(dropped, 45);
	cr_assert_eq(tcp_analysis__closed_at(a, 4)->skaddr, 0x100 + 49);
	cr_assert_eq(tcp_analysis__nopen(a), 0);
	cr_assert_eq(tcp_analysis__nlongest(a), 2);
	tcp_analysis__free(a);
	unlink(p);
	free(p);
}

Test(replay_udp, flows)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;

	tw_open(&t, p, 0);
	for (int i = 0; i < 5; i++) {
		tw_udp(&t, 2 * S + i * 100, 0x1, 20, 64, 0, 53);
		tw_udp(&t, 2 * S + i * 100 + 50, 0x1, 20, 512, 1, 53);
	}
	tw_udp(&t, 3 * S, 0x2, 21, 10, 0, 9999);
	tw_close(&t);
	all_new(&a);
	tr_each(p, feed_all, &a);
	struct udp_totals u;
	udp_analysis__totals(a.udp, &u);
	cr_assert_eq(u.packets, 11);
	cr_assert_eq(u.flows, 2);
	cr_assert_eq(u.tx_bytes, 5 * 64 + 10);
	cr_assert_eq(u.rx_bytes, 5 * 512);
	const struct udp_flow *f = udp_analysis__flow_at(a.udp, 0);
	cr_assert_eq(f->dport, 53);
	cr_assert_eq(f->tx_packets, 5);
	cr_assert_eq(f->rx_packets, 5);
	cr_assert_eq(f->rx_bytes, 2560);
	cr_assert_eq(f->first_ns, 2 * S);
	cr_assert_eq(f->last_ns, 2 * S + 450);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_udp, flow_table_overflow_is_counted)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct udp_analysis_opts o = { .sz = sizeof(o), .max_flows = 3 };
	struct udp_analysis *a;

	tw_open(&t, p, 0);
	for (int i = 0; i < 10; i++)
		tw_udp(&t, 2 * S + i, 0x1, 20, 100, 0, (uint16_t)(1000 + i));
	tw_close(&t);
	a = udp_analysis__new(&o);
	tr_each(p, feed_udp_analysis, a);
	struct udp_totals u;
	udp_analysis__totals(a, &u);
	cr_assert_eq(udp_analysis__nflows(a), 3);
	cr_assert_eq(u.overflow_packets, 7);
	cr_assert_eq(u.overflow_bytes, 700);
	cr_assert_eq(u.tx_bytes, 1000);
	udp_analysis__free(a);
	unlink(p);
	free(p);
}

Test(replay_procs, snapshot_fork_exec_exit_and_pid_reuse)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;
	struct trace_process tp = { .ts = 1 * S, .start_ns = S / 2, .pid = 100, .ppid = 1 };

	tw_open(&t, p, 0);
	snprintf(tp.comm, sizeof(tp.comm), "bash");
	snprintf(tp.cmdline, sizeof(tp.cmdline), "-bash --login");
	cr_assert_eq(trace_writer__process(t.w, &tp), 0);
	tw_fork(&t, 2 * S, 100, 200);
	tw_exec(&t, 2 * S + 10, 200, 100, "ls", "/bin/ls");
	tw_opn(&t, 2 * S + 20, 200, "ls", "/etc", 3, 10);
	tw_exit(&t, 3 * S, 200, 1 << 8);
	tw_fork(&t, 4 * S, 100, 200); /* pid 200 again: another process */
	tw_exit(&t, 5 * S, 200, 9);
	tw_close(&t);

	all_new(&a);
	tr_each(p, feed_all, &a);
	cr_assert_eq(procs_analysis__count(a.procs), 3);
	const struct proc_info *bash = procs_analysis__at(a.procs, 0);
	cr_assert_eq(bash->pid, 100);
	cr_assert_str_eq(bash->cmdline, "-bash --login");
	cr_assert(bash->flags & PROC_SNAPSHOT);
	const struct proc_info *ls = procs_analysis__at(a.procs, 1);
	cr_assert_eq(ls->pid, 200);
	cr_assert_eq(ls->ppid, 100);
	cr_assert_str_eq(ls->comm, "ls");
	cr_assert_str_eq(ls->filename, "/bin/ls");
	cr_assert_str_eq(ls->cmdline, "/bin/ls --flag");
	cr_assert_eq(ls->start_ns, 2 * S);
	cr_assert_eq(ls->exit_ns, 3 * S);
	cr_assert_eq((ls->exit_status >> 8) & 0xff, 1);
	cr_assert_eq(ls->events, 3, "exec, open, exit");
	const struct proc_info *again = procs_analysis__find(a.procs, 200);
	cr_assert_neq(again, ls);
	cr_assert_eq(again->exit_status & 0x7f, 9);
	cr_assert_str_eq(again->comm, "bash", "a fork inherits its parent's name");
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_timeline, coarsens_and_keeps_totals)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct timeline_opts o = { .sz = sizeof(o), .bucket_ns = 1 * MS, .max_buckets = 16 };
	struct timeline *tl;

	tw_open(&t, p, 0);
	for (int i = 0; i < 1000; i++)
		tw_opn(&t, 2 * S + (uint64_t)i * MS, 1, "x", "/a", 3, 1);
	tw_close(&t);
	tl = timeline__new(&o);
	tr_each(p, feed_timeline, tl);
	cr_assert_leq(timeline__nbuckets(tl), 16);
	cr_assert_eq(timeline__bucket_ns(tl), 64 * MS, "1 s of events in 16 buckets: 64 ms each");
	uint64_t sum = 0;
	for (size_t b = 0; b < timeline__nbuckets(tl); b++)
		sum += timeline__bucket_total(tl, b);
	cr_assert_eq(sum, 1000);
	cr_assert_eq(timeline__total(tl), 1000);
	cr_assert_eq(timeline__ntypes(tl), 1);
	cr_assert_str_eq(timeline__type_name(tl, 0), "open");
	cr_assert_eq(timeline__count(tl, 0, 0), 64);
	cr_assert_eq(timeline__first_ns(tl), 2 * S);
	cr_assert_eq(timeline__last_ns(tl), 2 * S + 999 * MS);
	timeline__free(tl);
	unlink(p);
	free(p);
}

Test(replay_lost, by_probe_and_cpu)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;
	struct trace_lost l = { .ts = 3 * S, .since_ns = 2 * S, .count = 5, .cpu = 0 };

	tw_open(&t, p, 0);
	snprintf(l.probe, sizeof(l.probe), "opens");
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	l.cpu = 1;
	l.count = 7;
	l.ts = 4 * S;
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	snprintf(l.probe, sizeof(l.probe), "tcp");
	l.count = 1;
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	tw_close(&t);
	all_new(&a);
	tr_each(p, feed_all, &a);
	cr_assert_eq(lost_analysis__total(a.lost), 13);
	cr_assert_eq(lost_analysis__nprobes(a.lost), 2);
	const struct lost_probe *o = lost_analysis__probe_at(a.lost, 0);
	cr_assert_str_eq(o->probe, "opens");
	cr_assert_eq(o->count, 12);
	cr_assert_eq(o->cpus, 2);
	cr_assert_eq(o->first_ns, 2 * S);
	cr_assert_eq(o->last_ns, 4 * S);
	cr_assert_eq(lost_analysis__cpu_count(a.lost, "opens", 1), 7);
	uint64_t marked = 0;
	for (size_t b = 0; b < timeline__nbuckets(a.tl); b++)
		marked += timeline__lost(a.tl, b);
	cr_assert_eq(marked, 13, "the timeline marks lost events too");
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_filter, pid_and_comm)
{
	char *p = tmp_path(".trace");
	struct tw t;
	struct all a;
	struct trace_lost l = { .ts = 3 * S, .since_ns = 2 * S, .count = 5 };

	tw_open(&t, p, 0);
	tw_opn(&t, 2 * S, 1, "a", "/1", 3, 1);
	tw_opn(&t, 2 * S + 1, 2, "b", "/2", 3, 1);
	tw_opn(&t, 2 * S + 2, 2, "c", "/3", 3, 1);
	snprintf(l.probe, sizeof(l.probe), "opens");
	cr_assert_eq(trace_writer__lost(t.w, &l), 0);
	tw_close(&t);

	all_new(&a);
	a.filter = replay_filter__new();
	replay_filter__set_pid(a.filter, 2);
	cr_assert(replay_filter__active(a.filter));
	tr_each(p, feed_all, &a);
	struct opens_totals tot;
	opens_analysis__totals(a.opens, &tot);
	cr_assert_eq(tot.count, 2);
	cr_assert_eq(lost_analysis__total(a.lost), 5, "lost records always pass");
	all_free(&a);

	all_new(&a);
	a.filter = replay_filter__new();
	cr_assert_eq(replay_filter__set_comm(a.filter, "c"), 0);
	tr_each(p, feed_all, &a);
	opens_analysis__totals(a.opens, &tot);
	cr_assert_eq(tot.count, 1);
	cr_assert_str_eq(opens_analysis__path_at(a.opens, 0)->key, "/3");
	cr_assert_eq(replay_filter__set_comm(a.filter, "a-name-longer-than-15"), -ENAMETOOLONG);
	all_free(&a);
	unlink(p);
	free(p);
}

Test(replay_bind, missing_fields_and_other_types)
{
	char *p = tmp_path(".trace");
	static const char *const names[] = { "pid", "no_such_field", "path" };
	struct replay_binding *b = replay_binding__new("open", names, 3);
	struct trace_reader *r;
	struct trace_event ev;
	struct tw t;
	int opens = 0, others = 0;

	tw_open(&t, p, 0);
	tw_opn(&t, 2 * S, 9, "a", "/x", 3, 1);
	tw_sys(&t, 2 * S + 1, 9, 0, 1);
	tw_close(&t);
	r = trace_reader__open(p, NULL);
	cr_assert_not_null(r);
	while (trace_reader__next(r, &ev) == 0) {
		const struct trace_field_desc *const *fd = replay_binding__resolve(b, ev.schema);
		if (!fd) {
			others++;
			continue;
		}
		opens++;
		cr_assert_eq(replay_field_u64(fd[0], ev.data), 9);
		cr_assert_null(fd[1]);
		cr_assert_eq(replay_field_u64(fd[1], ev.data), 0);
		char buf[8];
		cr_assert_str_eq(replay_field_str(fd[2], ev.data, buf, sizeof(buf)), "/x");
		/* cached: the same pointer comes back */
		cr_assert_eq(replay_binding__resolve(b, ev.schema), fd);
	}
	cr_assert_eq(opens, 1);
	cr_assert_eq(others, 1);
	trace_reader__close(r);
	replay_binding__free(b);
	unlink(p);
	free(p);
}
