// SPDX-License-Identifier: MIT
/* Metadata pairs and the META payload. */
#include "meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void meta__free(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->pairs[i].key);
		free(m->pairs[i].value);
	}
	free(m->pairs);
	memset(m, 0, sizeof(*m));
}

static int set_n(struct meta *m, const char *key, size_t klen, const char *value, size_t vlen)
{
	char *v = malloc(vlen + 1);

	if (!v)
		return -ENOMEM;
	memcpy(v, value, vlen);
	v[vlen] = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (strlen(m->pairs[i].key) == klen && memcmp(m->pairs[i].key, key, klen) == 0) {
			free(m->pairs[i].value);
			m->pairs[i].value = v;
			m->pairs[i].dirty = true;
			return 0;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct meta_pair *p = realloc(m->pairs, cap * sizeof(*p));

		if (!p)
			goto nomem;
		m->pairs = p;
		m->cap = cap;
	}
	char *k = malloc(klen + 1);

	if (!k)
		goto nomem;
	memcpy(k, key, klen);
	k[klen] = 0;
	m->pairs[m->n++] = (struct meta_pair){ .key = k, .value = v, .dirty = true };
	return 0;
nomem:
	free(v);
	return -ENOMEM;
}

int meta__check(const char *key, const char *value)
{
	size_t klen = key ? strlen(key) : 0;

	if (klen == 0 || klen > META_MAX_KEY || !value || strlen(value) > META_MAX_VALUE)
		return -EINVAL;
	return 0;
}

int meta__set(struct meta *m, const char *key, const char *value)
{
	int err = meta__check(key, value);

	return err ? err : set_n(m, key, strlen(key), value, strlen(value));
}

const char *meta__get(const struct meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->pairs[i].key, key) == 0)
			return m->pairs[i].value;
	return NULL;
}

size_t meta__encoded_size(const struct meta *m, bool dirty_only)
{
	size_t n = 4;

	for (size_t i = 0; i < m->n; i++)
		if (!dirty_only || m->pairs[i].dirty)
			n += 6 + strlen(m->pairs[i].key) + strlen(m->pairs[i].value);
	return n;
}

void meta__encode(const struct meta *m, bool dirty_only, uint8_t *out)
{
	uint8_t *p = out + 4;
	uint32_t count = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct meta_pair *kv = &m->pairs[i];
		size_t kl = strlen(kv->key), vl = strlen(kv->value);

		if (dirty_only && !kv->dirty)
			continue;
		put_le16(p, (uint16_t)kl);
		memcpy(p + 2, kv->key, kl);
		p += 2 + kl;
		put_le32(p, (uint32_t)vl);
		memcpy(p + 4, kv->value, vl);
		p += 4 + vl;
		count++;
	}
	put_le32(out, count);
}

void meta__clean(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++)
		m->pairs[i].dirty = false;
}

int meta__decode_merge(struct meta *m, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint32_t count;

	if (len < 4)
		return -EPROTO;
	count = get_le32(p);
	p += 4;
	for (uint32_t i = 0; i < count; i++) {
		size_t kl, vl;
		const uint8_t *k;

		if (end - p < 2)
			return -EPROTO;
		kl = get_le16(p);
		p += 2;
		if (kl == 0 || kl > META_MAX_KEY || (size_t)(end - p) < kl + 4)
			return -EPROTO;
		k = p;
		p += kl;
		vl = get_le32(p);
		p += 4;
		if (vl > META_MAX_VALUE || (size_t)(end - p) < vl)
			return -EPROTO;
		if (memchr(k, 0, kl) || memchr(p, 0, vl))
			return -EPROTO;
		int err = set_n(m, (const char *)k, kl, (const char *)p, vl);

		if (err)
			return err;
		p += vl;
	}
	return p == end ? 0 : -EPROTO;
}
