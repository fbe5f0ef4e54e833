/*-------------------------------------------------------------------------
 *
 * variants.c
 *	  Hash the altered versions of a query picture that robust search looks
 *	  for: mirrored and rotated, cropped, framed (img2dataset's centre
 *	  square and black border) and slightly tilted copies.
 *
 * A dataset stores one phash per row, of the copy it holds.  To find a
 * copy that was mirrored or cropped, we apply the same alteration to the
 * query and hash the result, so that the copy's phash is near one of the
 * query's variant hashes; phash_variants() returns them with a search
 * radius each.
 *
 * The image is decoded once, into three grids: the exact 32x32 phash grid
 * and 9x8 dhash grid (so that the unaltered variant is phash() and dhash()
 * bit for bit), and a "work image", the picture resized to at most
 * IMG_WORK_SIDE pixels a side (phash and dhash keep only the lowest
 * frequencies, which that size holds).  The variants are then cheap:
 *
 * - The 8 symmetries of the square (mirror, flip, rotations by 90, 180 and
 *   270 degrees, transpose, transverse) need no resampling.  A 2-D DCT-II
 *   turns a left-right mirror of its input into a sign change of every odd
 *   horizontal frequency, a top-bottom flip into the same for the vertical
 *   ones, and a transpose into the transposed coefficients; so each
 *   symmetry of a shape is a permutation with signs of its 64 low
 *   coefficients, then the median and the bits again.  Resizing commutes
 *   with these symmetries too (Pillow's weights are symmetric), so for
 *   dhash we flip its 9x8 grid, or transpose an 8x9 one.
 * - A crop or a frame resamples a box of the work image (Lanczos-3 in
 *   double precision, taps kept inside the box, as in a copy that holds
 *   only the box) to 32x32, runs the DCT, and derives the dhash grids from
 *   that 32x32 grid.
 * - A tilt first turns the work image (bilinear), on a canvas of the same
 *   size or a widened one, and then resamples as a crop does.
 *
 * Which shapes, orientations and radii make up the variants of each family
 * is the table VariantTable below; the evaluation behind its choices is in
 * test/bench/robust/ and the README.
 *
 * src/hash/variants.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dct.h"
#include "imghash_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/*
 * The horizontal passes to 32 columns already made over the work image,
 * by stretch: crops that cut the same left and right share them, and then
 * cost only their vertical pass.
 */
#define ROW_CACHE_SIZE 48

typedef struct RowCache
{
	int			n;
	double		x0[ROW_CACHE_SIZE];
	double		x1[ROW_CACHE_SIZE];
	double	   *rows;			/* ROW_CACHE_SIZE blocks of h * 32 */
} RowCache;

/* A gray picture in floating point (the work image and its derivatives) */
typedef struct VariantImage
{
	int			w;
	int			h;
	float	   *pix;			/* w * h, row-major */
	RowCache   *cache;			/* the work image only, else NULL */
} VariantImage;

/* The grids of one shape, before any symmetry is applied */
typedef struct ShapeGrids
{
	double		dct[64];		/* low 8x8 DCT coefficients, [v][u] */
	double		wide[8 * 9];	/* 9 wide x 8 high, for dhash */
	double		tall[9 * 8];	/* 8 wide x 9 high, for transposed dhash */
} ShapeGrids;

/* Names of the orientations, in IMG_ORIENT order (bits: transpose, flip, mirror) */
static const char *const orientation_names[IMG_NUM_ORIENTATIONS] = {
	"",							/* 0: as it is */
	"mirror",					/* 1: left-right */
	"flip",						/* 2: top-bottom */
	"rotate 180",				/* 3: mirror and flip */
	"transpose",				/* 4: transpose */
	"rotate 270",				/* 5: transpose, then mirror: clockwise */
	"rotate 90",				/* 6: transpose, then flip: counter-clockwise */
	"transverse"				/* 7: transpose, mirror and flip */
};

#define ORIENT_MIRROR	0x1
#define ORIENT_FLIP		0x2
#define ORIENT_TRANSPOSE 0x4

/*
 * The Lanczos-3 window, tabulated: resampling a variant takes thousands of
 * taps, and two sines each would be most of its time.  Linear
 * interpolation between LANCZOS_STEPS samples per unit is within 1e-7 of
 * the exact window, far below the rounding of each pass to whole values.
 */
#define LANCZOS_STEPS 4096

static double lanczos_table[3 * LANCZOS_STEPS + 2];
static bool lanczos_ready = false;

