// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Probe `tcp`: every TCP state change (`tcp_state`) and, at TCP_CLOSE, the
 * connection's lifetime with its byte and segment counts read from
 * struct tcp_sock (`tcp_life`), in the manner of bcc's tcplife.
 *
 * Strategies:
 *   tracepoint  sock:inet_sock_set_state (and accept(2)'s exit, for the owner
 *               of passive connections)
 *   tp_btf      tp_btf/inet_sock_set_state
 *   fentry      tcp_set_state (misses the transitions made without it)
 *   kprobe      tcp_set_state (idem)
 */
#include "common.bpf.h"

#define IPPROTO_TCP_ 6

enum {
	TCP_ESTABLISHED_ = 1,
	TCP_SYN_SENT_ = 2,
	TCP_SYN_RECV_ = 3,
	TCP_FIN_WAIT1_ = 4,
	TCP_CLOSE_ = 7,
	TCP_LAST_ACK_ = 9,
	TCP_LISTEN_ = 10,
};

enum { TCP_FIN_WAIT2_ = 5, TCP_CLOSE_WAIT_ = 8, TCP_CLOSING_ = 11 };

/* Internal flag of tcp_conn.flags, above the EBT_TCP_LIFE_* bits. */
#define CONN_FIN_SENT 0x80

/* What is known of a connection while it lives. The kernel clears the
 * socket's ports before the last transitions: the last ones seen stay here. */
struct tcp_conn {
	__u64 start_ns; /* 0: began before the recording */
	__u32 pid;      /* 0: owner not known yet */
	__u8 flags;     /* EBT_TCP_LIFE_* | CONN_* */
	__u8 _pad[3];
	char comm[EBT_COMM_LEN]; /* 8-aligned: compared as two words */
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 _pad2;
};

struct tcp_owner {
	__u32 pid;
	__u32 _pad;
	char comm[EBT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct tcp_conn);
} ebt_tcp_conns SEC(".maps");

/* Listening sockets' owners by local port: a passive connection belongs to
 * its listener's process until accept(2) says which process took it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u16);
	__type(value, struct tcp_owner);
} ebt_tcp_listen SEC(".maps");

static __always_inline bool addr_set(const __u8 *a)
{
	__u8 any = 0;

	for (int i = 0; i < 16; i++)
		any |= a[i];
	return any;
}

/* Transitions made by a system call of the socket's owner (connect, close,
 * shutdown), so that the current task is that owner; the others happen in
 * softirq context on behalf of whatever task was interrupted. */
static __always_inline bool owner_context(int newstate)
{
	return newstate == TCP_SYN_SENT_ || newstate == TCP_FIN_WAIT1_ ||
	       newstate == TCP_LAST_ACK_ || newstate == TCP_LISTEN_;
}

static __always_inline bool wanted_owner(const struct ebt_config *c, __u32 pid, const char *comm)
{
	const __u64 *a = (const __u64 *)comm, *b = (const __u64 *)c->comm;

	if (pid && pid == c->self_tgid)
		return false;
	if (c->filter_pid && (!pid || !bpf_map_lookup_elem(&ebt_pids, &pid)))
		return false;
	if (c->filter_comm && (!pid || a[0] != b[0] || a[1] != b[1]))
		return false;
	return true;
}

/* Payload bytes: bytes_acked also counts the SYN of an active open and our
 * FIN once acked, bytes_received the peer's FIN; each takes a sequence
 * number but carries no data. */
static __always_inline void payload_bytes(const struct sock *sk, const struct tcp_conn *t,
					  __u64 *tx, __u64 *rx)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 acked = BPF_CORE_READ(tp, bytes_acked), received = BPF_CORE_READ(tp, bytes_received);
	unsigned long sk_flags = BPF_CORE_READ(sk, __sk_common.skc_flags);
	__u64 done_bit = bpf_core_enum_value(enum sock_flags, SOCK_DONE);

	if ((t->flags & (EBT_TCP_LIFE_ACTIVE | EBT_TCP_LIFE_ESTABLISHED)) ==
		    (EBT_TCP_LIFE_ACTIVE | EBT_TCP_LIFE_ESTABLISHED) && acked)
		acked--;
	if ((t->flags & CONN_FIN_SENT) && acked &&
	    BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		acked--;
	/* SOCK_DONE: a FIN came in (tcp_fin()). */
	if (((sk_flags >> done_bit) & 1) && received)
		received--;
	*tx = acked;
	*rx = received;
}

static __always_inline void emit_life(const struct ebt_config *c, const struct sock *sk,
				      const struct tcp_conn *t, __u64 now)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	struct ebt_tcp_life *e;

	e = ebt_reserve(EBT_PROBE_TCP, EBT_KIND_TCP_LIFE, sizeof(*e));
	if (!e)
		return;
	e->ts = now;
	e->start_ns = t->start_ns;
	e->duration_ns = t->start_ns ? now - t->start_ns : 0;
	e->skaddr = (__u64)sk;
	payload_bytes(sk, t, &e->tx_bytes, &e->rx_bytes);
	e->segs_out = BPF_CORE_READ(tp, segs_out);
	e->segs_in = BPF_CORE_READ(tp, segs_in);
	e->pid = t->pid;
	e->family = t->family;
	e->sport = t->sport;
	e->dport = t->dport;
	e->flags = t->flags & (EBT_TCP_LIFE_ESTABLISHED | EBT_TCP_LIFE_ACTIVE |
			       EBT_TCP_LIFE_START_SEEN);
	e->_pad0 = 0;
	e->uid = BPF_CORE_READ(sk, sk_uid.val);
	__builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
	__builtin_memcpy(e->saddr, t->saddr, 16);
	__builtin_memcpy(e->daddr, t->daddr, 16);
	ebt_submit(c, e);
}

