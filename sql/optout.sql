-- The opt-out registry: entries by URL, domain and picture; checks of a
-- batch of URLs, of a picture, and of a whole dataset table; who may read
-- and write it.  Expected answers are worked out by hand from the entries
-- and URLs below (and, for pictures, from the robust fixtures: a mirrored
-- copy is the mirror variant at distance 0).
CREATE EXTENSION IF NOT EXISTS imgsearch;
\getenv abs_srcdir PG_ABS_SRCDIR
\set robust :abs_srcdir '/test/fixtures/robust/'
-- the pictures used below, readable by the roles of the privilege tests
CREATE TABLE optout_pics (name text PRIMARY KEY, img bytea);
INSERT INTO optout_pics
  SELECT f, pg_read_binary_file(:'robust' || f || '.png')
  FROM unnest(ARRAY['clipart_original', 'clipart_mirror', 'clipart_rotate_180', 'clipart_flip']) f;
INSERT INTO optout_pics VALUES ('unrelated', pg_read_binary_file(:'abs_srcdir' || '/test/fixtures/valid/png_rgb8.png'));
GRANT SELECT ON optout_pics TO PUBLIC;

-- Entries: a link as the artist wrote it, two sites (one with its
-- subdomains, one without), and a picture
INSERT INTO optout_url (url, source) VALUES
  ('HTTPS://Example.com:443/art/dragon.jpg?utm_source=newsletter', 'artist form'),
  ('http://münchen.example/bild.png', 'artist form');
INSERT INTO optout_domain (domain, source) VALUES ('Studio.Example.ORG', 'spawning');
INSERT INTO optout_domain (domain, subdomains, source) VALUES ('exact.example.net', false, 'spawning');
SELECT id, url, url_normal FROM optout_url ORDER BY id;
SELECT id, domain, domain_normal, subdomains FROM optout_domain ORDER BY id;
SELECT optout_register_image(img, 'upload', 'clip art original') AS image_entry
FROM optout_pics WHERE name = 'clipart_original';
SELECT o.id, o.label, o.source, o.radius, o.hash = phash(p.img) AS hash_ok, o.dhash = dhash(p.img) AS dhash_ok
FROM optout_image o, optout_pics p WHERE p.name = 'clipart_original';

-- A batch: one row per URL, in order.  1: the registered link without its
-- tracking parameter and fragment; 2: under the site; 3: the site itself,
-- with a trailing dot; 4: under a site registered without subdomains (not
-- opted out); 5: that site; 6: not a URL; 7: NULL; 8: elsewhere; 9: the
-- internationalised link spelt in punycode
SELECT * FROM optout_check_urls(ARRAY[
  'https://example.com/art/dragon.jpg#top',
  'http://cdn.studio.example.org/a.png',
  'http://STUDIO.example.org./b',
  'http://a.exact.example.net/x',
  'http://exact.example.net/x',
  'garbage',
  NULL,
  'https://other.example.com/',
  'http://xn--mnchen-3ya.example/bild.png']);
-- an empty batch, and a NULL one
SELECT count(*) FROM optout_check_urls('{}');
SELECT count(*) FROM optout_check_urls(NULL);

-- Which entry wins: a URL entry over a domain entry, and among entries of
-- one kind the lowest id.  Entries 3 and 4 by URL and domain: row 1 stays
-- with URL entry 1 (entry 3 is the same link, registered later) though the
-- domain example.com now covers it too; row 2 with domain entry 1 (the
-- site, with subdomains) rather than 4 (the host itself, without);
-- row 3, elsewhere on example.com, by domain entry 3; rows 4 and 5, the
-- same URL twice, both; row 6 an IP address registered as a host; row 7
-- the public suffix github.io registered as a domain: a host under it is
-- a registrable domain of its own, not a subdomain (README, Limits); row 8
-- github.io itself
INSERT INTO optout_url (url, source) VALUES ('https://example.com/art/dragon.jpg', 'later form');
INSERT INTO optout_domain (domain, source) VALUES ('example.com', 'later list');
INSERT INTO optout_domain (domain, subdomains, source) VALUES ('cdn.studio.example.org', false, 'later list');
INSERT INTO optout_domain (domain, source) VALUES ('192.0.2.7', 'later list'), ('github.io', 'later list');
SELECT ord, url, opted_out, reason, entry_id, entry, source FROM optout_check_urls(ARRAY[
  'https://example.com/art/dragon.jpg',
  'http://cdn.studio.example.org/a.png',
  'https://www.example.com/other.jpg',
  'http://exact.example.net/same',
  'http://exact.example.net/same',
  'http://192.0.2.7:80/pic.jpg',
  'https://someone.github.io/pic.jpg',
  'https://github.io/pic.jpg']);
