/*-------------------------------------------------------------------------
 *
 * progress.c
 *	  The progress bar on stderr: items done, items/s, MB/s, and the time
 *	  left when the number of items is known.  Drawn at most five times a
 *	  second, only when stderr is a terminal.
 *
 * tools/img2pgsql/progress.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <time.h>

#include "img2pgsql.h"

static int	enabled;
static double start_time;
static double last_draw;
static uint64_t total_items;	/* 0 when unknown */

/* Seconds on a monotonic clock */
static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start timing; draw only when enabled */
void
ProgressInit(int draw)
{
	enabled = draw;
	start_time = Now();
	last_draw = 0;
}

/* The number of items, when known */
void
ProgressSetTotal(uint64_t total)
{
	total_items = total;
}

/* Redraw the bar if it is time (or force) */
void
ProgressUpdate(uint64_t items, uint64_t bytes, int force)
{
	double		now;
	double		elapsed;

	if (!enabled)
		return;
	now = Now();
	if (!force && now - last_draw < 0.2)
		return;
	last_draw = now;
	elapsed = now - start_time > 1e-6 ? now - start_time : 1e-6;
	fprintf(stderr, "\r%10llu items  %8.1f items/s  %7.1f MB/s",
			(unsigned long long) items, items / elapsed,
			bytes / elapsed / 1e6);
	if (total_items > 0 && items > 0 && items <= total_items)
	{
		double		left = elapsed * (total_items - items) / items;

		fprintf(stderr, "  %3.0f%%  ETA %d:%02d", 100.0 * items / total_items,
				(int) left / 60, (int) left % 60);
	}
	fflush(stderr);
}

/* End the bar's line */
void
ProgressFinish(void)
{
	if (enabled)
		fprintf(stderr, "\n");
}

/* Seconds since ProgressInit */
double
ProgressElapsed(void)
{
	return Now() - start_time;
}
