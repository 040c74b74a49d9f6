-- A few definitions from a code base, as a code-analysis pipeline sees them.
CREATE TABLE defs (path VARCHAR, qualname VARCHAR, kind VARCHAR, bstart BIGINT, bend BIGINT) AS VALUES
  ('src/app/main.py',   'app.main.run',        'function', 120, 480),
  ('src/app/main.py',   'app.main.Config',     'class',    500, 910),
  ('src/app/util.py',   'app.util.slugify',    'function',   0, 220),
  ('src/app/naïve.py',  'app.naïve.größe',     'function',  40, 75);

-- Stable ids: the same definition gets the same id in every run and engine.
SELECT qualname,
       stable_id('def', qualname)                   AS def_id,
       stable_id_parts('loc', path, kind, qualname) AS location_id,
       prefixed_hash64('h', qualname)               AS short_id
FROM defs
ORDER BY qualname;

-- The values Python's hashlib.blake2b(digest_size=8|16) gives for these inputs.
SELECT stable_hash64('alpha')       AS hash64,
       stable_hash128('alpha')      AS hash128,
       stable_id('fn', 'a.b')       AS id,
       stable_hash64(value => 'alpha') AS named_argument;
