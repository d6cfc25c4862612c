// Give the load lock back (only if we still hold it).
// :param holder => 'host:pid:uuid'
MATCH (l:LoadLock {name: 'graph'})
WHERE l.holder = $holder
SET l.holder = null, l.expires = null
