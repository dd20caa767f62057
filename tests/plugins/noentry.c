/* SPDX-License-Identifier: MIT */
/* A shared object that is not a plugin: a symbol, but not the entry. */
int apomon_something_else(void);
int apomon_something_else(void)
{
	return 42;
}
