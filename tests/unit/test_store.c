/*
 * test_store.c - the SQLite store: migrations from an empty and from an
 * older schema, agents, events in order, crash history, heartbeat, account
 * cooldowns, files that are not vigil databases, and JSON via jansson.
 */
#include "unit.h"

#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "store.h"
#include "util.h"
#include "view.h"

static char *
tmpdir(void)
{
	char *d = xstrdup("/tmp/vigil-test-store.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void
rmtree(const char *d)
{
	const char *names[] = {"vigil.db", "vigil.db-wal", "vigil.db-shm", NULL};
	for (size_t i = 0; names[i]; i++) {
		char *p = xasprintf("%s/%s", d, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(d);
}

static void
fill(struct agent *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->state = xstrdup(ST_WORKING);
	a->preset = xstrdup("shell");
	a->dir = xstrdup("/tmp");
	a->argv = xstrdup("[\"cat\"]");
	a->restart = xstrdup("on-failure");
	a->created = 1000;
	a->exit_code = -1;
}

static int
user_version(const char *dir)
{
	char *path = xasprintf("%s/vigil.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return v;
}

static void
test_migrates_an_empty_store_to_the_latest(void **state)
{
	(void)state;
	char *d = tmpdir();
	char *sub = xasprintf("%s/a/b", d);
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(sub, &s, err), 0);
	store_close(s);
	assert_int_equal(user_version(sub), store_schema_version());
	struct stat st;
	char *db = xasprintf("%s/vigil.db", sub);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Opening again changes nothing. */
	assert_int_equal(store_open(sub, &s, err), 0);
	store_close(s);
	rmtree(sub);
	free(db);
	char *a = xasprintf("%s/a", d);
	rmdir(a);
	free(a);
	free(sub);
	rmdir(d);
	free(d);
}

static void
test_migrates_an_older_schema_keeping_rows(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open_version(d, 1, &s, err), 0);
	assert_int_equal(user_version(d), 1);
	/* A row as schema 1 wrote it: only its own columns. */
	assert_int_equal(sqlite3_exec(store_db(s), "INSERT INTO agents(name, state, preset, "
	    "dir, argv, created) VALUES('old', 'working', 'shell', '/tmp', '[\"cat\"]', 1000)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_event_add(s, 5000, "old", "spawn", 0, "cat", err), 0);
	store_close(s);

	assert_int_equal(store_open(d, &s, err), 0);
	assert_int_equal(user_version(d), store_schema_version());
	struct agent b;
	assert_int_equal(store_agent_get(s, "old", &b, err), 0);
	assert_string_equal(b.state, ST_WORKING);
	agent_free_fields(&b);
	struct event *ev;
	size_t n;
	assert_int_equal(store_event_list(s, NULL, 0, 0, &ev, &n, err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].kind, "spawn");
	event_array_free(ev, n);
	/* The newer tables are there. */
	assert_int_equal(store_crash_add(s, "old", 1, 1, 0, err), 0);
	store_close(s);
	rmtree(d);
	free(d);
}

static void
test_refuses_a_newer_schema(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), 0);
	store_close(s);
	char *path = xasprintf("%s/vigil.db", d);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(store_open(d, &s, err), -1);
	assert_non_null(strstr(err, "newer"));
	free(path);
	rmtree(d);
	free(d);
}

static void
test_a_file_that_is_not_sqlite_is_untouched(void **state)
{
	(void)state;
	char *d = tmpdir();
	char *path = xasprintf("%s/vigil.db", d);
	FILE *fp = fopen(path, "w");
	fputs("hello, this is not a database\n", fp);
	fclose(fp);
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), -1);
	assert_non_null(strstr(err, "not a vigil database"));
	struct buf b = {0};
	assert_int_equal(read_file(path, 1000, &b, NULL), 0);
	assert_string_equal(b.data, "hello, this is not a database\n");
	buf_free(&b);
	char *wal = xasprintf("%s-wal", path);
	assert_int_equal(access(wal, F_OK), -1);
	free(wal);
	free(path);
	rmtree(d);
	free(d);
}

static void
test_a_state_dir_on_a_file_is_an_error(void **state)
{
	(void)state;
	char *d = tmpdir();
	char *f = xasprintf("%s/file", d);
	FILE *fp = fopen(f, "w");
	fclose(fp);
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(f, &s, err), -1);
	assert_non_null(strstr(err, "not a directory"));
	unlink(f);
	free(f);
	rmtree(d);
	free(d);
}

static void
test_agent_round_trip_and_update(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), 0);
	struct agent a, b;
	fill(&a, "alpha");
	a.task = xstrdup("fix it; \"quoted\" \n two lines");
	a.cooldown_until = 1795000000123LL;
	a.tier = 3;
	assert_int_equal(store_agent_insert(s, &a, err), 0);
	assert_int_not_equal(store_agent_insert(s, &a, err), 0); /* the name is taken */
	assert_int_equal(store_agent_get(s, "alpha", &b, err), 0);
	assert_string_equal(b.task, a.task);
	assert_true(b.cooldown_until == a.cooldown_until);
	assert_int_equal(b.tier, 3);
	assert_null(b.worktree);
	free(b.state);
	b.state = xstrdup(ST_COOLING);
	b.renewals = 2;
	assert_int_equal(store_agent_update(s, &b, err), 0);
	agent_free_fields(&b);
	assert_int_equal(store_agent_get(s, "alpha", &b, err), 0);
	assert_string_equal(b.state, ST_COOLING);
	assert_int_equal(b.renewals, 2);
	agent_free_fields(&b);
	assert_int_equal(store_agent_get(s, "beta", &b, err), 1);
	assert_int_equal(store_agent_delete(s, "alpha", err), 0);
	assert_int_equal(store_agent_get(s, "alpha", &b, err), 1);
	agent_free_fields(&a);
	store_close(s);
	rmtree(d);
	free(d);
}

