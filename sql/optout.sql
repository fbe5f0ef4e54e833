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
