-- imgsearch 0.2 -> 0.3: caption search indexes adjacent word pairs
\echo Use "ALTER EXTENSION imgsearch UPDATE TO '0.3'" to load this file. \quit

-- caption_tsvector also gives the lexeme 'a b' for every word a followed
-- by b, and caption_tsquery writes a quoted phrase with those lexemes, so
-- that a two-word name is one GIN lookup with no recheck.  Both functions
-- keep their names and OIDs; only the C code they call changes (the 0.2
-- code stays in the library for databases not yet updated).
CREATE OR REPLACE FUNCTION caption_tsvector(caption text) RETURNS tsvector
	AS 'MODULE_PATHNAME', 'caption_tsvector_with_pairs'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_tsvector(text) IS 'a caption''s words (case and accents folded, camelCase split, CJK as bigrams) and adjacent word pairs, for GIN indexes';

CREATE OR REPLACE FUNCTION caption_tsquery(query text) RETURNS tsquery
	AS 'MODULE_PATHNAME', 'caption_tsquery_with_pairs'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_tsquery(text) IS 'a web-search style query (words ANDed, "phrases", or, -word) normalised as caption_tsvector, phrases as word pairs';

-- caption_rank no longer goes through caption_phrase_tsquery and ts_rank_cd
COMMENT ON FUNCTION caption_phrase_tsquery(text) IS 'every word of the query, in order, as one phrase of single words (no word pairs)';
COMMENT ON FUNCTION caption_rank(text, text) IS 'relevance of a caption to a query: the typed words adjacent and in order first, then all of them close together, then fewer of them; shorter captions first';

-- Every index built on caption_tsvector holds 0.2's lexemes, without the
-- pairs that queries now ask for: rebuild them (indexes on other sessions'
-- temporary tables cannot be; they are named in a warning).  Stored values
-- that the database can trace to caption_tsvector (generated columns,
-- materialized views) cannot be rebuilt here either; they are named too.
-- Once the function is found, only pg_catalog is searched (until the end
-- of this script, hence last), so that no object in the extension's schema
-- can stand in for a catalog operator.
DO $$
DECLARE
	fn oid := 'caption_tsvector(text)'::regprocedure;
	rel regclass;
	others text;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

	FOR rel IN
		SELECT DISTINCT c.oid::regclass
		FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
		WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_proc'::regclass
		  AND d.refobjid = fn AND c.relkind = 'i'
		  AND (c.relpersistence <> 't' OR c.relnamespace = pg_my_temp_schema())
	LOOP
		RAISE NOTICE 'rebuilding index % for caption search 0.3', rel;
		EXECUTE format('REINDEX INDEX %s', rel);
	END LOOP;

	SELECT string_agg(DISTINCT pg_describe_object(d.classid, d.objid, d.objsubid), ', ')
	INTO others
	FROM pg_depend d
	LEFT JOIN pg_class i ON d.classid = 'pg_class'::regclass AND i.oid = d.objid
	LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
	LEFT JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
	LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
	LEFT JOIN pg_class m ON m.oid = r.ev_class
	WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = fn
	  AND (a.attgenerated = 's' OR m.relkind = 'm'
	       OR (i.relkind = 'i' AND i.relpersistence = 't'
	           AND i.relnamespace <> pg_my_temp_schema()));
	IF others IS NOT NULL THEN
		RAISE WARNING 'values stored by caption_tsvector of imgsearch 0.2 lack the word pairs of 0.3: %', others
			USING HINT = 'Recompute them (UPDATE the generated columns'' tables, REFRESH the materialized views), or phrase searches on them miss rows.';
	END IF;
END
$$;
