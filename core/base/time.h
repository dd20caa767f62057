/* SPDX-License-Identifier: MIT */
/* The one clock for deadlines and durations. */
#ifndef APO_TIME_H
#define APO_TIME_H

/* Milliseconds on CLOCK_MONOTONIC (never jumps with the wall clock),
 * with their fraction. */
double apo_now_ms(void);

#endif
