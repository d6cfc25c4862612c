// The stored default answer of one entity, with what decides whether it is current (one indexed read).
// :param ruleset => 'majority'
// :param id => 'demo-1'
OPTIONAL MATCH (run:ControlRun {ruleset: $ruleset})
OPTIONAL MATCH (a:StoredAnswer {entity_id: $id})
RETURN run.as_of AS as_of, coalesce(run.stale, false) AS stale, coalesce(run.answers_gen, 0) AS answers_gen,
       a.gen AS gen, a.body AS body
