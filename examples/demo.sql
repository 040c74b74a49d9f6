-- The demo session: a code-analysis pipeline's definitions table, stored as
-- a Delta Lake table through the plugin (scripts/demo fills in the location).
CREATE EXTERNAL TABLE defs (path VARCHAR, qualname VARCHAR, kind VARCHAR, bstart BIGINT, bend BIGINT)
STORED AS DELTATABLE LOCATION '${DEMO_TABLE}';

INSERT INTO defs VALUES
  ('src/app/main.py',  'app.main.run',     'function', 120, 480),
  ('src/app/main.py',  'app.main.Config',  'class',    500, 910),
  ('src/app/util.py',  'app.util.slugify', 'function',   0, 220);

INSERT INTO defs VALUES
  ('src/app/main.py',  'app.main.Config.load', 'method', 560, 700),
  ('src/app/naïve.py', 'app.naïve.größe',      'function', 40, 75);

-- Stable ids and spans: the same definition gets the same id in every run.
SELECT qualname,
       stable_id('def', qualname)                   AS def_id,
       stable_id_parts('loc', path, kind, qualname) AS location_id,
       span_len(span(bstart, bend))                 AS bytes
FROM defs
ORDER BY qualname;

-- Which definitions lie inside app.main.Config's span (the plugin's @> operator).
SELECT inner_def.qualname AS inside_config
FROM defs AS outer_def JOIN defs AS inner_def
  ON span(outer_def.bstart, outer_def.bend) @> span(inner_def.bstart, inner_def.bend)
 AND outer_def.path = inner_def.path AND outer_def.qualname <> inner_def.qualname
WHERE outer_def.qualname = 'app.main.Config';

-- Time travel: the table as the first INSERT left it, and its Delta log.
SELECT count(*) AS rows_at_version_1 FROM read_delta('${DEMO_TABLE}', version => 1);
SELECT version, num_files, partition_columns FROM delta_snapshot('${DEMO_TABLE}');

-- The values Python's hashlib.blake2b(digest_size=8|16) gives for these inputs.
SELECT stable_hash64('alpha')          AS hash64,
       stable_hash128('alpha')         AS hash128,
       stable_id('fn', 'a.b')          AS id,
       stable_hash64(value => 'alpha') AS named_argument;