/* Compute sin(pi x) / (pi x) */
static double
Sinc(double x)
{
	if (x == 0.0)
		return 1.0;
	x *= M_PI;
	return sin(x) / x;
}

static void
LanczosTableInit(void)
{
	int			i;

	for (i = 0; i <= 3 * LANCZOS_STEPS; i++)
	{
		double		x = (double) i / LANCZOS_STEPS;

		lanczos_table[i] = Sinc(x) * Sinc(x / 3.0);
	}
	lanczos_table[3 * LANCZOS_STEPS] = 0.0;
	lanczos_table[3 * LANCZOS_STEPS + 1] = 0.0;
	lanczos_ready = true;
}

/* The Lanczos-3 window at x, from the table */
static inline double
Lanczos3(double x)
{
	double		pos = fabs(x) * LANCZOS_STEPS;
	int			i;

	if (pos >= 3 * LANCZOS_STEPS)
		return 0.0;
	i = (int) pos;
	return lanczos_table[i] + (pos - i) * (lanczos_table[i + 1] - lanczos_table[i]);
}

/*
 * Compute the weights that resample the stretch [from, to) of an axis of
 * size in_size to out_size samples, with Pillow's Lanczos geometry but
 * taps kept inside the stretch.  first[i] and count[i] give output i's
 * taps; weights holds ksize weights per output.  Returns ksize, or -1
 * when out of memory.
 */
static int
AxisWeights(ImgJob *job, int in_size, double from, double to, int out_size,
			int *first, int *count, double **weights)
{
	double		scale = (to - from) / out_size;
	double		filterscale = scale < 1.0 ? 1.0 : scale;
	double		support = 3.0 * filterscale;
	int			ksize = (int) ceil(support) * 2 + 2;
	int			lo = (int) floor(from + 1e-6);
	int			hi = (int) ceil(to - 1e-6);
	int			i;

	if (lo < 0)
		lo = 0;
	if (hi > in_size)
		hi = in_size;
	if (hi <= lo)
	{
		/* a stretch thinner than a pixel: take the nearest one */
		lo = (int) floor((from + to) / 2);
		if (lo < 0)
			lo = 0;
		if (lo > in_size - 1)
			lo = in_size - 1;
		hi = lo + 1;
	}

	*weights = ImgAlloc(job, sizeof(double) * ksize * out_size);
	if (*weights == NULL)
		return -1;

	for (i = 0; i < out_size; i++)
	{
		double		center = from + (i + 0.5) * scale;
		double	   *k = *weights + (size_t) i * ksize;
		double		total = 0.0;
		int			xmin = (int) floor(center - support);
		int			xmax = (int) ceil(center + support);
		int			x;

		if (xmin < lo)
			xmin = lo;
		if (xmax > hi)
			xmax = hi;
		if (xmax - xmin > ksize)
			xmax = xmin + ksize;
		for (x = xmin; x < xmax; x++)
		{
			k[x - xmin] = Lanczos3((x + 0.5 - center) / filterscale);
			total += k[x - xmin];
		}
		if (total == 0.0)
		{
			/* no tap within reach: the nearest pixel */
			xmin = (int) floor(center);
			if (xmin < lo)
				xmin = lo;
			if (xmin > hi - 1)
				xmin = hi - 1;
			xmax = xmin + 1;
			k[0] = total = 1.0;
		}
		for (x = 0; x < xmax - xmin; x++)
			k[x] /= total;
		first[i] = xmin;
		count[i] = xmax - xmin;
	}
	return ksize;
}

/*
 * floor() of a double within int range, as an int: the same value, without
 * the library call that x86-64's baseline instruction set needs for it
 */
static inline int
FloorToInt(double v)
{
	int			i = (int) v;

	return i - (i > v);
}

/*
 * Round and clip a resampled value to 0..255, as each of Pillow's passes
 * does: flat areas then give equal pixels, whose dhash bits and DCT
 * coefficients tie as they do in a copy's hash.
 */
static inline double
RoundPixel(double value)
{
	if (value <= 0.0)
		return 0.0;
	if (value >= 255.0)
		return 255.0;
	return (double) FloorToInt(value + 0.5);
}

/*
 * The horizontal pass of ResampleBox over rows [ylo, yhi) of image into
 * rows (out_w doubles a row, from ylo), four rows at a time (they share
 * the weights); each sum still adds its taps in order, so the result is
 * that of one row at a time.
 */
