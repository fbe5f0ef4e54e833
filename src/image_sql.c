/*-------------------------------------------------------------------------
 *
 * image_sql.c
 *	  SQL functions over image bytes: phash(), dhash(), ahash(),
 *	  image_hashes(), image_info() and phash_variants().
 *
 * Each call runs the plain-C hashing core (imghash.h) on the bytea.  The
 * core reports decoder failures as a status, which we turn into an ERROR
 * with a fitting SQLSTATE.  The core calls back about once per decoded row
 * so that CHECK_FOR_INTERRUPTS can cancel a long decode; when that throws,
 * PG_CATCH releases everything libjpeg/libpng and the core had allocated
 * (with malloc, outside PostgreSQL's memory contexts) before rethrowing.
 *
 * Each backend keeps one job for all its calls, so the resampling weights
 * the job caches (they depend only on the image size) are computed once
 * for a run of same-sized images.
 *
 * src/image_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "imghash.h"
#include "imgsearch.h"

/* Run the server's interrupt check from inside a decode */
static void
ImageCheckInterrupts(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/* Turn a failed decode into an ERROR */
static void
ImageReportFailure(ImgStatus status, const ImgInfo *info, const char *detail)
{
	const char *format = info->format == IMG_FORMAT_PNG ? "PNG" : "JPEG";

	switch (status)
	{
		case IMG_OK:
			break;
		case IMG_ERR_UNRECOGNISED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("image format not recognised"),
					 errdetail("Only JPEG and PNG images are supported, and %s.",
							   detail)));
			break;
		case IMG_ERR_TRUNCATED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("truncated %s image", format),
					 errdetail("The decoder reported: %s.", detail)));
			break;
		case IMG_ERR_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("corrupt %s image", format),
					 errdetail("The decoder reported: %s.", detail)));
			break;
		case IMG_ERR_UNSUPPORTED:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("unsupported %s image", format),
					 errdetail("The decoder reported: %s.", detail)));
			break;
		case IMG_ERR_TOO_LARGE:
			if ((uint64) info->width * info->height >
				(uint64) imgsearch_max_image_pixels)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("%s image of %u x %u pixels is too large",
								format, info->width, info->height),
						 errdetail("The image has %s set by imgsearch.max_image_pixels.",
								   detail),
						 errhint("A superuser can raise imgsearch.max_image_pixels to decode larger images.")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("%s image is too large", format),
						 errdetail("The decoder reported: %s.", detail)));
			break;
		case IMG_ERR_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory decoding %s image", format),
					 errdetail("%s.", detail)));
			break;
	}
}

/* The backend's hashing job, created on first use and never freed */
static ImgJob *backend_job = NULL;

/*
 * Decode the image in bytes and compute the hashes asked for (none: read
 * only the header), or, when variants is not NULL, its robust-search
 * variants of the given families; raise an ERROR for anything but a good
 * image.
 */
