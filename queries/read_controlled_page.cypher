// One page of what an entity controls, from the materialised control: definite first, then by id,
// with the total and the control run the page belongs to (the reverse question without a closure read).
// Each row brings the chain stored on its CONTROLLED_BY and the flags and generation of the controlled
// entity's stored answer: current when that generation is the run's.
// :param id => 'qh-borong-group'
// :param ruleset => 'majority'
// :param founded_from => null
// :param founded_to => null
// :param offset => 0
// :param limit => 100
MATCH (x:Entity {id: $id})
OPTIONAL MATCH (run:ControlRun {ruleset: $ruleset})
CALL (x) {
  MATCH (x)<-[r:CONTROLLED_BY]-(y:Entity)
  WHERE r.ruleset = $ruleset
    AND ($founded_from IS NULL OR y.founded >= $founded_from)
    AND ($founded_to IS NULL OR y.founded <= $founded_to)
  RETURN count(*) AS total
}
CALL (x) {
  MATCH (x)<-[r:CONTROLLED_BY]-(y:Entity)
  WHERE r.ruleset = $ruleset
    AND ($founded_from IS NULL OR y.founded >= $founded_from)
    AND ($founded_to IS NULL OR y.founded <= $founded_to)
  WITH y, r ORDER BY r.definite DESC, y.id SKIP $offset LIMIT $limit
  OPTIONAL MATCH (a:StoredAnswer {entity_id: y.id})
  RETURN collect({id: y.id, name: y.name, kind: y.kind, founded: y.founded, definite: r.definite,
                  group: r.group, chain: r.chain, flags: a.flags, gen: a.gen}) AS rows
}
RETURN x.name AS name, run.as_of AS as_of, coalesce(run.stale, false) AS stale,
       coalesce(run.answers_gen, 0) AS answers_gen, total, rows