-- an array of two dimensions is read in storage order, as unnest() does
SELECT ord, url, opted_out FROM optout_check_urls(ARRAY[['http://exact.example.net/1', 'x'], [NULL, 'http://www.example.com/']]);
DELETE FROM optout_url WHERE source = 'later form';
DELETE FROM optout_domain WHERE source = 'later list';

-- Bigger lists and batches, checked against a plain query.  The function
-- finds link entries by a walk along optout_url_key's leaves, reading only
-- the entries of the batch's keys, and domain entries by a descent per
-- name or, when the batch has many names per page of the index, by one
-- pass over the whole index: a batch of 12 URLs reads few entries of
-- either index, one of 2,000 every entry of optout_domain_normal
-- (idx_tup_read in pg_stat_user_indexes).  Batch URL i is a messy spelling of
-- http://h<i%37>.site<i%23>.example.com/p/<i>?k=<i%5>; registered by URL
-- are those with i%3 = 0 (and i%300 = 0 twice, the earlier entry
-- winning); by domain site<k>.example.com with its subdomains for k in
-- {0, 4, 8, 12, 16, 20}, the host h1.site1.example.com alone, and
-- site2.example.com alone (which matches none: every URL is under a
-- subdomain); 2,000 filler entries of each kind make the indexes several
-- pages.  Entries for i%7 = 0 and site5 are added then deleted, and must
-- match nothing.
INSERT INTO optout_url (url, source)
  SELECT format('http://h%s.site%s.example.com/p/%s?k=%s&fbclid=abc', j % 37, j % 23, j, j % 5), 'bulk'
  FROM generate_series(3, 3000, 3) j
  UNION ALL SELECT format('http://filler.example.org/%s', j), 'bulk' FROM generate_series(1, 2000) j;
INSERT INTO optout_url (url, source)
  SELECT format('HTTP://h%s.site%s.example.com/p/%s?k=%s', j % 37, j % 23, j, j % 5), 'bulk again'
  FROM generate_series(300, 3000, 300) j;
INSERT INTO optout_domain (domain, subdomains, source)
  SELECT format('site%s.example.com', k), true, 'bulk' FROM generate_series(0, 20, 4) k
  UNION ALL VALUES ('h1.site1.example.com', false, 'bulk'), ('site2.example.com', false, 'bulk')
  UNION ALL SELECT format('filler%s.example.net', k), true, 'bulk' FROM generate_series(1, 2000) k;
INSERT INTO optout_url (url, source)
  SELECT format('http://h%s.site%s.example.com/p/%s?k=%s', j % 37, j % 23, j, j % 5), 'deleted'
  FROM generate_series(7, 3000, 7) j;
INSERT INTO optout_domain (domain, source) VALUES ('site5.example.com', 'deleted');
DELETE FROM optout_url WHERE source = 'deleted';
DELETE FROM optout_domain WHERE source = 'deleted';
CREATE TABLE optout_batch AS
  SELECT n, array_agg(format('HTTP://H%s.Site%s.Example.com:80/p/%s?utm_source=t&k=%s', i % 37, i % 23, i, i % 5)
                      ORDER BY i) AS urls
  FROM (VALUES (12), (2000)) b(n), generate_series(1, n) i GROUP BY n;
-- the plain query: each URL's lowest URL entry, else its lowest domain entry
CREATE FUNCTION optout_batch_by_query(urls text[])
  RETURNS TABLE (ord bigint, normal text, opted_out boolean, reason text, entry_id bigint)
  LANGUAGE sql STABLE
  BEGIN ATOMIC
    SELECT t.ord, url_normalize(t.url), coalesce(a.id, b.id) IS NOT NULL,
           CASE WHEN a.id IS NOT NULL THEN 'url' WHEN b.id IS NOT NULL THEN 'domain' END,
           coalesce(a.id, b.id)
    FROM unnest(urls) WITH ORDINALITY t(url, ord),
      LATERAL (SELECT min(o.id) AS id FROM optout_url o WHERE o.url_normal = url_normalize(t.url)) a,
      LATERAL (SELECT min(d.id) AS id
               FROM optout_domain d, unnest(url_host_domains(t.url)) WITH ORDINALITY h(name, level)
               WHERE d.domain_normal = h.name AND (d.subdomains OR h.level = 1)) b;
  END;
-- the index entries read from optout_url_key and optout_domain_normal
CREATE FUNCTION optout_batch_reads(OUT url_reads bigint, OUT domain_reads bigint)
  LANGUAGE sql STABLE
  RETURN (SELECT (max(idx_tup_read) FILTER (WHERE indexrelname = 'optout_url_key'),
                  max(idx_tup_read) FILTER (WHERE indexrelname = 'optout_domain_normal'))
          FROM pg_stat_user_indexes);
