/*
 * lock.h - one watchdog per state dir: a POSIX record lock on a file in it.
 * Other processes can ask who holds it without taking it (F_GETLK), so `ls`
 * never races a starting watchdog out of its lock.
 */
#ifndef VIGIL_LOCK_H
#define VIGIL_LOCK_H

#include <sys/types.h>

#define LOCK_FILE_NAME "watch.lock"

/*
 * lock_take takes the lock on dir/watch.lock. Returns the open descriptor
 * (keep it open for as long as the lock is needed), or -1 with *holder set
 * to the holding pid (0 when the failure was something else, err set).
 */
int lock_take(const char *dir, pid_t *holder, char *err);

/* lock_holder returns the pid holding the lock, 0 when free or unknown. */
pid_t lock_holder(const char *dir);

#endif
