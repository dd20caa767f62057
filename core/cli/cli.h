/* SPDX-License-Identifier: MIT */
/* The command line: global options, the command table, the shared
 * load → validate → plan pipeline every command starts with. */
#ifndef APO_CLI_H
#define APO_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "config/model.h"
#include "plan/plan.h"
#include "plugin/registry.h"

/* Exit codes, documented in apomon(8). */
enum {
	APO_EXIT_OK = 0,
	APO_EXIT_FAILURE = 1, /* runtime failure: a kernel refusal, a station that did not start */
	APO_EXIT_USAGE = 2,   /* usage or config error */
};

struct apo_cli {
	const char *confdir; /* -c; default: the installed config directory */
	const char *env;     /* -e; NULL: the config's, else "example" */
	char **plugin_dirs;  /* --plugin-path, in order */
	size_t n_plugin_dirs;
	char **image_dirs; /* --images of up, start, restart: first on the image search path */
	size_t n_image_dirs;
	bool verbose;
};

/* What a command works on once the pipeline ran. */
struct apo_env {
	struct apo_model *model;
	struct apo_registry *registry;
	struct apo_plan *plan;
};

/*
 * Loads the config, the plugins (with the config's plugin path), validates
 * and plans.  Prints every problem to stderr and returns APO_EXIT_USAGE on
 * a config error, else APO_EXIT_OK with *env filled.
 */
int apo_env_open(const struct apo_cli *cli, struct apo_env *env);
void apo_env_close(struct apo_env *env);

/* Sets the image search path of this run (apo_image_search_set) from
 * cli's --images, the model's images_path (m may be NULL) and the
 * images/ folders beside r's plugins. */
void apo_cli_image_search(const struct apo_cli *cli, const struct apo_model *m,
			  const struct apo_registry *r);

/*
 * The one check of a name given on the command line or taken from the
 * config before it becomes part of a path: WHAT is "environment" (a
 * station-name label, not a name the image store uses) or "station" (a
 * station name, or its FQDN: a host name whose first label is one).
 * Returns 0, or prints one line naming the command and returns
 * APO_EXIT_USAGE.
 */
int apo_cli_check_name(const char *cmd, const char *what, const char *name);

/* The plan's index of station ARG (its name or FQDN), or -1 after one
 * line: "CMD: ARG: no such station in environment 'ENV'". */
ssize_t apo_cli_find_station(const char *cmd, const struct apo_plan *plan, const char *arg);

/* A number of seconds for option OPT of CMD: decimal digits with an
 * optional fraction ("2", "0.5"), 0..MAX; nothing else.  *ms gets it in
 * milliseconds.  0, or APO_EXIT_USAGE after one line. */
int apo_cli_parse_seconds(const char *cmd, const char *opt, const char *s, unsigned max,
			  unsigned *ms);

/* A whole number 0..MAX in decimal digits, nothing else; 0, or
 * APO_EXIT_USAGE after one line. */
int apo_cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned max,
		       unsigned *out);

/* 0 when apomon runs as root; otherwise APO_EXIT_USAGE after one line,
 * "CMD: must run as root ...".  Without it a user who forgot sudo got
 * whatever the first refused step said ("not running", "not sealed"). */
int apo_cli_need_root(const char *cmd);

/* Prints "apomon: " + message to stderr. */
void apo_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Hands the lower layers' report lines to apo_err. */
extern const struct apo_report apo_cli_report;

/* A --json document on stdout, pretty, spaced, slashes as they are. */
void apo_cli_print_json(struct json_object *o);

struct apo_command {
	const char *name;
	const char *args;    /* "[--json]" */
	const char *summary; /* one line for `apomon help` */
	int (*run)(const struct apo_cli *cli, int argc, char **argv);
	/* true: run handles -h/--help itself with a longer text; otherwise
	 * main answers it from the line above (apo_cli_wants_help) */
	bool own_help;
	/* true: acts on the kernel or on root's state (/run/apomon,
	 * /var/lib/apomon): main refuses it to other users in one line */
	bool needs_root;
};

/* True when argv (a command's, argv[0] its name) asks for help: -h or
 * --help before the first operand and before "--", so that
 * `apomon exec www1 -- ls -h` still runs ls -h. */
bool apo_cli_wants_help(int argc, char **argv);

/* "Usage: apomon NAME ARGS" and the summary, on stdout; APO_EXIT_OK. */
int apo_cli_command_usage(const struct apo_command *c);

/* Commands; argv[0] is the command name, options follow. */
int apo_cmd_plugins(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_validate(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_plan(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_graph(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_image(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_seal(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_verify(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_keygen(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_up(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_down(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_status(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_diff(const struct apo_cli *cli, int argc, char **argv);

/* The environment a command is about: -e, else the config's, else
 * "example"; reads the config only for its name (caller frees).  NULL
 * after printing why when the name is not one (apo_cli_check_name). */
char *apo_cli_env_name(const struct apo_cli *cli);

/* `up`/`down STATION...`: the plan stations named (and what depends on
 * them, with dependencies also what they depend on), per plan station;
 * NULL after one line naming an unknown one (caller frees). */
bool *apo_cli_select_stations(const char *cmd, const struct apo_plan *plan, char **names, size_t n,
			      bool dependencies);
struct apo_named_result;
struct apo_env;
/* Their verdict (r: what apo_up_named/apo_down_named returned): the
 * exit status. */
int apo_cli_named_verdict(const char *cmd, const struct apo_env *env, bool json, bool quiet,
			  const struct apo_named_result *res, int r);

int apo_cmd_exec(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_logs(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_stop(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_start(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_restart(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_commit(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_ssh(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_ca(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_deploy(const struct apo_cli *cli, int argc, char **argv);
int apo_cmd_hosts(const struct apo_cli *cli, int argc, char **argv);

/* A command's flag: --NAME, and -SHORT unless 0, sets *value. */
struct apo_cli_flag {
	const char *name;
	char short_name;
	bool *value;
};

/* A command's option with an argument: --NAME ARG (or -SHORT ARG), may
 * repeat; each ARG is appended to *values (*n of them, caller frees
 * *values). */
struct apo_cli_arg {
	const char *name;
	char short_name;
	const char ***values;
	size_t *n;
};

/* Parses a command's flags and options (each list ends with a NULL name,
 * at most 15 in all; args may be NULL): 0, or APO_EXIT_USAGE after one
 * line.  operands NULL: no operand is allowed; else the words after the
 * options (pointers into argv) and their count. */
int apo_cli_parse_options(int argc, char **argv, const struct apo_cli_flag *flags,
			  const struct apo_cli_arg *args, char ***operands, size_t *n_operands);
/* The same for a command that takes options only. */
int apo_cli_parse_flags(int argc, char **argv, const struct apo_cli_flag *flags);

/* Parses a command's own options: only --json (main answers -h/--help
 * before a command runs).
 * Returns 0, or APO_EXIT_USAGE after printing why. */
int apo_cli_parse_json_flag(int argc, char **argv, bool *json);

#endif
