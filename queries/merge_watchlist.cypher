// Create or replace a watchlist: the entities watched and the integrated-ownership threshold of its alerts.
// :param watchlist => {name: 'qinghai', ids: ['qh-borong-group'], min_io: 0.25}
MERGE (w:Watchlist {name: $watchlist.name})
ON CREATE SET w.created_at = datetime()
SET w.ids = $watchlist.ids, w.min_io = $watchlist.min_io, w.updated_at = datetime()
RETURN w {.*} AS watchlist
