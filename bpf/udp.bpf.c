// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Probe `udp`: one record per UDP datagram sent or received, with the
 * socket's addresses where it has them.
 *
 * Strategies:
 *   tracepoint  sock:sock_send_length, sock:sock_recv_length
 *   tp_btf      tp_btf/sock_send_length, tp_btf/sock_recv_length
 */
#include "common.bpf.h"

#define IPPROTO_UDP_ 17
#define MSG_PEEK_ 2

static __always_inline int on_length(const struct sock *sk, __u16 protocol, int ret, int flags,
				     __u8 dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ebt_config *c;
	struct ebt_udp *e;
	__u16 family, sport, dport;
	__u8 saddr[16] = {}, daddr[16] = {};

	/* A peek consumes nothing: the real receive follows. */
	if (protocol != IPPROTO_UDP_ || ret < 0 || (dir && (flags & MSG_PEEK_)))
		return 0;
	c = ebt_cfg();
	if (!c || !ebt_wanted_task(c, id >> 32))
		return 0;
	ebt_sock_addrs(sk, &family, &sport, &dport, saddr, daddr);
	if (!ebt_wanted_port(c, sport, dport))
		return 0;
	e = ebt_reserve(EBT_PROBE_UDP, EBT_KIND_UDP, sizeof(*e));
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_boot_ns();
	e->skaddr = (__u64)sk;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->bytes = ret;
	e->family = family;
	e->sport = sport;
	e->dport = dport;
	e->dir = dir;
	e->_pad0 = 0;
	e->uid = BPF_CORE_READ(sk, sk_uid.val);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->saddr, saddr, 16);
	__builtin_memcpy(e->daddr, daddr, 16);
	ebt_submit(c, e);
	return 0;
}

/* ---- strategy: tracepoint ------------------------------------------------ */

SEC("tracepoint/sock/sock_send_length")
int ebt_udp_send(struct trace_event_raw_sock_msg_length *ctx)
{
	return on_length(ctx->sk, ctx->protocol, ctx->ret, ctx->flags, 0);
}

SEC("tracepoint/sock/sock_recv_length")
int ebt_udp_recv(struct trace_event_raw_sock_msg_length *ctx)
{
	return on_length(ctx->sk, ctx->protocol, ctx->ret, ctx->flags, 1);
}

/* ---- strategy: tp_btf ---------------------------------------------------- */

SEC("tp_btf/sock_send_length")
int BPF_PROG(ebt_udp_send_btf, struct sock *sk, int ret, int flags)
{
	return on_length(sk, BPF_CORE_READ(sk, sk_protocol), ret, flags, 0);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ebt_udp_recv_btf, struct sock *sk, int ret, int flags)
{
	return on_length(sk, BPF_CORE_READ(sk, sk_protocol), ret, flags, 1);
}
