/*
 * fuzz.h - what the fuzz targets share: CHECK, an assertion that stays in
 * -O1 builds and names the file and line before it aborts, so that
 * libFuzzer keeps the input. A target that closes stderr defines
 * FUZZ_REPORT as a stream of its own before it includes this.
 */
#ifndef VIGIL_FUZZ_H
#define VIGIL_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_REPORT
#define FUZZ_REPORT stderr
#endif

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(FUZZ_REPORT, "%s:%d: check failed: %s\n",      \
			    __FILE__, __LINE__, #cond);                         \
			abort();                                                \
		}                                                               \
	} while (0)

#endif
