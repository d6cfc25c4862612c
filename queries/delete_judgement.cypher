// Undo a judgement (by its key); returns what was deleted.
// :param key => 'a|b'
MATCH (j:Judgement {key: $key})
WITH j, j {.*} AS judgement
DELETE j
RETURN judgement
