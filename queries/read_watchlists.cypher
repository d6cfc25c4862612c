// Every watchlist, by name.
MATCH (w:Watchlist)
RETURN w {.*} AS watchlist
ORDER BY w.name