static __always_inline void set_owner(struct tcp_conn *t)
{
	t->pid = ebt_tgid();
	bpf_get_current_comm(t->comm, sizeof(t->comm));
}

static __always_inline int on_state(const struct sock *sk, int oldstate, int newstate)
{
	struct ebt_config *c = ebt_cfg();
	__u64 key = (__u64)sk, now = bpf_ktime_get_boot_ns();
	struct tcp_conn *t, fresh = {};
	struct tcp_owner *lo;
	struct ebt_tcp_state *e;
	__u8 saddr[16] = {}, daddr[16] = {};
	__u16 family, sport, dport;

	if (!c)
		return 0;
	ebt_sock_addrs(sk, &family, &sport, &dport, saddr, daddr);

	t = bpf_map_lookup_elem(&ebt_tcp_conns, &key);
	if (!t && newstate != TCP_CLOSE_) {
		if (newstate == TCP_SYN_SENT_ || newstate == TCP_SYN_RECV_ ||
		    newstate == TCP_ESTABLISHED_) {
			fresh.start_ns = now;
			fresh.flags = EBT_TCP_LIFE_START_SEEN;
		}
		bpf_map_update_elem(&ebt_tcp_conns, &key, &fresh, BPF_ANY);
		t = bpf_map_lookup_elem(&ebt_tcp_conns, &key);
	}
	if (!t)
		t = &fresh; /* a close we saw nothing else of, or a full map */
	/* The local port comes after SYN_SENT and goes before TCP_CLOSE; the
	 * local address is chosen before SYN_SENT. */
	if (family)
		t->family = family;
	if (sport)
		t->sport = sport;
	if (sport || addr_set(saddr))
		__builtin_memcpy(t->saddr, saddr, 16);
	if (dport) {
		t->dport = dport;
		__builtin_memcpy(t->daddr, daddr, 16);
	}
	if (!t->pid && oldstate == TCP_LISTEN_ && newstate == TCP_SYN_RECV_) {
		lo = bpf_map_lookup_elem(&ebt_tcp_listen, &sport);
		if (lo) {
			t->pid = lo->pid;
			__builtin_memcpy(t->comm, lo->comm, sizeof(t->comm));
		}
	}
	if (!t->pid && owner_context(newstate))
		set_owner(t);
	if (newstate == TCP_LISTEN_ && sport) {
		struct tcp_owner o = { .pid = t->pid, ._pad = 0 };

		__builtin_memcpy(o.comm, t->comm, sizeof(o.comm));
		bpf_map_update_elem(&ebt_tcp_listen, &sport, &o, BPF_ANY);
	}
	if (newstate == TCP_SYN_SENT_)
		t->flags |= EBT_TCP_LIFE_ACTIVE;
	if (newstate == TCP_ESTABLISHED_)
		t->flags |= EBT_TCP_LIFE_ESTABLISHED;
	if (newstate == TCP_FIN_WAIT1_ || newstate == TCP_LAST_ACK_ || newstate == TCP_CLOSING_)
		t->flags |= CONN_FIN_SENT;

	if (ebt_wanted_port(c, t->sport, t->dport) && wanted_owner(c, t->pid, t->comm)) {
		e = ebt_reserve(EBT_PROBE_TCP, EBT_KIND_TCP_STATE, sizeof(*e));
		if (e) {
			e->ts = now;
			e->skaddr = key;
			e->pid = t->pid;
			e->family = t->family;
			e->sport = t->sport;
			e->dport = t->dport;
			e->oldstate = oldstate;
			e->newstate = newstate;
			e->_pad = 0;
			__builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
			__builtin_memcpy(e->saddr, t->saddr, 16);
			__builtin_memcpy(e->daddr, t->daddr, 16);
			ebt_submit(c, e);
		}
		/* A listener closing is not a connection. */
		if (newstate == TCP_CLOSE_ && oldstate != TCP_LISTEN_)
			emit_life(c, sk, t, now);
	}
	if (newstate == TCP_CLOSE_) {
		if (oldstate == TCP_LISTEN_)
			bpf_map_delete_elem(&ebt_tcp_listen, &t->sport);
		bpf_map_delete_elem(&ebt_tcp_conns, &key);
	}
	return 0;
}

/* accept(2) returned fd: the connection behind it belongs to the caller. */
static __always_inline int on_accept(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	struct socket *so;
	struct tcp_conn *t;
	__u64 key;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	so = BPF_CORE_READ(f, private_data);
	key = (__u64)BPF_CORE_READ(so, sk);
	t = bpf_map_lookup_elem(&ebt_tcp_conns, &key);
	if (t)
		set_owner(t);
	return 0;
}

/* ---- strategy: tracepoint ------------------------------------------------ */

SEC("tracepoint/sock/inet_sock_set_state")
int ebt_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP_)
		return 0;
	return on_state(ctx->skaddr, ctx->oldstate, ctx->newstate);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int ebt_tcp_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ebt_tcp_accept(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept(ctx->ret);
}

/* ---- strategy: tp_btf ---------------------------------------------------- */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ebt_tcp_state_btf, const struct sock *sk, int oldstate, int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_)
		return 0;
	return on_state(sk, oldstate, newstate);
}

/* ---- strategies: fentry, kprobe ------------------------------------------ */

SEC("fentry/tcp_set_state")
int BPF_PROG(ebt_tcp_set_state_fentry, struct sock *sk, int state)
{
	return on_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(ebt_tcp_set_state_kprobe, struct sock *sk, int state)
{
	return on_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}
