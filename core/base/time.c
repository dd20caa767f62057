/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <time.h>

#include "base/time.h"

double apo_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
