/*-------------------------------------------------------------------------
 *
 * progress.c
 *	  The progress bar on stderr: items done, items/s, MB/s of images, and
 *	  the share of the input read with the time left, estimated from input
 *	  bytes (the number of samples in a shard is not known before reading
 *	  it, its size is).  Drawn at most five times a second, only when
 *	  stderr is a terminal.
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
static uint64_t total_bytes;	/* size of the input; 0 when unknown */

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

/* The size of the input, when known */
void
ProgressSetTotal(uint64_t input_bytes)
{
	total_bytes = input_bytes;
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
	if (total_bytes > 0)
	{
		uint64_t	done = InputBytesRead();

		if (done > total_bytes)
			done = total_bytes;
		fprintf(stderr, "  %3.0f%%", 100.0 * done / total_bytes);
		if (done > 0)
		{
			double		left = elapsed * (total_bytes - done) / done;

			fprintf(stderr, "  ETA %d:%02d:%02d", (int) left / 3600,
					(int) left / 60 % 60, (int) left % 60);
		}
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
