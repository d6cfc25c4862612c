// Take the graph's load lock when it is free, expired, ours, or held by a holder known to be gone ($replacing);
// no row when another holder has it.
// The first SET takes the node's write lock, so two takers are serialised before either reads the holder.
// :param holder => 'host:pid:uuid'
// :param lease_seconds => 60
// :param replacing => null
MERGE (l:LoadLock {name: 'graph'})
SET l.taken = coalesce(l.taken, 0) + 1
WITH l
WHERE l.holder IS NULL OR l.expires < datetime() OR l.holder = $holder OR l.holder = $replacing
SET l.holder = $holder, l.expires = datetime() + duration({seconds: $lease_seconds})
RETURN l.holder AS holder