CREATE TABLE optout_batch_result AS
  SELECT n, c.* FROM optout_batch, optout_check_urls(urls) c WITH NO DATA;
SELECT pg_stat_force_next_flush();
SELECT * FROM optout_batch_reads() \gset before_
INSERT INTO optout_batch_result SELECT n, c.* FROM optout_batch, optout_check_urls(urls) c WHERE n = 12;
SELECT pg_stat_force_next_flush();
SELECT * FROM optout_batch_reads() \gset middle_
INSERT INTO optout_batch_result SELECT n, c.* FROM optout_batch, optout_check_urls(urls) c WHERE n = 2000;
SELECT pg_stat_force_next_flush();
SELECT * FROM optout_batch_reads() \gset after_
SELECT n, url_reads < (SELECT count(*) FROM optout_url) AS links_by_key,
       domain_reads >= (SELECT count(*) FROM optout_domain) AS domains_whole_index
FROM (VALUES (12, :middle_url_reads - :before_url_reads, :middle_domain_reads - :before_domain_reads),
             (2000, :after_url_reads - :middle_url_reads, :after_domain_reads - :middle_domain_reads))
  AS s(n, url_reads, domain_reads);
SELECT n, count(*) AS urls, count(*) FILTER (WHERE reason = 'url') AS by_url,
       count(*) FILTER (WHERE reason = 'domain') AS by_domain, count(*) FILTER (WHERE NOT opted_out) AS kept,
       count(*) FILTER (WHERE source = 'bulk again') AS later_entry
FROM optout_batch_result GROUP BY n ORDER BY n;
-- rows where the function and the plain query differ, both ways
SELECT b.n, (SELECT count(*) FROM (
         (SELECT ord, normal, opted_out, reason, entry_id FROM optout_batch_result r WHERE r.n = b.n
          EXCEPT ALL SELECT * FROM optout_batch_by_query(b.urls))
         UNION ALL
         (SELECT * FROM optout_batch_by_query(b.urls)
          EXCEPT ALL SELECT ord, normal, opted_out, reason, entry_id FROM optout_batch_result r WHERE r.n = b.n)) d) AS differ
FROM optout_batch b ORDER BY b.n;
-- one link registered 3,000 times: its entries fill several leaves, all
-- read, and the first registered wins
INSERT INTO optout_url (url, source)
  SELECT 'http://many.example.org/same.jpg', 'copy ' || j FROM generate_series(1, 3000) j;
SELECT pg_stat_force_next_flush();
SELECT * FROM optout_batch_reads() \gset before_
SELECT c.opted_out, c.reason, c.source FROM optout_check_urls(ARRAY['HTTP://many.example.org:80/same.jpg']) c;
SELECT pg_stat_force_next_flush();
SELECT * FROM optout_batch_reads() \gset after_
SELECT :after_url_reads - :before_url_reads AS entries_read,
       (SELECT pg_relation_size('optout_url_key') / current_setting('block_size')::int) > 10 AS key_index_pages_over_10;
DELETE FROM optout_url WHERE source LIKE 'copy %';
DROP TABLE optout_batch, optout_batch_result;
DROP FUNCTION optout_batch_by_query(text[]), optout_batch_reads();
DELETE FROM optout_url WHERE source IN ('bulk', 'bulk again');
DELETE FROM optout_domain WHERE source = 'bulk';

-- A picture: its mirrored and its turned copy find the registered
-- original; an unrelated picture does not
SELECT c.* FROM optout_pics p, optout_check_image(p.img) c WHERE p.name = 'clipart_mirror';
SELECT c.entry_id, c.label FROM optout_pics p, optout_check_image(p.img) c WHERE p.name = 'clipart_rotate_180';
SELECT count(*) FROM optout_pics p, optout_check_image(p.img) c WHERE p.name = 'unrelated';

-- Bad entries are refused with a clear constraint error
\set VERBOSITY terse
INSERT INTO optout_url (url) VALUES ('not a url');
INSERT INTO optout_domain (domain) VALUES ('example.com/path');
INSERT INTO optout_domain (domain) VALUES ('exa mple.com');
INSERT INTO optout_image (hash, radius) VALUES ('0000000000000000', 65);
SELECT optout_register_image('\x00'::bytea);
SELECT optout_register_image(NULL);
\set VERBOSITY default

