/*-------------------------------------------------------------------------
 *
 * hamming.c
 *	  Hamming distance between phash values and the hamming_ball type that
 *	  radius searches are written with: code <@ hamming_ball(center, r).
 *
 * A hamming_ball is a centre code and a radius from 0 to 64; a code is in
 * the ball when it differs from the centre in at most radius bits.  Its
 * text form is "(centre,radius)", for example (ba8c84536bd3c366,8).
 *
 * src/hamming.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "imgsearch.h"

/* Number of differing bits, the <~> operator */
PG_FUNCTION_INFO_V1(phash_hamming_distance);
Datum
phash_hamming_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PHashDistance(PG_GETARG_PHASH(0), PG_GETARG_PHASH(1)));
}

/* Build a ball, refusing a radius outside 0..64 */
HammingBall *
HammingBallMake(PHash center, int64 radius)
{
	HammingBall *ball;

	if (radius < 0 || radius > PHASH_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hamming_ball radius %lld is out of range",
						(long long) radius),
				 errdetail("The radius must be between 0 and %d.", PHASH_BITS)));
	ball = palloc0(sizeof(HammingBall));
	ball->center = center;
	ball->radius = (int32) radius;
	return ball;
}

/* hamming_ball(center, radius) */
PG_FUNCTION_INFO_V1(hamming_ball_make);
Datum
hamming_ball_make(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(HammingBallMake(PG_GETARG_PHASH(0), PG_GETARG_INT32(1)));
}

/* Report a malformed hamming_ball literal */
static void
HammingBallSyntaxError(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					"hamming_ball", str),
			 errdetail("A hamming_ball is written as (centre,radius), "
					   "for example (ba8c84536bd3c366,8).")));
}

/* Parse "(centre,radius)", spaces allowed around the parts */
PG_FUNCTION_INFO_V1(hamming_ball_in);
Datum
hamming_ball_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	char		center_text[17];
	int			ndigits = 0;
	char	   *end;
	long		radius;

	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '(')
		HammingBallSyntaxError(str);
	while (isspace((unsigned char) *p))
		p++;
	while (isxdigit((unsigned char) *p) && ndigits < 16)
		center_text[ndigits++] = *p++;
	center_text[ndigits] = '\0';
	if (ndigits != 16 || isxdigit((unsigned char) *p))
		HammingBallSyntaxError(str);
	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != ',')
		HammingBallSyntaxError(str);
	errno = 0;
	radius = strtol(p, &end, 10);
	if (end == p || errno == ERANGE)
		HammingBallSyntaxError(str);
	p = end;
	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != ')')
		HammingBallSyntaxError(str);
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		HammingBallSyntaxError(str);

	PG_RETURN_POINTER(HammingBallMake(DatumGetPHash(DirectFunctionCall1(phash_in,
																		CStringGetDatum(center_text))),
									  radius));
}

/* Print "(centre,radius)" */
PG_FUNCTION_INFO_V1(hamming_ball_out);
Datum
hamming_ball_out(PG_FUNCTION_ARGS)
{
	HammingBall *ball = PG_GETARG_HAMMING_BALL_P(0);

	PG_RETURN_CSTRING(psprintf("(%016" INT64_MODIFIER "x,%d)",
							   ball->center, ball->radius));
}

/* Read the centre (8 bytes) and the radius (4 bytes) */
PG_FUNCTION_INFO_V1(hamming_ball_recv);
Datum
hamming_ball_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	PHash		center = (PHash) pq_getmsgint64(buf);
	int32		radius = (int32) pq_getmsgint(buf, 4);

	if (radius < 0 || radius > PHASH_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid radius %d in external hamming_ball value", radius),
				 errdetail("The radius must be between 0 and %d.", PHASH_BITS)));
	PG_RETURN_POINTER(HammingBallMake(center, radius));
}

/* Write the centre (8 bytes) and the radius (4 bytes) */
PG_FUNCTION_INFO_V1(hamming_ball_send);
Datum
hamming_ball_send(PG_FUNCTION_ARGS)
{
	HammingBall *ball = PG_GETARG_HAMMING_BALL_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) ball->center);
	pq_sendint32(&buf, ball->radius);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The ball's centre */
PG_FUNCTION_INFO_V1(hamming_ball_center);
Datum
hamming_ball_center(PG_FUNCTION_ARGS)
{
	PG_RETURN_PHASH(PG_GETARG_HAMMING_BALL_P(0)->center);
}

/* The ball's radius */
PG_FUNCTION_INFO_V1(hamming_ball_radius);
Datum
hamming_ball_radius(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_HAMMING_BALL_P(0)->radius);
}

/* code <@ ball: the code is within the ball's radius of its centre */
PG_FUNCTION_INFO_V1(phash_in_hamming_ball);
Datum
phash_in_hamming_ball(PG_FUNCTION_ARGS)
{
	PHash		code = PG_GETARG_PHASH(0);
	HammingBall *ball = PG_GETARG_HAMMING_BALL_P(1);

	PG_RETURN_BOOL(PHashDistance(code, ball->center) <= ball->radius);
}

/* ball @> code: the commutator of <@ */
PG_FUNCTION_INFO_V1(hamming_ball_contains_phash);
Datum
hamming_ball_contains_phash(PG_FUNCTION_ARGS)
{
	HammingBall *ball = PG_GETARG_HAMMING_BALL_P(0);
	PHash		code = PG_GETARG_PHASH(1);

	PG_RETURN_BOOL(PHashDistance(code, ball->center) <= ball->radius);
}