static void
test_events_oldest_first_ties_in_written_order(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), 0);
	const char *kinds[] = {"spawn", "warn", "nudge", "triage", "verdict"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_event_add(s, 7000, i == 2 ? "b" : "a", kinds[i], i,
		    "d", err), 0);
	struct event *ev;
	size_t n;
	assert_int_equal(store_event_list(s, NULL, 0, 0, &ev, &n, err), 0);
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(ev[i].kind, kinds[i]);
	event_array_free(ev, n);
	assert_int_equal(store_event_list(s, NULL, 0, 2, &ev, &n, err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].kind, "triage");
	assert_string_equal(ev[1].kind, "verdict");
	int64_t last = ev[0].id;
	event_array_free(ev, n);
	assert_int_equal(store_event_list(s, "a", 0, 0, &ev, &n, err), 0);
	assert_int_equal(n, 4);
	event_array_free(ev, n);
	assert_int_equal(store_event_list(s, NULL, last, 0, &ev, &n, err), 0);
	assert_int_equal(n, 1);
	event_array_free(ev, n);
	store_close(s);
	rmtree(d);
	free(d);
}

static void
test_crash_history_keeps_the_last_ten(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), 0);
	for (int i = 1; i <= 15; i++)
		assert_int_equal(store_crash_add(s, "c", i * 100, 1, 0, err), 0);
	int64_t t[20];
	assert_int_equal(store_crash_times(s, "c", t, 20, err), 10);
	assert_int_equal(t[0], 1500);
	assert_int_equal(t[9], 600);
	assert_int_equal(store_crash_times(s, "other", t, 20, err), 0);
	store_close(s);
	rmtree(d);
	free(d);
}

static void
test_heartbeat_and_account_cooldown(void **state)
{
	(void)state;
	char *d = tmpdir();
	struct store *s;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(store_open(d, &s, err), 0);
	struct heartbeat h = {.pid = 42, .started = 1, .beat = 2, .interval = 100, .ticks = 7};
	snprintf(h.boot_id, sizeof h.boot_id, "boot");
	struct heartbeat g;
	assert_int_equal(store_heartbeat_get(s, &g, err), 1);
	assert_int_equal(store_heartbeat_set(s, &h, err), 0);
	h.ticks = 8;
	assert_int_equal(store_heartbeat_set(s, &h, err), 0);
	assert_int_equal(store_heartbeat_get(s, &g, err), 0);
	assert_int_equal(g.pid, 42);
	assert_int_equal(g.ticks, 8);
	assert_string_equal(g.boot_id, "boot");
	struct account_cooldown c = {.account = "claude", .until = 99, .since = 1,
	    .agent = "a", .line = "limit"};
	struct account_cooldown r;
	assert_int_equal(store_account_get(s, "claude", &r, err), 1);
	assert_int_equal(store_account_set(s, &c, err), 0);
	assert_int_equal(store_account_get(s, "claude", &r, err), 0);
	assert_int_equal(r.until, 99);
	assert_string_equal(r.line, "limit");
	account_cooldown_free(&r);
	assert_int_equal(store_account_clear(s, "claude", err), 0);
	assert_int_equal(store_account_get(s, "claude", &r, err), 1);
	store_close(s);
	rmtree(d);
	free(d);
}

static void
test_json_of_hostile_text_is_valid(void **state)
{
	(void)state;
	char *const argv[] = {"a\"b", "x;y $HOME", "new\nline", "tab\t", NULL};
	char *j = argv_to_json(argv);
	struct strv back = {0};
	assert_int_equal(argv_from_json(j, &back, NULL), 0);
	assert_int_equal(back.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(back.v[i], argv[i]);
	strv_free(&back);
	free(j);
	assert_int_equal(argv_from_json("{\"not\": \"array\"}", &back, NULL), -1);
	assert_int_equal(argv_from_json("[1, 2]", &back, NULL), -1);
	assert_int_equal(argv_from_json("", &back, NULL), -1);

	struct event e = {.id = 1, .ts = 1795644732504LL, .agent = "a", .kind = "nudge",
	    .tier = 2, .detail = "pane said \"hi\"\n\xff\xfe end"};
	json_t *o = view_event_json(&e);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	assert_non_null(s);
	json_error_t je;
	json_t *back_o = json_loads(s, 0, &je);
	assert_non_null(back_o);
	assert_string_equal(json_string_value(json_object_get(back_o, "kind")), "nudge");
	assert_true(json_real_value(json_object_get(back_o, "ts")) > 1795644732.5);
	json_decref(back_o);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrates_an_empty_store_to_the_latest),
		cmocka_unit_test(test_migrates_an_older_schema_keeping_rows),
		cmocka_unit_test(test_refuses_a_newer_schema),
		cmocka_unit_test(test_a_file_that_is_not_sqlite_is_untouched),
		cmocka_unit_test(test_a_state_dir_on_a_file_is_an_error),
		cmocka_unit_test(test_agent_round_trip_and_update),
		cmocka_unit_test(test_events_oldest_first_ties_in_written_order),
		cmocka_unit_test(test_crash_history_keeps_the_last_ten),
		cmocka_unit_test(test_heartbeat_and_account_cooldown),
		cmocka_unit_test(test_json_of_hostile_text_is_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
