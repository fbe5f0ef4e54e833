-- demo/searches.sql: the demo's example searches, printed with their timings.
--
-- psql variables: artist (a name to look for), radius (Hamming radius),
-- query_image (an altered copy of an image of the set, read by the server),
-- mirrored_image and turned_image (the same picture mirrored, and turned);
-- (f) registers opt-outs in a transaction it rolls back.
-- The portfolio (CSV: title, alteration, file) comes on psql's stdin.
-- results_page.sql runs the same searches again for the results page.

SET client_min_messages = warning;
\pset null '(none)'
\timing on
\set ECHO queries

\echo
\echo '(a) Caption search: which captions mention' :'artist' '?'
\echo
-- caption_matches() on the caption index, the name as a phrase;
-- ranked by caption_rank(), with the name highlighted.
\set artist_phrase '"' :artist '"'
\echo 'how many:'
SELECT count(*) AS captions
FROM images
WHERE caption_matches(caption, :'artist_phrase');

\echo
\echo 'the first ten by rank:'
SELECT key, artist AS credited_to,
	   left(caption_highlight(caption, :'artist', '[', ']'), 64) AS caption,
	   round(caption_rank(caption, :'artist')::numeric, 3) AS rank
FROM clipart
WHERE caption_matches(caption, :'artist_phrase')
ORDER BY rank DESC, key
LIMIT 10;

\echo
\echo '(b) Reverse-image search: the originals of' :'query_image'
\echo '    (an image of the set, resized and recompressed as JPEG)'
\echo
-- Both searches go through the mih index: a radius scan, and an index scan
-- that returns rows nearest first.  The query image is hashed once.
\echo 'its hash:'
SELECT phash(pg_read_binary_file(:'query_image')) AS query_hash \gset
\echo :query_hash
\echo
\echo 'every image within' :radius 'bits:'
SELECT c.key, c.title, c.artist, c.width, c.height, c.phash <~> :'query_hash' AS distance
FROM clipart c
WHERE c.phash <@ hamming_ball(:'query_hash', :radius)
ORDER BY distance, c.key;

\echo
\echo 'the five nearest:'
-- (the index orders the images table; the metadata is joined afterwards)
SELECT n.key, m.title, m.artist, n.distance
FROM (SELECT key, phash <~> :'query_hash' AS distance
	  FROM images
	  ORDER BY phash <~> :'query_hash'
	  LIMIT 5) AS n
JOIN image_meta m USING (key)
ORDER BY n.distance, n.key;

\echo
\echo 'how PostgreSQL runs it:'
EXPLAIN (COSTS OFF)
SELECT key FROM images ORDER BY phash <~> :'query_hash' LIMIT 5;

\echo
\echo '(c) Artists ranked by number of images'
\echo
SELECT count(DISTINCT artist) AS artists, count(*) AS images FROM clipart;

SELECT coalesce(nullif(artist, ''), '(unknown)') AS artist, count(*) AS images,
	   round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent
FROM clipart
GROUP BY 1
ORDER BY images DESC, artist
LIMIT 10;

\echo
\echo '(d) A portfolio matched against the whole set, in one join'
\echo
\echo 'the portfolio: four altered copies of images of the set, and a new picture'
\set ECHO none
\timing off
DROP TABLE IF EXISTS portfolio;
CREATE TABLE portfolio (title text, alteration text, file text, hash phash);
COMMENT ON TABLE portfolio IS 'the demo''s portfolio: altered copies of images of the set, and one new picture';
\copy portfolio (title, alteration, file) FROM pstdin WITH (FORMAT csv, HEADER)
\timing on
\set ECHO queries
UPDATE portfolio SET hash = phash(pg_read_binary_file(file));
SELECT title, alteration, hash FROM portfolio;

\echo
\echo 'matched against the set:'

-- A nested loop: one mih index scan per portfolio image.
SELECT p.title AS portfolio_image, c.key, c.title, c.artist, c.phash <~> p.hash AS distance
FROM portfolio p
LEFT JOIN clipart c ON c.phash <@ hamming_ball(p.hash, :radius)
ORDER BY p.title, distance, c.key;

\echo
\echo '(e) Robust reverse search: the same picture mirrored, and turned a quarter'
\echo '    (plain phash finds neither; phash_variants() searches 110 altered versions)'
\echo
-- The demo's table keeps no dhash column, so no dhash check (README,
-- "Robust reverse search"); every variant goes through the mih index.
SELECT q.query, r.key, r.title, r.variant, r.distance
FROM (VALUES ('mirrored', :'mirrored_image'), ('turned', :'turned_image')) AS q(query, file)
CROSS JOIN LATERAL (
  SELECT DISTINCT ON (c.key) c.key, c.title, v.variant, c.phash <~> v.hash AS distance
  FROM phash_variants(pg_read_binary_file(q.file)) v
  JOIN clipart c ON c.phash <@ v.ball
  ORDER BY c.key, distance) r
ORDER BY q.query, r.distance, r.key;
\echo 'plain phash within' :radius 'bits, for comparison:'
SELECT q.query, count(c.key) AS found_by_plain_phash
FROM (VALUES ('mirrored', :'mirrored_image'), ('turned', :'turned_image')) AS q(query, file)
LEFT JOIN clipart c ON c.phash <@ hamming_ball(phash(pg_read_binary_file(q.file)), :radius)
GROUP BY q.query ORDER BY q.query;

\echo
\echo '(f) Opt-out registry: an artist opts out a picture (registering a resized copy'
\echo '    of theirs); the rows a dataset builder then removes, and why'
\echo
-- In a transaction rolled back at the end, so the demo database keeps an
-- empty registry.  The demo's URLs are file: paths, not web links, so the
-- URL and domain parts of the query find nothing here (url_normalize()
-- gives NULL for them); the picture part finds the original.
BEGIN;
SELECT optout_register_image(pg_read_binary_file(:'query_image'), 'demo', 'my picture') AS picture_entry;
\echo 'the rows removed, and why:'
SELECT r.reason, r.key, c.title
FROM (
  SELECT i.key, 'url' AS reason FROM images i JOIN optout_url o ON o.url_normal = url_normalize(i.url)
  UNION ALL
  SELECT i.key, 'domain' FROM images i
    CROSS JOIN LATERAL unnest(url_host_domains(i.url)) WITH ORDINALITY AS h(domain, level)
    JOIN optout_domain d ON d.domain_normal = h.domain AND (d.subdomains OR h.level = 1)
  UNION ALL
  SELECT i.key, 'image' FROM optout_image o JOIN images i ON i.phash <@ hamming_ball(o.hash, o.radius)
) r LEFT JOIN clipart c USING (key)
ORDER BY r.reason, r.key;
\echo 'the demo URLs that are web links (url_normalize not NULL):'
SELECT count(*) AS images, count(url_normalize(url)) AS web_links FROM images;
\echo 'a backend checking links before download (an opt-out of a site, then a batch):'
INSERT INTO optout_domain (domain, source) VALUES ('Studio.Example.ORG', 'demo');
SELECT ord, opted_out, reason, entry, url FROM optout_check_urls(ARRAY[
  'https://cdn.studio.example.org/art/dragon.jpg?utm_source=feed',
  'https://elsewhere.example.com/art/dragon.jpg']);
ROLLBACK;
