/* SPDX-License-Identifier: MIT */
/* apomon [-c CONFDIR] [-e ENV] [--plugin-path DIR]... COMMAND [ARGS] */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "base/util.h"

/* one command a line, greppable by name: not reflowed by clang-format */
// clang-format off
static const struct apo_command commands[] = {
	{"plugins", "[--json]", "list the station types that load, and why others were refused", apo_cmd_plugins, false, false},
	{"validate", "", "check the config files and report every problem", apo_cmd_validate, false, false},
	{"plan", "[--json]", "print what `up` would create, touching nothing", apo_cmd_plan, false, false},
	{"up", "[--quiet] [--json] [--network-only] [--dry-run] [--images DIR]... [STATION...]", "build the environment, apply what changed in the files, or start the named stations (and what depends on them)", apo_cmd_up, false, true},
	{"down", "[--quiet] [--json] [--purge] [STATION...]", "remove the environment, even after a crash (--purge: and the stations' data), or stop the named stations (and what depends on them)", apo_cmd_down, false, true},
	{"diff", "[--json]", "what `up` would change in a running environment (exit 1: something)", apo_cmd_diff, false, true},
	{"status", "[--quiet] [--json]", "compare the kernel with the plan", apo_cmd_status, false, true},
	{"graph", "[--svg FILE]", "print the topology as Graphviz DOT, or render it as SVG", apo_cmd_graph, true, false},
	{"image", "build|list|rm ...", "build image layers from Debian packages, list, remove them", apo_cmd_image, true, true},
	{"seal", "[STATION...] [-o FILE] [--sign KEY] [--root DIR]", "write the manifests of stations' sealed files", apo_cmd_seal, true, false},
	{"verify", "[STATION...] [--root DIR] [-j THREADS]", "check stations' sealed files against their manifests", apo_cmd_verify, true, false},
	{"keygen", "[-o PREFIX]", "make an Ed25519 key pair for signing manifests", apo_cmd_keygen, true, false},
	{"exec", "[-T] STATION -- CMD...", "run a command inside a running station", apo_cmd_exec, false, true},
	{"logs", "[-f] STATION", "print a station's output; -f follows it", apo_cmd_logs, false, true},
	{"stop", "[-t SECONDS] STATION...", "stop stations (SIGTERM, then SIGKILL); data stays", apo_cmd_stop, false, true},
	{"start", "[--images DIR]... STATION...", "start stopped stations again", apo_cmd_start, false, true},
	{"restart", "[-t SECONDS] [--images DIR]... STATION...", "stop and start stations", apo_cmd_restart, false, true},
	{"commit", "STATION IMAGE", "make a station's writable layer a new image", apo_cmd_commit, false, true},
	{"ssh", "STATION [COMMAND...]", "ssh to 3pg@ a station with the environment's key", apo_cmd_ssh, false, true},
	{"ca", "[--path]", "print the environment's CA certificate and how to trust it", apo_cmd_ca, true, true},
	{"deploy", "STATION FILE", "install an artifact (e.g. a .war) into a running station", apo_cmd_deploy, false, true},
	{"hosts", "[--apply|--remove]", "print the host-file lines of the public names; --apply writes them to /etc/hosts", apo_cmd_hosts, true, false},
};
/* `help [COMMAND]` is main's own: the text below, or COMMAND's usage */
// clang-format on

