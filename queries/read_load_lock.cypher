// Who holds the load lock, and until when.
MATCH (l:LoadLock {name: 'graph'})
WHERE l.holder IS NOT NULL AND l.expires >= datetime()
RETURN l.holder AS holder, l.expires AS expires