static void
HorizontalPass(const VariantImage *image, int ylo, int yhi,
			   const double *hweights, int hk, const int *hfirst,
			   const int *hcount, int out_w, double *rows)
{
	int			x;
	int			y;

	for (y = ylo; y < yhi; y += 4)
	{
		int			nr = yhi - y < 4 ? yhi - y : 4;
		const float *src[4];
		double	   *dst[4];
		int			r;

		for (r = 0; r < 4; r++)
		{
			int			yy = y + (r < nr ? r : nr - 1);

			src[r] = image->pix + (size_t) yy * image->w;
			dst[r] = rows + (size_t) (yy - ylo) * out_w;
		}
		for (x = 0; x < out_w; x++)
		{
			const double *k = hweights + (size_t) x * hk;
			int			first = hfirst[x];
			double		s0 = 0.0,
						s1 = 0.0,
						s2 = 0.0,
						s3 = 0.0;
			int			i;

			for (i = 0; i < hcount[x]; i++)
			{
				double		w = k[i];

				s0 += src[0][first + i] * w;
				s1 += src[1][first + i] * w;
				s2 += src[2][first + i] * w;
				s3 += src[3][first + i] * w;
			}
			dst[0][x] = RoundPixel(s0);
			dst[1][x] = RoundPixel(s1);
			dst[2][x] = RoundPixel(s2);
			dst[3][x] = RoundPixel(s3);
		}
	}

}

/* The vertical pass of ResampleBox: rows holds input rows from ylo */
static void
VerticalPass(const double *rows, int ylo, const double *vweights, int vk,
			 const int *vfirst, const int *vcount, int out_w, int out_h,
			 double *out)
{
	int			x;
	int			y;

	for (y = 0; y < out_h; y++)
	{
		const double *k = vweights + (size_t) y * vk;
		double	   *o = out + (size_t) y * out_w;
		int			i;

		for (x = 0; x < out_w; x++)
			o[x] = 0.0;
		for (i = 0; i < vcount[y]; i++)
		{
			const double *row = rows + (size_t) (vfirst[y] - ylo + i) * out_w;
			double		w = k[i];

			for (x = 0; x < out_w; x++)
				o[x] += row[x] * w;
		}
		for (x = 0; x < out_w; x++)
			o[x] = RoundPixel(o[x]);
	}
}

/*
 * Resample the box [x0, x1) x [y0, y1) of image to an out_w x out_h grid
 * (row-major doubles, whole values 0 to 255): horizontal pass first, as
 * Pillow does, then vertical, each rounded as Pillow rounds.  Returns
 * false when out of memory.
 */
static bool
ResampleBox(ImgJob *job, const VariantImage *image, double x0, double y0,
			double x1, double y1, int out_w, int out_h, double *out)
{
	int			hfirst[IMG_GRID_MAX];
	int			hcount[IMG_GRID_MAX];
	int			vfirst[IMG_GRID_MAX];
	int			vcount[IMG_GRID_MAX];
	double	   *hweights;
	double	   *vweights;
	double	   *rows;
	int			hk;
	int			vk;
	int			ylo;
	int			yhi;

	vk = AxisWeights(job, image->h, y0, y1, out_h, vfirst, vcount, &vweights);
	if (vk < 0)
		return false;

	/* the rows any vertical window reaches */
	ylo = vfirst[0];
	yhi = vfirst[out_h - 1] + vcount[out_h - 1];

	if (image->cache != NULL && out_w == 32)
	{
		RowCache   *c = image->cache;
		int			e;

		for (e = 0; e < c->n; e++)
			if (c->x0[e] == x0 && c->x1[e] == x1)
				break;
		if (e < c->n || c->n < ROW_CACHE_SIZE)
		{
			rows = c->rows + (size_t) e * image->h * 32;
			if (e == c->n)
			{
				hk = AxisWeights(job, image->w, x0, x1, out_w, hfirst, hcount,
								 &hweights);
				if (hk < 0)
					return false;
				/* a new stretch: pass over every row, for any crop */
				HorizontalPass(image, 0, image->h, hweights, hk, hfirst,
							   hcount, out_w, rows);
				c->x0[e] = x0;
				c->x1[e] = x1;
				c->n++;
			}
			VerticalPass(rows, 0, vweights, vk, vfirst, vcount, out_w,
						 out_h, out);
			return true;
		}
	}

	hk = AxisWeights(job, image->w, x0, x1, out_w, hfirst, hcount, &hweights);
	rows = ImgAlloc(job, sizeof(double) * out_w * (yhi - ylo));
	if (hk < 0 || rows == NULL)
		return false;
	HorizontalPass(image, ylo, yhi, hweights, hk, hfirst, hcount, out_w, rows);
	VerticalPass(rows, ylo, vweights, vk, vfirst, vcount, out_w, out_h, out);
	return true;
}

