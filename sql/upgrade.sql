-- Updating imgsearch from 0.1 to 0.2 (the mih index access method), to
-- 0.3 (caption search with word pairs, its indexes rebuilt) and to 0.4
-- (robust reverse search, phash_variants; URL functions): ALTER
-- EXTENSION ... UPDATE leaves the same objects as CREATE EXTENSION of the
-- last version.  In a database of its own, so that the suite's
-- database keeps the extension as the other tests left it.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET jit = off;
\set suite_db :DBNAME
CREATE DATABASE regression_imgsearch_upgrade TEMPLATE template0;
\c regression_imgsearch_upgrade
SET jit = off;

-- the versions and the update path
SELECT version, installed FROM pg_available_extension_versions
WHERE name = 'imgsearch' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('imgsearch') ORDER BY 1, 2;

-- Every object of the extension, with the details that define it: the
-- members (pg_depend entries of type 'e'), the operators and support
-- functions of its operator families, and the comments on all of these
CREATE FUNCTION pg_temp.extension_objects() RETURNS TABLE (object text, details text)
LANGUAGE sql AS $$
  WITH members AS (
    SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'imgsearch'
      AND d.deptype = 'e'),
  families AS (
    SELECT objid AS oid FROM members WHERE classid = 'pg_opfamily'::regclass)
  SELECT pg_describe_object(m.classid, m.objid, m.objsubid),
         CASE m.classid
           WHEN 'pg_proc'::regclass THEN
             (SELECT format('returns %s; %s, strict %s, parallel %s, leakproof %s, cost %s; %s %s %s',
                            p.prorettype::regtype, p.provolatile, p.proisstrict, p.proparallel,
                            p.proleakproof, p.procost, l.lanname, p.probin, p.prosrc)
              FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = m.objid)
           WHEN 'pg_operator'::regclass THEN
             (SELECT format('%s; commutator %s, negator %s, restrict %s, join %s, hashes %s, merges %s',
                            o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
                            o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
              FROM pg_operator o WHERE o.oid = m.objid)
           WHEN 'pg_type'::regclass THEN
             (SELECT format('length %s, by value %s, align %s, storage %s; %s %s %s %s',
                            t.typlen, t.typbyval, t.typalign, t.typstorage,
                            t.typinput, t.typoutput, t.typreceive, t.typsend)
              FROM pg_type t WHERE t.oid = m.objid)
           WHEN 'pg_cast'::regclass THEN
             (SELECT format('context %s, method %s, function %s',
                            c.castcontext, c.castmethod, c.castfunc::regprocedure)
              FROM pg_cast c WHERE c.oid = m.objid)
           WHEN 'pg_opclass'::regclass THEN
             (SELECT format('default %s, for %s, storing %s, in %s', c.opcdefault,
                            c.opcintype::regtype, c.opckeytype::regtype,
                            pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0))
              FROM pg_opclass c WHERE c.oid = m.objid)
           WHEN 'pg_am'::regclass THEN
             (SELECT format('type %s, handler %s', a.amtype, a.amhandler)
              FROM pg_am a WHERE a.oid = m.objid)
         END
  FROM members m
  UNION ALL
  SELECT pg_describe_object('pg_amop'::regclass, o.oid, 0),
         format('purpose %s, sort family %s', o.amoppurpose,
                pg_describe_object('pg_opfamily'::regclass, o.amopsortfamily, 0))
  FROM pg_amop o WHERE o.amopfamily IN (SELECT oid FROM families)
  UNION ALL
  SELECT pg_describe_object('pg_amproc'::regclass, p.oid, 0), ''
  FROM pg_amproc p WHERE p.amprocfamily IN (SELECT oid FROM families)
  UNION ALL
  SELECT 'comment on ' || pg_describe_object(c.classoid, c.objoid, c.objsubid), c.description
  FROM pg_description c JOIN members m ON (m.classid, m.objid) = (c.classoid, c.objoid)
$$;

-------------------------------------------------------------------------
-- Version 0.1: no mih
-------------------------------------------------------------------------

CREATE EXTENSION imgsearch VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'imgsearch';
SELECT count(*) AS mih_access_methods FROM pg_am WHERE amname = 'mih';
CREATE TEMP TABLE objects_0_1 AS SELECT * FROM pg_temp.extension_objects();

CREATE TABLE images (id int, h phash);
INSERT INTO images SELECT i, ('x' || md5(i::text))::bit(64)::phash FROM generate_series(1, 2000) AS i;
INSERT INTO images VALUES (0, NULL), (2001, 'c4ca4238a0b92383'), (2002, 'c4ca4238a0b92382');
CREATE INDEX images_mih ON images USING mih (h);

-------------------------------------------------------------------------
-- Update to 0.2
-------------------------------------------------------------------------

ALTER EXTENSION imgsearch UPDATE TO '0.2';
-- as \dx shows it
SELECT e.extname AS "Name", e.extversion AS "Version", n.nspname AS "Schema",
       obj_description(e.oid, 'pg_extension') AS "Description"
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'imgsearch';
SELECT amname, amtype, amhandler FROM pg_am WHERE amname = 'mih';

-- what the update added
CREATE TEMP TABLE objects_0_2 AS SELECT * FROM pg_temp.extension_objects();
SELECT * FROM (SELECT object, details FROM objects_0_2
               EXCEPT SELECT object, details FROM objects_0_1) AS added
ORDER BY object COLLATE "C";
-- and nothing it changed or removed
SELECT object, details FROM objects_0_1
EXCEPT SELECT object, details FROM objects_0_2;

