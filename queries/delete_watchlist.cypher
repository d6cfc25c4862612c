// Delete a watchlist by name (its alerts are computed from the change feed, nothing else to remove).
// :param name => 'qinghai'
MATCH (w:Watchlist {name: $name})
DELETE w
RETURN count(*) AS deleted
