// SPDX-License-Identifier: MIT
/*
 * The engine behind the reference tracers' functions (api/compat.h): one
 * tracer per process, as the originals. AddProbe() starts a thread that
 * opens the session and moves its events, converted, into a bounded queue;
 * DequeuePerfEvent() takes them out, blocking while it is empty.
 *
 * Nothing is shed when the consumer lags: the thread waits for room and
 * the kernel's ring buffer holds what comes meanwhile; what the ring could
 * not hold is counted by the kernel and reported at cleanup().
 *
 * cleanup() may run in a signal handler that interrupted a thread holding
 * the queue's lock (the reference's examples call it from SIGINT's
 * handler): it takes no lock. It asks the thread to stop and waits for it
 * to finish; the thread never waits for the lock without a deadline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/compat.h"
#include "api/ebpftrace.h"

#define QUEUE_EVENTS 4096
#define WAIT_MS 100
#define STOP_WAIT_MS 5000
#define MAX_UIDS 65536

struct uid_entry {
	uint32_t pid; /* 0: free */
	uint32_t uid;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	atomic_uint status;
	atomic_bool running; /* setupBPF's loop, in our thread or the caller's */
	uint8_t *events; /* QUEUE_EVENTS slots of the tracer's size */
	size_t head, len;
	atomic_bool stop;
	atomic_bool thread_done;
	atomic_bool ended; /* the replayed trace is all served */
	bool started;
	pthread_t thread;
	struct ebpftrace_session *session;
	bool replay;
	const char *replay_path;
	uint64_t served;
	struct uid_entry *uids; /* an older trace's owners, by pid */
} q = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
};

unsigned compat__status(void)
{
	return atomic_load(&q.status);
}

void compat__print_array(const char *s)
{
	printf("Array: %s\n", s);
}

/* ---- fields --------------------------------------------------------------- */

uint64_t compat__u64(const struct ebpftrace_event *ev, const char *name, bool *present)
{
	uint64_t v = 0;
	bool ok = ebpftrace_event__u64(ev, name, &v) == 0;

	if (present)
		*present = ok;
	return ok ? v : 0;
}

void compat__str(const struct ebpftrace_event *ev, const char *name, char *out, size_t size)
{
	const char *s = ebpftrace_event__str(ev, name);
	size_t n = s ? strnlen(s, size - 1) : 0;

	memcpy(out, s ? s : "", n);
	out[n] = 0;
}

bool compat__addr(const struct ebpftrace_event *ev, const char *name, char *out, size_t size)
{
	return ebpftrace_event__addr(ev, name, out, size) != NULL;
}

/* ---- owners of an older trace's sockets ------------------------------------- */

static struct uid_entry *uid_slot(uint32_t pid)
{
	uint32_t h = (pid * 2654435761u) & (MAX_UIDS - 1);

	for (uint32_t i = 0; i < MAX_UIDS; i++, h = (h + 1) & (MAX_UIDS - 1))
		if (q.uids[h].pid == pid || !q.uids[h].pid)
			return &q.uids[h];
	return NULL;
}

/* `process` and `exec` records say who runs each pid. */
static void learn_uid(const struct ebpftrace_event *ev)
{
	uint64_t pid, uid;
	struct uid_entry *e;

	if (!q.uids || ebpftrace_event__u64(ev, "pid", &pid) ||
	    ebpftrace_event__u64(ev, "uid", &uid) || !pid)
		return;
	e = uid_slot((uint32_t)pid);
	if (e) {
		e->pid = (uint32_t)pid;
		e->uid = (uint32_t)uid;
	}
}

static uint32_t uid_of(const struct ebpftrace_event *ev)
{
	uint64_t pid;
	struct uid_entry *e;

	if (!q.uids || ebpftrace_event__u64(ev, "pid", &pid) || !pid)
		return 0;
	e = uid_slot((uint32_t)pid);
	return e && e->pid ? e->uid : 0;
}

/* ---- the thread ------------------------------------------------------------- */

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Into the queue, waiting for room; false when told to stop. */
static bool push(const struct compat_tracer *t, const void *ev)
{
	struct timespec until;

	deadline_in(&until, WAIT_MS);
	while (pthread_mutex_timedlock(&q.mu, &until)) {
		if (atomic_load(&q.stop))
			return false;
		deadline_in(&until, WAIT_MS);
	}
	while (q.len == QUEUE_EVENTS && !atomic_load(&q.stop)) {
		deadline_in(&until, WAIT_MS);
		pthread_cond_timedwait(&q.not_full, &q.mu, &until);
	}
	if (atomic_load(&q.stop)) {
		pthread_mutex_unlock(&q.mu);
		return false;
	}
	memcpy(q.events + ((q.head + q.len) % QUEUE_EVENTS) * t->size, ev, t->size);
	q.len++;
	pthread_cond_signal(&q.not_empty);
	pthread_mutex_unlock(&q.mu);
	return true;
}

static struct ebpftrace_session *open_session(const struct compat_tracer *t)
{
	const char *replay = getenv("EBPF_TRACE_REPLAY");
	struct ebpftrace_session *s;
	char msg[512];

