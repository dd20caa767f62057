# The network engine: namespaces, links, journal, up/down/status, probes.
core_libapocore_la_SOURCES += \
	core/netns.c core/netns.h \
	core/netlink.c core/netlink.h \
	core/journal.c core/journal.h \
	core/workers.c core/workers.h \
	core/progress.c core/progress.h \
	core/summary.c core/summary.h \
	core/up.c core/up-net.c core/up.h \
	core/down.c core/down.h \
	core/status.c core/status.h \
	core/host-probe.c core/host-probe.h \
	core/cmd-up.c core/cmd-down.c core/cmd-status.c
