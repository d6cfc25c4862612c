// Store default /controllers answers (their bytes, as_of left as a slot) under the run's generation.
// With $gen set, nothing is written once a newer whole recomputation has started another generation.
// :param ruleset => 'majority'
// :param gen => null
// :param rows => [{id: 'demo-1', body: '{}'}]
MATCH (run:ControlRun {ruleset: $ruleset})
WHERE $gen IS NULL OR run.answers_gen = $gen
UNWIND $rows AS row
MERGE (a:StoredAnswer {entity_id: row.id})
SET a.body = row.body, a.gen = run.answers_gen
