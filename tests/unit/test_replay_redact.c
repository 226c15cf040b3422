// SPDX-License-Identifier: MIT
/* Redaction (replay/redact.h): SipHash-2-4 against the reference vectors,
 * what each kind of value becomes, records redacted by their schema, and
 * ebpf-replay --redact end to end: nothing of the original left, every
 * count, time, port and grouping the same. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay/redact.h"
#include "tests/unit/replay_testlib.h"

/* The reference implementation's vectors (github.com/veorq/SipHash):
 * key 00 01 .. 0f, message 00 01 .. (i-1); each the 8 output bytes. */
static const uint64_t vectors[64] = {
	0x310e0edd47db6f72, 0xfd67dc93c539f874, 0x5a4fa9d909806c0d, 0x2d7efbd796666785,
	0xb7877127e09427cf, 0x8da699cd64557618, 0xcee3fe586e46c9cb, 0x37d1018bf50002ab,
	0x6224939a79f5f593, 0xb0e4a90bdf82009e, 0xf3b9dd94c5bb5d7a, 0xa7ad6b22462fb3f4,
	0xfbe50e86bc8f1e75, 0x903d84c02756ea14, 0xeef27a8e90ca23f7, 0xe545be4961ca29a1,
	0xdb9bc2577fcc2a3f, 0x9447be2cf5e99a69, 0x9cd38d96f0b3c14b, 0xbd6179a71dc96dbb,
	0x98eea21af25cd6be, 0xc7673b2eb0cbf2d0, 0x883ea3e395675393, 0xc8ce5ccd8c030ca8,
	0x94af49f6c650adb8, 0xeab8858ade92e1bc, 0xf315bb5bb835d817, 0xadcf6b0763612e2f,
	0xa5c91da7acaa4dde, 0x716595876650a2a6, 0x28ef495c53a387ad, 0x42c341d8fa92d832,
	0xce7cf2722f512771, 0xe37859f94623f3a7, 0x381205bb1ab0e012, 0xae97a10fd434e015,
	0xb4a31508beff4d31, 0x81396229f0907902, 0x4d0cf49ee5d4dcca, 0x5c73336a76d8bf9a,
	0xd0a704536ba93e0e, 0x925958fcd6420cad, 0xa915c29bc8067318, 0x952b79f3bc0aa6d4,
	0xf21df2e41d4535f9, 0x87577519048f53a9, 0x10a56cf5dfcd9adb, 0xeb75095ccd986cd0,
	0x51a9cb9ecba312e6, 0x96afadfc2ce666c7, 0x72fe52975a4364ee, 0x5a1645b276d592a1,
	0xb274cb8ebf87870a, 0x6f9bb4203de7b381, 0xeaecb2a30b22a87f, 0x9924a43cc1315724,
	0xbd838d3aafbf8db7, 0x0b1a2a3265d51aea, 0x135079a3231ce660, 0x932b2846e4d70666,
	0xe1915f5cb1eca46c, 0xf325965ca16d629f, 0x575ff28e60381be5, 0x724506eb4c328a95,
};

static const uint8_t key1[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t key2[16] = { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };

Test(replay_redact, siphash_reference_vectors)
{
	uint8_t key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t len = 0; len < 64; len++) {
		uint64_t h = redact_siphash(key, msg, len), want = 0;

		/* the vector lists the output bytes; the function gives them
		 * as a little-endian u64 */
		for (int b = 0; b < 8; b++)
			want |= ((vectors[len] >> (56 - 8 * b)) & 0xff) << (8 * b);
		cr_assert_eq(h, want, "length %zu: %016llx, want %016llx", len, (unsigned long long)h,
			     (unsigned long long)want);
	}
	/* the paper's example: 15 bytes */
	cr_assert_eq(redact_siphash(key, msg, 15), 0xa129ca6149be45e5ULL);
}

