// SPDX-License-Identifier: MIT
/* Addresses as text, as inet_ntop writes them. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "api/api.h"

const char *api_format_addr(uint16_t family, const uint8_t *addr, char *buf, size_t size)
{
	if (family != AF_INET && family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	return inet_ntop(family, addr, buf, (socklen_t)size);
}
