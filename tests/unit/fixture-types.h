/* SPDX-License-Identifier: MIT */
/* Station types compiled into the unit tests: base (member), web (member,
 * settings port and docroot), lb (gateway), dns (backbone). */
#ifndef APO_FIXTURE_TYPES_H
#define APO_FIXTURE_TYPES_H

#include "plugin/registry.h"

/* A registry holding the four fixture types and one refusal, of
 * "/nonexistent/plugins/tomcat.so". */
struct apo_registry *fixture_registry(void);

#endif
