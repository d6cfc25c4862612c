// Record (or replace) a reviewer's judgement of two record ids; the key is the sorted pair.
// :param judgement => {key: 'a\u001fb', a: 'a', b: 'b', verdict: 'negative', at: datetime(), note: null}
MERGE (j:Judgement {key: $judgement.key})
SET j = $judgement
RETURN j {.*} AS judgement
