/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "base/fmt.h"

const char *apo_fmt_ip(char buf[static INET_ADDRSTRLEN], struct in_addr a)
{
	/* cannot fail: AF_INET is supported and the buffer is large enough */
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

const char *apo_fmt_prefix(char buf[static APO_PREFIX_STRLEN], struct in_addr a, unsigned prefix)
{
	char ip[INET_ADDRSTRLEN];

	snprintf(buf, APO_PREFIX_STRLEN, "%s/%u", apo_fmt_ip(ip, a), prefix);
	return buf;
}
