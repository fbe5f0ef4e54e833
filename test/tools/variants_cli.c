/*-------------------------------------------------------------------------
 *
 * variants_cli.c
 *	  Test tool: print the robust-search variants of image files, one line
 *	  per variant: "file<TAB>name<TAB>family<TAB>phash<TAB>dhash<TAB>
 *	  phash_radius<TAB>dhash_radius", and with --explore a last column, the
 *	  variant's shape: "shape cut_left cut_right cut_top cut_bottom angle
 *	  fill orientation" (the ImgVariantSpec fields, for tune.py).
 *
 *	  variants_cli [--explore] [--time] FILE...   (or file names on stdin)
 *
 * Without --explore it prints what phash_variants() returns (every
 * family).  With --explore it prints a much larger set of candidate shapes
 * (a fine grid of crops, every tilt from 1 to 5 degrees), from which
 * test/bench/robust/tune.py chooses the table in src/hash/variants.c.  --time
 * prints, on stderr, the median time per image over the files.
 *
 * test/tools/variants_cli.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imghash_int.h"
#include "read_file.h"

#define MAX_SPECS 1200

static ImgVariantSpec explore[MAX_SPECS];
static int	nexplore = 0;

/* Add one candidate shape */
static ImgVariantSpec *
AddSpec(ImgVariantShape shape, float l, float r, float t, float b,
		float angle, unsigned orientations, unsigned family)
{
	ImgVariantSpec *s = &explore[nexplore++];

	memset(s, 0, sizeof(*s));
	s->shape = shape;
	s->cut[0] = l;
	s->cut[1] = r;
	s->cut[2] = t;
	s->cut[3] = b;
	s->angle = angle;
	s->orientations = orientations;
	s->family = family;
	s->phash_radius = 8;
	s->dhash_radius = -1;
	return s;
}

/* Build the candidate shapes of --explore */
static void
BuildExplore(void)
{
	static const float cuts[] = {0, 0.04f, 0.08f, 0.12f, 0.16f, 0.20f};
	int			n = sizeof(cuts) / sizeof(cuts[0]);
	int			a, b, c, d;
	int			k;
	int			f;

	AddSpec(IMG_SHAPE_WHOLE, 0, 0, 0, 0, 0, 0x01, IMG_FAMILY_WHOLE);
	AddSpec(IMG_SHAPE_WHOLE, 0, 0, 0, 0, 0, 0xfe, IMG_FAMILY_FLIP);
	AddSpec(IMG_SHAPE_SQUARE, 0, 0, 0, 0, 0, 0xff, IMG_FAMILY_FRAME);
	AddSpec(IMG_SHAPE_BORDER, 0, 0, 0, 0, 0, 0xff, IMG_FAMILY_FRAME);
	for (a = 0; a < n; a++)
		for (b = 0; a + b < n; b++)
			for (c = 0; c < n; c++)
				for (d = 0; c + d < n; d++)
					if (a + b + c + d > 0)
						AddSpec(IMG_SHAPE_CROP, cuts[a], cuts[b], cuts[c],
								cuts[d], 0, 0x03, IMG_FAMILY_CROP);
	for (k = 2; k <= 10; k++)
	{
		AddSpec(IMG_SHAPE_TILT_CROP, 0, 0, 0, 0, k * 0.5f, 0x03, IMG_FAMILY_TILT);
		AddSpec(IMG_SHAPE_TILT_CROP, 0, 0, 0, 0, -k * 0.5f, 0x03, IMG_FAMILY_TILT);
		for (f = IMG_FILL_EDGE; f <= IMG_FILL_GRAY; f++)
		{
			AddSpec(IMG_SHAPE_TILT_CANVAS, 0, 0, 0, 0, k * 0.5f, 0x03, IMG_FAMILY_TILT)->fill = f;
			AddSpec(IMG_SHAPE_TILT_CANVAS, 0, 0, 0, 0, -k * 0.5f, 0x03, IMG_FAMILY_TILT)->fill = f;
		}
	}
}

static int
CompareDoubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static ImgVariant variants[MAX_SPECS * 8];
static double times[1 << 20];
static int	ntimes = 0;
static int	use_explore = 0;
static int	show_time = 0;
static int	failed = 0;

/* Print the variants of one file */
static void
DoFile(ImgJob *job, const char *path)
{
	ImgOptions	options;
	ImgStatus	status;
	struct timespec t0, t1;
	size_t		len;
	unsigned char *data = ReadFile(path, &len);
	int			count = 0;
	int			i;

	if (data == NULL)
	{
		fprintf(stderr, "variants_cli: cannot read %s\n", path);
		failed = 1;
		return;
	}
	memset(&options, 0, sizeof(options));
	options.max_pixels = 100000000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (use_explore)
		status = ImgJobVariantsFromSpecs(job, data, len, &options, explore,
										 nexplore, NULL, variants,
										 MAX_SPECS * 8, &count);
	else
		status = ImgJobVariants(job, data, len, &options, IMG_FAMILY_ALL, 0,
								NULL, variants, &count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ntimes < (int) (sizeof(times) / sizeof(times[0])))
		times[ntimes++] = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	free(data);
	if (status != IMG_OK)
	{
		fprintf(stderr, "variants_cli: %s: error %d %s\n", path, (int) status,
				ImgJobMessage(job));
		failed = 1;
		return;
	}
	for (i = 0; i < count; i++)
	{
		printf("%s\t%s\t%u\t%016llx\t%016llx\t%d\t%d", path,
			   variants[i].name, variants[i].family,
			   (unsigned long long) variants[i].phash,
			   (unsigned long long) variants[i].dhash,
			   variants[i].phash_radius, variants[i].dhash_radius);
		if (use_explore)
		{
			const ImgVariantSpec *s = &explore[variants[i].spec];

			/* the spec, as tune.py writes table entries back */
			printf("\t%d %g %g %g %g %g %d %d", (int) s->shape, s->cut[0],
				   s->cut[1], s->cut[2], s->cut[3], s->angle, s->fill,
				   variants[i].orientation);
		}
		putchar('\n');
	}
}

int
main(int argc, char **argv)
{
	ImgJob	   *job = ImgJobCreate();
	int			first = 1;
	int			i;

	while (first < argc && strncmp(argv[first], "--", 2) == 0)
	{
		if (strcmp(argv[first], "--explore") == 0)
			use_explore = 1;
		else if (strcmp(argv[first], "--time") == 0)
			show_time = 1;
		else
		{
			fprintf(stderr, "usage: variants_cli [--explore] [--time] FILE...\n");
			return 2;
		}
		first++;
	}
	if (use_explore)
		BuildExplore();

	if (first < argc)
		for (i = first; i < argc; i++)
			DoFile(job, argv[i]);
	else
	{
		char		line[4096];

		while (fgets(line, sizeof(line), stdin) != NULL)
		{
			line[strcspn(line, "\n")] = '\0';
			if (line[0] != '\0')
				DoFile(job, line);
		}
	}
	if (show_time && ntimes > 0)
	{
		qsort(times, ntimes, sizeof(double), CompareDoubles);
		fprintf(stderr, "variants_cli: %d images, median %.3f ms, p95 %.3f ms\n",
				ntimes, times[ntimes / 2] * 1e3,
				times[(int) (ntimes * 0.95)] * 1e3);
	}
	ImgJobFree(job);
	return failed;
}