/* Make a floating-point copy of a w x h 8-bit grid */
static bool
ImageFromGrid(ImgJob *job, const uint8_t *grid, int w, int h,
			  VariantImage *image)
{
	int			i;

	image->w = w;
	image->h = h;
	image->cache = NULL;
	image->pix = ImgAlloc(job, sizeof(float) * w * h);
	if (image->pix == NULL)
		return false;
	for (i = 0; i < w * h; i++)
		image->pix[i] = grid[i];
	return true;
}

/* Return the mean of the pixels along the edges of image */
static float
BorderMean(const VariantImage *image)
{
	double		sum = 0.0;
	int			n = 0;
	int			x;
	int			y;

	for (x = 0; x < image->w; x++)
	{
		sum += image->pix[x] + image->pix[(size_t) (image->h - 1) * image->w + x];
		n += 2;
	}
	for (y = 0; y < image->h; y++)
	{
		sum += image->pix[(size_t) y * image->w] +
			image->pix[(size_t) y * image->w + image->w - 1];
		n += 2;
	}
	return (float) (sum / n);
}

/* The grey level a tilt's canvas is filled with */
static float
CanvasFill(const VariantImage *image, int fill)
{
	switch (fill)
	{
		case IMG_FILL_BLACK:
			return 0.0f;
		case IMG_FILL_WHITE:
			return 255.0f;
		case IMG_FILL_GRAY:
			return 128.0f;
		default:
			return BorderMean(image);
	}
}

