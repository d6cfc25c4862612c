// Store default /controllers answers (their bytes, as_of left as a slot) under the run's generation, with the
// quality flags of each entity's closure and, on each CONTROLLED_BY into it, the chain `controlled` shows.
// With $gen set, nothing is written once a newer whole recomputation has started another generation.
// :param ruleset => 'majority'
// :param gen => null
// :param rows => [{id: 'demo-1', body: '{}', flags: '[]', chains: [{controller: 'demo-0', chain: '[]'}]}]
MATCH (run:ControlRun {ruleset: $ruleset})
WHERE $gen IS NULL OR run.answers_gen = $gen
UNWIND $rows AS row
MERGE (a:StoredAnswer {entity_id: row.id})
SET a.body = row.body, a.flags = row.flags, a.gen = run.answers_gen
WITH row
UNWIND row.chains AS c
MATCH (:Entity {id: row.id})-[r:CONTROLLED_BY]->(:Entity {id: c.controller})
WHERE r.ruleset = $ruleset
SET r.chain = c.chain
