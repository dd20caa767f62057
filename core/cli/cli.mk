# core/cli: the program. main, the shared option handling (cli.c) and one
# file a command; the only layer that prints verdicts and picks exit codes.
core_libapocore_la_SOURCES += \
	core/cli/cli.c core/cli/cli.h \
	core/cli/cmd-validate.c core/cli/cmd-plan.c core/cli/cmd-graph.c \
	core/cli/cmd-plugins.c core/cli/cmd-up.c core/cli/cmd-down.c \
	core/cli/cmd-status.c core/cli/cmd-image.c core/cli/cmd-seal.c \
	core/cli/cmd-verify.c core/cli/cmd-keygen.c core/cli/cmd-exec.c \
	core/cli/cmd-logs.c core/cli/cmd-start.c core/cli/cmd-commit.c \
	core/cli/cmd-ssh.c core/cli/cmd-ca.c core/cli/cmd-deploy.c \
	core/cli/cmd-hosts.c core/cli/cmd-diff.c

bin_PROGRAMS += apomon
apomon_SOURCES = core/cli/main.c
apomon_CFLAGS = $(AM_CFLAGS) $(APO_DEP_CFLAGS)
apomon_LDADD = core/libapocore.la
# the loader resolves plugins' nothing against apomon: types only call
# through struct apomon_host, so no -export-dynamic is needed

# -h/--help on every command; apomon ca > ca.pem; what a user without root
# gets
TESTS += tests/integration/cli-help-ca.sh tests/integration/cli-nonroot.sh
EXTRA_DIST += tests/integration/cli-help-ca.sh tests/integration/cli-nonroot.sh

# bash completion, read from apomon itself (--help, usages, the plan);
# installed where bash-completion looks for it under the prefix
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = core/cli/bash-completion/apomon
TESTS += tests/integration/cli-completion.sh
EXTRA_DIST += tests/integration/cli-completion.sh
