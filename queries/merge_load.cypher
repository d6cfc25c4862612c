// Record one load: what was loaded, from where, with which counts (the provenance of the graph).
// :param load => {id: 'registry-csv:/data/demo', format: 'registry-csv', path: '/data/demo', loaded_at: datetime(), counts: '{}'}
MERGE (l:Load {id: $load.id})
SET l += $load
