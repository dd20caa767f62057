# The program and the core library it shares with the unit tests.
noinst_LTLIBRARIES += core/libapocore.la
core_libapocore_la_SOURCES = \
	core/util.c core/util.h \
	core/diag.c core/diag.h \
	core/paths.c core/paths.h \
	core/cli.c core/cli.h \
	core/cmd-validate.c core/cmd-plan.c
core_libapocore_la_CFLAGS = $(AM_CFLAGS) $(APO_DEP_CFLAGS) -pthread
core_libapocore_la_LIBADD = $(APO_LIBS)

bin_PROGRAMS += apomon
apomon_SOURCES = core/main.c
apomon_CFLAGS = $(AM_CFLAGS) $(APO_DEP_CFLAGS)
apomon_LDADD = core/libapocore.la
# the loader resolves plugins' nothing against apomon: types only call
# through struct apomon_host, so no -export-dynamic is needed
