/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/dl.h"
#include "base/util.h"

/* The root apomon started with: a library is only ever loaded from it. */
static struct stat start_root;
static bool start_root_known;

__attribute__((constructor)) static void note_root(void)
{
	start_root_known = stat("/", &start_root) == 0;
}

static bool root_changed(void)
{
	struct stat now;

	if (!start_root_known || stat("/", &now) < 0)
		return true;
	return now.st_dev != start_root.st_dev || now.st_ino != start_root.st_ino;
}

static int load(struct apo_dl *l)
{
	if (root_changed()) {
		snprintf(
		    l->why, sizeof(l->why),
		    "%s: not loaded: apomon's root changed since it started (a station's root?)",
		    l->soname);
		return -1;
	}
	/* RTLD_LOCAL: nothing loaded later binds to these by accident */
	void *h = dlopen(l->soname, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		snprintf(l->why, sizeof(l->why), "%s (the Debian package %s provides it)",
			 dlerror(), l->package);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		dlerror();
		l->fns[i] = dlsym(h, l->names[i]);
		if (!l->fns[i]) {
			snprintf(l->why, sizeof(l->why),
				 "%s: no function %s: a version too old for apomon (upgrade the "
				 "Debian package %s)",
				 l->soname, l->names[i], l->package);
			/* the handle stays open: what was resolved is never called */
			return -1;
		}
	}
	return 1;
}

bool apo_dl_ready(struct apo_dl *l)
{
	int s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);

	if (s)
		return s > 0;
	pthread_mutex_lock(&l->lock);
	s = l->state;
	if (!s) {
		s = load(l);
		__atomic_store_n(&l->state, s, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&l->lock);
	return s > 0;
}

int apo_dl_open(struct apo_dl *l, char **why)
{
	if (apo_dl_ready(l))
		return 0;
	if (why)
		*why = apo_xstrdup(l->why);
	return -ELIBACC;
}
