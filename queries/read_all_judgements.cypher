// Every judgement, newest first.
// :param limit => 100
MATCH (j:Judgement)
RETURN j {.*} AS judgement
ORDER BY j.at DESC, j.key
LIMIT $limit
