// Undo a judgement (by its key); returns what was deleted.
// :param key => 'a\u001fb'
MATCH (j:Judgement {key: $key})
WITH j, j {.*} AS judgement
DELETE j
RETURN judgement