-- The index works: code(1) = c4ca4238a0b92382, its copy 2002 and 2001,
-- 1 bit away, by index scan
CREATE INDEX images_mih ON images USING mih (h);
SELECT amvalidate(opc.oid) FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
WHERE am.amname = 'mih';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h <@ hamming_ball('c4ca4238a0b92382', 4);
SELECT id, h <~> 'c4ca4238a0b92382' AS d FROM images
WHERE h <@ hamming_ball('c4ca4238a0b92382', 4) ORDER BY d, id;
EXPLAIN (COSTS OFF) SELECT id FROM images ORDER BY h <~> 'c4ca4238a0b92382' LIMIT 3;
SELECT h <~> 'c4ca4238a0b92382' AS d FROM images ORDER BY h <~> 'c4ca4238a0b92382' LIMIT 3;
RESET enable_seqscan;

-------------------------------------------------------------------------
-- Update to 0.3: word pairs; indexes on caption_tsvector are rebuilt
-------------------------------------------------------------------------

-- at 0.2: a caption index, and values stored by caption_tsvector that the
-- update can only point out (a generated column, a materialized view)
CREATE TABLE captions (id int, caption text,
                       words tsvector GENERATED ALWAYS AS (caption_tsvector(caption)) STORED);
INSERT INTO captions (id, caption) VALUES
  (1, 'Art by Greg Rutkowski'), (2, 'greg_rutkowski dragon'),
  (3, 'Rutkowski, Greg'), (4, 'GregRutkowski''s castle'), (5, 'greg and rutkowski');
INSERT INTO captions (id, caption) SELECT i, 'filler caption ' || i FROM generate_series(6, 2000) AS i;
CREATE INDEX captions_words ON captions USING gin (caption_tsvector(caption));
CREATE MATERIALIZED VIEW caption_words AS SELECT id, caption_tsvector(caption) AS v FROM captions;
SELECT caption_tsquery('"greg rutkowski"') AS query_0_2, caption_tsvector('Greg Rutkowski') AS vector_0_2;

ALTER EXTENSION imgsearch UPDATE TO '0.3';
SELECT extversion FROM pg_extension WHERE extname = 'imgsearch';
SELECT caption_tsquery('"greg rutkowski"') AS query_0_3, caption_tsvector('Greg Rutkowski') AS vector_0_3;

-- the rebuilt index answers phrases as a sequential scan does
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM captions WHERE caption_matches(caption, '"greg rutkowski"');
SELECT array_agg(id ORDER BY id) AS by_index FROM captions WHERE caption_matches(caption, '"greg rutkowski"');
RESET enable_seqscan;
SET enable_bitmapscan = off;
SET enable_indexscan = off;
SELECT array_agg(id ORDER BY id) AS by_seqscan FROM captions WHERE caption_matches(caption, '"greg rutkowski"');
RESET enable_bitmapscan;
RESET enable_indexscan;

-- what the update changed: the C code and comments of the two functions
CREATE TEMP TABLE objects_updated AS SELECT * FROM pg_temp.extension_objects();
SELECT * FROM (
  SELECT 'before' AS side, * FROM (SELECT * FROM objects_0_2 EXCEPT SELECT * FROM objects_updated) AS b
  UNION ALL
  SELECT 'after', * FROM (SELECT * FROM objects_updated EXCEPT SELECT * FROM objects_0_2) AS a) AS changed
ORDER BY object COLLATE "C", side;

-------------------------------------------------------------------------
-- Update to 0.4: robust reverse search, URL functions, the caption index;
-- caption_matches becomes a C function with planner support
-------------------------------------------------------------------------

ALTER EXTENSION imgsearch UPDATE TO '0.4';
SELECT extversion FROM pg_extension WHERE extname = 'imgsearch';
CREATE TEMP TABLE objects_0_4 AS SELECT * FROM pg_temp.extension_objects();
SELECT * FROM (SELECT object, details FROM objects_0_4
               EXCEPT SELECT object, details FROM objects_updated) AS added
ORDER BY object COLLATE "C";
-- and what it changed: caption_matches, from SQL to C, and its comment
SELECT object, details FROM objects_updated
EXCEPT SELECT object, details FROM objects_0_4;
-- the GIN index of 0.3 on caption_tsvector still serves caption_matches,
-- which the support function writes as 0.3's SQL function inlined
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM captions WHERE caption_matches(caption, '"greg rutkowski"');
SELECT array_agg(id ORDER BY id) AS by_gin_index FROM captions WHERE caption_matches(caption, '"greg rutkowski"');
RESET enable_seqscan;
-- the index of 0.2 still answers, now also for variants
SET enable_seqscan = off;
SELECT count(*) AS found FROM images
WHERE h <@ hamming_ball('c4ca4238a0b92382', 4);
RESET enable_seqscan;

-------------------------------------------------------------------------
-- The same objects as a fresh CREATE EXTENSION
-------------------------------------------------------------------------

DROP TABLE images;
DROP MATERIALIZED VIEW caption_words;
DROP TABLE captions;
DROP EXTENSION imgsearch;
CREATE EXTENSION imgsearch;
SELECT extversion FROM pg_extension WHERE extname = 'imgsearch';
CREATE TEMP TABLE objects_created AS SELECT * FROM pg_temp.extension_objects();
SELECT count(*) AS objects, count(*) FILTER (WHERE object LIKE 'comment on %') AS comments
FROM objects_created;
-- no difference either way
SELECT * FROM (
  SELECT 'only updated' AS side, * FROM (SELECT * FROM objects_0_4
                                       EXCEPT SELECT * FROM objects_created) AS u
  UNION ALL
  SELECT 'only created', * FROM (SELECT * FROM objects_created
                                 EXCEPT SELECT * FROM objects_0_4) AS c) AS differences
ORDER BY object COLLATE "C", side;

\c :suite_db
DROP DATABASE regression_imgsearch_upgrade;
