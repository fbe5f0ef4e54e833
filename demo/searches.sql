-- demo/searches.sql: the demo's example searches, printed with their timings.
--
-- psql variables: artist (a name to look for), radius (Hamming radius),
-- query_image (an altered copy of an image of the set, read by the server).
-- The portfolio (CSV: title, alteration, file) comes on psql's stdin.
-- results_page.sql runs the same searches again for the results page.

SET client_min_messages = warning;
\pset null '(none)'
\timing on
\set ECHO queries

\echo
\echo '(a) Caption search: which captions mention' :'artist' '?'
\echo
-- caption_matches() on the caption_tsvector() index, the name as a phrase;
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
-- TODO(issue 3): a sequential scan for now; the mih index will serve both.
\echo 'every image within' :radius 'bits:'
SELECT c.key, c.title, c.artist, c.width, c.height, c.phash <~> q.hash AS distance
FROM phash(pg_read_binary_file(:'query_image')) AS q(hash)
JOIN clipart c ON c.phash <@ hamming_ball(q.hash, :radius)
ORDER BY distance, c.key;

\echo
\echo 'the five nearest:'
SELECT c.key, c.title, c.artist, c.phash <~> q.hash AS distance
FROM phash(pg_read_binary_file(:'query_image')) AS q(hash), clipart c
ORDER BY c.phash <~> q.hash, c.key
LIMIT 5;

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

-- TODO(issue 3): the mih index will serve this join as a nested loop of index scans.
SELECT p.title AS portfolio_image, c.key, c.title, c.artist, c.phash <~> p.hash AS distance
FROM portfolio p
LEFT JOIN clipart c ON c.phash <@ hamming_ball(p.hash, :radius)
ORDER BY p.title, distance, c.key;
