/* SPDX-License-Identifier: MIT */
/* Stands in for a station's own copy of a library apomon opens on first
 * use (tests/unit/test-dl.c): loaded, it ends the process with 42. */
#include <unistd.h>

__attribute__((constructor)) static void loaded(void)
{
	_exit(42);
}