static void
ImageRunJob(bytea *bytes, unsigned which, ImgInfo *info, ImgHashes *hashes,
			unsigned families, ImgVariant *variants, int *nvariants)
{
	ImgOptions	options;
	ImgStatus	status;
	char		detail[256];

	if (backend_job == NULL)
	{
		backend_job = ImgJobCreate();
		if (backend_job == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}

	memset(&options, 0, sizeof(options));
	options.hashes = which;
	options.max_pixels = (uint64) imgsearch_max_image_pixels;
	options.check_interrupts = ImageCheckInterrupts;

	PG_TRY();
	{
		const unsigned char *data = (const unsigned char *) VARDATA_ANY(bytes);
		size_t		len = VARSIZE_ANY_EXHDR(bytes);

		if (variants != NULL)
			status = ImgJobVariants(backend_job, data, len, &options,
									families, 0, info, variants, nvariants);
		else
			status = ImgJobRun(backend_job, data, len, &options, info, hashes);
	}
	PG_CATCH();
	{
		/* interrupted mid-decode: free the decoder and its buffers now */
		ImgJobRelease(backend_job);
		PG_RE_THROW();
	}
	PG_END_TRY();

	strlcpy(detail, ImgJobMessage(backend_job), sizeof(detail));
	if (status != IMG_OK)
		ImageReportFailure(status, info, detail);
}

/* Decode the image in bytes and compute the hashes asked for */
static void
ImageRun(bytea *bytes, unsigned which, ImgInfo *info, ImgHashes *hashes)
{
	ImageRunJob(bytes, which, info, hashes, 0, NULL, NULL);
}

/* phash(bytea): ImageHash's phash() of a JPEG or PNG */
PG_FUNCTION_INFO_V1(image_phash);
Datum
image_phash(PG_FUNCTION_ARGS)
{
	ImgInfo		info;
	ImgHashes	hashes;

	ImageRun(PG_GETARG_BYTEA_PP(0), IMG_HASH_PHASH, &info, &hashes);
	PG_RETURN_PHASH(hashes.phash);
}

/* dhash(bytea): ImageHash's dhash() */
PG_FUNCTION_INFO_V1(image_dhash);
Datum
image_dhash(PG_FUNCTION_ARGS)
{
	ImgInfo		info;
	ImgHashes	hashes;

	ImageRun(PG_GETARG_BYTEA_PP(0), IMG_HASH_DHASH, &info, &hashes);
	PG_RETURN_PHASH(hashes.dhash);
}

/* ahash(bytea): ImageHash's average_hash() */
PG_FUNCTION_INFO_V1(image_ahash);
Datum
image_ahash(PG_FUNCTION_ARGS)
{
	ImgInfo		info;
	ImgHashes	hashes;

	ImageRun(PG_GETARG_BYTEA_PP(0), IMG_HASH_AHASH, &info, &hashes);
	PG_RETURN_PHASH(hashes.ahash);
}

/* image_hashes(bytea): all three hashes from one decode */
PG_FUNCTION_INFO_V1(image_hashes);
Datum
image_hashes(PG_FUNCTION_ARGS)
{
	ImgInfo		info;
	ImgHashes	hashes;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	ImageRun(PG_GETARG_BYTEA_PP(0), IMG_HASH_ALL, &info, &hashes);
	values[0] = PHashGetDatum(hashes.phash);
	values[1] = PHashGetDatum(hashes.dhash);
	values[2] = PHashGetDatum(hashes.ahash);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/* image_info(bytea): format, width and height, from the header alone */
PG_FUNCTION_INFO_V1(image_info);
Datum
image_info(PG_FUNCTION_ARGS)
{
	ImgInfo		info;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	ImageRun(PG_GETARG_BYTEA_PP(0), 0, &info, NULL);
	values[0] = CStringGetTextDatum(ImgFormatName(info.format));
	values[1] = Int32GetDatum((int32) info.width);
	values[2] = Int32GetDatum((int32) info.height);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/* The families of phash_variants, by the names its families argument takes */
static const struct
{
	const char *name;
	unsigned	bit;
}			variant_families[] = {
	{"whole", IMG_FAMILY_WHOLE},
	{"flip", IMG_FAMILY_FLIP},
	{"crop", IMG_FAMILY_CROP},
	{"frame", IMG_FAMILY_FRAME},
	{"tilt", IMG_FAMILY_TILT},
};

#define NUM_VARIANT_FAMILIES lengthof(variant_families)

/* Turn a text[] of family names into IMG_FAMILY_* bits */
static unsigned
VariantFamiliesFromArray(ArrayType *array)
{
	Datum	   *names;
	bool	   *nulls;
	int			count;
	unsigned	bits = 0;
	int			i;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &names, &nulls, &count);
	for (i = 0; i < count; i++)
	{
		char	   *name;
		size_t		f;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("phash_variants families must not contain NULL")));
		name = TextDatumGetCString(names[i]);
		for (f = 0; f < NUM_VARIANT_FAMILIES; f++)
			if (strcmp(name, variant_families[f].name) == 0)
				break;
		if (f == NUM_VARIANT_FAMILIES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown phash_variants family \"%s\"", name),
					 errhint("The families are whole, flip, crop, frame and tilt.")));
		bits |= variant_families[f].bit;
	}
	return bits;
}

/* Name the family of a variant */
static const char *
VariantFamilyName(unsigned bit)
{
	size_t		f;

	for (f = 0; f < NUM_VARIANT_FAMILIES; f++)
		if (variant_families[f].bit == bit)
			return variant_families[f].name;
	return "unknown";
}

/*
 * phash_variants(image bytea, families text[], [radius integer]): one row
 * per robust-search variant of the image (variant, family, hash, ball,
 * dhash, dhash_ball), all computed from one decode.  With radius, every
 * ball has that radius instead of the one chosen for its variant.
 */
PG_FUNCTION_INFO_V1(image_phash_variants);
Datum
image_phash_variants(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	unsigned	families = VariantFamiliesFromArray(PG_GETARG_ARRAYTYPE_P(1));
	int32		radius = -1;
	ImgVariant *variants;
	ImgInfo		info;
	int			count = 0;
	int			i;

	if (PG_NARGS() > 2)
	{
		radius = PG_GETARG_INT32(2);
		if (radius < 0 || radius > PHASH_BITS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("phash_variants radius %d is out of range", radius),
					 errdetail("The radius must be between 0 and %d.",
							   PHASH_BITS)));
	}

	InitMaterializedSRF(fcinfo, 0);

	variants = palloc(sizeof(ImgVariant) * IMG_MAX_VARIANTS);
	ImageRunJob(bytes, 0, &info, NULL, families, variants, &count);

	for (i = 0; i < count; i++)
	{
		const ImgVariant *v = &variants[i];
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(v->name);
		values[1] = CStringGetTextDatum(VariantFamilyName(v->family));
		values[2] = PHashGetDatum(v->phash);
		values[3] = PointerGetDatum(HammingBallMake(v->phash,
													radius >= 0 ? radius : v->phash_radius));
		values[4] = PHashGetDatum(v->dhash);
		if (v->dhash_radius >= 0)
			values[5] = PointerGetDatum(HammingBallMake(v->dhash,
														v->dhash_radius));
		else
		{
			values[5] = (Datum) 0;
			nulls[5] = true;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
