-- RFC 3339 UTC text with microseconds, for JSON built in SQL and for pagination cursors
-- (microseconds keep keyset cursors exact where a JavaScript Date would round them).
CREATE OR REPLACE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
