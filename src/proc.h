/*
 * proc.h - what /proc says about processes: whether one lives, whether the
 * agent's process runs under a pane, the boot id. No ps or pstree forks.
 */
#ifndef VIGIL_PROC_H
#define VIGIL_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* proc_alive tells whether pid exists (a zombie counts as gone). */
int proc_alive(pid_t pid);

/*
 * proc_find returns the pid of root or of its first descendant (breadth
 * first) whose comm, argv[0] basename or argv[1] basename (a script run by
 * an interpreter: `bash script`, `node .../cli`) equals name; 0 if none.
 */
pid_t proc_find(pid_t root, const char *name);

/* proc_starttime returns pid's start time in clock ticks since boot, or -1. */
long long proc_starttime(pid_t pid);

/* proc_boot_id fills out with the kernel's boot id ("" when unknown). */
void proc_boot_id(char *out, size_t n);

/* proc_rss_kb returns the resident set size of pid in KiB, or -1. */
long proc_rss_kb(pid_t pid);

#endif
