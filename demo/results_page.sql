-- demo/results_page.sql: the results of searches.sql as one JSON document,
-- for results_page.py.  Same psql variables as searches.sql; the
-- portfolio table is the one searches.sql made.
\set artist_phrase '"' :artist '"'

WITH q AS (
	SELECT phash(pg_read_binary_file(:'query_image')) AS hash
), caption_hits AS (
	SELECT c.*, caption_rank(caption, :'artist') AS rank
	FROM clipart c
	WHERE caption_matches(caption, :'artist_phrase')
)
SELECT json_build_object(
	'images', (SELECT count(*) FROM clipart),
	'artists', (SELECT count(DISTINCT artist) FROM clipart),
	'refused', (SELECT count(*) FROM load_failures),
	'radius', :radius,
	'caption_search', json_build_object(
		'text', :'artist',
		'count', (SELECT count(*) FROM caption_hits),
		'top', (SELECT coalesce(json_agg(h ORDER BY h.rank DESC, h.key), '[]')
				FROM (SELECT key, title, artist, caption, file, round(rank::numeric, 3) AS rank
					  FROM caption_hits ORDER BY rank DESC, key LIMIT 12) h)),
	'image_search', json_build_object(
		'file', :'query_image',
		'hash', (SELECT hash FROM q),
		'matches', (SELECT coalesce(json_agg(m ORDER BY m.distance, m.key), '[]')
					FROM (SELECT c.key, c.title, c.artist, c.caption, c.file,
								 c.phash <~> q.hash AS distance
						  FROM q JOIN clipart c ON c.phash <@ hamming_ball(q.hash, :radius)) m)),
	'artist_ranking', (
		SELECT json_agg(a ORDER BY a.images DESC, a.artist)
		FROM (SELECT coalesce(nullif(artist, ''), '(unknown)') AS artist, count(*) AS images,
					 min(file) FILTER (WHERE least(width, height) >= 48) AS sample_file
			  FROM clipart GROUP BY 1 ORDER BY images DESC, artist LIMIT 10) a),
	'portfolio', (
		SELECT json_agg(p ORDER BY p.title)
		FROM (SELECT p.title, p.alteration, p.file, p.hash,
					 (SELECT coalesce(json_agg(m ORDER BY m.distance, m.key), '[]')
					  FROM (SELECT c.key, c.title, c.artist, c.caption, c.file,
								   c.phash <~> p.hash AS distance
							FROM clipart c
							WHERE c.phash <@ hamming_ball(p.hash, :radius)) m) AS matches
			  FROM portfolio p) p)
);
