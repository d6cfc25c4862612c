// Extend the lease of the load lock we hold.
// :param holder => 'host:pid:uuid'
// :param lease_seconds => 60
MATCH (l:LoadLock {name: 'graph'})
WHERE l.holder = $holder
SET l.expires = datetime() + duration({seconds: $lease_seconds})
RETURN l.holder AS holder
