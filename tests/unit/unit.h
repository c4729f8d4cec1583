/* unit.h - what every cmocka test includes. */
#ifndef VIGIL_UNIT_H
#define VIGIL_UNIT_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
