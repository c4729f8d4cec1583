/*
 * main.c - global options, the environment, and dispatch. Only here are
 * errors printed (one line on stderr) and exit codes chosen; the codes are
 * sysexits, as DESIGN.md's contract lists them.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "run.h"
#include "store.h"
#include "tmux.h"
#include "version.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: vigil [-H DIR] [-L SOCKET] [-c FILE] COMMAND [ARGS]\n\n");
	for (const struct vigil_cmd *const *c = cmd_all(); *c; c++)
		fprintf(fp, "  %-10s %-44s %s\n", (*c)->name, (*c)->usage, (*c)->summary);
	fprintf(fp, "\n  -H DIR     state dir (env VIGIL_HOME)\n"
	    "  -L SOCKET  tmux socket name (env VIGIL_SOCKET; default \"vigil\")\n"
	    "  -c FILE    config file (env VIGIL_CONFIG)\n"
	    "\nSee vigil(1) and vigil.conf(5).\n");
}

static char *
absolute(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static char *
default_home(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	if (x && *x == '/')
		return xasprintf("%s/vigil", x);
	const char *home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = "/tmp";
	return xasprintf("%s/.local/state/vigil", home);
}

/*
 * shown copies an untrusted word for a message: at most n - 1 bytes, with
 * control characters as \xNN, so that the message stays one line.
 */
static char *
shown(const char *word, char *out, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)word; *p && k + 5 < n; p++) {
		if (*p < 0x20 || *p == 0x7f)
			k += (size_t)snprintf(out + k, n - k, "\\x%02x", *p);
		else
			out[k++] = (char)*p;
	}
	out[k] = '\0';
	return out;
}

/* socket_ok: a plain name, printable UTF-8 with no '/', as tmux -L wants. */
static int
socket_ok(const char *sock)
{
	size_t n = strlen(sock);
	if (n == 0 || n > 100 || strchr(sock, '/') || !utf8_valid(sock, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sock[i] < 0x20 || sock[i] == 0x7f)
			return 0;
	return 1;
}

static int
fail(const char *what, int code, const char *msg)
{
	fprintf(stderr, "vigil: %s: %s\n", what, msg);
	return code;
}

int
main(int argc, char **argv)
{
	struct vigil_ctx ctx = {0};
	const char *home = getenv("VIGIL_HOME");
	const char *sock = getenv("VIGIL_SOCKET");
	const char *conf = getenv("VIGIL_CONFIG");
	int c, rc;

	/* The agent's wrapper runs in every pane: nothing else to set up. */
	if (argc > 1 && strcmp(argv[1], RUN_CMD) == 0)
		return run_main(argc - 1, argv + 1);

	/* A closed reader of our output must not kill us mid-transaction. */
	signal(SIGPIPE, SIG_IGN);

	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:H:L:c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'L':
			sock = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vigil %s\n", VIGIL_VERSION);
			return 0;
		case ':':
			return fail("usage", EX_USAGE, "a global flag needs a value");
		default: {
			char word[80];
			fprintf(stderr, "vigil: usage: unknown flag '%s' (see vigil --help)\n",
			    shown(argv[optind - 1], word, sizeof word));
			return EX_USAGE;
		}
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigil: usage: vigil [-H DIR] [-L SOCKET] [-c FILE] COMMAND "
		    "[ARGS] (see vigil --help)\n");
		return EX_USAGE;
	}
	const char *name = argv[optind];
	const struct vigil_cmd *cmd = cmd_find(name);
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (cmd == NULL) {
		char word[80];
		fprintf(stderr, "vigil: unknown command '%s' (see vigil --help)\n",
		    shown(name, word, sizeof word));
		return EX_USAGE;
	}
	if (home != NULL && *home == '\0')
		return fail(name, EX_USAGE, "empty state dir (-H / VIGIL_HOME)");
	if (sock != NULL && !socket_ok(sock))
		return fail(name, EX_USAGE, "invalid tmux socket name: a plain name is needed");
	if (conf != NULL && *conf == '\0')
		conf = NULL;

	ctx.home = home ? absolute(home) : default_home();
	ctx.socket = xstrdup(sock ? sock : "vigil");
	ctx.config_path = conf ? absolute(conf) : NULL;
	ctx.config_given = conf != NULL;
	ctx.cmd = cmd->name;

	if (!(cmd->flags & CMD_NOCONFIG)) {
		rc = config_load(ctx.config_path, ctx.config_given, &ctx.cfg, ctx.err);
		if (rc != 0) {
			fail("config", rc, ctx.err);
			goto out;
		}
	} else {
		ctx.cfg = config_defaults();
	}

	/* Commands parse from their own name on, as getopt expects. */
	int first = optind;
	optind = 0;
	rc = cmd->exec(&ctx, argc - first, argv + first);
	if (rc != 0 && ctx.err[0] != '\0')
		fail(cmd->name, rc, ctx.err);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (rc == 0)
			rc = fail(cmd->name, 1, "cannot write output");
	}
out:
	store_close(ctx.store);
	tmux_free(ctx.tmux);
	config_free(ctx.cfg);
	free(ctx.home);
	free(ctx.socket);
	free(ctx.config_path);
	return rc;
}