/* the width of the commands' synopsis column in --help */
#define HELP_COLUMN 22

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: apomon [-c CONFDIR] [-e ENV] [--plugin-path DIR]... COMMAND [ARGS]\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config DIR        config directory (apomon.conf and conf.d/); default %s\n"
	    "  -e, --env NAME          environment name; default: the config's, else \"example\"\n"
	    "  -p, --plugin-path DIR   search DIR for station types first (repeatable)\n"
	    "  -v, --verbose           say more\n"
	    "  -h, --help              this text\n"
	    "  -V, --version           print the version\n"
	    "\n"
	    "Commands:\n",
	    APO_CONFDIR);
	for (size_t i = 0; i < APO_ARRAY_SIZE(commands); i++) {
		int w = fprintf(out, "  %s %s", commands[i].name, commands[i].args);
		/* a synopsis wider than its column gets a line of its own:
		 * cut or run into the summary, it would mislead */
		if (w > 2 + HELP_COLUMN)
			fprintf(out, "\n  %-*s %s\n", HELP_COLUMN, "", commands[i].summary);
		else
			fprintf(out, "%*s %s\n", 2 + HELP_COLUMN - w, "", commands[i].summary);
	}
	fprintf(out, "  %-*s %s\n", HELP_COLUMN, "help [COMMAND]", "this text, or COMMAND's usage");
	fprintf(out, "\nExit codes: 0 ok, 1 runtime failure, 2 usage or config error.\n"
		     "See apomon(8), apomon.conf(5), apomon-plugin(7).\n");
}

/* -h or --help anywhere before "--": an own_help command (image's
 * subcommands) answers it, unprivileged too */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"env", required_argument, NULL, 'e'},
	    {"plugin-path", required_argument, NULL, 'p'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct apo_cli cli = {.confdir = APO_CONFDIR};
	size_t cap = 0;
	int c, rc;

	/* What apomon writes is for stations' services (dnsmasq reads its
	 * hosts file as its own user), for image layers and for the host's
	 * readers; every secret gets an explicit mode.  An operator's
	 * hardened umask (077) made those files root's alone and the
	 * stations' services fail, so apomon uses the usual one, as
	 * container runtimes do. */
	umask(022);
	/* "+": stop at the command so that its own options stay its own */
	while ((c = getopt_long(argc, argv, "+c:e:p:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli.confdir = optarg;
			break;
		case 'e':
			cli.env = optarg;
			break;
		case 'p':
			APO_PUSH(cli.plugin_dirs, cli.n_plugin_dirs, cap, optarg);
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return APO_EXIT_OK;
		case 'V':
			printf("apomon %s (plugin ABI %d)\n", PACKAGE_VERSION, APOMON_ABI_VERSION);
			return APO_EXIT_OK;
		default:
			fprintf(stderr, "Try 'apomon --help'.\n");
			return APO_EXIT_USAGE;
		}
	}
	/* before any command: -e becomes part of paths */
	if (cli.env && apo_cli_check_name("-e", "environment", cli.env)) {
		free(cli.plugin_dirs);
		return APO_EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return APO_EXIT_USAGE;
	}
	const char *name = argv[optind];
	/* each command parses its own options with a fresh getopt */
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	char *help_argv[] = {NULL, "--help", NULL};
	if (!strcmp(name, "help")) {
		if (sub_argc < 2 || !strcmp(sub_argv[1], "help") || sub_argv[1][0] == '-') {
			usage(stdout);
			return APO_EXIT_OK;
		}
		/* `apomon help up` is `apomon up --help` (image: its subcommands) */
		name = help_argv[0] = sub_argv[1];
		sub_argc = 2;
		sub_argv = help_argv;
	}
	for (size_t i = 0; i < APO_ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		optind = 0;
		if (!commands[i].own_help && apo_cli_wants_help(sub_argc, sub_argv)) {
			free(cli.plugin_dirs);
			return apo_cli_command_usage(&commands[i]);
		}
		if (commands[i].needs_root && !asks_help(sub_argc, sub_argv) &&
		    apo_cli_need_root(name)) {
			free(cli.plugin_dirs);
			return APO_EXIT_USAGE;
		}
		rc = commands[i].run(&cli, sub_argc, sub_argv);
		free(cli.plugin_dirs);
		return rc;
	}
	apo_err("unknown command '%s'; try 'apomon help'", name);
	free(cli.plugin_dirs);
	return APO_EXIT_USAGE;
}