static bool is_hex_token(const char *s, size_t n)
{
	if (n != REDACT_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

Test(replay_redact, paths_keep_their_shape)
{
	struct redactor *r = redactor__new(key1);
	char a[256], b[256];

	cr_assert_not_null(r);
	redactor__path(r, "/home/alice/projects/secret.txt", a, sizeof(a));
	/* /home/<12>/<12>/<12> */
	cr_assert_eq(strncmp(a, "/home/", 6), 0, "%s", a);
	cr_assert_eq(strlen(a), 6 + 3 * REDACT_TOKEN_LEN + 2, "%s", a);
	cr_assert(is_hex_token(a + 6, 12) && a[18] == '/' && is_hex_token(a + 19, 12), "%s", a);
	cr_assert_null(strstr(a, "alice"));
	/* the same directory gives the same prefix; another file another name */
	redactor__path(r, "/home/alice/projects/other.txt", b, sizeof(b));
	cr_assert_eq(strncmp(a, b, 6 + 2 * 13), 0, "%s vs %s", a, b);
	cr_assert_str_neq(a, b);
	/* the same component hashes alike wherever it is */
	redactor__path(r, "alice", b, sizeof(b));
	cr_assert_eq(strncmp(a + 6, b, 12), 0);
	/* relative stays relative; ., .., empty components and a trailing / stay */
	redactor__path(r, "./x/../y//z/", a, sizeof(a));
	cr_assert_eq(strncmp(a, "./", 2), 0, "%s", a);
	cr_assert_eq(strncmp(a + 14, "/../", 4), 0, "%s", a);
	cr_assert_eq(strncmp(a + 30, "//", 2), 0, "%s", a);
	cr_assert_eq(a[strlen(a) - 1], '/', "%s", a);
	cr_assert_eq(strlen(a), 2 + 12 + 4 + 12 + 2 + 12 + 1, "%s", a);
	redactor__path(r, "/", a, sizeof(a));
	cr_assert_str_eq(a, "/");
	redactor__path(r, "", a, sizeof(a));
	cr_assert_str_eq(a, "");
	/* a standard root stays only as the first component of an absolute path */
	redactor__path(r, "/tmp/etc/usr", a, sizeof(a));
	cr_assert_eq(strncmp(a, "/tmp/", 5), 0, "%s", a);
	cr_assert_null(strstr(a, "etc"));
	cr_assert_null(strstr(a, "usr"));
	redactor__path(r, "usr/lib", a, sizeof(a));
	cr_assert_null(strstr(a, "usr"), "%s", a);
	redactor__free(r);
}

Test(replay_redact, keys_differ_and_results_repeat)
{
	struct redactor *r1 = redactor__new(key1), *r2 = redactor__new(key2), *r3 = redactor__new(key1);
	char a[64], b[64], c[64];

	redactor__token(r1, "myhost", a, sizeof(a));
	redactor__token(r2, "myhost", b, sizeof(b));
	redactor__token(r3, "myhost", c, sizeof(c));
	cr_assert_str_neq(a, b);
	cr_assert_str_eq(a, c);
	cr_assert_str_eq(redactor__key_id(r1), redactor__key_id(r3));
	cr_assert_str_neq(redactor__key_id(r1), redactor__key_id(r2));
	cr_assert_eq(strlen(redactor__key_id(r1)), 16);
	redactor__free(r1);
	redactor__free(r2);
	redactor__free(r3);
}

/* A path or command line too long once hashed keeps what fits and ends in
 * one token for the rest: the field stays NUL-terminated, the result
 * depends on the whole input and on nothing else. */
Test(replay_redact, long_values_fit_their_field)
{
	struct redactor *r = redactor__new(key1);
	char in[256], a[256], b[256];

	for (int i = 0; i < 127; i++) {
		in[2 * i] = '/';
		in[2 * i + 1] = (char)('a' + i % 26);
	}
	in[254] = 0;
	redactor__path(r, in, a, sizeof(a));
	cr_assert_leq(strlen(a), 255);
	cr_assert_gt(strlen(a), 200, "what fits is kept: %s", a);
	redactor__path(r, in, b, sizeof(b));
	cr_assert_str_eq(a, b);
	in[253] = 'z';
	redactor__path(r, in, b, sizeof(b));
	cr_assert_str_neq(a, b, "the last component still counts");
	/* words */
	for (int i = 0; i < 127; i++) {
		in[2 * i] = (char)('a' + i % 26);
		in[2 * i + 1] = ' ';
	}
	in[254] = 0;
	redactor__cmdline(r, in, a, sizeof(a));
	cr_assert_leq(strlen(a), 255);
	cr_assert_gt(strlen(a), 200);
	/* tiny fields */
	redactor__path(r, "/abc/def", a, 5);
	cr_assert_eq(strlen(a), 4);
	redactor__cmdline(r, "x y z", a, 1);
	cr_assert_str_eq(a, "");
	redactor__free(r);
}

Test(replay_redact, command_lines)
{
	struct redactor *r = redactor__new(key1);
	char a[512], p[256], t[64];

	redactor__cmdline(r, "cat --number -n /etc/shadow --output=/home/bob/out secret", a,
			  sizeof(a));
	cr_assert_null(strstr(a, "cat"), "%s", a);
	cr_assert_null(strstr(a, "shadow"), "%s", a);
	cr_assert_null(strstr(a, "bob"), "%s", a);
	cr_assert_null(strstr(a, "secret"), "%s", a);
	cr_assert_not_null(strstr(a, " --number -n "), "%s", a);
	cr_assert_not_null(strstr(a, " --output=/home/"), "%s", a);
	/* a path argument hashes like the open of that path */
	redactor__path(r, "/etc/shadow", p, sizeof(p));
	cr_assert_not_null(strstr(a, p), "%s lacks %s", a, p);
	redactor__token(r, "secret", t, sizeof(t));
	cr_assert_eq(strcmp(a + strlen(a) - 12, t), 0, "%s", a);
	/* options that carry text are not options */
	redactor__cmdline(r, "-psecret", a, sizeof(a));
	cr_assert_null(strstr(a, "secret"), "%s", a);
	redactor__free(r);
}

static uint32_t v4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

Test(replay_redact, addresses_stay_valid)
{
	struct redactor *r = redactor__new(key1);
	uint8_t in[16] = { 0 }, out[16], again[16];

	/* 10.1.2.3: into 240.0.0.0/4, the rest of the field zero */
	in[0] = 10, in[1] = 1, in[2] = 2, in[3] = 3;
	redactor__addr(r, 2, in, out);
	cr_assert_eq(out[0] & 0xf0, 0xf0);
	cr_assert_neq(v4(out), 0xffffffffu);
	for (int i = 4; i < 16; i++)
		cr_assert_eq(out[i], 0);
	redactor__addr(r, 2, in, again);
	cr_assert_eq(memcmp(out, again, 16), 0);
	in[3] = 4;
	redactor__addr(r, 2, in, again);
	cr_assert_neq(memcmp(out, again, 4), 0);
	/* loopback stays loopback, 0.0.0.0 and broadcast stay */
	in[0] = 127, in[1] = 0, in[2] = 0, in[3] = 1;
	redactor__addr(r, 2, in, out);
	cr_assert_eq(out[0], 127);
	cr_assert_neq(v4(out), 0x7f000001u);
	memset(in, 0, 16);
	redactor__addr(r, 2, in, out);
	cr_assert_eq(v4(out), 0);
	memset(in, 0xff, 4);
	redactor__addr(r, 2, in, out);
	cr_assert_eq(v4(out), 0xffffffffu);
	/* IPv6: documentation prefix; :: and ::1 stay; v4-mapped maps its v4 */
	cr_assert_eq(inet_pton(AF_INET6, "2a00:1450:4001:82a::200e", in), 1);
	redactor__addr(r, 10, in, out);
	cr_assert(out[0] == 0x20 && out[1] == 0x01 && out[2] == 0x0d && out[3] == 0xb8);
	cr_assert_eq(inet_pton(AF_INET6, "::1", in), 1);
	redactor__addr(r, 10, in, out);
	cr_assert_eq(memcmp(in, out, 16), 0);
	cr_assert_eq(inet_pton(AF_INET6, "::ffff:10.1.2.3", in), 1);
	redactor__addr(r, 10, in, out);
	uint8_t plain[16] = { 10, 1, 2, 3 }, mapped[16];
	redactor__addr(r, 2, plain, mapped);
	cr_assert_eq(memcmp(out + 12, mapped, 4), 0);
	cr_assert_eq(out[10], 0xff);
	redactor__free(r);
}

Test(replay_redact, metadata)
{
	struct redactor *r = redactor__new(key1);
	char *v;

	v = redactor__meta(r, "host.hostname", "build-box.example.com");
	cr_assert(is_hex_token(v, strlen(v)), "%s", v);
	free(v);
	v = redactor__meta(r, "host.boot_id", "0f3a8e2c-5d4b-4c1a-9e7f-123456789abc");
	cr_assert_eq(strlen(v), 36);
	cr_assert(v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-', "%s", v);
	cr_assert_null(strstr(v, "0f3a8e2c"));
	free(v);
	v = redactor__meta(r, "record.cmdline", "ebpf-record -o /home/carol/run.trace -d 5s");
	cr_assert_null(strstr(v, "carol"));
	cr_assert_not_null(strstr(v, " -o /home/"), "%s", v);
	free(v);
	v = redactor__meta(r, "host.kernel_release", "6.1.0-18-amd64");
	cr_assert_str_eq(v, "6.1.0-18-amd64");
	free(v);
	v = redactor__meta(r, "probe.opens.seen", "1234");
	cr_assert_str_eq(v, "1234");
	free(v);
	/* keys it does not know are hashed */
	v = redactor__meta(r, "site.owner", "dave");
	cr_assert_null(strstr(v, "dave"));
	free(v);
	redactor__free(r);
}

/* ---- records, and the whole trace --------------------------------------- */

#define S 1000000000ULL

static void addr4(uint8_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, 16);
	a[0] = x, a[1] = y, a[2] = z, a[3] = w;
}

/* A trace with everything redaction concerns. */
static char *make_trace(void)
{
	char *path = tmp_path(".trace");
	struct tw t;

	tw_open(&t, path, 8);
	cr_assert_eq(trace_writer__set_meta(t.w, "host.hostname", "alice-laptop"), 0);
	cr_assert_eq(trace_writer__set_meta(t.w, "record.cmdline",
					    "ebpf-record -o /home/alice/bug.trace -- make secret-target"), 0);
	cr_assert_eq(trace_writer__set_meta(t.w, "record.command", "make secret-target"), 0);
	struct trace_process p = { .ts = S, .pid = 42, .ppid = 1, .uid = 1000 };
	strcpy(p.comm, "make");
	strcpy(p.cmdline, "make secret-target -C /home/alice/src");
	cr_assert_eq(trace_writer__process(t.w, &p), 0);
	for (int i = 0; i < 30; i++)
		tw_opn(&t, 2 * S + (uint64_t)i * 1000, 42, "make",
		       i % 3 ? "/home/alice/src/Makefile" : "/home/alice/.netrc", i % 5 ? 3 : -2,
		       1000 + (uint64_t)i);
	tw_exec(&t, 3 * S, 43, 42, "cc", "/usr/bin/cc");
	struct t_tcp_state st = { .ts = 3 * S + 1, .skaddr = 0xffff8881234, .pid = 43, .family = 2,
				  .sport = 40000, .dport = 443, .oldstate = 2, .newstate = 1 };
	strcpy(st.comm, "curl");
	addr4(st.saddr, 192, 168, 1, 23);
	addr4(st.daddr, 93, 184, 216, 34);
	cr_assert_eq(trace_writer__append(t.w, t.tcp_state, &st, sizeof(st)), 0);
	struct t_tcp_life life = { .ts = 4 * S, .start_ns = 3 * S, .duration_ns = S,
				   .skaddr = 0xffff8881234, .tx_bytes = 100, .rx_bytes = 2000,
				   .segs_out = 5, .segs_in = 6, .pid = 43, .family = 2,
				   .sport = 40000, .dport = 443, .flags = 7 };
	strcpy(life.comm, "curl");
	addr4(life.saddr, 192, 168, 1, 23);
	addr4(life.daddr, 93, 184, 216, 34);
	cr_assert_eq(trace_writer__append(t.w, t.tcp_life, &life, sizeof(life)), 0);
	tw_close(&t);
	return path;
}

struct seen {
	char paths[64][256];
	uint64_t lat[64], ts[64];
	size_t n;
	uint16_t dport, sport;
	uint64_t skaddr_state, skaddr_life, rx;
	uint8_t daddr_state[16], daddr_life[16];
	char exec_file[256], exec_args[256], cmdline[1024];
};

static void collect(const struct trace_event *ev, void *ctx)
{
	struct seen *s = ctx;
	const char *type = trace_schema__name(ev->schema);
	const struct trace_field_desc *f;

#define FLD(n) trace_schema__find_field(ev->schema, n)
	if (!strcmp(type, "open") && s->n < 64) {
		snprintf(s->paths[s->n], 256, "%s", trace_field__str(FLD("path"), ev->data));
		s->lat[s->n] = trace_field__u64(FLD("latency_ns"), ev->data, 0);
		s->ts[s->n++] = ev->ts;
	} else if (!strcmp(type, "tcp_state")) {
		s->skaddr_state = trace_field__u64(FLD("skaddr"), ev->data, 0);
		memcpy(s->daddr_state, trace_field__bytes(FLD("daddr"), ev->data), 16);
		s->dport = (uint16_t)trace_field__u64(FLD("dport"), ev->data, 0);
	} else if (!strcmp(type, "tcp_life")) {
		s->skaddr_life = trace_field__u64(FLD("skaddr"), ev->data, 0);
		memcpy(s->daddr_life, trace_field__bytes(FLD("daddr"), ev->data), 16);
		s->sport = (uint16_t)trace_field__u64(FLD("sport"), ev->data, 0);
		s->rx = trace_field__u64(FLD("rx_bytes"), ev->data, 0);
	} else if (!strcmp(type, "exec")) {
		snprintf(s->exec_file, 256, "%s", trace_field__str(FLD("filename"), ev->data));
		f = FLD("args");
		snprintf(s->exec_args, 256, "%s", trace_field__str(f, ev->data));
	} else if (!strcmp(type, "process")) {
		struct trace_process p;
		cr_assert_eq(trace_event__process(ev, &p), 0);
		snprintf(s->cmdline, sizeof(s->cmdline), "%s", p.cmdline);
	}
#undef FLD
}

Test(replay_redact, ebpf_replay_redact_end_to_end, .timeout = 60)
{
	char *in = make_trace(), *out = tmp_path(".trace"), *key = tmp_path(".key");
	char *out2 = tmp_path(".trace");
	static struct seen a, b;
	struct stat st;
	size_t len;

	cr_assert_eq(run_cmd("%s --redact --redact-key %s -o %s %s >/dev/null 2>&1", REPLAY_BIN, key,
			     out, in), 0);
	cr_assert_eq(stat(key, &st), 0, "the key file was made");
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(out, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* none of the originals in the file, in its events or its metadata */
	char *raw = slurp(out, &len);
	cr_assert_not_null(raw);
	static const char *const secrets[] = { "alice", "netrc", "Makefile", "secret-target",
					       "/usr/bin/cc", "bug.trace", NULL };
	for (const char *const *s = secrets; *s; s++)
		cr_assert_null(memmem(raw, len, *s, strlen(*s)), "'%s' is in the redacted file", *s);
	free(raw);
	char *txt = tmp_path(".txt");
	cr_assert_eq(run_cmd("%s --events --all %s > %s && %s --info %s >> %s && %s --json --events --all %s >> %s",
			     REPLAY_BIN, out, txt, REPLAY_BIN, out, txt, REPLAY_BIN, out, txt), 0);
	raw = slurp(txt, &len);
	for (const char *const *s = secrets; *s; s++)
		cr_assert_null(strstr(raw, *s), "'%s' is in the replay of the redacted file", *s);
	cr_assert_null(strstr(raw, "93.184.216.34"));
	cr_assert_null(strstr(raw, "192.168.1.23"));
	cr_assert_not_null(strstr(raw, "redact.key_id"));
	free(raw);
	unlink(txt);
	free(txt);

	/* everything else the same, and the hashes consistent */
	cr_assert_eq(tr_each(in, collect, &a), tr_each(out, collect, &b));
	cr_assert_eq(a.n, 30);
	cr_assert_eq(b.n, 30);
	for (size_t i = 0; i < a.n; i++) {
		cr_assert_eq(a.lat[i], b.lat[i]);
		cr_assert_eq(a.ts[i], b.ts[i]);
		for (size_t k = 0; k < a.n; k++)
			cr_assert_eq(!strcmp(a.paths[i], a.paths[k]), !strcmp(b.paths[i], b.paths[k]),
				     "grouping by path is kept");
		cr_assert_eq(strncmp(b.paths[i], "/home/", 6), 0, "%s", b.paths[i]);
	}
	cr_assert_eq(b.dport, 443);
	cr_assert_eq(b.sport, 40000);
	cr_assert_eq(b.rx, 2000);
	cr_assert_neq(b.skaddr_state, a.skaddr_state);
	cr_assert_eq(b.skaddr_state, b.skaddr_life, "the connection still joins");
	cr_assert_eq(memcmp(b.daddr_state, b.daddr_life, 16), 0);
	cr_assert_eq(b.daddr_state[0] & 0xf0, 0xf0);
	cr_assert_eq(strncmp(b.exec_file, "/usr/", 5), 0, "%s", b.exec_file);
	cr_assert_null(strstr(b.cmdline, "secret"), "%s", b.cmdline);

	/* the same key, the same hashes */
	static struct seen c;
	cr_assert_eq(run_cmd("%s --redact --redact-key %s -o %s %s >/dev/null 2>&1", REPLAY_BIN, key,
			     out2, in), 0);
	tr_each(out2, collect, &c);
	cr_assert_str_eq(c.paths[0], b.paths[0]);
	cr_assert_str_eq(c.cmdline, b.cmdline);
	/* the output refuses to be an input, and -o is needed */
	cr_assert_eq(run_cmd("%s --redact -o %s %s >/dev/null 2>&1", REPLAY_BIN, in, in), 1);
	cr_assert_eq(run_cmd("%s --redact %s >/dev/null 2>&1", REPLAY_BIN, in), 1);
	/* a key file without a key */
	FILE *f = fopen(key, "w");
	fputs("not a key\n", f);
	fclose(f);
	cr_assert_eq(run_cmd("%s --redact --redact-key %s -o %s %s >/dev/null 2>&1", REPLAY_BIN, key,
			     out2, in), 1);
	unlink(in);
	unlink(out);
	unlink(out2);
	unlink(key);
	free(in);
	free(out);
	free(out2);
	free(key);
}

/* A type the rules do not know: its strings and bytes are hashed, its
 * numbers stay. */
Test(replay_redact, unknown_types_are_hashed)
{
	struct redactor *r = redactor__new(key1);
	struct rec {
		uint64_t ts;
		uint32_t n;
		char note[64];
		uint8_t blob[8];
	} rec = { .ts = 5, .n = 77 };
	const struct trace_field_desc fields[] = {
		{ "ts", TRACE_FIELD_U64, TRACE_HINT_TIME, 0, 8, 1 },
		{ "n", TRACE_FIELD_U32, 0, 8, 4, 1 },
		{ "note", TRACE_FIELD_STR, 0, 12, 64, 1 },
		{ "blob", TRACE_FIELD_BYTES, 0, 76, 8, 1 },
	};
	const struct redact_plan *p = redactor__plan(r, "future_thing", fields, 4, sizeof(rec));

	cr_assert_not_null(p);
	cr_assert_eq(redactor__plan(r, "future_thing", fields, 4, sizeof(rec)), p, "one plan per layout");
	strcpy(rec.note, "the password is hunter2");
	memcpy(rec.blob, "ABCDEFGH", 8);
	redactor__apply(r, p, &rec);
	cr_assert_eq(rec.n, 77);
	cr_assert_null(strstr(rec.note, "hunter2"));
	cr_assert_neq(memcmp(rec.blob, "ABCDEFGH", 8), 0);
	redactor__free(r);
}