/* Sample image at (x, y) in pixel-centre coordinates, bilinearly, fill outside */
static float
SampleBilinear(const VariantImage *image, double x, double y, float fill)
{
	int			x0 = FloorToInt(x);
	int			y0 = FloorToInt(y);
	double		fx = x - x0;
	double		fy = y - y0;
	float		p[4];
	int			i;

	if (x0 >= 0 && y0 >= 0 && x0 + 1 < image->w && y0 + 1 < image->h)
	{
		/* inside: the same sums, without the checks */
		const float *row = image->pix + (size_t) y0 * image->w + x0;

		return (float) ((row[0] * (1 - fx) + row[1] * fx) * (1 - fy) +
						(row[image->w] * (1 - fx) + row[image->w + 1] * fx) * fy);
	}
	for (i = 0; i < 4; i++)
	{
		int			xi = x0 + (i & 1);
		int			yi = y0 + (i >> 1);

		if (xi < 0 || yi < 0 || xi >= image->w || yi >= image->h)
			p[i] = fill;
		else
			p[i] = image->pix[(size_t) yi * image->w + xi];
	}
	return (float) ((p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
					(p[2] * (1 - fx) + p[3] * fx) * fy);
}

/*
 * Turn image by angle degrees counter-clockwise about its centre onto a
 * canvas of out_w x out_h (centred on the same point), filling what lies
 * outside the picture with fill.
 */
static bool
TurnImage(ImgJob *job, const VariantImage *image, double angle, int out_w,
		  int out_h, float fill, VariantImage *turned)
{
	double		c = cos(angle * M_PI / 180.0);
	double		s = sin(angle * M_PI / 180.0);
	double		cx = image->w / 2.0;
	double		cy = image->h / 2.0;
	int			x;
	int			y;

	turned->w = out_w;
	turned->h = out_h;
	turned->cache = NULL;
	turned->pix = ImgAlloc(job, sizeof(float) * out_w * out_h);
	if (turned->pix == NULL)
		return false;

	for (y = 0; y < out_h; y++)
	{
		double		dy = y + 0.5 - out_h / 2.0;

		for (x = 0; x < out_w; x++)
		{
			double		dx = x + 0.5 - out_w / 2.0;

			/*
			 * The inverse turn: y grows downwards, so a counter-clockwise
			 * turn on screen maps source (sx, sy) to (c sx + s sy, -s sx + c
			 * sy) about the centre.
			 */
			double		sx = c * dx - s * dy + cx - 0.5;
			double		sy = s * dx + c * dy + cy - 0.5;

			turned->pix[(size_t) y * out_w + x] =
				SampleBilinear(image, sx, sy, fill);
		}
	}
	return true;
}

/* Fill grids->wide and grids->tall (dhash grids) from a 32x32 grid */
static bool
DhashGridsFrom32(ImgJob *job, const double grid32[32 * 32], ShapeGrids *grids)
{
	VariantImage image;
	int			i;

	image.w = 32;
	image.h = 32;
	image.cache = NULL;
	image.pix = ImgAlloc(job, sizeof(float) * 32 * 32);
	if (image.pix == NULL)
		return false;
	for (i = 0; i < 32 * 32; i++)
		image.pix[i] = (float) grid32[i];
	return ResampleBox(job, &image, 0, 0, 32, 32, 9, 8, grids->wide) &&
		ResampleBox(job, &image, 0, 0, 32, 32, 8, 9, grids->tall);
}

/* Compute the grids of a box of image: its phash DCT and dhash grids */
static bool
ShapeGridsFromBox(ImgJob *job, const VariantImage *image, double x0,
				  double y0, double x1, double y1, ShapeGrids *grids)
{
	double		grid32[32 * 32];

	if (!ResampleBox(job, image, x0, y0, x1, y1, 32, 32, grid32))
		return false;
	ImgDct2d32TopLeft8(grid32, grids->dct);
	return DhashGridsFrom32(job, grid32, grids);
}

/*
 * Compute the grids of one shape.  exact32, exact9x8 and exact8x9 are the
 * exact phash and dhash grids of the whole picture (Pillow's resize to 32
 * x 32, 9 x 8 and 8 x 9); work is the work image.
 */
static bool
ShapeGridsCompute(ImgJob *job, const ImgVariantSpec *spec,
				  const uint8_t *exact32, const uint8_t *exact9x8,
				  const uint8_t *exact8x9, const VariantImage *work,
				  ShapeGrids *grids)
{
	double		w = work->w;
	double		h = work->h;

	switch (spec->shape)
	{
		case IMG_SHAPE_WHOLE:
			{
				double		grid32[32 * 32];
				int			i;

				for (i = 0; i < 32 * 32; i++)
					grid32[i] = exact32[i];
				ImgDct2d32TopLeft8(grid32, grids->dct);
				for (i = 0; i < 9 * 8; i++)
				{
					grids->wide[i] = exact9x8[i];
					grids->tall[i] = exact8x9[i];
				}
				return true;
			}
		case IMG_SHAPE_CROP:
			return ShapeGridsFromBox(job, work,
									 w * spec->cut[0], h * spec->cut[2],
									 w * (1.0 - spec->cut[1]),
									 h * (1.0 - spec->cut[3]), grids);
		case IMG_SHAPE_SQUARE:
			{
				double		side = w < h ? w : h;

				return ShapeGridsFromBox(job, work, (w - side) / 2,
										 (h - side) / 2, (w + side) / 2,
										 (h + side) / 2, grids);
			}
		case IMG_SHAPE_BORDER:
			{
				/* centre the picture on a black square, as img2dataset pads */
				int			side = work->w > work->h ? work->w : work->h;
				int			left = (side - work->w) / 2;
				int			top = (side - work->h) / 2;
				VariantImage square;
				int			y;

				square.w = side;
				square.h = side;
				square.cache = NULL;
				square.pix = ImgAlloc(job, sizeof(float) * side * side);
				if (square.pix == NULL)
					return false;
				memset(square.pix, 0, sizeof(float) * side * side);
				for (y = 0; y < work->h; y++)
					memcpy(square.pix + (size_t) (y + top) * side + left,
						   work->pix + (size_t) y * work->w,
						   sizeof(float) * work->w);
				return ShapeGridsFromBox(job, &square, 0, 0, side, side, grids);
			}
		case IMG_SHAPE_TILT_CROP:
			{
				/* the largest centred box of the picture's shape inside */
				double		a = fabs(spec->angle) * M_PI / 180.0;
				double		k1 = w / (w * cos(a) + h * sin(a));
				double		k2 = h / (w * sin(a) + h * cos(a));
				double		k = k1 < k2 ? k1 : k2;
				VariantImage turned;

				if (!TurnImage(job, work, spec->angle, work->w, work->h,
							   BorderMean(work), &turned))
					return false;
				return ShapeGridsFromBox(job, &turned, w * (1 - k) / 2,
										 h * (1 - k) / 2, w * (1 + k) / 2,
										 h * (1 + k) / 2, grids);
			}
		case IMG_SHAPE_TILT_CANVAS:
			{
				double		a = fabs(spec->angle) * M_PI / 180.0;
				int			cw = (int) ceil(w * cos(a) + h * sin(a) - 1e-6);
				int			ch = (int) ceil(w * sin(a) + h * cos(a) - 1e-6);
				VariantImage turned;

				if (!TurnImage(job, work, spec->angle, cw, ch,
							   CanvasFill(work, spec->fill), &turned))
					return false;
				return ShapeGridsFromBox(job, &turned, 0, 0, cw, ch, grids);
			}
	}
	return false;
}

/* Apply orientation o to the low DCT coefficients of a shape */
static void
OrientCoefficients(const double in[64], int o, double out[64])
{
	int			v;
	int			u;

	for (v = 0; v < 8; v++)
	{
		for (u = 0; u < 8; u++)
		{
			/* row v is the vertical frequency, column u the horizontal */
			double		c = (o & ORIENT_TRANSPOSE) ? in[u * 8 + v] : in[v * 8 + u];

			if ((o & ORIENT_MIRROR) && (u & 1))
				c = -c;
			if ((o & ORIENT_FLIP) && (v & 1))
				c = -c;
			out[v * 8 + u] = c;
		}
	}
}

/* Compute the dhash of a shape under orientation o */
static uint64_t
OrientedDhash(const ShapeGrids *grids, int o)
{
	uint64_t	bits = 0;
	int			row;
	int			col;

	for (row = 0; row < 8; row++)
	{
		for (col = 0; col < 8; col++)
		{
			double		left;
			double		right;
			int			r = (o & ORIENT_FLIP) ? 7 - row : row;
			int			c0 = col;
			int			c1 = col + 1;

			if (o & ORIENT_MIRROR)
			{
				c0 = 8 - col;
				c1 = 7 - col;
			}
			if (o & ORIENT_TRANSPOSE)
			{
				/* the 9 x 8 grid of the transposed shape is its 8 x 9 grid transposed */
				left = grids->tall[c0 * 8 + r];
				right = grids->tall[c1 * 8 + r];
			}
			else
			{
				left = grids->wide[r * 9 + c0];
				right = grids->wide[r * 9 + c1];
			}
			bits = (bits << 1) | (right > left);
		}
	}
	return bits;
}

/* Write the readable name of a shape seen in orientation o */
static void
VariantName(const ImgVariantSpec *spec, int o, char *name, size_t size)
{
	static const char *const sides[4] = {"left", "right", "top", "bottom"};
	char		shape[IMG_VARIANT_NAME_SIZE] = "";
	size_t		used = 0;
	int			i;

	switch (spec->shape)
	{
		case IMG_SHAPE_WHOLE:
			break;
		case IMG_SHAPE_CROP:
			used = snprintf(shape, sizeof(shape), "crop");
			for (i = 0; i < 4 && used < sizeof(shape); i++)
				if (spec->cut[i] > 0)
					used += snprintf(shape + used, sizeof(shape) - used,
									 " %g%% %s",
									 roundf(spec->cut[i] * 1000) / 10,
									 sides[i]);
			break;
		case IMG_SHAPE_SQUARE:
			snprintf(shape, sizeof(shape), "centre square");
			break;
		case IMG_SHAPE_BORDER:
			snprintf(shape, sizeof(shape), "border");
			break;
		case IMG_SHAPE_TILT_CROP:
			snprintf(shape, sizeof(shape), "tilt %+g", spec->angle);
			break;
		case IMG_SHAPE_TILT_CANVAS:
			{
				static const char *const fills[] = {"", " black", " white", " grey"};

				snprintf(shape, sizeof(shape), "tilt %+g on%s canvas", spec->angle,
						 fills[spec->fill >= 0 && spec->fill <= IMG_FILL_GRAY ? spec->fill : 0]);
			}
			break;
	}

	if (o == 0 && shape[0] == '\0')
		snprintf(name, size, "whole");
	else if (o == 0)
		snprintf(name, size, "%s", shape);
	else if (shape[0] == '\0')
		snprintf(name, size, "%s", orientation_names[o]);
	else
		snprintf(name, size, "%s, %s", orientation_names[o], shape);
}

/*
 * Decode one image and compute the variants that specs describe, in their
 * order (each spec's orientations in IMG_ORIENT order), at most max.
 */
ImgStatus
ImgJobVariantsFromSpecs(ImgJob *job, const unsigned char *data, size_t len,
						const ImgOptions *options,
						const ImgVariantSpec *specs, int nspecs,
						ImgInfo *info, ImgVariant *variants, int max,
						int *count)
{
	ImgOptions	decode_options = *options;
	ImgStatus	status;
	VariantImage work;
	ImgResampleTarget *wt;
	int			n = 0;
	int			s;

	*count = 0;
	if (!lanczos_ready)
		LanczosTableInit();
	decode_options.hashes = IMG_HASH_PHASH | IMG_HASH_DHASH |
		IMG_HASH_DHASH_TALL | IMG_HASH_WORK;
	status = ImgJobDecode(job, data, len, &decode_options);
	if (info != NULL)
		*info = job->info;
	if (status != IMG_OK)
	{
		ImgJobRelease(job);
		return status;
	}

	wt = job->targets[IMG_TARGET_WORK];
	if (!ImageFromGrid(job, wt->grid, wt->out_w, wt->out_h, &work))
		goto out_of_memory;
	work.cache = ImgAlloc(job, sizeof(RowCache));
	if (work.cache == NULL)
		goto out_of_memory;
	work.cache->n = 0;
	work.cache->rows = ImgAlloc(job, sizeof(double) * ROW_CACHE_SIZE * work.h * 32);
	if (work.cache->rows == NULL)
		goto out_of_memory;

	for (s = 0; s < nspecs; s++)
	{
		const ImgVariantSpec *spec = &specs[s];
		ShapeGrids grids;
		void	   *mark = ImgArenaMark(job);
		int			o;

		if (spec->orientations == 0)
			continue;
		if (!ShapeGridsCompute(job, spec, job->targets[IMG_TARGET_PHASH]->grid,
							   job->targets[IMG_TARGET_DHASH]->grid,
							   job->targets[IMG_TARGET_DHASH_TALL]->grid,
							   &work, &grids))
			goto out_of_memory;

		for (o = 0; o < IMG_NUM_ORIENTATIONS && n < max; o++)
		{
			ImgVariant *v = &variants[n];
			double		low[64];

			if (!(spec->orientations & (1u << o)))
				continue;
			OrientCoefficients(grids.dct, o, low);
			v->phash = ImgPhashFromCoefficients(low);
			v->dhash = OrientedDhash(&grids, o);
			v->family = spec->family;
			v->phash_radius = spec->phash_radius;
			v->dhash_radius = spec->dhash_radius;
			v->spec = s;
			v->orientation = o;
			VariantName(spec, o, v->name, sizeof(v->name));
			n++;
		}
		ImgArenaRewind(job, mark);
		ImgJobCheckInterrupts(job);
	}

	*count = n;
	ImgJobRelease(job);
	return IMG_OK;

out_of_memory:
	ImgJobRelease(job);
	return ImgJobFail(job, IMG_ERR_NO_MEMORY, "out of memory for variants");
}

/*
 * The variants of each family, with their radii.  Chosen on the evaluation
 * set of test/bench/robust/ (see the README, "Robust search"): every
 * orientation of the whole picture; crops
 */
#define ALL_ORIENTATIONS 0xff

static const ImgVariantSpec VariantTable[] = {
	{IMG_SHAPE_WHOLE, {0, 0, 0, 0}, 0, 0x01, IMG_FAMILY_WHOLE, 8, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_WHOLE, {0, 0, 0, 0}, 0, 0x0e, IMG_FAMILY_FLIP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_WHOLE, {0, 0, 0, 0}, 0, 0x10, IMG_FAMILY_FLIP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_WHOLE, {0, 0, 0, 0}, 0, 0xe0, IMG_FAMILY_FLIP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 6, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0, 0.16f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.04f, 0}, 0, 0x02, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.04f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.04f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 4, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.08f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.08f, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.12f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.12f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 24, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0, 0.16f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 6, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.04f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.04f, 0, 0}, 0, 0x02, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.04f, 0.08f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 6, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.08f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.12f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.12f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.12f, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0.04f, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0.08f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 4, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.16f, 0.12f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.2f, 0, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.2f, 0.04f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0, 0.2f, 0.08f, 0}, 0, 0x01, IMG_FAMILY_CROP, 6, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 6, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0, 0, 0.16f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 6, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0, 0.2f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0, 0.12f}, 0, 0x02, IMG_FAMILY_CROP, 4, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.04f, 0}, 0, 0x02, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.04f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.04f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.04f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.08f, 0}, 0, 0x03, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.08f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.08f, 0.12f}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.12f, 0}, 0, 0x02, IMG_FAMILY_CROP, 4, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.12f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 6, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.16f, 0}, 0, 0x02, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.04f, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.08f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 6, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.08f, 0.04f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 6, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.12f, 0.04f, 0.04f}, 0, 0x03, IMG_FAMILY_CROP, 4, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.04f, 0.16f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 6, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0, 0.12f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.04f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.04f, 0.04f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.04f, 0.08f, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 6, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.04f, 0.08f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 6, 20, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 6, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.04f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.08f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.08f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.08f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.08f, 0.12f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.08f, 0.12f, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0, 0, 0}, 0, 0x03, IMG_FAMILY_CROP, 4, 14, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0, 0, 0.16f}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0, 0.16f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0.04f, 0.08f, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0.08f, 0.04f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 6, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.12f, 0.08f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 6, 18, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0, 0, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0, 0, 0.08f}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0, 0, 0.08f}, 0, 0x02, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0, 0, 0.16f}, 0, 0x01, IMG_FAMILY_CROP, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0, 0.08f, 0}, 0, 0x01, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0.04f, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.16f, 0.04f, 0.04f, 0.04f}, 0, 0x02, IMG_FAMILY_CROP, 4, 10, IMG_FILL_EDGE},
	{IMG_SHAPE_CROP, {0.2f, 0, 0.04f, 0.04f}, 0, 0x01, IMG_FAMILY_CROP, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_SQUARE, {0, 0, 0, 0}, 0, 0x01, IMG_FAMILY_FRAME, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_BORDER, {0, 0, 0, 0}, 0, 0x02, IMG_FAMILY_FRAME, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_BORDER, {0, 0, 0, 0}, 0, 0x01, IMG_FAMILY_FRAME, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, -4.5f, 0x01, IMG_FAMILY_TILT, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, -3.5f, 0x01, IMG_FAMILY_TILT, 4, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, -2, 0x01, IMG_FAMILY_TILT, 8, 8, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, 2, 0x01, IMG_FAMILY_TILT, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, 4, 0x01, IMG_FAMILY_TILT, 4, 16, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CROP, {0, 0, 0, 0}, 5, 0x01, IMG_FAMILY_TILT, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, -4.5f, 0x01, IMG_FAMILY_TILT, 4, 8, IMG_FILL_GRAY},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, -3.5f, 0x01, IMG_FAMILY_TILT, 4, 6, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, -3.5f, 0x01, IMG_FAMILY_TILT, 4, 10, IMG_FILL_BLACK},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, -1.5f, 0x01, IMG_FAMILY_TILT, 4, 20, IMG_FILL_BLACK},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, -1, 0x01, IMG_FAMILY_TILT, 4, 14, IMG_FILL_GRAY},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, 2, 0x01, IMG_FAMILY_TILT, 4, 6, IMG_FILL_BLACK},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, 3, 0x01, IMG_FAMILY_TILT, 4, 12, IMG_FILL_WHITE},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, 3, 0x01, IMG_FAMILY_TILT, 4, 22, IMG_FILL_GRAY},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, 3.5f, 0x01, IMG_FAMILY_TILT, 4, 12, IMG_FILL_EDGE},
	{IMG_SHAPE_TILT_CANVAS, {0, 0, 0, 0}, 4, 0x01, IMG_FAMILY_TILT, 4, 6, IMG_FILL_BLACK},
};

/* Decode one image and compute the variants of the families asked for */
ImgStatus
ImgJobVariants(ImgJob *job, const unsigned char *data, size_t len,
			   const ImgOptions *options, unsigned families,
			   int radius_shift, ImgInfo *info, ImgVariant *variants,
			   int *count)
{
	ImgVariantSpec specs[sizeof(VariantTable) / sizeof(VariantTable[0])];
	int			nspecs = 0;
	ImgStatus	status;
	size_t		i;
	int			k;

	for (i = 0; i < sizeof(VariantTable) / sizeof(VariantTable[0]); i++)
		if (VariantTable[i].family & families)
			specs[nspecs++] = VariantTable[i];

	status = ImgJobVariantsFromSpecs(job, data, len, options, specs, nspecs,
									 info, variants, IMG_MAX_VARIANTS, count);
	for (k = 0; k < *count; k++)
	{
		int			r = variants[k].phash_radius + radius_shift;

		variants[k].phash_radius = r < 0 ? 0 : r > 64 ? 64 : r;
	}
	return status;
}