	if (replay && *replay) {
		/* process and exec records name the owners where an older
		 * trace's records do not */
		const char *types[] = { t->type, "process", "exec", NULL };
		struct ebpftrace_trace_opts o = { .sz = sizeof(o), .types = types };

		s = ebpftrace_session__open_trace(replay, &o);
		if (!s) {
			fprintf(stderr, "%s: cannot read EBPF_TRACE_REPLAY=%s: %s\n", t->name, replay,
				ebpftrace_strerror(-errno));
			return NULL;
		}
		q.replay = true;
		q.replay_path = replay;
		q.uids = calloc(MAX_UIDS, sizeof(*q.uids));
		return s;
	}
	const char *types[] = { t->type, NULL };
	struct ebpftrace_live_opts o = { .sz = sizeof(o), .probes = t->probes, .types = types,
					 .errbuf = msg, .errbuf_size = sizeof(msg) };

	s = ebpftrace_session__open_live(&o);
	if (!s)
		fprintf(stderr, "%s: cannot start: %s\n", t->name,
			msg[0] ? msg : ebpftrace_strerror(-errno));
	return s;
}

int compat__setup(const struct compat_tracer *t)
{
	struct ebpftrace_event ev;
	uint8_t *buf;
	int err = 0;

	q.events = calloc(QUEUE_EVENTS, t->size);
	buf = calloc(1, t->size);
	if (!q.events || !buf) {
		fprintf(stderr, "%s: out of memory\n", t->name);
		exit(1);
	}
	q.session = open_session(t);
	if (!q.session)
		exit(1);
	atomic_store(&q.running, true);
	atomic_store(&q.status, 1);
	while (!atomic_load(&q.stop)) {
		err = ebpftrace_session__next(q.session, &ev, WAIT_MS);
		if (err == -EAGAIN)
			continue;
		if (err == -ENOENT && q.replay) {
			err = 0;
			atomic_store(&q.ended, true);
			pthread_mutex_lock(&q.mu);
			pthread_cond_broadcast(&q.not_empty);
			pthread_mutex_unlock(&q.mu);
			break;
		}
		if (err) {
			fprintf(stderr, "%s: %s\n", t->name, ebpftrace_strerror(err));
			break;
		}
		if (strcmp(ev.type, t->type)) {
			learn_uid(&ev);
			continue;
		}
		memset(buf, 0, t->size);
		if (t->convert(&ev, uid_of(&ev), buf) && !push(t, buf))
			break;
	}
	free(buf);
	atomic_store(&q.thread_done, true);
	return err ? 1 : 0;
}

static void *thread_main(void *arg)
{
	compat__setup(arg);
	return NULL;
}

void compat__add_probe(const struct compat_tracer *t)
{
	puts(t->version);
	fflush(stdout);
	if (q.started)
		return; /* once per process, as the original says */
	q.started = true;
	if (pthread_create(&q.thread, NULL, thread_main, (void *)t)) {
		fprintf(stderr, "%s: cannot start its thread\n", t->name);
		exit(1);
	}
}

void compat__dequeue(const struct compat_tracer *t, void *out)
{
	pthread_mutex_lock(&q.mu);
	while (!q.len) {
		if (atomic_load(&q.ended) && !getenv("EBPF_TRACE_REPLAY_END")) {
			pthread_mutex_unlock(&q.mu);
			fprintf(stderr, "%s: all %llu events of %s served (EBPF_TRACE_REPLAY): exiting\n",
				t->name, (unsigned long long)q.served, q.replay_path);
			exit(0);
		}
		pthread_cond_wait(&q.not_empty, &q.mu);
	}
	memcpy(out, q.events + q.head * t->size, t->size);
	q.head = (q.head + 1) % QUEUE_EVENTS;
	q.len--;
	q.served++;
	pthread_cond_signal(&q.not_full);
	pthread_mutex_unlock(&q.mu);
}

void compat__cleanup(const struct compat_tracer *t)
{
	struct timespec tick = { 0, 10 * 1000000L };
	struct ebpftrace_stats st;

	puts("Cleaning up!");
	atomic_store(&q.stop, true);
	if (atomic_load(&q.running)) {
		/* The loop sees the flag within WAIT_MS. */
		for (int i = 0; i < STOP_WAIT_MS / 10 && !atomic_load(&q.thread_done); i++)
			nanosleep(&tick, NULL);
		if (!atomic_load(&q.thread_done)) {
			fprintf(stderr, "%s: the tracer's thread did not stop; the probes go with the "
				"process\n", t->name);
			return;
		}
	}
	if (q.started) {
		pthread_join(q.thread, NULL);
		q.started = false;
	}
	if (q.session) {
		ebpftrace_session__stats(q.session, &st);
		ebpftrace_session__close(q.session);
		q.session = NULL;
		if (st.lost)
			fprintf(stderr, "%s: %llu events were lost: the kernel's ring buffer was full\n",
				t->name, (unsigned long long)st.lost);
		if (st.damaged_chunks)
			fprintf(stderr, "%s: %llu damaged parts of the trace were skipped\n", t->name,
				(unsigned long long)st.damaged_chunks);
		puts(q.replay ? "--> trace closed" : "--> probes detached");
	}
	atomic_store(&q.status, 0);
	fflush(stdout);
}
