/* SPDX-License-Identifier: MIT */
/* Parsers for the values the config holds: addresses, names, sizes. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "config/conf.h"

int apo_parse_ipv4(const char *s, struct in_addr *out)
{
	/* inet_pton is strict: exactly four decimal parts, no leading zeros */
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -EINVAL;
}

int apo_parse_cidr(const char *s, struct in_addr *addr, int *prefix)
{
	const char *slash = strchr(s, '/');
	char buf[INET_ADDRSTRLEN];

	if (!slash) {
		*prefix = -1;
		return apo_parse_ipv4(s, addr);
	}
	size_t len = slash - s;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (apo_parse_ipv4(buf, addr) < 0)
		return -EINVAL;
	const char *p = slash + 1;
	size_t n = strlen(p);
	if (n == 0 || n > 2 || (p[0] == '0' && n > 1) || !isdigit((unsigned char)p[0]) ||
	    (n == 2 && !isdigit((unsigned char)p[1])))
		return -EINVAL;
	int v = atoi(p);
	if (v > 32)
		return -EINVAL;
	*prefix = v;
	return 0;
}

uint32_t apo_prefix_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

const char *apo_addr_special(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	/* the kernel refuses these as a host's own address or routes them
	 * elsewhere; 0.0.0.0 also means "not written" in the model */
	if (h == 0)
		return "the unspecified address";
	if (h >> 24 == 0)
		return "an address of 0.0.0.0/8, which names no host";
	if (h >> 24 == 127)
		return "a loopback address (127.0.0.0/8)";
	if (h == 0xffffffffu)
		return "the limited broadcast address";
	if (h >> 28 == 0xe)
		return "a multicast address (224.0.0.0/4)";
	if (h >> 28 == 0xf)
		return "a reserved address (240.0.0.0/4)";
	return NULL;
}

/* Strict unsigned decimal: digits only, no sign, no blanks, no suffix,
 * at most max. */
int apo_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* RFC 1035 host names: labels of letters, digits and '-', 1..63 bytes,
 * not starting or ending with '-'; at most 253 bytes; one trailing dot
 * allowed.  Underscores are accepted, as in _service labels. */
bool apo_valid_dns_name(const char *s)
{
	size_t len = strlen(s);

	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '.';
		if (ch == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-' && ch != '_')
			return false;
		label++;
	}
	return true;
}

static bool name_chars(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

bool apo_valid_cluster_name(const char *s)
{
	return islower((unsigned char)s[0]) && name_chars(s, 63);
}

bool apo_valid_station_name(const char *s)
{
	return (islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])) && name_chars(s, 63);
}

int apo_parse_size(const char *s, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case '\0':
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (shift && v > (ULLONG_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}