-- A whole dataset: every row that is opted out, with the reason, by the
-- query the README gives: rows 1, 2 and 3 by URL and domain, row 5 (the
-- registered picture) by its phash.  Row 6, its mirror, stays: the query
-- searches each registered picture's phash within its radius, not its
-- variants (README, Limits); 4 and 7 stay too.
CREATE TABLE dataset (id int PRIMARY KEY, url text, hash phash);
INSERT INTO dataset VALUES
  (1, 'https://EXAMPLE.com/art/dragon.jpg?fbclid=abc', '0000000000000000'),
  (2, 'http://img.studio.example.org/x.jpg', '0000000000000001'),
  (3, 'http://exact.example.net/y.jpg', '0000000000000003'),
  (4, 'http://www.exact.example.net/y.jpg', '0000000000000007'),
  (5, 'https://elsewhere.example/p.png', (SELECT phash(img) FROM optout_pics WHERE name = 'clipart_original')),
  (6, 'https://elsewhere.example/q.png', (SELECT phash(img) FROM optout_pics WHERE name = 'clipart_mirror')),
  (7, 'not even a url', 'ffffffffffffffff');
CREATE INDEX ON dataset USING mih (hash);
CREATE TEMP TABLE removed AS
  SELECT i.id, 'url' AS reason, o.id AS entry_id
  FROM dataset i JOIN optout_url o ON o.url_normal = url_normalize(i.url)
  UNION ALL
  SELECT i.id, 'domain', d.id
  FROM dataset i
    CROSS JOIN LATERAL unnest(url_host_domains(i.url)) WITH ORDINALITY AS h(domain, level)
    JOIN optout_domain d ON d.domain_normal = h.domain AND (d.subdomains OR h.level = 1)
  UNION ALL
  SELECT i.id, 'image', o.id
  FROM optout_image o JOIN dataset i ON i.hash <@ hamming_ball(o.hash, o.radius);
SELECT * FROM removed ORDER BY id, reason;
-- the rows that stay, for COPY ... TO a cleaned dataset file
SELECT * FROM dataset WHERE id NOT IN (SELECT id FROM removed) ORDER BY id;
-- a picture entry is matched through the dataset's mih index
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT i.id FROM optout_image o JOIN dataset i ON i.hash <@ hamming_ball(o.hash, o.radius);
RESET enable_seqscan;

-- Privileges: a backend role that only checks can read the registry and
-- run the checks, but neither add nor change entries; an editor can add
CREATE ROLE optout_test_checker;
CREATE ROLE optout_test_editor;
GRANT SELECT ON optout_url, optout_domain, optout_image TO optout_test_checker;
GRANT SELECT, INSERT, UPDATE, DELETE ON optout_url, optout_domain, optout_image TO optout_test_editor;
GRANT USAGE ON SEQUENCE optout_url_id_seq, optout_domain_id_seq, optout_image_id_seq TO optout_test_editor;
SET ROLE optout_test_checker;
SELECT ord, opted_out, reason FROM optout_check_urls(ARRAY['http://studio.example.org/']);
-- with row-level security on the registry, the batch check refuses to
-- read past the policies (a superuser, who bypasses them, is served)
RESET ROLE;
ALTER TABLE optout_domain ENABLE ROW LEVEL SECURITY;
SELECT ord, opted_out, reason FROM optout_check_urls(ARRAY['http://studio.example.org/']);
SET ROLE optout_test_checker;
\set VERBOSITY terse
SELECT ord, opted_out, reason FROM optout_check_urls(ARRAY['http://studio.example.org/']);
\set VERBOSITY default
RESET ROLE;
ALTER TABLE optout_domain DISABLE ROW LEVEL SECURITY;
SET ROLE optout_test_checker;
SELECT c.entry_id FROM optout_pics p, optout_check_image(p.img) c WHERE p.name = 'clipart_mirror';
\set VERBOSITY terse
INSERT INTO optout_url (url) VALUES ('https://example.com/new.jpg');
DELETE FROM optout_domain;
SELECT optout_register_image(img) FROM optout_pics WHERE name = 'clipart_flip';
\set VERBOSITY default
RESET ROLE;
SET ROLE optout_test_editor;
INSERT INTO optout_url (url, source) VALUES ('https://example.com/new.jpg', 'editor') RETURNING url_normal;
RESET ROLE;
-- and a role without grants sees nothing
CREATE ROLE optout_test_nobody;
SET ROLE optout_test_nobody;
\set VERBOSITY terse
SELECT * FROM optout_check_urls(ARRAY['http://studio.example.org/']);
\set VERBOSITY default
RESET ROLE;

-- the registry's tables are marked for pg_dump (their rows are dumped with
-- the extension; test/t/006_optout_dump.pl dumps and restores them)
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid)
  JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'imgsearch' ORDER BY 1;

DROP TABLE dataset, optout_pics;
DELETE FROM optout_url;
DELETE FROM optout_domain;
DELETE FROM optout_image;
REVOKE ALL ON optout_url, optout_domain, optout_image FROM optout_test_checker, optout_test_editor;
REVOKE ALL ON SEQUENCE optout_url_id_seq, optout_domain_id_seq, optout_image_id_seq FROM optout_test_editor;
DROP ROLE optout_test_checker, optout_test_editor, optout_test_nobody;
